"""The matching form of text: one function used at index time and at query time.

NFKC folds full-width forms (（一） → (一), ０ → 0, ＡＢ → AB); whitespace is removed except where it separates two
Latin letters or digits, because PDF and web extraction scatter spaces and line breaks through Chinese words
(政务公\\n开, " 青 铜 峡 市", "2019 年") while "ISO 9001" must stay two words; runs of kept whitespace become one space.
Latin letters are case-folded.  Traditional characters fold to simplified ones (政務新媒體 → 政务新媒体), character by
character with OpenCC's t2s data, so a query in either script finds text in either and every output character still
comes from one input character (highlighting maps matches back through that).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")
_WS = re.compile(r"[\s\u00a0\u200b\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
# CJK Unified Ideographs and Extension A: every traditional character of OpenCC's t2s in the Basic Multilingual
# Plane (3,745 of them; building the table takes 0.04 s once per process, the supplementary planes would add 0.11 s
# for 811 characters that do not occur in the reports).
_CJK_BMP = (0x3400, 0xA000)


@lru_cache(maxsize=1)
def simplified_table() -> dict[int, str]:
    """Traditional → simplified, one character to one character, from OpenCC's t2s conversion of each character
    alone (its character dictionary, TSCharacters).  The 16 characters OpenCC would fold that are standard
    simplified characters in their own right (in GB 2312: 乾 於 後 徵 …) keep their identity, or 乾安县 (a county
    in 吉林) would read as 干安县 and place names would resolve wrongly; a traditional 關於 then matches 关於, not 关于."""
    import opencc

    chars = [chr(c) for c in range(*_CJK_BMP)]
    # one call, a line per character: a phrase can't span a line break, so each character converts on its own
    converted = opencc.OpenCC("t2s.json").convert("\n".join(chars)).split("\n")
    table = {ord(a): b for a, b in zip(chars, converted) if a != b and len(b) == 1 and not _is_gb2312(a)}
    # a chain (苧 → 苎 → …) is followed to its end, so normalize() stays idempotent
    for k, v in table.items():
        while ord(v) in table and table[ord(v)] != v:
            v = table[ord(v)]
        table[k] = v
    return table


def _is_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones; same length, character for character."""
    return text.translate(simplified_table())


def _fold_space(m: re.Match[str]) -> str:
    s, i, j = m.string, m.start(), m.end()
    if i > 0 and j < len(s) and _LATIN.match(s, i - 1) and _LATIN.match(s, j):
        return " "
    return ""


def fold_char(ch: str) -> str:
    """The matching form of one character that is not whitespace (NFKC, casefold, simplified): 0–3 characters.
    Highlighting builds normalize() from it a character at a time to map a match back to the original text."""
    return to_simplified(unicodedata.normalize("NFKC", ch).casefold())


# Blocks whose characters NFKC changes in report text (spaces, punctuation, enclosed and full-width forms, Kangxi
# radicals, CJK compatibility ideographs): folded by one translate() with the traditional characters, so that most
# texts are then already in NFKC and skip it.
_FOLDED_BLOCKS = ((0x00A0, 0x0100), (0x2000, 0x2C00), (0x2E80, 0x3400), (0xF900, 0xFB00), (0xFE30, 0xFE70),
                  (0xFF00, 0xFFF0))


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """simplified_table, and each character of _FOLDED_BLOCKS that NFKC changes → its NFKC form, simplified.
    Replacing a character by its NFKC form leaves the NFKC of the whole text unchanged (both decompose alike),
    and simplifying commutes with NFKC (CJK ideographs neither decompose nor compose)."""
    table: dict[int, str] = dict(simplified_table())
    for lo, hi in _FOLDED_BLOCKS:
        for c in range(lo, hi):
            folded = unicodedata.normalize("NFKC", chr(c))
            if folded != chr(c):
                table[c] = to_simplified(folded)
    return table


@lru_cache(maxsize=1)
def _fold_arrays() -> tuple[np.ndarray, np.ndarray, dict[str, str], re.Pattern[str]]:
    """_fold_table as arrays over the Basic Multilingual Plane, where all its characters are: each character's
    fold when that is one character (else itself), whether it folds to several or none, those folds, and a
    pattern matching their characters.  No one-character fold is a character that folds to several, so the two
    can be applied one after the other."""
    single = np.arange(0x10000, dtype=np.uint32)
    several = np.zeros(0x10000, dtype=bool)
    multi = {}
    for k, v in _fold_table().items():
        if len(v) == 1:
            single[k] = ord(v)
        else:
            several[k] = True
            multi[chr(k)] = v
    return single, several, multi, re.compile("[" + "".join(map(re.escape, multi)) + "]")


_LOOKUP_MIN = 128  # characters: the lookup's ~10 µs of numpy calls cost more than translate() below (~80 ns each)


def _folded(text: str) -> str:
    """``text.translate(_fold_table())``, by one lookup over the text's code points: translate() looks each
    character up in a dict (0.8 ms for a report's 13,700 characters, this 0.12)."""
    if len(text) < _LOOKUP_MIN:
        return text.translate(_fold_table())
    single, several, multi, pattern = _fold_arrays()
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.max() >= len(single):  # (a character past the plane: none is folded, but it cannot be looked up)
        return text.translate(_fold_table())
    folded = single[points].tobytes().decode("utf-32-le", "surrogatepass")
    return pattern.sub(lambda m: multi[m.group()], folded) if several[points].any() else folded


def normalize(text: str) -> str:
    """Return the matching form of ``text`` (idempotent: normalize(normalize(t)) == normalize(t)): what
    ``to_simplified(fold whitespace(drop invisibles(NFKC(text))).casefold())`` gives, with NFKC skipped when the
    text is in it once _fold_table has folded it (most report text: NFKC was ~half of normalising a report)."""
    if not text:
        return ""
    t = _folded(text)
    if not unicodedata.is_normalized("NFKC", t):
        t = to_simplified(unicodedata.normalize("NFKC", t))
    t = _INVISIBLE.sub("", t)
    return _WS.sub(_fold_space, t).casefold()
