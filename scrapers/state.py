"""Crawl state in SQLite: the frontier, every URL seen with its outcome and validators (ETag / Last-Modified), the
content hash of every report document stored, robots.txt per host, and the failure log.

Each stored response is committed together with what it led to (new frontier entries), so a crawl killed at any
moment resumes where it stopped: a URL is fetched again only if its response never reached the archive.
URL status: queued → fetched (archived, report document not yet in the library) → done; or failed / redirected.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scrapers.archive import Position

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url           TEXT PRIMARY KEY,
    site          TEXT NOT NULL,
    kind          TEXT NOT NULL,          -- list | report | attachment
    depth         INTEGER NOT NULL DEFAULT 0,
    link_text     TEXT,
    meta          TEXT,                   -- JSON page metadata handed to an attachment
    status        TEXT NOT NULL,          -- queued | fetched | done | failed | redirected
    http_status   INTEGER,
    etag          TEXT,
    last_modified TEXT,
    sha256        TEXT,
    warc_file     TEXT,
    warc_offset   INTEGER,
    target        TEXT,                   -- where a redirect led
    error         TEXT,
    permanent     INTEGER NOT NULL DEFAULT 0,
    report_ids    TEXT,                   -- JSON list of report ids this URL's document produced
    note          TEXT,                   -- JSON document note (name, content type, meta, hints) while 'fetched'
    fetched_at    REAL,
    seq           INTEGER                 -- frontier order
);
CREATE INDEX IF NOT EXISTS urls_frontier ON urls(site, status, seq);
CREATE TABLE IF NOT EXISTS documents (
    sha256     TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    report_id  TEXT
);
CREATE TABLE IF NOT EXISTS sites (
    name      TEXT PRIMARY KEY,
    run       INTEGER NOT NULL,
    finished  INTEGER NOT NULL DEFAULT 0,
    session   INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (       -- one `nianbao crawl` invocation; a killed one is resumed
    id        INTEGER PRIMARY KEY,
    sites     TEXT NOT NULL,                -- JSON list of site names, sorted
    finished  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS robots (
    netloc        TEXT PRIMARY KEY,
    status        INTEGER,
    body          TEXT,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    REAL
);
CREATE TABLE IF NOT EXISTS failures (
    id     INTEGER PRIMARY KEY,
    site   TEXT,
    run    INTEGER,
    url    TEXT NOT NULL,
    reason TEXT NOT NULL,
    at     REAL NOT NULL
);
"""


@dataclass
class UrlRow:
    url: str
    site: str
    kind: str
    depth: int
    link_text: str | None
    meta: dict
    status: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    position: Position | None
    note: dict | None


