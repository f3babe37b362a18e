"""The one library API used by the command line, the web UI and the crawler.

``Library(index_dir)`` holds the report store (SQLite: raw bytes + parsed reports) and the search index under one
directory: the embedded Whoosh engine by default, or any ``indexer.engine.SearchBackend`` handed in.  Writes go store first, index second; every write session starts by syncing the index to the
store, so a process killed between the two leaves nothing lost and the next run completes the index.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from indexer.engine.backend import SearchBackend, open_embedded
from indexer.model import CANONICAL_SECTIONS, ReadError, Report
from indexer.parse import parse_document
from indexer.read import read_bytes
from indexer.store import ReportStore

log = logging.getLogger(__name__)

DEFAULT_INDEX_DIR = "index"
# What `add` picks up when walking a directory; other files are passed over silently.
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".doc")
_INDEX_BATCH = 200


def default_index_dir() -> Path:
    return Path(os.environ.get("NIANBAO_INDEX") or DEFAULT_INDEX_DIR)


@dataclass
class AddResult:
    added: list[str] = field(default_factory=list)  # report ids stored (new or updated)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    skipped: list[str] = field(default_factory=list)  # files under a directory that are not annual reports


_REPORT_SECTIONS = frozenset(CANONICAL_SECTIONS) - {"preamble", "unclassified"}


def looks_like_report(report: Report) -> bool:
    """An annual report has at least a recognised title, a report year or one of the standard sections; a README
    or an index page lying in a folder of reports has none of them."""
    return bool(report.title or report.year or any(s.canonical in _REPORT_SECTIONS for s in report.sections))


def iter_report_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and supported files under directories named, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith("."):
                    yield f
        else:
            yield p  # a named file is always tried, so a missing or odd file gets its own error line


def _content_type(name: str) -> str | None:
    return mimetypes.guess_type(name)[0]


def _parse_bytes(data: bytes, name: str, content_type: str | None, source: str | None,
                 meta: dict[str, str] | None, hints: dict[str, str] | None) -> Report:
    doc = read_bytes(data, name, content_type, meta)
    if source:
        doc.source = source
    return parse_document(doc, hints)


def _parse_file(path: str, hints: dict[str, str] | None) -> tuple[str, Report | None, bytes | None, str | None]:
    """Worker: (path, report, raw bytes, error) — errors come back as text so one bad file never stops a batch."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return path, None, None, f"cannot read file: {e.strerror or e}"
    try:
        return path, _parse_bytes(data, Path(path).name, _content_type(path), Path(path).name, None, hints), data, None
    except ReadError as e:
        return path, None, None, str(e)
    except Exception as e:  # a parser bug must not end the run; it is logged with the file named
        log.exception("parse failed: %s", path)
        return path, None, None, f"internal error while parsing ({type(e).__name__}: {e})"


