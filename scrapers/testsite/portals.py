"""Two local mirrors of realistic government portals, generated from the bundled sample reports (samples/):

- ``trs_portal``: a TRS WCM site in GBK — column ``/zwgk/zfxxgk/zfxxgknb/index.html`` with ``index_N.html`` pages
  written by ``createPageHTML(…)``, a 部门年报 sub-column, article pages ``…/YYYYMM/tYYYYMMDD_N.htm``, attachment-only
  reports (a DOCX made from a sample, a PDF), and the traps: notices and interpretations that mention 年报, a 404,
  a 500, a slow page, a redirect loop, an oversized file, a robots.txt-disallowed page, a link to another host, and
  an old URL redirecting to a report.
- ``hanweb_portal``: a Hanweb/大汉 site in UTF-8 — ``/col/colNNNN/index.html`` lists whose records sit in a
  ``<script type="text/xml"><datastore>`` with a ``<nextgroup>`` data-proxy page, ``/art/Y/M/D/art_C_N.html`` pages,
  PDF attachments behind ``downfile.jsp?filename=…``, and one PDF that the TRS portal also links (one report).

Each builder returns the routes and ``expected``: path → label key (tests/labels) of every report on that portal.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scrapers.testsite.server import Resource

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
LABELS = REPO / "tests" / "labels"


@dataclass
class Sample:
    key: str  # label key, e.g. 'pingtan-001.txt'
    title: str
    published: str | None
    lines: list[str]  # body text lines


def _labels() -> dict[str, dict]:
    out = {}
    for name in ("labels-real.json", "labels-seeds.json"):
        path = LABELS / name
        if path.exists():
            out.update({k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")})
    return out


def load_sample(key: str) -> Sample:
    labels = _labels().get(key, {})
    folder = SAMPLES / ("seeds" if re.match(r"^\d{3}_", key) else "real")
    text = (folder / key).read_text(encoding="utf-8")
    published = labels.get("published")
    if "==== 正文 ====" in text:  # a crawler page.txt: metadata lines, then the body
        head, _, text = text.partition("==== 正文 ====")
        text = text.lstrip("=\n")
        m = re.search(r"发布时间:\s*(\d{4}-\d{2}-\d{2})", head)
        published = published or (m.group(1) if m else None)
    title = labels.get("title") or text.strip().splitlines()[0].strip()
    return Sample(key, title, published, text.splitlines())


def body_html(lines: list[str]) -> str:
    """Paragraphs; runs of tab-separated lines become a table (as the portals' editors emit them)."""
    out, rows = [], []

    def flush() -> None:
        if rows:
            out.append("<table border=\"1\" cellspacing=\"0\">" + "".join(
                "<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in r) + "</tr>" for r in rows)
                + "</table>")
            rows.clear()

    for line in lines:
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            out.append(f"<p>{html.escape(line.strip())}</p>")
    flush()
    return "\n".join(out)


def make_docx(sample: Sample) -> bytes:
    """A DOCX of the sample's text (tables kept as tables), byte-identical on every build."""
    import docx

    document = docx.Document()
    document.core_properties.title = sample.title
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            for i, r in enumerate(rows):
                for j, c in enumerate(r):
                    table.cell(i, j).text = c.strip()
            rows.clear()

    for line in sample.lines:
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            document.add_paragraph(line.strip())
    flush()
    raw = io.BytesIO()
    document.save(raw)
    # python-docx stamps the time; re-pack with fixed dates so ETags stay stable across restarts
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2021-03-10T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=(2021, 3, 10, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


def _pdf(name: str) -> bytes:
    return (SAMPLES / "real" / "raw" / name).read_bytes()


# ---------------------------------------------------------------------------------------------------------------
# TRS WCM portal (GBK)

_TRS_CHROME_TOP = """<div class="top"><a href="/index.html">首页</a> | <a href="/zwgk/index.html">政务公开</a> |
<a href="/zwgk/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a> | <a href="/xwdt/index.html">新闻动态</a> |
<a href="/hdjl/index.html">互动交流</a></div>
<div class="banner"><h2>平潭综合实验区管委会门户网站</h2></div>"""
_TRS_CHROME_FOOT = """<div class="footer"><p>主办：平潭综合实验区管委会 承办：平潭综合实验区党工委管委会办公室</p>
<p>网站标识码：3501280001 闽ICP备12000000号 <a href="/wzdt/index.html">网站地图</a> <a href="/lxwm/index.html">联系我们</a></p></div>"""


def _trs_page(title: str, content: str, *, meta: str = "", charset_meta: bool = True) -> str:
    charset = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n' if charset_meta else ""
    return (f"<!DOCTYPE html><html><head>{charset}<title>{html.escape(title)}_平潭综合实验区管委会</title>\n{meta}"
            f"</head><body>{_TRS_CHROME_TOP}\n{content}\n{_TRS_CHROME_FOOT}</body></html>")


def _trs_article(title: str, published: str | None, source: str, body: str, *, charset_meta: bool = True) -> str:
    meta = (f'<meta name="ArticleTitle" content="{html.escape(title)}">\n'
            f'<meta name="PubDate" content="{published or ""} 00:00">\n'
            f'<meta name="ContentSource" content="{html.escape(source)}">\n')
    content = (f'<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a>'
               f' &gt; <a href="/zwgk/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a></div>\n'
               f'<div class="article"><h1 class="title">{html.escape(title)}</h1>\n'
               f'<div class="info">来源：{html.escape(source)} 时间：{published or ""}</div>\n'
               f'<div class="TRS_Editor">{body}</div>\n'
               f'<div class="pages"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div></div>')
    return _trs_page(title, content, meta=meta, charset_meta=charset_meta)


def _gbk(text: str, content_type: str = "text/html") -> Resource:
    return Resource(text.encode("gb18030"), content_type)


def _trs_list(title: str, items: list[tuple[str, str, str]], page: int, pages: int, extra: str = "") -> str:
    lis = "\n".join(
        f'<li><a href="{href}" target="_blank" title="{html.escape(t)}">'
        f'{html.escape(t if len(t) <= 22 else t[:20] + "...")}</a><span>{d}</span></li>'
        for href, t, d in items)
    script = (f'<script type="text/javascript">\nvar currentPage = {page};//所在页从0开始\n'
              f'var prevPage = currentPage-1//上一页\nvar nextPage = currentPage+1//下一页\n'
              f'var countPage = {pages}//共多少页\n'
              f'createPageHTML(countPage, currentPage, "index", "html");\n</script>')
    content = (f'<div class="left"><h3>政务公开</h3><ul><li><a href="/zwgk/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a></li>'
               f'<li><a href="/zwgk/zfxxgk/zfxxgknb/bmnb/index.html">部门年报</a></li>'
               f'<li><a href="/zwgk/zfxxgk/zfxxgzn/index.html">政府信息公开指南</a></li></ul></div>\n'
               f'<div class="right"><h3>{html.escape(title)}</h3><ul class="list">\n{lis}\n</ul>{extra}\n'
               f'<div class="page">{script}</div></div>')
    return _trs_page(title, content)


def trs_portal(outside_url: str) -> tuple[dict[str, Resource], dict[str, str]]:
    routes: dict[str, Resource] = {}
    expected: dict[str, str] = {}
    col = "/zwgk/zfxxgk/zfxxgknb"
    source = "平潭县人民政府"

    def article(path: str, key: str, *, charset_meta: bool = True) -> tuple[str, str, str]:
        s = load_sample(key)
        routes[path] = _gbk(_trs_article(s.title, s.published, source, body_html(s.lines), charset_meta=charset_meta))
        expected[path] = key
        return path, s.title, s.published or ""

    items = [
        article(f"{col}/202202/t20220208_80613.htm", "pingtan-004.txt"),
        article(f"{col}/202103/t20210305_80655.htm", "pingtan-009.txt", charset_meta=False),  # GBK, undeclared
        article(f"{col}/201204/t20120418_80716.htm", "pingtan-001.txt"),
    ]
    # attachment-only report: a DOCX made from a sample
    qtx = load_sample("001_107764086d5c2c3a.txt")
    routes[f"{col}/202103/W020210310390001.docx"] = Resource(
        make_docx(qtx), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    expected[f"{col}/202103/W020210310390001.docx"] = qtx.key
    routes[f"{col}/202103/t20210310_90001.htm"] = _gbk(_trs_article(
        qtx.title, "2021-03-10", "青铜峡市人民政府办公室",
        f'<p>现将《{qtx.title}》予以公布，详见附件。</p>'
        f'<p>附件：<a href="./W020210310390001.docx">{html.escape(qtx.title)}.docx</a></p>'))
    items.append((f"{col}/202103/t20210310_90001.htm", qtx.title, "2021-03-10"))
    # attachment-only report: a PDF (the Hanweb portal links the same file too)
    hax = load_sample("jiangsu-017.txt")
    routes[f"{col}/202501/P020250120512345.pdf"] = Resource(_pdf("017_szfgs2024.pdf"), "application/pdf")
    expected[f"{col}/202501/P020250120512345.pdf"] = hax.key
    routes[f"{col}/202501/t20250120_90002.htm"] = _gbk(_trs_article(
        hax.title, "2025-01-20", "淮安市人民政府办公室",
        f'<p style="text-align:center">{html.escape(hax.title)}</p>'
        f'<div class="fj">相关附件：<a href="./P020250120512345.pdf" target="_blank">P020250120512345.pdf</a></div>'))
    items.append((f"{col}/202501/t20250120_90002.htm", hax.title, "2025-01-20"))
    # an old address that now redirects to the report
    old = article(f"{col}/201601/t20160112_80733.htm", "pingtan-011.txt")
    routes["/old/zfxxgknb/2015.htm"] = Resource(b"", redirect=f"{col}/201601/t20160112_80733.htm")
    items.append(("/old/zfxxgknb/2015.htm", old[1], old[2]))
    # pages that mention 年报 but are not reports
    notices = [
        (f"{col}/202101/t20210105_70001.htm", "关于做好2020年度政府信息公开工作年度报告编制发布工作的通知",
         "<p>各单位：为做好2020年度政府信息公开工作年度报告（以下简称年报）编制发布工作，现将有关事项通知如下。"
         "一、各单位应于2021年1月31日前完成年报编制。二、年报应按照新模板编写。</p>"),
        (f"{col}/202103/t20210306_70002.htm", "一图读懂平潭综合实验区2020年度政府信息公开工作年度报告",
         "<p>图解：2020年度政府信息公开工作年度报告解读。主动公开政府信息2万余条。</p>"),
        ("/xwdt/202206/t20220601_70003.htm", "关于开展2021年度企业年报公示工作的提醒",
         "<p>请各类企业于6月30日前通过国家企业信用信息公示系统报送2021年度年报，逾期未报送的将被列入经营异常名录。</p>"),
    ]
    for path, title, body in notices:
        routes[path] = _gbk(_trs_article(title, "2021-01-05", source, body))
        items.append((path, title, "2021-01-05"))
    # links that look like reports but fail, or must not be followed
    traps = [
        (f"{col}/201303/t20130301_404.htm", "平潭县2012年政府信息公开工作年度报告"),  # 404
        ("/error/t2013.htm", "平潭县2013年政府信息公开工作年度报告"),  # 500
        ("/slow/t2014.htm", "平潭县2014年政府信息公开工作年度报告"),  # slower than the timeout
        ("/loop/a.htm", "平潭县2016年政府信息公开工作年度报告"),  # redirect loop
        ("/big/t2017.pdf", "平潭县2017年政府信息公开工作年度报告.pdf"),  # larger than max_bytes
        ("/private/t2018.htm", "平潭县2018年政府信息公开工作年度报告"),  # robots.txt: Disallow
        (f"{outside_url}/zfxxgknb/t2019.htm", "平潭县2019年政府信息公开工作年度报告"),  # another host
    ]
    routes["/error/t2013.htm"] = Resource(b"<html><body>Internal Server Error</body></html>", status=500)
    routes["/slow/t2014.htm"] = Resource(
        _trs_article("平潭县2014年政府信息公开工作年度报告", "2015-01-01", source, "<p>慢</p>").encode("gb18030"),
        delay=2.0)
    routes["/loop/a.htm"] = Resource(b"", redirect="/loop/b.htm")
    routes["/loop/b.htm"] = Resource(b"", redirect="/loop/a.htm")
    routes["/big/t2017.pdf"] = Resource(b"", "application/pdf", stream_bytes=3_000_000)
    routes["/private/t2018.htm"] = _gbk(_trs_article("平潭县2018年政府信息公开工作年度报告", "2019-01-01", source,
                                                     "<p>不应被抓取</p>"))
    items += [(path, title, "2020-01-01") for path, title in traps]

    per_page = 5
    pages = [items[i:i + per_page] for i in range(0, len(items), per_page)]
    for n, chunk in enumerate(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        routes[f"{col}/{name}"] = _gbk(_trs_list("政府信息公开年报", chunk, n, len(pages)))
    # the 部门年报 sub-column (reached from the side menu)
    dept = article(f"{col}/bmnb/201402/t20140225_80774.htm", "pingtan-003.txt")
    routes[f"{col}/bmnb/index.html"] = _gbk(_trs_list("部门年报", [dept], 0, 1))
    routes["/index.html"] = _gbk(_trs_page("首页", '<a href="/zwgk/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a>'))
    routes["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    return routes, expected


# ---------------------------------------------------------------------------------------------------------------
# Hanweb / 大汉 portal (UTF-8)

_HW_HEAD = """<div id="header"><a href="/index.html">洪泽区人民政府</a><ul class="nav"><li><a href="/col/col1/index.html">首页</a></li>
<li><a href="/col/col100/index.html">政务公开</a></li><li><a href="/col/col1001/index.html">政府信息公开年报</a></li>
<li><a href="/col/col200/index.html">政民互动</a></li></ul></div>"""
_HW_FOOT = """<div id="footer">主办单位：淮安市洪泽区人民政府办公室 网站标识码：3208130001 苏ICP备05000000号
<a href="/col/col300/index.html">网站地图</a></div>"""


def _hw_page(title: str, content: str, meta: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)} - 淮安市洪泽区人民政府</title>'
            f"\n{meta}</head><body>{_HW_HEAD}\n{content}\n{_HW_FOOT}</body></html>")


def _hw_article(title: str, published: str | None, source: str, body: str) -> str:
    meta = (f'<meta name="ArticleTitle" content="{html.escape(title)}">\n<meta name="PubDate" content="{published or ""}'
            f' 09:00">\n<meta name="ContentSource" content="{html.escape(source)}">\n')
    content = (f'<table class="main"><tr><td class="title">{html.escape(title)}</td></tr>'
               f'<tr><td class="info">发布日期：{published or ""} 信息来源：{html.escape(source)} 浏览次数：128</td></tr>'
               f'<tr><td id="zoom">\n<!--<$[信息内容]>begin-->{body}<!--<$[信息内容]>end-->\n</td></tr></table>')
    return _hw_page(title, content, meta)


def _datastore(records: list[str], next_href: str | None, total: int) -> str:
    recs = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records)
    nxt = f'<nextgroup><![CDATA[<a href="{next_href}"></a>]]></nextgroup>' if next_href else "<nextgroup></nextgroup>"
    return f"<datastore>\n{nxt}\n<recordset>\n{recs}\n</recordset>\n<totalrecord>{total}</totalrecord></datastore>"


def _hw_record(href: str, title: str, date: str) -> str:
    return f'<li><a href="{href}" title="{html.escape(title)}" target="_blank">{html.escape(title)}</a><span>{date}</span></li>'


def _hw_col(colid: int, title: str, records: list[str], next_href: str | None, total: int,
            per_page: int = 15) -> str:
    content = (f'<div class="lm"><h3>{html.escape(title)}</h3><div id="{colid}">\n'
               f'<script type="text/xml">\n{_datastore(records, next_href, total)}\n</script>\n'
               f'<script language="javascript" src="/module/jpage/jquery.jpage.js"></script>\n'
               f'<script>$("#{colid}").jpage({{dataStore: "{colid}", perPage: {per_page}, totalRecord: {total},'
               f' proxyUrl: "/module/web/jpage/dataproxy.jsp", groupSize: {per_page}}});</script></div></div>')
    return _hw_page(title, content)


def hanweb_portal(outside_url: str) -> tuple[dict[str, Resource], dict[str, str], dict]:
    """Routes, expected reports, and the generated routes (path -> answer from the query: the data proxy)."""
    routes: dict[str, Resource] = {}
    dynamic: dict = {}
    expected: dict[str, str] = {}
    records: list[str] = []

    def html_report(path: str, key: str, source: str) -> None:
        s = load_sample(key)
        body = s.lines
        if key.endswith(".html"):  # already an HTML fragment
            content = "\n".join(body)
        else:
            content = body_html(body)
        routes[path] = Resource(_hw_article(s.title, s.published, source, content).encode("utf-8"),
                                "text/html; charset=utf-8")
        expected[path] = key
        records.append(_hw_record(path, s.title, s.published or "2020-01-01"))

    def pdf_report(path: str, pdf_path: str, pdf_name: str, key: str, date: str) -> None:
        s = load_sample(key)
        routes[pdf_path] = Resource(_pdf(pdf_name), "application/pdf")
        expected[pdf_path] = key
        body = (f'<p>{html.escape(s.title)}</p><p>附件：<a href="{html.escape(pdf_path)}" target="_blank">'
                f'{html.escape(s.title)}</a></p>')
        routes[path] = Resource(_hw_article(s.title, date, "淮安市洪泽区人民政府办公室", body).encode("utf-8"),
                                "text/html; charset=utf-8")
        records.append(_hw_record(path, s.title, date))

    pdf_report("/art/2024/1/20/art_1001_5001.html", "/module/download/downfile.jsp?classid=0&filename=hzq2023.pdf",
               "018_hzq2023_working.pdf", "jiangsu-018.txt", "2024-01-20")
    pdf_report("/art/2025/1/22/art_1001_5002.html", "/picture/0/2501221530123.pdf",
               "019_hzq2024_working.pdf", "jiangsu-019.txt", "2025-01-22")
    # the same PDF the TRS portal links: one report
    pdf_report("/art/2025/1/18/art_1001_5003.html", "/attach/0/szfgs2024.pdf",
               "017_szfgs2024.pdf", "jiangsu-017.txt", "2025-01-18")
    expected.pop("/attach/0/szfgs2024.pdf")  # counted once, on the TRS portal
    html_report("/art/2020/1/31/art_1001_5004.html", "shanghai-020.html", "上海市人民政府办公厅")
    html_report("/art/2020/3/2/art_1001_5005.html", "000_9cc224736a79167a.txt", "武威市人民政府办公室")
    # non-reports mentioning 年报, and a link to another host
    for path, title, body in [
        ("/art/2024/2/1/art_1001_6001.html", "洪泽区2023年政府信息公开工作年度报告图解",
         "<p>一图读懂年度报告。</p>"),
        ("/art/2024/5/6/art_1001_6002.html", "关于2023年度市场主体年报工作的提醒",
         "<p>市场主体应于6月30日前报送年报。</p>"),
    ]:
        routes[path] = Resource(_hw_article(title, "2024-02-01", "洪泽区市场监管局", body).encode("utf-8"),
                                "text/html; charset=utf-8")
        records.append(_hw_record(path, title, "2024-02-01"))
    records.append(_hw_record(f"{outside_url}/art/2023/1/1/art_9_1.html", "淮安市2022年政府信息公开工作年度报告",
                              "2023-01-01"))
    html_report("/art/2021/3/3/art_1001_5006.html", "002_ca63368030494e8a.txt", "武威市人民政府")
    html_report("/art/2020/3/5/art_1001_5007.html", "003_d2895bfa47dc94b8.txt", "西宁市人民政府")
    # The column page embeds the first group of records; the page script asks the data proxy for the others
    # (startrecord/endrecord/perpage), which answers with a bare XML datastore.
    column = list(records)
    group = 3
    proxy = ("/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1001&unitid=4567"
             "&webname=%E6%B4%AA%E6%B3%BD%E5%8C%BA&permissiontype=0")
    routes["/col/col1001/index.html"] = Resource(
        _hw_col(1001, "政府信息公开年报", column[:group], proxy, len(column), per_page=group).encode("utf-8"),
        "text/html; charset=utf-8")

    def data_proxy(query: dict[str, str]) -> Resource:
        start = int(query.get("startrecord") or 1)
        end = int(query.get("endrecord") or start + group - 1)
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + _datastore(column[start - 1:end], None, len(column))
        return Resource(xml.encode("utf-8"), "text/xml; charset=utf-8")

    dynamic["/module/web/jpage/dataproxy.jsp"] = data_proxy
    # 部门年报 sub-column: a department's report
    records.clear()
    html_report("/art/2018/2/1/art_1002_5101.html", "004_0ee5816b3d713d50.txt", "陇南市武都区人民政府办公室")
    routes["/col/col1002/index.html"] = Resource(
        _hw_col(1002, "部门年报", records, None, 1).encode("utf-8"), "text/html; charset=utf-8")
    col1001 = routes["/col/col1001/index.html"].body.decode("utf-8").replace(
        '<div class="lm">', '<div class="sub"><a href="/col/col1002/index.html">部门年报</a></div><div class="lm">')
    routes["/col/col1001/index.html"] = Resource(col1001.encode("utf-8"), "text/html; charset=utf-8")
    routes["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /module/search/\n", "text/plain")
    return routes, expected, dynamic


def outside_portal() -> dict[str, Resource]:
    """The other host: anything here is outside every config, so it must never be asked for."""
    page = _hw_article("平潭县2019年政府信息公开工作年度报告", "2020-01-01", "外站", "<p>外站</p>").encode("utf-8")
    return {"/zfxxgknb/t2019.htm": Resource(page, "text/html; charset=utf-8"),
            "/art/2023/1/1/art_9_1.html": Resource(page, "text/html; charset=utf-8"),
            "/robots.txt": Resource(b"", "text/plain")}


# ---------------------------------------------------------------------------------------------------------------
# A column whose report page prints its statistics tables as pictures (common since 2021)

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、])")


def pictured_report(pdf_name: str) -> tuple[str, list[bytes]]:
    """A real report (one of samples/real/raw/*.pdf) as a web page does it since 2021: the text as HTML paragraphs,
    each statistics table as an ``<img>`` (the PDF's own cells, drawn by testsite/images.py).  Returns the content
    HTML, whose pictures are ``<img src="{n}">`` placeholders (n from 0), and the PNG of each."""
    from indexer.read import read_bytes
    from indexer.read.text import table_lines
    from scrapers.testsite.images import table_png

    doc = read_bytes(_pdf(pdf_name), pdf_name)
    lines = doc.text.split("\n")
    tables = list(doc.tables)
    out: list[str] = []
    para: list[str] = []
    pictures: list[bytes] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{html.escape(''.join(para))}</p>")
            para.clear()

    i = 0
    while i < len(lines):
        rows = table_lines(tables[0]) if tables else None
        if rows and lines[i:i + len(rows)] == rows:
            flush()
            out.append(f'<p style="text-align:center"><img src="{{{len(pictures)}}}" alt=""></p>')
            pictures.append(table_png(tables.pop(0)))
            i += len(rows)
            continue
        line = lines[i].strip()
        i += 1
        if not line:
            flush()
            continue
        if _HEADING.match(line):
            flush()
        para.append(line)
        if line.endswith(("。", "：")) or len(line) < 25:  # a PDF line that ends its paragraph
            flush()
    flush()
    return "\n".join(out), pictures


def pictured_portal() -> tuple[dict[str, Resource], dict]:
    """A Hanweb column (UTF-8, ``/col/col1001/index.html``) with 淮安市洪泽区's 2024 report (jiangsu-019) on a page
    whose five statistics tables are pictures — by a src relative to the page and from the site root — beside the
    traps a real page has: a picture that is gone (404), one that is a page (text/html), one that is no image at
    all, an icon written into the page (data: URI), the site's logo outside the content (never to be fetched); and
    the report's 图解 page, listed first under the report's title, whose own picture must not be fetched (a 图解
    is not a report).

    Returns the routes and what the tests expect: ``report`` (its path), ``key`` (its label), ``tujie`` (the
    图解's path and title), ``pictures`` (the paths of the table pictures), ``logo``, ``tujie_picture``."""
    body, pictures = pictured_report("019_hzq2024_working.pdf")
    title = load_sample("jiangsu-019.txt").title
    report = "/art/2025/1/22/art_2001_7001.html"
    srcs, paths, routes = [], [], {}
    for n, png in enumerate(pictures):
        # the first two by a path relative to the page, the others from the site root
        path = f"/art/2025/1/22/W0202501226{n}.png" if n < 2 else f"/picture/2001/2501221530{n}.png"
        srcs.append(path.rsplit("/", 1)[-1] if n < 2 else path)
        paths.append(path)
        routes[path] = Resource(png, "image/png")
    for n, src in enumerate(srcs):
        body = body.replace(f'src="{{{n}}}"', f'src="{html.escape(src)}"')
    tiny_gif = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    body += ('\n<p><img src="/picture/2001/gone.png"><img src="/picture/2001/page.png">'
             f'<img src="/picture/2001/broken.png"><img src="{tiny_gif}" width="1"></p>')
    routes["/picture/2001/page.png"] = Resource("<html><body>页面不存在</body></html>".encode(), "text/html")
    routes["/picture/2001/broken.png"] = Resource(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png")
    logo = "/images/logo.png"
    page = _hw_article(title, "2025-01-22", "淮安市洪泽区人民政府办公室", body).replace(
        '<div id="header">', f'<div id="header"><img src="{logo}" alt="洪泽区人民政府">')
    routes[report] = Resource(page.encode("utf-8"), "text/html; charset=utf-8")
    routes[logo] = Resource(pictures[-1], "image/png")  # a picture like any other: only its place tells
    tujie = "/art/2025/1/23/art_2001_7002.html"
    tujie_title = f"一图读懂{title}"
    tujie_picture = "/picture/2001/tujie.png"
    routes[tujie] = Resource(_hw_article(tujie_title, "2025-01-23", "淮安市洪泽区人民政府办公室",
                                         f'<p><img src="{tujie_picture}"></p>').encode("utf-8"),
                             "text/html; charset=utf-8")
    routes[tujie_picture] = Resource(pictures[0], "image/png")
    # both listed under the report's title (the 图解 first), as columns that repeat it for the picture version do
    items = "".join(f'<li><a href="{p}" target="_blank">{html.escape(title)}</a><span>{d}</span></li>'
                    for p, d in [(tujie, "2025-01-23"), (report, "2025-01-22")])
    routes["/col/col1001/index.html"] = Resource(
        _hw_page("政府信息公开年报", f'<div class="lm"><ul class="list">{items}</ul></div>').encode("utf-8"),
        "text/html; charset=utf-8")
    routes["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /module/search/\n", "text/plain")
    expected = {"report": report, "key": "jiangsu-019.txt", "tujie": (tujie, tujie_title), "logo": logo,
                "pictures": paths, "tujie_picture": tujie_picture}
    return routes, expected
