"""The crawl: frontier → polite fetch → archive → state → discovery → library, one site after another.

Fetching runs in worker threads (per-host limits live in the Fetcher); everything else — archive, state, parsing,
the library — happens in the calling thread, one response at a time, in this order: WARC record (synced), crawl
state (committed with the links the response led to), then the library.  A crawl killed anywhere therefore
resumes without losing or refetching a stored response (documents archived but not yet in the library are taken
from the archive on restart).
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from scrapers import archive as warc
from scrapers.config import CrawlConfig, Site
from scrapers.selectors import apply_selectors
from scrapers.discover import (Page, analyse_page, attachment_name, illustrated_report, is_attachment_url,
                               is_report_title, list_targets, page_is_report, parse_page, report_attachments,
                               strip_extension)
from scrapers.fetch import (Fetcher, FetchResult, Response, canonical_url, decode_body, declared_charset,
                            robots_allows, robots_delay, robots_for_status)
from scrapers.state import CrawlState, UrlRow

log = logging.getLogger(__name__)

_DOC_TYPES = {"application/pdf": "pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
              "docx", "application/msword": "doc", "application/x-download": None, "application/octet-stream": None}
_MAGIC = ((b"%PDF", "pdf"), (b"PK\x03\x04", "docx"), (b"\xd0\xcf\x11\xe0", "doc"))


@dataclass
class SiteStats:
    site: str
    run: int = 0
    resumed: bool = False
    requests: int = 0  # URLs fetched (a redirect chain counts once)
    pages: int = 0  # answered 200
    unchanged: int = 0  # answered 304
    reports_new: int = 0
    reports_updated: int = 0
    duplicates: int = 0  # documents already stored (same bytes from another URL or site)
    not_reports: dict[str, int] = field(default_factory=dict)  # kind → documents skipped (政策解读, 图解, 列表页 …)
    errors: int = 0
    stopped_early: bool = False  # max_pages reached; the next run goes on
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (url, kind, reason) of the not_reports

    def line(self) -> str:
        return (f"[{self.site}] 请求 {self.requests}，页面 {self.pages}，未变 {self.unchanged}，报告 新增 "
                f"{self.reports_new} / 更新 {self.reports_updated} / 重复 {self.duplicates}，非年报 "
                f"{sum(self.not_reports.values())}，错误 {self.errors}")


def archive_dir_for(config: CrawlConfig | None, index_dir: Path) -> Path:
    return config.archive_dir if config and config.archive_dir else Path(index_dir) / "crawl"


@dataclass
class _Job:
    url: str
    body: bytes
    note: dict
    sha: str
    images: list | None = None  # the page's pictures as just fetched (None: as the note says, from the archive)


_INDEX_EVERY = 50


def _index_stored(library) -> None:
    """Index what the library has stored; a failure is logged, never fatal (the next writer indexes it)."""
    try:
        library.sync_index()
    except Exception:
        log.exception("indexing failed; the reports stay stored and are indexed on the next run")


class _LibraryWorker:
    """Parses and indexes documents in one background thread, in the order they were handed over, so fetching
    goes on meanwhile.  The library is opened in that thread (its SQLite connections stay where they were made).
    At most a few documents wait, so fetching never runs far ahead of parsing."""

    def __init__(self, open_library: Callable[[], object], owns_library: bool, archive_dir: Path):
        self._open = open_library
        self._owns = owns_library
        self._archive_dir = archive_dir
        self._jobs: queue.Queue = queue.Queue(maxsize=4)
        self._results: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.pending = 0

    def submit(self, job: _Job) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="library", daemon=True)
            self._thread.start()
        self.pending += 1
        self._jobs.put(job)

    def results(self, wait_all: bool = False) -> list[tuple[_Job, str | None, str | None, bool]]:
        """(job, report id, error, crashed) for every finished job; with wait_all, until none is left.  A document
        that is not an annual report comes back with its NotAReport as the error and no report id."""
        out = []
        while self.pending:
            try:
                item = self._results.get(block=wait_all)
            except queue.Empty:
                break
            self.pending -= 1
            out.append(item)
        return out

    def _run(self) -> None:
        from indexer.model import NotAReport, ReadError

        library = None
        unindexed = 0
        while True:
            # Index what is stored when the fetcher has nothing waiting (or every _INDEX_EVERY reports): one index
            # commit per quiet moment instead of one per document.  A kill before it loses nothing: the reports
            # are in the store and the next writer to open the library indexes them.
            if unindexed and (self._jobs.empty() or unindexed >= _INDEX_EVERY):
                _index_stored(library)
                unindexed = 0
            job = self._jobs.get()
            if job is None:
                break
            try:
                if library is None:
                    library = self._open()
                report = add_document(library, job.url, job.body, job.note, index_now=False, images=job.images,
                                      archive_dir=self._archive_dir)
                self._results.put((job, report.id, None, False))
                unindexed += 1
            except NotAReport as e:
                self._results.put((job, None, e, False))
            except ReadError as e:
                self._results.put((job, None, f"文档无法读取：{e}", False))
            except Exception as e:  # a parser bug: logged with the URL, the crawl goes on
                log.exception("parse failed: %s", job.url)
                self._results.put((job, None, f"解析时出现内部错误（{type(e).__name__}: {e}），请报告这个问题；"
                                              "下次运行时从归档重试", True))
        # at the end, even when this run stored nothing: a killed run may have left stored reports unindexed, or
        # reports whose copied-text figures its last reports changed (indexer/history/reuse.py)
        try:
            library = library or self._open()
        except Exception:
            log.exception("cannot open the library to index what is stored; the next writer indexes it")
        else:
            _index_stored(library)
        if library is not None and self._owns:
            library.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._thread is None:  # nothing was handed over this run: the thread still indexes what is stored
            self._thread = threading.Thread(target=self._run, name="library", daemon=True)
            self._thread.start()
        self._jobs.put(None)
        self._thread.join()
        self._thread = None


class Crawler:
    def __init__(self, config: CrawlConfig, index_dir: str | Path, *, archive_dir: Path | None = None,
                 progress: Callable[[SiteStats], None] | None = None, library=None):
        self.config = config
        self.index_dir = Path(index_dir)
        self.archive_dir = Path(archive_dir) if archive_dir else archive_dir_for(config, self.index_dir)
        self.progress = progress or (lambda stats: None)
        self._library = library  # for callers reading the collection (opened on first use, in their thread)
        self._given_library = library
        self.state = CrawlState(self.archive_dir / "state.sqlite")
        self.archive = warc.ArchiveWriter(self.archive_dir)
        self._failure_log = (self.archive_dir / "failures.log").open("a", encoding="utf-8")
        self._robots_unreachable: set[str] = set()
        self._worker = _LibraryWorker(self._open_library, owns_library=library is None, archive_dir=self.archive_dir)
        self._queued_shas: set[str] = set()  # documents handed to the worker, not yet in the library

    def _open_library(self):
        """The library the worker thread uses: the one given, else its own."""
        if self._given_library is not None:
            return self._given_library
        from indexer.library import Library

        return Library(self.index_dir)

    @property
    def library(self):
        if self._library is None:
            from indexer.library import Library

            self._library = Library(self.index_dir)
        return self._library

    def __enter__(self) -> "Crawler":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._worker.close()
        self.archive.close()
        self.state.close()
        self._failure_log.close()
        if self._library is not None:
            self._library.close()

    # -----------------------------------------------------------------------------------------------------------

    def run(self, site_names: list[str] | None = None) -> list[SiteStats]:
        """Crawl the sites (all by default).  After a kill, the same command resumes: sites the killed crawl
        finished are skipped, the one it was in goes on where it stopped."""
        sites = self.config.select(site_names)
        session, _ = self.state.begin_session([s.name for s in sites])
        results = []
        for site in sites:
            stats = self.crawl_site(site, session)
            if stats is not None:
                results.append(stats)
        self.state.finish_session(session)
        return results

    def crawl_site(self, site: Site, session: int) -> SiteStats | None:
        begun = self.state.begin_site(site.name, list(site.start_urls), session)
        if begun is None:
            return None
        stats = SiteStats(site=site.name)
        stats.run, stats.resumed = begun
        robots = {}
        fetcher = Fetcher(may_fetch=lambda url: self._refusal(site, robots, url))
        self._fetcher = fetcher  # for the pictures of report pages (_page_images), asked for from this thread
        try:
            for netloc in sorted(site.allowed_hosts):
                robots[netloc] = self._robots(site, fetcher, netloc, stats)
            for row in self.state.pending_documents(site.name):  # archived before the last crawl stopped
                self._add_pending(site, row, stats)
            self._crawl_frontier(site, fetcher, stats)
        finally:
            fetcher.close()
        if not stats.stopped_early:
            self.state.finish_site(site.name)
        stats.failures = self.state.failures(site.name, stats.run)
        self.progress(stats)
        return stats

    def _crawl_frontier(self, site: Site, fetcher: Fetcher, stats: SiteStats) -> None:
        rules = site.politeness
        workers = max(1, rules.concurrency * len(site.allowed_hosts))
        inflight: dict[str, tuple[UrlRow, Future]] = {}
        last_report = 0.0
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"fetch-{site.name}") as pool:
            while True:
                room = workers - len(inflight)
                if room > 0 and stats.requests < rules.max_pages:
                    room = min(room, rules.max_pages - stats.requests)
                    for row in self.state.next_batch(site.name, room, set(inflight)):
                        future = pool.submit(fetcher.fetch, row.url, rules, etag=row.etag,
                                             last_modified=row.last_modified)
                        inflight[row.url] = (row, future)
                        stats.requests += 1
                if not inflight:
                    break
                done, _ = wait([f for _, f in inflight.values()], timeout=0.2, return_when=FIRST_COMPLETED)
                self._apply_results(site, stats)
                for url in [u for u, (_, f) in inflight.items() if f in done]:
                    row, future = inflight.pop(url)
                    try:
                        self._handle(site, row, future.result(), stats)
                    except Exception as e:  # one bad page never stops a crawl
                        log.exception("while handling %s", url)
                        self._fail(site, stats, row.url, f"内部错误（{type(e).__name__}: {e}），请报告这个问题", True)
                if time.monotonic() - last_report > 1.0:
                    self.progress(stats)
                    last_report = time.monotonic()
            if stats.requests >= rules.max_pages and self.state.next_batch(site.name, 1, set()):
                stats.stopped_early = True
        self._apply_results(site, stats, wait_all=True)

    # -- politeness -------------------------------------------------------------------------------------------------

    def _refusal(self, site: Site, robots: dict, url: str) -> str | None:
        if not site.allows(url):
            return "不在站点允许的主机之内，或被站点的 exclude_patterns 排除"
        netloc = urlsplit(url).netloc.lower()
        parser = robots.get(netloc)
        if parser is not None and not robots_allows(parser, url):
            if netloc in self._robots_unreachable:
                return "取不到 robots.txt，按 RFC 9309 视为禁止抓取这个主机"
            return "robots.txt 禁止抓取"
        return None

    def _robots(self, site: Site, fetcher: Fetcher, netloc: str, stats: SiteStats):
        scheme = next((urlsplit(u).scheme for u in site.start_urls if urlsplit(u).netloc.lower() == netloc), "https")
        url = f"{scheme}://{netloc}/robots.txt"
        known = self.state.robots(netloc)
        result = fetcher.fetch(url, site.politeness, etag=known[2] if known else None,
                               last_modified=known[3] if known else None, check_first=False)
        for response in result.responses:
            self.archive.write_exchange(response)
        final = result.final
        if final is not None and final.status == 304 and known:
            status, body = known[0], known[1]
        elif final is not None and final.url == url and final.status < 500:
            status = final.status  # 2xx: the rules; 4xx: no robots.txt, everything allowed
            body = decode_body(final.body, final.content_type)[0] if 200 <= status < 300 else ""
            self.state.save_robots(netloc, status, body, final.header("etag"), final.header("last-modified"))
        elif final is not None and final.status < 500:
            status, body = 404, ""  # robots.txt redirected to another place: treated as absent
        else:  # 5xx, timeout, no connection: RFC 9309 says assume everything is disallowed
            status, body = (final.status if final is not None else None), ""
            self._robots_unreachable.add(netloc)
            self._log_failure(site, stats, url, f"{result.error or '取不到'}；不采集这个主机")
        parser = robots_for_status(status, body)
        delay = robots_delay(parser)
        if delay:
            fetcher.set_crawl_delay(netloc, delay)
        return parser

    # -- outcomes ---------------------------------------------------------------------------------------------------

    def _log_failure(self, site: Site, stats: SiteStats, url: str, reason: str) -> None:
        stats.errors += 1
        log.warning("%s: %s", url, reason)
        self._failure_log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')}\t{site.name}\t{url}\t{reason}\n")
        self._failure_log.flush()

    def _fail(self, site: Site, stats: SiteStats, url: str, reason: str, permanent: bool,
              http_status: int | None = None) -> None:
        self.state.record_failure(url, site=site.name, run=stats.run, reason=reason, permanent=permanent,
                                  http_status=http_status)
        self._log_failure(site, stats, url, reason)

    def _handle(self, site: Site, row: UrlRow, result: FetchResult, stats: SiteStats) -> None:
        position = record_id = None
        for response in result.responses:
            position, record_id = self.archive.write_exchange(response)
        final = result.final
        if result.error:
            self._fail(site, stats, row.url, result.error, result.permanent, final.status if final else None)
            return
        if final.url != row.url:
            self.state.record_redirect(row.url, final.url, site=site.name, kind=row.kind, depth=row.depth,
                                       link_text=row.link_text, meta=row.meta)
            if self.state.status(final.url) != "queued":
                return  # the target was already handled in this run
            row = self.state.get(final.url)
        etag, last_modified = final.header("etag"), final.header("last-modified")
        if final.status == 304:
            stats.unchanged += 1
            self.state.record_response(row.url, status="done", http_status=304, etag=etag,
                                       last_modified=last_modified, sha256=None, position=None)
            return
        stats.pages += 1
        kind = _document_kind(final)
        if kind or (row.kind == "attachment" and not _is_page(final)):
            meta = {k: v for k, v in row.meta.items() if v}
            meta["url"] = row.url
            note = {"name": _document_name(row.url, row.link_text or "", kind),
                    "content_type": final.content_type, "meta": meta, "hints": site.hints}
            self._new_document(site, row, final, position, record_id, note, etag, last_modified, stats)
            return
        text, encoding = decode_body(final.body, final.content_type)
        soup = parse_page(text)  # one parse serves the generic discovery and the site's selectors
        page = apply_selectors(analyse_page(text, row.url, soup), text, site.selectors, site.name,
                               "list" if row.kind == "list" else "report", soup)
        self._handle_page(site, row, final, page, encoding, position, record_id, etag, last_modified, stats)

    def _handle_page(self, site: Site, row: UrlRow, final: Response, page: Page, encoding: str, position, record_id,
                     etag, last_modified, stats: SiteStats) -> None:
        url = row.url
        listed = any(p.search(url) for p in site.list_patterns)
        reported = any(p.search(url) for p in site.report_patterns)
        discovered: list[dict] = []
        if reported or (not listed and page_is_report(page, row.link_text)):
            attachments = report_attachments(page)
            if not attachments:
                note = _page_note(url, page, encoding, site)
                self._new_document(site, row, final, position, record_id, note, etag, last_modified, stats,
                                   images=lambda: self._page_images(site, url, final.body, note, stats))
                return
            title = page.title if is_report_title(page.title) else (row.link_text or page.title)
            for link in attachments:
                meta = {"title": strip_extension(link.text) if is_report_title(link.text) else title,
                        "published": page.published, "issuer": page.issuer, "page_url": url}
                discovered.append(dict(url=link.url, site=site.name, kind="attachment", depth=row.depth + 1,
                                       link_text=link.text, meta={k: v for k, v in meta.items() if v}))
        elif row.kind == "report" and illustrated_report(page.titles):
            # a 图解 / 解读 page linked as a report: the library skips it, and attaches it to the report it names
            self._new_document(site, row, final, position, record_id, _page_note(url, page, encoding, site), etag,
                               last_modified, stats)
            return
        elif row.kind == "list" or listed or page.report_links or page.pagination:
            discovered = self._from_list(site, row, page)
        self.state.record_response(url, status="done", http_status=final.status, etag=etag,
                                   last_modified=last_modified, sha256=None, position=position,
                                   discovered=[d for d in discovered if site.allows(d["url"])])

    def _from_list(self, site: Site, row: UrlRow, page: Page) -> list[dict]:
        reports, columns, pages = list_targets(page)
        out = []
        for link in page.links:  # the site's own patterns win over the wording of the links
            if any(p.search(link.url) for p in site.report_patterns) and link not in reports:
                reports.append(link)
            elif any(p.search(link.url) for p in site.list_patterns) and link.url not in pages:
                pages.append(link.url)
        for link in reports:
            kind = "attachment" if is_attachment_url(link.url) else "report"
            meta = {"title": strip_extension(link.text), "page_url": row.url} if kind == "attachment" else {}
            out.append(dict(url=link.url, site=site.name, kind=kind, depth=row.depth + 1, link_text=link.text,
                            meta=meta))
        if row.depth < site.politeness.max_depth:
            out += [dict(url=link.url, site=site.name, kind="list", depth=row.depth + 1, link_text=link.text)
                    for link in columns]
        out += [dict(url=u, site=site.name, kind="list", depth=row.depth) for u in pages]
        return out

    # -- documents --------------------------------------------------------------------------------------------------

    def _new_document(self, site: Site, row: UrlRow, final: Response, position, record_id, note: dict, etag,
                      last_modified, stats: SiteStats,
                      images: Callable[[], tuple[list, list[dict]]] | None = None) -> None:
        sha = hashlib.sha256(final.body).hexdigest()
        known = self.state.known_document(sha)
        if known is None and sha in self._queued_shas:
            known = ""  # the same bytes are being parsed right now
        if known is not None:  # the same bytes reached by another URL, another site, or unchanged
            if row.sha256 != sha:
                stats.duplicates += 1
            self.state.record_response(row.url, status="done", http_status=final.status, etag=etag,
                                       last_modified=last_modified, sha256=sha, position=position)
            return
        fetched = None
        if images is not None:  # a page's pictures: fetched, archived and listed in its note before it is noted
            fetched, listed = images()
            if listed:
                note = {**note, "images": listed}
        note = {**note, "sha256": sha, "site": site.name}
        self.archive.write_document_note(row.url, record_id, note)
        self.state.record_response(row.url, status="fetched", http_status=final.status, etag=etag,
                                   last_modified=last_modified, sha256=sha, position=position, note=note)
        self._to_library(site, row.url, final.body, note, stats, fetched)

    def _page_images(self, site: Site, page_url: str, body: bytes, note: dict,
                     stats: SiteStats) -> tuple[list, list[dict]]:
        """The pictures inside a report page's content (statistics tables printed as ``<img>``), fetched like
        everything else (the site's hosts, robots.txt, delay, retries), each exchange archived, only images kept,
        at most ``limits().page_images`` of them and ``limits().image_bytes`` each.  Returns (PageImage list for the
        reader, their entries for the document note: where the archive holds each, or why it could not be had).
        A picture that fails is a warning on the report, never the report's loss."""
        from indexer.limits import limits
        from indexer.model import PageImage
        from indexer.parse import parse_document
        from indexer.read import read_bytes
        from indexer.read.ocr import is_vector

        try:  # which pictures: those the reader finds in the page's content (not the site's logos and banners)
            doc = read_bytes(self_describing_html(body, note["charset"]), note["name"], note["content_type"])
            # a 图解 or 解读 page says so in its title, which its pictures cannot change: it is skipped, unread
            if not doc.images or parse_document(doc, site.hints).kind in ("图解", "政策解读"):
                return [], []
        except Exception:  # the page cannot be read: the library says why when it gets it
            return [], []
        srcs = doc.images
        rules = replace(site.politeness, max_bytes=min(site.politeness.max_bytes, limits().image_bytes))
        images, listed = [], []
        for src in srcs[:limits().page_images]:
            if src.startswith("data:") or is_vector(src):
                continue  # written into the page (the reader decodes it), or a drawing OCR does not read
            url = canonical_url(urljoin(page_url, src))
            entry = {"src": src, "url": url}
            if urlsplit(url).scheme not in ("http", "https"):
                image = PageImage(src, error=f"不是 http(s) 网址：{url[:100]}")
            else:
                result = self._fetcher.fetch(url, rules)
                stats.requests += 1
                position = None
                for response in result.responses:
                    position, _ = self.archive.write_exchange(response)
                image = _picture(src, result)
                if image.error is None:
                    entry.update(warc=position.file, offset=position.offset, content_type=image.content_type)
            if image.error:
                entry["error"] = image.error
                log.warning("%s: picture %s: %s", page_url, url, image.error)
            images.append(image)
            listed.append(entry)
        return images, listed

    def _add_pending(self, site: Site, row: UrlRow, stats: SiteStats) -> None:
        try:
            body = warc.read_body(self.archive_dir, row.position)
        except Exception as e:
            self._log_failure(site, stats, row.url, f"归档中的应答无法读取（{e}），重新抓取")
            self.state.requeue(row.url)
            return
        self._to_library(site, row.url, body, row.note or {}, stats)

    def _to_library(self, site: Site, url: str, body: bytes, note: dict, stats: SiteStats,
                    images: list | None = None) -> None:
        sha = note.get("sha256") or hashlib.sha256(body).hexdigest()
        self._queued_shas.add(sha)
        self._worker.submit(_Job(url, body, note, sha, images))
        self._apply_results(site, stats)

    def _apply_results(self, site: Site, stats: SiteStats, wait_all: bool = False) -> None:
        """Record what the library worker finished: new or updated reports, unreadable documents, crashes."""
        from indexer.model import NotAReport

        for job, report_id, error, crashed in self._worker.results(wait_all):
            self._queued_shas.discard(job.sha)
            if isinstance(error, NotAReport):  # known and answered: not fetched or parsed again
                stats.not_reports[error.kind] = stats.not_reports.get(error.kind, 0) + 1
                stats.skipped.append((job.url, error.kind, error.reason))
                self.state.document_done(job.url, job.sha, [])
                continue
            if error:
                self.state.log_failure(job.url, site=site.name, run=stats.run, reason=error)
                self._log_failure(site, stats, job.url, error)
                if not crashed:  # unreadable: known, not tried again; a crash stays 'fetched' for the next run
                    self.state.document_done(job.url, job.sha, [])
                continue
            if self.state.knows_report(report_id):
                stats.reports_updated += 1
            else:
                stats.reports_new += 1
            self.state.document_done(job.url, job.sha, [report_id])


def _page_note(url: str, page: Page, encoding: str, site: Site) -> dict:
    """How a page that is a document (a report, or a 图解 of one) goes to the library: name, type, metadata."""
    name = attachment_name(url) or "index.html"
    if not name.lower().endswith((".html", ".htm", ".shtml", ".xhtml")):
        name += ".html"
    meta = {"url": url}
    if page.published:
        meta["published"] = page.published
    return {"name": name, "content_type": f"text/html; charset={encoding}", "meta": meta, "hints": site.hints,
            "charset": encoding}


_OCTET = ("", "application/octet-stream", "binary/octet-stream", "application/x-download")


def _picture(src: str, result: FetchResult):
    """A fetched picture as a PageImage: its bytes when the server sent an image, else why not."""
    from indexer.model import PageImage
    from indexer.read.dispatch import detect_format

    if result.error or result.final is None:
        return PageImage(src, error=result.error or "没有应答")
    final = result.final
    ctype = (final.content_type or "").split(";")[0].strip().lower()
    if not final.body:
        return PageImage(src, content_type=ctype or None, error="图片是空的（0 字节）")
    # servers label pictures application/octet-stream now and then: the bytes decide then, never for text/html
    if not ctype.startswith("image/") and not (ctype in _OCTET and detect_format(final.body[:2048]) == "image"):
        return PageImage(src, content_type=ctype or None, error=f"不是图片：Content-Type 为 {ctype or '空'}")
    return PageImage(src, final.body, ctype or None)


def note_images(archive_dir: Path | None, note: dict) -> list:
    """The pictures a document note lists, read back from the archive (reindex, a resumed crawl)."""
    from indexer.model import PageImage

    out = []
    for entry in note.get("images") or ():
        src = entry.get("src") or ""
        if entry.get("error") or archive_dir is None or "warc" not in entry:
            out.append(PageImage(src, error=entry.get("error") or "归档中没有这张图片"))
            continue
        try:
            data = warc.read_body(Path(archive_dir), warc.Position(entry["warc"], int(entry["offset"])))
        except Exception as e:  # a damaged archive costs the picture, not the report
            out.append(PageImage(src, error=f"归档中的图片无法读取（{type(e).__name__}）"))
            continue
        out.append(PageImage(src, data, entry.get("content_type")))
    return out


def _is_page(response: Response) -> bool:
    ctype = (response.content_type or "").split(";")[0].strip().lower()
    return ctype in ("text/html", "application/xhtml+xml") or response.body[:512].lstrip()[:1] == b"<"


def _document_name(url: str, link_text: str, kind: str | None) -> str:
    """A file name whose extension tells the readers the format (download scripts hide it)."""
    name = attachment_name(url, link_text)
    if kind and not name.lower().endswith(f".{kind}"):
        name = f"{name}.{kind}"
    return name


def _document_kind(response: Response) -> str | None:
    """'pdf' / 'docx' / 'doc' when the response is a document file rather than a page."""
    if response.body.startswith(b"%PDF-"):  # servers label PDFs as text/html or octet-stream now and then
        return "pdf"
    ctype = (response.content_type or "").split(";")[0].strip().lower()
    kind = _DOC_TYPES.get(ctype)
    if kind:
        return kind
    if ctype.startswith(("text/", "application/xhtml", "application/xml")):
        return None
    for magic, name in _MAGIC:
        if response.body.startswith(magic):
            return name
    return None


def self_describing_html(body: bytes, encoding: str) -> bytes:
    """The page with its encoding written into it when only the HTTP header (or detection) knew it, so that any
    reader of the stored bytes decodes them as the crawler did.  Pages that declare a charset are left as fetched."""
    if declared_charset(body):
        return body
    tag = f'<meta charset="{encoding}">'.encode("ascii")
    m = re.search(rb"<head[^>]*>", body[:4096], re.I)
    return body[:m.end()] + tag + body[m.end():] if m else tag + body


# documents re-parsed between index commits in `reindex`: the same trade as library._INDEX_BATCH — a guess, not measured
_REINDEX_BATCH = 500


def add_document(library, url: str, body: bytes, note: dict, *, index_now: bool = True, images: list | None = None,
                 archive_dir: Path | None = None):
    """One archived report document into the library — the same call for crawl and reindex.  The page's pictures
    are ``images`` when just fetched, else read from the archive where its note says they are."""
    if note.get("charset"):
        body = self_describing_html(body, note["charset"])
    if images is None:
        images = note_images(archive_dir, note)
    return library.add_bytes(body, note.get("name") or "document", content_type=note.get("content_type"),
                             source=url, meta=note.get("meta") or None, hints=note.get("hints") or None,
                             index_now=index_now, images=images)


def reindex(archive_dir: str | Path, library, *, progress: Callable[[int], None] | None = None,
            skipped: list[tuple[str, str, str]] | None = None) -> tuple[int, list[tuple[str, str]]]:
    """Rebuild the collection from the WARC files alone: every report document, in the order it was stored.
    Returns (documents added, [(url, reason) for documents that failed]); documents that are not annual reports
    go to ``skipped`` as (url, kind, reason)."""
    from indexer.model import NotAReport, ReadError

    added, failed = 0, []
    seen: set[str] = set()
    for doc in warc.iter_report_documents(Path(archive_dir)):
        sha = doc.note.get("sha256") or hashlib.sha256(doc.body).hexdigest()
        if sha in seen:
            continue
        seen.add(sha)
        try:
            add_document(library, doc.url, doc.body, doc.note, index_now=False, archive_dir=Path(archive_dir))
        except NotAReport as e:
            if skipped is not None:
                skipped.append((doc.url, e.kind, e.reason))
        except ReadError as e:
            failed.append((doc.url, f"文档无法读取：{e}"))
        except Exception as e:
            log.exception("parse failed: %s", doc.url)
            failed.append((doc.url, f"解析时出现内部错误（{type(e).__name__}: {e}），请报告这个问题"))
        else:
            added += 1
            if added % _REINDEX_BATCH == 0:  # once per batch, not again after each failure that follows it
                library.sync_index()
        if progress:
            progress(added)
    library.sync_index()  # stored one by one, indexed in batches: one commit per document would be O(n²)
    return added, failed
