"""PDF → Document: text in reading order from PDFium, tables from the ruling lines PDFium reports.

Measured by bench/pdf_libraries.py on samples/real/raw (3 PDFs, 92 labelled statistics-table rows):
PDFium (pypdfium2, Apache-2.0/BSD) reads the text ~35× faster than pdfminer.six (≈30 ms vs ≈1.1 s a file) with
the same phrases and every table row on one line, but has no table finder; pdfplumber's finder gets the cells right
but needs pdfminer's full page parse (≈1.2 s a file); PyMuPDF is AGPL-3.0 and its find_tables took ≈7.5 s a file.
So: PDFium for the text and the vector paths, and pdfplumber's lattice algorithm (snap/join edges → intersections
→ cells → tables; pure geometry, MIT) run on the visible line segments PDFium found — ≈0.1 s a file, 92/92 rows.
Every character, in table cells as in body text, comes from PDFium, so a table rendered into the text (one row
per line, cells tab-joined) replaces exactly the characters it covered; a page where that check fails keeps
PDFium's plain text (its tables stay in Document.tables).

Word processors (WPS) paint an invisible white box behind every text line; read as ruling lines they make the
whole page a one-column "table", so only visible strokes (and thin filled bars) count as rules.
"""

from __future__ import annotations

import ctypes
import logging
import re
from dataclasses import dataclass

from indexer.limits import LimitExceeded, limits
from indexer.model import Cell, Document, ReadError, Table
from indexer.read.text import join_cell_lines, table_lines

log = logging.getLogger(__name__)

# A page needs at least this many visible line segments before we look for a table on it.
_MIN_RULES = 4
# More stroked path segments than this on one page means a drawing, not ruled tables.
_MAX_SEGMENTS = 20000
# Page numbers as printed at the head or foot of a page: '- 1 -', '— 2 —', '－3－', '第 2 页 共 5 页', '2/5'.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|"
                          r"\d{1,4}\s*/\s*\d{1,4})\s*$")


@dataclass
class _Char:
    index: int
    text: str
    generated: bool
    x: float  # centre, PDF user space (origin bottom-left)
    y: float


def read_pdf(data: bytes, name: str) -> Document:
    import pypdfium2 as pdfium

    warnings: list[str] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise ReadError("PDF 已加密（有密码），无法读取") from None
        repaired = rebuild_xref(data)
        try:
            pdf = pdfium.PdfDocument(repaired) if repaired else None
        except pdfium.PdfiumError:
            pdf = None
        if pdf is None:
            if data.lstrip()[:5] != b"%PDF-" and b"%PDF-" not in data[:1024]:
                raise ReadError("不是 PDF 文件") from None
            raise ReadError(f"PDF 文件不完整或已损坏（{_reason(e)}）") from None
        data = repaired
        warnings.append("PDF 文件不完整或已损坏：已重建它的交叉引用表，文字可能不全")
    try:
        return _read_document(pdf, name, warnings, repaired=bool(warnings))
    finally:
        pdf.close()


def _read_document(pdf, name: str, warnings: list[str], repaired: bool = False) -> Document:
    if len(pdf) > limits().pdf_pages:
        raise LimitExceeded(f"PDF 页数过多（{len(pdf)} 页，上限 {limits().pdf_pages} 页）")
    page_texts: list[str] = []
    tables: list[Table] = []
    unreadable: list[int] = []
    garbled: list[int] = []
    for number in range(1, len(pdf) + 1):
        try:
            text, page_tables = _read_page(pdf, number)
        except Exception as e:  # one damaged page must not lose the others
            log.debug("%s: page %d unreadable: %s", name, number, e)
            unreadable.append(number)
            page_texts.append("")
            continue
        if text and _garbled(text):  # glyphs without a Unicode map (fonts cut off or broken): noise, not text
            garbled.append(number)
            page_texts.append("")
            continue
        page_texts.append(text)
        tables.extend(page_tables)

    scanned = [n for n, t in enumerate(page_texts, 1) if not t.strip() and n not in unreadable and n not in garbled
               and _page_is_scan(pdf, n)]
    ocr_engine = None
    if scanned:
        from indexer.read.ocr import ENGINE, OcrUnavailable

        try:
            for n, text in _ocr_pages(pdf, scanned).items():
                page_texts[n - 1] = text
            ocr_engine = ENGINE
        except OcrUnavailable as e:
            if any(t.strip() for t in page_texts):
                warnings.append(f"第 {_pages(scanned)} 页是扫描图像，已略去：{e}")
            else:
                raise ReadError(f"PDF 没有文字层（可能是扫描图像），且{e}") from None
    if unreadable:
        warnings.append(f"PDF 文件不完整或已损坏：共 {len(pdf)} 页，第 {_pages(unreadable)} 页无法读取")
    if garbled:
        warnings.append(f"PDF 第 {_pages(garbled)} 页的文字无法解码（字体缺少 Unicode 映射），这些页已略去")
    if not any(t.strip() for t in page_texts):
        if garbled and not unreadable:
            raise ReadError("PDF 的文字无法解码（字体缺少 Unicode 映射）")
        if unreadable or garbled or repaired:
            raise ReadError(f"PDF 文件不完整或已损坏（{len(pdf)} 页中没有一页能读取）")
        if _has_images_only(pdf):
            raise ReadError("PDF 没有文字层（可能是扫描图像），OCR 也没有在页面上识别出文字")
        raise ReadError("PDF 中没有能读取的文字（页面是空的，或内容已损坏）")
    meta = _metadata(pdf)
    meta["pages"] = str(len(pdf))
    if ocr_engine:
        meta["ocr"] = ocr_engine
        meta["ocr_pages"] = _ranges(scanned)
    text = "\n".join(t for t in page_texts if t)
    return Document(text=text, source=name, format="pdf", tables=tables, meta=meta, warnings=warnings)