class CrawlState:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM urls").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One atomic step.  The connection is in autocommit mode (isolation_level=None), where ``with db:`` alone
        would commit every statement on its own: a kill between a page's 'done' and the links it led to would
        then lose those links for good."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- runs ------------------------------------------------------------------------------------------------------

    def begin_session(self, sites: list[str]) -> tuple[int, bool]:
        """(session id, resumed): the last crawl of the same sites was killed → it goes on; else a new one."""
        key = json.dumps(sorted(sites), ensure_ascii=False)
        row = self.db.execute("SELECT id, sites, finished FROM sessions ORDER BY id DESC LIMIT 1").fetchone()
        if row and not row[2] and row[1] == key:
            return row[0], True
        with self._transaction():
            if row and not row[2]:  # an interrupted crawl of other sites: its sites resume on their own
                self.db.execute("UPDATE sessions SET finished=1 WHERE id=?", (row[0],))
            cur = self.db.execute("INSERT INTO sessions(sites) VALUES (?)", (key,))
        return cur.lastrowid, False

    def finish_session(self, session: int) -> None:
        self.db.execute("UPDATE sessions SET finished=1 WHERE id=?", (session,))

    def begin_site(self, site: str, start_urls: list[str], session: int) -> tuple[int, bool] | None:
        """(run number, resumed), or None when this session already finished the site.

        An unfinished run goes on where it stopped; otherwise a new run revisits every URL that answered."""
        row = self.db.execute("SELECT run, finished, session FROM sites WHERE name=?", (site,)).fetchone()
        if row and row[1] and row[2] == session:
            return None
        if row and not row[1]:
            run, resumed = row[0], True
            self.db.execute("UPDATE sites SET session=? WHERE name=?", (session, site))
        else:
            run, resumed = (row[0] + 1 if row else 1), False
            with self._transaction():
                self.db.execute("INSERT OR REPLACE INTO sites(name, run, finished, session) VALUES (?, ?, 0, ?)",
                                (site, run, session))
                # revisit (conditionally) what answered, retry what failed for a passing reason
                self.db.execute("UPDATE urls SET status='queued' WHERE site=? AND "
                                "(status='done' OR (status='failed' AND permanent=0))", (site,))
        for url in start_urls:
            self.enqueue(url, site=site, kind="list", depth=0)
        return run, resumed

    def finish_site(self, site: str) -> None:
        self.db.execute("UPDATE sites SET finished=1 WHERE name=?", (site,))

    # -- frontier --------------------------------------------------------------------------------------------------

    def enqueue(self, url: str, *, site: str, kind: str, depth: int, link_text: str | None = None,
                meta: dict | None = None) -> bool:
        """Add a URL never seen before; True if it is new."""
        self._seq += 1
        cur = self.db.execute(
            "INSERT OR IGNORE INTO urls(url, site, kind, depth, link_text, meta, status, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
            (url, site, kind, depth, link_text, json.dumps(meta or {}, ensure_ascii=False), self._seq))
        return cur.rowcount > 0

    def next_batch(self, site: str, limit: int, exclude: set[str]) -> list[UrlRow]:
        rows = self.db.execute(
            "SELECT * FROM urls WHERE site=? AND status='queued' ORDER BY depth, seq LIMIT ?",
            (site, limit + len(exclude))).fetchall()
        out = [self._row(r) for r in rows]
        return [r for r in out if r.url not in exclude][:limit]

    def pending_documents(self, site: str) -> list[UrlRow]:
        """Responses archived whose report document had not reached the library when the crawl stopped."""
        rows = self.db.execute("SELECT * FROM urls WHERE site=? AND status='fetched' ORDER BY seq", (site,))
        return [self._row(r) for r in rows.fetchall()]

    def get(self, url: str) -> UrlRow | None:
        r = self.db.execute("SELECT * FROM urls WHERE url=?", (url,)).fetchone()
        return self._row(r) if r else None

    def status(self, url: str) -> str | None:
        r = self.db.execute("SELECT status FROM urls WHERE url=?", (url,)).fetchone()
        return r[0] if r else None

    def _row(self, r) -> UrlRow:
        if not hasattr(self, "_columns"):
            self._columns = [d[0] for d in self.db.execute("SELECT * FROM urls LIMIT 0").description]
        d = dict(zip(self._columns, r))
        pos = Position(d["warc_file"], d["warc_offset"]) if d["warc_file"] else None
        return UrlRow(url=d["url"], site=d["site"], kind=d["kind"], depth=d["depth"], link_text=d["link_text"],
                      meta=json.loads(d["meta"] or "{}"), status=d["status"], etag=d["etag"],
                      last_modified=d["last_modified"], sha256=d["sha256"], position=pos,
                      note=json.loads(d["note"]) if d["note"] else None)

    # -- outcomes (one transaction each) ---------------------------------------------------------------------------

    def record_response(self, url: str, *, status: str, http_status: int, etag: str | None,
                        last_modified: str | None, sha256: str | None, position: Position | None,
                        note: dict | None = None, kind: str | None = None,
                        discovered: list[dict] = ()) -> None:
        """The URL's archived response and the URLs it led to, committed together."""
        with self._transaction():
            self.db.execute(
                "UPDATE urls SET status=?, http_status=?, etag=COALESCE(?, etag), "
                "last_modified=COALESCE(?, last_modified), sha256=COALESCE(?, sha256), "
                "warc_file=COALESCE(?, warc_file), warc_offset=COALESCE(?, warc_offset), error=NULL, permanent=0, "
                "note=?, kind=COALESCE(?, kind), fetched_at=? WHERE url=?",
                (status, http_status, etag, last_modified, sha256, position.file if position else None,
                 position.offset if position else None, json.dumps(note, ensure_ascii=False) if note else None,
                 kind, time.time(), url))
            for d in discovered:
                self.enqueue(**d)

    def record_redirect(self, url: str, target: str, *, site: str, kind: str, depth: int,
                        link_text: str | None, meta: dict | None) -> None:
        with self._transaction():
            self.db.execute("UPDATE urls SET status='redirected', target=?, fetched_at=? WHERE url=?",
                            (target, time.time(), url))
            self.enqueue(target, site=site, kind=kind, depth=depth, link_text=link_text, meta=meta)
            # the target is fetched under its own name (the redirect already fetched it once)

    def record_failure(self, url: str, *, site: str, run: int, reason: str, permanent: bool,
                       http_status: int | None = None) -> None:
        with self._transaction():
            self.db.execute("UPDATE urls SET status='failed', error=?, permanent=?, http_status=?, fetched_at=? "
                            "WHERE url=?", (reason, int(permanent), http_status, time.time(), url))
            self.db.execute("INSERT INTO failures(site, run, url, reason, at) VALUES (?, ?, ?, ?, ?)",
                            (site, run, url, reason, time.time()))

    def log_failure(self, url: str, *, site: str, run: int, reason: str) -> None:
        """A failure that does not change the URL's status (a document the readers could not read)."""
        self.db.execute("INSERT INTO failures(site, run, url, reason, at) VALUES (?, ?, ?, ?, ?)",
                        (site, run, url, reason, time.time()))

    def document_done(self, url: str, sha256: str, report_ids: list[str]) -> None:
        with self._transaction():
            self.db.execute("INSERT OR IGNORE INTO documents(sha256, url, report_id) VALUES (?, ?, ?)",
                            (sha256, url, report_ids[0] if report_ids else None))
            self.db.execute("UPDATE urls SET status='done', note=NULL, report_ids=? WHERE url=?",
                            (json.dumps(report_ids), url))

    def requeue(self, url: str) -> None:
        self.db.execute("UPDATE urls SET status='queued', note=NULL WHERE url=?", (url,))

    def knows_report(self, report_id: str) -> bool:
        """A report id some earlier document produced (so this one updates it)."""
        return self.db.execute("SELECT 1 FROM documents WHERE report_id=? LIMIT 1", (report_id,)).fetchone() is not None

    def known_document(self, sha256: str) -> str | None:
        """The report id of a document already stored (reached before by another URL or site)."""
        r = self.db.execute("SELECT report_id FROM documents WHERE sha256=?", (sha256,)).fetchone()
        return (r[0] or "") if r else None

    def failures(self, site: str | None = None, run: int | None = None) -> list[tuple[str, str]]:
        q, args = "SELECT url, reason FROM failures WHERE 1=1", []
        if site:
            q, args = q + " AND site=?", args + [site]
        if run is not None:
            q, args = q + " AND run=?", args + [run]
        return self.db.execute(q + " ORDER BY id", args).fetchall()

    # -- robots.txt --------------------------------------------------------------------------------------------------

    def robots(self, netloc: str) -> tuple[int | None, str, str | None, str | None] | None:
        r = self.db.execute("SELECT status, body, etag, last_modified FROM robots WHERE netloc=?",
                            (netloc,)).fetchone()
        return tuple(r) if r else None

    def save_robots(self, netloc: str, status: int | None, body: str, etag: str | None,
                    last_modified: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO robots(netloc, status, body, etag, last_modified, fetched_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (netloc, status, body, etag, last_modified, time.time()))
