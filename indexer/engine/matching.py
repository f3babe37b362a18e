"""How a phrase is matched: the slots (a report's title or one of its sections) whose normalised text contains a
text term exactly, with the term's occurrences there.

A term of n ≥ 2 characters occurs at s exactly when each gram of a covering set of its bigrams and trigrams occurs at
s + the gram's offset (analysis.py); the set with the fewest positions in the index is read, the rarest gram's
positions are the candidates and the others are checked at their offsets, posting by posting, in compiled loops
(packing.block_followed), on all cores for a phrase with many candidates.  A single gram is counted per
slot from its postings as they are (a common bigram, which has no positions: from its per-slot entries); one
character from the bigrams it begins.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
from numba import njit

from indexer.engine.analysis import COMMON_BIGRAMS, SLOT_SHIFT, trigram_indexed

_COMMON = frozenset(COMMON_BIGRAMS)
from indexer.limits import check_budget
from indexer.engine.postings import followed, term_keys, term_segments

_EMPTY = np.zeros(0, dtype=np.int64)
_OFFSET_MASK = (1 << SLOT_SHIFT) - 1
_GRAM_FIELDS = {2: "exact2", 3: "exact3"}
_CHUNK_POSITIONS = 400_000  # candidates per range of documents a term is matched over (_in_ranges), at most
_SPLIT_CANDIDATES = 40_000  # from this many candidates on, a term is matched over as many ranges as cores at least
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
_SEARCHING = 0  # searches running now, by all threads (searching())


class Leaf:
    """Where one text term occurs: slots (sorted global slot ids), term frequency, heading-hit flags."""

    __slots__ = ("docs", "tf", "in_heading")

    def __init__(self, docs: np.ndarray, tf: np.ndarray, in_heading: np.ndarray):
        self.docs, self.tf, self.in_heading = docs, tf, in_heading


EMPTY_LEAF = Leaf(_EMPTY, np.zeros(0), np.zeros(0, dtype=bool))


@njit(cache=True, nogil=True)
def slots_reports(slots, slot_report, n_reports):
    """The reports holding any of ``slots``, as a mask (numpy's scatter through a gathered index took 4× as long)."""
    mask = np.zeros(n_reports, dtype=np.bool_)
    for s in slots:
        mask[slot_report[s]] = True
    return mask


@njit(cache=True, nogil=True)
def slots_in(slots, slot_report, mask):
    """For each of ``slots``: whether its report is in ``mask``."""
    out = np.empty(len(slots), dtype=np.bool_)
    for i in range(len(slots)):
        out[i] = mask[slot_report[slots[i]]]
    return out


def covering_grams(n: int, grams: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
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


def match(snap, text: str) -> Leaf:
    """Exact substring occurrences in ``snap`` (a snapshot.Snapshot, which calls this and remembers the result):
    the positions where the covering grams of ``text`` (bigrams, and trigrams of common bigrams) each occur at
    their offset."""
    subs = list(snap.searcher.reader().leaf_readers())
    if len(text) == 1:
        return _char_leaf(snap, subs, text)
    if text in _COMMON:
        return _common_bigram(snap, subs, text)
    # a common bigram has no positions (analysis.ExactBigramField): trigrams cover it
    grams = [(j, 2) for j in range(len(text) - 1) if text[j:j + 2] not in _COMMON]
    grams += [(j, 3) for j in range(len(text) - 2) if trigram_indexed(text[j:j + 3])]
    infos = {(j, n): snap.term_infos(subs, _GRAM_FIELDS[n], text[j:j + n].encode("utf-8"))
             for j, n in grams}
    cover = covering_grams(len(text), [(j, n, infos[j, n][0]) for j, n in grams])
    chosen = [(j, _GRAM_FIELDS[n], term_segments(subs, infos[j, n][1])) for j, n, _ in cover]
    n = len(text)

    def hits(lo: int, hi: int):
        """The rarest gram's positions are the candidates, the others are checked at their offsets (one gram:
        its positions are the occurrences, counted per slot as they are)."""
        first, field, segments = chosen[0]
        starts = term_keys(segments, field, first=first, docs=(lo, hi))  # (none before the slot's text)
        for j, field, segments in chosen[1:]:
            if not len(starts):
                break
            starts = followed(segments, field, starts, j)
        return key_hits(snap, starts, n) if len(starts) else None

    return _leaf(_in_ranges(subs, cover[0][2], hits))


def _leaf(hits: list) -> Leaf:
    """The Leaf of _hits() made per range of documents, in docnum order."""
    if not hits:
        return EMPTY_LEAF
    return Leaf(*(p[0] if len(p) == 1 else np.concatenate(p) for p in zip(*hits)))


def _in_ranges(subs: list, candidates: float, hits) -> list:
    """``hits(lo, hi)`` (None for none) over ranges of docnums lo <= d < hi, in order.  One range, or, for a term
    with many candidates, about _CHUNK_POSITIONS candidates a range and — when no other search runs meanwhile — a
    range per core at least: the first on this thread, the others on the pool's (the compiled loops run without
    the GIL).  One search of a common phrase so uses both cores of an idle server, and each range's arrays stay
    small enough for the CPU caches and the allocator's free memory (whole-index arrays of millions of keys spent
    most of their time in page faults).  This thread takes a range itself because waking a pool thread in a VM is
    slow: with both ranges on the pool, whole searches were ~5 % slower than with one range (行政复议 +29 %); as
    here, 政策解读 (76 k candidates at 10k reports) matched in 1.08 ms against 1.71 (bench/README.md)."""
    n_docs = sum(sub.doc_count_all() for sub, _offset in subs)
    chunks = max(1, min(n_docs, _ranges(candidates, alone=_SEARCHING <= 1)))
    bounds = [n_docs * c // chunks for c in range(chunks + 1)]
    later = [pool().submit(hits, lo, hi) for lo, hi in zip(bounds[1:-1], bounds[2:])]
    done = [hits(bounds[0], bounds[1])] + [f.result() for f in later]
    return [r for r in done if r is not None]


@contextmanager
def searching():
    """Around a search, its ids or its facets (results.run_search, run_ids, run_facets: what the embedded index
    and each shard actor answer with): while another runs, this one's terms are not split over the cores
    (_in_ranges) — searches at once keep the cores busy already, and splitting theirs too would only add
    hand-overs (bench/README.md: the searches a second of two and four threads searching at once)."""
    global _SEARCHING
    with _POOL_LOCK:
        _SEARCHING += 1
    try:
        yield
    finally:
        with _POOL_LOCK:
            _SEARCHING -= 1


def _ranges(candidates: float, alone: bool = True) -> int:
    """How many ranges of documents a term with this many candidates is matched over (_in_ranges); ``alone``: no
    other search is running meanwhile."""
    chunks = round(candidates / _CHUNK_POSITIONS)
    return max(chunks, os.cpu_count() or 1) if alone and candidates >= _SPLIT_CANDIDATES else max(chunks, 1)


def pool() -> ThreadPoolExecutor:
    """The threads, one per core, that run compiled loops beside a search's Python: a phrase's ranges of
    documents, the facet counts (facets.count_later)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="nianbao-match")
        return _POOL


def _common_bigram(snap, subs: list, bigram: str) -> Leaf:
    """A common bigram's slots from its per-slot entries (first offset, occurrences: analysis.ExactBigramSlotField)
    — ~130 k slots for 公开 at 10k reports, where its positions would be 2.85 M."""
    total, infos = snap.term_infos(subs, "exact2s", bigram.encode("utf-8"))
    segments = term_segments(subs, infos)

    def hits(lo: int, hi: int):
        keys = term_keys(segments, "exact2s", docs=(lo, hi))
        return _hits(snap, *_entry_keys_runs(keys), 2) if len(keys) else None

    return _leaf(_in_ranges(subs, total, hits))


@njit(cache=True, nogil=True)
def _entry_keys_runs(keys):
    """slot_runs() of the keys of per-slot entries: each slot's (slot << SLOT_SHIFT | first offset) key, then its
    occurrences'."""
    runs = len(keys) // 2
    docnums, slot = np.empty(runs, dtype=np.int64), np.empty(runs, dtype=np.int64)
    offset, counts = np.empty(runs, dtype=np.int64), np.empty(runs, dtype=np.int64)
    for j in range(runs):
        docnums[j], slot[j], offset[j] = _key_parts(keys[2 * j])
        counts[j] = np.int64(keys[2 * j + 1]) & 0xFFFFFFFF
    return docnums, slot, offset, counts


def _char_leaf(snap, subs: list, char: str) -> Leaf:
    """The Leaf of one character: the positions of the bigrams it begins (analysis.SLOT_END makes a slot's last
    character begin one too), with the per-slot entries of the common bigrams it begins, added up slot by slot in
    a table of every slot (_add_keys) — where sorting all the bigrams' positions took 0.13 s for 开 at 10k
    reports (bench/README.md)."""
    prefix = char.encode("utf-8")
    n_slots = len(snap.slot_report)
    counts = np.zeros(n_slots, dtype=np.int32)
    first = np.full(n_slots, _OFFSET_MASK, dtype=np.int32)  # each slot's earliest offset (for the heading hit)
    tables = (counts, first, snap.doc_report, snap.report_slot_count, snap.report_slot_base)
    for bterm in sorted(snap.expand_prefix(subs, _GRAM_FIELDS[2], prefix)):
        check_budget()  # a common character begins hundreds of bigrams: a request's time limit still holds
        infos = snap.term_infos(subs, _GRAM_FIELDS[2], bterm)[1]
        _add_keys(term_keys(term_segments(subs, infos), _GRAM_FIELDS[2]), False, *tables)
    for bigram in COMMON_BIGRAMS:
        if bigram[0] == char:
            infos = snap.term_infos(subs, "exact2s", bigram.encode("utf-8"))[1]
            _add_keys(term_keys(term_segments(subs, infos), "exact2s"), True, *tables)
    slots = np.flatnonzero(counts)
    if not len(slots):
        return EMPTY_LEAF
    in_heading = snap.slot_is_section[slots] & (first[slots] + 1 <= snap.slot_hlen[slots])
    return Leaf(slots, counts[slots].astype(np.float64), in_heading)


@njit(cache=True, nogil=True)
def _add_keys(keys, entries, counts, first, doc_report, report_slot_count, report_slot_base):
    """Adds occurrence keys (or, with ``entries``, a common bigram's per-slot entries: a key, then its
    occurrences) to ``counts`` and ``first`` by global slot id, leaving out deleted documents (doc_report -1) and
    slots past a report's (none, as a rule)."""
    step = 2 if entries else 1
    for j in range(0, len(keys) - step + 1, step):
        docnum, slot, offset = _key_parts(keys[j])
        r = doc_report[docnum]
        if r < 0 or slot >= report_slot_count[r]:
            continue
        g = report_slot_base[r] + slot
        counts[g] += np.int64(keys[j + 1]) & 0xFFFFFFFF if entries else 1
        first[g] = min(first[g], offset)


@njit(cache=True, nogil=True, inline="always")
def _key_parts(key):
    """(docnum, slot number, offset in the slot) of a uint64 key docnum << 32 | slot << SLOT_SHIFT | offset."""
    return (np.int64(key >> np.uint64(32)), np.int64(key >> np.uint64(SLOT_SHIFT)) & ((1 << (32 - SLOT_SHIFT)) - 1),
            np.int64(key) & _OFFSET_MASK)


@njit(cache=True, nogil=True)
def _run_begins(starts):
    """Where each run of keys of one slot begins in ``starts``, with len(starts) after the last: found without a
    branch per key (a phrase's runs are one or two keys long, and a branch on each run's end was mispredicted half
    the time)."""
    shift = np.uint64(SLOT_SHIFT)
    begins = np.empty(len(starts) + 1, dtype=np.int64)
    runs = 0
    for i in range(len(starts)):
        begins[runs] = i  # (overwritten until a run begins here)
        runs += i == 0 or starts[i] >> shift != starts[i - 1] >> shift
    begins[runs] = len(starts)
    return begins[:runs + 1]


def _hits(snap, docnums: np.ndarray, slot: np.ndarray, offset: np.ndarray, counts: np.ndarray,
          n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(global slot ids, occurrences, heading hit) of runs of occurrences in one slot of a document, given by
    docnum, slot number, the first occurrence's offset and the run's length: runs in deleted documents (their
    doc_report is -1) or past a report's slots (none, as a rule) left out.  Report ordinals follow docnums (and
    segments come in docnum order), so the global slot ids come out sorted.  A heading hit: the first match in
    the slot lies inside the heading part of a section's exact text."""
    return _hit_arrays(docnums, slot, offset, counts, n, snap.doc_report, snap.report_slot_count,
                       snap.report_slot_base, snap.slot_is_section, snap.slot_hlen)


@njit(cache=True, nogil=True)
def _hit_arrays(docnums, slot, offset, counts, n, doc_report, report_slot_count, report_slot_base,
                slot_is_section, slot_hlen):
    slots, tf = np.empty(len(docnums), dtype=np.int64), np.empty(len(docnums), dtype=np.float64)
    in_heading = np.empty(len(docnums), dtype=np.bool_)
    k = 0
    for i in range(len(docnums)):
        r = doc_report[docnums[i]]
        if r < 0 or slot[i] >= report_slot_count[r]:
            continue
        g = report_slot_base[r] + slot[i]
        slots[k], tf[k] = g, counts[i]
        in_heading[k] = slot_is_section[g] and offset[i] + n <= slot_hlen[g]
        k += 1
    return slots[:k], tf[:k], in_heading[:k]


def key_hits(snap, starts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_hits() of sorted occurrence keys, in one compiled pass (slot_runs() then _hits() took two, with
    intermediate arrays)."""
    return _key_hit_arrays(starts, n, snap.doc_report, snap.report_slot_count, snap.report_slot_base,
                           snap.slot_is_section, snap.slot_hlen)


@njit(cache=True, nogil=True)
def _key_hit_arrays(starts, n, doc_report, report_slot_count, report_slot_base, slot_is_section, slot_hlen):
    begins = _run_begins(starts)
    runs = len(begins) - 1
    slots, tf = np.empty(runs, dtype=np.int64), np.empty(runs, dtype=np.float64)
    in_heading = np.empty(runs, dtype=np.bool_)
    k = 0
    for j in range(runs):
        docnum, slot, offset = _key_parts(starts[begins[j]])
        r = doc_report[docnum]
        if r >= 0 and slot < report_slot_count[r]:
            g = report_slot_base[r] + slot
            slots[k], tf[k] = g, begins[j + 1] - begins[j]
            in_heading[k] = slot_is_section[g] and offset + n <= slot_hlen[g]
            k += 1
    return slots[:k], tf[:k], in_heading[:k]
