"""Readers: any report file → Document (text in reading order, tables with their cell structure, metadata)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from indexer.model import Document, ReadError
from indexer.read import decode_text, detect_format, join_cell_lines, read_bytes, read_file

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
RAW = SAMPLES / "real" / "raw"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readers"
LABELS = json.loads((Path(__file__).resolve().parents[1] / "labels" / "labels-real.json").read_text(encoding="utf-8"))
PDFS = {"017_szfgs2024.pdf": "jiangsu-017.txt", "018_hzq2023_working.pdf": "jiangsu-018.txt",
        "019_hzq2024_working.pdf": "jiangsu-019.txt"}
APPLY_ORDER = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------------------------------------------------------
# Plain text and encodings


SEED_TEXTS = sorted((SAMPLES / "seeds").glob("*.txt")) + sorted((SAMPLES / "real").glob("*.txt"))


@pytest.mark.parametrize("path", SEED_TEXTS, ids=lambda p: p.name)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_in_any_chinese_encoding_reads_back_exactly(path, encoding):
    original = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    expected = original.replace("\x0c", "\n")  # a form feed (page break in PDF dumps) ends a line
    try:
        data = original.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"{path.name} has characters outside {encoding}")
    doc = read_bytes(data, path.name)
    assert doc.format == "txt"
    assert doc.text == expected


def test_gb2312_and_short_gbk_snippets():
    for text in ("年度报告", "政府信息公开工作年度报告\n一、总体情况", "主动公开政府信息425条。"):
        assert decode_text(text.encode("gb2312"))[0] == text
        assert decode_text(text.encode("gbk"))[0] == text


def test_gb18030_is_preferred_over_gbk_for_characters_gbk_lacks():
    # 㧑 (U+39D1, CJK Ext A) and € exist in GB18030 but not in GB2312; 镕 is GBK-only (not GB2312)
    text = "朱镕基同志讲话精神：㧑谦，费用100€。本年度报告由县政府办公室编制。"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    decoded, encoding = decode_text(data)
    assert decoded == text and encoding == "gb18030"


def test_line_endings_are_normalised_and_text_is_not_cleaned():
    raw = " 青 铜 峡 市\r\n2020年\r\n\r\n**政务公\r开培训**\u2028下一行".encode("utf-8")
    doc = read_bytes(raw, "a.md")
    assert doc.text == " 青 铜 峡 市\n2020年\n\n**政务公\n开培训**\n下一行"


def test_utf16_without_bom_is_still_read():
    text = "西宁市2019年政府信息公开工作年度报告\n一、总体情况\n" * 5
    assert read_bytes(text.encode("utf-16-le"), "x.txt").text.startswith("西宁市2019年")


# ---------------------------------------------------------------------------------------------------------------
# Choosing the reader


def test_format_is_chosen_by_magic_bytes_then_name_then_content_type():
    pdf = (RAW / "017_szfgs2024.pdf").read_bytes()
    assert detect_format(pdf, "report.txt") == "pdf"
    assert detect_format(pdf, "https://x.gov.cn/download?id=3", "application/octet-stream") == "pdf"
    assert detect_format(b"<p>x</p>", "page", "text/html; charset=utf-8") == "html"
    assert detect_format("<!DOCTYPE html><html>".encode(), "a.txt") == "html"
    assert detect_format("年度报告".encode(), "noext", "text/plain") == "txt"
    # images are read by OCR since issue 11 (before, a PNG was refused)
    assert detect_format(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "x.png") == "image"
    assert detect_format(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "x.txt") == "image"
    assert detect_format(b"PK\x03\x04rest", "x.zip") is None
    assert detect_format(b"PK\x03\x04rest", "x.docx") == "docx"
    assert detect_format(b"<html><body>Word as web page</body></html>", "x.doc") == "html"


def test_unreadable_input_gives_one_line_errors_naming_the_file(tmp_path):
    cases = {
        "empty.txt": b"",
        "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        "fake.pdf": b"this is not a pdf at all",
        "empty.docx": b"PK\x03\x04 not really a zip",
        "truncated.pdf": (RAW / "017_szfgs2024.pdf").read_bytes()[:3000],
    }
    for name, data in cases.items():
        with pytest.raises(ReadError) as err:
            read_bytes(data, f"/some/dir/{name}")
        message = str(err.value)
        assert message.startswith(f"{name}：") and "\n" not in message, message
    with pytest.raises(ReadError, match="^missing.txt：无法打开文件（文件不存在）$"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(ReadError, match="^truncated.pdf：PDF 文件不完整或已损坏（"):
        read_bytes(cases["truncated.pdf"], "truncated.pdf")


def test_inputs_without_text_are_errors():
    with pytest.raises(ReadError, match="^blank.txt：文件中没有文字$"):
        read_bytes(b" \r\n\t\n", "blank.txt")
    with pytest.raises(ReadError, match="^binary.txt：不支持的文件类型：文件名是 .txt，内容却是二进制数据，不是任何编码的文本$"):
        read_bytes(bytes(range(256)) * 4, "binary.txt")
    with pytest.raises(ReadError, match="^app.html：HTML 页面没有正文文字（可能用了框架，或内容由脚本加载）$"):
        read_bytes(b"<html><body><div id='app'></div><script>render()</script></body></html>", "app.html")


def test_meta_passed_in_is_merged_over_the_files_own(tmp_path):
    page = (FIXTURES / "trs_page.html").read_text(encoding="utf-8").replace("{{TITLE}}", "某报告").replace(
        "{{CONTENT}}", "<p>正文第一段。</p>" * 3)
    doc = read_bytes(page.encode(), "https://www.example.gov.cn/a/b.html",
                     meta={"url": "https://www.example.gov.cn/a/b.html", "published": "2020-01-21", "x": None})
    assert doc.meta["url"] == "https://www.example.gov.cn/a/b.html"
    assert doc.meta["published"] == "2020-01-21"
    assert "x" not in doc.meta
    assert doc.meta["column"] == "政府信息公开年报"


# ---------------------------------------------------------------------------------------------------------------
# HTML


def test_shanghai_fragment_text_tables_and_entities():
    doc = read_file(SAMPLES / "real" / "shanghai-020.html")
    assert doc.format == "html"
    lines = doc.text.split("\n")
    assert lines[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert lines[1] == "发布日期：2020-01-31"
    assert doc.meta["published"] == "2020-01-31"
    assert "《上海市贯彻<长江三角洲区域一体化发展规划纲要>实施方案》" in doc.text
    assert "&lt;" not in doc.text and "&nbsp;" not in doc.text
    for phrase in LABELS["shanghai-020.html"]["phrases"]:
        assert phrase in doc.text

    assert len(doc.tables) == 3
    active, apply, review = doc.tables
    assert [c.text for c in active.rows[1]] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert active.rows[0][0].text == "第二十条第（一）项" and active.rows[0][0].colspan == 5
    assert "规章\t13\t13\t524" in lines
    # 三: 申请人情况 header, the row-label column and blank cells (&nbsp;) kept as empty strings
    grid = apply.text_rows()
    new = next(r for r in grid if r[0].startswith("一、本年新收"))
    assert new[-7:] == ["821", "35", "", "", "2", "1", "859"]
    total = next(r for r in grid if "（七）总计" in r)
    assert total[-7:] == ["767", "35", "", "", "2", "1", "805"]
    assert review.text_rows()[-1][:5] == ["5", "", "", "2", "7"]
    # every table row is one text line, in place between the headings
    assert doc.text.index("二、主动公开政府信息情况") < doc.text.index("规章\t13\t13\t524") < doc.text.index(
        "三、收到和处理政府信息公开申请情况") < doc.text.index("一、本年新收政府信息公开申请数量\t821")


def test_shanghai_fragment_loses_no_paragraph():
    import lxml.html

    source = (SAMPLES / "real" / "shanghai-020.html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(source)
    text = squash(read_file(SAMPLES / "real" / "shanghai-020.html").text)
    for p in root.iter("p"):
        if p.xpath("ancestor::table"):
            continue
        assert squash(p.text_content().replace("\xa0", "")) in text


def _report_parts():
    """Title, body paragraphs and a 2019-format table block taken from seed 000 (武威市2019)."""
    lines = [line.strip() for line in (SAMPLES / "seeds" / "000_9cc224736a79167a.txt").read_text(
        encoding="utf-8").split("\n") if line.strip()]
    title, paragraphs = lines[0], lines[1:30]
    table = ("<table border='1' cellspacing='0'><tbody>"
             "<tr><td colspan='4'><p align='center'>第二十条第（六）项</p></td></tr>"
             "<tr><td>信息内容</td><td>上一年<br />项目数量</td><td>本年<br>增/减</td><td>处理决定<br/>数量</td></tr>"
             "<tr><td>行政处罚</td><td>1817</td><td>增355</td><td>37586</td></tr>"
             "<tr><td>行政强制</td><td>139</td><td>增23</td><td>1169</td></tr>"
             "</tbody></table>")
    return title, paragraphs, table


def _page(template: str, indent: str = "") -> tuple[str, str, list[str]]:
    title, paragraphs, table = _report_parts()
    content = "\n".join(f"{indent}<p style='text-indent:2em'>&nbsp;&nbsp;{p}</p>" for p in paragraphs[:15])
    content += "\n" + table + "\n" + "\n".join(f"<p>{p}</p>" for p in paragraphs[15:])
    html = (FIXTURES / template).read_text(encoding="utf-8").replace("{{TITLE}}", title).replace("{{CONTENT}}", content)
    return html, title, paragraphs


CHROME = ["当前位置", "您当前的位置", "您的位置", "首页 >", "首页 /", "政务服务", "互动交流", "网站标识码", "ICP备", "公网安备", "主办单位", "承办单位",
          "技术支持", "打印本页", "关闭窗口", "【打印】", "【关闭】", "字号", "字体", "微信", "微博", "QQ空间", "浏览次数", "点击数",
          "阅读次数", "分享到", "版权所有", "Copyright", "网站地图", "上一篇", "下一篇", "相关文章", "扫一扫", "统计代码",
          "政府信息公开指南", "栏目导航", "咨询电话", "无障碍", "请输入关键字", "欢迎访问", "var _hmt"]


@pytest.mark.parametrize("template,encoding", [("trs_page.html", "utf-8"), ("hanweb_page.html", "gb18030"),
                                               ("hanweb_page.html", "gbk"), ("plain_layout_page.html", "utf-8")])
def test_cms_page_keeps_the_report_and_drops_the_site(template, encoding):
    html, title, paragraphs = _page(template)
    doc = read_bytes(html.encode(encoding), f"https://www.example.gov.cn/art/{template}")
    lines = doc.text.split("\n")
    assert lines[0] == title
    for p in paragraphs:
        assert p in lines, p
    assert "信息内容\t上一年项目数量\t本年增/减\t处理决定数量" in lines
    assert "行政处罚\t1817\t增355\t37586" in lines
    assert len(doc.tables) == 1 and doc.tables[0].rows[0][0].colspan == 4
    report = "\n".join([title, *paragraphs])
    for word in CHROME:  # no more occurrences than the report itself has
        assert doc.text.count(word) == report.count(word), word
    assert doc.meta["title"] == title
    assert doc.meta["published"].startswith(("2020-01-20", "2021年01月25日"))
    assert doc.meta.get("content_source")


def test_trs_page_metadata_from_meta_tags():
    html, title, _ = _page("trs_page.html")
    doc = read_bytes(html.encode(), "page.html")
    assert doc.meta["title"] == title
    assert doc.meta["published"] == "2020-01-20 10:31"
    assert doc.meta["content_source"] == "武威市人民政府办公室"
    assert doc.meta["column"] == "政府信息公开年报"
    assert doc.meta["keywords"] == "政府信息公开,年度报告"
    assert doc.meta["site"] == "武威市人民政府"
    assert doc.meta["html_title"].startswith(title + "_")


def test_layout_page_metadata_from_visible_lines():
    html, title, _ = _page("plain_layout_page.html")
    doc = read_bytes(html.encode(), "page.html")
    assert doc.meta["title"] == title  # from <title>, site name after '-' dropped
    assert doc.meta["published"] == "2021年01月25日"
    assert doc.meta["content_source"] == "某某县人民政府办公室"


def test_html_whitespace_entities_and_breaks():
    html = ("<div><p>　　一、总体情况</p><p>2019年，某市坚持以习近平新时代\n      中国特色社会主义思想为指导，"
            "“放管服”&amp;改革&#x3001;深化。</p>第一行<br>第二行<br/>第三行"
            "<p>联系电话：0935-2212345，网址：http://www.example.gov.cn  ，邮编：733000</p></div>")
    doc = read_bytes(html.encode(), "f.htm")
    assert doc.text.split("\n") == [
        "一、总体情况",
        "2019年，某市坚持以习近平新时代中国特色社会主义思想为指导，“放管服”&改革、深化。",
        "第一行", "第二行", "第三行",
        "联系电话：0935-2212345，网址：http://www.example.gov.cn ，邮编：733000",
    ]


def test_xhtml_with_xml_declaration_and_bom():
    for page in ('<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>正文第一段。</p></body></html>',
                 '\ufeff<!-- TRS -->\n<html><body><p>正文第一段。</p></body></html>'):
        assert read_bytes(page.encode("utf-8"), "x.html").text == "正文第一段。"


def test_html_layout_tables_are_not_data_tables():
    html = ("<table><tr><td><table width='100%'><tr><td>" + "<p>本年度共受理申请5件。</p>" * 20 +
            "</td></tr></table></td></tr></table>")
    doc = read_bytes(html.encode(), "x.html")
    assert doc.tables == [] and doc.text.count("本年度共受理申请5件。") == 20 and "\t" not in doc.text


def test_html_single_layout_table_with_a_report_cell_is_not_a_data_table():
    _, paragraphs, table = _report_parts()
    html = ("<table><tr><td width=200><a href='#'>政府信息公开指南</a><br><a href='#'>年报</a></td><td>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + table + "</td></tr>"
            "<tr><td colspan=2>网站标识码：6206000001</td></tr></table>")
    doc = read_bytes(html.encode(), "x.html")
    assert len(doc.tables) == 1 and doc.tables[0].rows[0][0].text == "第二十条第（六）项"
    for p in paragraphs:
        assert p in doc.text.split("\n")


def test_report_sentences_that_mention_chrome_words_stay_whole():
    lines = ["通过政务微博、微信公众号发布信息3200条，网站首页设置年报专栏。",
             "相关信息已在政府网站公开。", "分享到朋友圈的政策解读阅读量达10万次，点击数逐年上升。"]
    doc = read_bytes("".join(f"<p>{x}</p>" for x in lines).encode(), "x.html")
    assert doc.text.split("\n") == lines


def test_html_rowspan_colspan_structure():
    html = ("<table border=1><tr><td rowspan='2' colspan='2'>（本列数据的勾稽关系为：第一项加第二项之和，<br/>等于第三项加第四项之和）</td>"
            "<td colspan=7>申请人情况</td></tr><tr><td>自然人</td><td colspan=\"5\">法人或其他组织</td><td>总计</td></tr>"
            "<tr><td rowspan=2>三、本年度<br>办理结果</td><td>（一）予以公开</td>" + "<td>1</td>" * 7 + "</tr>"
            "<tr><td>（二）部分公开</td>" + "<td>&nbsp;</td>" * 7 + "</tr></table>")
    table = read_bytes(html.encode(), "t.html").tables[0]
    assert table.rows[0][0].text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert (table.rows[0][0].rowspan, table.rows[0][0].colspan) == (2, 2)
    assert table.rows[2][0].text == "三、本年度办理结果" and table.rows[2][0].rowspan == 2
    grid = table.text_rows()
    assert len(grid) == 4 and all(len(r) == 9 for r in grid)
    assert grid[3][0] == "三、本年度办理结果" and grid[3][2:] == [""] * 7


def test_join_cell_lines_rules():
    assert join_cell_lines("本年新\n制作数量") == "本年新制作数量"
    assert join_cell_lines("商 业\n企 业") == "商业企业"
    assert join_cell_lines("Total\namount") == "Total amount"
    assert join_cell_lines(" 251000 元 ") == "251000元"
    assert join_cell_lines("12\n34") == "12 34"


# ---------------------------------------------------------------------------------------------------------------
# PDF


def _pdfium_page_texts(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _expected_apply_rows(fields: dict) -> dict[str, list[str]]:
    groups: dict[str, dict[str, float]] = {}
    for key, value in fields.items():
        if key.startswith("apply."):
            prefix, last = key.rsplit(".", 1)
            groups.setdefault(prefix, {})[last] = value
    return {p: [str(v[k]) for k in APPLY_ORDER] for p, v in groups.items() if all(k in v for k in APPLY_ORDER)}


@pytest.fixture(scope="module")
def pdf_docs() -> dict[str, Document]:
    return {name: read_file(RAW / name) for name in PDFS}


@pytest.mark.parametrize("name", PDFS)
def test_pdf_statistics_tables_come_out_with_correct_cells(pdf_docs, name):
    doc = pdf_docs[name]
    fields = LABELS[PDFS[name]]["fields"]
    rows = [r for t in doc.tables for r in t.text_rows()]
    # 三: every labelled row is a table row ending in its seven values
    expected = _expected_apply_rows(fields)
    assert len(expected) >= 20
    for key, values in expected.items():
        assert any(r[-7:] == values for r in rows), key
    # 四: one row of fifteen values
    review = [str(fields[f"{g}.{k}"]) for g in ("review", "litigation.direct", "litigation.after_review")
              for k in ("upheld", "corrected", "other", "pending", "total")]
    assert review in [r[-15:] for r in rows]
    # 二: 规章 and 行政规范性文件 with their three values, the (八) fee row
    assert ["规章", *(str(fields[f"active.rules.{k}"]) for k in ("issued", "repealed", "in_force"))] in rows
    assert ["行政规范性文件", *(str(fields[f"active.normative.{k}"]) for k in ("issued", "repealed", "in_force"))] in rows
    fee = next(r for r in rows if r[0] == "行政事业性收费")
    assert float(fee[1]) == fields["active.fees.amount_wan"]
    assert all(t.page is not None for t in doc.tables)


@pytest.mark.parametrize("name", PDFS)
def test_pdf_text_has_every_character_once_and_tables_in_place(pdf_docs, name):
    doc = pdf_docs[name]
    data = (RAW / name).read_bytes()
    pages = _pdfium_page_texts(data)
    page_number = re.compile(r"^\s*-\s*\d+\s*-\s*$")
    body = "\n".join(line for page in pages for line in page.replace("\r", "").split("\n")
                     if not page_number.match(line))
    visible = lambda s: Counter(ch for ch in s if not ch.isspace())  # noqa: E731
    assert visible(doc.text) == visible(body)
    assert not any(page_number.match(line) for line in doc.text.split("\n"))
    for phrase in LABELS[PDFS[name]]["phrases"]:
        assert squash(phrase) in squash(doc.text)
    # table rows replace the flattened cells, in reading order between the section headings
    text = doc.text
    first_row = next(i for i, line in enumerate(text.split("\n")) if line.startswith("一、本年新收政府信息公开申请数量\t"))
    lines = text.split("\n")
    assert lines.index("三、收到和处理政府信息公开申请情况") < first_row < lines.index("四、政府信息公开行政复议、行政诉讼情况")
    # the invisible white boxes behind each text line are not tables: body text never lands in a cell
    for t in doc.tables:
        assert len(t.grid()[0]) >= 2
        assert not any("本报告由" in c.text or "总体情况" in c.text for row in t.rows for c in row)


def test_pdf_metadata_and_title(pdf_docs):
    doc = pdf_docs["018_hzq2023_working.pdf"]
    assert doc.format == "pdf"
    assert doc.meta["title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert doc.meta["created"] == "2024-02-26T14:41:23"
    assert doc.meta["pages"] == "5"
    assert doc.text.split("\n")[:2] == ["洪泽区人民政府", "2023 年政府信息公开工作年度报告"]


def test_truncated_pdf_returns_its_readable_pages_with_a_warning():
    data = (RAW / "017_szfgs2024.pdf").read_bytes()
    doc = read_bytes(data[:404000], "cut.pdf")
    assert any("不完整或已损坏" in w for w in doc.warnings)
    assert any("共 6 页，第 6 页无法读取" in w for w in doc.warnings)
    assert "翔宇南道" in doc.text and "3940" not in doc.text  # page 1 kept, page 6 lost
    assert any(r[0].startswith("一、本年新收") for t in doc.tables for r in t.text_rows())
    cut_more = read_bytes(data[:270000], "cut.pdf")  # page 3's fonts are gone: its glyphs are not text
    assert all(ord(ch) >= 32 or ch in "\n\t" for ch in cut_more.text)
    assert any("页的文字无法解码（字体缺少 Unicode 映射），这些页已略去" in w for w in cut_more.warnings)


def test_pdf_without_text_layer_is_a_clear_error():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(ReadError, match="^empty.pdf：PDF 中没有能读取的文字（页面是空的，或内容已损坏）$"):
        read_bytes(buf.getvalue(), "empty.pdf")

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(pdfium.PdfBitmap.new_native(200, 100, pdfium.raw.FPDFBitmap_BGR))
    image.set_matrix(pdfium.PdfMatrix().scale(400, 200).translate(100, 500))
    page.insert_obj(image)
    page.gen_content()
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(ReadError, match="^scan.pdf：PDF 没有文字层（可能是扫描图像），.*OCR"):
        read_bytes(buf.getvalue(), "scan.pdf")


# ---------------------------------------------------------------------------------------------------------------
# DOCX


def _table3_2021_docx(path: Path, with_paragraphs: bool = True) -> dict:
    """A DOCX of the 2021-template report: paragraphs from jiangsu-017's text and table 三 laid out exactly as the
    template (3 header rows with merged cells, vertical merged 三、本年度办理结果) with 017's values."""
    import docx

    fields = LABELS["jiangsu-017.txt"]["fields"]
    d = docx.Document()
    d.core_properties.title = "淮安市人民政府2024年政府信息公开工作年度报告"
    d.core_properties.author = "淮安市人民政府办公室"
    d.add_paragraph("淮安市人民政府2024年政府信息公开工作年度报告")
    if with_paragraphs:
        d.add_paragraph("本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）规定编制。")
        d.add_paragraph("三、收到和处理政府信息公开申请情况")
    rows = [
        ("一、本年新收政府信息公开申请数量", None, None, "apply.new"),
        ("二、上年结转政府信息公开申请数量", None, None, "apply.carried_over"),
        ("三、本年度办理结果", "（一）予以公开", None, "apply.result.public"),
        (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "apply.result.partial"),
        (None, "（三）不予公开", "1.属于国家秘密", "apply.result.denied.state_secret"),
        (None, None, "2.其他法律行政法规禁止公开", "apply.result.denied.law_prohibited"),
        (None, None, "3.危及“三安全一稳定”", "apply.result.denied.security"),
        (None, None, "4.保护第三方合法权益", "apply.result.denied.third_party"),
        (None, None, "5.属于三类内部事务信息", "apply.result.denied.internal"),
        (None, None, "6.属于四类过程性信息", "apply.result.denied.process"),
        (None, None, "7.属于行政执法案卷", "apply.result.denied.enforcement"),
        (None, None, "8.属于行政查询事项", "apply.result.denied.query"),
        (None, "（四）无法提供", "1.本机关不掌握相关政府信息", "apply.result.unable.not_held"),
        (None, None, "2.没有现成信息需要另行制作", "apply.result.unable.needs_creation"),
        (None, None, "3.补正后申请内容仍不明确", "apply.result.unable.unclear"),
        (None, "（五）不予处理", "1.信访举报投诉类申请", "apply.result.rejected.petition"),
        (None, None, "2.重复申请", "apply.result.rejected.repeat"),
        (None, None, "3.要求提供公开出版物", "apply.result.rejected.publication"),
        (None, None, "4.无正当理由大量反复申请", "apply.result.rejected.mass"),
        (None, None, "5.要求行政机关确认或重新出具已获取信息", "apply.result.rejected.confirm"),
        (None, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "apply.result.other.no_correction"),
        (None, None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "apply.result.other.unpaid_fee"),
        (None, None, "3.其他", "apply.result.other.misc"),
        (None, "（七）总计", None, "apply.result.total"),
        ("四、结转下年度继续办理", None, None, "apply.carried_forward"),
    ]
    t = d.add_table(rows=3 + len(rows), cols=10)
    t.style = "Table Grid"
    a = t.cell(0, 0).merge(t.cell(2, 2))
    a.text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t.cell(0, 3).merge(t.cell(0, 9)).text = "申请人情况"
    t.cell(1, 3).merge(t.cell(2, 3)).text = "自然人"
    t.cell(1, 4).merge(t.cell(1, 8)).text = "法人或其他组织"
    t.cell(1, 9).merge(t.cell(2, 9)).text = "总计"
    for c, label in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"), start=4):
        t.cell(2, c).text = label
    for i, (l1, l2, l3, key) in enumerate(rows, start=3):
        for c, col in enumerate(APPLY_ORDER, start=3):
            t.cell(i, c).text = str(fields[f"{key}.{col}"])
    # labels: merges first (merging keeps the text of the merged cells), then the text
    t.cell(3, 0).merge(t.cell(3, 2)).text = rows[0][0]
    t.cell(4, 0).merge(t.cell(4, 2)).text = rows[1][0]
    t.cell(27, 0).merge(t.cell(27, 2)).text = rows[24][0]
    t.cell(5, 0).merge(t.cell(26, 0)).text = "三、本年度办理结果"
    t.cell(5, 1).merge(t.cell(5, 2)).text = "（一）予以公开"
    t.cell(6, 1).merge(t.cell(6, 2)).text = rows[3][1]
    t.cell(26, 1).merge(t.cell(26, 2)).text = "（七）总计"
    for first, last in ((7, 14), (15, 17), (18, 22), (23, 25)):
        t.cell(first, 1).merge(t.cell(last, 1)).text = rows[first - 3][1]
        for r in range(first, last + 1):
            t.cell(r, 2).text = rows[r - 3][2]
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    d.save(path)
    return fields


