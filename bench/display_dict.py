"""Train the zstd dictionary the index compresses display text with (indexer/engine/display.dict).

    python -m bench.display_dict              # writes indexer/engine/display.dict from samples/
    python -m bench.display_dict --check      # cross-validated ratios: trained on half the samples, measured on
                                              # the other half (and the reverse), beside zlib per section

Section texts of the bundled real reports (samples/, read and parsed as `nianbao add` does): the wording every
report of the national template shares — headings, table labels, the standard sentences — is what a dictionary
lets each small section refer to instead of spelling out.  The dictionary is part of the index layout
(schema.SCHEMA_VERSION carries its digest): retraining it rebuilds indexes.
"""

from __future__ import annotations

import argparse
import zlib
from pathlib import Path

import zstandard as zstd

from indexer.engine.display import DICTIONARY_PATH, LEVEL
from indexer.parse.pipeline import parse_document
from indexer.read.dispatch import read_file

ROOT = Path(__file__).resolve().parent.parent
SIZE = 64 * 1024


def sample_sections(root: Path = ROOT / "samples") -> list[list[bytes]]:
    """Each sample report's section texts (as the display column holds them), one list per report."""
    out, seen = [], set()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".html", ".pdf")):
        try:
            report = parse_document(read_file(path))
        except Exception as e:  # a sample the readers refuse: say so, train on the rest
            print(f"skipped {path.name}: {e}")
            continue
        if not report.is_report or report.id in seen:
            continue
        seen.add(report.id)
        out.append([(s.text or "").encode("utf-8") for s in report.sections])
    return out


def train(reports: list[list[bytes]], size: int = SIZE) -> zstd.ZstdCompressionDict:
    return zstd.train_dictionary(size, [s for r in reports for s in r if s])


def ratios(dictionary: zstd.ZstdCompressionDict, reports: list[list[bytes]]) -> tuple[float, float]:
    sections = [s for r in reports for s in r if s]
    total = sum(map(len, sections))
    c = zstd.ZstdCompressor(level=LEVEL, dict_data=dictionary)
    return (sum(len(c.compress(s)) for s in sections) / total,
            sum(len(zlib.compress(s, 6)) for s in sections) / total)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    reports = sample_sections()
    if args.check:
        half = len(reports) // 2
        for a, b in ((reports[:half], reports[half:]), (reports[half:], reports[:half])):
            z, zl = ratios(train(a), b)
            print(f"trained on {len(a)} reports, measured on {len(b)} others: zstd+dictionary {z:.3f} of the text, "
                  f"zlib per section {zl:.3f}")
        return
    d = train(reports)
    DICTIONARY_PATH.write_bytes(d.as_bytes())
    print(f"{DICTIONARY_PATH}: {len(d.as_bytes())} bytes from {len(reports)} reports")


if __name__ == "__main__":
    main()
