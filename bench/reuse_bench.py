"""What copied-text detection adds to indexing: `add` of N synthetic report files with reuse figures kept up to date,
against the same `add` without them, in one run.

    python -m bench.reuse_bench --size 10000

Both runs are Library.add_paths() over bench/out/synth-N-txt/ (read, parse, store, index, as `nianbao add`); the
second has Library.update_reuse replaced by a no-op.  The synthetic narrative is recombined from the samples'
sentences, so it shares far more sentences across reports than real ones do: many are standard wording at once, the
others are shared by many reports (the worst case for the inverted lists).  Figures: wall and CPU seconds (CPU
includes the parsing worker processes), and how many report documents each run indexed (a report whose reuse
figures a later one changed is not indexed again: the figures are the index's values, not part of its documents).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time

from pathlib import Path

from bench.search_bench import cpu_seconds
from bench.synth import OUT, generate


def _add(txt_dir: Path, path: Path) -> tuple:
    import indexer.engine.index as index_module
    from indexer.library import Library

    shutil.rmtree(path, ignore_errors=True)
    lib = Library(path)
    indexed = [0]
    document = index_module.report_document

    def counted(report, version=None):
        indexed[0] += 1
        return document(report, version)

    index_module.report_document = counted
    try:
        c0, t0 = cpu_seconds(), time.perf_counter()
        result = lib.add_paths([txt_dir])
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    finally:
        index_module.report_document = document
    assert not result.failed, result.failed[:3]
    print(f"  {indexed[0]} report documents indexed for {len(result.added)} reports added")
    return wall, cpu, lib


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10000)
    args = ap.parse_args()
    from indexer.library import Library

    generate(args.size)
    txt_dir = OUT / f"synth-{args.size}-txt"
    print(f"cores: {os.cpu_count()}  load average at start: {os.getloadavg()[0]:.1f}")
    original = Library.update_reuse
    Library.update_reuse = lambda self, reports: {}
    try:
        wall0, cpu0, lib0 = _add(txt_dir, OUT / f"reuse-off-{args.size}")
        lib0.close()
    finally:
        Library.update_reuse = original
    print(f"add without reuse: {wall0:.1f} s wall, {cpu0:.1f} s CPU")
    wall1, cpu1, lib = _add(txt_dir, OUT / f"reuse-on-{args.size}")
    print(f"add with reuse:    {wall1:.1f} s wall, {cpu1:.1f} s CPU")
    reports = list(lib.reports())
    flagged = sum(1 for r in reports if (r.fields.get("reuse.others") or 0) > 0.3)
    standard = sum(lib.reuse(r.id).standard for r in reports) / max(len(reports), 1)
    print(f"{len(reports)} reports, {standard:.0f} standard sentences a report, {flagged} with reuse.others > 0.3")
    print(f"reuse adds {wall1 / wall0 - 1:+.0%} wall time, {cpu1 / cpu0 - 1:+.0%} CPU time to `add`"
          f"  (load average now {os.getloadavg()[0]:.1f})")
    lib.close()


if __name__ == "__main__":
    main()
