"""Table objects (HTML / DOCX / PDF cell structure) → tab rows that keep every real cell, blanks included."""

from __future__ import annotations

import re

from indexer.model import Cell, Table

_WS = re.compile(r"\s+")


def cell_text(cell: Cell | None) -> str:
    """A cell's text on one line: line breaks inside a cell (本年新<br />制作数量, PDF wraps) removed."""
    if cell is None:
        return ""
    return _WS.sub(" ", cell.text.replace("\xa0", " ")).strip().replace(" ", "") if _cjk_only(cell.text) else \
        _WS.sub(" ", cell.text.replace("\xa0", " ")).strip()


def _cjk_only(s: str) -> bool:
    # spaces inside Chinese labels are layout artefacts; inside figures ('432752.57 万元') they separate a unit
    return not re.search(r"\d", s)


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
