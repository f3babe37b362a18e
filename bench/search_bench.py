"""Indexing and query benchmark: nianbao's index vs stock Whoosh + jieba ChineseAnalyzer vs a brute-force grep.

    python -m bench.search_bench --sizes 1000,10000 --stock-max 1000

For each size N the synthetic corpus (bench/synth.py, under bench/out/) is built into
* ours:  indexer.engine.index.SearchIndex (update() in batches of 1000, both cores),
* stock: one Whoosh document per report, TEXT(analyzer=ChineseAnalyzer()), default writer — built on at most
         --stock-max reports because it is slow (its reports/s does not depend on N much; the size is printed),
* grep:  `grep -rlF PHRASE dir` over one text file per report (title + full text).
Queries: phrases from rare to common, each run as typed (cold: first time this phrase is seen), then with a
province facet and a year-range filter (facet clicks); before them, untimed, a few other phrases (WARMUP).  Ours
returns facets (8 facet lists) with every search; stock runs a phrase query with groupedby province and year.  Latencies in ms; CPU seconds of indexing include the
worker processes.  Everything is written under bench/out/.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.synth import OUT, generate, load
from indexer.model import Report

# searched (untimed) before the timed ones, so that those are timed in a process that has served searches
# before, as a server has: the first searches of a fresh process pay for growing its heap (page faults on new
# memory, 2-2.5x the time of the same search later).  None shares a bigram with a timed phrase, so nothing a
# timed search reads (leaves, term entries) is looked up here first.
WARMUP = ["工作要点", "年度报告", "人民群众", "依法", "网站", "统计", "社会", "办理", "工作情况", "推进", "部门"]
PHRASES = ["政务新媒体", "信息处理费", "行政复议", "依申请公开", "政府信息公开", "一网通办", "放管服", "不予公开",
           "政策解读", "12345", "主动公开政府信息", "申请人", "收费", "公开"]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def build_ours(reports: list[Report], path: Path) -> dict:
    from indexer.engine.index import SearchIndex

    shutil.rmtree(path, ignore_errors=True)
    ix = SearchIndex(path)
    c0, t0 = cpu_seconds(), time.perf_counter()
    for i in range(0, len(reports), 1000):
        ix.update(reports[i:i + 1000], workers=2)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    size = du(path / ix.current_generation())
    ix.close()
    return {"reports": len(reports), "wall": wall, "cpu": cpu, "size": size}


def build_stock(reports: list[Report], path: Path) -> dict:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    schema = fields.Schema(id=fields.ID(stored=True), province=fields.ID(sortable=True),
                           year=fields.NUMERIC(int, sortable=True),
                           content=fields.TEXT(analyzer=ChineseAnalyzer()))
    ix = index.create_in(str(path), schema)
    c0, t0 = cpu_seconds(), time.perf_counter()
    w = ix.writer()
    for r in reports:
        w.add_document(id=r.id, province=r.province or "", year=r.year or 0, content=f"{r.title}\n{r.text}")
    w.commit()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {"reports": len(reports), "wall": wall, "cpu": cpu, "size": du(path)}


def query_plan(reports: list[Report], rng: random.Random) -> list[tuple[str, dict | None, bool]]:
    """(phrase, filters, cold) triples: each phrase as typed, then two facet clicks."""
    provinces = sorted({r.province for r in reports if r.province})
    plan = []
    for q in PHRASES:
        plan.append((q, None, True))
        plan.append((q, {"province": [rng.choice(provinces)[:2]]}, False))
        plan.append((q, {"year": ["2019-2021"]}, False))
    return plan


def time_ours(path: Path, plan) -> tuple[list[float], list[float], dict[str, int]]:
    from indexer.engine.index import SearchIndex

    ix = SearchIndex(path, readonly=True)
    ix.search("")  # open the generation (reading its tables) outside the timing
    for q in WARMUP:
        ix.search(f'"{q}"', limit=20)
    cold, warm, cpu, totals = [], [], [], {}
    for q, filters, is_cold in plan:
        c0, t0 = time.process_time(), time.perf_counter()
        res = ix.search(f'"{q}"', filters=filters, limit=20)
        ms = (time.perf_counter() - t0) * 1000
        cpu.append((time.process_time() - c0) * 1000)
        (cold if is_cold else warm).append(ms)
        if filters is None:
            totals[q] = res["total"]
    ix.close()
    return cold, warm, cpu, totals


def time_stock(path: Path, plan) -> tuple[list[float], dict[str, int]]:
    from whoosh import index, query, sorting

    ix = index.open_dir(str(path))
    times, totals = [], {}
    with ix.searcher() as s:
        for q, filters, _ in plan:
            from jieba.analyse import ChineseAnalyzer

            words = [t.text for t in ChineseAnalyzer()(q)]
            wq = query.Phrase("content", words) if len(words) > 1 else query.Term("content", words[0])
            if filters and "province" in filters:
                wq = query.And([wq, query.Prefix("province", filters["province"][0])])
            if filters and "year" in filters:
                wq = query.And([wq, query.NumericRange("year", 2019, 2021)])
            t0 = time.perf_counter()
            res = s.search(wq, limit=20, groupedby=[sorting.FieldFacet("province"), sorting.FieldFacet("year")])
            res.groups("province")
            times.append((time.perf_counter() - t0) * 1000)
            if filters is None:
                totals[q] = len(res)
    return times, totals


def time_grep(txt_dir: Path, plan) -> tuple[list[float], dict[str, int]]:
    times, totals = [], {}
    for q, filters, is_cold in plan:
        if not is_cold:
            continue  # grep has no facets: one scan per phrase
        t0 = time.perf_counter()
        out = subprocess.run(["grep", "-rlF", q, str(txt_dir)], capture_output=True, text=True)
        times.append((time.perf_counter() - t0) * 1000)
        totals[q] = len(out.stdout.splitlines())
    return times, totals


def _table_row(n: int, b: dict, sb: dict, ours: str = "-", grep: str = "-", stock_query: str = "") -> str:
    """A line of the closing table: build figures, then query figures where they were measured."""
    return (f"{n:>7} | {b['wall']:7.1f} s | {b['reports'] / b['wall']:7.1f} | {b['size'] / 1e6:8.0f} MB |"
            f" {ours:>15} | {grep:>15} | {sb['reports'] / sb['wall']:5.1f} on {sb['reports']}{stock_query}")


def _same_layout(path: Path) -> bool:
    """Whether the index at ``path`` has the current layout (else --reuse rebuilds it)."""
    from indexer.engine.index import SearchIndex

    with SearchIndex(path, readonly=True) as ix:
        return ix.schema_current()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--stock-max", type=int, default=1000)
    ap.add_argument("--reuse", action="store_true", help="reuse indexes (and their build figures) of an earlier run")
    ap.add_argument("--build-only", action="store_true")
    args = ap.parse_args()
    rng = random.Random(7)
    stock_builds: dict[int, dict] = {}
    table: list[str] = []
    print(f"cores: {os.cpu_count()}  load average at start: {os.getloadavg()[0]:.1f} (other work shares the cores:"
          " wall times include waiting for a core; CPU times do not)")
    for n in map(int, args.sizes.split(",")):
        jsonl = generate(n)
        reports = load(jsonl)
        chars = statistics.mean(len(r.text) for r in reports)
        print(f"\n=== {n} synthetic reports, {chars:.0f} characters each on average ===")
        ours_path, stock_path = OUT / f"ix-ours-{n}", OUT / f"ix-stock-{min(n, args.stock_max)}"
        saved = OUT / f"build-ours-{n}.json"
        if args.reuse and saved.exists() and (ours_path / "CURRENT").exists() and _same_layout(ours_path):
            b = json.loads(saved.read_text())
        else:
            b = build_ours(reports, ours_path)
            saved.write_text(json.dumps(b))
        print(f"ours   build: {b['wall']:.1f} s wall, {b['cpu']:.1f} s CPU, {b['reports'] / b['wall']:.1f} reports/s,"
              f" index {b['size'] / 1e6:.0f} MB")
        m = min(n, args.stock_max)
        saved = OUT / f"build-stock-{m}.json"
        if m not in stock_builds and args.reuse and saved.exists():
            stock_builds[m] = json.loads(saved.read_text())
        if m not in stock_builds:  # the same stock index serves every larger size
            stock_builds[m] = build_stock(reports[:m], stock_path)
            saved.write_text(json.dumps(stock_builds[m]))
        sb = stock_builds[m]
        print(f"stock  build ({sb['reports']} reports): {sb['wall']:.1f} s wall, {sb['cpu']:.1f} s CPU,"
              f" {sb['reports'] / sb['wall']:.1f} reports/s, index {sb['size'] / 1e6:.0f} MB")
        print(f"indexing speed-up (reports/s): {(b['reports'] / b['wall']) / (sb['reports'] / sb['wall']):.1f}x")
        if args.build_only:
            table.append(_table_row(n, b, sb))
            continue
        plan = query_plan(reports, rng)
        # this process holds N Report objects (millions of Python objects) that a search server does not: keep
        # them out of the garbage collector's full scans, which otherwise land on a timed search (~120 ms at 10k)
        gc.collect()
        gc.freeze()
        cold, warm, cpu, ours_totals = time_ours(ours_path, plan)
        both = cold + warm
        print(f"ours   query: cold p50 {pct(cold, 50):.1f} ms p95 {pct(cold, 95):.1f} ms | with facet clicks "
              f"p50 {pct(both, 50):.1f} ms p95 {pct(both, 95):.1f} ms  (every search computes 8 facets)"
              f" | CPU time per search p50 {pct(cpu, 50):.1f} ms p95 {pct(cpu, 95):.1f} ms")
        st, stock_totals = time_stock(stock_path, plan)
        print(f"stock  query ({sb['reports']} reports): p50 {pct(st, 50):.1f} ms p95 {pct(st, 95):.1f} ms")
        gt, grep_totals = time_grep(OUT / f"synth-{n}-txt", plan)
        print(f"grep   scan: p50 {pct(gt, 50):.1f} ms p95 {pct(gt, 95):.1f} ms")
        print(f"load average now: {os.getloadavg()[0]:.1f}")
        print(f"ours vs grep: p50 {pct(gt, 50) / pct(both, 50):.0f}x faster, p95 {pct(gt, 95) / pct(both, 95):.0f}x")
        table.append(_table_row(n, b, sb, f"{pct(both, 50):6.1f} / {pct(both, 95):6.1f}",
                                f"{pct(gt, 50):6.1f} / {pct(gt, 95):6.1f}",
                                f", query {pct(st, 50):.0f} / {pct(st, 95):.0f}"))
        print("matching reports per phrase (ours / grep" + (f" / stock on {sb['reports']}" if sb else "") + "):")
        print("  " + "  ".join(f"{q}:{ours_totals[q]}/{grep_totals[q]}/{stock_totals.get(q, '-')}"
                               for q in PHRASES))

    print("\n reports |   build   | rep/s   |    index    | ours p50 / p95  | grep p50 / p95  | stock rep/s, query"
          " p50 / p95 (ms)")
    for line in table:
        print(line)


if __name__ == "__main__":
    main()
