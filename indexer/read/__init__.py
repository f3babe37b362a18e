"""Stage 1 — read: file bytes → ``Document`` (text in reading order + table cell structure), undigested.

``dispatch`` chooses a reader by magic bytes, name and content type; one module per format (``html``, ``pdf``,
``docx``, ``doc``) does the reading; ``text`` holds what they share (decoding, newlines, table cells as lines).
Cleaning, metadata and sections are the next stage's (``indexer.parse``).
"""

from indexer.read.dispatch import detect_format, read_bytes, read_file
from indexer.read.text import decode_text, join_cell_lines, normalize_newlines, table_lines

__all__ = ["read_file", "read_bytes", "detect_format", "decode_text", "join_cell_lines", "normalize_newlines",
           "table_lines"]
