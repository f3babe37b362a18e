"""Do the exact view's extras pay for themselves?  Index size and first-search time with the common-bigram list cut
(issue 12: "trigram and per-slot extras only where they pay for themselves — measure each choice").

    python -m bench.gram_choices --n 10000 --common 64,16,0

The exact view always holds every bigram at its position and every character's slots.  On top, for the commonest
bigrams (analysis.COMMON_BIGRAMS, the top 64 of the samples) it holds the trigrams that begin or end with one
(``exact3``) and each one's slots (``exact2s``).  Each variant keeps the first K of that list (0: neither extra),
builds the same synthetic set (bench/synth.py) in its own process, and times search_bench's 42 searches with the
phrase and term caches cleared before each (first search) and as they stand (warm).  Printed: index MB by field,
× the text, build CPU, first and warm p50/p95, and the phrases whose first search is slowest.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.growth import _cpu, _reports, plan
from bench.search_bench import WARMUP, pct
from bench.synth import OUT, generate


def _use_common(k: int) -> None:
    """Keep the first k common bigrams, in every module that read the list at import."""
    import numpy as np

    from indexer.engine import analysis, matching

    common = analysis.COMMON_BIGRAMS[:k]
    analysis.COMMON_BIGRAMS = matching.COMMON_BIGRAMS = common
    analysis._COMMON_SET = frozenset(common)
    analysis._COMMON_CODES = np.asarray(sorted(analysis.ExactBigramField.code(g) for g in common), dtype=np.uint64)


def field_sizes(gen: Path) -> dict[str, float]:
    """MB of postings per field (from the term infos' offsets in each segment's .pst) and of the other files."""
    from whoosh import index as wix

    reader = wix.open_dir(str(gen)).reader()
    sizes: collections.Counter = collections.Counter()
    for sub, _ in reader.leaf_readers():
        offsets = []
        for field in sub.indexed_field_names():
            for term in sub.lexicon(field):
                info = sub.term_info(field, term)
                if not info.is_inlined():
                    offsets.append((info._offset, field))
        pst = next(f for f in gen.iterdir() if f.suffix == ".pst" and sub._segment.segment_id() in f.name)
        offsets.sort()
        for (at, field), (nxt, _) in zip(offsets, offsets[1:] + [(pst.stat().st_size, None)]):
            sizes["postings " + field] += nxt - at
    reader.close()
    for f in gen.iterdir():
        if f.suffix == ".trm":
            sizes["term dictionaries"] += f.stat().st_size
        elif f.suffix == ".col":
            name = f.name.split(".", 1)[1][:-4]
            sizes["column " + ("f_*" if name.startswith("f_") else name)] += f.stat().st_size
    return {k: v / 1e6 for k, v in sizes.items()}


def run_variant(n: int, k: int, path: Path) -> dict:
    _use_common(k)
    from indexer.engine.index import SearchIndex

    reports = _reports(n)
    shutil.rmtree(path, ignore_errors=True)
    c0 = _cpu()
    with SearchIndex(path) as ix:
        for i in range(0, n, 1000):
            ix.update(reports[i:i + 1000], workers=1)  # one process: the patched list is this process's
    build_cpu = _cpu() - c0
    gen = sorted(p for p in path.iterdir() if p.name.startswith("gen-"))[-1]
    sizes = field_sizes(gen)
    ix = SearchIndex(path, readonly=True)
    ix.search("")
    for q in WARMUP:
        ix.search(f'"{q}"', limit=20)
    searches = plan(n)
    first, warm, totals = [], [], {}
    for q, filters in searches:
        ix.snapshot().clear_caches()
        t0 = time.perf_counter()
        total = ix.search(f'"{q}"', filters=filters, limit=20)["total"]
        first.append(((time.perf_counter() - t0) * 1000, q, bool(filters)))
        if filters is None:
            totals[q] = total
    for q, filters in searches:
        t0 = time.perf_counter()
        ix.search(f'"{q}"', filters=filters, limit=20)
        warm.append((time.perf_counter() - t0) * 1000)
    return {"k": k, "build_cpu": build_cpu, "sizes": sizes, "first": first, "warm": warm, "totals": totals,
            "segments": len(list(gen.glob("*.pst")))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--common", default="64,16,0", help="list lengths to try, comma-separated")
    ap.add_argument("--variant", type=int, help=argparse.SUPPRESS)  # the child process of one variant
    args = ap.parse_args()
    if args.variant is not None:
        print(json.dumps(run_variant(args.n, args.variant, OUT / f"grams-{args.variant}-{args.n}")))
        return
    generate(args.n)
    text_mb = sum(len((r.title or "").encode()) + len(r.text.encode()) for r in _reports(args.n)) / 1e6
    results = []
    for k in [int(x) for x in args.common.split(",")]:
        out = subprocess.run([sys.executable, "-m", "bench.gram_choices", "--n", str(args.n), "--variant", str(k)],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        shutil.rmtree(OUT / f"grams-{k}-{args.n}", ignore_errors=True)
    base = results[0]["totals"]
    print(f"{args.n} reports, text {text_mb:.1f} MB")
    for r in results:
        total = sum(r["sizes"].values())
        first = [t for t, _q, _f in r["first"]]
        print(f"\ncommon bigrams {r['k']}: index {total:.1f} MB = {total / text_mb:.2f}× text, "
              f"{r['segments']} segments, build CPU {r['build_cpu']:.0f} s")
        print("  " + ", ".join(f"{name} {mb:.1f}" for name, mb in sorted(r["sizes"].items(), key=lambda x: -x[1])
                               if mb >= 0.1))
        print(f"  first search p50 {pct(first, 50):.1f} p95 {pct(first, 95):.1f} ms | "
              f"warm p50 {pct(r['warm'], 50):.1f} p95 {pct(r['warm'], 95):.1f} ms")
        slow = sorted(r["first"], reverse=True)[:4]
        print("  slowest first searches: " + ", ".join(f"{q}{'+filter' if f else ''} {t:.0f} ms" for t, q, f in slow))
        if r["totals"] != base:
            print("  MATCHING REPORTS DIFFER from the first variant:", {q: (base.get(q), v) for q, v in
                                                                  r["totals"].items() if base.get(q) != v})
    print("\nmatching reports equal in every variant" if all(r["totals"] == base for r in results) else "")


if __name__ == "__main__":
    main()
