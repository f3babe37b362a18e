"""Positioned text runs → lines in reading order: what OCR output and OFD pages (text placed by coordinates) share.

Runs whose vertical centres agree form one printed line, read left to right; a wide horizontal gap between two runs
of a line is a table cell border and is written as a tab, the convention of ``Document.text`` for table rows.
"""

from __future__ import annotations

import re
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


def layout_lines(boxes: Sequence[Box], blank: str = "") -> list[str]:
    """Group boxes into printed lines (top to bottom), each line's boxes left to right; wide gaps become tabs.

    Inside a table (rows holding several figures) the columns are found from where the figures stand, and each
    figure row is written with one cell per column: a column with nothing in it on that row becomes ``blank``
    ('' for a file that places its text exactly, such as OFD; OCR passes '?' so that a figure it failed to see is
    an unreadable cell, never a silent 0)."""
    rows = group_rows(boxes)
    lines = [_gap_line(row) for row in rows]
    for first, last in _figure_blocks(rows):
        columns = _columns([b for row in rows[first:last + 1] for b in row if _is_figure(b)])
        if len(columns) < 2:
            continue
        for r in range(first, last + 1):
            line = _column_line(rows[r], columns, blank)
            if line is not None:
                lines[r] = line
    return lines


def group_rows(boxes: Sequence[Box]) -> list[list[Box]]:
    """Boxes whose vertical centres agree, as printed lines top to bottom, each sorted left to right."""
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
    for row in rows:
        row.sort(key=lambda b: b.x0)
    return rows


def _gap_line(row: list[Box]) -> str:
    height = sum(b.height for b in row) / len(row)
    parts = [row[0].text.strip()]
    for prev, box in zip(row, row[1:]):
        parts.append("\t" if box.x0 - prev.x1 > height * _CELL_GAP else "")
        parts.append(box.text.strip())
    return "".join(parts)


_FIGURE = re.compile(r"^[\d.,，%％]+$")
# Figure rows of one table stand at most this many other lines apart (wrapped labels, sub-headings between them).
_TABLE_ROW_GAP = 4


def _is_figure(box: Box) -> bool:
    return bool(_FIGURE.match(box.text.strip()))


def _figure_blocks(rows: list[list[Box]]) -> list[tuple[int, int]]:
    """Runs of rows (first, last) where rows with two or more figures stand close together: one table each."""
    figure_rows = [i for i, row in enumerate(rows) if sum(map(_is_figure, row)) >= 2]
    blocks: list[tuple[int, int]] = []
    for i in figure_rows:
        if blocks and i - blocks[-1][1] <= _TABLE_ROW_GAP:
            blocks[-1] = (blocks[-1][0], i)
        else:
            blocks.append((i, i))
    return [b for b in blocks if b[1] > b[0]]


def _columns(figures: list[Box]) -> list[tuple[float, float]]:
    """Column extents: the x-ranges of figure boxes merged where they overlap.  A box far wider than the usual figure
    (digits of several cells read as one run) would bridge columns and is left out."""
    if not figures:
        return []
    widths = sorted(b.x1 - b.x0 for b in figures)
    usual = widths[len(widths) // 2]
    spans = sorted((b.x0, b.x1) for b in figures if b.x1 - b.x0 <= usual * 3)
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _column_line(row: list[Box], columns: list[tuple[float, float]], blank: str) -> str | None:
    """A figure row as label + one cell per column; None when its boxes do not sit in the columns (a header)."""
    if not any(_is_figure(b) for b in row):
        return None
    left = columns[0][0]
    label = [b for b in row if b.x1 <= left]
    cells: list[list[str]] = [[] for _ in columns]
    for box in row:
        if box in label:
            continue
        centre = (box.x0 + box.x1) / 2
        hit = [c for c, (a, b) in enumerate(columns) if a - box.height * 0.3 <= centre <= b + box.height * 0.3]
        if len(hit) != 1 or not _is_figure(box):
            return None  # text in the figure columns, or a run spanning columns: keep the plain gap layout
        cells[hit[0]].append(box.text.strip())
    label_text = _gap_line(label) if label else ""
    return "\t".join([label_text] + ["".join(c) if c else blank for c in cells])
