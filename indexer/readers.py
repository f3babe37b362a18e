"""Any report file → ``Document``: choose a reader by content type, magic bytes and extension, and decode text.

The format readers live in their own modules (``html_reader``, ``pdf_reader``, ``docx_reader``, ``doc_reader``)
and are imported lazily, so that reading thousands of text files never pays for the PDF libraries.
Readers return what the file says, undigested: cleaning, metadata and sections are later stages.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from indexer.model import Document, ReadError

__all__ = ["read_file", "read_bytes", "decode_text", "detect_format", "join_cell_lines", "table_lines", "ReadError"]

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
}

_SUFFIXES = {
    ".txt": "txt", ".text": "txt", ".md": "txt", ".markdown": "txt",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".jhtml": "html", ".jsp": "html",
    ".php": "html", ".asp": "html", ".aspx": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc", ".wps": "doc",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .wps)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|span|"
                         rb"h[1-6]|br|font|center|section|article|style|script)\b", re.I | re.S)


def read_file(path: str | Path) -> Document:
    """Read one report file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{path.name}: cannot open file ({e.strerror or e})") from None
    return read_bytes(data, str(path))


def read_bytes(data: bytes, name: str, content_type: str | None = None, meta: dict | None = None) -> Document:
    """Read one report from its bytes.  ``name`` is a path or URL (its extension helps choose the reader and it
    becomes ``Document.source``); ``meta`` (e.g. crawler page metadata) is merged over what the file itself says."""
    label = _short_name(name)
    if not data:
        raise ReadError(f"{label}: file is empty")
    fmt = detect_format(data, name, content_type)
    if fmt is None:
        raise ReadError(f"{label}: unsupported file type (not text, HTML, PDF, DOCX or DOC)")
    try:
        doc = _READERS[fmt](data, name)
    except ReadError as e:
        msg = str(e)
        raise ReadError(msg if msg.startswith(label + ":") else f"{label}: {msg}") from None
    except Exception as e:  # a broken file must never crash a batch: one clear line instead
        raise ReadError(f"{label}: cannot read {fmt.upper()} ({type(e).__name__}: {_one_line(str(e))})") from None
    if meta:
        doc.meta.update({str(k): str(v) for k, v in meta.items() if v is not None and str(v).strip()})
    return doc


def detect_format(data: bytes, name: str = "", content_type: str | None = None) -> str | None:
    """'txt' | 'html' | 'pdf' | 'docx' | 'doc', or None.  Magic bytes win over the name, the name over the
    content type (servers often send PDFs as application/octet-stream and pages as text/plain)."""
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        # a zip: DOCX if it holds word/…, or if it is named .docx (the DOCX reader then says what is wrong)
        return "docx" if b"word/" in data or _suffix(name) == ".docx" else None
    if head.startswith(_OLE_MAGIC):
        return "doc"
    if data.lstrip().startswith(b"{\\rtf"):
        return "doc" if _suffix(name) == ".doc" else None  # an RTF saved as .doc: the .doc reader explains
    suffix = _suffix(name)
    if suffix in _SUFFIXES:
        fmt = _SUFFIXES[suffix]
        if fmt == "doc" and _looks_like_html(head):
            return "html"  # Word's "save as web page" kept the .doc name
        if fmt in ("pdf", "docx", "doc"):
            return fmt  # the reader will say the bytes are not what the name claims
        if fmt == "txt" and _looks_like_html(head):
            return "html"
        if fmt == "txt" and not _looks_like_text(head):
            return None  # binary data under a text name
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
# Plain text


