"""A hostile HTTP server on 127.0.0.1 for the crawler's tests and bench/hostile.py: it speaks HTTP by hand so it
can misbehave in ways a well-made server library will not (a header byte at a time, a body without end).

    /ok.html          a normal page (the run goes on after each hostile one)
    /gzip-bomb        gzip reply that unpacks to ``bomb_bytes`` of zeros
    /slow-headers     the status line and headers one byte per ``trickle`` seconds, never finished
    /slow-body        headers at once, then the body one byte per ``trickle`` seconds
    /endless          a body without Content-Length that never ends
    /loop             a redirect to itself;  /chain/N → /chain/N+1 for ever
    /off-host         a redirect to another host;  /to-file  a redirect to file:///etc/passwd
"""

from __future__ import annotations

import socketserver
import threading
import time
import zlib


def gzip_bomb(unpacked: int) -> bytes:
    """A gzip stream of ``unpacked`` zero bytes, made a megabyte at a time (never the whole thing in memory)."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = []
    for start in range(0, unpacked, len(block)):
        parts.append(pack.compress(block[: min(len(block), unpacked - start)]))
    parts.append(pack.flush())
    return b"".join(parts)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server: HostileServer = self.server.owner  # type: ignore[attr-defined]
        line = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
        server.hits.append(path)
        try:
            self._answer(server, path)
        except OSError:  # the client gave up: that is what we wanted
            pass

    def _send(self, status: str, headers: dict[str, str], body: bytes = b"") -> None:
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.wfile.write(head.encode("latin-1") + body)
        self.wfile.flush()

    def _answer(self, server: "HostileServer", path: str) -> None:
        stop = server.stopping
        if path == "/ok.html":
            body = "<html><head><title>年度报告</title></head><body>政府信息公开</body></html>".encode()
            self._send("200 OK", {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body)),
                                  "Connection": "close"}, body)
        elif path == "/gzip-bomb":
            body = server.bomb()
            self._send("200 OK", {"Content-Type": "text/html", "Content-Encoding": "gzip",
                                  "Content-Length": str(len(body)), "Connection": "close"}, body)
        elif path == "/slow-headers":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"a" * 100_000:
                if stop.wait(server.trickle):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        elif path == "/slow-body":
            self._send("200 OK", {"Content-Type": "text/html", "Content-Length": "100000", "Connection": "close"})
            for _ in range(100_000):
                if stop.wait(server.trickle):
                    return
                self.wfile.write(b"a")
                self.wfile.flush()
        elif path == "/endless":
            self._send("200 OK", {"Content-Type": "text/html", "Connection": "close"})
            block = b"<p>" + b"a" * 65_536 + b"</p>"
            while not stop.is_set():
                self.wfile.write(block)
        elif path == "/loop":
            self._send("302 Found", {"Location": "/loop", "Content-Length": "0", "Connection": "close"})
        elif path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1] or 0)
            self._send("302 Found", {"Location": f"/chain/{n + 1}", "Content-Length": "0", "Connection": "close"})
        elif path == "/off-host":
            self._send("302 Found", {"Location": "http://elsewhere.invalid/report.html", "Content-Length": "0",
                                     "Connection": "close"})
        elif path == "/to-file":
            self._send("302 Found", {"Location": "file:///etc/passwd", "Content-Length": "0", "Connection": "close"})
        else:
            self._send("404 Not Found", {"Content-Length": "0", "Connection": "close"})


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class HostileServer:
    """``with HostileServer() as s: s.url + "/gzip-bomb"``."""

    def __init__(self, *, bomb_bytes: int = 20_000_000, trickle: float = 0.5):
        self.bomb_bytes = bomb_bytes
        self.trickle = trickle
        self.hits: list[str] = []
        self.stopping = threading.Event()
        self._bomb: bytes | None = None
        self._bomb_lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def bomb(self) -> bytes:
        with self._bomb_lock:
            if self._bomb is None:
                self._bomb = gzip_bomb(self.bomb_bytes)
            return self._bomb

    def __enter__(self) -> "HostileServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        time.sleep(0)
