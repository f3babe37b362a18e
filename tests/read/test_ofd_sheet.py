"""OFD (GB/T 33190) and spreadsheet (.xlsx/.xls) attachments (issue 11, item 8): read into the same Document text
and tables as the other formats, so the labelled reports give their labelled fields from them too."""

from __future__ import annotations

import io
import math
import zipfile

import pytest

from indexer.model import ReadError
from indexer.parse import parse_document
from indexer.read import detect_format, read_bytes

from labelled import label_cases

SIZE = 3.5  # mm, the font size of every text run
LINE = 5.0  # mm between baselines
PAGE_LINES = 40
LABEL_WIDTH = 130  # mm: the first column holds the row labels
COLUMN_WIDTH = 22  # mm: each figure column


def _cases(*names):
    return [c for c in label_cases() if c.values[0].name in names]


def build_ofd(text: str, per_char_lines: bool = True, footer: str | None = None) -> bytes:
    """An OFD package laying ``text`` out as a word processor exports it: a TextObject per line (per tab cell, the
    cells in fixed columns), some lines as one TextCode per glyph with DeltaX; with ``footer``, a template page
    prints it at the foot of every page, beside the page's own number (- n -)."""
    lines = text.split("\n")
    pages = [lines[i:i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)]
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    parts: dict[str, str] = {}
    obj_id = 100
    for n, page in enumerate(pages):
        objs = []
        for row, line in enumerate(page):
            y = 20 + row * LINE
            for col, cell in enumerate(line.split("\t")):
                x = 20.0 if col == 0 else 20.0 + LABEL_WIDTH + (col - 1) * COLUMN_WIDTH  # a table's fixed columns
                if cell.strip():
                    obj_id += 1
                    width = SIZE * len(cell) if col == 0 or "\t" not in line else min(SIZE * len(cell), 18)
                    if per_char_lines and row % 3 == 0 and "\t" not in line:  # glyph by glyph, advances in DeltaX
                        code = (f'<ofd:TextCode X="0" Y="{SIZE}" DeltaX="g {len(cell) - 1} {SIZE}">'
                                f'{_esc(cell)}</ofd:TextCode>')
                    else:
                        code = f'<ofd:TextCode X="0" Y="{SIZE}">{_esc(cell)}</ofd:TextCode>'
                    objs.append(f'<ofd:TextObject ID="{obj_id}" Boundary="{x} {y} {width} {LINE}" Font="1" '
                                f'Size="{SIZE}">{code}</ofd:TextObject>')
        if footer:
            objs.append(f'<ofd:TextObject ID="{n + 1}" Boundary="100 285 20 6" Size="{SIZE}"><ofd:TextCode X="0" '
                        f'Y="{SIZE}">- {n + 1} -</ofd:TextCode></ofd:TextObject>')
        template = '<ofd:Template TemplateID="2"/>' if footer else ""
        parts[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}>{template}<ofd:Content><ofd:Layer ID="1">'
            + "".join(objs) + "</ofd:Layer></ofd:Content></ofd:Page>")
    if footer:
        parts["Doc_0/Tpls/Tpl_0/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="3">'
            f'<ofd:TextObject ID="4" Boundary="20 278 150 6" Size="{SIZE}"><ofd:TextCode X="0" Y="{SIZE}">'
            f'{_esc(footer)}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    page_list = "".join(f'<ofd:Page ID="{10 + n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
    tpl = '<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if footer else ""
    parts["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData><ofd:PageArea>'
        f'<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>{tpl}</ofd:CommonData>'
        f'<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>')
    parts["OFD.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
                        '<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>'
                        '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ["OFD.xml"] + sorted(k for k in parts if k != "OFD.xml"):
            z.writestr(name, parts[name])
    return buf.getvalue()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrong(fields, want):
    return {k: (fields.get(k), v) for k, v in want.items()
            if k not in fields or not math.isclose(fields[k], v, abs_tol=1e-6)}


@pytest.mark.parametrize("path,expected", _cases("jiangsu-018.txt", "jiangsu-019.txt", "jiangsu-017.txt"))
def test_ofd_report_gives_its_labelled_fields(path, expected):
    text = path.read_text(encoding="utf-8")
    data = build_ofd(text, footer="本页由公开办印制")
    assert detect_format(data, "report") == "ofd"  # by content: OFD.xml in the zip
    doc = read_bytes(data, "report.ofd")
    assert doc.format == "ofd" and doc.text.count("本页由公开办印制") == -(-len(text.split("\n")) // PAGE_LINES) > 2
    report = parse_document(doc)
    assert not _wrong(report.fields, expected["fields"])
    assert report.title == expected["title"] and report.year == expected["year"]
    assert not any("本页由公开办印制" in s.text for s in report.sections)  # the running footer is gone


def test_table_columns_from_positions():
    """Figures placed in fixed columns keep their columns when a cell is blank; OCR marks an unseen cell '?'."""
    from indexer.read.boxes import Box, layout_lines

    def cell(text, col, row):
        x = 10 + col * 30 if col else 0
        return Box(text, x, row * 10, x + (8 if col else 40), row * 10 + 5)

    boxes = [cell("一、本年新收", 0, 0), cell("5", 1, 0), cell("2", 2, 0), cell("7", 3, 0),
             cell("二、上年结转", 0, 1), cell("1", 1, 1), cell("1", 3, 1),
             cell("（一）予以公开", 0, 2), cell("6", 1, 2), cell("2", 2, 2), cell("8", 3, 2)]
    assert layout_lines(boxes) == ["一、本年新收\t5\t2\t7", "二、上年结转\t1\t\t1", "（一）予以公开\t6\t2\t8"]
    assert layout_lines(boxes, blank="?")[1] == "二、上年结转\t1\t?\t1"
    prose = [Box("第一行正文", 0, 0, 100, 5), Box("第二行", 0, 10, 60, 15)]
    assert layout_lines(prose) == ["第一行正文", "第二行"]


def test_ofd_damage_is_one_clear_line():
    with pytest.raises(ReadError, match="^x.ofd：不是 OFD 文件（不是 zip 压缩包）$"):
        read_bytes(b"PK\x03\x04 not really a zip", "x.ofd")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                              '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    with pytest.raises(ReadError, match="^y.ofd：OFD 文件缺少文档 Doc_0/Document.xml$"):
        read_bytes(buf.getvalue(), "y.ofd")


def _table_three(fields: dict) -> list[list]:
    """Table 三 of a report as a statistics workbook lays it out: title, the applicant header rows, one row per
    printed label with its seven figures; the labelled figures fill it."""
    from indexer.parse.tables.catalogue import APPLY_COLUMNS, apply_rows

    split = any(k.startswith("apply.result.other.no_correction.") for k in fields)
    rows: list[list] = [["三、收到和处理政府信息公开申请情况"], ["", "申请人情况"],
                        ["", "自然人", "法人或其他组织", "", "", "", "", "总计"],
                        ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]]
    top, sub = 0, 0
    for row in apply_rows(split):
        label = row.label
        if row.key == "result.other.misc" or row.key.count(".") == 2:  # 1.属于国家秘密 … under its parent
            sub += 1
            label = f"{sub}.{label}"
        elif row.key.startswith("result."):
            top, sub = top + 1, 0
            label = f"（{'一二三四五六七'[top - 1]}）{label}"
        values = [fields.get(f"apply.{row.key}.{c}") for c, _ in APPLY_COLUMNS] if row.data else []
        rows.append([label] + values)
    return rows


@pytest.mark.parametrize("path,expected", _cases("jiangsu-019.txt", "jiangsu-017.txt"))
def test_xlsx_statistics_attachment(path, expected):
    import openpyxl

    want = {k: v for k, v in expected["fields"].items() if k.startswith("apply.")}
    book = openpyxl.Workbook()
    sheet = book.active
    for row in _table_three(want):
        sheet.append(row)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)  # the title across the table
    sheet.merge_cells(start_row=3, start_column=3, end_row=3, end_column=7)  # 法人或其他组织 over five columns
    buf = io.BytesIO()
    book.save(buf)
    doc = read_bytes(buf.getvalue(), "附件.xlsx")
    assert doc.format == "xlsx" and doc.tables and doc.tables[0].rows[0][0].colspan == 8
    fields = parse_document(doc).fields
    assert len(want) > 100 and not _wrong(fields, want)


def test_xls_by_content_and_damage():
    assert detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "Workbook".encode("utf-16-le"),
                         "a") == "xls"
    assert detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.wps") == "doc"  # .wps keeps working
    with pytest.raises(ReadError, match="^b.xls：无法读取这个 XLS 文件，文件可能已损坏（"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "b.xls")


def test_xls_workbook_is_read():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("表三")
    for r, row in enumerate([["", "自然人", "总计"], ["一、本年新收政府信息公开申请数量", 21, 21]]):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    buf = io.BytesIO()
    book.save(buf)
    doc = read_bytes(buf.getvalue(), "stat.xls")
    assert doc.format == "xls"
    assert "一、本年新收政府信息公开申请数量\t21\t21" in doc.text.split("\n")
