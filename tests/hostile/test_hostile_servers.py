"""The crawler's client against a hostile server on 127.0.0.1: every exchange ends within its deadline with one
clear line, nothing of a refused body is kept, and the next fetch works."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from scrapers.config import Politeness
from scrapers.fetch import Fetcher

from hostile.hostile_server import HostileServer

# timeout 1 s: a whole exchange may take 3 s; one retry, so a hostile URL costs at most ~6 s
RULES = Politeness(delay=0.0, concurrency=2, timeout=1.0, retries=1, backoff=0.01, max_redirects=5,
                   max_bytes=1_000_000)


@pytest.fixture(scope="module")
def server():
    with HostileServer(bomb_bytes=50_000_000, trickle=0.2) as s:
        s.bomb()  # made before the first request: making it under load took longer than the client's 1 s timeout
        yield s


@pytest.fixture()
def fetcher(server):
    host = urlsplit(server.url).netloc
    f = Fetcher(may_fetch=lambda url: None if urlsplit(url).netloc == host else f"不允许的主机：{url}")
    yield f
    f.close()


@pytest.mark.parametrize("path, reason", [
    ("/gzip-bomb", "应答过大：解压后超过 1000000 字节（gzip）"),
    ("/slow-headers", "超时：整个请求超过 3 秒仍未完成"),
    ("/slow-body", "超时：整个请求超过 3 秒仍未完成"),
    ("/endless", "应答过大：超过 1000000 字节"),
    ("/loop", "重定向形成循环："),
    ("/chain/0", "重定向超过 5 次"),
    ("/off-host", "未抓取：不允许的主机："),
    ("/to-file", "未抓取：不是 http(s) 网址："),
])
def test_hostile_answers_end_in_time_with_one_line(server, fetcher, path, reason):
    t0 = time.monotonic()
    result = fetcher.fetch(server.url + path, RULES)
    took = time.monotonic() - t0
    assert not result.ok and reason in result.error and "\n" not in result.error
    assert took < 10, took
    assert all(len(r.body) <= RULES.max_bytes for r in result.responses)  # nothing unbounded kept
    after = fetcher.fetch(server.url + "/ok.html", RULES)  # the run goes on
    assert after.ok and "政府信息公开".encode() in after.final.body
