"""Phrase matching alone (matching.match, the phrase caches cleared before each run) on a growth index, with the
pool of threads a common phrase's ranges of documents are checked over set to 1, 2, … workers (issue 12).

    python -m bench.phrase_matching --n 100000                 # bench/out/growth-ours-100000, built by bench.growth
    python -m bench.phrase_matching --n 10000 --threads 1,2 --runs 9

Prints, per phrase and thread count, the matching slots and the median and best wall time and the median CPU time
(all threads) of --runs runs, interleaved over the thread counts (a shared machine's load changes over minutes).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import indexer.engine.matching as matching
from bench.synth import OUT
from indexer.engine.index import SearchIndex
from indexer.engine.kernels import load_kernels

PHRASES = ("政府信息公开", "主动公开政府信息", "依申请公开", "政务新媒体", "行政复议")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000, help="the growth index of this many reports")
    ap.add_argument("--threads", default="1,2", help="pool sizes to compare")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    index = SearchIndex(OUT / f"growth-ours-{args.n}", readonly=True)
    index.search("")
    load_kernels()
    snap = index.snapshot()
    pools = {t: ThreadPoolExecutor(max_workers=t, thread_name_prefix="nianbao-match")
             for t in map(int, args.threads.split(","))}
    for phrase in PHRASES:
        wall: dict[int, list[float]] = {t: [] for t in pools}
        cpu: dict[int, list[float]] = {t: [] for t in pools}
        slots = 0
        for _ in range(args.runs):
            for t, pool in pools.items():
                matching._POOL = pool
                snap.clear_caches()
                c0, t0 = _cpu(), time.perf_counter()
                slots = len(matching.match(snap, phrase).docs)
                wall[t].append((time.perf_counter() - t0) * 1000)
                cpu[t].append((_cpu() - c0) * 1000)
        for t in pools:
            print(f"{phrase:10} {slots:>9,} slots  threads {t}: wall median {statistics.median(wall[t]):6.1f} ms, "
                  f"best {min(wall[t]):6.1f} ms, CPU median {statistics.median(cpu[t]):6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
