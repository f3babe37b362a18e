"""A polite HTTP client: per-host rate limit and concurrency, timeouts, retries with exponential backoff on timeouts,
connection errors and 5xx (never on 4xx), bounded redirects checked against the caller's rules, a maximum response
size, an honest User-Agent, and the text encoding of a page (header, ``<meta charset>``, then detection).

Every response received (redirect hops and failed attempts included) is returned, so the caller can archive it as
fetched.  Nothing here touches the crawl state or the archive.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from scrapers.config import ROBOTS_AGENT, USER_AGENT, Politeness


@dataclass
class Response:
    """One HTTP response exactly as received."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]]
    http_version: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")


@dataclass
class FetchResult:
    url: str  # what was asked for
    responses: list[Response] = field(default_factory=list)  # every response received, in order
    error: str | None = None  # why no usable response came back
    permanent: bool = False  # the error will not go away by asking again later (4xx, too big, redirect loop)

    @property
    def final(self) -> Response | None:
        return self.responses[-1] if self.responses else None

    @property
    def ok(self) -> bool:
        return self.error is None and self.final is not None and self.final.status in (200, 304)


class HostGate:
    """At most ``concurrency`` requests in flight to one host, and starts at least ``delay`` seconds apart."""

    def __init__(self, delay: float, concurrency: int):
        self.delay = delay
        self._slots = threading.BoundedSemaphore(max(concurrency, 1))
        self._lock = threading.Lock()
        self._next_start = 0.0

    def __enter__(self) -> "HostGate":
        self._slots.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            time.sleep(start - now)
        return self

    def __exit__(self, *exc) -> None:
        self._slots.release()


