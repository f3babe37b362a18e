"""A term matched over one range of documents per core, or over one range, timed search by search in one process
(issue 12): the growth plan's 42 searches (bench/growth.py) in first-search mode (phrase and term caches cleared
before each), the two ways alternated search by search (each first in turn), responses compared equal; then the
searches a second of 2 and 4 threads searching at once, each way.

    python -m bench.matching_ranges --n 10000 --rounds 6

The index as bench.growth built it (bench/out/growth-ours-N), read into the page cache first.  "one range" sets
matching._SPLIT_CANDIDATES past any term's candidates (ranges then only as matching._CHUNK_POSITIONS asks).
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np

from bench.growth import FACET_SIZE, plan, warm_index
from bench.synth import OUT

WAYS = ("one range", "a range per core")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    from indexer.engine import matching

    split = matching._SPLIT_CANDIDATES

    def way(name: str) -> None:
        matching._SPLIT_CANDIDATES = split if name == WAYS[1] else 1 << 62

    ix = warm_index(OUT / f"growth-ours-{args.n}")
    searches = plan(args.n)
    times = {w: np.zeros((args.rounds, len(searches))) for w in WAYS}
    for r in range(args.rounds):
        for i, (q, filters) in enumerate(searches):
            answers = []
            for w in (WAYS if (i + r) % 2 else WAYS[::-1]):
                way(w)
                ix.snapshot().clear_caches()
                t0 = time.perf_counter()
                res = ix.search(f'"{q}"', filters=filters, limit=20, facet_size=FACET_SIZE)
                times[w][r, i] = (time.perf_counter() - t0) * 1000
                res.pop("took_ms")
                answers.append(res)
            assert answers[0] == answers[1], (q, filters)
    for w in WAYS:
        t = times[w].ravel()
        print(f"{w:18s} first p50 {np.percentile(t, 50):.2f}  p95 {np.percentile(t, 95):.2f} ms")
    print(f"paired median ratio (per core / one): {np.median(times[WAYS[1]] / times[WAYS[0]]):.3f}")
    print("\nper search, medians over the rounds (ms):")
    med = {w: np.median(times[w], axis=0) for w in WAYS}
    for i in np.argsort(med[WAYS[0]]):
        q, filters = searches[i]
        print(f"  {q:10s} {str(filters or ''):28s} {med[WAYS[0]][i]:6.2f} {med[WAYS[1]][i]:6.2f}  "
              f"{med[WAYS[1]][i] / med[WAYS[0]][i]:.2f}")

    def worker(k: int, lat: list) -> None:
        for q, filters in searches[k:] + searches[:k]:
            ix.snapshot().clear_caches()
            t0 = time.perf_counter()
            ix.search(f'"{q}"', filters=filters, limit=20, facet_size=FACET_SIZE)
            lat.append(time.perf_counter() - t0)

    rates: dict[tuple[int, str], list[float]] = {}
    for r in range(args.rounds):
        for threads in (2, 4):
            for w in (WAYS if r % 2 else WAYS[::-1]):
                way(w)
                lat: list[float] = []
                pool = [threading.Thread(target=worker, args=(k * 10, lat)) for k in range(threads)]
                t0 = time.perf_counter()
                for t in pool:
                    t.start()
                for t in pool:
                    t.join()
                rates.setdefault((threads, w), []).append(len(lat) / (time.perf_counter() - t0))
    print("\nsearches a second, threads searching at once (medians over the rounds):")
    for (threads, w), v in sorted(rates.items()):
        print(f"  {threads} threads, {w:18s} {np.median(v):6.0f}")
    way(WAYS[1])


if __name__ == "__main__":
    main()
