"""DOCX → Document: paragraphs and tables in body order, merged cells as spans, core properties as metadata.

python-docx opens the package; the body is walked on its XML so that content controls (w:sdt), tracked insertions
(w:ins) and hyperlinks are read in place, and merged cells come out once with their spans (gridSpan → colspan,
vMerge restart/continue → rowspan) instead of python-docx's repeated cell objects.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from indexer.model import Cell, Document, ReadError, Table
from indexer.readers import join_cell_lines, table_lines

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_docx(data: bytes, name: str) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise ReadError(f"not a valid DOCX file ({_why(e)})") from None
    except Exception as e:  # zipfile.BadZipFile, lxml XMLSyntaxError …
        raise ReadError(f"DOCX is damaged ({type(e).__name__}: {_why(e)})") from None

    lines: list[str] = []
    tables: list[Table] = []
    _walk_body(document.element.body, lines, tables)
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise ReadError("DOCX has no text")
    return Document(text=text, source=name, format="docx", tables=tables, meta=_properties(document))


def _walk_body(container, lines: list[str], tables: list[Table]) -> None:
    for el in container.iterchildren():
        if el.tag == _W + "p":
            lines.extend(_paragraph_text(el).split("\n"))
        elif el.tag == _W + "tbl":
            table = read_table(el)
            if table.rows:
                tables.append(table)
                lines.extend(table_lines(table))
        elif el.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag"):
            _walk_body(el.find(_W + "sdtContent") if el.tag == _W + "sdt" else el, lines, tables)


def _paragraph_text(p) -> str:
    """Visible text of a paragraph: w:t, tabs and breaks in order; deleted text, field codes and the fallback copy
    of text boxes (mc:Fallback) left out.  A tab becomes a space (tabs in Document.text mean table cells)."""
    out: list[str] = []
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen", _W + "softHyphen"):
        if _under_fallback(el, p):
            continue
        tag = el.tag[len(_W):]
        if tag == "t":
            out.append(el.text or "")
        elif tag == "tab":
            out.append(" ")
        elif tag in ("br", "cr"):
            if el.get(_W + "type") in (None, "textWrapping") or tag == "cr":
                out.append("\n")
        elif tag == "noBreakHyphen":
            out.append("-")
    return "".join(out)


def _under_fallback(el, stop) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


# ---------------------------------------------------------------------------------------------------------------
# Tables


@dataclass
class _Slot:
    cell: Cell
    continues: bool  # vMerge continue: this slot belongs to the cell above


def read_table(tbl) -> Table:
    """w:tbl → Table: each w:tc once, gridSpan as colspan, a vMerge run as the rowspan of its first cell."""
    grid_rows: list[list[tuple[int, _Slot]]] = []  # per row: (start column, slot)
    for tr in tbl.iterchildren(_W + "tr"):
        col = _int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        row: list[tuple[int, _Slot]] = []
        for tc in _row_cells(tr):
            tc_pr = tc.find(_W + "tcPr")
            span = _int(tc_pr.find(_W + "gridSpan") if tc_pr is not None else None, 1)
            vmerge = tc_pr.find(_W + "vMerge") if tc_pr is not None else None
            continues = vmerge is not None and vmerge.get(_W + "val", "continue") == "continue"
            row.append((col, _Slot(Cell(_cell_text(tc), colspan=max(span, 1)), continues)))
            col += max(span, 1)
        grid_rows.append(row)

    # rowspan: a continuing slot adds one row to the nearest cell above that starts in the same column
    origin: dict[int, Cell] = {}  # start column -> the open merged cell
    rows: list[list[Cell]] = []
    for row in grid_rows:
        out: list[Cell] = []
        for col, slot in row:
            if slot.continues and col in origin:
                origin[col].rowspan += 1
                continue
            out.append(slot.cell)
            origin[col] = slot.cell
        rows.append(out)
    # a row whose cells are all continuations is kept as an empty row: it still exists in the grid
    return Table(rows=rows)


def _row_cells(tr):
    """The w:tc of a row, including those wrapped in content controls or custom XML."""
    for el in tr.iterchildren():
        if el.tag == _W + "tc":
            yield el
        elif el.tag in (_W + "sdt", _W + "customXml"):
            inner = el.find(_W + "sdtContent") if el.tag == _W + "sdt" else el
            if inner is not None:
                yield from (tc for tc in inner.iter(_W + "tc"))


def _cell_text(tc) -> str:
    parts = []
    for p in tc.iter(_W + "p"):
        if p.getparent() is not None and _nested_paragraph_counted(p, tc):
            continue
        parts.append(_paragraph_text(p))
    return join_cell_lines("\n".join(parts))


def _nested_paragraph_counted(p, tc) -> bool:
    """Paragraphs inside a text box within a paragraph are already part of that paragraph's text."""
    parent = p.getparent()
    while parent is not None and parent is not tc:
        if parent.tag == _W + "p":
            return True
        parent = parent.getparent()
    return False


def _int(el, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_W + "val"))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------------------------------------------------


def _properties(document) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        props = document.core_properties
    except Exception:
        return meta
    for attr, key in (("title", "title"), ("author", "author"), ("subject", "subject"), ("keywords", "keywords"),
                      ("created", "created"), ("modified", "modified"), ("last_modified_by", "last_modified_by")):
        try:
            value = getattr(props, attr)
        except Exception:  # a malformed date in docProps/core.xml
            continue
        if value is None or value == "":
            continue
        meta[key] = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
    return {k: v for k, v in meta.items() if v}


def _why(e: Exception) -> str:
    return " ".join(str(e).split())[:160] or type(e).__name__
