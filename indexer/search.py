"""Searching one published index generation: matching, facets, ranking, grouping by report (snippets: snippets.py).

Matching is exact (see analysis.py): each text term of the query becomes the set of slots — a report's title or
one of its sections — whose normalised text contains it, found by intersecting the positions of the cheapest
covering set of bigrams and trigrams with numpy (a common bigram alone: from its per-slot entries).  A report
contains a term when one of its slots does (only sections of the chosen kinds when a section filter is given).  The
query tree is then evaluated over reports with numpy boolean arrays, so AND/OR/NOT, facet filters and shopper-style
facet counts (each facet counted under the other facets' filters) are array operations on tables read into memory
once per generation (report metadata from columns — no groupedby over result sets, #452).

Ranking (sort=relevance) is BM25F over the exact view: term frequency of the substring in each slot, slot length
normalisation, idf from the number of slots containing it, ×3 for the title and ×2 for a match in a section heading;
a report scores its best slot plus a third of the others, so the report where the whole phrase occurs most and
most prominently comes first.
"""

from __future__ import annotations

import bisect
import ctypes
import json
import math
import mmap
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

from indexer.analysis import COMMON_BIGRAMS, SLOT_SHIFT, trigram_indexed
from indexer.model import CANONICAL_SECTIONS
from indexer.normalize import normalize
from indexer.query import FACET_FIELDS, And, Filter, Not, Or, QueryError, Range, Text, parse_filters, parse_query, texts
from indexer.schema import FACET_COLUMNS, FIELD_PREFIX
from indexer.snippets import make_snippet

__all__ = ["QueryError", "Snapshot", "run_search", "run_facets", "run_ids", "make_snippet"]

CANONICALS = tuple(CANONICAL_SECTIONS)
_CANON_INDEX = {c: i for i, c in enumerate(CANONICALS)}
FACET_ORDER = FACET_FIELDS  # facets in the search output
SORTS = ("relevance", "year_desc", "year_asc")
_K1, _B = 1.2, 0.75
_TITLE_WEIGHT, _HEADING_WEIGHT = 3.0, 2.0
_LEAF_CACHE_SIZE = 256
_INFO_CACHE_SIZE = 2048  # (field, gram) → a TermInfo per segment: a few KB each
_MAX_HITS_PER_REPORT = 10


def _keep_freed_memory() -> None:
    """Matching allocates numpy arrays of millions of elements per query.  glibc gives each such block its own
    mmap and unmaps it when freed, so every query page-faults its arrays in afresh: measured here, a shift over a
    fresh 3M-element array took 10–60 ms, over reused memory 1.5 ms.  Serving large blocks from the heap and not
    trimming it keeps freed memory for the next query (the process keeps its peak; that is the trade)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        pass


_keep_freed_memory()


class _Leaf:
    """Where one text term occurs: slots (sorted global slot ids), term frequency, heading-hit flags."""

    __slots__ = ("docs", "tf", "in_heading")

    def __init__(self, docs: np.ndarray, tf: np.ndarray, in_heading: np.ndarray):
        self.docs, self.tf, self.in_heading = docs, tf, in_heading


_EMPTY = np.zeros(0, dtype=np.int64)
_EMPTY_KEYS = np.zeros(0, dtype=np.uint64)
_EMPTY_U32 = np.zeros(0, dtype=np.uint32)
_OFFSET_MASK = (1 << SLOT_SHIFT) - 1
_GRAM_FIELDS = {2: "exact2", 3: "exact3"}
_SEGMENT_GROUP = 4
_SEARCH_RATIO = 3  # _contains: binary search when there are this many times more keys than wanted ones


def _make_keys(ids: np.ndarray, counts: np.ndarray, positions: np.ndarray, offset: int) -> np.ndarray:
    """uint64 keys docnum << 32 | position from a compact block's uint32 arrays: written as (low, high) uint32
    pairs and viewed as uint64 (little-endian), which saves the shifts and ors over 64-bit values."""
    out = np.empty((len(positions), 2), dtype=np.uint32)
    out[:, 0] = positions
    out[:, 1] = np.repeat(ids + np.uint32(offset) if offset else ids, counts)
    return out.view(np.uint64).reshape(-1)


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays) if arrays else _EMPTY_KEYS


def _run_starts(a: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values begins in ``a``."""
    change = np.empty(len(a), dtype=bool)
    if len(a):
        change[0] = True
        np.not_equal(a[1:], a[:-1], out=change[1:])
    return np.flatnonzero(change)


