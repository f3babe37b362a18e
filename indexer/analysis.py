"""The two views of text the index keeps: exact characters (for matching) and jieba words (for ranking).

Both views work on ``normalize(text)``, the matching form also applied to queries.

* Exact view: every character of the normalised text (unigrams, presence only) and every pair of adjacent
  characters (bigrams) at its true position.  A query string q of length n ≥ 2 occurs in a text exactly when the
  bigrams q[0:2], q[1:3], … occur at consecutive positions, so a phrase query over the bigrams gives the same set
  as a substring scan — no dictionary, no segmentation, nothing to disagree with Ctrl-F.  n = 1 is a unigram term.
* Word view: rjieba (jieba-rs, jieba's dictionary) with the domain user dictionary ``userdict.txt``.  Measured on
  the samples (``python -m bench.tokenizers``): jieba 0.40 M chars/s, jieba_fast 0.93 M chars/s but not
  token-identical either (60/70 texts identical), rjieba 11.4 M chars/s with 98.9 % of token types shared.  The word
  view only ranks — the match set comes from the exact view — so the rare segmentation differences cannot lose a
  result, and the 28× speed decides.

The field types below turn a normalised string straight into posting tuples: building Token objects per
character the way Whoosh analyzers do would cost more than everything else in indexing together.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from itertools import accumulate
from pathlib import Path

from whoosh import fields, formats
from whoosh.analysis import Token
from whoosh.system import _INT_SIZE, pack_uint

USERDICT = Path(__file__).with_name("userdict.txt")
# Word-view tokens worth ranking on: something with a letter, digit or CJK character in it.
_WORDLIKE = re.compile(r"[0-9a-z\u00c0-\u024f\u3400-\u9fff\uf900-\ufaff]")

_jieba = None


def _cutter():
    global _jieba
    if _jieba is None:
        import rjieba

        for line in USERDICT.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts and not parts[0].startswith("#"):
                freq = int(parts[1]) if len(parts) > 1 else 1000
                rjieba.add_word(parts[0], freq, parts[2] if len(parts) > 2 else "n")
        _jieba = rjieba
    return _jieba


def words(ntext: str) -> list[str]:
    """Word-view tokens of already-normalised text (punctuation and spaces dropped)."""
    if not ntext:
        return []
    return [w for w in _cutter().cut(ntext, hmm=True) if _WORDLIKE.search(w)]


def bigrams(ntext: str) -> list[str]:
    return [ntext[i:i + 2] for i in range(len(ntext) - 1)]


# ---------------------------------------------------------------------------------------------------------------
# Whoosh plumbing


class CompactPositions(formats.Positions):
    """Positions stored as a raw uint32 delta array: decoding is one C call instead of unpickling plus a loop."""

    def encode(self, poslist):
        deltas = array("I", (b - a for a, b in zip([0] + poslist, poslist)))
        return pack_uint(len(poslist)) + deltas.tobytes()

    def decode_positions(self, valuestring):
        deltas = array("I")
        deltas.frombytes(valuestring[_INT_SIZE:])
        return list(accumulate(deltas))

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]


class ExactBigramField(fields.FieldType):
    """Bigrams of normalised text at their true positions (the value given to the writer is already normalised)."""

    def __init__(self):
        self.format = CompactPositions(field_boost=1.0)
        self.analyzer = _NoAnalyzer()
        self.scorable = True  # Whoosh looks up a length per posting and is slow when the column is missing
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def index(self, value, **kwargs):
        poses: dict[str, list[int]] = defaultdict(list)
        for i in range(len(value) - 1):
            poses[value[i:i + 2]].append(i)
        encode = self.format.encode
        for gram, poslist in poses.items():
            yield gram.encode("utf-8"), len(poslist), float(len(poslist)), encode(poslist)


class ExactCharField(fields.FieldType):
    """The set of characters of normalised text (presence only: one-character queries need no positions)."""

    def __init__(self):
        self.format = formats.Existence(field_boost=1.0)
        self.analyzer = _NoAnalyzer()
        self.scorable = True  # Whoosh looks up a length per posting and is slow when the column is missing
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def index(self, value, **kwargs):
        for ch in set(value):
            yield ch.encode("utf-8"), 1, 1.0, b""


class WordField(fields.FieldType):
    """Word view for BM25F: the writer is given normalised text (cut here, in the writer's worker process) or a
    token list; frequencies only."""

    def __init__(self, field_boost: float = 1.0):
        self.format = formats.Frequency(field_boost=field_boost)
        self.analyzer = _NoAnalyzer()
        self.scorable = True
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def index(self, value, **kwargs):
        counts: dict[str, int] = defaultdict(int)
        for w in (words(value) if isinstance(value, str) else value):
            counts[w] += 1
        pack = pack_uint
        for w, n in counts.items():
            yield w.encode("utf-8"), n, float(n), pack(n)


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
