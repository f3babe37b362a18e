"""OCR engines on the real report PDFs: character error rate and pages/s against the PDFs' own text layer.

Each page of each PDF is rendered to an image (pypdfium2, the scale indexer.read.ocr uses) and read by every engine
through indexer.read.ocr (same layout step for all); the reference is PDFium's text layer of the same page.
CER = edit distance / reference length, after NFKC and removing whitespace (layout is not what we compare);
digit CER = the same over the digits alone (what the statistics tables need).

    apt-get install tesseract-ocr tesseract-ocr-chi-sim    # the comparison engine only (not a dependency)
    .venv/bin/python bench/ocr_engines.py [PDF_DIR] [--engines rapidocr,tesseract]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.read import ocr  # noqa: E402


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf_dir", nargs="?", default="/work/shared/corpus/real/raw")
    ap.add_argument("--engines", default="rapidocr,tesseract")
    args = ap.parse_args()
    import pypdfium2 as pdfium

    engines = args.engines.split(",")
    pages = []  # (file, page number, reference text, image)
    for path in sorted(Path(args.pdf_dir).glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            pages.append((path.name, i + 1, tp.get_text_range(), ocr.render_page(page)))
            tp.close()
            page.close()
    print(f"{len(pages)} pages from {args.pdf_dir}, rendered at scale {ocr.RENDER_SCALE}; "
          f"load average {os.getloadavg()[0]:.2f}")
    for engine in engines:
        t0 = time.perf_counter()
        try:
            ocr.recognise(pages[0][3], engine)  # model loading / first call, reported apart
        except ocr.OcrUnavailable as e:
            print(f"{engine:10s} skipped: {e}")
            continue
        first = time.perf_counter() - t0
        errors = chars = derr = dchars = 0
        elapsed = 0.0
        for name, number, ref, image in pages:
            t = time.perf_counter()
            got = "\n".join(ocr.layout_lines(ocr.recognise(image, engine)))
            elapsed += time.perf_counter() - t
            r, g = normalise(ref), normalise(got)
            errors += edit_distance(r, g)
            chars += len(r)
            rd, gd = "".join(c for c in r if c.isdigit()), "".join(c for c in g if c.isdigit())
            derr += edit_distance(rd, gd)
            dchars += len(rd)
        print(f"{engine:10s} CER {errors / chars:6.2%}  digit CER {derr / dchars:6.2%}  "
              f"{len(pages) / elapsed:5.2f} pages/s ({elapsed:.1f} s)  first call {first:.1f} s  "
              f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
