"""Shared helpers of the table tests: documents of the sample reports, with real cell structure where the file has it.

Uses indexer.read.read_file when it can read the file; otherwise builds the Table objects directly (lxml for HTML,
pdfplumber for PDF), as a reader would.
"""

from __future__ import annotations

import json
from pathlib import Path

from indexer.model import Cell, Document, Table
from indexer.parse.tables.grid import table_from_rows, tables_text

ROOT = Path(__file__).resolve().parents[2]
LABELS = {**json.loads((ROOT / "tests/labels/labels-seeds.json").read_text("utf-8")),
          **json.loads((ROOT / "tests/labels/labels-real.json").read_text("utf-8"))}
PDF_OF = {"jiangsu-017.txt": "017_szfgs2024.pdf", "jiangsu-018.txt": "018_hzq2023_working.pdf",
          "jiangsu-019.txt": "019_hzq2024_working.pdf"}


def sample_path(name: str) -> Path:
    for d in ("samples/seeds", "samples/real"):
        if (ROOT / d / name).exists():
            return ROOT / d / name
    raise FileNotFoundError(name)


def _via_reader(path: Path) -> Document | None:
    try:
        from indexer.read import read_file
        doc = read_file(path)
    except Exception:
        return None
    return doc if doc.tables else None


def html_document(path: Path) -> Document:
    doc = _via_reader(path)
    if doc is not None:
        return doc
    from lxml import html

    root = html.fromstring(path.read_text("utf-8"))
    tables = []
    for tb in root.iter("table"):
        rows = []
        for tr in tb.iter("tr"):
            rows.append([Cell(td.text_content().replace("\xa0", " ").strip(), int(td.get("rowspan", 1)),
                              int(td.get("colspan", 1))) for td in tr if td.tag in ("td", "th")])
        tables.append(Table(rows))
    text = root.text_content()
    return Document(text=text + "\n" + tables_text(tables), source=str(path), format="html", tables=tables)


def pdf_document(path: Path) -> Document:
    doc = _via_reader(path)
    if doc is not None:
        return doc
    import pdfplumber

    tables = []
    texts = []
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            texts.append(page.extract_text() or "")
            for rows in page.extract_tables():
                tables.append(table_from_rows(rows, n))
    return Document(text="\n".join(texts), source=str(path), format="pdf", tables=tables)


def text_document(path: Path) -> Document:
    return Document(text=path.read_text("utf-8"), source=str(path), format="txt")


def document_for(name: str) -> Document:
    """The best document for a labelled report: the PDF original for pdfminer-text samples."""
    if name in PDF_OF:
        return pdf_document(ROOT / "samples/real/raw" / PDF_OF[name])
    path = sample_path(name)
    if path.suffix == ".html":
        return html_document(path)
    return text_document(path)
