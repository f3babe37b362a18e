"""The raw archive: every HTTP exchange kept as fetched, in WARC files (ISO 28500) written with ``warcio``.

One file per crawl process (``crawl-00001.warc.gz``, …), one gzip member per record, flushed and synced after each
exchange so a killed crawl loses at most the record being written; ``repair`` cuts such a torn tail off before the
next run appends.  Each response the crawler turned into a report document is followed by a ``metadata`` record
(JSON: role, name, content type, page metadata, hints) pointing at it with ``WARC-Concurrent-To``, so the archive
alone is enough to rebuild the collection (``iter_report_documents``).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrapers.fetch import Response

log = logging.getLogger(__name__)

ROLE_REPORT = "report-document"
_FILE = re.compile(r"^crawl-(\d{5,})\.warc\.gz$")
# headers that described the bytes on the wire, not the (de-chunked, decoded) body we keep
_WIRE_HEADERS = {"transfer-encoding", "content-encoding", "content-length"}


@dataclass(frozen=True)
class Position:
    file: str  # file name inside the archive directory
    offset: int


def warc_files(archive_dir: Path) -> list[Path]:
    if not archive_dir.is_dir():
        return []
    return sorted((p for p in archive_dir.iterdir() if _FILE.match(p.name)), key=lambda p: int(_FILE.match(p.name)[1]))


def _sound_end(path: Path) -> int:
    """Byte offset just past the last complete record: each gzip member must end with its trailer and hold a whole
    WARC record (headers, Content-Length bytes of block, blank line)."""
    good_end = 0
    pos = 0
    inflater = zlib.decompressobj(wbits=31)
    record = bytearray()
    with path.open("rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return good_end
            while chunk:
                try:
                    record += inflater.decompress(chunk)
                except zlib.error:
                    return good_end
                if not inflater.eof:
                    pos += len(chunk)
                    break
                used = len(chunk) - len(inflater.unused_data)
                pos += used
                if not _whole_record(bytes(record)):
                    return good_end
                good_end = pos
                chunk = inflater.unused_data
                inflater = zlib.decompressobj(wbits=31)
                record = bytearray()
    return good_end


def _whole_record(data: bytes) -> bool:
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        return False
    m = re.search(rb"\r\nContent-Length:\s*(\d+)", head, re.I)
    return bool(m) and len(rest) == int(m.group(1)) + 4 and rest.endswith(b"\r\n\r\n")


def repair(path: Path) -> int:
    """Truncate a torn final record (a crawl killed mid-write); returns the number of bytes cut off."""
    size = path.stat().st_size
    good_end = _sound_end(path)
    if good_end < size:
        log.warning("%s: torn record after byte %d; cutting %d bytes off", path.name, good_end, size - good_end)
        with path.open("r+b") as f:
            f.truncate(good_end)
            f.flush()
            os.fsync(f.fileno())
    return size - good_end


class ArchiveWriter:
    """Appends to a new ``crawl-NNNNN.warc.gz`` in ``archive_dir`` (after repairing the last one)."""

    def __init__(self, archive_dir: Path):
        self.dir = Path(archive_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        existing = warc_files(self.dir)
        if existing:
            repair(existing[-1])
        number = int(_FILE.match(existing[-1].name)[1]) + 1 if existing else 1
        self.path = self.dir / f"crawl-{number:05d}.warc.gz"
        self._file = None
        self._writer = None

    def _open(self) -> None:
        if self._file is None:  # created on first write, so a run that fetches nothing leaves no empty file
            self._file = self.path.open("ab")
            self._writer = WARCWriter(self._file, gzip=True)
            if self._file.tell() == 0:
                self._write(self._writer.create_warcinfo_record(self.path.name, {
                    "software": "nianbao scrapers (warcio)", "format": "WARC File Format 1.0"}))

    def _write(self, record) -> int:
        offset = self._file.tell()
        self._writer.write_record(record)
        return offset

    def _sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def write_exchange(self, response: Response) -> tuple[Position, str]:
        """Request and response records of one exchange; returns the response's position and record id."""
        self._open()
        w = self._writer
        headers = [(k, v) for k, v in response.headers if k.lower() not in _WIRE_HEADERS]
        headers.append(("Content-Length", str(len(response.body))))
        http = StatusAndHeaders(f"{response.status} {response.reason}".strip(), headers,
                                protocol=response.http_version)
        resp = w.create_warc_record(response.url, "response", payload=io.BytesIO(response.body),
                                    length=len(response.body), http_headers=http)
        path = response.url.split("/", 3)[3] if response.url.count("/") >= 3 else ""
        req_http = StatusAndHeaders(f"GET /{path} HTTP/1.1", response.request_headers, protocol="HTTP/1.1",
                                    is_http_request=True)
        req = w.create_warc_record(response.url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_http,
                                   warc_headers_dict={"WARC-Concurrent-To": resp.rec_headers["WARC-Record-ID"]})
        offset = self._write(resp)
        self._write(req)
        self._sync()
        return Position(self.path.name, offset), resp.rec_headers["WARC-Record-ID"]

    def write_document_note(self, url: str, response_id: str, note: dict) -> None:
        """The metadata record saying a response was stored as a report document, and how."""
        self._open()
        payload = json.dumps({"role": ROLE_REPORT, **note}, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = self._writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(payload), length=len(payload), warc_content_type="application/json",
            warc_headers_dict={"WARC-Concurrent-To": response_id})
        self._write(record)
        self._sync()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_body(archive_dir: Path, position: Position) -> bytes:
    with (Path(archive_dir) / position.file).open("rb") as f:
        f.seek(position.offset)
        record = next(iter(ArchiveIterator(f)))
        return record.content_stream().read()


@dataclass
class ArchivedDocument:
    url: str
    body: bytes
    note: dict  # name, content_type, meta, hints, sha256 …


def iter_report_documents(archive_dir: Path) -> Iterator[ArchivedDocument]:
    """Every report document the crawls stored, in the order they were stored, straight from the WARC files."""
    for path in warc_files(Path(archive_dir)):
        responses: dict[str, int] = {}  # record id -> offset (bodies are read only for documents)
        notes: list[tuple[str, str, dict]] = []
        try:
            with path.open("rb") as f:
                records = ArchiveIterator(f)
                for record in records:
                    rtype = record.rec_type
                    if rtype == "response":
                        responses[record.rec_headers.get_header("WARC-Record-ID")] = records.get_record_offset()
                    elif rtype == "metadata":
                        try:
                            note = json.loads(record.content_stream().read().decode("utf-8"))
                        except ValueError:
                            continue
                        if note.get("role") == ROLE_REPORT:
                            notes.append((record.rec_headers.get_header("WARC-Concurrent-To"),
                                          record.rec_headers.get_header("WARC-Target-URI"), note))
        except Exception as e:  # a torn tail: the records before it still count
            log.warning("%s: stopped reading at a damaged record (%s)", path.name, e)
        for response_id, url, note in notes:
            offset = responses.get(response_id)
            if offset is None:
                log.warning("%s: document note for %s without its response record", path.name, url)
                continue
            yield ArchivedDocument(url=url, body=read_body(path.parent, Position(path.name, offset)), note=note)