def _covering_grams(n: int, grams: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Of ``grams`` (offset, length, positions in the index) of a query of ``n`` characters, a set that covers
    every character and has the fewest positions, rarest first: the text holds the query at s exactly when it holds
    each chosen gram at s + offset, so grams in between need not be read.  (行政复议: 复议 and 行政, not 政复 as
    well; 政府信息公开: the trigrams 政府信 and 息公开, not the bigrams 政府, 信息 and 公开.)

    A shortest path over how far from the start the chosen grams cover: from a cover of [0, c), any gram that
    starts at or before c and ends after it extends the cover to its end."""
    best: list[tuple[int, tuple] | None] = [None] * (n + 1)
    best[0] = (0, ())
    for c in range(n):
        if best[c] is None:
            continue
        cost, chosen = best[c]
        for g in grams:
            offset, length, positions = g
            end = offset + length
            if offset <= c < end and (best[end] is None or cost + positions < best[end][0]):
                best[end] = (cost + positions, chosen + (g,))
    return sorted(best[n][1], key=lambda g: (g[2], g[0]))


class _MappedStorage(FileStorage):
    """A generation's files read through mmap: Whoosh reads a term's entry and posting blocks with a seek and a
    read each, ~800 system calls for a five-character query over 20 segments; on a mapping they are memory
    copies.  (A generation's files never change once published; one deleted while mapped stays readable.)"""

    def open_file(self, name, **kwargs):
        with open(self._fpath(name), "rb") as f:
            try:
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        return StructFile(mapped, name=name, **kwargs)


class Snapshot:
    """A Whoosh searcher on one generation plus the per-report tables the search needs.

    Every report's title and sections are numbered "slots"; slot_* arrays are indexed by a global slot id
    (report_slot_base[r] + slot), which is what matching returns and what hits are made of.
    """

    def __init__(self, ix, generation: str):
        self.generation = generation
        self.ix = ix
        self.searcher = ix.searcher()
        self._lock = threading.Lock()  # Whoosh matchers/readers are not meant for concurrent use
        self._leaves: OrderedDict[str, _Leaf] = OrderedDict()
        self._infos: OrderedDict[tuple[str, bytes], tuple[float, list]] = OrderedDict()
        self._load_tables()

    @classmethod
    def open(cls, path: Path, generation: str) -> "Snapshot":
        return cls(_MappedStorage(str(path), readonly=True).open_index(), generation)

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    # -- tables ----------------------------------------------------------------------------------------------------

    def _column(self, name: str) -> list:
        reader = self.searcher.reader()
        if name not in reader.schema or not reader.schema[name].column_type:
            return [None] * reader.doc_count_all()
        out: list = []
        # segment by segment: Whoosh's multi-segment column reader comes up short when a segment lacks the column
        for sub, offset in reader.leaf_readers():
            n = sub.doc_count_all()
            values = list(sub.column_reader(name)) if sub.has_column(name) else []
            out.extend((values + [None] * n)[:n])
        return out

    def _load_tables(self) -> None:
        reader = self.searcher.reader()
        n = reader.doc_count_all()
        live = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
        rid = self._column("rid")
        slots_col = self._column("slots")
        year_col = self._column("year")
        facet_cols = {name: self._column(name) for name in FACET_COLUMNS}
        self._version = self._column("version")
        # every segment's display column opened now, while the generation surely exists (a writer removes
        # generations two commits old), and not in the first search that shows a report of that segment
        self._display = [(offset, sub.column_reader("display") if sub.has_column("display") else None)
                         for sub, offset in reader.leaf_readers()]
        self._display_starts = [offset for offset, _ in self._display]

        self.report_ids = [rid[d] for d in live]
        self.report_doc = live
        nr = self.n_reports = len(live)
        self.doc_report = np.full(n, -1, dtype=np.int64)
        self.doc_report[live] = np.arange(nr)
        canon, length, hlen, owner, base = [], [], [], [], []
        for r, d in enumerate(live):
            slots = json.loads(slots_col[d] or b"[]") or [["", 0, 0]]
            base.append(len(canon))
            for c, ln, hl in slots:
                canon.append(_CANON_INDEX.get(c, _CANON_INDEX["unclassified"]) if c else -1)
                length.append(ln)
                hlen.append(hl)
                owner.append(r)
        self.report_slot_base = np.asarray(base, dtype=np.int64)
        self.report_slot_count = np.diff(np.append(self.report_slot_base, len(canon)))
        self.slot_report = np.asarray(owner, dtype=np.int64)
        self.slot_canon = np.asarray(canon, dtype=np.int64)
        self.slot_length = np.asarray(length, dtype=np.float64)
        self.slot_hlen = np.asarray(hlen, dtype=np.int64)
        self.slot_is_title = self.slot_canon < 0
        self.slot_is_section = ~self.slot_is_title
        # (report, section kind) as one index into a flat reports × kinds array (title slots: kind 0, unused)
        self.slot_report_kind = self.slot_report * len(CANONICALS) + np.maximum(self.slot_canon, 0)
        self.has_section = np.zeros((nr, len(CANONICALS)), dtype=bool)
        sec = self.slot_is_section
        self.has_section[self.slot_report[sec], self.slot_canon[sec]] = True
        years = np.asarray([year_col[d] or 0 for d in live], dtype=np.int64)
        # NUMERIC columns give a default for missing values: a year outside 1900–2200 means "no year"
        self.year = np.where((years > 1900) & (years < 2200), years, 0)
        self.year_values, self.year_code = np.unique(np.append(self.year, 0), return_inverse=True)  # 0 first
        self.year_values, self.year_code = self.year_values.tolist(), self.year_code[:-1]
        self.facet_values: dict[str, list[str]] = {}
        self.facet_codes: dict[str, np.ndarray] = {}
        self.facet_rank: dict[str, np.ndarray] = {}
        for name, col in facet_cols.items():
            values: dict[str, int] = {}
            codes = np.full(nr, -1, dtype=np.int64)
            for r, d in enumerate(live):
                v = col[d]
                if v:
                    codes[r] = values.setdefault(v, len(values))
            self.facet_values[name] = list(values)
            # each value's place in code point order: facet lists sort by (-count, value) with numpy
            rank = np.empty(len(values), dtype=np.int64)
            rank[sorted(range(len(values)), key=self.facet_values[name].__getitem__)] = np.arange(len(values))
            self.facet_rank[name] = rank
            self.facet_codes[name] = codes
        warn_col = self._column("warnings")
        codes_of = [(warn_col[d] or b"").decode("utf-8").split() for d in live]
        self.warning_values = sorted({c for codes in codes_of for c in codes})
        index_of = {c: i for i, c in enumerate(self.warning_values)}
        self.has_warning = np.zeros((nr, len(self.warning_values)), dtype=bool)
        for r, codes in enumerate(codes_of):
            for c in codes:
                self.has_warning[r, index_of[c]] = True
        self._field_values: dict[str, np.ndarray] = {}
        avg = self.slot_length[sec].mean() if sec.any() else 1.0
        self.avg_length = max(float(avg), 1.0)
        # BM25F per slot: the length normalisation and the field weight (title ×3; a heading hit ×2 per hit)
        self.slot_norm = _K1 * (1 - _B + _B * self.slot_length / self.avg_length)
        self.slot_weight = np.where(self.slot_is_title, _TITLE_WEIGHT, 1.0)

    def versions(self) -> dict[str, str]:
        return {rid: (self._version[d] or b"").decode("ascii") for rid, d in zip(self.report_ids, self.report_doc)}

    # -- matching --------------------------------------------------------------------------------------------------

    def leaf(self, text: str) -> _Leaf:
        with self._lock:
            hit = self._leaves.get(text)
            if hit is not None:
                self._leaves.move_to_end(text)
                return hit
            leaf = self._match(text)
            self._leaves[text] = leaf
            if len(self._leaves) > _LEAF_CACHE_SIZE:
                self._leaves.popitem(last=False)
            return leaf

    def _term_infos(self, subs: list, field: str, bterm: bytes) -> tuple[float, list]:
        """(positions of the term in the index, its TermInfo in each segment or None): one lookup per segment
        serves both planning and reading (Whoosh's frequency() and postings() would each look it up again).

        Remembered (LRU): planning a phrase looks up all its bigrams and trigrams in every segment, ~10 µs each
        (2–3 ms for an eight-character phrase over 20 segments), and phrases share their common grams."""
        key = (field, bterm)
        hit = self._infos.get(key)
        if hit is not None:
            self._infos.move_to_end(key)
            return hit
        hit = self._infos[key] = self._lookup_infos(subs, field, bterm)
        if len(self._infos) > _INFO_CACHE_SIZE:
            self._infos.popitem(last=False)
        return hit

    @staticmethod
    def _lookup_infos(subs: list, field: str, bterm: bytes) -> tuple[float, list]:
        infos, total = [], 0.0
        for sub, _offset in subs:
            try:
                info = sub._terms.term_info(field, bterm)
            except TermNotFound:
                info = None
            else:
                total += info.weight()
            infos.append(info)
        return total, infos

    @staticmethod
    def _postings(sub, field: str, info):
        """A matcher over every posting of the term, deleted documents included (their doc_report is -1)."""
        terms = sub._terms
        return terms._codec.postings_reader(terms._postfile, info, sub.schema[field].format)

    @staticmethod
    def _arrays(m) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(docnums, positions per posting, all positions) as uint32 arrays from the whole posting list of
        analysis.CompactCodec blocks: their bytes joined, then numpy over the whole list.  None for a list in
        Whoosh's own layout (a term with a single posting is inlined in the term index)."""
        if not hasattr(m, "compact_block"):
            return None
        blocks = []
        while m.is_active():
            blocks.append(m.compact_block())
            m._next_block()
        if not blocks:
            return _EMPTY_U32, _EMPTY_U32, _EMPTY_U32
        return tuple(np.frombuffer(b"".join(parts), dtype=np.uint32) for parts in zip(*blocks))

    @classmethod
    def _keys(cls, sub, offset: int, field: str, info, docs: np.ndarray | None = None) -> np.ndarray:
        """All positions of a term in one segment as sorted uint64 keys docnum << 32 | position (only in
        ``docs``, sorted docnums, if given).  Reads whole posting blocks of analysis.CompactCodec with numpy,
        skipping blocks that hold none of ``docs``."""
        if info is None:
            return _EMPTY_KEYS
        m = cls._postings(sub, field, info)
        u32, u64 = np.uint32, np.uint64
        if docs is not None and len(docs) * 4 >= sub.doc_count_all():
            docs = None  # not few enough to be worth skipping to
        if not hasattr(m, "compact_block"):  # an inlined single posting, in Whoosh's own layout
            wanted_set = None if docs is None else set(docs.tolist())
            chunks = []
            while m.is_active():
                d = m.id() + offset
                if wanted_set is None or d in wanted_set:
                    chunks.append(np.frombuffer(m.value(), dtype=u32, offset=_INT_SIZE).astype(u64) + u64(d << 32))
                m.next()
            return np.concatenate(chunks) if chunks else _EMPTY_KEYS
        if docs is None:
            ids, counts, positions = cls._arrays(m)
            return _make_keys(ids, counts, positions, offset)
        wanted = docs.astype(np.uint64)
        local = (docs - offset).tolist()
        chunks, ci = [], 0
        while m.is_active():
            if m._maxid < local[ci]:  # no wanted document in this block: do not read it
                m._next_block()
                continue
            keys = _make_keys(*(np.frombuffer(b, dtype=u32) for b in m.compact_block()), offset)
            keys = keys[np.isin(keys >> u64(32), wanted)]
            ci = bisect.bisect_right(local, m._maxid, ci)
            chunks.append(keys)
            if ci == len(local):
                break
            m._next_block()
        return np.concatenate(chunks) if chunks else _EMPTY_KEYS

    @staticmethod
    def _contains(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """Which of ``wanted`` (sorted, unique) are in ``sorted_keys`` (sorted, unique).

        Two ways, whichever costs less: a stable sort of the two runs one after the other is a linear merge
        (timsort), O(m + n), the faster when there are about as many wanted as keys; a binary search for each
        wanted key, O(m log n), touches a few keys per wanted one and wins when the keys are several times more
        — the usual case for a phrase's commonest bigram (measured on the 10k bench index: checking 112 k
        candidates of 依申请公开 against the 2.85 M positions of 公开 took 15.4 ms merged, 5.5 ms searched; at
        n ≈ m the merge is 10–40 % faster)."""
        if not len(sorted_keys):
            return np.zeros(len(wanted), dtype=bool)
        if len(sorted_keys) > _SEARCH_RATIO * len(wanted):
            at = np.searchsorted(sorted_keys, wanted)
            np.minimum(at, len(sorted_keys) - 1, out=at)
            return sorted_keys[at] == wanted
        both = np.concatenate((wanted, sorted_keys))
        order = np.argsort(both, kind="stable")
        ordered = both[order]
        same = np.flatnonzero(ordered[1:] == ordered[:-1])  # an equal pair: the wanted one comes first (stable)
        found = np.zeros(len(wanted), dtype=bool)
        found[order[same]] = True
        return found

    def _match(self, text: str) -> _Leaf:
        """Exact substring occurrences: the positions where the covering grams of ``text`` (bigrams, and trigrams
        of common bigrams) each occur at their offset.

        Phrases are checked over groups of _SEGMENT_GROUP segments: arrays of a few segments stay small enough
        to be reused from the allocator's free memory and the CPU caches (whole-index arrays of millions of keys
        spent most of their time in page faults on this machine), while numpy's cost per call, paid per group,
        stays small (at 20 segments it was most of a short phrase's matching; groups of 4 measured best)."""
        subs = list(self.searcher.reader().leaf_readers())
        if len(text) == 1:
            chosen = [(0, "exact1", self._term_infos(subs, "exact1", text.encode("utf-8"))[1])]
        else:
            grams = [(j, 2) for j in range(len(text) - 1)]
            grams += [(j, 3) for j in range(len(text) - 2) if trigram_indexed(text[j:j + 3])]
            infos = {(j, n): self._term_infos(subs, _GRAM_FIELDS[n], text[j:j + n].encode("utf-8"))
                     for j, n in grams}
            cover = _covering_grams(len(text), [(j, n, infos[j, n][0]) for j, n in grams])
            chosen = [(j, _GRAM_FIELDS[n], infos[j, n][1]) for j, n, _ in cover]
        parts = []
        if len(chosen) == 1:  # one gram: its positions are the occurrences, counted per slot as they are
            _j, field, infos = chosen[0]
            per_slot = (self._term_infos(subs, "exact2s", text.encode("utf-8"))[1]
                        if len(text) == 2 and text in COMMON_BIGRAMS else None)
            for k, (sub, offset) in enumerate(subs):
                if infos[k] is None:
                    continue
                if per_slot is not None and per_slot[k] is not None:  # a bigram: its per-slot entries
                    arrays = self._arrays(self._postings(sub, "exact2s", per_slot[k]))
                    if arrays is not None:
                        parts.append(self._slot_entries(*arrays, offset))
                        continue
                arrays = self._arrays(self._postings(sub, field, infos[k]))
                if arrays is None:  # an inlined single posting
                    starts = self._keys(sub, offset, field, infos[k])
                    if len(starts):
                        parts.append(self._slot_runs(starts))
                elif len(arrays[2]):
                    parts.append(self._gram_runs(*arrays, offset))
        for g in range(0, len(subs) if len(chosen) > 1 else 0, _SEGMENT_GROUP):
            group = list(enumerate(subs))[g:g + _SEGMENT_GROUP]
            # the rarest gram's positions are the candidates; the others are checked at their offsets
            first, field, infos = chosen[0]
            keys = _concat([self._keys(sub, offset, field, infos[k]) for k, (sub, offset) in group])
            if first and len(keys):  # a start before the slot's own text: none
                keys = keys[(keys & np.uint64(_OFFSET_MASK)) >= first]
            starts = keys - np.uint64(first)
            for j, field, infos in chosen[1:]:
                if not len(starts):
                    break
                docs = starts >> np.uint64(32)
                docs = docs[_run_starts(docs)].astype(np.int64)  # starts are sorted
                bounds = np.searchsorted(docs, [offset for _k, (_sub, offset) in group] + [1 << 62])
                keys = _concat([self._keys(sub, offset, field, infos[k], docs[bounds[i]:bounds[i + 1]])
                                for i, (k, (sub, offset)) in enumerate(group) if bounds[i] < bounds[i + 1]])
                starts = starts[self._contains(keys, starts + np.uint64(j))]
            if len(starts):
                parts.append(self._slot_runs(starts))
        if not parts:
            return _Leaf(_EMPTY, np.zeros(0), np.zeros(0, dtype=bool))
        # once for all segments: numpy's cost per call, not per element, is what matters for arrays this small
        return _Leaf(*self._hits(*(np.concatenate(p) for p in zip(*parts)), len(text)))

    @staticmethod
    def _slot_runs(starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sorted occurrence keys (docnum, slot, offset) as runs of one slot: (docnums, slot numbers, offset of
        the first occurrence, occurrences)."""
        first_idx = _run_starts(starts >> np.uint64(SLOT_SHIFT))
        counts = np.diff(np.append(first_idx, len(starts)))
        firsts = starts[first_idx]
        docnums = (firsts >> np.uint64(32)).astype(np.int64)
        slot = ((firsts >> np.uint64(SLOT_SHIFT)) & np.uint64((1 << (32 - SLOT_SHIFT)) - 1)).astype(np.int64)
        return docnums, slot, (firsts & np.uint64(_OFFSET_MASK)).astype(np.int64), counts

    @staticmethod
    def _slot_entries(ids: np.ndarray, counts: np.ndarray, entries: np.ndarray,
                      offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """_slot_runs of a bigram from its analysis.ExactBigramSlotField postings: (slot, first offset) and
        occurrences, two entries per slot."""
        head = entries[0::2]
        docnums = np.repeat(ids.astype(np.int64) + offset, counts // 2)
        return (docnums, (head >> np.uint32(SLOT_SHIFT)).astype(np.int64),
                (head & np.uint32(_OFFSET_MASK)).astype(np.int64), entries[1::2].astype(np.int64))

    @staticmethod
    def _gram_runs(ids: np.ndarray, counts: np.ndarray, positions: np.ndarray,
                   offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """_slot_runs of a query that is a single gram, from its posting arrays (one segment) as they are: the
        runs of one slot within a posting, in uint32 — half the memory traffic of 64-bit keys (公开: 2.85 M
        positions at 10k reports)."""
        slot = positions >> np.uint32(SLOT_SHIFT)
        change = np.empty(len(positions), dtype=bool)
        change[0] = True
        np.not_equal(slot[1:], slot[:-1], out=change[1:])
        ends = np.cumsum(counts, dtype=np.int64)
        change[ends[:-1]] = True  # a new posting (document) starts a new run even in a slot of the same number
        first_idx = np.flatnonzero(change)
        run_counts = np.diff(np.append(first_idx, len(positions)))
        docnums = ids[np.searchsorted(ends, first_idx, side="right")].astype(np.int64) + offset
        return (docnums, slot[first_idx].astype(np.int64),
                (positions[first_idx] & np.uint32(_OFFSET_MASK)).astype(np.int64), run_counts)

    def _hits(self, docnums: np.ndarray, slot: np.ndarray, offset: np.ndarray, counts: np.ndarray,
              n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(global slot ids, occurrences, heading hit) of runs of occurrences in one slot of a document, given by
        docnum, slot number, the first occurrence's offset and the run's length."""
        reports = self.doc_report[docnums]
        ok = reports >= 0  # deleted documents
        ok[ok] = slot[ok] < self.report_slot_count[reports[ok]]
        # report ordinals follow docnums (and segments come in docnum order), so global slot ids come out sorted
        slots = self.report_slot_base[reports[ok]] + slot[ok]
        counts, offset = counts[ok], offset[ok]
        # a heading hit: the first match in the slot lies inside the heading part of a section's exact text
        in_heading = self.slot_is_section[slots] & (offset + n <= self.slot_hlen[slots])
        if n == 1:
            counts = np.ones_like(counts)  # character postings record slots, not occurrences
        return slots, counts.astype(np.float64), in_heading

    def field_values(self, field: str) -> np.ndarray:
        """A numeric field's value for every report (NaN where the report does not give it), for sorting."""
        with self._lock:
            cached = self._field_values.get(field)
            if cached is not None:
                return cached
            values = np.full(self.n_reports, np.nan)
            name = FIELD_PREFIX + field
            if name in self.searcher.schema:
                given = np.fromiter(wq.Every(name).matcher(self.searcher).all_ids(), dtype=np.int64)
                col = self._column(name)
                rows = self.doc_report[given]
                keep = rows >= 0
                values[rows[keep]] = [col[d] for d in given[keep].tolist()]
            self._field_values[field] = values
            return values

    def numeric_docs(self, field: str, r: Range) -> np.ndarray:
        name = FIELD_PREFIX + field
        with self._lock:
            if name not in self.searcher.schema:
                return np.zeros(0, dtype=np.int64)
            q = wq.NumericRange(name, None if math.isinf(r.low) else r.low, None if math.isinf(r.high) else r.high,
                                startexcl=not r.low_inclusive, endexcl=not r.high_inclusive)
            return np.fromiter(q.matcher(self.searcher).all_ids(), dtype=np.int64)

    def stored(self, docnum: int) -> dict:
        """{"meta": …, "sections": […]} of a document (index.report_document)."""
        offset, column = self._display[bisect.bisect_right(self._display_starts, int(docnum)) - 1]
        if column is None:
            return {}
        with self._lock:
            raw = column[int(docnum) - offset]
        return json.loads(raw) if raw else {}


# ---------------------------------------------------------------------------------------------------------------
# Evaluating a query over reports


class _TreeWalk:
    """Boolean evaluation of a query tree into arrays of one shape: AND/OR/NOT here, the leaves in subclasses."""

    shape: tuple[int, ...]

    def __call__(self, node) -> np.ndarray:
        if isinstance(node, And):
            out = np.ones(self.shape, dtype=bool)
            for item in node.items:
                out &= self(item)
            return out
        if isinstance(node, Or):
            out = np.zeros(self.shape, dtype=bool)
            for item in node.items:
                out |= self(item)
            return out
        if isinstance(node, Not):
            return ~self(node.item)
        return self.leaf(node)

    def leaf(self, node) -> np.ndarray:
        raise NotImplementedError


class _Evaluator(_TreeWalk):
    """The query over reports: one bool per report."""

    def __init__(self, snap: Snapshot, sections: np.ndarray | None):
        self.snap = snap
        self.shape = (snap.n_reports,)
        # which documents text may match in: all, or only sections of the allowed kinds (no title then)
        self.allowed = None if sections is None else (snap.slot_is_section & np.isin(snap.slot_canon, sections))

    def docs(self, text: str) -> tuple[_Leaf, np.ndarray | None]:
        """The leaf of a text term and which of its slots count (None: all of them)."""
        leaf = self.snap.leaf(text)
        return leaf, None if self.allowed is None else self.allowed[leaf.docs]

    def leaf(self, node) -> np.ndarray:
        snap = self.snap
        if node is None:
            return np.ones(self.shape, dtype=bool)
        if isinstance(node, Text):
            leaf, keep = self.docs(node.text)
            mask = np.zeros(self.shape, dtype=bool)
            mask[snap.slot_report[leaf.docs if keep is None else leaf.docs[keep]]] = True
            return mask
        if isinstance(node, Filter):
            return filter_mask(snap, node)
        if isinstance(node, Range):
            if node.field == "year":
                return _range_mask(snap.year, node) & (snap.year > 0)
            mask = np.zeros(self.shape, dtype=bool)
            docs = snap.numeric_docs(node.field, node)
            reps = snap.doc_report[docs] if len(docs) else np.zeros(0, dtype=np.int64)
            mask[reps[reps >= 0]] = True
            return mask
        raise QueryError(f"无法理解的查询部分：{node!r}")  # pragma: no cover


class _KindEvaluator(_TreeWalk):
    """The query evaluated for every section kind at once: column c of the (reports × kinds) result is what
    _Evaluator restricted to sections of kind c gives — one pass for the section facet instead of one per kind."""

    def __init__(self, evaluate: _Evaluator):
        self.evaluate = evaluate
        self.snap = evaluate.snap
        self.shape = (self.snap.n_reports, len(CANONICALS))

    def leaf(self, node) -> np.ndarray:
        snap = self.snap
        if isinstance(node, Text):
            leaf = snap.leaf(node.text)
            out = np.zeros(self.shape, dtype=bool)
            out.reshape(-1)[snap.slot_report_kind[leaf.docs[snap.slot_is_section[leaf.docs]]]] = True
            return out
        # filters, ranges (and nothing): the same for every kind
        return np.repeat(self.evaluate(node)[:, None], self.shape[1], axis=1)


def _range_mask(values: np.ndarray, r: Range) -> np.ndarray:
    low = values >= r.low if r.low_inclusive else values > r.low
    high = values <= r.high if r.high_inclusive else values < r.high
    return low & high


def _value_matches(values: list[str], wanted: str) -> list[int]:
    """Codes of facet values a filter value selects: equal, or the value starts with it (甘肃 → 甘肃省)."""
    w = normalize(wanted)
    return [i for i, v in enumerate(values) if normalize(v).startswith(w)]


def filter_mask(snap: Snapshot, node: Filter) -> np.ndarray:
    if node.field == "section":
        return snap.has_section[:, _CANON_INDEX[node.value]].copy()
    if node.field == "warning":  # a code or a family of codes: warning:check → check.*
        return snap.has_warning[:, _value_matches(snap.warning_values, node.value)].any(axis=1)
    codes = _value_matches(snap.facet_values[node.field], node.value)
    return np.isin(snap.facet_codes[node.field], codes)


def _section_restriction(tree, filters: dict[str, list]) -> list[int] | None:
    """Section kinds text must match in: from filters' section values and top-level section: terms of the query
    (a section: term under OR/NOT only asks that the report has such a section)."""
    kinds: set[int] | None = None
    tops = tree.items if isinstance(tree, And) else (tree,)
    query_kinds = {_CANON_INDEX[n.value] for n in tops if isinstance(n, Filter) and n.field == "section"}
    if query_kinds:
        kinds = query_kinds if len(query_kinds) == 1 else set()  # two different kinds at once: nothing matches
    filter_kinds = {_CANON_INDEX[n.value] for n in filters.get("section", [])}
    if filter_kinds:
        kinds = filter_kinds if kinds is None else kinds & filter_kinds
    return None if kinds is None else sorted(kinds)


class _Plan:
    """A parsed query with its filters, evaluated once and reused for results and facets."""

    def __init__(self, snap: Snapshot, query: str, filters: dict[str, list[str]] | None):
        self.snap = snap
        self.tree = parse_query(query)
        self.filters = parse_filters(filters)
        self.terms = list(dict.fromkeys(texts(self.tree))) if self.tree is not None else []
        restriction = _section_restriction(self.tree, self.filters)
        self.evaluate = _Evaluator(snap, None if restriction is None else np.asarray(restriction))
        self.query_mask = self.evaluate(self.tree)
        self.filter_masks = {name: self._filter_mask(name, nodes) for name, nodes in self.filters.items()}
        self.mask = self.query_mask.copy()
        for m in self.filter_masks.values():
            self.mask &= m

    def _filter_mask(self, name: str, nodes: list) -> np.ndarray:
        mask = np.zeros(self.snap.n_reports, dtype=bool)
        for node in nodes:
            mask |= self.evaluate(node)
        return mask

    def facets(self) -> dict[str, list[dict]]:
        snap = self.snap
        out: dict[str, list[dict]] = {}
        for name in FACET_ORDER:
            base = self.query_mask.copy() if name != "section" else None
            others = [m for other, m in self.filter_masks.items() if other != name]
            if name == "section":
                out[name] = self._section_facet(others)
                continue
            for m in others:
                base &= m
            if name == "warning":
                counts = snap.has_warning[base].sum(axis=0).tolist()
                pairs = [(v, c) for v, c in zip(snap.warning_values, counts) if c]
                out[name] = [{"value": v, "count": c} for v, c in sorted(pairs, key=lambda p: (-p[1], p[0]))]
                continue
            if name == "year":
                counts = np.bincount(snap.year_code[base], minlength=len(snap.year_values))
                out[name] = [{"value": str(snap.year_values[i]), "count": int(counts[i])}
                             for i in np.flatnonzero(counts[1:])[::-1] + 1]  # code 0: no year
                continue
            codes = snap.facet_codes[name][base]
            counts = np.bincount(codes[codes >= 0], minlength=len(snap.facet_values[name]))
            nonzero = np.flatnonzero(counts)
            counts = counts[nonzero]
            order = np.lexsort((snap.facet_rank[name][nonzero], -counts))  # by count, then value
            values = snap.facet_values[name]
            out[name] = [{"value": values[i], "count": c}
                         for i, c in zip(nonzero[order].tolist(), counts[order].tolist())]
        return out

    def _section_facet(self, other_masks: list[np.ndarray]) -> list[dict]:
        """Reports that selecting each section kind would give: text matched inside sections of that kind."""
        snap = self.snap
        base = np.ones(snap.n_reports, dtype=bool)
        for m in other_masks:
            base &= m
        query_kinds = _section_restriction(self.tree, {})
        if self.tree is not None:  # (text under NOT too: "NOT 公开" counts sections of a kind without it)
            by_kind = _KindEvaluator(self.evaluate)(self.tree)
        else:
            by_kind = self.query_mask[:, None]
        counts = (by_kind & base[:, None] & snap.has_section).sum(axis=0).tolist()
        out = []
        for c, key in enumerate(CANONICALS):
            if query_kinds is not None and c not in query_kinds:
                continue
            if counts[c]:
                out.append({"value": key, "label": CANONICAL_SECTIONS[key], "count": int(counts[c])})
        return sorted(out, key=lambda d: -d["count"])

    def matched_docs(self) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, scores) of documents holding a positive term in the matched reports (titles included)."""
        snap = self.snap
        all_docs, all_scores = [], []
        n_docs = max(len(snap.slot_report), 1)
        for text in self.terms:
            leaf, keep = self.evaluate.docs(text)
            df = len(leaf.docs)
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            if keep is not None:
                keep &= self.mask[snap.slot_report[leaf.docs]]
            elif self.mask.all():
                keep = None  # every report matches (a common term, no filter): no selection to make
            else:
                keep = self.mask[snap.slot_report[leaf.docs]]
            docs, tf, in_heading = (leaf.docs, leaf.tf, leaf.in_heading) if keep is None else (
                leaf.docs[keep], leaf.tf[keep], leaf.in_heading[keep])
            weight = snap.slot_weight[docs]
            weight[in_heading] = _HEADING_WEIGHT  # (never a title: titles have no heading part)
            all_docs.append(docs)
            all_scores.append(idf * (_K1 + 1) * weight * tf / (tf + snap.slot_norm[docs]))
        if not all_docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if len(all_docs) == 1:  # a leaf's slots are sorted and unique already
            return all_docs[0], all_scores[0]
        docs = np.concatenate(all_docs)
        scores = np.concatenate(all_scores)
        uniq, inverse = np.unique(docs, return_inverse=True)
        return uniq, np.bincount(inverse, weights=scores)


def run_facets(snap: Snapshot | None, query: str = "", *, filters: dict[str, list[str]] | None = None) -> dict:
    if snap is None:
        parse_query(query)
        parse_filters(filters)
        return {name: [] for name in FACET_ORDER}
    return _Plan(snap, query, filters).facets()


def run_ids(snap: Snapshot | None, query: str = "", *, filters: dict[str, list[str]] | None = None) -> list[str]:
    """Ids of every report the query and filters select, oldest year first — for export and compare, which need
    all of them and no snippets."""
    if snap is None:
        parse_query(query)
        parse_filters(filters)
        return []
    reports = np.flatnonzero(_Plan(snap, query, filters).mask)
    years = snap.year[reports]
    order = np.argsort(np.where(years > 0, years, 1 << 30), kind="stable")
    return [snap.report_ids[r] for r in reports[order].tolist()]


def parse_field_sort(sort: str) -> tuple[str, bool] | None:
    """None for the fixed sorts; (field key, descending) for "apply.new.total" / "apply.new.total:desc" /
    "apply.new.total:asc" (FIELDS.md keys).  Raises QueryError for anything else."""
    if sort in SORTS:
        return None
    from indexer.tables.catalogue import FIELD_LABELS

    key, _, direction = sort.partition(":")
    if key in FIELD_LABELS and direction in ("", "desc", "asc"):
        return key, direction != "asc"
    raise QueryError(f"未知的排序方式：{sort}（可用：{', '.join(SORTS)}，或统计字段，如 apply.new.total、"
                     "apply.new.total:asc）")


def run_search(snap: Snapshot | None, query: str = "", *, filters: dict[str, list[str]] | None = None,
               sort: str = "relevance", limit: int = 20, offset: int = 0) -> dict:
    t0 = time.perf_counter()
    if sort == "year":
        sort = "year_desc"
    sort_field = parse_field_sort(sort)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    out = {"query": query, "total": 0, "total_sections": 0, "took_ms": 0,
           "facets": {name: [] for name in FACET_ORDER}, "results": [], "limit": limit, "offset": offset,
           "sort": sort}
    if snap is None:
        parse_query(query)
        parse_filters(filters)
        out["took_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return out
    plan = _Plan(snap, query, filters)
    reports = np.flatnonzero(plan.mask)
    docs, doc_scores = plan.matched_docs()
    section_docs = docs[snap.slot_is_section[docs]]
    out["total"] = int(len(reports))
    out["total_sections"] = int(len(section_docs))
    out["facets"] = plan.facets()

    # report score: best document plus a third of the rest (many matching sections count, but less)
    score = np.zeros(snap.n_reports)
    if len(docs):
        reps = snap.slot_report[docs]  # sorted, as docs are
        best = np.zeros(snap.n_reports)
        first = _run_starts(reps)
        best[reps[first]] = np.maximum.reduceat(doc_scores, first)
        total = np.bincount(reps, weights=doc_scores, minlength=snap.n_reports)
        score = best + (total - best) / 3
    years = snap.year[reports]
    s = score[reports]
    if sort == "relevance" and sort_field is None and plan.terms and offset + limit < len(reports) // 4:
        # only the page is needed: the reports scoring at least the page's last score (ties included), sorted
        k = offset + limit
        floor = np.partition(s, len(s) - k)[len(s) - k] if k else np.inf
        top = np.flatnonzero(s >= floor)
        reports, years, s = reports[top], years[top], s[top]
    if sort_field is not None:  # a table field; reports without it last, then by year
        key, descending = sort_field
        v = snap.field_values(key)[reports]
        missing = np.isnan(v)
        v = np.where(missing, 0.0, -v if descending else v)
        order = np.lexsort((-s, -years, v, missing))
    elif sort == "relevance" and plan.terms:
        order = np.lexsort((-years, -s))
    elif sort == "year_asc":
        order = np.lexsort((-s, np.where(years > 0, years, 1 << 30)))
    else:  # year_desc, and browsing without text
        order = np.lexsort((-s, -years))
    page = reports[order[offset:offset + limit]]
    # each report's slots are one range of global slot ids, and section_docs is sorted: two binary searches each
    base = snap.report_slot_base[page]
    lo = np.searchsorted(section_docs, base)
    hi = np.searchsorted(section_docs, base + snap.report_slot_count[page])
    section_by_report = {int(r): (section_docs[a:b] - (int(b0) + 1)).tolist()
                         for r, a, b, b0 in zip(page.tolist(), lo.tolist(), hi.tolist(), base.tolist())}
    for r in page:
        stored = snap.stored(snap.report_doc[r])
        meta = stored.get("meta") or {}
        sections = stored.get("sections") or []
        hits = []
        for i in section_by_report[int(r)][:_MAX_HITS_PER_REPORT]:
            anchor, heading, canonical, text = sections[i]
            hits.append({"anchor": anchor, "heading": heading, "canonical": canonical,
                         "snippet": make_snippet(text or "", plan.terms, heading=heading or "")})
        out["results"].append({
            "id": snap.report_ids[r], **{k: meta.get(k) for k in (
                "title", "issuer", "province", "city", "county", "year", "level", "body_type", "template",
                "source")},
            "score": round(float(score[r]), 4), "hits": hits,
        })
    out["took_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out