def _page_is_scan(pdf, number: int) -> bool:
    """True when the page draws an image and no text object: a scanned page, for OCR."""
    import pypdfium2.raw as c

    try:
        page = pdf[number - 1]
        try:
            kinds = {obj.type for obj in page.get_objects(filter=[c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_TEXT],
                                                          max_depth=3)}
        finally:
            page.close()
    except Exception:
        return False
    return kinds == {c.FPDF_PAGEOBJ_IMAGE}


def _ocr_pages(pdf, numbers: list[int]) -> dict[int, str]:
    """OCR text of the given (scanned) pages, page furniture at head and foot removed as for text pages."""
    from indexer.read.ocr import image_text, render_page

    out = {}
    for number in numbers:
        page = pdf[number - 1]
        try:
            image = render_page(page)
        finally:
            page.close()
        out[number] = _strip_page_numbers(image_text(image))
    return out


def _has_images_only(pdf) -> bool:
    """True when the pages draw images and no text objects at all: a scan."""
    import pypdfium2.raw as c

    images = 0
    for i in range(min(len(pdf), 5)):
        try:
            page = pdf[i]
            for obj in page.get_objects(filter=[c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_TEXT], max_depth=3):
                if obj.type == c.FPDF_PAGEOBJ_TEXT:
                    return False
                images += 1
        except Exception:
            continue
    return images > 0


def _read_page(pdf, number: int) -> tuple[str, list[Table]]:
    page = pdf[number - 1]
    try:
        textpage = page.get_textpage()
        try:
            full = textpage.get_text_range()
            page_tables: list[Table] = []
            text = full
            height = page.get_mediabox()[3]
            edges = ruling_edges(page, height)
            if len(edges) >= _MIN_RULES:
                boxes = cell_boxes(edges)
                if boxes:
                    chars = _chars(textpage, full)
                    if chars is not None:
                        text, page_tables = _compose(chars, boxes, height, number)
                        if not _same_characters(full, text):
                            log.debug("page %d: table text does not match page text; tables kept out of text", number)
                            text = full
        finally:
            textpage.close()
    finally:
        page.close()
    return _strip_page_numbers(_lines(text)), page_tables


# ---------------------------------------------------------------------------------------------------------------
# Ruling lines (from PDFium's path objects) → cell boxes (pdfplumber's table-finding geometry)


