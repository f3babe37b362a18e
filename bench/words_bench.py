"""What the word view costs and how fast words mode answers: the same synthetic corpus built twice in one run —
with the word view (today's layout 10: exact view + words + word statistics) and exact-only (the same code with
the words and wordstats fields left out of the schema and the documents, i.e. layout 9's content) — then the
same phrases searched in exact mode on both and in words mode on the full index.

    python -m bench.words_bench --sizes 1000,10000

Build: wall and CPU seconds (worker processes included), index size.  Queries: bench.search_bench's phrases plus
phrases of several words that are not one string in the reports (WORD_PHRASES), each cold then with a province
and a year-range filter; every search computes all facets (主题词 included) and renders 20 results' snippets.
"First search" is the first search after opening the index (tables, and for words mode jieba's dictionary and
the keyword table, are read then).  Everything is written under bench/out/.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from pathlib import Path

from bench.search_bench import OUT, PHRASES, WARMUP, build_ours as build, generate, load, pct, query_plan

WORD_PHRASES = ["政务新媒体建设情况", "依申请公开答复期限", "政府网站集约化", "政策解读回应关切", "行政复议纠错",
                "信息公开申请办理", "主动公开政府文件"]


def exact_only(monkeypatch_target) -> None:
    """Leave the word view out of the schema and the documents (the exact-only index of the same code)."""
    import indexer.engine.index as index

    build, document = index.build_schema, index.report_document

    def schema():
        s = build()
        s.remove("words")
        s.remove("wordstats")
        return s

    def doc(report, version=None):
        d = document(report, version)
        d.pop("words", None)
        d.pop("wordstats", None)
        return d

    monkeypatch_target["restore"] = (build, document)
    index.build_schema, index.report_document = schema, doc


def restore(saved) -> None:
    import indexer.engine.index as index

    index.build_schema, index.report_document = saved["restore"]


def time_queries(path: Path, plan, mode: str) -> dict:
    from indexer.engine.index import SearchIndex

    ix = SearchIndex(path, readonly=True)
    t0 = time.perf_counter()
    ix.search(f'"{WARMUP[0]}"', limit=20, mode=mode)  # the first search: opens the generation
    first = (time.perf_counter() - t0) * 1000
    for q in WARMUP[1:]:
        ix.search(f'"{q}"', limit=20, mode=mode)
    cold, warm, totals = [], [], {}
    for q, filters, is_cold in plan:
        t0 = time.perf_counter()
        res = ix.search(f'"{q}"', filters=filters, limit=20, mode=mode)
        (cold if is_cold else warm).append((time.perf_counter() - t0) * 1000)
        if filters is None:
            totals[q] = res["total"]
    ix.close()
    both = cold + warm
    return {"first": first, "cold": (pct(cold, 50), pct(cold, 95)), "all": (pct(both, 50), pct(both, 95)),
            "totals": totals}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}  load average at start: {os.getloadavg()[0]:.1f}")
    import bench.search_bench as sb

    sb.PHRASES = PHRASES + WORD_PHRASES  # query_plan reads it
    rows = []
    for n in map(int, args.sizes.split(",")):
        reports = load(generate(n))
        plan = query_plan(reports, random.Random(7))
        print(f"\n=== {n} synthetic reports ===")
        full = build(reports, OUT / f"ix-words-{n}")
        print(f"with word view: build {full['wall']:.1f} s wall, {full['cpu']:.1f} s CPU, index {full['size'] / 1e6:.0f} MB")
        saved: dict = {}
        exact_only(saved)
        try:
            bare = build(reports, OUT / f"ix-exact-{n}")
        finally:
            restore(saved)
        print(f"exact only:     build {bare['wall']:.1f} s wall, {bare['cpu']:.1f} s CPU, index {bare['size'] / 1e6:.0f} MB")
        print(f"word view adds: {full['wall'] / bare['wall'] - 1:+.0%} wall, {full['cpu'] / bare['cpu'] - 1:+.0%} CPU,"
              f" {full['size'] / bare['size'] - 1:+.0%} size;  load average {os.getloadavg()[0]:.1f}")
        del reports
        gc.collect()
        gc.freeze()
        times = {"exact on exact-only": time_queries(OUT / f"ix-exact-{n}", plan, "exact"),
                 "exact with word view": time_queries(OUT / f"ix-words-{n}", plan, "exact"),
                 "words mode": time_queries(OUT / f"ix-words-{n}", plan, "words")}
        for name, t in times.items():
            print(f"{name:21s} first search {t['first']:7.1f} ms | cold p50 {t['cold'][0]:6.1f} p95 {t['cold'][1]:6.1f}"
                  f" | all p50 {t['all'][0]:6.1f} p95 {t['all'][1]:6.1f} ms")
        print("reports found (exact / words): " + "  ".join(
            f"{q}:{times['exact with word view']['totals'][q]}/{times['words mode']['totals'][q]}"
            for q in PHRASES + WORD_PHRASES))
        print(f"load average now: {os.getloadavg()[0]:.1f}")
        rows.append((n, full, bare, times))
    print("\n reports | build exact-only → with words (wall s) | index MB | exact p50/p95 (exact-only idx) |"
          " exact p50/p95 (words idx) | words p50/p95")
    for n, full, bare, t in rows:
        e, w, m = t["exact on exact-only"]["all"], t["exact with word view"]["all"], t["words mode"]["all"]
        print(f" {n:7d} | {bare['wall']:7.1f} → {full['wall']:7.1f} | {bare['size'] / 1e6:6.0f} → {full['size'] / 1e6:6.0f}"
              f" | {e[0]:6.1f} / {e[1]:6.1f} | {w[0]:6.1f} / {w[1]:6.1f} | {m[0]:6.1f} / {m[1]:6.1f}")


if __name__ == "__main__":
    main()
