"""Growth of the embedded index with the collection, nianbao beside the tantivy-trigram anchor, in one run (issue 12).

    python -m bench.growth --sizes 1000,10000            # then 50000,100000 when the machine has the hours
    python -m bench.growth --sizes 10000 --reuse         # time the queries again on the indexes built before

For each size N the synthetic set (bench/synth.py, generated on the fly under bench/out/, never committed) is built
and searched by nianbao (indexer.engine.index.SearchIndex) and by the anchor (bench/tantivy_anchor.py), each phase in
its own process so that its peak memory (ru_maxrss from wait4) is its own.  Printed per system:

* build: reports/s (wall, both cores), CPU ms per report (children included), index MB and × the text (UTF-8
  bytes of titles and texts), peak build memory;
* queries (after both builds, in --rounds interleaved rounds, latencies pooled): the search_bench plan (14 phrases, each as typed and with two facet clicks: 42 searches, every one
  computing the facets — listing the first 100 values of each, as the search page asks — and reading the top 20
  results' display text), timed three ways —
  first: nianbao's phrase and term caches cleared before each search (the anchor has none), the index's files
  read into the page cache when the query process starts (the round before dropped them in its cold phase);
  warm: the same plan again, caches as they are;
  cold: the page cache dropped for every file of the index (posix_fadvise DONTNEED) and caches cleared before
  each search (pages the open index has mapped stay resident: a server that keeps its index open);
  with the peak serving memory of the query process.  The anchor counts its facets under the query and every
  filter; it is timed a second way too, counting a ticked facet under the query and the other filters as nianbao
  does (one more aggregation per ticked facet), printed on a line of its own.
The matching-report counts of both systems are compared phrase by phrase (both are exact: they must be equal).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.search_bench import PHRASES, WARMUP, du, pct
from bench.tantivy_anchor import FACET_SIZE
from bench.synth import OUT, generate
from indexer.model import Report


def _reports(n: int):
    from bench.synth import load

    return load(OUT / f"synth-{n}.jsonl")


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _drop_page_cache(path: Path) -> None:
    for f in path.rglob("*"):
        if f.is_file():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _load_page_cache(path: Path) -> None:
    """Every file of the index read once, so that it is in the page cache as a server's index is."""
    for f in path.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                while fh.read(1 << 24):
                    pass


def plan(n: int) -> list[tuple[str, dict | None]]:
    """The search_bench plan: each phrase as typed, then a province and a year-range facet click."""
    provinces = set()
    with open(OUT / f"synth-{n}.jsonl", encoding="utf-8") as f:
        for line in f:
            provinces.add(json.loads(line).get("province") or "")
    rng = random.Random(7)
    provinces = sorted(p for p in provinces if p)
    out = []
    for q in PHRASES:
        out += [(q, None), (q, {"province": [rng.choice(provinces)[:2]]}), (q, {"year": ["2019-2021"]})]
    return out


# -- the phases, each run in a child process -----------------------------------------------------------------------


def build_ours(n: int, path: Path) -> dict:
    from indexer.engine.index import SearchIndex

    reports = _reports(n)
    shutil.rmtree(path, ignore_errors=True)
    c0, t0 = _cpu(), time.perf_counter()
    with SearchIndex(path) as ix:
        for i in range(0, n, 1000):
            ix.update(reports[i:i + 1000], workers=2)
    return {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0}


def build_anchor(n: int, path: Path) -> dict:
    from bench import tantivy_anchor

    reports = _reports(n)
    c0, t0 = _cpu(), time.perf_counter()
    tantivy_anchor.build(reports, path)
    return {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0}


def _time(search, searches, before=None) -> tuple[list[float], dict]:
    times, totals = [], {}
    for q, filters in searches:
        if before:
            before()
        t0 = time.perf_counter()
        total = search(q, filters)
        times.append((time.perf_counter() - t0) * 1000)
        if filters is None:
            totals[q] = total
    return times, totals


def warm_index(path: Path):
    """nianbao's index at ``path`` opened as a server holds it: its files read into the page cache, the compiled
    loops loaded, the WARMUP phrases searched."""
    from indexer.engine.index import SearchIndex
    from indexer.engine.kernels import load_kernels

    _load_page_cache(path)
    load_kernels()  # as `nianbao serve` does at start
    ix = SearchIndex(path, readonly=True)
    ix.search("")
    for q in WARMUP:
        ix.search(f'"{q}"', limit=20)
    return ix


def query_ours(n: int, path: Path) -> dict:
    ix = warm_index(path)
    searches = plan(n)

    def search(q, filters):
        return ix.search(f'"{q}"', filters=filters, limit=20, facet_size=FACET_SIZE)["total"]

    def forget():
        ix.snapshot().clear_caches()

    def cold():
        forget()
        _drop_page_cache(path)

    first, totals = _time(search, searches, forget)
    warm, _ = _time(search, searches)
    cold_t, _ = _time(search, searches, cold)
    return {"first": first, "warm": warm, "cold": cold_t, "totals": totals}


def query_anchor(n: int, path: Path) -> dict:
    from bench.tantivy_anchor import Anchor

    _load_page_cache(path)
    a = Anchor(path)
    for q in WARMUP:
        a.search(q)
    searches = plan(n)
    first, totals = _time(a.search, searches)
    shopper, _ = _time(lambda q, f: a.search(q, f, shopper=True), searches)
    warm, _ = _time(a.search, searches)
    cold_t, _ = _time(a.search, searches, lambda: _drop_page_cache(path))
    return {"first": first, "warm": warm, "cold": cold_t, "totals": totals, "shopper": shopper}