def ruling_edges(page, height: float) -> list[dict]:
    """Visible horizontal and vertical line segments on the page, as pdfplumber edge dicts (top-down coordinates).

    Counted: stroked paths, and filled bars thinner than 3 pt (some writers draw rules that way), not white.
    Not counted: filled boxes (cell shading, the white box WPS paints behind every text line)."""
    import pypdfium2.raw as c

    edges: list[dict] = []
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    rgba = [ctypes.c_uint() for _ in range(4)]
    x, y = ctypes.c_float(), ctypes.c_float()
    budget = _MAX_SEGMENTS
    for obj in page.get_objects(filter=[c.FPDF_PAGEOBJ_PATH], max_depth=4):
        if not c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke)):
            continue
        left, bottom, right, top = obj.get_bounds()
        if stroke.value:
            c.FPDFPageObj_GetStrokeColor(obj.raw, *(ctypes.byref(v) for v in rgba))
        elif fill_mode.value and min(right - left, top - bottom) < 3:
            c.FPDFPageObj_GetFillColor(obj.raw, *(ctypes.byref(v) for v in rgba))
            if min(rgba[0].value, rgba[1].value, rgba[2].value) < 240 and rgba[3].value:
                if right - left >= top - bottom:  # a bar is one rule along its long side
                    edges.append(_edge(left, right, (top + bottom) / 2, (top + bottom) / 2, height))
                else:
                    edges.append(_edge((left + right) / 2, (left + right) / 2, bottom, top, height))
            continue
        else:
            continue
        if not rgba[3].value or min(rgba[0].value, rgba[1].value, rgba[2].value) >= 240:
            continue
        segments = c.FPDFPath_CountSegments(obj.raw)
        budget -= segments
        if budget < 0:
            return []  # a drawing (map, chart), not a page of tables: not worth the time
        points = []  # (x, y, type, closes) in page space
        for i in range(segments):
            seg = c.FPDFPath_GetPathSegment(obj.raw, i)
            c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            points.append((*_to_page(obj, x.value, y.value), c.FPDFPathSegment_GetType(seg),
                           bool(c.FPDFPathSegment_GetClose(seg))))
        start = current = None
        for px, py, kind, closes in points:
            if kind == c.FPDF_SEGMENT_MOVETO:
                start = current = (px, py)
                continue
            if kind == c.FPDF_SEGMENT_LINETO and current is not None:
                edges.extend(_segment_edge(current, (px, py), height))
            current = (px, py)
            if closes and start is not None:
                edges.extend(_segment_edge(current, start, height))
                current = start
    return edges


def _to_page(obj, px: float, py: float) -> tuple[float, float]:
    px, py = obj.get_matrix().on_point(px, py)
    form = obj.container
    while form is not None:  # objects inside Form XObjects: apply each enclosing form's matrix
        px, py = form.get_matrix().on_point(px, py)
        form = form.container
    return px, py


def _segment_edge(a: tuple[float, float], b: tuple[float, float], height: float) -> list[dict]:
    (x0, y0), (x1, y1) = a, b
    if abs(y1 - y0) < 1 and abs(x1 - x0) >= 1:
        return [_edge(min(x0, x1), max(x0, x1), (y0 + y1) / 2, (y0 + y1) / 2, height)]
    if abs(x1 - x0) < 1 and abs(y1 - y0) >= 1:
        return [_edge((x0 + x1) / 2, (x0 + x1) / 2, min(y0, y1), max(y0, y1), height)]
    return []  # diagonal or a point: not a table rule


def _edge(x0: float, x1: float, y_bottom: float, y_top: float, height: float) -> dict:
    top, bottom = height - y_top, height - y_bottom
    horizontal = (x1 - x0) >= (bottom - top)
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": "h" if horizontal else "v", "object_type": "line"}


def _closing_edges(edges: list[dict]) -> list[dict]:
    """A table cut by a page break often has no rule along the cut: where two or more column rules end (or start)
    at the same height with no horizontal rule there, draw one, so that the last (first) row still forms cells."""
    horizontals = [e for e in edges if e["orientation"] == "h"]
    out = []
    for end in ("bottom", "top"):
        groups: dict[int, list[dict]] = {}
        for e in edges:
            if e["orientation"] == "v":
                groups.setdefault(round(e[end] / 2), []).append(e)
        for verticals in groups.values():
            if len(verticals) < 2:
                continue
            y = sum(e[end] for e in verticals) / len(verticals)
            x0, x1 = min(e["x0"] for e in verticals), max(e["x0"] for e in verticals)
            if any(abs(h["top"] - y) <= 3 and h["x0"] <= x0 + 3 and h["x1"] >= x1 - 3 for h in horizontals):
                continue
            out.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0,
                        "orientation": "h", "object_type": "line"})
    return out


