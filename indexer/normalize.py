"""The matching form of text: one function used at index time and at query time.

NFKC folds full-width forms (（一） → (一), ０ → 0, ＡＢ → AB); whitespace is removed except where it separates two
Latin letters or digits, because PDF and web extraction scatter spaces and line breaks through Chinese words
(政务公\\n开, " 青 铜 峡 市", "2019 年") while "ISO 9001" must stay two words; runs of kept whitespace become one space.
Latin letters are case-folded.
"""

from __future__ import annotations

import re
import unicodedata

_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")
_WS = re.compile(r"[\s\u00a0\u200b\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")


def _fold_space(m: re.Match[str]) -> str:
    s, i, j = m.string, m.start(), m.end()
    if i > 0 and j < len(s) and _LATIN.match(s, i - 1) and _LATIN.match(s, j):
        return " "
    return ""


def normalize(text: str) -> str:
    """Return the matching form of ``text`` (idempotent: normalize(normalize(t)) == normalize(t))."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = _INVISIBLE.sub("", t)
    return _WS.sub(_fold_space, t).casefold()
