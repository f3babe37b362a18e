"""A web page whose statistics tables are partly <table> markup and partly pictures (OCR'd): the figures of the
markup are no OCR reading and stay, whatever the pictures gave; only what was read from the (OCR'd) text must be
confirmed by a table rule (issue 11: "A page's image tables fill in the fields the HTML lacks")."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer.parse import parse_document
from indexer.read import read_file

ROOT = Path(__file__).resolve().parents[2]


def test_fields_of_table_markup_survive_an_ocr_d_picture_on_the_page():
    doc = read_file(ROOT / "samples" / "real" / "shanghai-020.html")  # all its tables are <table> markup
    assert doc.tables
    plain = parse_document(doc)
    # the same page as if it also showed a picture the OCR read (read.ocr.add_page_images marks the page so)
    pictured = parse_document(replace(doc, meta={**doc.meta, "ocr": "rapidocr", "ocr_images": "1"}))
    assert len(plain.fields) > 150
    assert pictured.fields == plain.fields
    assert not any(w.code == "table.ocr_unverified" for w in pictured.warnings)
