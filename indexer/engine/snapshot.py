"""What one published index generation holds in memory: a Whoosh searcher on it, the per-report and per-slot
tables every search needs (read from columns once), the generation's values (the fields kept beside the documents,
schema.VALUE_FIELDS, as arrays like the numeric columns), and the caches of term entries and matched terms.

Every report's title and sections are numbered "slots"; slot_* arrays are indexed by a global slot id
(report_slot_base[r] + slot), which is what matching returns and what hits are made of.  ``EmptySnapshot`` stands
for an index with no generation yet (Whoosh's EmptyReader), so a search of it runs the same code and finds nothing.
"""

from __future__ import annotations

import bisect
import ctypes
import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import orjson

from indexer.engine import matching, postings, words
from indexer.engine.display import Display
from indexer.engine.keywords import WordTable
from indexer.engine.matching import EMPTY_LEAF, Leaf
from indexer.engine.query import Range
from indexer.engine.ranking import slot_factors
from indexer.engine.schema import FACET_COLUMNS, FIELD_PREFIX, VALUE_FIELDS
from indexer.model import CANONICAL_SECTIONS
from indexer.normalize import normalize

# a slot's section kind is coded as its index here (slot_canon; -1 for a title)
CANONICALS = tuple(CANONICAL_SECTIONS)
CANON_INDEX = {c: i for i, c in enumerate(CANONICALS)}

VALUES_FILE = "VALUES.json"  # in each generation: the values of schema.VALUE_FIELDS by report id (index.py)
_LEAF_CACHE_SIZE = 256
_INFO_CACHE_SIZE = 2048  # (field, gram) → a TermInfo per segment: a few KB each


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


def read_values(generation: Path) -> dict[str, dict[str, float]]:
    """The values a generation holds: report id → {VALUE_FIELDS key: value} ({} for none)."""
    try:
        return json.loads((generation / VALUES_FILE).read_bytes())
    except FileNotFoundError:
        return {}


