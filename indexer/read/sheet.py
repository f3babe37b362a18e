"""Spreadsheets (.xlsx / .xls statistics attachments) → Document: every sheet's cells as a Table and as tab rows.

Portals attach the report's statistics tables as a workbook.  openpyxl reads .xlsx (merged ranges kept as spans,
cached formula results as values); xlrd 2 reads legacy BIFF .xls (it dropped .xlsx in 2.0).  Both are maintained,
pure Python, and the de-facto readers (pandas uses them).  A sheet's title row and labels go into the text like any
table, so the table reader finds 本年新收政府信息公开申请数量 … as it does in a DOCX table.
"""

from __future__ import annotations

import io
import logging

from indexer.model import Cell, Document, ReadError, Table
from indexer.read.text import join_cell_lines, table_lines

log = logging.getLogger(__name__)

# Statistics sheets are a few dozen rows by ≤ 20 columns; a sheet past these bounds is a data dump, read up to them.
_MAX_ROWS = 5000
_MAX_COLS = 100


def read_xlsx(data: bytes, name: str) -> Document:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises KeyError/InvalidFileException/… for a damaged archive
        raise ReadError(f"无法读取这个 XLSX 文件，文件可能已损坏（{type(e).__name__}）") from None
    sheets = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        spans = {}
        covered = set()
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
            covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1)
                        for c in range(rng.min_col, rng.max_col + 1)} - {(rng.min_row, rng.min_col)}
        values = [[_cell_text(v) for v in row] for row in
                  ws.iter_rows(max_row=min(ws.max_row, _MAX_ROWS), max_col=min(ws.max_column, _MAX_COLS),
                               values_only=True)]
        sheets.append((ws.title, values, spans, covered))
    book.close()
    return _document(sheets, name, "xlsx")


def read_xls(data: bytes, name: str) -> Document:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=False, on_demand=True)
    except xlrd.XLRDError as e:
        raise ReadError(f"无法读取这个 XLS 文件，文件可能已损坏（{e}）") from None
    sheets = []
    try:
        for ws in book.sheets():
            if getattr(ws, "visibility", 0):
                continue
            spans, covered = {}, set()
            for r0, r1, c0, c1 in ws.merged_cells:  # empty without formatting_info; then no spans, cells stay
                spans[(r0 + 1, c0 + 1)] = (r1 - r0, c1 - c0)
                covered |= {(r + 1, c + 1) for r in range(r0, r1) for c in range(c0, c1)} - {(r0 + 1, c0 + 1)}
            values = [[_cell_text(_xls_value(ws.cell(r, c), book.datemode)) for c in range(min(ws.ncols, _MAX_COLS))]
                      for r in range(min(ws.nrows, _MAX_ROWS))]
            sheets.append((ws.name, values, spans, covered))
    finally:
        book.release_resources()
    return _document(sheets, name, "xls")


def _xls_value(cell, datemode: int):
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return cell.value
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode).date()
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # counts are stored as floats: 21.0 is printed 21
    return join_cell_lines(str(value))


def _document(sheets, name: str, fmt: str) -> Document:
    tables: list[Table] = []
    lines: list[str] = []
    for title, values, spans, covered in sheets:
        # the sheet's used range often runs past the table: columns blank in every row are cut from the right
        width = max((c for row in values for c, text in enumerate(row, 1) if text), default=0)
        width = max([width] + [c + spans[(r, c)][1] - 1 for r, c in spans if c <= width])
        rows = []
        for r, row in enumerate(values, 1):
            rows.append([Cell(text, *spans.get((r, c), (1, 1))) for c, text in enumerate(row[:width], 1)
                         if (r, c) not in covered])
        while rows and not rows[-1]:
            rows.pop()  # blank rows inside stay: a rowspan above may reach into them
        if not any(c.text for row in rows for c in row):
            continue
        table = Table(rows=rows, page=None)
        tables.append(table)
        lines.extend(table_lines(table))
    text = "\n".join(lines)
    if not text.strip():
        raise ReadError(f"{fmt.upper()} 工作簿的单元格中没有文字")
    return Document(text=text, source=name, format=fmt, tables=tables,
                    meta={"sheets": str(len(sheets))})
