"""The crawler end to end against the local test portals (real HTTP on 127.0.0.1, real library and index):
collects every report and nothing else, politely; survives the failure routes; killed with SIGKILL and re-run it
loses nothing and fetches nothing twice; an unchanged site gets only conditional requests; reindex without network
rebuilds the same index; new and changed reports are picked up."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scrapers.config import USER_AGENT, load_config
from scrapers.crawl import Crawler, reindex
from scrapers.testsite import config_toml, start_test_sites
from scrapers.testsite.portals import load_sample
from scrapers.testsite.server import Resource

REPO = Path(__file__).resolve().parents[2]
LABELS = {k: v for name in ("labels-real.json", "labels-seeds.json")
          for k, v in json.loads((REPO / "tests" / "labels" / name).read_text(encoding="utf-8")).items()}
TRANSIENT = {"/error/t2013.htm", "/slow/t2014.htm"}  # failures worth retrying on a later run (500, timeout)


def _hits(sites):
    return [(server, len(server.hits)) for server in (sites.trs, sites.hanweb, sites.outside)]


def _since(marks):
    """(full URL, hit) for every request the servers got since ``marks``."""
    return [(server.url + h.path, h) for server, n in marks for h in server.hits[n:]]


def _handled_urls(archive: Path) -> set[str]:
    """URLs whose outcome the crawl state holds (response archived, redirect or failure recorded)."""
    db = sqlite3.connect(archive / "state.sqlite")
    try:
        return {u for (u,) in db.execute("SELECT url FROM urls WHERE status != 'queued'")}
    finally:
        db.close()


def _library_json(index_dir: Path) -> dict[str, dict]:
    from indexer.library import Library

    with Library(index_dir) as lib:
        return {r.id: r.to_json() for r in lib.reports()}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """First crawl in a subprocess killed with SIGKILL midway, then the same command run again to the end."""
    pytest.importorskip("indexer.library")
    sites = start_test_sites()
    work = tmp_path_factory.mktemp("crawl")
    config = work / "sites.toml"
    config.write_text(config_toml(sites, delay=0.1), encoding="utf-8")
    index = work / "index"
    archive = index / "crawl"
    marks = _hits(sites)
    proc = subprocess.Popen([sys.executable, "-m", "scrapers.cli", "crawl", str(config), "--index", str(index), "-q"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(_handled_urls(archive)) >= 8:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_hits = _since(marks)
    stored_at_kill = _handled_urls(archive)
    marks = _hits(sites)
    crawler = Crawler(load_config(config), index)
    try:
        stats = crawler.run()
    finally:
        crawler.close()
    yield {"sites": sites, "config": config, "index": index, "archive": archive, "stats": stats,
           "killed_hits": killed_hits, "stored_at_kill": stored_at_kill, "resume_hits": _since(marks),
           "returncode": proc.returncode, "work": work}
    sites.stop()


def test_the_first_crawl_really_was_killed_midway(crawled):
    assert crawled["returncode"] == -signal.SIGKILL
    assert 8 <= len(crawled["stored_at_kill"]) < 40
    assert any(s.resumed for s in crawled["stats"])


def test_collects_every_report_and_nothing_else(crawled):
    from indexer.library import Library

    with Library(crawled["index"]) as lib:
        reports = list(lib.reports())
    sources = sorted(r.source for r in reports)
    assert sources == sorted(crawled["sites"].expected)  # one report per expected URL, nothing else
    # the PDF both portals link is one report, stored under the URL reached first
    assert not any("/attach/0/szfgs2024.pdf" in s for s in sources)


def test_region_and_year_right(crawled):
    from indexer.library import Library

    expected = crawled["sites"].expected
    wrong = []
    with Library(crawled["index"]) as lib:
        for report in lib.reports():
            label = LABELS[expected[report.source]]
            for key in ("year", "province", "city", "county"):
                if key in label and getattr(report, key) != label[key]:
                    wrong.append((expected[report.source], key, getattr(report, key), label[key]))
    assert wrong == []


def test_attachment_reports_carry_the_page_metadata(crawled):
    from indexer.library import Library

    url = crawled["sites"].hanweb.url + "/picture/0/2501221530123.pdf"
    with Library(crawled["index"]) as lib:
        report = next(r for r in lib.reports() if r.source == url)
    assert report.published == "2025-01-22"  # from the page that only pointed to the PDF
    assert report.title and "2024年政府信息公开工作年度报告" in report.title.replace(" ", "")


def test_polite_never_outside_config_obeys_robots(crawled):
    sites = crawled["sites"]
    hits = [h for _, h in crawled["killed_hits"] + crawled["resume_hits"]]
    assert sites.outside.hits == []
    assert sites.trs.hits_for("/private/t2018.htm") == []
    assert all(h.headers.get("user-agent") == USER_AGENT for h in hits)
    assert sites.trs.hits_for("/robots.txt") and sites.hanweb.hits_for("/robots.txt")


def test_survives_404_500_slow_loop_oversized(crawled):
    log = (crawled["archive"] / "failures.log").read_text(encoding="utf-8")
    trs = crawled["sites"].trs.url
    for path, reason in [("/zwgk/zfxxgk/zfxxgknb/201303/t20130301_404.htm", "服务器返回 HTTP 404"),
                         ("/error/t2013.htm", "服务器返回 HTTP 500"), ("/slow/t2014.htm", "超时："),
                         ("/loop/a.htm", "重定向形成循环："), ("/big/t2017.pdf", "应答过大：超过"),
                         ("/private/t2018.htm", "未抓取：robots.txt 禁止抓取")]:
        assert any(line.split("\t")[2] == trs + path and reason in line for line in log.splitlines()), path


def test_killed_crawl_lost_nothing_and_fetched_nothing_twice(crawled):
    again = [(url, h) for url, h in crawled["resume_hits"] if h.path != "/robots.txt"]
    assert again  # the resumed run had work left
    assert [url for url, _ in again if url in crawled["stored_at_kill"]] == []  # nothing handled was asked again
    urls = [url for url, _ in again if not any(url.endswith(p) for p in TRANSIENT)]
    assert len(urls) == len(set(urls))  # and nothing twice after the restart
    assert not any(h.conditional for _, h in again)  # a resume, not a revisit


def test_reindex_without_network_gives_the_same_index(crawled, monkeypatch):
    from indexer.library import Library

    def no_network(*args, **kwargs):
        raise OSError("network is cut in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fresh = crawled["work"] / "rebuilt"
    with Library(fresh) as lib:
        added, failed = reindex(crawled["archive"], lib)
    assert failed == []
    monkeypatch.undo()
    assert _library_json(fresh) == _library_json(crawled["index"])
    # and the same search results
    with Library(fresh) as a, Library(crawled["index"]) as b:
        ra, rb = a.search("政府信息公开", limit=50), b.search("政府信息公开", limit=50)
        assert ra["total"] == rb["total"] == 14 and ra["facets"] == rb["facets"]
        assert [h["id"] for h in ra["results"]] == [h["id"] for h in rb["results"]]


def test_unchanged_site_gets_only_conditional_requests(crawled):
    before = _library_json(crawled["index"])
    marks = _hits(crawled["sites"])
    crawler = Crawler(load_config(crawled["config"]), crawled["index"])
    try:
        stats = crawler.run()
    finally:
        crawler.close()
    hits = [h for _, h in _since(marks)]
    assert hits and all(h.conditional for h in hits if h.path not in TRANSIENT)
    assert all(h.status == 304 for h in hits if h.path not in TRANSIENT)
    assert sum(s.reports_new + s.reports_updated for s in stats) == 0
    assert _library_json(crawled["index"]) == before


def test_new_and_changed_reports_are_picked_up(crawled):
    sites = crawled["sites"]
    trs = sites.trs
    # a changed report: the page gets a correction notice
    path = "/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm"
    page = trs.routes[path].body.decode("gb18030")
    trs.routes[path] = Resource(page.replace("</div>\n<div class=\"pages\">", "<p>（本报告于2022年2月9日更正。）</p>"
                                             "</div>\n<div class=\"pages\">").encode("gb18030"), "text/html")
    # a new report on the first list page
    new_path = "/zwgk/zfxxgk/zfxxgknb/201104/t20110418_80001.htm"
    old = load_sample("pingtan-001.txt")
    text = "\n".join(old.lines).replace("2011", "2010").replace("2012", "2011")
    title = old.title.replace("2011", "2010")
    trs.routes[new_path] = Resource(f"<html><head><meta charset='gbk'><title>{title}</title></head><body><h1>{title}"
                                    f"</h1><div>{text}</div></body></html>".encode("gb18030"))
    listing = trs.routes["/zwgk/zfxxgk/zfxxgknb/index.html"].body.decode("gb18030")
    trs.routes["/zwgk/zfxxgk/zfxxgknb/index.html"] = Resource(listing.replace(
        '<ul class="list">', f'<ul class="list"><li><a href="./201104/t20110418_80001.htm">{title}</a></li>')
        .encode("gb18030"), "text/html")
    marks = _hits(sites)
    crawler = Crawler(load_config(crawled["config"]), crawled["index"])
    try:
        stats = {s.site: s for s in crawler.run()}
    finally:
        crawler.close()
    assert (stats["trs"].reports_new, stats["trs"].reports_updated) == (1, 1)
    assert (stats["hanweb"].reports_new, stats["hanweb"].reports_updated) == (0, 0)
    fresh = [h.path for _, h in _since(marks) if not h.conditional and h.path not in TRANSIENT]
    assert fresh == [new_path]
