"""Hostile report files, generated (fixed seed): bombs, deep nesting, truncations, binary junk under every supported
suffix, and files past each limit of indexer/limits.py.  Shared by tests/hostile and bench/hostile.py.

``hostile_files(dir)`` writes them and returns {file name: the words its one-line refusal must contain}.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".doc")
_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def zip_bomb(path: Path, unpacked: int) -> None:
    """A DOCX whose word/document.xml unpacks to ``unpacked`` bytes (written a megabyte at a time)."""
    block = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for start in range(0, unpacked, len(block)):
                f.write(block[: min(len(block), unpacked - start)])


def deep_html(tag: str, depth: int, attrs: str = "") -> bytes:
    """A report page nested ``depth`` deep in unclosed ``tag`` elements, a numbered sentence at each level."""
    head = "<html><head><title>某县2020年政府信息公开工作年度报告</title></head><body>"
    body = "".join(f"<{tag}{attrs}>第{i}句政府信息公开。" for i in range(depth))
    return (head + body + "</body></html>").encode("utf-8")


def many_pages_pdf(pages: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def hostile_files(directory: Path, *, bomb_bytes: int = 420_000_000, seed: int = 15) -> dict[str, str]:
    """Write the hostile files into ``directory``; {name: words its refusal says}."""
    from indexer.limits import limits

    lim = limits()
    rnd = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}

    zip_bomb(directory / "bomb.docx", bomb_bytes)
    expect["bomb.docx"] = "解压后过大"
    (directory / "deep-div.html").write_bytes(deep_html("div", 10_000))
    expect["deep-div.html"] = "嵌套过深"
    (directory / "long.txt").write_text("某县2020年政府信息公开工作年度报告\n" + "政府信息公开。" * (lim.text_chars // 7 + 1),
                                        encoding="utf-8")
    expect["long.txt"] = "文本过长"
    (directory / "pages.pdf").write_bytes(many_pages_pdf(lim.pdf_pages + 1))
    expect["pages.pdf"] = "页数过多"
    cells = "".join(f"<tr><td>{i}</td><td>1</td></tr>" for i in range(lim.cells // 2 + 1))
    (directory / "cells.html").write_text(f"<html><body><p>年度报告</p><table>{cells}</table></body></html>",
                                          encoding="utf-8")
    expect["cells.html"] = "单元格过多"
    tables = "<table><tr><td>项目</td><td>1</td></tr><tr><td>合计</td><td>2</td></tr></table>" * (lim.tables + 1)
    (directory / "tables.html").write_text(f"<html><body><p>年度报告</p>{tables}</body></html>", encoding="utf-8")
    expect["tables.html"] = "表格过多"

    junk = rnd.randbytes(64 * 1024)
    for suffix in SUFFIXES:
        (directory / f"junk{suffix}").write_bytes(junk)
        expect[f"junk{suffix}"] = ""  # each reader has its own words; one line is what is asserted
    (directory / "junk-without-suffix").write_bytes(junk)
    expect["junk-without-suffix"] = "不支持的文件类型（不是文本、HTML、PDF、DOCX、DOC/WPS、OFD、XLSX/XLS 或图片）"

    pdf = next((ROOT / "samples").rglob("*.pdf")).read_bytes()
    (directory / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    expect["truncated.pdf"] = ""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("word/document.xml", "<w:document>" + "<w:p>政府信息公开</w:p>" * 2000)
    (directory / "truncated.docx").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    expect["truncated.docx"] = ""
    return expect