def read_text(data: bytes, name: str) -> Document:
    text, encoding = decode_text(data)
    if not text.strip():
        raise ReadError("file has no text")
    doc = Document(text=normalize_newlines(text), source=name, format="txt")
    doc.meta["encoding"] = encoding
    return doc


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text of unknown encoding → (text, encoding name).

    Order: a BOM; strict UTF-8; GB18030 if the bytes are valid GB18030 (it is the superset of GBK and GB2312, so
    it never loses a character they would have read); then charset-normalizer's best guess.
    """
    # UTF-32-LE's BOM starts with UTF-16-LE's: test the longer ones first
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        enc = _utf16_without_bom(data)
        if enc:
            try:
                return data.decode(enc), "utf-16"
            except UnicodeDecodeError:
                pass
    if _mostly_cjk_or_ascii_gb(data):
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        enc = best.encoding
        if enc in ("gbk", "gb2312", "hz", "cp936"):
            enc = "gb18030"
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            return str(best), best.encoding
    # Undecodable bytes: keep what can be read rather than losing the report.
    return data.decode("gb18030", errors="replace"), "gb18030"


def _mostly_cjk_or_ascii_gb(data: bytes) -> bool:
    """True if the bytes read as GB18030 give mostly ASCII + common CJK (not mojibake of another encoding)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return True
    # common CJK ideographs and CJK/full-width punctuation
    good = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
               or c in "“”‘’…—·")
    return good / len(non_ascii) > 0.9


def normalize_newlines(text: str) -> str:
    """CRLF / CR / Unicode line and paragraph separators → '\\n'; form feeds and NULs dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return text.replace("\x00", "").replace("\x0c", "\n")


# ---------------------------------------------------------------------------------------------------------------
# Conventions shared by the HTML, DOCX and PDF readers

_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")
_LATIN = re.compile(r"[0-9A-Za-z%.,:;)\]/+-]")


def join_cell_lines(text: str) -> str:
    """A table cell's text on one line.  Line breaks and space runs inside a cell are layout, not content: they
    vanish unless they stand between two Latin letters/digits, where they become one space
    ('本年新<br>制作数量' → 本年新制作数量, '总 计' → 总计, '251000 元' → 251000元, 'Total<br>amount' → Total amount)."""
    parts = [p for p in (_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n")) if p]
    out = ""
    for part in parts:
        out = _glue(out, part) if out else part
    # spaces inside one line: keep only between two Latin/digit characters
    return re.sub(r"(?<=(.)) (?=(.))", lambda m: " " if _LATIN.match(m.group(1)) and _LATIN.match(m.group(2)) else "",
                  out)


def _glue(left: str, right: str) -> str:
    return left + (" " if _LATIN.match(left[-1]) and _LATIN.match(right[0]) else "") + right


def table_lines(table) -> list[str]:
    """A Table as Document.text lines: one line per source row, its own cells (not slots spanned from the rows
    above or cells to the left) joined by a tab; empty cells stay as empty strings between tabs."""
    return ["\t".join(cell.text for cell in row) for row in table.rows]


# ---------------------------------------------------------------------------------------------------------------
# Dispatch to the lazily imported format readers


def _read_html(data: bytes, name: str) -> Document:
    from indexer.html_reader import read_html

    return read_html(data, name)


def _read_pdf(data: bytes, name: str) -> Document:
    from indexer.pdf_reader import read_pdf

    return read_pdf(data, name)


def _read_docx(data: bytes, name: str) -> Document:
    from indexer.docx_reader import read_docx

    return read_docx(data, name)


def _read_doc(data: bytes, name: str) -> Document:
    from indexer.doc_reader import read_doc

    return read_doc(data, name)


_READERS = {"txt": read_text, "html": _read_html, "pdf": _read_pdf, "docx": _read_docx, "doc": _read_doc}


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


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' if the bytes read as mostly CJK and ASCII text in that byte order."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 8:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        good = sum(1 for c in text if c.isprintable() and (c < "\u0250" or "\u3000" <= c <= "\u9fff"
                                                           or "\uff00" <= c <= "\uffef") or c in "\r\n\t")
        if good >= 0.95 * len(text):
            return enc
    return None


def _one_line(s: str) -> str:
    return " ".join(s.split())[:200]