PHASES = {"build-ours": build_ours, "build-anchor": build_anchor, "query-ours": query_ours,
          "query-anchor": query_anchor}


def _child(phase: str, n: int, path: Path) -> dict:
    """Run a phase in a fresh process; its result with the process's peak memory (MB)."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.growth", "--phase", phase, "--n", str(n),
                             "--path", str(path)], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{phase} {n} failed (exit {proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--phase", choices=sorted(PHASES))
    ap.add_argument("--n", type=int)
    ap.add_argument("--path", type=Path)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved query rounds per system")
    ap.add_argument("--reuse", action="store_true",
                    help="keep indexes an earlier run built (and its build figures) and only time the queries")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.n, args.path)))
        return
    print(f"cores: {os.cpu_count()}  load average at start: {os.getloadavg()[0]:.1f}")
    rows = []
    for n in map(int, args.sizes.split(",")):
        generate(n)
        text = 0  # UTF-8 bytes of the titles and of the full texts (Report.text), one report at a time
        with open(OUT / f"synth-{n}.jsonl", encoding="utf-8") as f:
            for line in f:
                r = Report.from_json(json.loads(line))
                text += len((r.title or "").encode("utf-8")) + len(r.text.encode("utf-8"))
        print(f"\n=== {n} synthetic reports, {text / 1e6:.0f} MB of text ===", flush=True)
        totals, builds, queries = {}, {}, {"nianbao": [], "tantivy": []}
        paths = {"nianbao": OUT / f"growth-ours-{n}", "tantivy": OUT / f"growth-anchor-{n}"}
        for name in ("nianbao", "tantivy"):
            saved = paths[name].with_name(paths[name].name + ".build.json")
            if args.reuse and saved.exists() and paths[name].exists():
                builds[name] = json.loads(saved.read_text())
                continue
            builds[name] = _child("build-ours" if name == "nianbao" else "build-anchor", n, paths[name])
            saved.write_text(json.dumps(builds[name]))
        # the query phases in interleaved rounds (nianbao, tantivy, nianbao, …): a shared machine's load changes
        # over minutes, and both systems should meet the same load
        for r in range(args.rounds):
            for name in ("nianbao", "tantivy"):
                queries[name].append(_child("query-ours" if name == "nianbao" else "query-anchor", n, paths[name]))
            print(f"round {r + 1}: load average {os.getloadavg()[0]:.1f}", flush=True)
        for name in ("nianbao", "tantivy"):
            path, b, qs = paths[name], builds[name], queries[name]
            size = du(path / (path / "CURRENT").read_text().strip()) if name == "nianbao" else du(path)
            q = {k: [t for x in qs for t in x[k]] for k in ("first", "warm", "cold")}
            q["peak_mb"] = max(x["peak_mb"] for x in qs)
            totals[name] = qs[0]["totals"]
            row = {"n": n, "system": name, "rep_s": n / b["wall"], "cpu_ms": b["cpu"] / n * 1000,
                   "mb": size / 1e6, "x_text": size / text, "build_peak": b["peak_mb"], "serve_peak": q["peak_mb"],
                   **{f"{k}_{p}": pct(q[k], p) for k in ("first", "warm", "cold") for p in (50, 95)}}
            rows.append(row)
            print(f"{name:8} build {row['rep_s']:6.1f} reports/s, {row['cpu_ms']:5.1f} ms CPU/report, "
                  f"index {row['mb']:7.0f} MB = {row['x_text']:.2f}x text, peak {row['build_peak']:.0f} MB | "
                  f"first p50/p95 {row['first_50']:.1f}/{row['first_95']:.1f} ms, warm {row['warm_50']:.1f}/"
                  f"{row['warm_95']:.1f}, cold {row['cold_50']:.1f}/{row['cold_95']:.1f}, serving peak "
                  f"{row['serve_peak']:.0f} MB", flush=True)
        shopper = [t for x in queries["tantivy"] for t in x["shopper"]]
        print(f"tantivy with the facets counted as nianbao counts them (a ticked facet under the other filters): "
              f"first p50/p95 {pct(shopper, 50):.1f}/{pct(shopper, 95):.1f} ms", flush=True)
        same = totals["nianbao"] == totals["tantivy"]
        print(f"matching reports equal for every phrase: {same}" + ("" if same else f"  {totals}"))
        print(f"load average now: {os.getloadavg()[0]:.1f}", flush=True)
    print("\n| reports | system | build rep/s | CPU ms/rep | index MB | × text | build peak MB | first p50 / p95 ms"
          " | warm p50 / p95 | cold p50 / p95 | serving peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['system']} | {r['rep_s']:.0f} | {r['cpu_ms']:.1f} | {r['mb']:,.0f} | "
              f"{r['x_text']:.2f} | {r['build_peak']:,.0f} | {r['first_50']:.1f} / {r['first_95']:.1f} | "
              f"{r['warm_50']:.1f} / {r['warm_95']:.1f} | {r['cold_50']:.1f} / {r['cold_95']:.1f} | "
              f"{r['serve_peak']:,.0f} |")


if __name__ == "__main__":
    main()
