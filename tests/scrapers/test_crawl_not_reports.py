"""Pages a portal links as reports that are not reports (the link text names the report; the page is its 图解 or
解读): the crawl fetches them, then skips and counts them with their reason; reindex from the archive does too."""

from __future__ import annotations

import html

import pytest

from scrapers.config import parse_config
from scrapers.crawl import Crawler, reindex
from scrapers.testsite import PortalServer, Resource
from scrapers.testsite.portals import body_html, load_sample

TITLE = "某某县2022年政府信息公开工作年度报告"


def _page(title: str, body: str, *, titled: bool = True) -> bytes:
    head = f"<title>{html.escape(title)}</title>" if titled else ""
    h1 = f"<h1>{html.escape(title)}</h1>" if titled else ""
    return (f"<html><head><meta charset='utf-8'>{head}</head><body>"
            f"<div class='crumb'>当前位置：首页 > 政务公开 > 年度报告</div>{h1}"
            f"<div class='sub'>发布日期：2023-01-20 来源：县政府办公室</div><div class='content'>{body}</div>"
            "<div class='foot'>版权所有：某某县人民政府 网站标识码：1234567890</div></body></html>").encode("utf-8")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    report = load_sample("000_9cc224736a79167a.txt")
    routes = {
        "/nb/1.html": Resource(_page(report.title, body_html(report.lines)), "text/html; charset=utf-8"),
        # pages without a title of their own, judged by the link that led to them: only their text says what they are
        "/nb/2.html": Resource(_page("", f"<p>图解：{TITLE}</p><p>[图片]</p>", titled=False), "text/html; charset=utf-8"),
        "/nb/3.html": Resource(_page("", f"<p>《{TITLE}》解读</p><p>现就年度报告解读如下。主动公开信息1200条。</p>",
                                     titled=False), "text/html; charset=utf-8"),
    }
    links = [("/nb/1.html", report.title), ("/nb/2.html", TITLE), ("/nb/3.html", TITLE.replace("某某县", "某某县人民政府"))]
    items = "".join(f"<li><a href='{p}'>{html.escape(t)}</a><span>2023-01-20</span></li>" for p, t in links)
    routes["/nb/index.html"] = Resource(f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><ul>{items}"
                                        "</ul></body></html>".encode("utf-8"), "text/html; charset=utf-8")
    with PortalServer() as server:
        server.routes = routes
        config = parse_config({"politeness": {"delay": 0, "timeout": 5, "retries": 1, "backoff": 0.05},
                               "site": [{"name": "nr", "start_urls": [server.url + "/nb/index.html"]}]})
        index = tmp_path_factory.mktemp("nr") / "index"
        with Crawler(config, index) as crawler:
            stats = crawler.run()
        fetched = {h.path for h in server.hits}
    yield {"stats": stats[0], "index": index, "archive": crawler.archive_dir, "fetched": fetched}


def test_crawl_skips_and_counts_pages_that_are_not_reports(crawled):
    from indexer.library import Library

    stats = crawled["stats"]
    assert {"/nb/2.html", "/nb/3.html"} <= crawled["fetched"]  # linked as reports, so fetched
    assert stats.not_reports == {"图解": 1, "政策解读": 1} and stats.errors == 0
    assert {kind for _, kind, _ in stats.skipped} == {"图解", "政策解读"} and all(r for _, _, r in stats.skipped)
    assert "非年报 2" in stats.line()
    with Library(crawled["index"]) as lib:
        assert [r.source.rsplit("/", 1)[-1] for r in lib.reports()] == ["1.html"]


def test_reindex_skips_them_too(crawled, tmp_path):
    from indexer.library import Library

    skipped: list = []
    with Library(tmp_path / "rebuilt") as lib:
        added, failed = reindex(crawled["archive"], lib, skipped=skipped)
        assert (added, failed, lib.count()) == (1, [], 1)
    assert sorted(kind for _, kind, _ in skipped) == ["图解", "政策解读"]
