"""The polite HTTP client against a real HTTP server on 127.0.0.1."""

import gzip
import time

import pytest

from scrapers.config import USER_AGENT, Politeness
from scrapers.fetch import Fetcher, decode_body, robots_allows, robots_for_status
from scrapers.testsite import PortalServer, Resource

FAST = Politeness(delay=0.0, concurrency=2, timeout=1.0, retries=2, backoff=0.01, max_redirects=3,
                  max_bytes=100_000)
GBK_PAGE = "<html><head><title>平潭县2011年政府信息公开工作年度报告</title></head><body>鍖 公开</body></html>"


@pytest.fixture(scope="module")
def server():
    routes = {
        "/ok.html": Resource("<html><body>政府信息公开</body></html>".encode("utf-8"), "text/html; charset=utf-8"),
        "/gbk-header.html": Resource(GBK_PAGE.encode("gbk"), "text/html; charset=GBK"),
        "/gbk-meta.html": Resource(GBK_PAGE.replace("<head>", '<head><meta charset="gb2312">').encode("gbk")),
        "/gbk-bare.html": Resource((GBK_PAGE * 5).encode("gb18030"), "text/html"),
        "/500": Resource(b"oops", status=500),
        "/403": Resource(b"no", status=403),
        "/slow": Resource(b"late", delay=2.0),
        "/loop1": Resource(b"", redirect="/loop2"),
        "/loop2": Resource(b"", redirect="/loop1"),
        "/hop": Resource(b"", redirect="/ok.html"),
        "/big": Resource(b"", stream_bytes=1_000_000),
        "/big-declared": Resource(b"x" * 200_000),
        "/gzip.html": Resource(gzip.compress("<p>压缩的页面</p>".encode("utf-8")), "text/html; charset=utf-8",
                               headers={"Content-Encoding": "gzip"}),
        "/429": Resource(b"slow down", status=429, headers={"Retry-After": "1"}),
    }
    with PortalServer(routes) as s:
        yield s


@pytest.fixture(scope="module")
def other():
    with PortalServer({"/x": Resource(b"x")}) as s:
        yield s


def test_get_sends_honest_user_agent_and_conditional_headers(server):
    fetcher = Fetcher()
    result = fetcher.fetch(server.url + "/ok.html", FAST)
    assert result.ok and result.final.status == 200 and "政府信息公开".encode() in result.final.body
    assert server.hits_for("/ok.html")[-1].headers["user-agent"] == USER_AGENT
    again = fetcher.fetch(server.url + "/ok.html", FAST, etag=result.final.header("etag"))
    assert again.final.status == 304 and again.ok
    assert server.hits_for("/ok.html")[-1].conditional
    since = fetcher.fetch(server.url + "/ok.html", FAST, last_modified=result.final.header("last-modified"))
    assert since.final.status == 304


def test_retries_5xx_with_backoff_but_not_4xx(server):
    fetcher = Fetcher()
    result = fetcher.fetch(server.url + "/500", FAST)
    assert result.error == "服务器返回 HTTP 500 Internal Server Error" and not result.permanent
    assert len(server.hits_for("/500")) == 3 and len(result.responses) == 3  # every attempt kept for the archive
    result = fetcher.fetch(server.url + "/403", FAST)
    assert result.error == "服务器返回 HTTP 403 Forbidden" and result.permanent
    assert len(server.hits_for("/403")) == 1


def test_timeout_is_retried_then_given_up(server):
    start = time.monotonic()
    result = Fetcher().fetch(server.url + "/slow", Politeness(timeout=0.5, retries=1, backoff=0.01, delay=0))
    assert result.error == "超时：0.5 秒内没有收到数据" and not result.permanent
    assert len(server.hits_for("/slow")) == 2
    assert time.monotonic() - start < 1.9  # neither attempt waited for the 2 s answer


def test_redirects_bounded_and_checked(server, other):
    fetcher = Fetcher()
    result = fetcher.fetch(server.url + "/loop1", FAST)
    assert result.error == f"重定向形成循环：{server.url}/loop1" and result.permanent
    result = fetcher.fetch(server.url + "/hop", FAST)
    assert result.ok and result.final.url == server.url + "/ok.html" and [r.status for r in result.responses] == [301, 200]
    # a redirect to a host the caller refuses is never followed
    server.routes["/away"] = Resource(b"", redirect=other.url + "/x")
    guarded = Fetcher(may_fetch=lambda url: None if url.startswith(server.url) else "不在站点范围内")
    result = guarded.fetch(server.url + "/away", FAST)
    assert result.error == "未抓取：不在站点范围内" and other.hits == []


def test_oversized_responses_are_dropped(server):
    fetcher = Fetcher()
    streamed = fetcher.fetch(server.url + "/big", FAST)
    assert streamed.error == "应答过大：超过 100000 字节" and streamed.permanent and streamed.responses == []
    declared = fetcher.fetch(server.url + "/big-declared", FAST)
    assert declared.error == "应答过大：超过 100000 字节（Content-Length 200000）"


def test_rate_limit_spaces_requests_to_one_host(server):
    rules = Politeness(delay=0.2, concurrency=1, timeout=2, retries=0)
    fetcher = Fetcher()
    start = time.monotonic()
    for _ in range(4):
        assert fetcher.fetch(server.url + "/ok.html", rules).ok
    assert time.monotonic() - start >= 0.6


def test_encodings(server):
    fetcher = Fetcher()
    for path in ("/gbk-header.html", "/gbk-meta.html", "/gbk-bare.html"):
        final = fetcher.fetch(server.url + path, FAST).final
        text, encoding = decode_body(final.body, final.content_type)
        assert encoding == "gb18030", path
        assert "平潭县2011年政府信息公开工作年度报告" in text, path
    final = fetcher.fetch(server.url + "/ok.html", FAST).final
    assert decode_body(final.body, final.content_type) == ("<html><body>政府信息公开</body></html>", "utf-8")


def test_robots_rules_follow_rfc_9309():
    rules = robots_for_status(200, "User-agent: *\nDisallow: /private/\n")
    assert robots_allows(rules, "http://a.test/zwgk/x.htm") and not robots_allows(rules, "http://a.test/private/x.htm")
    named = robots_for_status(200, "User-agent: nianbao-crawler\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    assert not robots_allows(named, "http://a.test/x.htm")
    assert robots_allows(robots_for_status(404, ""), "http://a.test/x.htm")  # no robots.txt: all allowed
    assert not robots_allows(robots_for_status(503, ""), "http://a.test/x.htm")  # unreachable: nothing allowed
    assert not robots_allows(robots_for_status(None, ""), "http://a.test/x.htm")


def test_gzip_bodies_are_kept_decoded(server):
    final = Fetcher().fetch(server.url + "/gzip.html", FAST).final
    assert final.body == "<p>压缩的页面</p>".encode("utf-8")
    assert final.header("content-encoding") is None and final.header("content-length") == str(len(final.body))


def test_429_waits_for_retry_after(server):
    start = time.monotonic()
    result = Fetcher().fetch(server.url + "/429", Politeness(retries=1, backoff=0.01, delay=0, timeout=2))
    assert result.error == "服务器返回 HTTP 429 Too Many Requests" and not result.permanent
    assert len(server.hits_for("/429")) == 2 and time.monotonic() - start >= 1.0
