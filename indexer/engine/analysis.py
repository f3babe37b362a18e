"""The exact-match view of text the index keeps.

Both work on ``normalize(text)``, the matching form also applied to queries.

* Exact view: every pair of adjacent characters (bigram) of the normalised text at its true position, the last
  character paired with an end mark.  A query string q of length n ≥ 2 occurs in a text exactly when the bigrams
  q[0:2], q[1:3], … occur at consecutive positions, so intersecting their positions gives the same set as a
  substring scan — no dictionary, no segmentation, nothing to disagree with Ctrl-F.  n = 1: the character occurs
  wherever a bigram it begins does (the end mark makes that true of a slot's last character too); a field of
  characters' slots for it was 6 % of the index, for queries users rarely type.
  Trigrams are held too where they begin or end with one of the commonest bigrams (COMMON_BIGRAMS): a phrase
  made of common bigrams is then checked with far fewer positions (matching.py picks the cheapest covering set);
  and each common bigram's slots with its count there, for a query that is just that bigram.
* No word view: a jieba segmentation (rjieba, the fastest token-compatible one: ``python -m bench.tokenizers``)
  would cost ~19 % more indexing CPU and ~24 % more postings without changing which reports match; ranking is
  BM25F over the exact view instead (ranking.py; the measurement is in bench/README.md).

The field types below turn a report's normalised texts into numpy arrays of term codes and positions, handed to
Whoosh's writer as one item per report; CompactFieldWriter and CompactCodec (codec.py) turn a segment's items
into posting lists with one numpy sort and store each block as flat uint32 arrays the search reads with numpy.
Whoosh's own path — Token objects per character, then one pool item, sort step and add_posting call per
posting — cost more than everything else in indexing together (bench/README.md has the figures).
"""

from __future__ import annotations

import struct
from array import array
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numba import njit

from whoosh import fields, formats
from whoosh.analysis import Token
from whoosh.system import _INT_SIZE, pack_uint


def bigrams(ntext: str) -> list[str]:
    return [ntext[i:i + 2] for i in range(len(ntext) - 1)]


# ---------------------------------------------------------------------------------------------------------------
# Whoosh plumbing


class CompactPositions(formats.Positions):
    """Positions stored as a raw uint32 array (absolute, not deltas): encoding and decoding are one C call each
    instead of pickling plus a Python loop, and the search reads them with numpy.frombuffer.  The codec packs
    them delta-coded where they ascend within each posting (``ascending``; packing.pack_positions)."""

    ascending = True

    def encode(self, poslist):
        return pack_uint(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring):
        positions = array("I")
        positions.frombytes(valuestring[_INT_SIZE:])
        return positions.tolist()

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]


# One Whoosh document per report: its title and sections are "slots" of the exact view, and a position encodes
# (slot << SLOT_SHIFT) | offset, so a match knows its section while the index holds one posting per distinct bigram
# per report (about half the postings of one document per section — Whoosh's writer cost is per posting).
BULK_TERM = b"\xff"  # never UTF-8: sorts after every real term of the field
EMPTY_CODES = np.zeros(0, dtype=np.uint64)
EMPTY_POSITIONS = np.zeros(0, dtype=np.uint32)
SLOT_SHIFT = 22  # sections up to 4 M characters
MAX_SLOTS = 1 << (32 - SLOT_SHIFT)  # positions are uint32
# every slot's text ends with this mark in the bigram view ("x" + SLOT_END at the last character's offset), so that
# each character begins a bigram and a one-character query is the union of the bigrams it begins; normalize()
# never outputs a newline, so no query matches across it
SLOT_END = "\n"


def slot_texts(texts: list[str]) -> list[str]:
    """Fit a report's texts into MAX_SLOTS slots (surplus sections share the last slot, joined by newlines,
    which normalize() never outputs) with each slot shorter than 2**SLOT_SHIFT."""
    if len(texts) > MAX_SLOTS:
        texts = texts[:MAX_SLOTS - 1] + ["\n".join(texts[MAX_SLOTS - 1:])]
    limit = (1 << SLOT_SHIFT) - 1
    return [t[:limit] for t in texts]


