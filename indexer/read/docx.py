"""DOCX → Document: paragraphs and tables in body order, merged cells as spans, core properties as metadata.

python-docx opens the package; the body is walked on its XML so that content controls (w:sdt), tracked insertions
(w:ins) and hyperlinks are read in place, and merged cells come out once with their spans (gridSpan → colspan,
vMerge restart/continue → rowspan) instead of python-docx's repeated cell objects.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from indexer.model import Cell, Document, ReadError, Table
from indexer.read.text import join_cell_lines, table_lines

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_docx(data: bytes, name: str) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise ReadError(f"不是有效的 DOCX 文件（{_why(e)}）") from None
    except Exception as e:  # zipfile.BadZipFile, lxml XMLSyntaxError …
        raise ReadError(f"DOCX 文件已损坏（{type(e).__name__}: {_why(e)}）") from None

    lines: list[str] = []
    tables: list[Table] = []
    _walk_body(document.element.body, lines, tables, _Numbering(document))
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise ReadError("DOCX 文件中没有文字")
    return Document(text=text, source=name, format="docx", tables=tables, meta=_properties(document))


def _walk_body(container, lines: list[str], tables: list[Table], numbering: "_Numbering") -> None:
    for el in container.iterchildren():
        if el.tag == _W + "p":
            lines.extend((numbering.label(el) + _paragraph_text(el)).split("\n"))
        elif el.tag == _W + "tbl":
            table = read_table(el, numbering)
            if table.rows:
                tables.append(table)
                lines.extend(table_lines(table))
        elif el.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag"):
            inner = el.find(_W + "sdtContent") if el.tag == _W + "sdt" else el
            if inner is not None:
                _walk_body(inner, lines, tables, numbering)


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
# Automatic numbering: headings such as 一、 （二） 1. are often Word list numbers, not typed text


_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (what Word's chineseCounting shows)."""
    if n <= 0:
        return str(n)
    if n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _CN_DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN_DIGITS[tens]) + "十"
    if ones:
        out += _CN_DIGITS[ones]
    return out


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting",
               "taiwaneseCountingThousand", "ideographDigital"):
        return chinese_number(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class _Numbering:
    """Counts Word list numbers in document order and renders each numbered paragraph's label (lvlText)."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int, str]]] = {}  # abstractNumId -> ilvl -> (fmt, text, start, suff)
        self.instances: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            root = None
        if root is not None:
            for absnum in root.iterchildren(_W + "abstractNum"):
                levels = {}
                for lvl in absnum.iterchildren(_W + "lvl"):
                    ilvl = int(lvl.get(_W + "ilvl", "0"))
                    levels[ilvl] = (_val(lvl.find(_W + "numFmt"), "decimal"), _val(lvl.find(_W + "lvlText"), ""),
                                    int(_val(lvl.find(_W + "start"), "1") or 1), _val(lvl.find(_W + "suff"), "tab"))
                self.levels[absnum.get(_W + "abstractNumId")] = levels
            for num in root.iterchildren(_W + "num"):
                overrides = {}
                for ov in num.iterchildren(_W + "lvlOverride"):
                    start = ov.find(_W + "startOverride")
                    if start is not None:
                        overrides[int(ov.get(_W + "ilvl", "0"))] = int(_val(start, "1") or 1)
                self.instances[num.get(_W + "numId")] = (_val(num.find(_W + "abstractNumId"), ""), overrides)
        try:
            styles = document.styles.element
        except Exception:
            styles = None
        if styles is not None:
            based: dict[str, str] = {}
            own: dict[str, tuple[str | None, int | None]] = {}
            for st in styles.iterchildren(_W + "style"):
                sid = st.get(_W + "styleId")
                b = st.find(_W + "basedOn")
                if b is not None:
                    based[sid] = _val(b, "")
                num_pr = st.find(f"{_W}pPr/{_W}numPr")
                if num_pr is not None:
                    ilvl = num_pr.find(_W + "ilvl")
                    own[sid] = (_val(num_pr.find(_W + "numId"), None), int(_val(ilvl, "0")) if ilvl is not None else None)
            for sid in set(own) | set(based):
                seen, cur = 0, sid
                while cur and cur not in own and seen < 10:
                    cur, seen = based.get(cur), seen + 1
                if cur in own:
                    self.style_num[sid] = own[cur]

    def label(self, p) -> str:
        p_pr = p.find(_W + "pPr")
        num_id, ilvl = None, None
        if p_pr is not None:
            style = p_pr.find(_W + "pStyle")
            if style is not None and _val(style, "") in self.style_num:
                num_id, ilvl = self.style_num[_val(style, "")]
            num_pr = p_pr.find(_W + "numPr")
            if num_pr is not None:
                num_el, lvl_el = num_pr.find(_W + "numId"), num_pr.find(_W + "ilvl")
                num_id = _val(num_el, num_id) if num_el is not None else num_id
                ilvl = int(_val(lvl_el, "0")) if lvl_el is not None else ilvl
        if not num_id or num_id == "0" or num_id not in self.instances:
            return ""
        ilvl = ilvl or 0
        abstract, overrides = self.instances[num_id]
        levels = self.levels.get(abstract)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract, [None] * 9)
        if num_id not in self.started and overrides:
            for lvl, start in overrides.items():
                if lvl < 9:
                    counters[lvl] = start - 1
        self.started.add(num_id)
        fmt, text, start, suff = levels[ilvl]
        counters[ilvl] = start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if fmt in ("bullet", "none"):
            return ""  # bullets are symbol-font glyphs, not text

        def level_value(m) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            value = counters[k] if counters[k] is not None else levels[k][2]
            return format_number(value, levels[k][0])

        label = re.sub(r"%([1-9])", level_value, text)
        if not label or suff == "nothing" or label[-1] in "、.．)）:：":
            return label
        return label + " "


def _val(el, default):
    if el is None:
        return default
    return el.get(_W + "val", default)


# ---------------------------------------------------------------------------------------------------------------
# Tables


@dataclass
class _Slot:
    cell: Cell
    continues: bool  # vMerge continue: this slot belongs to the cell above


def read_table(tbl, numbering: "_Numbering | None" = None) -> Table:
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
            row.append((col, _Slot(Cell(_cell_text(tc, numbering), colspan=max(span, 1)), continues)))
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


def _cell_text(tc, numbering: "_Numbering | None" = None) -> str:
    parts = []
    for p in tc.iter(_W + "p"):
        if p.getparent() is not None and _nested_paragraph_counted(p, tc):
            continue
        parts.append((numbering.label(p) if numbering else "") + _paragraph_text(p))
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
