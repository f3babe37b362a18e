"""Finding a table's rows in text, whatever the layout: one cell per line, tab rows, or fully flattened.

Rows are found by their printed labels (whitespace-tolerant), in printed order; a row's *content* is the text from the
end of its label to the next label (or table mark).  What the content holds is then read by ``cells_of``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parse.tables.catalogue import Row

# How far after the previous row a row label may start (column-major PDF text puts numbers between labels).
ROW_WINDOW = 1500


@dataclass
class RowContent:
    key: str
    content: str  # raw text between the end of the label and the next label / table mark
    exact: bool  # True: the text was made from real table cells (Table objects), blanks included
    end: int  # where the label match ended in the searched text
    start: int = 0  # where the label match started


def find_rows(text: str, rows: tuple[Row, ...], start: int, stops: tuple[str, ...] = (), exact: bool = False,
              window: int = ROW_WINDOW, last_row_run: bool = True) -> tuple[dict[str, RowContent], int]:
    """Locate `rows` in order from `start`; return contents by row key and the end of the last row found.

    A label that is not found within `window` characters of the previous one is skipped (the row stays unknown).
    The content of the last row found is cut to its leading run of numbers (what follows it is other text).
    """
    found: list[tuple[Row, re.Match]] = []
    pos = start
    for row in rows:
        m = re.compile(row.pattern).search(text, pos, pos + window + len(row.label) * 8)
        if m:
            found.append((row, m))
            if row.data:  # a parent label may stand far away (a vertical label in PDF text): do not jump to it
                pos = m.end()
    if not found:
        return {}, start
    boundary = re.compile("|".join(f"(?:{r.pattern})" for r in rows) + "".join(f"|(?:{s})" for s in stops))
    out: dict[str, RowContent] = {}
    end = found[-1][1].end()
    for i, (row, m) in enumerate(found):
        if not row.data:
            continue
        b = boundary.search(text, m.end())
        stop = b.start() if b else len(text)
        if i + 1 < len(found):
            stop = min(stop, found[i + 1][1].start())
        content = text[m.end():stop]
        if i + 1 == len(found) and last_row_run:
            content = leading_run(content, exact)
        out[row.key] = RowContent(row.key, content, exact, m.end(), m.start())
        end = max(end, m.end() + len(content))
    return out, end


def leading_run(content: str, exact: bool) -> str:
    """The figures a table's last row starts with (tab rows: the rest of the line); what follows is other text."""
    if "\t" in content.split("\n", 1)[0] or exact:
        return content.split("\n", 1)[0]
    m = re.match(r"[\s\d.\-+]*", content)
    return m.group(0) if m else ""


@dataclass
class Cells:
    """What a row's content says, before any choice between readings."""

    cells: list[str] | None  # exact cells (blank = ''), when the layout kept cell boundaries
    tokens: list[str]  # non-blank pieces of text, in order
    glued: bool  # tokens may hold several cells run together (no tab or line break in the content)
    trusted: bool  # cells came from real table cells
    lead: str | None = None  # tab rows: the first cell when it is not blank (its column is kept by converters)


_NUMERIC_JUNK = re.compile(r"^[\s\d.,，+\-－—/]*$")


def is_tab_table(contents: dict[str, RowContent]) -> bool:
    """Most rows are tab rows (a row whose cells were all lost with its tabs is then a blank row, not a gap)."""
    tabbed = sum(1 for rc in contents.values() if "\t" in rc.content.split("\n", 1)[0])
    return tabbed * 2 > len(contents) > 0


def cells_of(rc: RowContent, ncols: int, tab_table: bool = False) -> Cells | None:
    """Read a row's content into cells or tokens; None when it holds text that is not figures."""
    content = rc.content.replace("\u3000", " ").replace("\xa0", " ")
    first_line, _, rest = content.partition("\n")
    if "\t" in first_line and (rc.exact or not rest.strip()):
        parts = first_line.split("\t")
        if parts and parts[0].strip() == "":
            parts = parts[1:]
        parts = [p.strip() for p in parts]
        if not all(_NUMERIC_JUNK.match(p) for p in parts):
            return None
        cells: list[str] | None = parts
        if rc.exact:
            # real cells: drop blank cells of a multi-column label before / ruling slack after the values
            while len(cells) > ncols and cells[0] == "":
                cells = cells[1:]
            while len(cells) > ncols and cells[-1] == "":
                cells = cells[:-1]
        if len(cells) != ncols:
            cells = None if not rc.exact else cells
        tokens = [p for p in parts if p]
        lead = parts[0] if parts and parts[0] else None
        return Cells(cells if cells is not None and len(cells) == ncols else None, tokens, False, rc.exact, lead)
    if not _NUMERIC_JUNK.match(content):
        return None
    tokens = content.split()
    glued = "\t" not in content and "\n" not in content
    if not tokens and "\t" not in content and not (tab_table and "\n" in content):
        return None  # nothing at all between two labels: the figures are elsewhere (column-major text)
    return Cells(None, tokens, glued, rc.exact)


_PAGE_MARK = re.compile(r"-\s*\d{1,3}\s*-")


def column_major(text: str, contents: dict[str, RowContent], keys: list[str], ncols: int
                 ) -> dict[str, tuple[int, list[int]]]:
    """Rows printed column by column (pdfminer text of a ruled PDF table): labels first, then each column's figures.

    A run of rows whose labels have nothing after them, followed by exactly ncols × (rows) figures, is read as
    columns of that many rows.  Returns row key → (chunk number, the printed cells in printed column order).
    """
    found = [k for k in keys if k in contents]
    out: dict[str, tuple[int, list[int]]] = {}
    chunk: list[str] = []
    for i, key in enumerate(found):
        rc = contents[key]
        if i + 1 < len(found):
            stop = contents[found[i + 1]].start
        else:  # the last row's figures end where the next table (or section) begins
            nxt = re.compile(r"行\s*政\s*复\s*议|[四五]\s*、").search(text, rc.end, rc.end + 3000)
            stop = nxt.start() if nxt else min(len(text), rc.end + 3000)
        seg = _PAGE_MARK.sub(" ", text[rc.end:stop])
        tokens = re.findall(r"\d+", seg)
        if not tokens:
            chunk.append(key)
            continue
        rows = chunk + [key]
        chunk = []
        if len(rows) < 2 or len(tokens) != ncols * len(rows) or "\t" in seg:
            continue
        k = len(rows)
        cols = [[int(t) for t in tokens[j * k:(j + 1) * k]] for j in range(ncols)]
        for r, rk in enumerate(rows):
            out[rk] = (i, [cols[j][r] for j in range(ncols)])
    return out