class ExactField(fields.FieldType):
    """A field fed the list of slot texts of a report.  ``index()`` gives Whoosh's writer one item per report
    (term BULK_TERM, value: the report's term codes and positions as arrays) instead of one per term;
    CompactFieldWriter turns them into posting lists with numpy when the segment is written.  ``postings()``
    is the same, one (term, freq, weight, value) per term, as Whoosh fields give it (the reference for tests)."""

    def __init__(self):
        self.format = CompactPositions(field_boost=1.0)
        self.analyzer = _NoAnalyzer()
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    min_length = 2  # the shortest slot text that holds a term

    @classmethod
    def arrays(cls, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(term codes, positions) of a report's slot texts, slot after slot as slot_arrays gives them (a code's
        positions ascending): the segment writer sorts a segment's reports by code at once, stably
        (codec.CompactFieldWriter), which sorting each report first only made dearer."""
        codes, positions = [EMPTY_CODES], [EMPTY_POSITIONS]
        for slot, text in enumerate(texts):
            if len(text) >= cls.min_length:
                c, p = cls.slot_arrays(slot_grams(text), np.uint32(slot << SLOT_SHIFT))
                codes.append(c)
                positions.append(p)
        return np.concatenate(codes), np.concatenate(positions)

    @staticmethod
    def slot_arrays(grams: "SlotGrams", base: np.uint32) -> tuple[np.ndarray, np.ndarray]:
        """(term codes, positions) of one slot from its SlotGrams; ``base`` is the slot's position bits."""
        raise NotImplementedError

    def value_arrays(self, value) -> tuple[np.ndarray, np.ndarray]:
        """(term codes, positions) of the value a document gives this field: its list of slot texts."""
        return self.arrays(slot_texts(list(value)))

    def index(self, value, **kwargs):
        codes, positions = self.value_arrays(value)
        yield BULK_TERM, len(positions), float(len(positions)), (
            pack_uint(len(codes)) + codes.tobytes() + positions.tobytes())

    @staticmethod
    def unpack(value: bytes) -> tuple[np.ndarray, np.ndarray]:
        n = struct.unpack_from("!I", value)[0]
        codes = np.frombuffer(value, dtype=np.uint64, count=n, offset=_INT_SIZE)
        return codes, np.frombuffer(value, dtype=np.uint32, offset=_INT_SIZE + 8 * n)

    def postings(self, value):
        codes, positions = self.value_arrays(value)
        order = np.argsort(codes, kind="stable")
        codes, positions = codes[order], positions[order]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]).tolist() + [len(codes)]
        for a, b in zip(starts, starts[1:]):
            poslist = positions[a:b].tolist()
            yield self.term(int(codes[a])).encode("utf-8"), len(poslist), float(len(poslist)), \
                self.format.encode(poslist)


_SLOT_END_CODE = np.uint64(ord(SLOT_END))


class SlotGrams(NamedTuple):
    """What the exact view's fields make their terms of, for one slot text: its code points, the bigram code at
    each offset (the last character's with SLOT_END) and whether that bigram is a common one (COMMON_BIGRAMS)."""

    cp: np.ndarray
    pairs: np.ndarray
    common: np.ndarray


@lru_cache(maxsize=64)
def slot_grams(text: str) -> SlotGrams:
    """SlotGrams of a slot text, computed once for the three fields that index the same texts one after the
    other."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    pairs = (cp << np.uint64(21)) | np.append(cp[1:], _SLOT_END_CODE)
    return SlotGrams(cp, pairs, _is_common(pairs, _COMMON_CODES))


@njit(cache=True, nogil=True)
def _is_common(pairs, common_codes):
    """Whether each bigram code is one of the sorted ``common_codes`` (np.isin took 16 passes over the codes)."""
    out = np.zeros(len(pairs), dtype=np.bool_)
    for i in range(len(pairs)):
        j = np.searchsorted(common_codes, pairs[i])
        out[i] = j < len(common_codes) and common_codes[j] == pairs[i]
    return out


class ExactBigramField(ExactField):
    """Bigrams of the normalised slot texts at (slot, offset) positions, each text followed by SLOT_END; the
    writer is given the list of texts.  Not the common bigrams (COMMON_BIGRAMS): a phrase of three characters or
    more covers them with trigrams (ExactTrigramField holds every trigram that begins or ends with one), and the
    bigram alone, or a character it begins, is answered from its per-slot entries (ExactBigramSlotField) — their
    positions here were 11 % of this field's (1k synthetic reports: 1.5 of 13.7 M, 2.8 of 34 MB)."""

    min_length = 1

    @staticmethod
    def slot_arrays(grams: SlotGrams, base: np.uint32) -> tuple[np.ndarray, np.ndarray]:
        keep = np.flatnonzero(~grams.common)
        return grams.pairs[keep], keep.astype(np.uint32) + base

    @staticmethod
    def term(code: int) -> str:  # codes of code points are ordered like the UTF-8 bytes of their terms
        return chr(code >> 21) + chr(code & 0x1FFFFF)

    @staticmethod
    def code(term: str) -> int:
        return (ord(term[0]) << 21) | ord(term[1])


