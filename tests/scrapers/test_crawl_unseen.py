"""A portal the crawler was not written against: the same CMS families with other markup, paths and URL forms
(``.shtml`` TRS pages with the newer ``createPageHTML('page_div', …)``, a Hanweb column with single-quoted records
and a ``startrecord`` data proxy, a ``list.jsp?page=N`` list whose report pages carry no <h1> and no meta title,
shortened link texts, an attachment behind '点击下载', a PDF linked straight from a list).  The crawl must collect
every report and nothing else, with region and year right."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from scrapers.config import parse_config
from scrapers.crawl import Crawler
from scrapers.testsite import PortalServer, Resource
from scrapers.testsite.portals import SAMPLES, body_html, load_sample, make_docx

REPO = Path(__file__).resolve().parents[2]
LABELS = {k: v for name in ("labels-real.json", "labels-seeds.json")
          for k, v in json.loads((REPO / "tests" / "labels" / name).read_text(encoding="utf-8")).items()}

CHROME = ("<div class='head'><a href='/'>网站首页</a><a href='/xxgk/'>信息公开</a><a href='/gkml/ndbg/index.shtml'>年度报告"
          "</a><a href='/hdjl/'>互动交流</a></div>")
FOOT = "<div class='foot'>版权所有：某市人民政府办公室 备案号：京ICP备000000号 <a href='/sitemap/'>网站地图</a></div>"


def _plain_detail(title: str, date: str, body: str) -> bytes:
    # no <h1>, no meta title: only <title> and a styled div
    return (f"<html><head><meta http-equiv='content-type' content='text/html;charset=utf-8'>"
            f"<title>{html.escape(title)}</title></head><body>{CHROME}<div class='article-title'>{html.escape(title)}"
            f"</div><div class='sub'>发布日期：{date[:4]}年{date[5:7]}月{date[8:]}日　来源：市政府办公室</div>"
            f"<div class='article-body'>{body}</div>{FOOT}</body></html>").encode("utf-8")


def _trs_shtml(title: str, date: str, body: str) -> bytes:
    return (f"<html><head><meta charset='gbk'><meta name='ArticleTitle' content='{html.escape(title)}'>"
            f"<meta name='PubDate' content='{date} 08:30'><title>{html.escape(title)}-某市人民政府</title></head><body>"
            f"{CHROME}<h2 class='tit'>{html.escape(title)}</h2><div class='TRS_UEDITOR'>{body}</div>{FOOT}</body>"
            f"</html>").encode("gb18030")


def build_portal(url: str) -> tuple[dict[str, Resource], set[str]]:
    routes: dict[str, Resource] = {}
    expected: set[str] = set()

    def sample(key):
        s = load_sample(key)
        return s, body_html(s.lines) if not key.endswith(".html") else "\n".join(s.lines)

    # 1. plain list.jsp?page=N
    plain_items = []
    for i, (key, date) in enumerate([("pingtan-009.txt", "2021-03-05"), ("pingtan-011.txt", "2016-01-12")]):
        s, body = sample(key)
        path = f"/xxgk/nb/detail.jsp?id={101 + i}"
        routes[path] = Resource(_plain_detail(s.title, date, body), "text/html")
        expected.add(path)
        plain_items.append((path, s.title, date))
    interp = "/xxgk/nb/detail.jsp?id=150"
    routes[interp] = Resource(_plain_detail("关于2022年度政府信息公开工作年度报告的解读", "2023-02-01",
                                            "<p>解读：年度报告显示……</p>"), "text/html")
    plain_items.append((interp, "关于2022年度政府信息公开工作年度报告的解读", "2023-02-01"))
    pdf = "/uploads/files/2024/hzq2023_nb.pdf"
    routes[pdf] = Resource((SAMPLES / "real" / "raw" / "018_hzq2023_working.pdf").read_bytes(), "application/pdf")
    expected.add(pdf)
    plain_items.append((pdf, load_sample("jiangsu-018.txt").title + "（PDF）", "2024-01-20"))
    for n, chunk in enumerate([plain_items[:2], plain_items[2:]], start=1):
        rows = "".join(f"<tr><td><a href='{p}'>{html.escape(t)}</a></td><td>{d}</td></tr>" for p, t, d in chunk)
        pager = (f"<div class='pager'>共2页 <a href='list.jsp?page=1'>1</a> <a href='list.jsp?page=2'>2</a> "
                 f"<a href='list.jsp?page={min(n + 1, 2)}'>下一页</a> <a href='list.jsp?page=2'>尾页</a></div>")
        routes[f"/xxgk/nb/list.jsp?page={n}"] = Resource(
            f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body>{CHROME}<table>{rows}</table>"
            f"{pager}{FOOT}</body></html>".encode("utf-8"), "text/html; charset=utf-8")

    # 2. TRS .shtml column, newer pagination call, shortened link texts without title attributes
    trs_items = []
    for key, stamp in [("000_9cc224736a79167a.txt", "202003/t20200302_12345"),
                       ("004_0ee5816b3d713d50.txt", "201802/t20180201_12346")]:
        s, body = sample(key)
        date = s.published or f"{stamp[:4]}-{stamp[4:6]}-02"
        path = f"/gkml/ndbg/{stamp}.shtml"
        routes[path] = Resource(_trs_shtml(s.title, date, body))
        expected.add(path)
        trs_items.append((path, s.title[:16] + "…", date))
    # attachment-only report behind a '点击下载' link
    qtx = load_sample("001_107764086d5c2c3a.txt")
    routes["/gkml/ndbg/202103/W020210311.docx"] = Resource(make_docx(qtx), "application/octet-stream")
    expected.add("/gkml/ndbg/202103/W020210311.docx")
    routes["/gkml/ndbg/202103/t20210311_12347.shtml"] = Resource(_trs_shtml(
        qtx.title, "2021-03-11", "<p>详见附件。</p><p><a href='./W020210311.docx'>点击下载</a></p>"))
    trs_items.append(("/gkml/ndbg/202103/t20210311_12347.shtml", qtx.title, "2021-03-11"))
    stats = "/gkml/ndbg/202303/t20230301_12348.shtml"
    routes[stats] = Resource(_trs_shtml("某市2022年度统计年报", "2023-03-01", "<p>全市生产总值……</p>"))
    trs_items.append((stats, "某市2022年度统计年报", "2023-03-01"))
    for n, chunk in enumerate([trs_items[:2], trs_items[2:]]):
        lis = "".join(f"<dd><a href='.{p[len('/gkml/ndbg'):]}'>{html.escape(t)}</a><i>{d}</i></dd>" for p, t, d in chunk)
        name = "index.shtml" if n == 0 else f"index_{n}.shtml"
        routes[f"/gkml/ndbg/{name}"] = Resource(
            (f"<html><head><meta charset='gbk'><title>年度报告-某市人民政府</title></head><body>{CHROME}<dl>{lis}</dl>"
             f"<div id='page_div'></div><script>createPageHTML('page_div',2,{n},'index','shtml',5);</script>{FOOT}"
             f"</body></html>").encode("gb18030"))

    # 3. Hanweb column: single-quoted records, a startrecord data proxy
    recs = []
    for key, art in [("shanghai-020.html", "/art/2020/1/31/art_5566_901.html"),
                     ("003_d2895bfa47dc94b8.txt", "/art/2020/3/5/art_5566_902.html")]:
        s, body = sample(key)
        routes[art] = Resource(
            (f"<html><head><meta name='ArticleTitle' content='{html.escape(s.title)}'><meta name='pubdate' "
             f"content='{s.published or '2020-03-05'}'><title>{html.escape(s.title)}</title></head><body>{CHROME}"
             f"<div class='main-txt'><!--<$[信息内容]>begin-->{body}<!--<$[信息内容]>end--></div>{FOOT}</body></html>")
            .encode("utf-8"), "text/html;charset=UTF-8")
        expected.add(art)
        recs.append(f"<record><![CDATA[<span><a href='{art}' target=_blank>{html.escape(s.title)}</a></span>]]>"
                    f"</record>")
    notice = "/art/2024/5/6/art_5566_903.html"
    routes[notice] = Resource(_plain_detail("关于做好2023年度市场主体年报工作的提醒", "2024-05-06", "<p>提醒</p>"))
    recs.append(f"<record><![CDATA[<span><a href='{notice}'>关于做好2023年度市场主体年报工作的提醒</a></span>]]></record>")
    proxy = "/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2&col=1&appid=1&webid=2&columnid=5566"
    routes["/col/col5566/index.html"] = Resource(
        (f"<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>{CHROME}<div id='5566'>"
         f"<script language='javascript' type='text/xml'><datastore><nextgroup><![CDATA[<a href='{proxy}'></a>]]>"
         f"</nextgroup><recordset>{''.join(recs[:2])}</recordset></datastore></script></div>{FOOT}</body></html>")
        .encode("utf-8"), "text/html; charset=utf-8")
    routes[proxy] = Resource(f"<datastore><recordset>{''.join(recs[2:])}</recordset></datastore>".encode("utf-8"),
                             "text/xml")
    routes["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /search/\n", "text/plain")
    return routes, {url + p for p in expected}


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    pytest.importorskip("indexer.library")
    with PortalServer() as server:
        server.routes, expected = build_portal(server.url)
        config = parse_config({
            "politeness": {"delay": 0, "timeout": 5, "retries": 1, "backoff": 0.05},
            "site": [{"name": "unseen", "start_urls": [server.url + "/xxgk/nb/list.jsp?page=1",
                                                       server.url + "/gkml/ndbg/index.shtml",
                                                       server.url + "/col/col5566/index.html"]}]})
        index = tmp_path_factory.mktemp("unseen") / "index"
        with Crawler(config, index) as crawler:
            stats = crawler.run()
        from indexer.library import Library

        with Library(index) as lib:
            reports = list(lib.reports())
        yield {"reports": reports, "expected": expected, "stats": stats, "server": server, "url": server.url}


def test_unseen_portal_every_report_and_nothing_else(unseen):
    assert sorted(r.source for r in unseen["reports"]) == sorted(unseen["expected"])
    assert unseen["stats"][0].errors == 0


def test_unseen_portal_region_and_year(unseen):
    by_path = {"/xxgk/nb/detail.jsp?id=101": "pingtan-009.txt", "/xxgk/nb/detail.jsp?id=102": "pingtan-011.txt",
               "/uploads/files/2024/hzq2023_nb.pdf": "jiangsu-018.txt",
               "/gkml/ndbg/202003/t20200302_12345.shtml": "000_9cc224736a79167a.txt",
               "/gkml/ndbg/201802/t20180201_12346.shtml": "004_0ee5816b3d713d50.txt",
               "/gkml/ndbg/202103/W020210311.docx": "001_107764086d5c2c3a.txt",
               "/art/2020/1/31/art_5566_901.html": "shanghai-020.html",
               "/art/2020/3/5/art_5566_902.html": "003_d2895bfa47dc94b8.txt"}
    wrong = []
    for report in unseen["reports"]:
        label = LABELS[by_path[report.source[len(unseen["url"]):]]]
        for key in ("year", "province", "city", "county"):
            if key in label and getattr(report, key) != label[key]:
                wrong.append((report.source, key, getattr(report, key), label[key]))
    assert wrong == []


def test_unseen_portal_only_what_it_needed(unseen):
    server = unseen["server"]
    asked = {h.path for h in server.hits}
    for never in ("/xxgk/nb/detail.jsp?id=150", "/gkml/ndbg/202303/t20230301_12348.shtml", "/art/2024/5/6/art_5566_903.html",
                  "/", "/xxgk/", "/hdjl/", "/sitemap/"):
        assert never not in asked, never
