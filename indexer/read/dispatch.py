"""Any report file → ``Document``: choose a reader by content type, magic bytes and extension, and decode text.

The format readers live in their own modules (``html``, ``pdf``, ``docx``, ``doc``, ``ofd``, ``sheet`` for
.xlsx/.xls, ``ocr`` for images; shared text conventions in ``text``) and are imported lazily, so that reading thousands of text files never pays for the PDF libraries.
Readers return what the file says, undigested: cleaning, metadata and sections are later stages.
"""

from __future__ import annotations

import codecs
import importlib
import re
from pathlib import Path

from indexer.failures import os_reason
from indexer.model import Document, ReadError
from indexer.read.bounds import check_archive, check_document, check_markup
from indexer.read.text import _utf16_without_bom, read_text

# Content types a server or crawler may report → our format names.
_CONTENT_TYPES = {
    "text/plain": "txt",
    "text/markdown": "txt",
    "text/x-markdown": "txt",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/ofd": "ofd",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/bmp": "image",
    "image/tiff": "image",
    "image/webp": "image",
}

_SUFFIXES = {
    ".txt": "txt", ".text": "txt", ".md": "txt", ".markdown": "txt",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".jhtml": "html", ".jsp": "html",
    ".php": "html", ".asp": "html", ".aspx": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc", ".wps": "doc",
    ".ofd": "ofd",
    ".xlsx": "xlsx", ".xls": "xls", ".et": "xls",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".bmp": "image", ".tif": "image",
    ".tiff": "image", ".webp": "image",
}

# every file name ending the readers know (`nianbao add --help` lists them)
READABLE_SUFFIXES = tuple(_SUFFIXES)
# Magic bytes of the image formats OCR reads.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
# The name of the workbook stream inside a legacy Excel (BIFF) OLE file, in UTF-16: what tells .xls from .doc.
_XLS_STREAM = "Workbook".encode("utf-16-le")
_XLS5_STREAM = "Book".encode("utf-16-le") + b"\x00\x00"
_WORD_STREAM = "WordDocument".encode("utf-16-le")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .wps)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|span|"
                         rb"h[1-6]|br|font|center|section|article|style|script)\b", re.I | re.S)


def read_file(path: str | Path) -> Document:
    """Read one report file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{path.name}：无法打开文件（{os_reason(e)}）") from None
    return read_bytes(data, str(path))


def read_bytes(data: bytes, name: str, content_type: str | None = None, meta: dict | None = None) -> Document:
    """Read one report from its bytes.  ``name`` is a path or URL (its extension helps choose the reader and it
    becomes ``Document.source``); ``meta`` (e.g. crawler page metadata) is merged over what the file itself says."""
    label = _short_name(name)
    if not data:
        raise ReadError(f"{label}：文件是空的（0 字节）")
    fmt = detect_format(data, name, content_type)
    if fmt is None and _suffix(name) in _SUFFIXES:
        raise ReadError(f"{label}：不支持的文件类型：文件名是 {_suffix(name)}，内容却是二进制数据，"
                        "不是任何编码的文本")
    if fmt is None:
        raise ReadError(f"{label}：不支持的文件类型（不是文本、HTML、PDF、DOCX、DOC/WPS、OFD、XLSX/XLS 或图片）")
    try:
        if data.startswith(b"PK\x03\x04"):
            check_archive(data)
        if fmt == "html":
            check_markup(data)
        doc = _reader(fmt)(data, name)
        check_document(doc)
    except ReadError as e:
        msg = str(e)
        raise ReadError(msg if msg.startswith(label + "：") else f"{label}：{msg}") from None
    except Exception as e:  # a broken file must never crash a batch: one clear line instead
        raise ReadError(f"{label}：无法读取这个 {fmt.upper()} 文件，文件可能已损坏"
                        f"（{type(e).__name__}: {_one_line(str(e))}）") from None
    if meta:
        doc.meta.update({str(k): str(v) for k, v in meta.items() if v is not None and str(v).strip()})
    return doc


def detect_format(data: bytes, name: str = "", content_type: str | None = None) -> str | None:
    """'txt' | 'html' | 'pdf' | 'docx' | 'doc' | 'ofd' | 'xlsx' | 'xls' | 'image', or None.  Magic bytes win over the name, the name over the
    content type (servers often send PDFs as application/octet-stream and pages as text/plain)."""
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        # a zip: DOCX if it holds word/…, XLSX if xl/…, OFD if OFD.xml; else what its name says (that reader then
        # says what is wrong)
        if b"word/" in data:
            return "docx"
        if b"xl/" in data:
            return "xlsx"
        if b"OFD.xml" in data or b"ofd.xml" in data:
            return "ofd"
        return _SUFFIXES.get(_suffix(name)) if _suffix(name) in (".docx", ".xlsx", ".ofd") else None
    if head.startswith(_OLE_MAGIC):
        if _XLS_STREAM in data or _XLS5_STREAM in data:
            return "xls"
        word = _WORD_STREAM in data
        return "xls" if not word and _SUFFIXES.get(_suffix(name)) == "xls" else "doc"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"BM") and _suffix(name) == ".bmp":
        return "image"
    if data.lstrip().startswith(b"{\\rtf"):
        return "doc" if _suffix(name) == ".doc" else None  # an RTF saved as .doc: the .doc reader explains
    suffix = _suffix(name)
    if suffix in _SUFFIXES:
        fmt = _SUFFIXES[suffix]
        if fmt == "doc" and _looks_like_html(head):
            return "html"  # Word's "save as web page" kept the .doc name
        if fmt in ("pdf", "docx", "doc", "ofd", "xlsx", "xls", "image"):
            return fmt  # the reader will say the bytes are not what the name claims
        if not _looks_like_text(head):
            return None  # binary data under a text or page name
        if fmt == "txt" and _looks_like_html(head):
            return "html"
        return fmt
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in _CONTENT_TYPES:
        fmt = _CONTENT_TYPES[ctype]
        if fmt == "txt" and _looks_like_html(head):
            return "html"
        return fmt
    if _looks_like_html(head):
        return "html"
    if _looks_like_text(head):
        return "txt"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Dispatch to the lazily imported format readers


# format → (module, function); imported on first use
_READERS = {
    "html": ("indexer.read.html", "read_html"),
    "pdf": ("indexer.read.pdf", "read_pdf"),
    "docx": ("indexer.read.docx", "read_docx"),
    "doc": ("indexer.read.doc", "read_doc"),
    "ofd": ("indexer.read.ofd", "read_ofd"),
    "xlsx": ("indexer.read.sheet", "read_xlsx"),
    "xls": ("indexer.read.sheet", "read_xls"),
    "image": ("indexer.read.ocr", "read_image"),
}


def _reader(fmt: str):
    if fmt == "txt":
        return read_text
    module, function = _READERS[fmt]
    return getattr(importlib.import_module(module), function)


def _suffix(name: str) -> str:
    tail = name.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    tail = tail.rsplit("/", 1)[-1]
    return ("." + tail.rsplit(".", 1)[1].lower()) if "." in tail else ""


def _short_name(name: str) -> str:
    tail = name.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return tail or name or "<bytes>"


def _looks_like_html(head: bytes) -> bool:
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return bool(_HTML_START.match(head)) or b"<html" in head[:1024].lower()


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 27 or 27 < b < 32)
    return controls <= len(head) // 100


def _one_line(s: str) -> str:
    return " ".join(s.split())[:200]
