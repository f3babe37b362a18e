"""Statistics tables drawn as pictures, the way portals have printed them since 2021 (the text is HTML, the tables are
``<img>``): each table's cells, spans included, drawn with Pillow in Noto Sans CJK (Debian's fonts-noto-cjk, which
``./dev test`` installs) on a white ground with black rules.  Deterministic: the same table gives the same bytes."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from indexer.model import Table

FONT_FILES = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
              Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"))
_SC = 2  # the face of the collection that draws simplified Chinese forms
FONT_SIZE = 22
PAD_X, PAD_Y = 10, 8
LINE_GAP = 6
MAX_CELL_CHARS = 26  # a label longer than this wraps inside its cell
MIN_COLUMN = 70


class NoFont(RuntimeError):
    """The CJK font is not installed (apt-get install fonts-noto-cjk)."""


@functools.lru_cache(maxsize=1)
def _font():
    from PIL import ImageFont

    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), FONT_SIZE, index=_SC)
    raise NoFont("没有 Noto Sans CJK 字体（apt-get install fonts-noto-cjk）")


def font_available() -> bool:
    try:
        _font()
    except (NoFont, OSError):
        return False
    return True


def _wrap(text: str, chars: int) -> list[str]:
    lines = []
    for part in text.split("\n"):
        part = part.strip()
        while len(part) > chars:
            lines.append(part[:chars])
            part = part[chars:]
        lines.append(part)
    return [line for line in lines if line] or [""]


def _text_width(line: str) -> int:
    return int(_font().getlength(line)) if line else 0


def table_png(table: Table) -> bytes:
    """The table as a PNG: cells where the source put them, spanned cells merged, text centred."""
    from PIL import Image, ImageDraw

    font = _font()
    line_h = FONT_SIZE + LINE_GAP
    # place every cell in the grid (spans expanded the way Table.grid() does)
    placed: list[tuple[int, int, int, int, str]] = []  # row, col, rowspan, colspan, text
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            rs, cs = max(cell.rowspan, 1), max(cell.colspan, 1)
            rs = min(rs, len(table.rows) - r)
            placed.append((r, c, rs, cs, cell.text))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            c += cs
    n_rows = len(table.rows)
    n_cols = max((c + cs for _, c, _, cs, _ in placed), default=1)
    widths = [MIN_COLUMN] * n_cols
    heights = [line_h + 2 * PAD_Y] * n_rows
    for r, c, rs, cs, text in placed:  # single cells size their column and row
        lines = _wrap(text, MAX_CELL_CHARS)
        if cs == 1:
            widths[c] = max(widths[c], max(map(_text_width, lines)) + 2 * PAD_X)
        if rs == 1:
            heights[r] = max(heights[r], len(lines) * line_h + 2 * PAD_Y)
    for r, c, rs, cs, text in placed:  # spanned cells widen their last column / row when they do not fit
        room = sum(widths[c:c + cs])
        chars = max(4, min(MAX_CELL_CHARS, (room - 2 * PAD_X) // FONT_SIZE))
        lines = _wrap(text, chars)
        need_w = max(map(_text_width, lines)) + 2 * PAD_X
        if need_w > room:
            widths[c + cs - 1] += need_w - room
        need_h = len(lines) * line_h + 2 * PAD_Y
        have_h = sum(heights[r:r + rs])
        if need_h > have_h:
            heights[r + rs - 1] += need_h - have_h
    xs = [0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [0]
    for h in heights:
        ys.append(ys[-1] + h)
    margin = 20
    image = Image.new("L", (xs[-1] + 2 * margin + 1, ys[-1] + 2 * margin + 1), 255)
    draw = ImageDraw.Draw(image)
    for r, c, rs, cs, text in placed:
        x0, y0, x1, y1 = xs[c] + margin, ys[r] + margin, xs[c + cs] + margin, ys[r + rs] + margin
        draw.rectangle((x0, y0, x1, y1), outline=0, width=1)
        chars = max(4, min(MAX_CELL_CHARS, (x1 - x0 - 2 * PAD_X) // FONT_SIZE))
        lines = _wrap(text, chars)
        top = (y0 + y1) / 2 - len(lines) * line_h / 2 + LINE_GAP / 2
        for i, line in enumerate(lines):
            draw.text(((x0 + x1) / 2 - _text_width(line) / 2, top + i * line_h), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def with_zeros(table: Table) -> Table:
    """The table with its empty figure cells written as 0, as most portals print them (an empty cell in a picture
    is unreadable to OCR, never a 0)."""
    import re

    from indexer.model import Cell

    rows = []
    for row in table.rows:
        figures = any(re.fullmatch(r"\d+", c.text.strip()) for c in row)
        rows.append([Cell("0" if figures and not c.text.strip() else c.text, c.rowspan, c.colspan) for c in row])
    return Table(rows=rows, page=table.page)