class Library:
    def __init__(self, index_dir: str | Path | None = None, *, readonly: bool = False,
                 backend: SearchBackend | None = None):
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self.readonly = readonly
        self.store = ReportStore(self.index_dir, readonly=readonly)
        self._index = backend
        self._synced = False

    # -- the search index, opened on first use -----------------------------------------------------------------

    @property
    def index(self) -> SearchBackend:
        if self._index is None:  # Whoosh and numpy load only when searching or indexing
            self._index = open_embedded(self.index_dir, readonly=self.readonly)
        return self._index

    def sync_index(self) -> tuple[int, int]:
        """Make the search index hold exactly the stored reports (completes a build that was killed)."""
        added, deleted = self.index.sync(self.store.versions(), self._load)
        self._synced = True
        return added, deleted

    def _load(self, report_id: str) -> Report:
        report = self.store.get(report_id)
        if report is None:
            raise KeyError(report_id)
        return report

    def _ensure_synced(self) -> None:
        if not self._synced:
            self.sync_index()

    # -- adding ----------------------------------------------------------------------------------------------------

    def _store(self, report: Report, data: bytes, name: str, content_type: str | None,
               meta: dict[str, str] | None, hints: dict[str, str] | None) -> list[str]:
        """Store one report; returns ids it replaced (same raw bytes parsed to another id before)."""
        stale = [rid for rid in self.store.ids_for_document(data) if rid != report.id]
        for rid in stale:
            self.store.delete(rid)
        self.store.put(report, data=data, name=name, content_type=content_type, meta=meta, hints=hints)
        return stale

    def add_bytes(self, data: bytes, name: str, *, content_type: str | None = None, source: str | None = None,
                  meta: dict[str, str] | None = None, hints: dict[str, str] | None = None,
                  index_now: bool = True) -> Report:
        """Read, parse, store and index one document.  Raises ReadError for input that cannot be read.

        With ``index_now=False`` the report is only stored; a later :meth:`sync_index` (or the next writer to open
        the library) indexes everything stored since, in one commit per batch instead of one per document."""
        if index_now:
            self._ensure_synced()
        report = _parse_bytes(data, name, content_type or _content_type(name), source, meta, hints)
        stale = self._store(report, data, name, content_type, meta, hints)
        if not index_now:
            self._synced = False
            return report
        if stale:
            self.index.delete(stale)
        self.index.update([report])
        return report

    def add_paths(self, paths: Iterable[str | Path], *, hints: dict[str, str] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  on_error: Callable[[str, str], None] | None = None, workers: int | None = None) -> AddResult:
        """Add files and directories.  Parsing runs on all cores; one bad file is reported and the run goes on."""
        self._ensure_synced()
        files = [str(f) for f in iter_report_files(paths)]
        named = {str(Path(p)) for p in paths if not Path(p).is_dir()}  # always added, whatever they hold
        result = AddResult()
        batch: dict[str, Report] = {}
        workers = workers or min(os.cpu_count() or 1, 4)

        def flush() -> None:
            if batch:
                self.index.update(list(batch.values()))
                batch.clear()

        def handle(path: str, report: Report | None, data: bytes | None, error: str | None) -> None:
            if error is not None or report is None or data is None:
                result.failed.append((path, error or "unknown error"))
                log.warning("%s: %s", path, error)
                if on_error:
                    on_error(path, error or "unknown error")
            elif path not in named and not looks_like_report(report):
                result.skipped.append(path)
                log.info("%s: skipped, not an annual report (no title, year or standard section found)", path)
            else:
                stale = self._store(report, data, Path(path).name, _content_type(path), None, hints)
                if stale:
                    self.index.delete(stale)
                    for rid in stale:
                        batch.pop(rid, None)
                batch[report.id] = report
                result.added.append(report.id)
                if len(batch) >= _INDEX_BATCH:
                    flush()
            if progress:
                progress(1, len(files))

        if workers > 1 and len(files) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for item in pool.map(_parse_file, files, [hints] * len(files), chunksize=4):
                    handle(*item)
        else:
            for f in files:
                handle(*_parse_file(f, hints))
        flush()
        return result

    def reparse_all(self, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Parse every stored raw document again (after a parser upgrade) and bring the index up to date."""
        items = list(self.store.documents())
        count = 0
        for rid, doc in items:
            try:
                report = _parse_bytes(doc.data, doc.name, doc.content_type, doc.source, doc.meta, doc.hints)
            except ReadError as e:
                log.warning("%s: %s", doc.source or doc.name, e)
            else:
                self._store(report, doc.data, doc.name, doc.content_type, doc.meta, doc.hints)
                count += 1
            if progress:
                progress(1, len(items))
        self.sync_index()
        return count

    def delete(self, report_id: str) -> bool:
        self._ensure_synced()
        found = self.store.delete(report_id)
        if found:
            self.index.delete([report_id])
        return found

    # -- reading ---------------------------------------------------------------------------------------------------

    def get(self, report_id: str) -> Report | None:
        return self.store.get(report_id)

    def reports(self) -> Iterator[Report]:
        return self.store.reports()

    def count(self) -> int:
        return self.store.count()

    def search(self, query: str = "", *, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               limit: int = 20, offset: int = 0, mode: str = "exact", words_fallback: bool = False) -> dict:
        """A page of results.  ``mode``: "exact" (each term a substring) or "words" (all its words in one
        section).  With ``words_fallback``, an exact search that finds nothing while words mode would is answered
        in words mode, with ``"fallback_from": "exact"`` in the result."""
        result = self.index.search(query, filters=filters, sort=sort, limit=limit, offset=offset, mode=mode)
        if words_fallback and mode == "exact" and not result["total"] and query.strip():
            words = self.index.search(query, filters=filters, sort=sort, limit=limit, offset=offset, mode="words")
            if words["total"]:
                words["fallback_from"] = "exact"
                return words
        return result

    def facets(self, query: str = "", *, filters: dict[str, list[str]] | None = None,
               mode: str = "exact") -> dict[str, list[dict]]:
        return self.index.facets(query, filters=filters, mode=mode)

    def matching_ids(self, query: str = "", *, filters: dict[str, list[str]] | None = None,
                     mode: str = "exact") -> list[str]:
        """Every report id the query and filters select (oldest year first), without ranking or snippets."""
        return self.index.ids(query, filters=filters, mode=mode)

    def report_json(self, report_id: str) -> dict | None:
        """The report as FIELDS.md JSON with its ``keywords`` and each section's (`show --json`,
        /api/reports/<id>); None when there is no such report."""
        report = self.get(report_id)
        if report is None:
            return None
        out = report.to_json()
        keywords = self.keywords(report_id) or {"keywords": [], "sections": []}
        out["keywords"] = keywords["keywords"]
        for s, kws in zip(out.get("sections") or [], keywords["sections"] or [[]] * len(out.get("sections") or [])):
            s["keywords"] = kws
        return out

    def keywords(self, report_id: str) -> dict | None:
        """The report's keywords and each section's (None when it is not in the index)."""
        return self.index.keywords(report_id)

    def similar(self, report_id: str, limit: int = 10) -> list[dict] | None:
        """The reports nearest to it in wording, with their score (None when it is not in the index)."""
        return self.index.similar(report_id, limit)

    def matching_reports(self, query: str = "", *, filters: dict[str, list[str]] | None = None,
                         mode: str = "exact") -> Iterator[Report]:
        """The reports behind :meth:`matching_ids`; all stored reports when there is neither query nor filter."""
        if not query.strip() and not filters:
            yield from self.store.reports()
            return
        for rid in self.matching_ids(query, filters=filters, mode=mode):
            report = self.store.get(rid)
            if report is not None:
                yield report

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.store.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