def cell_boxes(edges: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    """pdfplumber's lattice algorithm (snap and join edges, intersections, cells, tables) on our edges; tables of
    fewer than two rows or two columns (a framed paragraph, a rule under a heading) are dropped."""
    from pdfplumber import table as lattice

    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= 1]
    if not any(e["orientation"] == "v" for e in edges) or not any(e["orientation"] == "h" for e in edges):
        return []
    tol = lattice.DEFAULT_SNAP_TOLERANCE
    merged = lattice.merge_edges(edges, snap_x_tolerance=tol, snap_y_tolerance=tol,
                                 join_x_tolerance=lattice.DEFAULT_JOIN_TOLERANCE,
                                 join_y_tolerance=lattice.DEFAULT_JOIN_TOLERANCE)
    merged = [e for e in merged if (e["width"] if e["orientation"] == "h" else e["height"]) >= 3]
    closing = _closing_edges(merged)
    if closing:
        merged = lattice.merge_edges(merged + closing, snap_x_tolerance=tol, snap_y_tolerance=tol,
                                     join_x_tolerance=lattice.DEFAULT_JOIN_TOLERANCE,
                                     join_y_tolerance=lattice.DEFAULT_JOIN_TOLERANCE)
    cells = lattice.intersections_to_cells(lattice.edges_to_intersections(merged, 3, 3))
    return [group for group in lattice.cells_to_tables(cells)
            if len({round(b[0]) for b in group}) >= 2 and len({round(b[1]) for b in group}) >= 2]


# ---------------------------------------------------------------------------------------------------------------
# Putting table rows in place of the characters they cover


def _chars(textpage, full: str) -> list[_Char] | None:
    import pypdfium2.raw as c

    n = textpage.count_chars()
    if n != len(full):  # characters outside the BMP: indices no longer line up; keep the plain text
        return None
    out = []
    for i in range(n):
        left, bottom, right, top = textpage.get_charbox(i)
        out.append(_Char(i, full[i], bool(c.FPDFText_IsGenerated(textpage.raw, i)) or full[i] in "\r\n",
                         (left + right) / 2, (bottom + top) / 2))
    return out


def _compose(chars: list[_Char], tables_boxes, height: float, page_number: int) -> tuple[str, list[Table]]:
    """Page text with each table's characters replaced by its rows, placed where the table's first character was."""
    owner: dict[int, tuple[int, int]] = {}  # char index -> (table, cell)
    for t, boxes in enumerate(tables_boxes):
        tx0, ttop = min(b[0] for b in boxes), min(b[1] for b in boxes)
        tx1, tbottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        inside = [ch for ch in chars if not ch.generated and ch.index not in owner
                  and tx0 <= ch.x <= tx1 and height - tbottom <= ch.y <= height - ttop]
        for k, (x0, top, x1, bottom) in enumerate(boxes):
            y0, y1 = height - bottom, height - top
            for ch in inside:
                if ch.index not in owner and x0 <= ch.x <= x1 and y0 <= ch.y <= y1:
                    owner[ch.index] = (t, k)

    # each cell's text: its characters in PDFium order, a generated line break kept as a break
    cell_chars: dict[tuple[int, int], list[str]] = {}
    last_cell: tuple[int, int] | None = None
    for ch in chars:
        if ch.generated:
            if last_cell is not None and ch.text in "\r\n":
                cell_chars.setdefault(last_cell, []).append("\n")
            elif last_cell is not None:
                cell_chars.setdefault(last_cell, []).append(" ")
            continue
        last_cell = owner.get(ch.index)
        if last_cell is not None:
            cell_chars.setdefault(last_cell, []).append(ch.text)

    tables = [_table(boxes, {k: "".join(v) for (t2, k), v in cell_chars.items() if t2 == t}, page_number)
              for t, boxes in enumerate(tables_boxes)]

    out: list[str] = []
    placed: set[int] = set()
    previous_in_table = False
    for ch in chars:
        if ch.generated:
            if not previous_in_table:
                out.append(ch.text)
            continue
        where = owner.get(ch.index)
        if where is None:
            out.append(ch.text)
            previous_in_table = False
            continue
        previous_in_table = True
        t = where[0]
        if t not in placed:
            placed.add(t)
            if out and not "".join(out[-2:]).endswith("\n"):
                out.append("\n")
            out.append("\n".join(table_lines(tables[t])))
            out.append("\n")
    return "".join(out), [t for i, t in enumerate(tables) if i in placed]


def _table(boxes, texts: dict[int, str], page_number: int) -> Table:
    """pdfplumber cell boxes → rows of Cells with spans, from the distinct cell edges."""
    xs = sorted({round(b[0], 1) for b in boxes} | {round(b[2], 1) for b in boxes})
    ys = sorted({round(b[1], 1) for b in boxes} | {round(b[3], 1) for b in boxes})

    def span(lo: float, hi: float, edges: list[float]) -> int:
        return max(1, sum(1 for e in edges if lo - 0.5 <= e < hi - 0.5))

    order = sorted(range(len(boxes)), key=lambda k: (round(boxes[k][1], 1), boxes[k][0]))
    rows: list[list[Cell]] = []
    current_top = None
    for k in order:
        x0, top, x1, bottom = boxes[k]
        cell = Cell(join_cell_lines(texts.get(k, "")), rowspan=span(top, bottom, ys), colspan=span(x0, x1, xs))
        if current_top is None or round(top, 1) != current_top:
            rows.append([])
            current_top = round(top, 1)
        rows[-1].append(cell)
    return Table(rows=rows, page=page_number)