class Snapshot:
    """A Whoosh searcher on one generation plus the per-report tables the search needs."""

    def __init__(self, ix, generation: str, values: dict[str, dict[str, float]] | None = None):
        self.generation = generation
        self.ix = ix
        self.searcher = ix.searcher()
        # Whoosh matchers/readers are not meant for concurrent use; reentrant: words.match asks for exact leaves
        self._lock = threading.RLock()
        self._leaves: OrderedDict[str, Leaf] = OrderedDict()
        self._infos: OrderedDict[tuple[str, bytes], tuple[float, list]] = OrderedDict()
        self._values = values or {}  # report id → {VALUE_FIELDS key: value}: the generation's values (index.py)
        self._load_tables()

    @classmethod
    def open(cls, path: Path, generation: str) -> "Snapshot":
        values = read_values(path)  # before the index: a generation removed meanwhile then fails to open (retried)
        return cls(postings.MappedStorage(str(path), readonly=True).open_index(), generation, values)

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
            slots = orjson.loads(slots_col[d] or b"[]") or [["", 0, 0]]
            base.append(len(canon))
            for c, ln, hl in slots:
                canon.append(CANON_INDEX.get(c, CANON_INDEX["unclassified"]) if c else -1)
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
        # (report, section kind) as one index into a flat reports × kinds array; title slots: one past its end
        self.slot_report_kind = np.where(self.slot_is_section, self.slot_report * len(CANONICALS) + self.slot_canon,
                                         nr * len(CANONICALS))
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
        self._issuer_lookup: dict[str, list[int]] | None = None  # issuer_codes()
        self._issuer_id_code: dict[str, int] = {}
        self._normalized: dict[str, list[str]] = {}  # normalized_values()
        warn_col = self._column("warnings")
        codes_of = [(warn_col[d] or b"").decode("utf-8").split() for d in live]
        self.warning_values = sorted({c for codes in codes_of for c in codes})
        index_of = {c: i for i, c in enumerate(self.warning_values)}
        self.has_warning = np.zeros((nr, len(self.warning_values)), dtype=bool)
        for r, codes in enumerate(codes_of):
            for c in codes:
                self.has_warning[r, index_of[c]] = True
        self._field_values: dict[str, np.ndarray] = {}
        self._report_number: dict[str, int] | None = None
        self._load_values()
        self._word_table: WordTable | None = None
        self._derived: dict[str, object] = {}  # derived()
        # BM25F per slot: the length normalisation and the field weight (ranking.py)
        self.avg_length, self.slot_norm, self.slot_weight = slot_factors(
            self.slot_length, self.slot_is_title, self.slot_is_section)

    def _load_values(self) -> None:
        """The generation's values as field_values() arrays (a report without a value: NaN)."""
        arrays = {key: np.full(self.n_reports, np.nan) for key in VALUE_FIELDS}
        number = {r: i for i, r in enumerate(self.report_ids)}
        for rid, fields in self._values.items():
            r = number.get(rid)
            if r is not None:
                for key, value in fields.items():
                    if key in arrays:
                        arrays[key][r] = value
        self._field_values.update(arrays)

    def values(self) -> dict[str, dict[str, float]]:
        """Report id → its values of VALUE_FIELDS, as the generation holds them."""
        return {rid: dict(fields) for rid, fields in self._values.items()}

    def issuer_codes(self, value: str) -> tuple[list[int], list[int]]:
        """(issuer_id codes, issuer name codes) a filter value names: an issuer_id as written, or a formal name
        (compared after normalize())."""
        with self._lock:
            if self._issuer_lookup is None:
                lookup: dict[str, list[int]] = {}
                for code, name in enumerate(self.facet_values["issuer"]):
                    lookup.setdefault(normalize(name), []).append(code)
                self._issuer_lookup = lookup
                self._issuer_id_code = {v: code for code, v in enumerate(self.facet_values["issuer_id"])}
        value = value.strip()
        ids = [self._issuer_id_code[value]] if value in self._issuer_id_code else []
        return ids, self._issuer_lookup.get(normalize(value), [])

    def normalized_values(self, name: str) -> list[str]:
        """normalize() of each value of a facet column ("warning": of each warning code), in code order, for the
        filters that select values by prefix: once per generation (a county filter normalised every county name,
        2,600 of them at 10k reports: 4.7 ms of each search)."""
        with self._lock:
            hit = self._normalized.get(name)
            if hit is None:
                values = self.warning_values if name == "warning" else self.facet_values[name]
                hit = self._normalized[name] = [normalize(v) for v in values]
            return hit

    def versions(self) -> dict[str, str]:
        return {rid: (self._version[d] or b"").decode("ascii") for rid, d in zip(self.report_ids, self.report_doc)}

    def report_number(self, rid: str) -> int | None:
        """The ordinal of a report id in the per-report tables, None when it is not indexed."""
        with self._lock:
            if self._report_number is None:
                self._report_number = {r: i for i, r in enumerate(self.report_ids)}
        return self._report_number.get(rid)

    def word_table(self) -> WordTable:
        """Keywords, 主题词 and TF-IDF vectors of every report (keywords.py), read on first use: the first search,
        report page or similar-reports request after a commit pays for it."""
        with self._lock:
            if self._word_table is None:
                col = self._column("wordstats")
                self._word_table = WordTable([col[d] for d in self.report_doc.tolist()])
            return self._word_table

    def derived(self, key: str, build):
        """A table computed from this generation's tables (e.g. facets.FacetTable), built by ``build()`` on first
        use and kept while the generation is searched."""
        with self._lock:
            if key not in self._derived:
                self._derived[key] = build()
            return self._derived[key]

    # -- matching (matching.py), remembered ------------------------------------------------------------------------

    def leaf(self, text: str, mode: str = "exact") -> Leaf:
        """Where a text term occurs: as an exact substring (matching.py), or mode "words" as all its words in
        one slot (words.py)."""
        key = (mode, text)
        with self._lock:
            hit = self._leaves.get(key)
            if hit is not None:
                self._leaves.move_to_end(key)
                return hit
        if mode == "words":  # (its matchers read the word fields through Whoosh's files, one position each)
            with self._lock:
                leaf = words.match(self, text)
        else:
            # outside the lock: the server's threads match their requests' phrases at once, and one serves its
            # page (display() takes the lock) while another matches.  What matching reads through a file
            # position (the term index) takes the lock; posting blocks are read at offsets of a mapping
            # (postings.MappedStorage).  Two threads matching one term at once both get its leaf.
            leaf = matching.match(self, text)
        with self._lock:
            self._leaves[key] = leaf
            if len(self._leaves) > _LEAF_CACHE_SIZE:
                self._leaves.popitem(last=False)
        return leaf

    def clear_caches(self) -> None:
        """Forget remembered phrases and term entries (the benchmarks time first searches this way)."""
        with self._lock:
            self._leaves.clear()
            self._infos.clear()

    def term_infos(self, subs: list, field: str, bterm: bytes) -> tuple[float, list]:
        """(positions of the term in the index, its TermInfo in each segment or None): one lookup per segment
        serves both planning and reading (Whoosh's frequency() and postings() would each look it up again).

        Remembered (LRU): planning a phrase looks up all its bigrams and trigrams in every segment, ~10 µs each
        (2–3 ms for an eight-character phrase over 20 segments), and phrases share their common grams."""
        key = (field, bterm)
        with self._lock:  # (the cache's order; and a term index not mapped is read through its file's one position)
            hit = self._infos.get(key)
            if hit is not None:
                self._infos.move_to_end(key)
                return hit
            hit = self._infos[key] = postings.lookup_infos(subs, field, bterm)
            if len(self._infos) > _INFO_CACHE_SIZE:
                self._infos.popitem(last=False)
            return hit

    def expand_prefix(self, subs: list, field: str, prefix: bytes) -> set[bytes]:
        """The terms of ``field`` that begin with ``prefix``, in any segment."""
        with self._lock:  # (as term_infos)
            return {bytes(t) if not isinstance(t, str) else t.encode("utf-8")
                    for sub, _ in subs for t in sub.expand_prefix(field, prefix)}

    # -- fields and stored text ------------------------------------------------------------------------------------

    def field_values(self, field: str) -> np.ndarray:
        """A numeric field's value for every report (NaN where the report does not give it), for filters and
        sorts: its column, read once per generation."""
        with self._lock:
            cached = self._field_values.get(field)
            if cached is not None:
                return cached
            name = FIELD_PREFIX + field
            if name in self.searcher.schema:
                col = np.asarray(self._column(name), dtype=np.float64)  # None (a segment without it) → NaN
                values = col[self.report_doc]
            else:
                values = np.full(self.n_reports, np.nan)
            self._field_values[field] = values
            return values

    def numeric_docs(self, field: str, r: Range) -> np.ndarray:
        """The docnums whose value of this field lies in the range (NaN, a missing value, never does)."""
        values = self.field_values(field)
        with np.errstate(invalid="ignore"):
            return self.report_doc[r.contains_all(values)]

    def display(self, docnum: int) -> Display:
        """The display text of a document (display.py), decompressed as it is read."""
        offset, column = self._display[bisect.bisect_right(self._display_starts, int(docnum)) - 1]
        if column is None:
            return Display(b"")
        with self._lock:
            raw = column[int(docnum) - offset]
        return Display(raw)


