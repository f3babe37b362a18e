"""The report store: raw bytes of every added document and every parsed report, in one SQLite file.

It is the source of truth after reading: the search index is derived from it (and re-derived by ``sync``), and a
re-parse reads the raw bytes kept here, so no stage needs the one before it to run again.  SQLite gives atomic,
crash-safe commits and lets readers (the web UI) work while a writer (an import or a crawl) runs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.model import Report

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    sha256       TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    content_type TEXT,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL,
    added_at     REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
    id          TEXT PRIMARY KEY,
    doc_sha256  TEXT NOT NULL REFERENCES documents(sha256),
    source      TEXT,
    meta        TEXT NOT NULL DEFAULT '{}',   -- container metadata given at add time (crawler page meta), JSON
    hints       TEXT NOT NULL DEFAULT '{}',   -- parse hints (region hint from a crawl config), JSON
    json        TEXT NOT NULL,                -- Report.to_json()
    version     TEXT NOT NULL,                -- hash of json: what the search index compares against
    updated_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_doc ON reports(doc_sha256);
"""


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    name: str
    content_type: str | None
    data: bytes
    source: str | None
    meta: dict[str, str]
    hints: dict[str, str]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True)


def _version_of(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def report_version(report: Report) -> str:
    """A hash of the report's JSON: changes whenever anything about the report does (the index compares it)."""
    return _version_of(report_json(report))


class ReportStore:
    FILENAME = "nianbao.sqlite3"

    def __init__(self, index_dir: Path | str, *, readonly: bool = False):
        self.path = Path(index_dir) / self.FILENAME
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"no nianbao index at {Path(index_dir)} (run `nianbao add` first)")
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA busy_timeout=30000")

    def close(self) -> None:
        self._db.close()

    # -- writing ---------------------------------------------------------------------------------------------------

    def put(self, report: Report, *, data: bytes, name: str, content_type: str | None,
            meta: dict[str, str] | None = None, hints: dict[str, str] | None = None) -> str:
        """Store a report with the raw bytes it was parsed from; returns its version.  One transaction."""
        digest = sha256(data)
        text = report_json(report)
        version = _version_of(text)
        now = time.time()
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO documents(sha256, name, content_type, size, data, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (digest, name, content_type, len(data), data, now))
            self._db.execute(
                "INSERT INTO reports(id, doc_sha256, source, meta, hints, json, version, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET doc_sha256=excluded.doc_sha256, source=excluded.source,"
                " meta=excluded.meta, hints=excluded.hints, json=excluded.json, version=excluded.version,"
                " updated_at=excluded.updated_at",
                (report.id, digest, report.source, json.dumps(meta or {}, ensure_ascii=False),
                 json.dumps(hints or {}, ensure_ascii=False), text, version, now))
        return version

    def delete(self, report_id: str) -> bool:
        with self._db:
            cur = self._db.execute("DELETE FROM reports WHERE id = ?", (report_id,))
            # raw bytes no report refers to any more are dropped with it
            self._db.execute("DELETE FROM documents WHERE sha256 NOT IN (SELECT doc_sha256 FROM reports)")
        return cur.rowcount > 0

    # -- reading ---------------------------------------------------------------------------------------------------

    def get(self, report_id: str) -> Report | None:
        row = self._db.execute("SELECT json FROM reports WHERE id = ?", (report_id,)).fetchone()
        return Report.from_json(json.loads(row[0])) if row else None

    def original(self, report_id: str) -> tuple[str, str | None, bytes, float] | None:
        """(file name, content type, the bytes as collected, when they were collected) of a report's document."""
        row = self._db.execute(
            "SELECT d.name, d.content_type, d.data, d.added_at FROM reports r JOIN documents d"
            " ON d.sha256 = r.doc_sha256 WHERE r.id = ?", (report_id,)).fetchone()
        return (row[0], row[1], bytes(row[2]), row[3]) if row else None

    def ids_for_document(self, data: bytes) -> list[str]:
        rows = self._db.execute("SELECT id FROM reports WHERE doc_sha256 = ?", (sha256(data),)).fetchall()
        return [r[0] for r in rows]

    def versions(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT id, version FROM reports"))

    def versions_of(self, ids: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(ids))
        return dict(self._db.execute(f"SELECT id, version FROM reports WHERE id IN ({marks})", ids))

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]

    def reports(self) -> Iterator[Report]:
        for (text,) in self._db.execute("SELECT json FROM reports ORDER BY id"):
            yield Report.from_json(json.loads(text))

    def documents(self) -> Iterator[tuple[str, StoredDocument]]:
        """(report id, the stored document it was parsed from) for every report: the input of a re-parse."""
        rows = self._db.execute(
            "SELECT r.id, d.sha256, d.name, d.content_type, d.data, r.source, r.meta, r.hints"
            " FROM reports r JOIN documents d ON d.sha256 = r.doc_sha256 ORDER BY r.id").fetchall()
        for rid, digest, name, ctype, data, source, meta, hints in rows:
            yield rid, StoredDocument(digest, name, ctype, data, source, json.loads(meta), json.loads(hints))