def canonical_url(url: str) -> str:
    """The URL without fragment, with lower-case scheme and host; the key for 'seen'."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


class Fetcher:
    """``fetch(url)`` with the politeness rules of the site the URL belongs to.

    ``may_fetch(url)`` is asked before every request, redirect targets included (allowed hosts, robots.txt).
    """

    def __init__(self, may_fetch: Callable[[str], str | None] = lambda url: None,
                 user_agent: str = USER_AGENT, transport: httpx.BaseTransport | None = None):
        self.may_fetch = may_fetch  # returns None when allowed, else the reason
        self.user_agent = user_agent
        # No kept-alive connections: each exchange opens its own, so its deadline (ExchangeDeadline) can close it.
        # Politeness already spaces requests to a host by a second or more, past most servers' keep-alive.
        self._client = httpx.Client(follow_redirects=False, transport=transport,
                                    limits=httpx.Limits(max_keepalive_connections=0),
                                    headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
        self._gates: dict[str, HostGate] = {}
        self._gates_lock = threading.Lock()
        self._host_delay: dict[str, float] = {}  # Crawl-delay from robots.txt, when longer than ours

    def set_crawl_delay(self, netloc: str, delay: float) -> None:
        self._host_delay[netloc.lower()] = delay

    def _gate(self, netloc: str, rules: Politeness) -> HostGate:
        with self._gates_lock:
            gate = self._gates.get(netloc)
            if gate is None:
                delay = max(rules.delay, self._host_delay.get(netloc, 0.0))
                gate = self._gates[netloc] = HostGate(delay, rules.concurrency)
            return gate

    def close(self) -> None:
        self._client.close()

    # -----------------------------------------------------------------------------------------------------------

    def fetch(self, url: str, rules: Politeness, *, etag: str | None = None,
              last_modified: str | None = None, check_first: bool = True) -> FetchResult:
        """GET ``url``, following at most ``rules.max_redirects`` redirects; conditional when validators given."""
        result = FetchResult(url=url)
        seen: set[str] = set()
        current = url
        for hop in range(rules.max_redirects + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                result.error, result.permanent = f"未抓取：不是 http(s) 网址：{current[:200]}", True
                return result
            if hop or check_first:
                refusal = self.may_fetch(current)
                if refusal:
                    result.error, result.permanent = f"未抓取：{refusal}", True
                    return result
            if current in seen:
                result.error, result.permanent = f"重定向形成循环：{current}", True
                return result
            seen.add(current)
            headers = {}
            if hop == 0:  # validators belong to the URL asked for, not to a redirect target
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            response, error, permanent = self._get_with_retries(current, rules, headers, result.responses)
            if response is None:
                result.error, result.permanent = error, permanent
                return result
            if response.status in (301, 302, 303, 307, 308):
                location = response.header("location")
                if not location:
                    result.error, result.permanent = f"服务器返回 HTTP {response.status} 重定向，却没有 Location 头", True
                    return result
                current = canonical_url(urljoin(current, location))
                continue
            if response.status >= 400:
                result.error = _status_error(response)
                result.permanent = response.status < 500 and response.status not in (408, 429)
            return result
        result.error, result.permanent = f"重定向超过 {rules.max_redirects} 次", True
        return result

    def _get_with_retries(self, url: str, rules: Politeness, headers: dict[str, str],
                          received: list[Response]) -> tuple[Response | None, str | None, bool]:
        """(response, error, permanent); transient failures are retried with exponential backoff."""
        attempts = 1 + max(rules.retries, 0)
        error = "未发出请求"
        gate = self._gate(urlsplit(url).netloc.lower(), rules)
        wait_hint = 0.0  # Retry-After of a 429/503, when the server gave one
        for attempt in range(attempts):
            if attempt:
                time.sleep(max(rules.backoff * 2 ** (attempt - 1), min(wait_hint, _MAX_RETRY_AFTER)))
            try:
                with gate:
                    response = self._get_once(url, rules, headers)
            except ResponseTooLarge as e:  # dropped unread: nothing of it is kept
                return None, str(e), True
            except ExchangeTimeout as e:
                error = f"超时：{e}"
                continue
            except httpx.TimeoutException:
                error = f"超时：{rules.timeout:g} 秒内没有收到数据"
                continue
            except httpx.TransportError as e:
                error = f"连接失败（{type(e).__name__}: {e}".rstrip(": ") + "）"
                continue
            except httpx.HTTPError as e:  # malformed response and the like: asking again will not help
                return None, f"服务器的应答无效（{type(e).__name__}: {e}）", True
            received.append(response)
            if response.status >= 500 or response.status == 429:  # overloaded or asked to slow down
                error = _status_error(response)
                wait_hint = _retry_after(response.header("retry-after"))
                if attempt + 1 < attempts:
                    continue
            return response, None, False
        return None, error, False

    def _get_once(self, url: str, rules: Politeness, headers: dict[str, str]) -> Response:
        # rules.timeout bounds each wait for bytes; the whole exchange (connect, headers, body) gets 3× that, so a
        # trickling server cannot hold a slot (one header byte per 0.5 s held an attempt 150 s before this)
        seconds = rules.timeout * _EXCHANGE_FACTOR
        deadline = ExchangeDeadline(seconds)
        request = self._client.build_request("GET", url, headers=headers, timeout=httpx.Timeout(rules.timeout),
                                             extensions={"trace": deadline.trace})
        over = f"整个请求超过 {seconds:g} 秒仍未完成"
        try:
            r = self._client.send(request, stream=True)
            try:
                length = r.headers.get("content-length")
                if length and length.isdigit() and int(length) > rules.max_bytes:
                    raise ResponseTooLarge(f"应答过大：超过 {rules.max_bytes} 字节（Content-Length {length}）",
                                           _response(url, r, b"", request))
                chunks, size = [], 0
                for chunk in r.iter_raw():
                    size += len(chunk)
                    if size > rules.max_bytes:
                        raise ResponseTooLarge(f"应答过大：超过 {rules.max_bytes} 字节",
                                               _response(url, r, b"", request))
                    if deadline.expired:
                        raise ExchangeTimeout(over, request=request)
                    chunks.append(chunk)
                raw = b"".join(chunks)
            finally:
                r.close()
        except httpx.HTTPError as e:
            if deadline.expired and not isinstance(e, httpx.TimeoutException):  # the socket it closed
                raise ExchangeTimeout(over, request=request) from e
            raise
        finally:
            deadline.cancel()
        if deadline.expired:
            raise ExchangeTimeout(over, request=request)
        try:
            body = _decoded(raw, r.headers.get("content-encoding"), rules.max_bytes)
        except ResponseTooLarge as e:
            e.response = _response(url, r, b"", request)
            raise
        return _response(url, r, raw, request, body)


def _status_error(response: Response) -> str:
    """'服务器返回 HTTP 404 Not Found': the status code and the server's own reason phrase, as sent."""
    return f"服务器返回 HTTP {response.status} {response.reason}".strip()


