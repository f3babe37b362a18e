"""nianbao and the tantivy anchor timed search by search in one process (issue 12): each search of the growth
plan (bench/growth.py) run on both, one right after the other, so that both meet the same moment of a shared
machine's load; per search the medians over the rounds and their ratio, slowest last.

    python -m bench.paired_search --n 10000 --rounds 4

Both indexes as bench.growth built them (bench/out/growth-ours-N, growth-anchor-N), read into the page cache first;
nianbao's phrase and term caches cleared before each search ("first" in bench.growth).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.growth import FACET_SIZE, _load_page_cache, plan
from bench.search_bench import WARMUP
from bench.synth import OUT


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    from bench.tantivy_anchor import Anchor
    from indexer.engine.index import SearchIndex
    from indexer.engine.kernels import load_kernels

    ours, theirs = OUT / f"growth-ours-{args.n}", OUT / f"growth-anchor-{args.n}"
    _load_page_cache(ours)
    _load_page_cache(theirs)
    load_kernels()
    ix, anchor = SearchIndex(ours, readonly=True), Anchor(theirs)
    ix.search("")
    for q in WARMUP:
        ix.search(f'"{q}"', limit=20)
        anchor.search(q)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for q, filters in plan(args.n):
            ix.snapshot().clear_caches()
            t0 = time.perf_counter()
            ix.search(f'"{q}"', filters=filters, limit=20, facet_size=FACET_SIZE)
            t1 = time.perf_counter()
            anchor.search(q, filters)
            t2 = time.perf_counter()
            times.setdefault((q, str(filters or "")), []).append(((t1 - t0) * 1000, (t2 - t1) * 1000))
    a = [t[0] for v in times.values() for t in v]
    b = [t[1] for v in times.values() for t in v]
    print(f"nianbao p50 {np.median(a):.2f} p95 {np.percentile(a, 95):.2f} ms; "
          f"tantivy p50 {np.median(b):.2f} p95 {np.percentile(b, 95):.2f} ms")
    for (q, f), v in sorted(times.items(), key=lambda kv: np.median([t[0] for t in kv[1]])):
        x, y = np.median([t[0] for t in v]), np.median([t[1] for t in v])
        print(f"{q:10s} {f[:30]:30s} nianbao {x:6.2f}  tantivy {y:6.2f}  ratio {x / y:5.2f}")


if __name__ == "__main__":
    main()
