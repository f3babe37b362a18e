"""The word view: the words of each slot (title, sections) as jieba cuts them (segmenter.py), and how a term is
matched in ``mode=words``.

Index: every word of a slot's exact text (the same normalised text as the exact view, heading and body) at
(slot << SLOT_SHIFT) | its character offset — so a hit knows its section, whether it lies in the heading, and
which words stand next to each other.  Words are stored under a 64-bit hash of the word (16 hex digits): they then
go through the exact view's bulk path (one numpy sort per segment, codec.CompactFieldWriter) instead of Whoosh's
per-token one, which the exact view measured at most of the indexing time.

Match: a slot matches a term when it holds every word of it, in any order.  Its score is BM25F over the words
(each word's idf from the slots holding it, the exact view's slot length normalisation and title/heading weights)
times 1 + ADJACENT_BONUS × the share of the query's neighbouring word pairs that stand next to each other, in the
query's order, in the slot.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from indexer.engine.analysis import EMPTY_CODES, EMPTY_POSITIONS, SLOT_SHIFT, ExactField
from indexer.engine.matching import Leaf, slot_runs, _hits
from indexer.engine.postings import concat, segment_keys
from indexer.engine.ranking import length_norm
from indexer.engine.segmenter import query_words, tokens

FIELD = "words"
ADJACENT_BONUS = 0.5
_K1 = 1.2
_HEADING_WEIGHT = 2.0


def word_code(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")


def word_term(word: str) -> bytes:
    """The word's term in the index."""
    return f"{word_code(word):016x}".encode("ascii")


class WordField(ExactField):
    """The words of the slot texts of a report, at (slot, character offset) positions."""

    @classmethod
    def arrays(cls, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        codes, positions = [EMPTY_CODES], [EMPTY_POSITIONS]
        cache: dict[str, int] = {}
        for slot, text in enumerate(texts):
            toks = tokens(text)
            if not toks:
                continue
            words, offsets = zip(*toks)
            codes.append(np.fromiter((cache[w] if w in cache else cache.setdefault(w, word_code(w))
                                      for w in words), dtype=np.uint64, count=len(words)))
            positions.append(np.asarray(offsets, dtype=np.uint32) + np.uint32(slot << SLOT_SHIFT))
        codes, positions = np.concatenate(codes), np.concatenate(positions)
        order = np.argsort(codes, kind="stable")
        return codes[order], positions[order]

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
                keys = _word_keys(snap, subs, w)
                out[w] = len(_hits(snap, *slot_runs(keys), len(w))[0]) if len(keys) else 0
        return out


def _word_keys(snap, subs: list, word: str) -> np.ndarray:
    """Every occurrence of a word as sorted uint64 keys docnum << 32 | position."""
    infos = snap.term_infos(subs, FIELD, word_term(word))[1]
    return concat([segment_keys(sub, offset, FIELD, infos[k]) for k, (sub, offset) in enumerate(subs)])


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
        keys = _word_keys(snap, subs, w)
        if not len(keys):
            df[w] = 0
            return empty_leaf(words, df)
        slots, tf, in_heading = _hits(snap, *slot_runs(keys), len(w))
        df[w] = len(slots)
        per_word.append((w, keys, slots, tf, in_heading))
        docs = slots if docs is None else np.intersect1d(docs, slots, assume_unique=True)
        if not len(docs):
            return empty_leaf(words, df)
    total_tf = np.zeros(len(docs))
    heading = np.zeros(len(docs), dtype=bool)
    parts = []
    for w, _keys, slots, tf, in_heading in per_word:
        at = np.searchsorted(slots, docs)
        t, h = tf[at], in_heading[at]
        parts.append((w, t, h))
        total_tf += t
        heading |= h
    adjacency = 1 + ADJACENT_BONUS * _adjacent_share(snap, per_word, docs) if len(per_word) > 1 else None
    leaf = WordLeaf(docs, total_tf, heading, None, words, df, parts, adjacency)
    leaf.score = leaf.scored(snap)
    return leaf


def _adjacent_share(snap, per_word: list, docs: np.ndarray) -> np.ndarray:
    """For each slot of ``docs``, the share of the query's neighbouring word pairs (w_i, w_i+1) found with w_i+1
    starting where w_i ends, somewhere in the slot."""
    found = np.zeros(len(docs))
    for (w, keys, *_), (_w2, keys2, *_rest) in zip(per_word, per_word[1:]):
        follow = keys[np.isin(keys + np.uint64(len(w)), keys2)]
        if not len(follow):
            continue
        slots = np.unique(_hits(snap, *slot_runs(follow), len(w))[0])
        found += np.isin(docs, slots)
    return found / (len(per_word) - 1)
