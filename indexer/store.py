"""The report store: raw bytes of every added document (with the pictures a web page was read with) and every
parsed report, in one SQLite file; also the 图解 / 解读 pages that are about a report, and which report that is.

It is the source of truth after reading: the search index is derived from it (and re-derived by ``sync``), and a
re-parse reads the raw bytes kept here, so no stage needs the one before it to run again.  SQLite gives atomic,
crash-safe commits and lets readers (the web UI) work while a writer (an import or a crawl) runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from indexer.model import PageImage, Report
from indexer.history.reuse import FIELDS as REUSE_FIELDS

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
-- copied-text detection (indexer/history/reuse.py): each report's body, and its own sentences by hash
CREATE TABLE IF NOT EXISTS report_bodies (
    report_id   TEXT PRIMARY KEY,
    body        TEXT,                          -- history.series.body_key()
    province    TEXT NOT NULL,
    year        INTEGER
);
CREATE INDEX IF NOT EXISTS report_bodies_body ON report_bodies(body, year);
CREATE TABLE IF NOT EXISTS sentences (
    hash        INTEGER NOT NULL,
    report_id   TEXT NOT NULL,
    PRIMARY KEY (hash, report_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sentences_report ON sentences(report_id);
CREATE INDEX IF NOT EXISTS report_bodies_year ON report_bodies(year);
CREATE TABLE IF NOT EXISTS sentence_counts (     -- how many reports hold a sentence: standard wording test
    hash        INTEGER PRIMARY KEY,
    reports     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sentence_provinces (  -- which provinces' reports hold a sentence: standard wording test
    hash        INTEGER NOT NULL,
    province    TEXT NOT NULL,
    PRIMARY KEY (hash, province)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse (
    report_id   TEXT PRIMARY KEY,
    json        TEXT NOT NULL                  -- history.reuse.Reuse.to_json(): figures and top sources
);
-- the reports of one site (host, or directory of local files) and their regions (indexer/sites.py)
CREATE TABLE IF NOT EXISTS report_sites (
    report_id   TEXT PRIMARY KEY,
    site        TEXT NOT NULL,
    region      TEXT,                          -- the region code the report's own text decided, else NULL
    candidates  TEXT,                          -- JSON list of the codes its text left open, else NULL
    settled     TEXT                           -- the candidate the site's other reports chose, else NULL
);
CREATE INDEX IF NOT EXISTS report_sites_site ON report_sites(site, region);
-- the images a stored web page shows in its content (statistics tables printed as pictures), as they were
-- collected with it: a re-parse reads them again with the page (indexer/read/ocr.py add_page_images)
CREATE TABLE IF NOT EXISTS page_images (
    doc_sha256   TEXT NOT NULL,                -- the page: documents.sha256
    position     INTEGER NOT NULL,             -- in the order they were collected
    src          TEXT NOT NULL,                -- as the page writes it
    content_type TEXT,
    data         BLOB,                         -- NULL when it could not be had
    error        TEXT,                         -- why not: HTTP 404, not an image …
    PRIMARY KEY (doc_sha256, position)
);
-- 图解 / 解读 pages (never stored as reports) and the report each one is about, once that report is stored
CREATE TABLE IF NOT EXISTS illustrations (
    source       TEXT PRIMARY KEY,             -- the page's URL (a file name for `add`)
    kind         TEXT NOT NULL,                -- 图解 / 政策解读
    title        TEXT,                         -- the page's own title
    illustrates  TEXT NOT NULL,                -- the report's title as the page names it
    title_key    TEXT NOT NULL,                -- … in its matching form (indexer.normalize)
    body         TEXT,                         -- that report's body (history.series.body_key) and year, as far as
    year         INTEGER,                      -- its title tells them
    report_id    TEXT,                         -- the report, NULL while it is not in the collection
    matched_by   TEXT,                         -- 'title' (same title) or 'body' (same body and year)
    seen_at      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS illustrations_report ON illustrations(report_id);
CREATE INDEX IF NOT EXISTS illustrations_title ON illustrations(title_key);
-- what a stored report is found by when a 图解 names it: its title's matching form, its body and year
CREATE TABLE IF NOT EXISTS report_keys (
    report_id    TEXT PRIMARY KEY,
    title_key    TEXT,
    body         TEXT,
    year         INTEGER
);
CREATE INDEX IF NOT EXISTS report_keys_title ON report_keys(title_key);
CREATE INDEX IF NOT EXISTS report_keys_body ON report_keys(body, year);
"""
# the reuse figures of a report row, read with it (LEFT JOIN reuse u): one column per REUSE_FIELDS key
_FIGURES = ", ".join(f"json_extract(u.json, '$.{name}')" for name in REUSE_FIELDS.values())
_STORE_LAYOUT = 1  # PRAGMA user_version: 1 = reports' JSON without the reuse figures (older stores are rewritten)
_IN_BATCH = 500  # values per SQL IN (…) list (SQLite allows 32766 variables; smaller lists keep each query short)


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    name: str
    content_type: str | None
    data: bytes
    source: str | None
    meta: dict[str, str]
    hints: dict[str, str]
    images: tuple[PageImage, ...] = ()  # a web page's pictures, as collected with it


