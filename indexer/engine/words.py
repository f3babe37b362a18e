"""The word view: the words of each slot (title, sections) as jieba cuts them (segmenter.py), and how a term is
matched in ``mode=words``.

Index: for every word of a slot's exact text (the same normalised text as the exact view, heading and body), one
entry per slot holding it — ``(slot << SLOT_SHIFT) | occurrences << 1 | heading hit`` (its first occurrence lies
in the section's heading) — not a position per occurrence: word mode asks which slots hold a word, how often and
whether in the heading, and nothing else needs the offsets.  At 1k synthetic reports this field took 14.6 MB with
a position per occurrence (5.6 M) and 4.6 MB so (3.3 M entries).  Words are stored under a 64-bit hash of the
word (16 hex digits): they then go through the exact view's bulk path (one numpy sort per segment,
codec.CompactFieldWriter) instead of Whoosh's per-token one, which the exact view measured at most of the indexing
time.

Match: a slot matches a term when it holds every word of it, in any order.  Its score is BM25F over the words
(each word's idf from the slots holding it, the exact view's slot length normalisation and title/heading weights)
times 1 + ADJACENT_BONUS × the share of the query's neighbouring word pairs that stand next to each other, in the
query's order, in the slot: the pair written together (w_i + w_i+1) found there by the exact view.
"""

from __future__ import annotations

import hashlib
import math
from functools import lru_cache

import numpy as np

from indexer.engine.analysis import EMPTY_CODES, EMPTY_POSITIONS, MAX_SLOTS, SLOT_SHIFT, ExactField, slot_texts
from indexer.engine.postings import term_keys, term_segments
from indexer.engine.matching import Leaf
from indexer.engine.ranking import length_norm
from indexer.engine.segmenter import query_words, word_counts, words_within

FIELD = "words"
ADJACENT_BONUS = 0.5
_K1 = 1.2
_HEADING_WEIGHT = 2.0
_MAX_COUNT = (1 << (SLOT_SHIFT - 1)) - 1  # occurrences in one slot, as an entry holds them


