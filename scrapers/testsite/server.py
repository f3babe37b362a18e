"""A small HTTP server for test portals: static routes with ETag / Last-Modified / 304, the failure routes a crawler
must survive, and a log of every request (path and headers) for the tests to count."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: float = 1_700_000_000.0  # fixed, so validators survive a server restart
    delay: float = 0.0  # seconds before answering (the slow page)
    redirect: str | None = None  # Location of a 301
    stream_bytes: int = 0  # send this many filler bytes without Content-Length (the oversized page)
    validators: bool = True

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


class PortalServer:
    """``PortalServer(routes)`` on 127.0.0.1 (port 0 = any free port); ``.url``, ``.hits``, ``.stop()``."""

    def __init__(self, routes: dict[str, Resource] | None = None, port: int = 0, host: str = "127.0.0.1"):
        self.routes: dict[str, Resource] = routes or {}
        self.dynamic: dict[str, Callable[[dict[str, str]], Resource | None]] = {}  # path -> answer from the query
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "TestPortal/1.0"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                outer._serve(self)

        self.httpd = _QuietServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "PortalServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "PortalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -----------------------------------------------------------------------------------------------------------

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        resource = self.routes.get(h.path)
        if resource is None:  # a generated answer (the Hanweb data proxy), from the query
            parts = urlsplit(h.path)
            handler = self.dynamic.get(parts.path)
            resource = handler(dict(parse_qsl(parts.query))) if handler else None
        status = resource.status if resource else 404
        if resource and resource.validators and resource.status == 200 and not resource.redirect \
                and not resource.stream_bytes and _not_modified(resource, headers):
            status = 304
        with self._lock:
            self.hits.append(Hit(h.path, headers, status))
        if resource is None:
            body = "<html><head><title>404</title></head><body>页面不存在</body></html>".encode()
            return _send(h, 404, body, "text/html; charset=utf-8")
        if resource.delay:
            time.sleep(resource.delay)
        if resource.redirect:
            return _send(h, 301, b"", "text/html", {"Location": resource.redirect})
        if resource.stream_bytes:
            h.send_response(200)
            h.send_header("Content-Type", resource.content_type)
            h.send_header("Connection", "close")
            h.end_headers()
            chunk = b"0" * 65536
            sent = 0
            try:
                while sent < resource.stream_bytes:
                    h.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:  # the client hung up, as it should
                pass
            h.close_connection = True
            return
        extra = dict(resource.headers)
        if resource.validators:
            extra["ETag"] = resource.etag
            extra["Last-Modified"] = formatdate(resource.last_modified, usegmt=True)
        if status == 304:
            return _send(h, 304, b"", None, extra)
        _send(h, status, resource.body, resource.content_type, extra)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # clients hanging up on purpose (timeouts, size limit)
        pass


def _not_modified(resource: Resource, headers: dict[str, str]) -> bool:
    if "if-none-match" in headers:
        return resource.etag in [t.strip() for t in headers["if-none-match"].split(",")]
    if "if-modified-since" in headers:
        try:
            return parsedate_to_datetime(headers["if-modified-since"]).timestamp() >= int(resource.last_modified)
        except (TypeError, ValueError):
            return False
    return False


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None,
          extra: dict[str, str] | None = None) -> None:
    try:
        h.send_response(status)
        if content_type:
            h.send_header("Content-Type", content_type)
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)
    except OSError:  # the client gave up (timeout test)
        pass
