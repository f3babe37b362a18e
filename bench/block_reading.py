"""Posting lists walked by blockfile.py against the same lists read block by block through Whoosh's matcher
(the way before it), first searches of the growth plan alternated search by search in one process (issue 12).

    python -m bench.block_reading --n 10000 --rounds 3

The index bench.growth built (bench/out/growth-ours-N), read into the page cache first; phrase and term caches
cleared before each search. The two ways take turns at going first for each search (the first to touch a
search's postings and display text pays for bringing them into the CPU caches). Per search the medians and
their ratio, then the median and p95 of each way.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.growth import FACET_SIZE, plan, warm_index
from bench.synth import OUT


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from indexer.engine import postings

    ix = warm_index(OUT / f"growth-ours-{args.n}")
    ways = {"walked": postings._posting_list, "matcher": lambda sub, info: (None, 0, 0)}  # (None: not walked)
    times: dict[str, list[float]] = {w: [] for w in ways}
    per: dict[tuple, dict[str, list[float]]] = {}
    searches = plan(args.n)
    for rnd in range(args.rounds):
        for k, (q, filters) in enumerate(searches):
            order = list(ways) if (k + rnd) % 2 == 0 else list(ways)[::-1]
            for way in order:
                postings._posting_list = ways[way]
                ix.snapshot().clear_caches()
                t0 = time.perf_counter()
                ix.search(f'"{q}"', filters=filters, limit=20, facet_size=FACET_SIZE)
                ms = (time.perf_counter() - t0) * 1000
                times[way].append(ms)
                per.setdefault((q, str(filters)), {w: [] for w in ways})[way].append(ms)
    postings._posting_list = ways["walked"]
    for (q, filters), t in sorted(per.items(), key=lambda kv: np.median(kv[1]["matcher"])):
        a, b = np.median(t["walked"]), np.median(t["matcher"])
        print(f"{q:10} {filters[:28]:28}  walked {a:6.2f}  matcher {b:6.2f}  ratio {a / b:.2f}")
    for way, t in times.items():
        print(f"{way}: p50 {np.median(t):.2f} p95 {np.percentile(t, 95):.2f} ms")


if __name__ == "__main__":
    main()