def test_docx_table_three_with_merged_cells(tmp_path):
    path = tmp_path / "淮安2024.docx"
    fields = _table3_2021_docx(path)
    doc = read_file(path)
    assert doc.format == "docx" and len(doc.tables) == 1
    table = doc.tables[0]
    head = table.rows[0][0]
    assert head.text.startswith("（本列数据的勾稽关系为") and (head.rowspan, head.colspan) == (3, 3)
    assert [(c.text, c.rowspan, c.colspan) for c in table.rows[0][1:]] == [("申请人情况", 1, 7)]
    assert [(c.text, c.rowspan, c.colspan) for c in table.rows[1]] == [
        ("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    assert [c.text for c in table.rows[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    vertical = table.rows[5][0]
    assert (vertical.text, vertical.rowspan, vertical.colspan) == ("三、本年度办理结果", 22, 1)
    denied = table.rows[7][0]
    assert (denied.text, denied.rowspan) == ("（三）不予公开", 8)
    grid = table.text_rows()
    assert len(grid) == 28 and all(len(r) == 10 for r in grid)
    assert grid[8] == ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开",
                       *(str(fields[f"apply.result.denied.law_prohibited.{k}"]) for k in APPLY_ORDER)]
    assert grid[27][:3] == ["四、结转下年度继续办理"] * 3
    assert grid[27][3:] == [str(fields[f"apply.carried_forward.{k}"]) for k in APPLY_ORDER]

    lines = doc.text.split("\n")
    assert lines[:3] == ["淮安市人民政府2024年政府信息公开工作年度报告",
                         "本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）规定编制。",
                         "三、收到和处理政府信息公开申请情况"]
    assert lines[3].startswith("（本列数据的勾稽关系为") and lines[3].endswith("\t申请人情况")
    assert lines[4] == "自然人\t法人或其他组织\t总计"
    assert lines[6] == "一、本年新收政府信息公开申请数量\t" + "\t".join(
        str(fields[f"apply.new.{k}"]) for k in APPLY_ORDER)
    assert lines[-1] == "四、政府信息公开行政复议、行政诉讼情况"
    assert doc.meta["title"] == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert doc.meta["author"] == "淮安市人民政府办公室"
    assert re.match(r"\d{4}-\d\d-\d\dT", doc.meta["created"])


def test_docx_paragraph_breaks_and_tabs(tmp_path):
    import docx

    d = docx.Document()
    p = d.add_paragraph("第一行")
    p.add_run().add_break()
    p.add_run("第二行\t（签章）")
    d.add_paragraph("")
    d.add_paragraph("2021年1月20日")
    path = tmp_path / "x.docx"
    d.save(path)
    doc = read_file(path)
    assert doc.text == "第一行\n第二行 （签章）\n\n2021年1月20日"


def test_docx_damaged_or_empty(tmp_path):
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    with pytest.raises(ReadError, match="^blank.docx：DOCX 文件中没有文字$"):
        read_file(path)
    whole = (tmp_path / "blank.docx").read_bytes()
    with pytest.raises(ReadError, match="^cut.docx："):
        read_bytes(whole[: len(whole) // 2], "cut.docx")


# ---------------------------------------------------------------------------------------------------------------
# Legacy .doc


def test_legacy_doc_errors(monkeypatch, tmp_path):
    with pytest.raises(ReadError, match="^old.doc：这是存为 .doc 的 RTF 文档，无法读取：请把文件另存为 .docx$"):
        read_bytes(b"{\\rtf1\\ansi 2019 report}", "old.doc")
    with pytest.raises(ReadError, match="^old.doc：不是 Word .doc 文件（没有 OLE2 文件头）$"):
        read_bytes(b"plain bytes that are not a doc", "old.doc")
    # without catdoc/antiword on PATH: a clear message that says what to do
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReadError, match=r"^old\.doc：旧版 \.doc 无法读取：本机缺少 Debian 软件包 catdoc.*\.docx$"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc")


def test_legacy_doc_damaged_is_a_one_line_error():
    from indexer.read.doc import converters

    if not converters():
        pytest.skip("neither catdoc nor antiword installed")
    with pytest.raises(ReadError) as err:
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc")
    assert str(err.value).startswith("old.doc：旧版 .doc 无法读取（") and "\n" not in str(err.value)


def test_password_protected_pdf_is_a_clear_error():
    # fixture: one page, AES-256 with a user password (made once with a PDF writer; not readable without it)
    with pytest.raises(ReadError, match="^password.pdf：PDF 已加密（有密码），无法读取$"):
        read_file(FIXTURES / "password.pdf")


def _pdf_with_ruled_table() -> bytes:
    """A one-page PDF written by hand: a paragraph, a 3×3 table whose cells are stroked rectangles (header cell
    spanning two columns, a grey shaded row behind the second row), a paragraph after it, and a page number."""
    ops = ["BT /F1 11 Tf 72 760 Td (Summary before the table.) Tj ET",
           "0.9 0.9 0.9 rg 72 640 300 30 re f 0 0 0 rg"]  # shading: filled, not stroked -> no rule
    x = [72, 172, 272, 372]
    y = [700, 670, 640, 610]  # row tops/bottoms (PDF y grows upwards)
    cells = [(0, 0, 1, "Item"), (0, 1, 3, "Values"),
             (1, 0, 1, "Rules"), (1, 1, 2, "13"), (1, 2, 3, "524"),
             (2, 0, 1, "Norms"), (2, 1, 2, "60"), (2, 2, 3, "368")]
    for row, c0, c1, text in cells:
        ops.append(f"0 0 0 RG 0.8 w {x[c0]} {y[row + 1]} {x[c1] - x[c0]} {y[row] - y[row + 1]} re S")
        ops.append(f"BT /F1 10 Tf {x[c0] + 6} {y[row + 1] + 10} Td ({text}) Tj ET")
    ops += ["BT /F1 11 Tf 72 580 Td (Text after the table.) Tj ET",
            "BT /F1 9 Tf 290 40 Td (- 1 -) Tj ET"]
    stream = "\n".join(ops).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_ruled_table_from_stroked_rectangles():
    doc = read_bytes(_pdf_with_ruled_table(), "ruled.pdf")
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.page == 1
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows] == [
        [("Item", 1, 1), ("Values", 1, 2)],
        [("Rules", 1, 1), ("13", 1, 1), ("524", 1, 1)],
        [("Norms", 1, 1), ("60", 1, 1), ("368", 1, 1)]]
    assert doc.text.split("\n") == ["Summary before the table.", "Item\tValues", "Rules\t13\t524", "Norms\t60\t368",
                                    "Text after the table."]


def test_pdf_truncated_after_its_pages_is_recovered():
    data = _pdf_with_ruled_table()
    cut = data[: data.index(b"xref")]  # the cross-reference table and trailer are lost
    doc = read_bytes(cut, "cut.pdf")
    assert "Norms\t60\t368" in doc.text and any("已重建它的交叉引用表" in w for w in doc.warnings)


def test_docx_automatic_numbering_is_rendered(tmp_path):
    """Headings numbered by Word lists (一、 （一） 1.) must come out with their numbers, as the reader sees them."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/>'
        '<w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def para(text, level=None):
        p = d.add_paragraph(text)
        if level is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    para("某县2021年政府信息公开工作年度报告")
    para("总体情况", 0)
    para("主动公开", 1)
    para("公开规章", 2)
    para("公开文件", 2)
    para("依申请公开", 1)
    para("主动公开政府信息情况", 0)
    para("第二十条第（一）项", 1)
    for i in range(9):
        para(f"其他{i}", 0)
    path = tmp_path / "numbered.docx"
    d.save(path)
    lines = read_file(path).text.split("\n")
    assert lines[:8] == ["某县2021年政府信息公开工作年度报告", "一、总体情况", "（一）主动公开", "1.公开规章", "2.公开文件",
                         "（二）依申请公开", "二、主动公开政府信息情况", "（一）第二十条第（一）项"]
    assert lines[-1] == "十一、其他8"


def test_cms_marker_holding_only_part_of_the_report_is_not_trusted():
    _, paragraphs, table = _report_parts()
    html = ("<html><body><div class='nav'><a href='/'>首页</a></div><div class='article'><h1>某县2019年报告</h1>"
            f"<div class='TRS_Editor'><p>{paragraphs[0]}</p></div>"
            "<div class='more'>" + "".join(f"<p>{p}</p>" for p in paragraphs[1:]) + table + "</div></div>"
            "<div class='footer'>网站标识码：1234000001</div></body></html>")
    doc = read_bytes(html.encode(), "x.html")
    lines = doc.text.split("\n")
    assert all(p in lines for p in paragraphs) and "行政处罚\t1817\t增355\t37586" in lines
    assert "网站标识码" not in doc.text


def test_short_first_paragraph_in_a_sibling_element_is_kept():
    _, paragraphs, _ = _report_parts()
    html = ("<body><div class='top'>某县人民政府</div><div class='wrap'><div class='intro'>" + paragraphs[0] + "</div>"
            "<div class='body'>" + "".join(f"<p>{p}</p>" for p in paragraphs[1:]) + "</div></div>"
            "<div class='bottom'>网站标识码：1234000001</div></body>")
    lines = read_bytes(html.encode(), "x.html").text.split("\n")
    assert lines[0] == paragraphs[0] and all(p in lines for p in paragraphs)
    assert "某县人民政府" not in lines


def test_info_lines_lose_their_chrome_and_keep_their_metadata():
    html = ("<div><div>来源：平潭县人民政府 时间：2014-02-25 00:00 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： --></div>"
            "<div>【字体：大 中 小】 【打印本页】 【关闭窗口】</div>"
            "<div>日期：2018-02-01 点击数:3337 作者:区政府办</div>"
            "<p>2013年，我局共主动公开政府信息45条。</p></div>")
    doc = read_bytes(html.encode(), "x.html")
    assert doc.text.split("\n") == ["来源：平潭县人民政府 时间：2014-02-25 00:00", "日期：2018-02-01 作者:区政府办",
                                    "2013年，我局共主动公开政府信息45条。"]
    assert doc.meta["content_source"] == "平潭县人民政府" and doc.meta["published"] == "2014-02-25 00:00"


def test_damaged_files_give_a_document_or_a_read_error_never_a_crash(tmp_path):
    """Truncations and corrupted bytes in every format: the reader either reads or raises ReadError."""
    import random

    _table3_2021_docx(tmp_path / "t.docx", with_paragraphs=False)
    html, _, _ = _page("trs_page.html")
    originals = {"a.pdf": (RAW / "018_hzq2023_working.pdf").read_bytes(), "b.pdf": _pdf_with_ruled_table(),
                 "c.docx": (tmp_path / "t.docx").read_bytes(), "d.html": html.encode("utf-8"),
                 "e.txt": (SAMPLES / "seeds" / "001_107764086d5c2c3a.txt").read_bytes()}
    rng = random.Random(20240601)
    for name, data in originals.items():
        variants = [data[: int(len(data) * f)] for f in (0.1, 0.35, 0.6, 0.9, 0.99)]
        for _ in range(6):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 40)):
                pos = rng.randrange(len(damaged))
                damaged[pos] = rng.randrange(256)
            variants.append(bytes(damaged))
        for variant in variants:
            try:
                doc = read_bytes(variant, name)
            except ReadError as e:
                assert str(e).startswith(f"{name}：") and "\n" not in str(e)
                assert "扫描" not in str(e)  # damage is never mistaken for a scan
            else:
                assert isinstance(doc.text, str) and doc.text.strip()
