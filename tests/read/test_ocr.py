"""Scans and images (issue 11, item 7): pages without a text layer are read by OCR (RapidOCR, offline), the report
says it was OCR'd, and a table figure OCR may have misread is left out unless the table's own rules confirm it.

OCR is slow (seconds a page on 2 shared cores): these tests OCR a few rendered pages of one real report; the whole
corpus is bench/scanned_reports.py's."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from indexer.model import ReadError
from indexer.parse import parse_document
from indexer.parse.tables.checks import verified_fields
from indexer.read import read_bytes

from scans import scanned_copy

pytest.importorskip("rapidocr_onnxruntime")

REAL = Path(__file__).resolve().parents[2] / "samples" / "real" / "raw"
PDF = REAL / "018_hzq2023_working.pdf"  # table 三 on page 3, table 四 on page 4


@pytest.fixture(scope="module")
def text_report():
    return parse_document(read_bytes(PDF.read_bytes(), PDF.name))


@pytest.fixture(scope="module")
def table_pages_scanned():
    """The report with its two statistics-table pages scanned (no text layer), the others as printed."""
    return read_bytes(scanned_copy(PDF.read_bytes(), pages=[3, 4]), PDF.name)


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_scanned_pages_are_read_by_ocr(table_pages_scanned, text_report):
    doc = table_pages_scanned
    assert doc.meta["ocr"] == "rapidocr" and doc.meta["ocr_pages"] == "3–4"
    report = parse_document(doc)
    assert any(w.code == "read.ocr" and "第3–4页" in w.message for w in report.warnings)
    for key in ("title", "issuer", "year", "published", "template", "province", "city", "county"):
        assert getattr(report, key) == getattr(text_report, key), key
    assert [s.canonical for s in report.sections] == [s.canonical for s in text_report.sections]
    assert "结转下年度继续办理" in _plain(doc.text)  # the table's labels became searchable text


def test_ocr_table_fields_match_or_are_left_out(table_pages_scanned, text_report):
    fields = parse_document(table_pages_scanned).fields
    wrong = {k: (v, text_report.fields.get(k)) for k, v in fields.items() if text_report.fields.get(k) != v}
    assert not wrong  # OCR merged rows 5–7 of （三） here and missed cells: those columns cannot be confirmed


def test_a_misread_figure_fails_its_checks(text_report):
    fields = {k: v for k, v in text_report.fields.items() if k.startswith("apply.")}
    assert verified_fields(fields) == set(fields)  # the printed table is consistent
    misread = dict(fields, **{"apply.new.natural_person": fields["apply.new.natural_person"] + 10})  # 3 → 8 etc.
    kept = verified_fields(misread)
    assert "apply.new.natural_person" not in kept and "apply.new.total" not in kept
    assert "apply.result.total.natural_person" not in kept  # its column no longer balances either
    assert "apply.result.public.natural_person" in kept  # row and result-sum rules still hold for it
    assert "apply.carried_over.commercial" in kept


def test_image_attachment(tmp_path):
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(PDF.read_bytes())[0]
    buf = io.BytesIO()
    page.render(scale=2).to_pil().crop((0, 0, 1190, 700)).save(buf, format="PNG")
    doc = read_bytes(buf.getvalue(), "report.png")
    assert doc.format == "image" and doc.meta["ocr"] == "rapidocr"
    assert "政府信息公开工作年度报告" in _plain(doc.text)
    with pytest.raises(ReadError, match="^bad.png：无法读取图片（UnidentifiedImageError）$"):
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "bad.png")


def test_page_images_fill_in_the_tables(text_report):
    """A web page whose statistics tables are pictures: the reader lists the images, their OCR text joins the page."""
    import pypdfium2 as pdfium

    from indexer.read.ocr import add_image_text

    page = pdfium.PdfDocument(PDF.read_bytes())[2]  # table 三
    buf = io.BytesIO()
    page.render(scale=2).to_pil().save(buf, format="PNG")
    html = ("<html><head><title>洪泽区人民政府2023年政府信息公开工作年度报告</title></head><body><div class='content'>"
            "<p>洪泽区人民政府2023年政府信息公开工作年度报告</p><p>三、收到和处理政府信息公开申请情况</p>"
            "<p><img src='/pic/t3.png'></p><p><img src='/pic/logo.gif'></p></div></body></html>").encode()
    doc = read_bytes(html, "https://example.test/art/1.html")
    assert doc.images == ["/pic/t3.png", "/pic/logo.gif"]
    doc = add_image_text(doc, {"/pic/t3.png": buf.getvalue()})  # the logo was not fetched: skipped
    assert doc.meta["ocr_images"] == "1" and "本年新收政府信息公开申请数量" in _plain(doc.text)
    report = parse_document(doc)
    assert any(w.code == "read.ocr" for w in report.warnings)
    assert all(text_report.fields[k] == v for k, v in report.fields.items())
    # the table reader got the pictured table's rows; figures its rules could not confirm were held back, said so
    assert any(w.code == "table.ocr_unverified" for w in report.warnings)
