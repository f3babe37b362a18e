"""Site selectors (scrapers/selectors.py): a crawl of the test portals whose config names CSS selectors collects the
same reports as generic discovery, and a selector that matches nothing falls back with a logged warning."""

from __future__ import annotations

import logging

import pytest

from scrapers.config import ConfigError, Selectors, load_config, parse_config
from scrapers.crawl import Crawler
from scrapers.discover import analyse_page
from scrapers.selectors import apply_selectors
from scrapers.testsite import config_toml, start_test_sites

TRS_SELECTORS = """
[site.selectors]
list = "ul.list li a"
next_page = "div.page a.no-such-link"
content = "div.TRS_Editor"
title = "div.article h1.title"
date = "div.article div.info"
"""
HANWEB_SELECTORS = """
[site.selectors]
list = "div.no-such-list a"
"""


def _with_selectors(toml: str) -> str:
    trs, hanweb = toml.split('[[site]]\nname = "hanweb"')
    return trs.rstrip() + "\n" + TRS_SELECTORS + '\n[[site]]\nname = "hanweb"' + hanweb.rstrip() + "\n" + HANWEB_SELECTORS


def _crawl(config_path, index):
    from indexer.library import Library

    crawler = Crawler(load_config(config_path), index)
    try:
        crawler.run()
    finally:
        crawler.close()
    with Library(index) as lib:
        return {(r.id, r.title, r.published) for r in lib.reports()}


@pytest.fixture(scope="module")
def sites():
    s = start_test_sites()
    yield s
    s.stop()


def test_selectors_collect_the_same_reports_as_generic_discovery(sites, tmp_path, caplog):
    generic = tmp_path / "generic.toml"
    generic.write_text(config_toml(sites), encoding="utf-8")
    selected = tmp_path / "selected.toml"
    selected.write_text(_with_selectors(config_toml(sites)), encoding="utf-8")
    assert load_config(selected).sites[0].selectors.list == "ul.list li a"
    want = _crawl(generic, tmp_path / "ix-generic")
    with caplog.at_level(logging.WARNING, logger="scrapers.selectors"):
        got = _crawl(selected, tmp_path / "ix-selected")
    assert want and got == want
    warnings = [r.getMessage() for r in caplog.records if r.name == "scrapers.selectors"]
    # the hanweb list selector matches nothing: every list page falls back, and says so
    assert any("hanweb" in w and "div.no-such-list a" in w and "改用通用识别" in w for w in warnings)
    # so does the TRS next_page selector; the TRS list/content/title/date selectors match
    assert any("next_page" in w for w in warnings)
    assert not any("'ul.list li a'" in w or "TRS_Editor" in w for w in warnings)


def test_selectors_override_title_date_list_and_body():
    html = """<html><head><title>站点首页</title></head><body>
      <div class="article"><h1 class="title">某县2023年政府信息公开工作年度报告</h1>
      <div class="info"><time datetime="2024-01-20">1月20日</time></div>
      <div class="body">一二三四五六七八九十<a href="/f/report.pdf">附件</a></div></div>
      <ul class="reports"><li><a href="/a/1.html">第一份</a></li><li><a href="/a/2.html" title="第二份的全名">第二份</a></li></ul>
      <a class="next" href="/list_2.html">下一页</a></body></html>"""
    page = analyse_page(html, "http://example.test/list.html")
    sel = Selectors(title="div.article h1", date="div.info time", content="div.body", list="ul.reports a",
                    next_page="a.next")
    out = apply_selectors(page, html, sel, "t")
    assert out.title == "某县2023年政府信息公开工作年度报告"
    assert out.published == "2024-01-20"
    assert out.body_chars == 10  # the link text does not count
    assert [a.url for a in out.attachments] == ["http://example.test/f/report.pdf"]
    assert [(x.url, x.text) for x in out.listed] == [("http://example.test/a/1.html", "第一份"),
                                                     ("http://example.test/a/2.html", "第二份的全名")]
    assert out.pagination == ["http://example.test/list_2.html"]


def test_bad_selectors_are_config_errors():
    base = {"site": [{"name": "x", "start_urls": ["http://example.test/"], "selectors": {"list": "ul >> a"}}]}
    with pytest.raises(ConfigError, match="selectors.list"):
        parse_config(base)
    base["site"][0]["selectors"] = {"lists": "ul a"}
    with pytest.raises(ConfigError, match="^站点 'x'：没有这些选择器：lists（可用：content、list、next_page、date、title）$"):
        parse_config(base)
