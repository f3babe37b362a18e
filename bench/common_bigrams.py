"""The commonest bigrams of the sample reports' text: the list analysis.COMMON_BIGRAMS is made from.

    python -m bench.common_bigrams [--top 16] [samples]

The exact view also indexes the trigrams that begin or end with one of these (see analysis.py), so that phrases
made of them — 政府信息公开, 主动公开政府信息, 依申请公开 — are checked with trigrams that occur far less often
than their bigrams.  The list is part of the index layout (schema.SCHEMA_VERSION includes its digest): an index
built with another list is rebuilt on the next sync.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from indexer.engine.index import section_match_text
from indexer.library import iter_report_files
from indexer.normalize import normalize
from indexer.parse import parse_document
from indexer.read import read_file


def bigram_counts(paths: list[Path]) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for path in paths:
        report = parse_document(read_file(path))
        texts = [normalize(report.title or "")] + [section_match_text(s.number, s.heading, s.text)
                                                  for s in report.sections]
        for text in texts:
            counts.update(text[i:i + 2] for i in range(len(text) - 1))
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["samples"])
    ap.add_argument("--top", type=int, default=16)
    args = ap.parse_args()
    paths = list(iter_report_files(args.paths))
    counts = bigram_counts(paths)
    total = sum(counts.values())
    # no bigram with whitespace: a newline joins a heading to its body, and spaces only separate Latin words and
    # numbers (normalize.py), rare in queries but common in tables ("0 0"), where trigrams would cost the most
    top = [(g, n) for g, n in counts.most_common() if not any(c.isspace() for c in g)][:args.top]
    print(f"{len(paths)} files, {total} bigram positions; the top {len(top)} hold "
          f"{sum(n for _, n in top) / total:.1%} of them:")
    print(" ".join(g for g, _ in top))


if __name__ == "__main__":
    main()
