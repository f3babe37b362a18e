"""SearchIndex: the Whoosh index on disk, written crash-safely, searched while it is being written.

Layout under the index directory::

    CURRENT          name of the published generation ("gen-000042"), replaced atomically (os.replace)
    gen-000042/      a complete Whoosh index (FileStorage)
    gen-000041/      the previous generations, kept a little while for readers that opened them just before
    WRITE.lock       flock()ed by the one writer; holds its pid for messages

Each generation also holds its VALUES.json: report id → {field key: number} for the fields kept beside the
documents, not in them (schema.VALUE_FIELDS: figures computed across the collection, like reuse.*, that change as
other reports arrive).  A commit writes it whole; a change of values alone commits a generation without touching
Whoosh (no report is re-indexed), and the snapshot of a generation reads them with it.

A commit hard-links the files of the current generation into a new directory (Whoosh segment files are written
once and never changed; deletions live in the TOC), lets Whoosh write new segments and its TOC there, fsyncs, and
only then points CURRENT at it.  A process killed at any moment therefore leaves CURRENT naming a complete index
holding every report committed before; the half-built directory is removed by the next writer, and
``sync()`` re-adds whatever the store has that the index lacks.  Whoosh's own TOC update is not crash-safe (#323)
but it never touches a published generation.

The write lock is an flock(): the kernel drops it when its holder dies, so a lock file left by a killed process is
never stale in effect; the pid inside only names the holder in the "busy" message.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.engine.codec import CompactCodec
from indexer.engine.display import encode_display
from indexer.engine.merge import FACTOR as MERGE_FACTOR, merge_tiers, merge_while_writing
from indexer.model import Report
from indexer.normalize import normalize
from indexer.engine.errors import IndexBusy, IndexOutdated
from indexer.engine.results import SNIPPETS, report_keywords, run_facets, run_ids, run_search, similar_reports
from indexer.engine.snapshot import EMPTY, VALUES_FILE, Snapshot, read_values
from indexer.engine.words import WordSlots
from indexer.store import report_version as stored_report_version
from indexer.engine.schema import FACET_COLUMNS, FIELD_PREFIX, SCHEMA_VERSION, VALUE_FIELDS, build_schema
from indexer.engine.segmenter import tokenizer

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
SCHEMA_FILE = "NIANBAO_SCHEMA"  # in each generation: the SCHEMA_VERSION it was written with
LOCK = "WRITE.lock"
_GEN_PREFIX = "gen-"
_KEEP_OLD_GENERATIONS = 2
_SYNC_BATCH = 500
# Whoosh's multiprocessing writer pays ~0.3 s to start its workers: worth it only for real batches.
_PARALLEL_MIN_REPORTS = 40


def indexed_version(stored_version: str) -> str:
    """The version the index records for a report whose store version (store.report_version) is given: it also
    names the index layout, so a schema change re-indexes everything and nothing else does."""
    return hashlib.sha1(f"{SCHEMA_VERSION}|{stored_version}".encode("ascii")).hexdigest()[:16]


def report_version(report: Report) -> str:
    return indexed_version(stored_report_version(report))


def section_match_text(number: str, heading: str, text: str) -> str:
    """What the exact view of a section holds: its heading and its body, normalised, joined by a newline
    (normalize() never outputs one, so no query can match across the join)."""
    return normalize(f"{number}{heading}") + "\n" + normalize(text)


def report_document(report: Report, version: str | None = None) -> dict:
    """The Whoosh document of one report (slot 0 of the exact view is the title, slot i the section i-1)."""
    title = normalize(report.title or "")
    texts = [title]
    slots = [["", len(title), 0]]
    stored_sections = []
    for s in report.sections:
        heading = normalize(f"{s.number}{s.heading}")
        match_text = heading + "\n" + normalize(s.text)  # (section_match_text, the heading normalised once)
        texts.append(match_text)
        slots.append([s.canonical or "unclassified", len(match_text), len(heading)])
        stored_sections.append((s.anchor, s.heading, s.canonical or "unclassified", s.text))
    meta = {k: getattr(report, k) for k in (
        "title", "issuer", "issuer_id", "province", "city", "county", "year", "level", "body_type", "template",
        "source")}
    version = version or report_version(report)
    display = encode_display(meta, stored_sections)
    doc = {"rid": report.id, "version": version.encode("ascii"), "display": display,
           "slots": json.dumps(slots, ensure_ascii=False).encode("utf-8"), "exact2": texts,
           "exact2s": texts, "exact3": texts, "words": WordSlots(texts, [hlen for _c, _n, hlen in slots]),
           "wordstats": texts}
    codes = sorted({w.code for w in report.warnings if w.code})
    if codes:
        doc["warnings"] = " ".join(codes).encode("utf-8")
    if report.year is not None:
        doc["year"] = int(report.year)
    for name in FACET_COLUMNS:
        value = getattr(report, name)
        if value:
            doc[name] = str(value)
    for key, value in (report.fields or {}).items():
        if key not in VALUE_FIELDS and _number(value):
            doc[FIELD_PREFIX + key] = float(value)
    return doc


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


Values = dict[str, dict[str, float]]  # report id → {VALUE_FIELDS key: value}


def clean_values(values: Values) -> Values:
    """Only VALUE_FIELDS keys with finite numbers, as floats; a report with none is left out."""
    out = {}
    for rid, fields in values.items():
        kept = {k: float(v) for k, v in fields.items() if k in VALUE_FIELDS and _number(v)}
        if kept:
            out[rid] = kept
    return out


def moved_values(have: Values, values: Values, complete: bool = False) -> Values:
    """Of ``values``, those an index holding ``have`` holds otherwise; a report's {} (and with ``complete``, a report
    of ``have`` missing from ``values``) where the index has values to remove."""
    wanted = clean_values(values)
    moved = {rid: v for rid, v in wanted.items() if have.get(rid) != v}
    moved.update({rid: {} for rid in (have if complete else values) if rid in have and rid not in wanted})
    return moved


def loaded_batches(ids: list[str], load: Callable[[str], Report], size: int = _SYNC_BATCH) -> Iterator[list[Report]]:
    """The reports of these ids, loaded a batch at a time (one commit each in sync); a report that cannot be
    loaded is logged and left out, so it never stops a sync."""
    for start in range(0, len(ids), size):
        batch = []
        for rid in ids[start:start + size]:
            try:
                batch.append(load(rid))
            except Exception as e:
                log.warning("cannot load report %s for indexing: %s", rid, e)
        yield batch


# ---------------------------------------------------------------------------------------------------------------
# Generations


def _gen_number(name: str) -> int:
    try:
        return int(name[len(_GEN_PREFIX):]) if name.startswith(_GEN_PREFIX) else -1
    except ValueError:
        return -1


def _stat_key(path: str) -> tuple | None:
    """What changes when a file is replaced (None when there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns, st.st_size


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_for_workers() -> None:
    """Loads in this process what each worker process of a parallel commit would otherwise load on its own, at
    every commit (Whoosh's MpWriter forks its workers anew each time): jieba's dictionary (~1 s of CPU a worker,
    1 ms a report in commits of 1,000) and the build's compiled loops."""
    from indexer.engine.kernels import load_build_kernels

    tokenizer()
    load_build_kernels()


class SearchIndex:
    # Seconds a writer waits for another live writer before IndexBusy; $NIANBAO_LOCK_WAIT for a cron job that had
    # rather fail at once than queue.
    lock_timeout = float(os.environ.get("NIANBAO_LOCK_WAIT") or 120.0)
    # segments of one tier merged after a commit (merge.py); 0: never merge (each commit only adds segments)
    merge_factor = MERGE_FACTOR

    def __init__(self, path: Path | str, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        if not readonly:
            self.path.mkdir(parents=True, exist_ok=True)
        self._snapshot: Snapshot | None = None  # of the generation last searched
        self._snapshot_seen: tuple | None = None  # CURRENT's _stat_key when that generation was found current
        self._current_file = str(self.path / CURRENT)
        self._snapshot_lock = threading.Lock()
        # (generation, report id → indexed version) as last read or committed by this object: update() asks before
        # every commit, and reading them from a snapshot of 100k reports took 2.2 s of a commit's ~8
        self._known_versions: tuple[str, dict[str, str]] | None = None
        # the generation the last writer built on (None: a new index) and the one it published
        self._writing_on: str | None = None
        self._published: str | None = None

    # -- generations -----------------------------------------------------------------------------------------------

    def current_generation(self) -> str | None:
        try:
            name = (self.path / CURRENT).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return name if _gen_number(name) >= 0 and (self.path / name).is_dir() else None

    def _generation_schema(self, name: str) -> str | None:
        try:
            return (self.path / name / SCHEMA_FILE).read_text(encoding="ascii").strip()
        except OSError:
            return None

    def schema_current(self) -> bool:
        """False when the published generation was written by another index layout (an older nianbao): its
        documents cannot take this version's fields, so the next commit starts a new index and sync() re-adds
        every report."""
        current = self.current_generation()
        return current is None or self._generation_schema(current) == SCHEMA_VERSION

    def _publish(self, name: str) -> None:
        tmp = self.path / f"{CURRENT}.tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / CURRENT)
        _fsync_path(self.path, directory=True)

    def _remove_unused_generations(self, current: str | None) -> None:
        """Under the write lock: drop half-built generations of killed writers and all but a few old ones."""
        cur_n = _gen_number(current) if current else -1
        old = sorted((p for p in self.path.iterdir() if p.is_dir() and _gen_number(p.name) >= 0),
                     key=lambda p: _gen_number(p.name))
        keep_old = [p for p in old if _gen_number(p.name) < cur_n][-_KEEP_OLD_GENERATIONS:]
        for p in old:
            n = _gen_number(p.name)
            if n == cur_n or p in keep_old:
                continue
            shutil.rmtree(p, ignore_errors=True)

    @contextmanager
    def _lock(self, timeout: float | None = None) -> Iterator[None]:
        timeout = self.lock_timeout if timeout is None else timeout
        if self.readonly:
            raise PermissionError("index opened read-only")
        fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
                        raise IndexBusy(f"索引正被另一个进程（pid {holder}）写入，请稍后再试") from None
                    time.sleep(0.05)
            # The previous holder may have been killed: its pid is simply overwritten (flock died with it).
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            yield
        finally:
            os.close(fd)  # releases the flock

    @contextmanager
    def _writer(self, procs: int = 1, *, documents: bool = True, values: Values | None = None,
                drop: Iterable[str] = (), adding: int = 0) -> Iterator:
        """A Whoosh writer on a fresh generation (None without ``documents``: the generation keeps the current
        one's segments); published only if the block completes.  Its values are the current generation's without
        the reports of ``drop``, with those of ``values`` (a report's {} removes its values)."""
        with self._lock():
            current = self.current_generation()
            self._remove_unused_generations(current)
            numbers = [_gen_number(p.name) for p in self.path.iterdir() if p.is_dir()]
            new = self.path / f"{_GEN_PREFIX}{max(numbers + [0]) + 1:06d}"
            new.mkdir()
            try:
                fresh = not (current and self._generation_schema(current) == SCHEMA_VERSION)
                if not fresh:
                    for f in (self.path / current).iterdir():
                        if f.is_file() and not f.name.endswith("LOCK") and f.name not in (SCHEMA_FILE, VALUES_FILE):
                            os.link(f, new / f.name)
                elif current:  # an index of another layout: start afresh (sync() re-adds the rest)
                    log.warning("search index %s was written by another index layout; rebuilding it", self.path)
                (new / SCHEMA_FILE).write_text(SCHEMA_VERSION, encoding="ascii")
                kept = {} if fresh else read_values(self.path / current)
                for rid in drop:
                    kept.pop(rid, None)
                kept.update(values or {})
                # a file of its own in each generation (never the current one's written through a link)
                (new / VALUES_FILE).write_text(json.dumps(clean_values(kept), sort_keys=True, separators=(",", ":")),
                                               encoding="ascii")
                self._writing_on = None if fresh else current
                if documents or fresh:
                    with self._whoosh_writer(new, fresh, procs, adding) as writer:
                        yield writer
                else:  # values alone: no Whoosh commit
                    yield None
                for f in new.iterdir():
                    if f.is_file():
                        _fsync_path(f)
                _fsync_path(new, directory=True)
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            self._publish(new.name)
            self._published = new.name
            self._remove_unused_generations(new.name)

    @contextmanager
    def _whoosh_writer(self, new: Path, fresh: bool, procs: int, adding: int = 0) -> Iterator:
        """A Whoosh writer on the generation directory ``new`` (a new index when ``fresh``), committed and its
        segments merged when the block completes; ``adding``: the documents the block will add."""
        ix = whoosh_index.create_in(str(new), build_schema()) if fresh else whoosh_index.open_dir(str(new))
        # compact posting blocks without zlib (codec.CompactCodec); a big pool so large batches are
        # sorted in memory instead of spilled to run files and merged
        # compound=False: Whoosh-Reloaded copies a compound segment file into memory (BytesIO) on every
        # open, which made opening a 1k-report index take most of a second
        options = {"codec": CompactCodec(), "limitmb": 2048, "compound": False}
        if procs > 1:
            writer = ix.writer(procs=procs, multisegment=True, **options)
        else:
            writer = ix.writer(**options)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        # segments are merged by our tiered policy (merge.py), not Whoosh's: its merge re-adds every
        # posting of the merged segments one by one in Python (~17x the CPU of merge.merge_segments); a parallel
        # commit merges the tier its workers' segments will fill while they write them
        if procs > 1 and self.merge_factor > 1:
            coming = [adding // procs] * procs  # (MpWriter's workers take its batches of 100 in turn)
            writer.commit(mergetype=merge_while_writing(coming, factor=self.merge_factor))
        else:
            writer.commit(merge=False) if procs > 1 or self.merge_factor > 1 else writer.commit()
        ix.close()
        if self.merge_factor > 1:
            merge_tiers(whoosh_index.open_dir(str(new)), options, factor=self.merge_factor)

    # -- writing ---------------------------------------------------------------------------------------------------

    def _commit(self, reports: list[Report], delete_ids: Iterable[str] = (), workers: int = 2,
                versions: dict[str, str] | None = None, values: Values | None = None) -> None:
        procs = workers if workers > 1 and len(reports) >= _PARALLEL_MIN_REPORTS else 1
        if procs > 1:
            _load_for_workers()
        delete_ids = list(delete_ids)
        known, self._known_versions = self._known_versions, None
        with self._writer(procs, documents=bool(reports or delete_ids), values=values, drop=delete_ids,
                          adding=len(reports)) as w:
            if w is not None:
                for rid in delete_ids:
                    w.delete_by_term("rid", rid)
                # a report's older version is deleted, when the generation may hold one (a lookup in every
                # segment: 0.17 s a commit of 1,000 at 100k, before the workers start)
                indexed = known[1] if known is not None and known[0] == self._writing_on else None
                for r in reports:
                    if indexed is None or r.id in indexed:
                        w.delete_by_term("rid", r.id)
                for r in reports:
                    w.add_document(**report_document(r, (versions or {}).get(r.id)))
        if known is not None and known[0] == self._writing_on and self.schema_current():
            # the versions of the generation this commit built on, with its changes
            have = known[1]
            for rid in delete_ids:
                have.pop(rid, None)
            for r in reports:
                have[r.id] = (versions or {}).get(r.id) or report_version(r)
            self._known_versions = (self._published, have)

    def update(self, reports: Iterable[Report], *, workers: int = 2, values: Values | None = None) -> int:
        """Add or replace reports (by id) in one commit; returns how many.  A report already indexed at the same
        version is left alone (adding the same files again writes nothing).  ``values``: report id → the values
        of VALUE_FIELDS it has now ({} for none), for any report (indexed, or in this update) — committed with
        the reports, or alone when they are all that changed."""
        unique = {r.id: r for r in reports}  # the last version of a repeated id wins
        have = self.versions()
        versions = {rid: report_version(r) for rid, r in unique.items()}
        unique = {rid: r for rid, r in unique.items() if have.get(rid) != versions[rid]}
        moved = self._moved_values(values or {})
        if not unique and not moved:
            return 0
        self._commit(list(unique.values()), workers=workers, versions=versions, values=moved)
        return len(unique)

    def values(self) -> Values:
        """Report id → its values of VALUE_FIELDS, as the published generation holds them (from the snapshot when
        it is open, else from the generation's file: a writer need not open one)."""
        if not self.schema_current():
            return {}
        current = self.current_generation()
        snap = self._snapshot
        if snap is not None and getattr(snap, "generation", None) == current:
            return snap.values()
        return read_values(self.path / current) if current else {}

    def _moved_values(self, values: Values, complete: bool = False) -> Values:
        return moved_values(self.values(), values, complete)

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        present = self.versions().keys() & set(ids)
        if present:
            self._commit([], delete_ids=sorted(present))
        return len(present)

    def versions(self) -> dict[str, str]:
        """Report id → indexed version; empty when the index must be rebuilt for this layout.  Remembered for the
        generation they were read from, and carried over the commits this object makes."""
        if not self.schema_current():
            return {}
        known = self._known_versions
        if known is None or known[0] != self.current_generation():
            snap = self.snapshot()
            generation = getattr(snap, "generation", None)
            if generation is None:  # (no generation yet)
                return snap.versions()
            known = self._known_versions = (generation, snap.versions())
        return dict(known[1])

    def sync(self, versions: dict[str, str], load: Callable[[str], Report], *, workers: int = 2,
             progress: Callable[[int, int], None] | None = None, values: Values | None = None) -> tuple[int, int]:
        """Make the index hold exactly these report ids at these store versions (ReportStore.versions()), and with
        ``values`` exactly these values (report id → {VALUE_FIELDS key: value}).  Commits in batches, so a killed
        sync keeps what it did and the next one carries on.  Returns (added or updated, deleted)."""
        todo, extra = self._behind(versions)
        if extra and not todo:
            self._commit([], delete_ids=extra)
        added = 0
        for first, batch in enumerate(loaded_batches(todo, load)):
            self._commit(batch, delete_ids=extra if first == 0 else (), workers=workers)
            added += len(batch)
            if progress:
                progress(added, len(todo))
        if values is not None:
            self.set_values(values, complete=True)
        return added, len(extra)

    def set_values(self, values: Values, *, complete: bool = False) -> int:
        """Give these reports these values (see update); ``complete``: and every other report none.  One commit
        when anything changes, no re-index; returns how many reports' values changed."""
        moved = self._moved_values(values, complete)
        if moved:
            self._commit([], values=moved)
        return len(moved)

    def _behind(self, versions: dict[str, str]) -> tuple[list[str], list[str]]:
        """(ids to index or re-index, ids to remove) for the index to hold exactly ``versions``."""
        have = self.versions()
        extra = sorted(set(have) - set(versions))
        return [rid for rid, v in versions.items() if have.get(rid) != indexed_version(v)], extra

    def pending(self, versions: dict[str, str], values: Values | None = None) -> int:
        """How many reports a sync to ``versions`` (and ``values``) would index, remove or give other values (0 when
        the index is up to date)."""
        todo, extra = self._behind(versions)
        moved = self._moved_values(values, complete=True) if values is not None else {}
        return len({*todo, *extra, *moved})

    # -- searching -------------------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The searchable state of the published generation (reopened when a writer publishes a new one);
        snapshot.EMPTY before the first commit."""
        with self._snapshot_lock:
            # a publish replaces CURRENT (a new file: a new inode, or a reused one with the times of a commit that
            # wrote and synced a segment since): while its stat is the one seen when the snapshot was taken, the
            # snapshot is current (one stat, where reading CURRENT took ten times as long: ~20 µs a search)
            seen = _stat_key(self._current_file)
            if seen is not None and self._snapshot is not None and seen == self._snapshot_seen:
                return self._snapshot
            for _attempt in range(5):
                gen = self.current_generation()
                if gen is None:
                    return EMPTY
                if self._snapshot is not None and self._snapshot.generation == gen:
                    self._snapshot_seen = seen
                    return self._snapshot
                layout = self._generation_schema(gen)
                if layout != SCHEMA_VERSION:
                    raise IndexOutdated(
                        f"搜索索引 {self.path} 由另一版本的 nianbao 建立（索引格式 {layout or '未知'}，本版本 "
                        f"{SCHEMA_VERSION}），需要重建：运行 nianbao --index {self.path.parent} reindex --index-only"
                        "（报告库与原始文件不受影响）")
                try:
                    snap = Snapshot.open(self.path / gen, gen)
                except (FileNotFoundError, OSError, whoosh_index.EmptyIndexError):
                    time.sleep(0.05)  # a writer removed it between our reads of CURRENT: read CURRENT again
                    continue
                # the previous snapshot is not closed here: another thread may be in the middle of a search on it;
                # its files close when it is garbage-collected
                self._snapshot, self._snapshot_seen = snap, seen
                return snap
            raise RuntimeError(f"无法打开 {self.path} 中的检索索引")

    def search(self, query: str = "", *, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               limit: int = 20, offset: int = 0, mode: str = "exact", facet_size: int | None = None,
               snippets: int = SNIPPETS) -> dict:
        return run_search(self.snapshot(), query, filters=filters, sort=sort, limit=limit, offset=offset, mode=mode,
                          facet_size=facet_size, snippets=snippets)

    def ids(self, query: str = "", *, filters: dict[str, list[str]] | None = None, mode: str = "exact") -> list[str]:
        return run_ids(self.snapshot(), query, filters=filters, mode=mode)

    def facets(self, query: str = "", *, filters: dict[str, list[str]] | None = None,
               mode: str = "exact") -> dict[str, list[dict]]:
        return run_facets(self.snapshot(), query, filters=filters, mode=mode)

    def keywords(self, rid: str) -> dict | None:
        return report_keywords(self.snapshot(), rid)

    def similar(self, rid: str, limit: int = 10) -> list[dict] | None:
        return similar_reports(self.snapshot(), rid, limit)

    def close(self) -> None:
        with self._snapshot_lock:
            if self._snapshot is not None:
                self._snapshot.close()
                self._snapshot = None

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
