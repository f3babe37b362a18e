"""Segment merging (issue 12): `add` of N synthetic reports and the phrase searches, with segments never merged
(the policy before) and with the tiered policy of indexer/engine/merge.py, in one run.

    python -m bench.merge_policy --size 1000 --factors 0,10

Each build is Library.add_paths() over bench/out/synth-N-txt/ (as `nianbao add`: batches of 200 reports, each
committed with the parallel writer), with the copied-text figures left out as in bench/reuse_bench.py's "without
reuse" run (they do not touch the index).  Factor 0 is the policy before (each batch adds its two segments, none
is ever merged); F > 1 merges F segments of one tier.  Figures: build CPU seconds (parsing workers included), of
which merging; segments and MB of the published generation; then bench/search_bench.py's PHRASES, each searched
once after its WARMUP as Library.search does (facets included), CPU ms per search (p50, p95, max).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from bench.search_bench import PHRASES, WARMUP, cpu_seconds, du, pct
from bench.synth import OUT

_MAIN_OUT = Path("/work/main/bench/out")


def _txt_dir(size: int) -> Path:
    for base in (OUT, _MAIN_OUT):
        if (base / f"synth-{size}-txt").is_dir():
            return base / f"synth-{size}-txt"
    from bench.synth import generate

    generate(size)
    return OUT / f"synth-{size}-txt"


def build(size: int, factor: int, path: Path) -> dict:
    from whoosh import index as whoosh_index

    from indexer.engine import index as index_mod
    from indexer.engine import merge as merge_mod
    from indexer.library import Library

    # every merge writes its segment through merge_segments, after a commit (merge_tiers) or during a parallel
    # one (merge_while_writing)
    merge_cpu = [0.0]
    original = merge_mod.merge_segments

    def timed(*args, **kwargs):
        c0 = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            merge_cpu[0] += time.process_time() - c0

    shutil.rmtree(path, ignore_errors=True)
    merge_mod.merge_segments = timed
    index_mod.SearchIndex.merge_factor = factor
    update_reuse = Library.update_reuse
    Library.update_reuse = lambda self, reports: []
    try:
        lib = Library(path)
        c0, t0 = cpu_seconds(), time.perf_counter()
        result = lib.add_paths([_txt_dir(size)])
        cpu, wall = cpu_seconds() - c0, time.perf_counter() - t0
        assert not result.failed, result.failed[:3]
        lib.close()
    finally:
        merge_mod.merge_segments = original
        Library.update_reuse = update_reuse
    ix_dir = path / "whoosh"
    gen = ix_dir / (ix_dir / "CURRENT").read_text().strip()
    segments = whoosh_index.open_dir(str(gen))._segments()
    return {"cpu": cpu, "wall": wall, "merge_cpu": merge_cpu[0], "segments": len(segments),
            "mb": du(gen) / 1e6, "reports": sum(s.doc_count() for s in segments)}


def searches(path: Path) -> tuple[list[float], dict[str, int]]:
    from indexer.library import Library

    lib = Library(path, readonly=True)
    lib.search("")
    for q in WARMUP:
        lib.search(f'"{q}"')
    cpu, totals = [], {}
    for q in PHRASES:
        c0 = time.process_time()
        res = lib.search(f'"{q}"')
        cpu.append((time.process_time() - c0) * 1000)
        totals[q] = res["total"]
    lib.close()
    return cpu, totals


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--factors", default="0,10", help="merge factors to build with; 0 = never merge")
    ap.add_argument("--keep", action="store_true", help="keep the built libraries under bench/out/")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}  load average at start: {os.getloadavg()[0]:.1f}")
    totals_seen = None
    for factor in [int(f) for f in args.factors.split(",")]:
        path = OUT / f"merge-{factor}-{args.size}"
        b = build(args.size, factor, path)
        cpu, totals = searches(path)
        if totals_seen is not None:
            assert totals == totals_seen, (totals, totals_seen)
        totals_seen = totals
        name = "never merge" if factor <= 1 else f"tiered F={factor}"
        print(f"{name:>14}: {b['reports']} reports, add {b['cpu']:.1f} s CPU ({b['wall']:.0f} s wall), merging "
              f"{b['merge_cpu']:.1f} s; {b['segments']} segments, {b['mb']:.0f} MB; search CPU ms "
              f"p50 {statistics.median(cpu):.1f}, p95 {pct(cpu, 95):.1f}, max {max(cpu):.1f}", flush=True)
        if not args.keep:
            shutil.rmtree(path, ignore_errors=True)
    print(f"same totals for every phrase under every policy; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
