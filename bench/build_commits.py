"""The build commit by commit (issue 12): N synthetic reports added in commits of C, as bench/growth.py's build
does, with each commit's CPU (the committing process and its workers) and wall time printed, so that the commits
that merge segments show apart from those that only index.

    python -m bench.build_commits --n 10000                   # commits of 1,000 on 2 workers, merges as configured
    python -m bench.build_commits --n 4000 --no-merge         # indexing alone (no segment is merged)
    python -m bench.build_commits --n 2000 --workers 1        # one process: no worker start, no hand-over

The reports are bench/out/synth-10000.jsonl's first N (bench/synth.py generates it when missing); the index is
built afresh under bench/out/build-commits/.  Printed: per commit, CPU s (children included), wall s and segments
after it; then reports/s, CPU ms a report (of which the workers'), and the merges' share of the wall time (the
commits that merged, less an indexing commit's median).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import time

from bench.synth import OUT, generate, load


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    children = kids.ru_utime + kids.ru_stime
    return me.ru_utime + me.ru_stime + children, children


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--commit", type=int, default=1000, help="reports per commit (update call)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-merge", action="store_true", help="never merge segments (indexing alone)")
    args = ap.parse_args()

    from whoosh import index as whoosh_index

    from indexer.engine.index import SearchIndex

    generate(10000)
    reports = load(OUT / "synth-10000.jsonl")[:args.n]
    path = OUT / "build-commits"
    shutil.rmtree(path, ignore_errors=True)
    ix = SearchIndex(path)
    if args.no_merge:
        ix.merge_factor = 1 << 30  # (1 would leave merging to Whoosh on one worker)
    rows = []
    cpu0, kids0 = _cpu()
    t0 = time.perf_counter()
    for i in range(0, len(reports), args.commit):
        c, t = _cpu()[0], time.perf_counter()
        ix.update(reports[i:i + args.commit], workers=args.workers)
        cpu, wall = _cpu()[0] - c, time.perf_counter() - t
        gen = path / ix.current_generation()
        segments = [s.doc_count() for s in whoosh_index.open_dir(str(gen))._segments()]
        rows.append((cpu, wall))
        print(f"commit {i // args.commit:3}: CPU {cpu:6.1f} s, wall {wall:6.1f} s, segments {segments}", flush=True)
    wall = time.perf_counter() - t0
    cpu, kids = _cpu()
    ix.close()
    n = len(reports)
    typical = statistics.median(w for _c, w in rows)
    extra = sum(max(w - typical, 0) for _c, w in rows)
    print(f"\n{n} reports in commits of {args.commit} on {args.workers} worker(s)"
          f"{', no merges' if args.no_merge else ''}: {n / wall:.1f} reports/s, "
          f"{(cpu - cpu0) / n * 1000:.1f} ms CPU a report ({(kids - kids0) / n * 1000:.1f} in worker processes); "
          f"commits above the median commit's {typical:.1f} s: {extra:.1f} s of the {wall:.1f} s")


if __name__ == "__main__":
    main()
