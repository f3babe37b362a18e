"""Legacy Word (.doc, Word 97–2003 binary) → Document, through Debian's ``catdoc`` (or ``antiword``) when installed.

No maintained, permissive pure-Python reader exists for the binary format; these two small C tools are the usual
answer.  catdoc is preferred: it reads the 16-bit (Unicode) text Chinese documents use and ends table cells with a
tab and rows with a line break, which is already the Document.text convention.  No Table objects come out of .doc.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from indexer.model import Document, ReadError
from indexer.read.text import normalize_newlines

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TIMEOUT = 60


def converters() -> list[list[str]]:
    """Command lines (without the file argument) of the installed converters, best first."""
    out = []
    if shutil.which("catdoc"):
        out.append(["catdoc", "-d", "utf-8", "-w"])
    if shutil.which("antiword"):
        out.append(["antiword", "-m", "UTF-8.txt", "-w", "0"])
    return out


def read_doc(data: bytes, name: str) -> Document:
    if data.lstrip().startswith(b"{\\rtf"):
        raise ReadError("这是存为 .doc 的 RTF 文档，无法读取：请把文件另存为 .docx")
    if not data.startswith(_OLE_MAGIC):
        raise ReadError("不是 Word .doc 文件（没有 OLE2 文件头）")
    commands = converters()
    if not commands:
        raise ReadError("旧版 .doc 无法读取：本机缺少 Debian 软件包 catdoc（apt install catdoc），"
                        "或把文件另存为 .docx")
    fd, path = tempfile.mkstemp(suffix=".doc")
    errors = []
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        for command in commands:
            try:
                proc = subprocess.run(command + [path], capture_output=True, timeout=_TIMEOUT)
            except subprocess.TimeoutExpired:
                errors.append(f"{command[0]} 超时")
                continue
            text = normalize_newlines(proc.stdout.decode("utf-8", errors="replace")).strip("\n")
            if proc.returncode == 0 and text.strip():
                text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
                return Document(text=text, source=name, format="doc", meta={"converter": command[0]})
            errors.append(f"{command[0]}: {' '.join(proc.stderr.decode('utf-8', 'replace').split())[:120] or '没有输出文字'}")
    finally:
        os.unlink(path)
    raise ReadError(f"旧版 .doc 无法读取（{'；'.join(errors)}）：请把文件另存为 .docx")