@lru_cache(maxsize=1 << 17)  # (a report's words are mostly the collection's common ones: one hash each)
def word_code(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")


def word_term(word: str) -> bytes:
    """The word's term in the index."""
    return f"{word_code(word):016x}".encode("ascii")


class WordSlots(list):
    """What the word view indexes of a report: its slot texts (a list, as the exact view's fields take them) and
    the length of each slot's heading part (0 for the title), to tell heading hits."""

    def __init__(self, texts: list[str], heading_lengths: list[int]):
        super().__init__(texts)
        self.heading_lengths = list(heading_lengths)


class WordField(ExactField):
    """The words of the slot texts of a report: one entry per (word, slot), see the module docstring."""

    def value_arrays(self, value) -> tuple[np.ndarray, np.ndarray]:
        return self.arrays(value)  # a WordSlots: arrays() needs its heading lengths too

    @classmethod
    def arrays(cls, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(word codes, entries) of a report's slot texts (a WordSlots, or a plain list: no heading hits), slot
        after slot (the segment writer sorts them by code, stably: ExactField.arrays)."""
        hlens = list(getattr(texts, "heading_lengths", ()))[:MAX_SLOTS]
        texts = slot_texts(list(texts))
        # the slots' words, counts and heading hits in lists, made arrays once: a report's ~13 slots each made
        # their own arrays with ten numpy calls
        words: list[str] = []
        counts: list[int] = []
        hits: list[bool] = []
        slots: list[int] = []
        sizes: list[int] = []
        for slot, text in enumerate(texts):
            count = word_counts(text)
            if not count:
                continue
            words.extend(count)
            counts.extend(count.values())
            # a heading hit: the word's first occurrence lies in the heading, i.e. one occurrence does
            heading = words_within(text, hlens[slot] if slot < len(hlens) else 0)
            hits.extend(map(heading.__contains__, count) if heading else [False] * len(count))
            slots.append(slot)
            sizes.append(len(count))
        if not words:
            return EMPTY_CODES, EMPTY_POSITIONS
        codes = np.fromiter(map(word_code, words), dtype=np.uint64, count=len(words))
        n = np.minimum(np.array(counts, dtype=np.int64), _MAX_COUNT).astype(np.uint32)
        high = np.repeat(np.array(slots, dtype=np.uint32) << np.uint32(SLOT_SHIFT), sizes)
        return codes, high | (n << np.uint32(1)) | np.array(hits, dtype=np.uint32)

    @staticmethod
    def term(code: int) -> str:  # hex digits of equal length sort like the codes
        return f"{code:016x}"

    @staticmethod
    def code(term: str) -> int:
        return int(term, 16)


class WordLeaf(Leaf):
    """A term matched in the word view: the slots holding all its words, with their BM25F score over the words
    (ranking.slot_scores takes ``score`` as it is) and the words, for snippets.

    It keeps what the score is made of — each word's slot count in this index (``df``: every word read, which is
    all of them unless one was missing), its occurrences and heading hits in the matched slots, the adjacency
    factor — so that a shard of a larger collection can score the same slots with the collection's statistics
    (``scored``)."""

    __slots__ = ("score", "words", "df", "parts", "adjacency")

    def __init__(self, docs, tf, in_heading, score, words, df=None, parts=(), adjacency=None):
        super().__init__(docs, tf, in_heading)
        self.score, self.words = score, words
        self.df = df or {}
        self.parts, self.adjacency = parts, adjacency

    def scored(self, snap, stats=None) -> np.ndarray:
        """The slots' scores: with this index's statistics, or with a ranking.CollectionStats (its ``n_slots``,
        ``avg_length`` and, in words mode, each word's slot count in ``df``)."""
        docs = self.docs
        if stats is None:
            n_slots, df, norm = max(len(snap.slot_report), 1), self.df, snap.slot_norm[docs]
        else:
            n_slots, df, norm = stats.n_slots, stats.df, length_norm(snap.slot_length[docs], stats.avg_length)
        score = np.zeros(len(docs))
        for w, t, h in self.parts:
            idf = math.log(1 + (n_slots - df[w] + 0.5) / (df[w] + 0.5))
            weight = snap.slot_weight[docs].copy()
            weight[h] = _HEADING_WEIGHT
            score += idf * (_K1 + 1) * weight * t / (t + norm)
        if self.adjacency is not None:
            score *= self.adjacency
        return score

    def slot_counts(self, snap) -> dict[str, int]:
        """The slot count of each of the term's words in this index: those ``match`` read, and the others (after
        a word it found missing) read now — a shard's part of the collection statistics (ranking.shard_statistics).
        """
        out = {}
        subs = None
        for w in self.words:
            if w in self.df:
                out[w] = self.df[w]
            elif not snap.n_reports:
                out[w] = 0
            else:
                subs = subs if subs is not None else list(snap.searcher.reader().leaf_readers())
                out[w] = len(word_slots(snap, subs, w)[0])
        return out


def word_slots(snap, subs: list, word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sorted global slot ids, occurrences, heading hit) of the slots holding a word, from its entries."""
    infos = snap.term_infos(subs, FIELD, word_term(word))[1]
    keys = term_keys(term_segments(subs, infos), FIELD)
    docnums = (keys >> np.uint64(32)).astype(np.int64)
    entry = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    slot = entry >> SLOT_SHIFT
    reports = snap.doc_report[docnums]
    ok = reports >= 0  # deleted documents
    ok[ok] = slot[ok] < snap.report_slot_count[reports[ok]]
    # report ordinals follow docnums (and segments come in docnum order), so global slot ids come out sorted
    slots = snap.report_slot_base[reports[ok]] + slot[ok]
    entry = entry[ok]
    tf = ((entry & ((1 << SLOT_SHIFT) - 1)) >> 1).astype(np.float64)
    in_heading = snap.slot_is_section[slots] & (entry & 1).astype(bool)
    return slots, tf, in_heading


def empty_leaf(words: tuple[str, ...] = (), df: dict[str, int] | None = None) -> WordLeaf:
    e = np.zeros(0)
    return WordLeaf(np.zeros(0, dtype=np.int64), e, np.zeros(0, dtype=bool), e, words, df)


def match(snap, text: str) -> WordLeaf:
    """The slots of ``snap`` holding every word of ``text`` (a snapshot.Snapshot calls this and remembers it)."""
    words = query_words(text)
    if not words or not snap.n_reports:
        return empty_leaf(words)
    subs = list(snap.searcher.reader().leaf_readers())
    docs = None
    per_word = []
    df: dict[str, int] = {}
    for w in words:
        slots, tf, in_heading = word_slots(snap, subs, w)
        df[w] = len(slots)
        if not len(slots):
            return empty_leaf(words, df)
        per_word.append((w, slots, tf, in_heading))
        docs = slots if docs is None else np.intersect1d(docs, slots, assume_unique=True)
        if not len(docs):
            return empty_leaf(words, df)
    total_tf = np.zeros(len(docs))
    heading = np.zeros(len(docs), dtype=bool)
    parts = []
    for w, slots, tf, in_heading in per_word:
        at = np.searchsorted(slots, docs)
        t, h = tf[at], in_heading[at]
        parts.append((w, t, h))
        total_tf += t
        heading |= h
    adjacency = 1 + ADJACENT_BONUS * _adjacent_share(snap, words, docs) if len(per_word) > 1 else None
    leaf = WordLeaf(docs, total_tf, heading, None, words, df, parts, adjacency)
    leaf.score = leaf.scored(snap)
    return leaf


def _adjacent_share(snap, words: tuple[str, ...], docs: np.ndarray) -> np.ndarray:
    """For each slot of ``docs``, the share of the query's neighbouring word pairs (w_i, w_i+1) that the slot
    holds written together, w_i + w_i+1 (the exact view's match, remembered by the snapshot)."""
    found = np.zeros(len(docs))
    for w, w2 in zip(words, words[1:]):
        found += np.isin(docs, snap.leaf(w + w2).docs)
    return found / (len(words) - 1)
