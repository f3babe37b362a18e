"""The limits on what one file may make a reader do (indexer/limits.py): checked before an archive is unpacked and
after a reader returns, so an over-limit file ends in one line (LimitExceeded) and nothing of it is stored."""

from __future__ import annotations

import io
import re
import zipfile

from indexer.limits import LimitExceeded, limits
from indexer.model import Document


def check_archive(data: bytes) -> None:
    """A zip (DOCX, XLSX, OFD …) whose members would unpack past the limits is refused before any is read.

    zipfile never yields more than a member's declared size (and checks its CRC), so the declared sizes bound the
    work: a 1.46 MB DOCX declaring 420 MB took 2 min 43 s and 4.67 GB before this."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader says what is wrong with it
    lim = limits()
    total = 0
    for m in members:
        if m.file_size > lim.member_bytes:
            raise LimitExceeded(f"压缩包成员 {m.filename[:80]} 解压后过大（{m.file_size:,} 字节，"
                                f"上限 {lim.member_bytes:,}）")
        total += m.file_size
    if total > lim.archive_bytes:
        raise LimitExceeded(f"压缩包解压后过大（{total:,} 字节，上限 {lim.archive_bytes:,}）")


_CELL_TAG = re.compile(rb"<t[dh][\s>/]", re.I)


def check_markup(data: bytes) -> None:
    """A page with more cell tags than the cell limit is refused before it is parsed (500,000 cells took 96 s and
    424 MB to parse before this); pages in UTF-16 are caught by check_document after reading."""
    cells = len(_CELL_TAG.findall(data))
    if cells > limits().cells:
        raise LimitExceeded(f"表格单元格过多（{cells:,} 个，上限 {limits().cells:,}）")


def check_document(doc: Document) -> None:
    """A read document with more text, tables or cells than any real report has is refused."""
    lim = limits()
    if len(doc.text) > lim.text_chars:
        raise LimitExceeded(f"文本过长（{len(doc.text):,} 个字符，上限 {lim.text_chars:,}）")
    if len(doc.tables) > lim.tables:
        raise LimitExceeded(f"表格过多（{len(doc.tables):,} 个，上限 {lim.tables:,}）")
    cells = sum(len(row) for table in doc.tables for row in table.rows)
    if cells > lim.cells:
        raise LimitExceeded(f"表格单元格过多（{cells:,} 个，上限 {lim.cells:,}）")
