"""How a phrase is matched: the slots (a report's title or one of its sections) whose normalised text contains a
text term exactly, with the term's occurrences there.

A term of n ≥ 2 characters occurs at s exactly when each gram of a covering set of its bigrams and trigrams occurs at
s + the gram's offset (analysis.py); the set with the fewest positions in the index is read, the rarest gram's
positions are the candidates and the others are checked at their offsets with numpy.  A single gram is counted per
slot from its postings as they are (a common bigram, which has no positions: from its per-slot entries); one
character from the bigrams it begins.
"""

from __future__ import annotations

import numpy as np

from indexer.engine.analysis import COMMON_BIGRAMS, SLOT_SHIFT, trigram_indexed

_COMMON = frozenset(COMMON_BIGRAMS)
from indexer.limits import check_budget
from indexer.engine.postings import concat, posting_arrays, postings, segment_keys

_EMPTY = np.zeros(0, dtype=np.int64)
_OFFSET_MASK = (1 << SLOT_SHIFT) - 1
_GRAM_FIELDS = {2: "exact2", 3: "exact3"}
_SEGMENT_GROUP = 4
_SEARCH_RATIO = 3  # contains(): binary search when there are this many times more keys than wanted ones


class Leaf:
    """Where one text term occurs: slots (sorted global slot ids), term frequency, heading-hit flags."""

    __slots__ = ("docs", "tf", "in_heading")

    def __init__(self, docs: np.ndarray, tf: np.ndarray, in_heading: np.ndarray):
        self.docs, self.tf, self.in_heading = docs, tf, in_heading


EMPTY_LEAF = Leaf(_EMPTY, np.zeros(0), np.zeros(0, dtype=bool))


