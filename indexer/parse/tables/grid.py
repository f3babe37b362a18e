"""Table objects (HTML / DOCX / PDF cell structure) → tab rows that keep every real cell, blanks included."""

from __future__ import annotations

import re

from indexer.model import Cell, Table

_WS = re.compile(r"\s+")


def cell_text(cell: Cell | None) -> str:
    """A cell's text on one line.  Inside labels any whitespace is a layout artefact (本年新<br />制作数量, PDF
    wraps) and is dropped; inside figures a space may separate a unit ('432752.57 万元') and is kept as one space."""
    if cell is None:
        return ""
    text = _WS.sub(" ", cell.text.replace("\xa0", " ")).strip()
    return text if re.search(r"\d", text) else text.replace(" ", "")


def table_lines(table: Table) -> list[str]:
    """One line per source row: its own cells (not the slots spanned from other rows), tab-joined."""
    return ["\t".join(cell_text(c) for c in row) for row in table.rows]


def tables_text(tables: list[Table]) -> str:
    """All tables as exact tab rows, one blank line between tables."""
    return "\n\n".join("\n".join(table_lines(t)) for t in tables)


def table_from_rows(rows: list[list[str | None]], page: int | None = None) -> Table:
    """A Table from a pdfplumber-style row list (None = slot covered by a merged cell)."""
    out = []
    for r in rows:
        line = []
        for c in r:
            if c is None:
                if line:
                    line[-1].colspan += 1
                continue
            line.append(Cell(c))
        out.append(line)
    return Table(out, page=page)
