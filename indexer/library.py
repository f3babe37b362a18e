"""The one library API used by the command line, the web UI and the crawler.

``Library(index_dir)`` holds the report store (SQLite: raw bytes + parsed reports) and the search index under one
directory: the embedded Whoosh engine by default, or any ``indexer.engine.SearchBackend`` handed in.  Writes go store first, index second; every write session starts by syncing the index to the
store, so a process killed between the two leaves nothing lost and the next run completes the index.
"""

from __future__ import annotations

import ctypes
import logging
import mimetypes
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from indexer.engine.backend import SearchBackend, open_embedded
from indexer.engine.errors import QueryError
from indexer.engine.results import SNIPPETS
from indexer.failures import os_reason
from indexer.history.diff import ReportDiff, diff_reports
from indexer.history import reuse as reuse_mod
from indexer.history.series import body_key, previous_of, series_of
from indexer.limits import limits
from indexer.model import Document, NotAReport, PageImage, ReadError, Report
from indexer.normalize import normalize
from indexer.parse import parse_document
from indexer.read import read_bytes
from indexer import sites
from indexer.read.ocr import add_page_images
from indexer.store import ReportKeys, ReportStore

log = logging.getLogger(__name__)

DEFAULT_INDEX_DIR = "index"
# What `add` picks up when walking a directory; other files are passed over silently.
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".doc", ".wps", ".ofd", ".xlsx",
                      ".xls", ".jpg", ".jpeg", ".png")
# reports per index commit in `add`: each commit writes a segment and a generation (~0.3 s of fixed cost with the
# parallel writer), while a killed `add` re-indexes at most one batch on the next open — a guess, not measured
_INDEX_BATCH = 200
_FORCED = "forced"  # document hint: added with --force although it is not an annual report


_ILLUSTRATING = ("图解", "政策解读")  # kinds of page that are about one report


def report_keys(report: Report) -> ReportKeys:
    """What a 图解 page naming this report is matched against: its title, else its body and year."""
    return ReportKeys(normalize(report.title) if report.title else None, body_key(report), report.year)


def named_report_keys(title: str, hints: dict[str, str] | None = None) -> ReportKeys:
    """The keys of the report a 图解 / 解读 page names by ``title``: the body and year are what the title alone
    tells (parsed as a report of that title would be: issuer, region, formal name)."""
    named = parse_document(Document(text=title, source=title, format="txt", meta={"title": title}), hints)
    return ReportKeys(normalize(title), body_key(named), named.year)


def default_index_dir() -> Path:
    return Path(os.environ.get("NIANBAO_INDEX") or DEFAULT_INDEX_DIR)


@dataclass
class AddResult:
    added: list[str] = field(default_factory=list)  # report ids stored (new or updated)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    # inputs that are not annual reports: (path, kind, reason) — 政策解读, 图解, 通知公告, 列表页, 其他
    skipped: list[tuple[str, str, str]] = field(default_factory=list)

    # of the distinct reports added: stored for the first time, changed, or stored exactly as before (re-adding)
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # (file, earlier file of this run) pairs that are the same report (e.g. a PDF and its text dump): one report
    merged: list[tuple[str, str]] = field(default_factory=list)

    def skipped_by_kind(self) -> dict[str, int]:
        return count_kinds(kind for _, kind, _ in self.skipped)


def count_kinds(kinds: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in kinds:
        out[k] = out.get(k, 0) + 1
    return out


def describe_skipped(by_kind: dict[str, int]) -> str:
    """'2 个非年度报告（政策解读 1，图解 1）' for command output; '' when nothing was skipped."""
    if not by_kind:
        return ""
    parts = "，".join(f"{k} {n}" for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1]))
    return f"{sum(by_kind.values())} 个非年度报告已跳过（{parts}）"


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


ImageSource = Callable[[list[str]], list[PageImage]]  # a page's image srcs → what its collector got for them


def _parse_bytes(data: bytes, name: str, content_type: str | None, source: str | None,
                 meta: dict[str, str] | None, hints: dict[str, str] | None,
                 images: Sequence[PageImage] | ImageSource | None = None) -> Report:
    """Read and parse one document.  A web page's pictures (statistics tables as ``<img>``) are read by OCR:
    ``images`` are the ones collected with it, or a function that collects them from the srcs the page shows."""
    doc = read_bytes(data, name, content_type, meta)
    if source:
        doc.source = source
    if doc.images:
        got = images(doc.images[:limits().page_images]) if callable(images) else images
        doc = add_page_images(doc, got or ())
    return parse_document(doc, hints)