def run_starts(a: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values begins in ``a``."""
    change = np.empty(len(a), dtype=bool)
    if len(a):
        change[0] = True
        np.not_equal(a[1:], a[:-1], out=change[1:])
    return np.flatnonzero(change)


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


def contains(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
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


def common(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The values of ``wanted`` (sorted, unique) that are in ``sorted_keys`` (sorted, unique), in order:
    ``wanted[contains(sorted_keys, wanted)]``, but when the two are of a size, a stable sort of the values of
    both runs (a merge, as in contains()) with no argsort: the values that come twice are those in both.
    Measured on the 10k bench index, 政府信息公开 checks its 982 k candidates against 1.1 M positions of 息公开 in
    14.4 ms this way, 20.4 ms through contains()."""
    if not len(sorted_keys) or len(sorted_keys) > _SEARCH_RATIO * len(wanted):
        return wanted[contains(sorted_keys, wanted)]
    both = np.concatenate((wanted, sorted_keys))
    both.sort(kind="stable")
    later = both[1:]
    return later[later == both[:-1]]


def match(snap, text: str) -> Leaf:
    """Exact substring occurrences in ``snap`` (a snapshot.Snapshot, which calls this and remembers the result): the positions where the covering grams of ``text`` (bigrams, and trigrams
    of common bigrams) each occur at their offset.

    Phrases are checked over groups of _SEGMENT_GROUP segments: arrays of a few segments stay small enough
    to be reused from the allocator's free memory and the CPU caches (whole-index arrays of millions of keys
    spent most of their time in page faults on this machine), while numpy's cost per call, paid per group,
    stays small (at 20 segments it was most of a short phrase's matching; groups of 4 measured best)."""
    subs = list(snap.searcher.reader().leaf_readers())
    if len(text) == 1:
        runs = _char_runs(snap, subs, text)
        return Leaf(*_hits(snap, *runs, 1)) if len(runs[0]) else EMPTY_LEAF
    if text in _COMMON:
        return _common_bigram(snap, subs, text)
    # a common bigram has no positions (analysis.ExactBigramField): trigrams cover it
    grams = [(j, 2) for j in range(len(text) - 1) if text[j:j + 2] not in _COMMON]
    grams += [(j, 3) for j in range(len(text) - 2) if trigram_indexed(text[j:j + 3])]
    infos = {(j, n): snap.term_infos(subs, _GRAM_FIELDS[n], text[j:j + n].encode("utf-8"))
             for j, n in grams}
    cover = covering_grams(len(text), [(j, n, infos[j, n][0]) for j, n in grams])
    chosen = [(j, _GRAM_FIELDS[n], infos[j, n][1]) for j, n, _ in cover]
    parts = []
    if len(chosen) == 1:  # one gram: its positions are the occurrences, counted per slot as they are
        _j, field, infos = chosen[0]
        for k, (sub, offset) in enumerate(subs):
            if infos[k] is None:
                continue
            arrays = posting_arrays(postings(sub, field, infos[k]))
            if arrays is None:  # an inlined single posting
                starts = segment_keys(sub, offset, field, infos[k])
                if len(starts):
                    parts.append(slot_runs(starts))
            elif len(arrays[2]):
                parts.append(gram_runs(*arrays, offset))
    for g in range(0, len(subs) if len(chosen) > 1 else 0, _SEGMENT_GROUP):
        group = list(enumerate(subs))[g:g + _SEGMENT_GROUP]
        # the rarest gram's positions are the candidates; the others are checked at their offsets
        first, field, infos = chosen[0]
        keys = concat([segment_keys(sub, offset, field, infos[k]) for k, (sub, offset) in group])
        if first and len(keys):  # a start before the slot's own text: none
            keys = keys[(keys & np.uint64(_OFFSET_MASK)) >= first]
        starts = keys - np.uint64(first)
        for j, field, infos in chosen[1:]:
            if not len(starts):
                break
            docs = starts >> np.uint64(32)
            docs = docs[run_starts(docs)].astype(np.int64)  # starts are sorted
            bounds = np.searchsorted(docs, [offset for _k, (_sub, offset) in group] + [1 << 62])
            keys = concat([segment_keys(sub, offset, field, infos[k], docs[bounds[i]:bounds[i + 1]])
                           for i, (k, (sub, offset)) in enumerate(group) if bounds[i] < bounds[i + 1]])
            starts = common(keys, starts + np.uint64(j)) - np.uint64(j)
        if len(starts):
            parts.append(slot_runs(starts))
    if not parts:
        return EMPTY_LEAF
    # once for all segments: numpy's cost per call, not per element, is what matters for arrays this small
    return Leaf(*_hits(snap, *(np.concatenate(p) for p in zip(*parts)), len(text)))


def _common_bigram(snap, subs: list, bigram: str) -> Leaf:
    """A common bigram's slots from its per-slot entries (first offset, occurrences: analysis.ExactBigramSlotField)
    — ~130 k slots for 公开 at 10k reports, where its positions would be 2.85 M."""
    runs = _entry_runs(snap, subs, bigram)
    return Leaf(*_hits(snap, *runs, 2)) if len(runs[0]) else EMPTY_LEAF


def _entry_runs(snap, subs: list, bigram: str) -> tuple[np.ndarray, ...]:
    """slot_runs() of a common bigram, from its per-slot entries in every segment."""
    infos = snap.term_infos(subs, "exact2s", bigram.encode("utf-8"))[1]
    parts = []
    for k, (sub, offset) in enumerate(subs):
        if infos[k] is None:
            continue
        arrays = posting_arrays(postings(sub, "exact2s", infos[k]))
        if arrays is not None:
            parts.append(slot_entries(*arrays, offset))
            continue
        # an inlined single posting: its (first offset, occurrences) pairs as keys, in order
        keys = segment_keys(sub, offset, "exact2s", infos[k]).astype(np.int64)
        head, low = keys[0::2], np.int64(0xFFFFFFFF)
        parts.append((head >> 32, (head & low) >> SLOT_SHIFT, head & _OFFSET_MASK, keys[1::2] & low))
    return tuple(np.concatenate(p) for p in zip(*parts)) if parts else (_EMPTY,) * 4


def _char_runs(snap, subs: list, char: str) -> tuple[np.ndarray, ...]:
    """slot_runs() of one character: the positions of the bigrams it begins (analysis.SLOT_END makes a slot's
    last character begin one too), with the per-slot entries of the common bigrams it begins, added up."""
    prefix = char.encode("utf-8")
    terms = sorted({bytes(t) if not isinstance(t, str) else t.encode("utf-8")
                    for sub, _ in subs for t in sub.expand_prefix(_GRAM_FIELDS[2], prefix)})
    keys = []
    for bterm in terms:
        check_budget()  # a common character begins hundreds of bigrams: a request's time limit still holds
        infos = snap.term_infos(subs, _GRAM_FIELDS[2], bterm)[1]
        keys += [segment_keys(sub, offset, _GRAM_FIELDS[2], infos[k]) for k, (sub, offset) in enumerate(subs)
                 if infos[k] is not None]
    # stable: a merge sort, fast over what it is — one sorted run per bigram
    runs = [slot_runs(np.sort(concat(keys), kind="stable"))] if keys else []
    runs += [r for r in (_entry_runs(snap, subs, g) for g in COMMON_BIGRAMS if g[0] == char) if len(r[0])]
    if len(runs) == 1:
        return runs[0]
    if not runs:
        return (_EMPTY,) * 4
    docnums, slot, offset, counts = (np.concatenate(p) for p in zip(*runs))
    order = np.lexsort((offset, slot, docnums))  # per slot, the earliest occurrence first
    docnums, slot, offset, counts = docnums[order], slot[order], offset[order], counts[order]
    first = np.flatnonzero(np.r_[True, (docnums[1:] != docnums[:-1]) | (slot[1:] != slot[:-1])])
    return docnums[first], slot[first], offset[first], np.add.reduceat(counts, first)


def slot_runs(starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted occurrence keys (docnum, slot, offset) as runs of one slot: (docnums, slot numbers, offset of
    the first occurrence, occurrences)."""
    first_idx = run_starts(starts >> np.uint64(SLOT_SHIFT))
    counts = np.diff(np.append(first_idx, len(starts)))
    firsts = starts[first_idx]
    docnums = (firsts >> np.uint64(32)).astype(np.int64)
    slot = ((firsts >> np.uint64(SLOT_SHIFT)) & np.uint64((1 << (32 - SLOT_SHIFT)) - 1)).astype(np.int64)
    return docnums, slot, (firsts & np.uint64(_OFFSET_MASK)).astype(np.int64), counts


def slot_entries(ids: np.ndarray, counts: np.ndarray, entries: np.ndarray,
                 offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """slot_runs() of a bigram from its analysis.ExactBigramSlotField postings: (slot, first offset) and
    occurrences, two entries per slot."""
    head = entries[0::2]
    docnums = np.repeat(ids.astype(np.int64) + offset, counts // 2)
    return (docnums, (head >> np.uint32(SLOT_SHIFT)).astype(np.int64),
            (head & np.uint32(_OFFSET_MASK)).astype(np.int64), entries[1::2].astype(np.int64))


def gram_runs(ids: np.ndarray, counts: np.ndarray, positions: np.ndarray,
              offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """slot_runs() of a query that is a single gram, from its posting arrays (one segment) as they are: the
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


def _hits(snap, docnums: np.ndarray, slot: np.ndarray, offset: np.ndarray, counts: np.ndarray,
          n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(global slot ids, occurrences, heading hit) of runs of occurrences in one slot of a document, given by
    docnum, slot number, the first occurrence's offset and the run's length."""
    reports = snap.doc_report[docnums]
    ok = reports >= 0  # deleted documents
    if not ok.all():
        reports, slot, offset, counts = reports[ok], slot[ok], offset[ok], counts[ok]
    ok = slot < snap.report_slot_count[reports]  # (a slot number past the report's slots: none, as a rule)
    if not ok.all():
        reports, slot, offset, counts = reports[ok], slot[ok], offset[ok], counts[ok]
    # report ordinals follow docnums (and segments come in docnum order), so global slot ids come out sorted
    slots = snap.report_slot_base[reports] + slot
    # a heading hit: the first match in the slot lies inside the heading part of a section's exact text
    in_heading = snap.slot_is_section[slots] & (offset + n <= snap.slot_hlen[slots])
    return slots, counts.astype(np.float64), in_heading