def _garbled(text: str) -> bool:
    """True when a page's text is glyph codes rather than characters: control characters among the text, or under
    95 % of it CJK, ASCII or the punctuation and symbols reports use (intact pages measure 100 %)."""
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < 20:
        return False
    controls = sum(1 for ch in visible if ord(ch) < 32)
    good = sum(1 for ch in visible if " " < ch <= "~" or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
               or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u206f" or "\u3400" <= ch <= "\u4dbf"
               or "\u2150" <= ch <= "\u218f" or "\u2460" <= ch <= "\u27bf" or ch in "·×÷°±√№¥§")
    return controls * 50 > len(visible) or good < 0.95 * len(visible)


def _same_characters(a: str, b: str) -> bool:
    from collections import Counter

    return Counter(ch for ch in a if not ch.isspace()) == Counter(ch for ch in b if not ch.isspace())


# ---------------------------------------------------------------------------------------------------------------
# Small helpers


def _lines(text: str) -> str:
    """PDFium's CRLF line ends → '\\n', trailing spaces dropped, no blank runs at the ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\ufffe", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _strip_page_numbers(text: str) -> str:
    """Drop a '- 3 -' line at the head or foot of a page's text: it is the printed page number, never body text."""
    lines = text.split("\n")
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _metadata(pdf) -> dict[str, str]:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        return {}
    meta: dict[str, str] = {}
    for key, ours in (("Title", "title"), ("Author", "author"), ("Subject", "subject"), ("Keywords", "keywords"),
                      ("CreationDate", "created"), ("ModDate", "modified")):
        value = (info.get(key) or "").strip().replace("\x00", "")
        if value:
            meta[ours] = _pdf_date(value) if ours in ("created", "modified") else value
    return meta


def _pdf_date(value: str) -> str:
    """'D:20250225100250+08'00'' → '2025-02-25T10:02:50' (the raw string if it is not a PDF date)."""
    m = re.match(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value)
    if not m:
        return value
    y, mo, d, h, mi, s = m.groups()
    out = f"{y}-{mo or '01'}-{d or '01'}"
    return out + (f"T{h}:{mi or '00'}:{s or '00'}" if h else "")


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def _pages(numbers: list[int]) -> str:
    """Page ranges for a Chinese message: '3–4、6'."""
    return _ranges(numbers).replace(", ", "、")


def _reason(e: Exception) -> str:
    s = str(e)
    m = re.search(r"PDFium: ([^)]*)", s)
    return (m.group(1) if m else s).strip().rstrip(".") or type(e).__name__


_OBJ = re.compile(rb"(?:^|[\r\n\s])(\d{1,10})\s+(\d{1,5})\s+obj\b")


def rebuild_xref(data: bytes) -> bytes | None:
    """A truncated PDF loses its cross-reference table (at the end): rebuild one from the 'N G obj' markers so the
    pages that are complete can still be read.  Returns None if there is nothing to rebuild from."""
    offsets: dict[int, tuple[int, int]] = {}
    for m in _OBJ.finditer(data):
        start = m.start(1)
        end = data.find(b"endobj", m.end())
        if end < 0:
            continue  # the object cut off by the truncation
        offsets[int(m.group(1))] = (start, int(m.group(2)))
    root = None
    for number, (start, _gen) in offsets.items():
        end = data.find(b"endobj", start)
        if re.search(rb"/Type\s*/Catalog\b", data[start:end]):
            root = number
    if root is None or not offsets:
        return None
    body = data if data.endswith(b"\n") else data + b"\n"
    # keep only complete objects: cut at the last 'endobj'
    cut = body.rfind(b"endobj")
    body = body[: cut + len(b"endobj")] + b"\n"
    size = max(offsets) + 1
    entries = [b"0000000000 65535 f \n"]
    for n in range(1, size):
        if n in offsets:
            entries.append(b"%010d %05d n \n" % offsets[n])
        else:
            entries.append(b"0000000000 00000 f \n")
    xref_at = len(body)
    trailer = b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref_at)
    return body + b"xref\n0 %d\n" % size + b"".join(entries) + trailer
