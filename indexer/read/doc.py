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
        raise ReadError("RTF document saved as .doc is not supported; convert it to .docx")
    if not data.startswith(_OLE_MAGIC):
        raise ReadError("not a Word .doc file (no OLE2 header)")
    commands = converters()
    if not commands:
        raise ReadError("legacy .doc not supported on this system (install Debian package catdoc, "
                        "or convert the file to .docx)")
    fd, path = tempfile.mkstemp(suffix=".doc")
    errors = []
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        for command in commands:
            try:
                proc = subprocess.run(command + [path], capture_output=True, timeout=_TIMEOUT)
            except subprocess.TimeoutExpired:
                errors.append(f"{command[0]} timed out")
                continue
            text = normalize_newlines(proc.stdout.decode("utf-8", errors="replace")).strip("\n")
            if proc.returncode == 0 and text.strip():
                text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
                return Document(text=text, source=name, format="doc", meta={"converter": command[0]})
            errors.append(f"{command[0]}: {' '.join(proc.stderr.decode('utf-8', 'replace').split())[:120] or 'no text'}")
    finally:
        os.unlink(path)
    raise ReadError(f"legacy .doc could not be read ({'; '.join(errors)}); convert it to .docx")