class ExchangeTimeout(httpx.ReadTimeout):
    """The whole exchange ran past its deadline (ExchangeDeadline), as distinct from one wait for bytes."""


_MAX_RETRY_AFTER = 120.0
_EXCHANGE_FACTOR = 3  # the whole exchange may take this many times Politeness.timeout


class ExchangeDeadline:
    """One deadline for a whole HTTP exchange.  httpx's timeouts bound each wait for bytes, not their sum, so when
    the deadline passes this shuts the exchange's socket (found through httpcore's trace events), which ends any
    read in progress; the fetcher then reports a timeout."""

    def __init__(self, seconds: float):
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            with self._lock:
                self._sock = sock
                if self.expired:
                    self._shut()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (delta seconds or an HTTP date); 0 when absent or unreadable."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0


class ResponseTooLarge(Exception):
    def __init__(self, message: str, response: Response | None = None):
        super().__init__(message)
        self.response = response


def _decoded(raw: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """The body with its gzip/deflate coding undone, at most ``max_bytes`` of it: the limit is on what the body
    becomes, not on what came over the wire (a 1 MB gzip reply unpacked to 419 MB before this)."""
    encoding = (content_encoding or "").lower().strip()
    if not raw or encoding not in ("gzip", "deflate", "x-gzip"):
        return raw
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
    try:
        body = unpack.decompress(raw, max_bytes + 1)
    except zlib.error:
        return raw
    if len(body) > max_bytes:
        raise ResponseTooLarge(f"应答过大：解压后超过 {max_bytes} 字节（{encoding}）")
    return body


def _response(url: str, r: httpx.Response, raw: bytes, request: httpx.Request,
              body: bytes | None = None) -> Response:
    # Keep the body as it came over the wire (content-encoding included) so the archive holds what was sent;
    # ``body`` is the decoded one for use.
    body = raw if body is None else body
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in r.headers.raw]
    if body is not raw:  # what we keep is the decoded body, so its headers must not claim an encoding
        headers = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "content-length")]
        headers.append(("Content-Length", str(len(body))))
    return Response(
        url=url, status=r.status_code, reason=r.reason_phrase or "", headers=headers, body=body,
        request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
        http_version=r.http_version or "HTTP/1.1",
    )


# ---------------------------------------------------------------------------------------------------------------
# robots.txt


def parse_robots(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def robots_for_status(status: int | None, text: str) -> RobotFileParser:
    """RFC 9309: 2xx → the rules; 4xx → no rules (everything allowed); 5xx or unreachable → everything disallowed."""
    if status is not None and 200 <= status < 300:
        return parse_robots(text)
    if status is not None and 400 <= status < 500:
        return parse_robots("")
    return parse_robots("User-agent: *\nDisallow: /")


def robots_allows(parser: RobotFileParser, url: str) -> bool:
    return parser.can_fetch(ROBOTS_AGENT, url)


def robots_delay(parser: RobotFileParser) -> float:
    delay = parser.crawl_delay(ROBOTS_AGENT)
    return float(delay) if delay else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Encoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# Chinese legacy encodings are decoded with their superset so that characters outside GB2312 survive.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030",
              "euc-cn": "gb18030"}


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    name = _SUPERSETS.get(name.lower(), name.lower())
    try:
        import codecs

        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(body: bytes) -> str | None:
    """The encoding a page names in its own ``<meta>`` (usable codec name), if any."""
    m = _META_CHARSET.search(body[:4096])
    return _usable(m.group(1).decode("ascii")) if m else None


def detect_encoding(body: bytes, content_type: str | None) -> str:
    """The page's encoding: the HTTP header, else ``<meta charset>``, else detection; always a usable codec name."""
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        enc = _usable(m.group(1)) if m else None
        if enc:
            return enc
    enc = declared_charset(body)
    if enc:
        return enc
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000], cp_isolation=["gb18030", "big5", "utf_8", "utf_16"]).best()
    return _usable(best.encoding if best else None) or "gb18030"


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    encoding = detect_encoding(body, content_type)
    return body.decode(encoding, errors="replace"), encoding