# The commonest bigrams of the sample reports (``python -m bench.common_bigrams --top 16``).  Part of the index
# layout: schema.SCHEMA_VERSION carries their digest, so an index built with another list is rebuilt.  16, not the
# 64 of layouts 8–13: at 10k reports the top 16's trigrams and slots took half the bytes (68 vs 137 MB) with first
# searches as fast (p50/p95 30/84 vs 39/103 ms), where none at all made them 62/370 ms (bench.gram_choices,
# bench/README.md)
COMMON_BIGRAMS = tuple("""
公开 信息 政府 工作 息公 府信 政务 00 申请 行政 20 情况 开工 务公 政策 结果
""".split())


def trigram_indexed(trigram: str) -> bool:
    """Whether the exact view holds this trigram: it begins or ends with a common bigram."""
    return trigram[:2] in _COMMON_SET or trigram[1:] in _COMMON_SET


_COMMON_SET = frozenset(COMMON_BIGRAMS)
_COMMON_CODES = np.asarray(sorted(ExactBigramField.code(g) for g in COMMON_BIGRAMS), dtype=np.uint64)


class ExactTrigramField(ExactField):
    """Trigrams that begin or end with a common bigram, at (slot, offset) positions.  A phrase made of common
    bigrams — 政府信息公开 — is otherwise checked with their positions, millions at 10k reports (every way of
    covering it with bigrams reads 政府 and 公开); 政府信 and 息公开 cover it with a third of that.  Trigrams of
    rare bigrams add nothing (their bigrams are cheap already) and are left out: ~20 % more positions in all."""

    min_length = 3

    @staticmethod
    def slot_arrays(grams: SlotGrams, base: np.uint32) -> tuple[np.ndarray, np.ndarray]:
        common = grams.common[:-1]  # (the bigrams without SLOT_END)
        keep = np.flatnonzero(common[:-1] | common[1:])
        return (grams.pairs[keep] << np.uint64(21)) | grams.cp[keep + 2], keep.astype(np.uint32) + base

    @staticmethod
    def term(code: int) -> str:
        return chr(code >> 42) + chr((code >> 21) & 0x1FFFFF) + chr(code & 0x1FFFFF)

    @staticmethod
    def code(term: str) -> int:
        return (ord(term[0]) << 42) | (ord(term[1]) << 21) | ord(term[2])


class ExactBigramSlotField(ExactField):
    """Per slot, the common bigrams it holds: two uint32 entries per (bigram, slot) — (slot << SLOT_SHIFT) |
    offset of the first occurrence, then the number of occurrences.  A query that is one common bigram is answered
    from these instead of every position (公开: ~130 k slots instead of 2.85 M positions at 10k reports).  Only
    common bigrams: for all bigrams this field made the index 60 % larger and indexing twice as slow, for queries
    whose positions are cheap to read anyway."""

    @staticmethod
    def slot_arrays(grams: SlotGrams, base: np.uint32) -> tuple[np.ndarray, np.ndarray]:
        at = np.flatnonzero(grams.common)  # (never the last, with SLOT_END)
        codes, first, counts = np.unique(grams.pairs[at], return_index=True, return_counts=True)
        entries = np.empty(2 * len(codes), dtype=np.uint32)  # each pair stays together: the sort by code is stable
        entries[0::2] = at[first].astype(np.uint32) + base
        entries[1::2] = counts
        return np.repeat(codes, 2), entries

    def __init__(self):
        super().__init__()
        self.format.ascending = False  # (first offset, count) pairs

    term = staticmethod(ExactBigramField.term)
    code = staticmethod(ExactBigramField.code)


class _NoAnalyzer:
    """Whoosh asks fields for an analyzer in a few generic places; these fields are fed pre-analysed values."""

    def __call__(self, value, **kwargs):
        tokens = value if isinstance(value, (list, tuple)) else [value]
        t = Token(**kwargs)
        for i, text in enumerate(tokens):
            t.text, t.pos, t.boost = text, i, 1.0
            yield t

    def __eq__(self, other):
        return isinstance(other, _NoAnalyzer)
