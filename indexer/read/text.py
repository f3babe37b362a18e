"""Text as the readers share it: decoding bytes of unknown encoding, newlines, the plain-text reader, and the
conventions every structured reader (HTML, DOCX, PDF) follows for table cells and rows in ``Document.text``.

Below the format readers and the dispatcher, which both import it (it imports neither).
"""

from __future__ import annotations

import codecs
import re

from indexer.model import Document, ReadError

# ---------------------------------------------------------------------------------------------------------------
# Plain text


def read_text(data: bytes, name: str) -> Document:
    text, encoding = decode_text(data)
    if not text.strip():
        raise ReadError("文件中没有文字")
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