# ---------------------------------------------------------------------------------------------------------------
# Evaluating a query over reports


class EmptySnapshot(Snapshot):
    """No generation published yet: no reports, and every table empty."""

    def __init__(self):
        self.generation = None
        self.n_reports = 0
        self.report_ids: list[str] = []
        e64 = np.zeros(0, dtype=np.int64)
        self.report_doc = self.doc_report = self.report_slot_base = self.report_slot_count = e64
        self.slot_report = self.slot_canon = self.slot_hlen = self.slot_report_kind = e64
        self.slot_length = self.slot_norm = self.slot_weight = np.zeros(0)
        self.slot_is_title = self.slot_is_section = np.zeros(0, dtype=bool)
        self.avg_length = 1.0
        self.has_section = np.zeros((0, len(CANONICALS)), dtype=bool)
        self.year, self.year_code, self.year_values = e64, e64, [0]
        self.facet_values = {name: [] for name in FACET_COLUMNS}
        self.facet_codes = {name: e64 for name in FACET_COLUMNS}
        self.facet_rank = {name: e64 for name in FACET_COLUMNS}
        self._issuer_lookup, self._issuer_id_code = {}, {}
        self._normalized = {}
        self.warning_values: list[str] = []
        self.has_warning = np.zeros((0, 0), dtype=bool)
        self._lock = threading.RLock()
        self._report_number = {}
        self._word_table = WordTable([])
        self._derived = {}
        self._values = {}

    def close(self) -> None:
        pass

    def versions(self) -> dict[str, str]:
        return {}

    def leaf(self, text: str, mode: str = "exact") -> Leaf:
        return words.empty_leaf() if mode == "words" else EMPTY_LEAF

    def field_values(self, field: str) -> np.ndarray:
        return np.zeros(0)

    def numeric_docs(self, field: str, r: Range) -> np.ndarray:
        return np.zeros(0, dtype=np.int64)

    def display(self, docnum: int) -> Display:
        return Display(b"")

    def clear_caches(self) -> None:
        pass


EMPTY = EmptySnapshot()
