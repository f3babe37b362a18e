"""Which PDF library should nianbao read reports with?  Speed and table fidelity on the bundled real PDFs.

    python bench/pdf_libraries.py [--runs 3]

For each engine and each of samples/real/raw/*.pdf: best-of-N wall time, phrase recall (the label file's
'phrases' found in the whitespace-free text), and table fidelity against tests/labels/labels-real.json: every
statistics-table row the labels give (二 active.*, 三 apply.*, 四 review/litigation) is looked for as a row of
cells whose numbers, in order, end with the labelled values —
  * "cells": in the engine's Table objects (real cell structure), and
  * "lines": in the text, one line split at whitespace (what a text-only engine offers).
Engines: pdfminer.six via pdfplumber (text; tables with default settings; tables from visible rules only), pypdfium2
(text), PyMuPDF (text; find_tables) — AGPL-3.0, measured for comparison only — and nianbao's own reader
(indexer.read.pdf: PDFium text + pdfplumber's lattice on PDFium's ruling lines).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RAW = ROOT / "samples" / "real" / "raw"
LABELS = ROOT / "tests" / "labels" / "labels-real.json"
LABEL_OF = {"017": "jiangsu-017.txt", "018": "jiangsu-018.txt", "019": "jiangsu-019.txt"}
APPLY_ORDER = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
REVIEW_ORDER = tuple(f"{g}.{k}" for g in ("review", "litigation.direct", "litigation.after_review")
                     for k in ("upheld", "corrected", "other", "pending", "total"))
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


# ---------------------------------------------------------------------------------------------------------------
# Engines: bytes → (text, tables as lists of rows of cell strings)


def pdfplumber_text(data):
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages), None


def pdfplumber_tables(data, visible_only=False):
    import pdfplumber

    def visible(obj):
        if obj.get("object_type") == "rect":
            if obj.get("stroke") and not _white(obj.get("stroking_color")):
                return True
            return bool(obj.get("fill")) and min(obj["width"], obj["height"]) < 3 and not _white(
                obj.get("non_stroking_color"))
        return True

    tables = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page = page.filter(visible) if visible_only else page
            for t in page.extract_tables():
                tables.append([[c or "" for c in row] for row in t])
    return "", tables


def _white(color) -> bool:
    if not isinstance(color, (tuple, list)) or not color or not all(isinstance(v, (int, float)) for v in color):
        return False
    return max(color) <= 0.05 if len(color) == 4 else min(color) >= 0.95


def pdfium_text(data):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))), None
    finally:
        pdf.close()


def pymupdf_text(data):
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return "\n".join(page.get_text() for page in doc), None


def pymupdf_tables(data):
    import pymupdf

    tables = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            for t in page.find_tables().tables:
                tables.append([[c or "" for c in row] for row in t.extract()])
    return "", tables


def nianbao_reader(data):
    from indexer.read.pdf import read_pdf

    doc = read_pdf(data, "bench.pdf")
    return doc.text, [[[c.text for c in row] for row in t.rows] for t in doc.tables]


ENGINES = {
    "pdfminer text (pdfplumber.extract_text)": pdfplumber_text,
    "pdfplumber tables, default": pdfplumber_tables,
    "pdfplumber tables, visible rules": lambda d: pdfplumber_tables(d, visible_only=True),
    "pypdfium2 text": pdfium_text,
    "PyMuPDF text [AGPL]": pymupdf_text,
    "PyMuPDF find_tables [AGPL]": pymupdf_tables,
    "nianbao pdf_reader (pdfium + lattice)": nianbao_reader,
}


# ---------------------------------------------------------------------------------------------------------------
# Expected table rows from the labels


def expected_rows(fields: dict) -> list[tuple[str, list[float]]]:
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for key, value in fields.items():
        if key.startswith(("apply.", "active.")):
            prefix, last = key.rsplit(".", 1)
            groups[prefix][last] = value
    rows = []
    for prefix, values in groups.items():
        if prefix.startswith("apply."):
            if all(k in values for k in APPLY_ORDER):
                rows.append((prefix, [float(values[k]) for k in APPLY_ORDER]))
        else:
            rows.append((prefix, [float(v) for v in values.values()]))
    if all(k in fields for k in REVIEW_ORDER):
        rows.append(("review+litigation", [float(fields[k]) for k in REVIEW_ORDER]))
    return rows


def numbers(cells: list[str]) -> list[float]:
    out = []
    for c in cells:
        c = c.strip().replace(",", "")
        if _NUMBER.match(c):
            out.append(float(c))
    return out


def matched(expected: list[tuple[str, list[float]]], candidate_rows: list[list[float]]) -> int:
    n = 0
    for _key, values in expected:
        k = len(values)
        if any(len(r) >= k and r[-k:] == values for r in candidate_rows):
            n += 1
    return n


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    files = sorted(RAW.glob("*.pdf"))
    print(f"{'engine':42} {'file':28} {'ms':>7} {'phrases':>8} {'rows in cells':>14} {'rows in lines':>14}")
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0, 0, 0])
    for name, engine in ENGINES.items():
        try:
            engine(files[0].read_bytes())
        except ImportError as e:  # PyMuPDF is measured only where someone installed it (AGPL: not a dependency)
            print(f"{name[:42]:42} skipped: {e} (pip install pymupdf to compare)")
            continue
        for path in files:
            data = path.read_bytes()
            label = labels.get(LABEL_OF.get(path.name[:3], ""), {})
            expected = expected_rows(label.get("fields", {}))
            best = float("inf")
            text, tables = "", None
            for _ in range(args.runs):
                t0 = time.perf_counter()
                text, tables = engine(data)
                best = min(best, time.perf_counter() - t0)
            flat = re.sub(r"\s+", "", text)
            phrases = label.get("phrases", [])
            found = sum(1 for p in phrases if re.sub(r"\s+", "", p) in flat)
            cell_rows = [numbers(r) for t in (tables or []) for r in t]
            line_rows = [numbers(line.split()) for line in text.split("\n")]
            in_cells = matched(expected, cell_rows) if tables is not None else None
            in_lines = matched(expected, line_rows) if text else None
            fmt = lambda v: "–" if v is None else f"{v}/{len(expected)}"  # noqa: E731
            print(f"{name[:42]:42} {path.name[:28]:28} {best * 1000:7.0f} "
                  f"{(f'{found}/{len(phrases)}' if text else '–'):>8} {fmt(in_cells):>14} {fmt(in_lines):>14}")
            tot = totals[name]
            tot[0] += best
            tot[1] += in_cells or 0
            tot[2] += in_lines or 0
            tot[3] += len(expected)
            tot[4] += found
    print()
    print(f"{'engine (all files)':42} {'total ms':>9} {'rows in cells':>14} {'rows in lines':>14} {'phrases':>8}")
    for name, (secs, cells, lines, n, found) in totals.items():
        print(f"{name[:42]:42} {secs * 1000:9.0f} {cells:>8}/{n:<5} {lines:>8}/{n:<5} {found:>8}")


if __name__ == "__main__":
    main()