def local_images(path: Path, collected: list[PageImage]) -> ImageSource:
    """Images of a page file given to `add`: those its src names by a relative path, read from beside the file when
    they are there (a page saved with its pictures); an absent one is passed over, one over the size limit is
    named in a warning.  What was read is appended to ``collected`` (it is stored with the page)."""
    def collect(srcs: list[str]) -> list[PageImage]:
        for src in srcs:
            parts = urlsplit(src)
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
                continue  # on the web, or relative to a site root this file does not know: not beside it
            file = path.parent / unquote(parts.path)
            try:
                if not file.is_file():
                    log.info("%s: image %s is not beside it", path, src)
                    continue
                if file.stat().st_size > limits().image_bytes:
                    collected.append(PageImage(src, error=f"图片超过 {limits().image_bytes:,} 字节"))
                    continue
                collected.append(PageImage(src, file.read_bytes(), _content_type(file.name)))
            except OSError as e:
                collected.append(PageImage(src, error=f"无法读取文件（{os_reason(e)}）"))
        return list(collected)

    return collect


def parse_file(path: str, hints: dict[str, str] | None
               ) -> tuple[str, Report | None, bytes | None, str | None, list[PageImage]]:
    """Worker: (path, report, raw bytes, error, the page's images read from beside it) — errors come back as text
    so one bad file never stops a batch."""
    images: list[PageImage] = []
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return path, None, None, f"无法读取文件（{os_reason(e)}）", images
    try:
        report = _parse_bytes(data, Path(path).name, _content_type(path), Path(path).name, None, hints,
                              local_images(Path(path), images))
        return path, report, data, None, images
    except ReadError as e:  # its message starts with the file's name, which the caller prints already
        return path, None, None, str(e).removeprefix(f"{Path(path).name}："), images
    except Exception as e:  # a parser bug must not end the run; it is logged with the file named
        log.exception("parse failed: %s", path)
        return path, None, None, f"解析时出现内部错误（{type(e).__name__}: {e}），请报告这个问题", images


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Worker initializer: the worker ends when the process that started it ends, SIGKILL included (without this,
    2–4 parse workers were left blocked on a pipe after `add` was killed).  Linux's prctl; elsewhere a no-op."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class Library:
    def __init__(self, index_dir: str | Path | None = None, *, readonly: bool = False,
                 backend: SearchBackend | None = None,
                 parse_files: Callable[[list[str], dict[str, str] | None], Iterable[tuple]] | None = None):
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self.readonly = readonly
        self.store = ReportStore(self.index_dir, readonly=readonly)
        self._index = backend
        # how add_paths parses a batch of files into parse_file() tuples, in order: a local process pool unless
        # given (indexer.cluster.ingest: Ray tasks)
        self._parse_files = parse_files
        self._synced = False

    # -- the search index, opened on first use -----------------------------------------------------------------

    @property
    def index(self) -> SearchBackend:
        if self._index is None:  # Whoosh and numpy load only when searching or indexing
            self._index = open_embedded(self.index_dir, readonly=self.readonly)
        return self._index

    def sync_index(self) -> tuple[int, int]:
        """Make the search index hold exactly the stored reports (completes a build that was killed)."""
        self._complete_keys()
        missing = self.store.ids_without_sentences()
        if missing:  # stored by an older nianbao, or a run killed between store and reuse: complete them first
            self.update_reuse([r for r in map(self.store.get, missing) if r is not None])
        added, deleted = self.index.sync(self.store.versions(), self._load, values=self.store.reuse_fields())
        self._synced = True
        return added, deleted

    def pending(self) -> int:
        """Stored reports not yet searchable, or searchable by reuse figures they no longer have (a write killed
        between store and index); a writer's next open, or `nianbao reindex --index-only`, indexes them."""
        return self.index.pending(self.store.versions(), self.store.reuse_fields())

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
               meta: dict[str, str] | None, hints: dict[str, str] | None,
               images: Sequence[PageImage] = ()) -> tuple[list[str], list[Report]]:
        """Store one report (with the page images it was read with); returns ids it replaced (same raw bytes parsed
        to another id before), and the reports of its site stored again because it settles their region
        (indexer/sites.py).  图解 pages waiting for it are attached to it."""
        stale = [rid for rid in self.store.ids_for_document(data) if rid != report.id]
        for rid in stale:
            self.store.delete(rid)
        site = sites.site_key(report.source, hints)
        sites.settle(self.store, report, site)  # a region its own text left open, from its site's other reports
        self.store.put(report, data=data, name=name, content_type=content_type, meta=meta, hints=hints,
                       images=list(images), keys=report_keys(report))
        again = [r for rid in sites.record(self.store, report, site) if (r := self._store_again(rid)) is not None]
        return stale, again

    def _store_again(self, report_id: str) -> Report | None:
        """Parse a stored report's document again and store it (its site's regions moved)."""
        doc = self.store.document(report_id)
        if doc is None:
            return None
        try:
            report = _parse_bytes(doc.data, doc.name, doc.content_type, doc.source, doc.meta, doc.hints, doc.images)
        except Exception as e:  # it was read before: a failure now is logged, and the report stays as it was
            log.warning("%s: %s", doc.source or doc.name, e)
            return None
        self._store(report, doc.data, doc.name, doc.content_type, doc.meta, doc.hints, doc.images)
        return report

    def add_bytes(self, data: bytes, name: str, *, content_type: str | None = None, source: str | None = None,
                  meta: dict[str, str] | None = None, hints: dict[str, str] | None = None,
                  index_now: bool = True, force: bool = False, images: Sequence[PageImage] = ()) -> Report:
        """Read, parse, store and index one document.  Raises ReadError for input that cannot be read, NotAReport
        for an input that is not an annual report (政策解读, 图解, a notice, a list page …) unless ``force``; a 图解
        or 解读 page is remembered and attached to the report it names (now, or when that report is stored).
        ``images``: the pictures of a web page as its collector got them (read by OCR, stored with the page).

        With ``index_now=False`` the report is only stored; a later :meth:`sync_index` (or the next writer to open
        the library) indexes everything stored since, in one commit per batch instead of one per document."""
        if index_now:
            self._ensure_synced()
        report = _parse_bytes(data, name, content_type or _content_type(name), source, meta, hints, images)
        if not report.is_report and not (force or (hints or {}).get(_FORCED)):
            self._note_illustration(report, hints)
            log.info("%s: skipped, %s", source or name, NotAReport(report))
            raise NotAReport(report)
        if not report.is_report:
            hints = {**(hints or {}), _FORCED: "1"}  # kept with the document: a reparse keeps it too
        stale, again = self._store(report, data, name, content_type, meta, hints, images)
        figures = self.update_reuse([report, *again])
        if not index_now:
            self._synced = False
            return report
        if stale:
            self.index.delete(stale)
        self.index.update([report, *again], values=figures)
        return report

    def add_paths(self, paths: Iterable[str | Path], *, hints: dict[str, str] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  on_error: Callable[[str, str], None] | None = None, workers: int | None = None,
                  force: bool = False) -> AddResult:
        """Add files and directories.  Parsing runs on all cores; one bad file is reported and the run goes on.
        Inputs that are not annual reports are skipped with their kind and reason (named files too) unless ``force``."""
        self._ensure_synced()
        files = [str(f) for f in iter_report_files(paths)]
        result = AddResult()
        before = self.store.versions()  # to tell new, changed and unchanged reports apart at the end
        after: dict[str, str] = {}
        first_file: dict[str, str] = {}
        batch: dict[str, Report] = {}
        workers = workers or min(os.cpu_count() or 1, 4)

        def flush() -> None:
            if batch:
                figures = self.update_reuse(list(batch.values()))
                self.index.update(batch.values(), values=figures)
                batch.clear()

        def handle(path: str, report: Report | None, data: bytes | None, error: str | None,
                   images: Sequence[PageImage] = ()) -> None:
            if error is not None or report is None or data is None:
                result.failed.append((path, error or "未知错误"))
                if on_error:  # the caller reports it: one line per failed file, not a log line too
                    on_error(path, error or "未知错误")
                else:
                    log.warning("%s: %s", path, error)
            elif not report.is_report and not force:
                self._note_illustration(report, hints)
                result.skipped.append((path, report.kind, report.kind_reason))
                log.info("%s: skipped, %s", path, NotAReport(report))
            else:
                doc_hints = hints if report.is_report else {**(hints or {}), _FORCED: "1"}
                doc_hints = {**(doc_hints or {}), sites.SITE_HINT: str(Path(path).resolve().parent)}
                stale, again = self._store(report, data, Path(path).name, _content_type(path), None, doc_hints,
                                           images)
                after[report.id] = self.store.versions_of([report.id]).get(report.id, "")
                if report.id in first_file:
                    result.merged.append((path, first_file[report.id]))
                first_file.setdefault(report.id, path)
                if stale:
                    self.index.delete(stale)
                    for rid in stale:
                        batch.pop(rid, None)
                batch[report.id] = report
                batch.update((r.id, r) for r in again)
                result.added.append(report.id)
                if len(batch) >= _INDEX_BATCH:
                    flush()
            if progress:
                progress(1, len(files))

        if self._parse_files is not None:
            for item in self._parse_files(files, hints):
                handle(*item)
        elif workers > 1 and len(files) > 1:
            with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                for item in pool.map(parse_file, files, [hints] * len(files), chunksize=4):
                    handle(*item)
        else:
            for f in files:
                handle(*parse_file(f, hints))
        flush()
        for rid, version in after.items():
            (result.new if rid not in before else result.unchanged if before[rid] == version
             else result.updated).append(rid)
        return result

    def reparse_all(self, *, progress: Callable[[int, int], None] | None = None,
                    skipped: list[tuple[str, str, str]] | None = None) -> int:
        """Parse every stored raw document again (after a parser upgrade) and bring the index up to date.

        A stored document the parser now knows is not an annual report (and that was not added with force) is
        removed from the collection and listed in ``skipped`` as (source, kind, reason)."""
        items = list(self.store.documents())
        count = 0
        for rid, doc in items:
            try:
                report = _parse_bytes(doc.data, doc.name, doc.content_type, doc.source, doc.meta, doc.hints,
                                      doc.images)
            except ReadError as e:
                log.warning("%s: %s", doc.source or doc.name, e)
            else:
                if not report.is_report and not (doc.hints or {}).get(_FORCED):
                    self.store.delete(rid)
                    self._note_illustration(report, doc.hints)
                    if skipped is not None:
                        skipped.append((doc.source or doc.name, report.kind, report.kind_reason))
                    log.info("%s: removed, %s", doc.source or doc.name, NotAReport(report))
                    if progress:
                        progress(1, len(items))
                    continue
                self._store(report, doc.data, doc.name, doc.content_type, doc.meta, doc.hints, doc.images)
                count += 1
            if progress:
                progress(1, len(items))
        self.update_reuse(list(self.store.reports()))  # re-parsed reports lost their reuse figures
        self.sync_index()
        return count

    def _note_illustration(self, report: Report, hints: dict[str, str] | None = None) -> None:
        """A 图解 / 解读 page that names the report it is about: never stored as a report, but remembered with that
        report — now when it is in the collection (the reason then names it), else as soon as it is stored (same
        title, or the same body's report of that year)."""
        if not report.illustrates or report.kind not in _ILLUSTRATING or not report.source:
            return
        target = self.store.put_illustration(report.source, report.kind, report.kind_title or report.title,
                                             report.illustrates, named_report_keys(report.illustrates, hints))
        if target is not None:
            report.kind_reason += f"（对应报告 {target}）"

    def _complete_keys(self) -> None:
        """Keys of reports stored before 图解 pages were matched to reports (a store made by an older nianbao)."""
        missing = self.store.ids_without_keys()
        if not missing:
            return
        with self.store.bulk():
            for rid in missing:
                report = self.store.get(rid)
                if report is not None:
                    self.store.put_keys(rid, report_keys(report))

    def illustrations(self, report_id: str) -> list[dict]:
        """The 图解 / 解读 pages about a report: [{"kind", "title", "source"}], oldest first."""
        return self.store.illustrations_of(report_id)

    def delete(self, report_id: str) -> bool:
        self._ensure_synced()
        gone = self.store.get(report_id)
        sharing = self._sharing(self.store.sentence_hashes(report_id), gone.year if gone else None) - {report_id}
        if gone is not None:
            sharing |= self._later_report(gone)
        found = self.store.delete(report_id)
        if found:
            self.index.delete([report_id])
            with self.store.bulk():
                figures = self._recompute_reuse(sharing)  # the reports it was a source or the previous report of
            if figures:
                self.index.update([], values=figures)
        return found

    # -- reading ---------------------------------------------------------------------------------------------------

    def get(self, report_id: str) -> Report | None:
        return self.store.get(report_id)

    def original(self, report_id: str) -> tuple[str, str | None, bytes, float] | None:
        """The stored original of a report: (file name, content type, bytes as collected, collected at)."""
        return self.store.original(report_id)

    def reports(self) -> Iterator[Report]:
        return self.store.reports()

    def count(self) -> int:
        return self.store.count()

    def search(self, query: str = "", *, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               limit: int = 20, offset: int = 0, mode: str = "exact", words_fallback: bool = False,
               facet_size: int | None = None, snippets: int = SNIPPETS) -> dict:
        """A page of results.  ``mode``: "exact" (each term a substring) or "words" (all its words in one
        section).  With ``words_fallback``, an exact search that finds nothing while words mode would is answered
        in words mode, with ``"fallback_from": "exact"`` in the result."""
        result = self.index.search(query, filters=filters, sort=sort, limit=limit, offset=offset, mode=mode,
                                   facet_size=facet_size, snippets=snippets)
        if words_fallback and mode == "exact" and not result["total"] and query.strip():
            try:
                words = self.index.search(query, filters=filters, sort=sort, limit=limit, offset=offset, mode="words",
                                          facet_size=facet_size, snippets=snippets)
            except QueryError:  # a backend without the word view: the exact answer stands
                return result
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
        """The report as FIELDS.md JSON with its ``keywords`` and each section's, and the 图解 / 解读 pages about it
        (``illustrations``) (`show --json`, /api/reports/<id>); None when there is no such report."""
        report = self.get(report_id)
        if report is None:
            return None
        out = report.to_json()
        keywords = self.keywords(report_id) or {"keywords": [], "sections": []}
        out["keywords"] = keywords["keywords"]
        out["illustrations"] = self.illustrations(report_id)  # 图解 / 解读 pages about it
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

    # -- copied text (indexer.history.reuse) ------------------------------------------------------------------------

    def update_reuse(self, reports: list[Report]) -> dict[str, dict[str, float]]:
        """Record these new or changed reports' sentences, then compute the reuse figures of them and of every
        report their arrival may change: those sharing a sentence with them that is not standard wording, those
        holding one whose standing (standard or not) they changed, and the next report of their bodies.  The
        figures are stored in the reuse table, which the store's reports read their ``reuse.previous`` and
        ``reuse.others`` fields from (``reports`` get theirs in place).  Returns report id → figures as fields
        ({} for none) of these reports and of every other whose figures changed: the search index's values
        (``SearchBackend.update(values=…)``), by which search filters and sorts by them — no report is re-indexed
        because its figures moved."""
        if not reports:
            return {}
        touched: set[str] = set()
        totals: dict[int | None, tuple[int, int]] = {}  # per year, once a call: a count over the collection
        with self.store.bulk():
            for r in reports:
                hashes = list(reuse_mod.own_sentences(r))
                self.store.put_sentences(r.id, body_key(r), r.province or reuse_mod.NO_PROVINCE, r.year, hashes)
                year_totals = totals.setdefault(r.year, self.store.collection_stats(r.year))
                live, flipped = [], []  # not standard wording now; standard now, perhaps only since this report
                for h, (p, n) in self.store.sentence_stats(hashes).items():
                    if not reuse_mod.is_standard(p, n, *year_totals):
                        live.append(h)
                    elif not reuse_mod.is_standard(p - 1, n - 1, *year_totals):
                        flipped.append(h)
                # holders of a live sentence change only if this report can be their source (not later than them)
                touched |= {rid for ps in self.store.sentence_postings(live).values() for rid, _b, y in ps
                            if y is None or r.year is None or y >= r.year}
                touched |= {rid for ps in self.store.sentence_postings(flipped).values() for rid, _b, _y in ps}
                touched |= self._later_report(r)  # the body's next report counts this one as its previous
            mine = {r.id: r for r in reports}
            return self._recompute_reuse(touched | set(mine), mine)

    def _later_report(self, report: Report) -> set[str]:
        """The id of the body's report of the next later year, if any."""
        body = body_key(report)
        if body is None or report.year is None:
            return set()
        later = [(y, rid) for rid, y in self.store.body_reports(body) if y is not None and y > report.year]
        return {min(later)[1]} if later else set()

    def _sharing(self, hashes: list[int], year: int | None) -> set[str]:
        """Reports holding one of these sentences where it is not standard wording."""
        facts = _SentenceFacts(self.store)
        standard = facts.standard(hashes, year)
        return {p.report_id for ps in facts.postings([h for h in hashes if h not in standard]).values() for p in ps}

    def _recompute_reuse(self, ids: set[str], known: dict[str, Report] | None = None) -> dict[str, dict[str, float]]:
        """Compute and store the reuse of these reports (``known``: reports at hand, whose fields are set in place);
        returns id → figures as fields of the known ones and of the others whose figures changed."""
        changed = {}
        known = known or {}
        facts = _SentenceFacts(self.store)  # the store's sentence rows do not change during this loop
        for rid in sorted(ids):
            result = self._reuse_of(rid, facts)
            if result is None:
                continue
            new = result.to_store()
            old = self.store.get_reuse(rid)
            if old != new:
                self.store.put_reuse(rid, new)
            figures = result.fields()
            report = known.get(rid)
            if report is not None:
                report.fields = {**{k: v for k, v in report.fields.items() if k not in reuse_mod.FIELDS}, **figures}
            if report is not None or old is None or reuse_mod.Reuse.from_store(old).fields() != figures:
                changed[rid] = figures
        return changed

    def _reuse_of(self, report_id: str, facts: "_SentenceFacts | None" = None) -> "reuse_mod.Reuse | None":
        """The reuse of a stored report from its recorded sentences and the collection as it is now."""
        row = self.store.body_of(report_id)
        if row is None:
            return None
        body, _province, year = row
        facts = facts or _SentenceFacts(self.store)
        hashes = self.store.sentence_hashes(report_id)
        standard = facts.standard(hashes, year)
        postings = facts.postings([h for h in hashes if h not in standard])
        previous_id = None
        if body is not None and year is not None:
            earlier = [(y, rid) for rid, y in self.store.body_reports(body) if y is not None and y < year]
            previous_id = max(earlier)[1] if earlier else None
        return reuse_mod.compute_reuse(report_id, year, body, hashes, standard, postings, previous_id)

    def reuse(self, report_id: str) -> "reuse_mod.Reuse | None":
        """The report's copied-text figures and top sources, with the shared passages as the report writes them."""
        data = self.store.get_reuse(report_id)
        report = self.store.get(report_id) if data else None
        if report is None:
            return None
        return reuse_mod.Reuse.from_store(data).with_passages(reuse_mod.own_sentences(report))

    # -- one body's reports over the years (indexer.history) --------------------------------------------------------

    def series(self, report: Report) -> list[Report]:
        """The report's body's reports, oldest first (itself included)."""
        return series_of(report, self._body_candidates(report))

    def previous(self, report: Report) -> Report | None:
        """The same body's report of the latest earlier year, or None."""
        return previous_of(report, self._body_candidates(report))

    def diff(self, report: Report, against: Report | None = None) -> ReportDiff | None:
        """What changed from ``against`` (default: the same body's previous report; None when there is none)."""
        against = against or self.previous(report)
        return None if against is None else diff_reports(report, against)

    def _body_candidates(self, report: Report) -> Iterator[Report]:
        """The reports the store records under the report's body (the rows copied-text detection keeps)."""
        body = body_key(report)
        if body is None:
            return iter(())
        return (r for rid, _year in self.store.body_reports(body) if (r := self.store.get(rid)) is not None)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.store.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _SentenceFacts:
    """Sentence counts and holders read from the store once for many reports' reuse: the reports a new one touches
    share most of their sentences, and reading each one's lists again was most of what reuse cost at 10k reports.
    Valid while the store's sentence rows stay as they are (one _recompute_reuse)."""

    def __init__(self, store: ReportStore):
        self.store = store
        self._stats: dict[int, tuple[int, int] | None] = {}
        self._postings: dict[int, list] = {}
        self._totals: dict[int | None, tuple[int, int]] = {}

    def standard(self, hashes: list[int], year: int | None) -> set[int]:
        missing = [h for h in hashes if h not in self._stats]
        if missing:
            found = self.store.sentence_stats(missing)
            self._stats.update({h: found.get(h) for h in missing})
        totals = self._totals.get(year)
        if totals is None:
            totals = self._totals[year] = self.store.collection_stats(year)
        return {h for h in hashes if (st := self._stats[h]) is not None and reuse_mod.is_standard(*st, *totals)}

    def postings(self, hashes: list[int]) -> dict[int, list]:
        missing = [h for h in hashes if h not in self._postings]
        if missing:
            found = self.store.sentence_postings(missing)
            for h in missing:
                self._postings[h] = [reuse_mod.Posting(rid, b, y) for rid, b, y in found.get(h, ())]
        return {h: ps for h in hashes if (ps := self._postings[h])}
