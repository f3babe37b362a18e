"""Scanned copies of the real report PDFs against their text versions: same metadata and sections, and table fields
that match or are left out (0 wrong).  Each PDF's pages are rendered to images and rebuilt as an image-only PDF
(tests/scans.py), which nianbao then reads by OCR.

    .venv/bin/python bench/scanned_reports.py [PDF_DIR]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from indexer.parse import parse_document  # noqa: E402
from indexer.read import read_bytes  # noqa: E402
from scans import scanned_copy  # noqa: E402

META = ("title", "issuer", "province", "city", "county", "township", "level", "body_type", "year", "published",
        "template")


def main() -> None:
    pdf_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/real/raw")
    totals = {"printed": 0, "read": 0, "wrong": 0}
    for path in sorted(pdf_dir.glob("*.pdf")):
        data = path.read_bytes()
        text = parse_document(read_bytes(data, path.name))
        t = time.perf_counter()
        scan = parse_document(read_bytes(scanned_copy(data), path.name))
        seconds = time.perf_counter() - t
        meta = [k for k in META if getattr(text, k) != getattr(scan, k)]
        sections = [(s.canonical, s.heading) for s in text.sections] != [(s.canonical, s.heading)
                                                                          for s in scan.sections]
        wrong = sorted(k for k, v in scan.fields.items() if k not in text.fields or text.fields[k] != v)
        totals["printed"] += len(text.fields)
        totals["read"] += len(scan.fields) - len(wrong)
        totals["wrong"] += len(wrong)
        print(f"{path.name}: {seconds:.0f} s; metadata differs: {meta or 'none'}; sections differ: "
              f"{'yes' if sections else 'no'}; fields {len(scan.fields)}/{len(text.fields)} read, wrong: "
              f"{wrong or 'none'}; OCR warning: {any(w.code == 'read.ocr' for w in scan.warnings)}")
    print(f"all: {totals['read']}/{totals['printed']} fields read, {totals['wrong']} wrong; "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