@dataclass(frozen=True)
class ReportKeys:
    """What a 图解 page naming a report is matched against: the title's matching form, the body and the year."""

    title_key: str | None
    body: str | None
    year: int | None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_json(report: Report) -> str:
    """The report as stored: its JSON without the reuse figures (kept in the reuse table, read back by get())."""
    d = report.to_json()
    if any(k in REUSE_FIELDS for k in d["fields"]):
        d["fields"] = {k: v for k, v in d["fields"].items() if k not in REUSE_FIELDS}
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def _version_of(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def report_version(report: Report) -> str:
    """A hash of the report's JSON: changes whenever anything about the report does (the index compares it)."""
    return _version_of(report_json(report))


def _immutable(path: Path) -> str:
    """"&immutable=1" for an index in a directory this process may not write, when no writer is at work in it.

    A WAL database is read through its -shm file, which a reader must create when the last writer has removed it; in
    a read-only directory (a shared copy, another user's index) that fails with "attempt to write a readonly
    database".  With no -wal file there is no writer, and the file can be read as it stands."""
    if os.access(path.parent, os.W_OK) or path.with_name(path.name + "-wal").exists():
        return ""
    return "&immutable=1"


class ReportStore:
    FILENAME = "nianbao.sqlite3"

    def __init__(self, index_dir: Path | str, *, readonly: bool = False):
        self.path = Path(index_dir) / self.FILENAME
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"{Path(index_dir)} 下没有 nianbao 索引（先用 `nianbao add 文件或目录` 建立）")
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro{_immutable(self.path)}", uri=True,
                                       check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA busy_timeout=30000")
        self._bulk = False
        # a store written before the reuse table existed, opened read-only: reports without figures
        self._reports_sql = "SELECT r.json, {} FROM reports r LEFT JOIN reuse u ON u.report_id = r.id".format(
            _FIGURES if self._has_table("reuse") else ", ".join("NULL" for _ in REUSE_FIELDS))
        if not readonly:
            self._upgrade()

    def _has_table(self, name: str) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (name,)).fetchone() is not None

    def _upgrade(self) -> None:
        """A store of an older nianbao kept the reuse figures in the reports' JSON too: rewritten without them
        (and their versions with it), once."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] >= _STORE_LAYOUT:
            return
        with self._db:
            ids = self._db.execute("SELECT id FROM reports WHERE json LIKE '%\"reuse.%'").fetchall()
            for (rid,) in ids:
                text = self._db.execute("SELECT json FROM reports WHERE id = ?", (rid,)).fetchone()[0]
                new = report_json(Report.from_json(json.loads(text)))
                if new != text:
                    self._db.execute("UPDATE reports SET json = ?, version = ? WHERE id = ?",
                                     (new, _version_of(new), rid))
            self._db.execute(f"PRAGMA user_version = {_STORE_LAYOUT}")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """One transaction for many writes (each write method otherwise commits on its own: ~10 ms a commit here,
        most of the cost of keeping reuse figures when each report committed its rows)."""
        if self._bulk:
            yield
            return
        self._bulk = True
        try:
            with self._db:
                yield
        finally:
            self._bulk = False

    def _tx(self):
        return nullcontext() if self._bulk else self._db

    # -- writing ---------------------------------------------------------------------------------------------------

    def put(self, report: Report, *, data: bytes, name: str, content_type: str | None,
            meta: dict[str, str] | None = None, hints: dict[str, str] | None = None,
            images: list[PageImage] | tuple[PageImage, ...] | None = None, keys: ReportKeys | None = None) -> str:
        """Store a report with the raw bytes it was parsed from (and the page's ``images`` it was read with, which
        replace those kept for these bytes before); returns its version.  With ``keys``, the 图解 pages naming the
        report are attached to it.  One transaction."""
        digest = sha256(data)
        text = report_json(report)
        version = _version_of(text)
        now = time.time()
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO documents(sha256, name, content_type, size, data, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (digest, name, content_type, len(data), data, now))
            self._db.execute("DELETE FROM page_images WHERE doc_sha256 = ?", (digest,))
            self._db.executemany(
                "INSERT INTO page_images(doc_sha256, position, src, content_type, data, error)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(digest, i, im.src, im.content_type, im.data, im.error) for i, im in enumerate(images or ())])
            if keys is not None:
                self._put_keys(report.id, keys)
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
            old = self._forget_sentences(report_id)
            if old:
                self._drop_stale_provinces(*old)
            self._db.execute("DELETE FROM reuse WHERE report_id = ?", (report_id,))
            self._db.execute("DELETE FROM report_sites WHERE report_id = ?", (report_id,))
            self._db.execute("DELETE FROM report_keys WHERE report_id = ?", (report_id,))
            self._db.execute("UPDATE illustrations SET report_id = NULL, matched_by = NULL WHERE report_id = ?",
                             (report_id,))  # waiting again for their report
            cur = self._db.execute("DELETE FROM reports WHERE id = ?", (report_id,))
            # raw bytes no report refers to any more are dropped with it
            self._db.execute("DELETE FROM documents WHERE sha256 NOT IN (SELECT doc_sha256 FROM reports)")
            self._db.execute("DELETE FROM page_images WHERE doc_sha256 NOT IN (SELECT doc_sha256 FROM reports)")
        return cur.rowcount > 0

    # -- 图解 / 解读 pages and their reports ---------------------------------------------------------------------------

    def _put_keys(self, report_id: str, keys: ReportKeys) -> None:
        """Record the report's keys and attach the 图解 pages that name it (inside a transaction): by title
        (which takes a page over from a report it was matched to by body and year), else by body and year."""
        self._db.execute("INSERT OR REPLACE INTO report_keys(report_id, title_key, body, year) VALUES (?, ?, ?, ?)",
                         (report_id, keys.title_key, keys.body, keys.year))
        if keys.title_key:
            self._db.execute("UPDATE illustrations SET report_id = ?, matched_by = 'title' WHERE title_key = ?"
                             " AND (report_id IS NULL OR matched_by = 'body')", (report_id, keys.title_key))
        if keys.body and keys.year is not None:
            self._db.execute("UPDATE illustrations SET report_id = ?, matched_by = 'body'"
                             " WHERE report_id IS NULL AND body = ? AND year = ?", (report_id, keys.body, keys.year))

    def put_keys(self, report_id: str, keys: ReportKeys) -> None:
        with self._tx():
            self._put_keys(report_id, keys)

    def ids_without_keys(self) -> list[str]:
        """Reports stored before 图解 pages were matched to reports (or by a run killed in between)."""
        return [rid for (rid,) in self._db.execute(
            "SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM report_keys) ORDER BY id")]

    def put_illustration(self, source: str, kind: str, title: str | None, illustrates: str,
                         keys: ReportKeys) -> str | None:
        """Remember a 图解 / 解读 page (again: it replaces what was kept for its source) and attach it to the
        report it names when that report is stored: the one report of that title, else the one report of that body
        and year.  Returns the report's id, or None while it is not in the collection."""
        report_id, matched_by = None, None
        with self._db:
            found = [r for (r,) in self._db.execute("SELECT report_id FROM report_keys WHERE title_key = ?",
                                                    (keys.title_key,))] if keys.title_key else []
            if len(found) == 1:
                report_id, matched_by = found[0], "title"
            elif not found and keys.body and keys.year is not None:
                found = [r for (r,) in self._db.execute(
                    "SELECT report_id FROM report_keys WHERE body = ? AND year = ?", (keys.body, keys.year))]
                if len(found) == 1:  # two reports of one body and year: which one it shows is not known
                    report_id, matched_by = found[0], "body"
            self._db.execute(
                "INSERT OR REPLACE INTO illustrations(source, kind, title, illustrates, title_key, body, year,"
                " report_id, matched_by, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (source, kind, title, illustrates, keys.title_key or "", keys.body, keys.year, report_id, matched_by,
                 time.time()))
        return report_id

    def illustrations_of(self, report_id: str) -> list[dict]:
        """The 图解 / 解读 pages attached to a report: kind, title, source, oldest first."""
        try:
            rows = self._db.execute("SELECT kind, title, illustrates, source FROM illustrations WHERE report_id = ?"
                                    " ORDER BY seen_at, source", (report_id,)).fetchall()
        except sqlite3.OperationalError:  # a store written before 图解 pages were kept, opened read-only
            return []
        return [{"kind": kind, "title": title or f"{illustrates}（{kind}）", "source": source}
                for kind, title, illustrates, source in rows]

    def illustration(self, source: str) -> dict | None:
        """What is kept of one 图解 / 解读 page (its report id, or None while waiting for it)."""
        row = self._db.execute("SELECT kind, title, illustrates, report_id, matched_by FROM illustrations"
                               " WHERE source = ?", (source,)).fetchone()
        return None if row is None else dict(zip(("kind", "title", "illustrates", "report_id", "matched_by"), row))

    # -- sentences and reuse (indexer/history/reuse.py) -------------------------------------------------------------

    def put_sentences(self, report_id: str, body: str | None, province: str, year: int | None,
                      hashes: list[int]) -> None:
        """Replace the report's body row and sentence hashes."""
        with self._tx():
            old = self._forget_sentences(report_id)
            self._db.execute("INSERT INTO report_bodies(report_id, body, province, year) VALUES (?, ?, ?, ?)",
                             (report_id, body, province, year))
            self._db.executemany("INSERT OR IGNORE INTO sentences(hash, report_id) VALUES (?, ?)",
                                 [(h, report_id) for h in hashes])
            self._db.executemany("INSERT OR IGNORE INTO sentence_provinces(hash, province) VALUES (?, ?)",
                                 [(h, province) for h in hashes])
            self._db.executemany("INSERT INTO sentence_counts(hash, reports) VALUES (?, 1)"
                                 " ON CONFLICT(hash) DO UPDATE SET reports = reports + 1",
                                 [(h,) for h in set(hashes)])
            if old:
                self._drop_stale_provinces(*old)

    def _forget_sentences(self, report_id: str) -> tuple[list[int], str] | None:
        """Remove the report's sentence rows (inside a transaction); returns its old (hashes, province)."""
        row = self._db.execute("SELECT province FROM report_bodies WHERE report_id = ?", (report_id,)).fetchone()
        hashes = self.sentence_hashes(report_id)
        self._db.executemany("UPDATE sentence_counts SET reports = reports - 1 WHERE hash = ?", [(h,) for h in hashes])
        self._db.execute("DELETE FROM sentences WHERE report_id = ?", (report_id,))
        self._db.execute("DELETE FROM report_bodies WHERE report_id = ?", (report_id,))
        return (hashes, row[0]) if row else None

    def _drop_stale_provinces(self, hashes: list[int], province: str) -> None:
        """(hash, province) rows no report of that province holds any more."""
        for i in range(0, len(hashes), _IN_BATCH):
            chunk = hashes[i:i + _IN_BATCH]
            self._db.execute(
                f"DELETE FROM sentence_provinces WHERE province = ? AND hash IN ({','.join('?' * len(chunk))})"
                " AND NOT EXISTS (SELECT 1 FROM sentences s JOIN report_bodies b USING (report_id)"
                " WHERE s.hash = sentence_provinces.hash AND b.province = sentence_provinces.province)",
                (province, *chunk))

    def _in_batches(self, sql: str, values: list, *params) -> list[tuple]:
        rows: list[tuple] = []  # fetchall per chunk: a generator's yield per row cost more than the query
        for i in range(0, len(values), _IN_BATCH):
            chunk = values[i:i + _IN_BATCH]
            rows += self._db.execute(sql.format(",".join("?" * len(chunk))), (*chunk, *params)).fetchall()
        return rows

    def sentence_stats(self, hashes: list[int]) -> dict[int, tuple[int, int]]:
        """hash → (in how many provinces' reports, in how many reports) it stands; only hashes a report holds."""
        provinces = dict(self._in_batches(
            "SELECT hash, COUNT(*) FROM sentence_provinces WHERE hash IN ({}) GROUP BY hash", hashes))
        return {h: (provinces.get(h, 0), n) for h, n in self._in_batches(
            "SELECT hash, reports FROM sentence_counts WHERE hash IN ({}) AND reports > 0", hashes)}

    def collection_stats(self, year: int | None) -> tuple[int, int]:
        """(provinces in the collection, reports of the year)."""
        provinces = self._db.execute("SELECT COUNT(DISTINCT province) FROM report_bodies").fetchone()[0]
        reports = self._db.execute("SELECT COUNT(*) FROM report_bodies WHERE year IS ?", (year,)).fetchone()[0]
        return provinces, reports

    def sentence_postings(self, hashes: list[int]) -> dict[int, list[tuple[str, str | None, int | None]]]:
        """hash → [(report id, body, year), …] of the reports holding it."""
        out: dict[int, list] = {}
        for h, rid, body, year in self._in_batches(
                "SELECT s.hash, s.report_id, b.body, b.year FROM sentences s JOIN report_bodies b USING (report_id)"
                " WHERE s.hash IN ({})", hashes):
            out.setdefault(h, []).append((rid, body, year))
        return out

    def sentence_hashes(self, report_id: str) -> list[int]:
        return [h for (h,) in self._db.execute("SELECT hash FROM sentences WHERE report_id = ?", (report_id,))]

    def body_of(self, report_id: str) -> tuple[str | None, str, int | None] | None:
        """(body, province, year) recorded for the report's sentences."""
        return self._db.execute("SELECT body, province, year FROM report_bodies WHERE report_id = ?",
                                (report_id,)).fetchone()

    def body_reports(self, body: str) -> list[tuple[str, int | None]]:
        """(report id, year) of a body's reports."""
        try:
            return list(self._db.execute("SELECT report_id, year FROM report_bodies WHERE body = ?", (body,)))
        except sqlite3.OperationalError:  # a store written before the table existed, opened read-only
            return []

    def reuse_fields(self) -> dict[str, dict[str, float]]:
        """Report id → its reuse figures as report fields, for every report that has any (what the search index
        holds beside its documents)."""
        if not self._has_table("reuse"):
            return {}
        out = {}
        for rid, *figures in self._db.execute(f"SELECT u.report_id, {_FIGURES} FROM reuse u"):
            fields = {k: float(v) for k, v in zip(REUSE_FIELDS, figures) if v is not None}
            if fields:
                out[rid] = fields
        return out

    def put_reuse(self, report_id: str, data: dict) -> None:
        with self._tx():
            self._db.execute("INSERT OR REPLACE INTO reuse(report_id, json) VALUES (?, ?)",
                             (report_id, json.dumps(data, ensure_ascii=False)))

    def get_reuse(self, report_id: str) -> dict | None:
        try:
            row = self._db.execute("SELECT json FROM reuse WHERE report_id = ?", (report_id,)).fetchone()
        except sqlite3.OperationalError:  # a store written before reuse existed, opened read-only
            return None
        return json.loads(row[0]) if row else None

    # -- reports of one site (indexer/sites.py) ------------------------------------------------------------------------

    def put_site(self, report_id: str, site: str | None, region: str | None, candidates: list[str],
                 settled: str | None) -> None:
        """Record the report's site and region facts (no site: forget them)."""
        with self._tx():
            if site is None:
                self._db.execute("DELETE FROM report_sites WHERE report_id = ?", (report_id,))
                return
            self._db.execute("INSERT OR REPLACE INTO report_sites(report_id, site, region, candidates, settled)"
                             " VALUES (?, ?, ?, ?, ?)",
                             (report_id, site, region, json.dumps(candidates) if candidates else None, settled))

    def site_row(self, report_id: str) -> tuple[str, str | None] | None:
        """(site, region decided by its own text) recorded for a report."""
        try:
            return self._db.execute("SELECT site, region FROM report_sites WHERE report_id = ?",
                                    (report_id,)).fetchone()
        except sqlite3.OperationalError:  # a store written before the table existed, opened read-only
            return None

    def site_regions(self, site: str, *, besides: str) -> set[str]:
        """The region codes the other reports of a site decided from their own text."""
        return {r for (r,) in self._db.execute(
            "SELECT DISTINCT region FROM report_sites WHERE site = ? AND region IS NOT NULL AND report_id != ?",
            (site, besides))}

    def site_has_region(self, site: str, region: str, *, besides: str) -> bool:
        return self._db.execute("SELECT 1 FROM report_sites WHERE site = ? AND region = ? AND report_id != ? LIMIT 1",
                                (site, region, besides)).fetchone() is not None

    def site_open(self, site: str) -> list[tuple[str, list[str], str | None]]:
        """(report id, candidate codes, settled code) of the site's reports whose own text left the region open."""
        return [(rid, json.loads(c), settled) for rid, c, settled in self._db.execute(
            "SELECT report_id, candidates, settled FROM report_sites WHERE site = ? AND candidates IS NOT NULL",
            (site,))]

    def ids_without_sentences(self) -> list[str]:
        """Reports stored before copied-text detection existed (or by a run killed in between)."""
        return [rid for (rid,) in self._db.execute(
            "SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM report_bodies) ORDER BY id")]

    # -- reading ---------------------------------------------------------------------------------------------------

    def get(self, report_id: str) -> Report | None:
        """The report with its reuse figures (``reuse.*`` fields) as the reuse table has them now."""
        row = self._db.execute(self._reports_sql + " WHERE r.id = ?", (report_id,)).fetchone()
        return _report(row) if row else None

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
        for row in self._db.execute(self._reports_sql + " ORDER BY r.id"):
            yield _report(row)

    def document(self, report_id: str) -> StoredDocument | None:
        """The stored document a report was parsed from."""
        row = self._db.execute(
            "SELECT d.sha256, d.name, d.content_type, d.data, r.source, r.meta, r.hints"
            " FROM reports r JOIN documents d ON d.sha256 = r.doc_sha256 WHERE r.id = ?", (report_id,)).fetchone()
        if row is None:
            return None
        digest, name, ctype, data, source, meta, hints = row
        return StoredDocument(digest, name, ctype, data, source, json.loads(meta), json.loads(hints),
                              self.page_images(digest))

    def documents(self) -> Iterator[tuple[str, StoredDocument]]:
        """(report id, the stored document it was parsed from) for every report: the input of a re-parse."""
        rows = self._db.execute(
            "SELECT r.id, d.sha256, d.name, d.content_type, d.data, r.source, r.meta, r.hints"
            " FROM reports r JOIN documents d ON d.sha256 = r.doc_sha256 ORDER BY r.id").fetchall()
        for rid, digest, name, ctype, data, source, meta, hints in rows:
            yield rid, StoredDocument(digest, name, ctype, data, source, json.loads(meta), json.loads(hints),
                                      self.page_images(digest))

    def page_images(self, doc_sha256: str) -> tuple[PageImage, ...]:
        """The images kept with a stored page, in the order they were collected."""
        try:
            rows = self._db.execute("SELECT src, content_type, data, error FROM page_images WHERE doc_sha256 = ?"
                                    " ORDER BY position", (doc_sha256,)).fetchall()
        except sqlite3.OperationalError:  # a store written before page images were kept, opened read-only
            return ()
        return tuple(PageImage(src, None if data is None else bytes(data), ctype, error)
                     for src, ctype, data, error in rows)


def _report(row: tuple) -> Report:
    """A report from a row of (JSON, reuse figures …): the figures as its ``reuse.*`` fields, in place of any its JSON
    still holds (a store of an older nianbao opened read-only)."""
    report = Report.from_json(json.loads(row[0]))
    if any(k in REUSE_FIELDS for k in report.fields):
        report.fields = {k: v for k, v in report.fields.items() if k not in REUSE_FIELDS}
    for key, value in zip(REUSE_FIELDS, row[1:]):
        if value is not None:
            report.fields[key] = float(value)
    return report
