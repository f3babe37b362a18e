"""Positioned text runs → lines in reading order: what OCR output and OFD pages (text placed by coordinates) share.

Runs whose vertical centres agree form one printed line, read left to right; a wide horizontal gap between two runs
of a line is a table cell border and is written as a tab, the convention of ``Document.text`` for table rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

# Two runs on one line further apart than this many line heights are separate table cells (a tab).  OCR gives one
# box per prose line and OFD one run per line or per character; gaps inside prose stay under one line height.
_CELL_GAP = 1.2


@dataclass(frozen=True)
class Box:
    """One run of text on a page (an OCR box, an OFD text run): its box with the origin top-left, any unit."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def layout_lines(boxes: Sequence[Box]) -> list[str]:
    """Group boxes into printed lines (top to bottom), each line's boxes left to right; wide gaps become tabs."""
    rows: list[list[Box]] = []
    for box in sorted((b for b in boxes if b.text.strip()), key=lambda b: (b.cy, b.x0)):
        if rows:
            row = rows[-1]
            centre = sum(b.cy for b in row) / len(row)
            height = max(b.height for b in row)
            if abs(box.cy - centre) <= max(height, box.height) * 0.5:
                row.append(box)
                continue
        rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        height = sum(b.height for b in row) / len(row)
        parts = [row[0].text.strip()]
        for prev, box in zip(row, row[1:]):
            gap = box.x0 - prev.x1
            parts.append("\t" if gap > height * _CELL_GAP else "")
            parts.append(box.text.strip())
        lines.append("".join(parts))
    return lines
