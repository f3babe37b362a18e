"""Train the zstd dictionary the index compresses its word statistics with (indexer/engine/wordstats.dict).

    python -m bench.wordstats_dict              # writes indexer/engine/wordstats.dict from samples/
    python -m bench.wordstats_dict --check      # cross-validated sizes: trained on half the samples, measured on
                                                # the other half (and the reverse), beside JSON and no dictionary

The column value of a report (keywords.encode_stats) is two small frames, its top words and its sections' top
words: too short for zstd to find repeats within, but the template's words (公开, 申请, 政府信息, …) recur in
every report, and the dictionary holds them.  Part of the index layout (schema.SCHEMA_VERSION carries its digest):
retraining it rebuilds indexes.
"""

from __future__ import annotations

import argparse
import json

import zstandard as zstd

from indexer.engine.keywords import DICTIONARY_PATH, head_bytes, sections_bytes, slot_stats

SIZE = 8 * 1024  # 16 and 32 KB saved 1–3 % more on the synthetic reports, nothing on the real ones


def sample_stats() -> list[dict]:
    """keywords.slot_stats of each bundled real report, as the index computes it."""
    from bench.display_dict import ROOT
    from indexer.engine.index import report_document
    from indexer.parse.pipeline import parse_document
    from indexer.read.dispatch import read_file

    out, seen = [], set()
    for path in sorted(p for p in (ROOT / "samples").rglob("*")
                       if p.is_file() and p.suffix.lower() in (".txt", ".html", ".pdf")):
        try:
            report = parse_document(read_file(path))
        except Exception as e:  # a sample the readers refuse: say so, train on the rest
            print(f"skipped {path.name}: {e}")
            continue
        if not report.is_report or report.id in seen:
            continue
        seen.add(report.id)
        out.append(slot_stats(report_document(report)["wordstats"]))
    return out


def train(stats: list[dict], size: int = SIZE) -> zstd.ZstdCompressionDict:
    return zstd.train_dictionary(size, [head_bytes(s) for s in stats] + [sections_bytes(s) for s in stats])


def sizes(stats: list[dict], dictionary: zstd.ZstdCompressionDict | None) -> float:
    """Bytes per report of the two frames."""
    c = zstd.ZstdCompressor(level=3, dict_data=dictionary) if dictionary else zstd.ZstdCompressor(level=3)
    return sum(len(c.compress(head_bytes(s))) + len(c.compress(sections_bytes(s))) for s in stats) / len(stats)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    stats = sample_stats()
    if args.check:
        half = len(stats) // 2
        dump = lambda x: json.dumps(x, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
        for a, b in ((stats[:half], stats[half:]), (stats[half:], stats[:half])):
            js = sum(len(dump(s).encode("utf-8")) for s in b) / len(b)
            print(f"trained on {len(a)} reports, measured on {len(b)} others: {sizes(b, train(a)):.0f} bytes a report "
                  f"(no dictionary {sizes(b, None):.0f}, JSON {js:.0f})")
        return
    d = train(stats)
    DICTIONARY_PATH.write_bytes(d.as_bytes())
    print(f"{DICTIONARY_PATH}: {len(d.as_bytes())} bytes from {len(stats)} reports")


if __name__ == "__main__":
    main()
