"""Snippets: a window of a section's display text around the first match, with the matched text marked.

Matching runs on normalised text (normalize.py); snippets are cut from the display text, so the match is found
again there — directly when only whitespace and case differ, through a character map otherwise.

A search renders up to 200 snippets, so the common cases avoid per-character Python work: a window without line
breaks or HTML specials is joined from slices as it is; a section matched only through its heading is recognised
without normalising it where that is provably the same (_SAFE_RANGES); the character map copies runs of unchanged
characters as slices; normalize() runs on the part of the section around the match where it can (_BOUNDARY).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from indexer.normalize import normalize

SNIPPET_CONTEXT = 40

_HTML = re.compile("[&<>\"']")  # what html.escape changes

# Terms made only of these (CJK unified ideographs) can be ruled out by the regex alone, see _SAFE_RANGES.
_IDEOGRAPHIC = re.compile("[\u4e00-\u9fff]+")

# Characters no normalisation turns into an ideograph and that never vanish from normalised text unless they are
# whitespace (\s).  In a section made only of these, an ideographic term is in normalize(raw) only if its
# characters are in raw with whitespace between them, which is what _term_pattern matches; so when the regex
# finds nothing, nor would normalisation, and the match is in the heading.  Excluded: the soft hyphen and other
# invisible characters normalize() deletes, Kangxi/CJK radicals, enclosed and compatibility ideographs, Hangzhou
# numerals, kanbun marks.  tests/test_snippets.py checks every character of these ranges against normalize().
_SAFE_RANGES = (
    (0x0000, 0x00AC), (0x00AE, 0x200A), (0x2010, 0x205F), (0x2061, 0x2E7F), (0x3000, 0x3037), (0x303B, 0x318F),
    (0x31A0, 0x31FF), (0x3400, 0xD7FF), (0xE000, 0xF8FF), (0xFB00, 0xFEFE), (0xFF00, 0xFFFF),
)
_UNSAFE = re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _SAFE_RANGES) + "]")

# Characters before which NFKC never composes or reorders (no combining class, never the second of a composition),
# that NFKC keeps as they are and that are not whitespace: cut before such characters, the normalised parts of a
# text are substrings of the normalised whole.  Checked in tests/test_snippets.py.
_BOUNDARY = re.compile("[!-~\u4e00-\u9fff]")

# Runs of characters that _char_map keeps as they are (not whitespace, NFKC + casefold leaves them unchanged) are
# copied as one slice, and whitespace runs skipped at once, instead of character by character.  The ranges are
# checked in tests/test_snippets.py.
_PLAIN_RANGES = ((0x21, 0x40), (0x5B, 0x7E), (0x2012, 0x2016), (0x2018, 0x2023), (0x3001, 0x3035), (0x3400, 0x9FFF))
_CHAR_RUNS = re.compile(
    "([" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _PLAIN_RANGES) + "]+)|([\\s\u200b]+)|(.)", re.DOTALL)
_FOLDED: dict[str, str] = {}  # NFKC + casefold of single characters: few distinct ones occur


def _char_map(raw: str) -> tuple[str, list[int]]:
    """normalize(raw) built char by char, with the raw index each normalised character came from."""
    out: list[str] = []
    origin: list[int] = []
    for m in _CHAR_RUNS.finditer(raw):
        kind = m.lastindex
        if kind == 2:  # whitespace (\s is str.isspace, which covers \u00a0 and \u3000)
            continue
        i, j = m.span()
        if kind == 1:
            out.append(raw[i:j])
            origin.extend(range(i, j))
            continue
        ch = raw[i]
        n = _FOLDED.get(ch)
        if n is None:
            n = unicodedata.normalize("NFKC", ch).casefold()
            if len(_FOLDED) < 100_000:
                _FOLDED[ch] = n
        out.append(n)
        origin.extend([i] * len(n))
    return "".join(out), origin


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """The terms as they may appear in display text: any whitespace between characters, any letter case."""
    parts = sorted({t.replace(" ", "") for t in terms if t.strip()}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile("|".join(r"\s*".join(re.escape(c) for c in p) for p in parts), re.IGNORECASE)


@lru_cache(maxsize=256)
def _plan(terms: tuple[str, ...]) -> tuple[re.Pattern | None, int, bool]:
    """Per query, not per snippet: the pattern, the longest term, whether every term is ideographs only."""
    return (_term_pattern(terms), max(map(len, terms), default=0),
            all(_IDEOGRAPHIC.fullmatch(t) for t in terms))


def make_snippet(raw: str, terms: list[str], *, heading: str = "", context: int = SNIPPET_CONTEXT) -> str:
    """HTML: a window of the section's display text around the first match, every match of a term inside it
    wrapped in <mark>, everything else escaped.

    Fast path: a regular expression allowing whitespace inside the term finds it in the display text directly.
    When normalisation changed more than whitespace and case (full-width forms), the display text is normalised
    character by character with a map back to the original offsets."""
    rx, longest, ideographic = _plan(tuple(terms))
    first = rx.search(raw) if rx is not None else None
    if first is not None:
        start, stop = first.span()
        begin = max(0, start - context)
        end = min(len(raw), start + 2 * context + longest)
        if begin <= start and stop <= end:
            # No match in the window starts before the leftmost one, and the window keeps it whole, so the search
            # over the window would find it again: only the rest of the window is searched.
            marks = [(start, stop)]
            m = rx.search(raw, stop, end)
            while m is not None:  # each alternative is at least a character long: no empty matches
                marks.append(m.span())
                m = rx.search(raw, m.end(), end)
        else:  # whitespace inside the match runs past the window (or a negative context)
            marks = [m.span() for m in rx.finditer(raw, begin, end) if m.end() > m.start()]
        return _render(raw, begin, end, marks)
    if ideographic and _UNSAFE.search(raw) is None:  # normalising would not find a term either (_SAFE_RANGES)
        return _opening(raw, context)
    norm, origin = _char_map(raw)
    spans: list[tuple[int, int]] = []
    for t in terms:
        t2 = t.replace(" ", "")
        if not t2:
            continue
        start = norm.find(t2)
        while start >= 0:
            spans.append((start, start + len(t2)))
            start = norm.find(t2, start + 1)
    # Unless both the character map and normalize() find a term, the match is in the heading (or the title): show
    # the opening of the section.  normalize() is the slower of the two, so it runs last and on a part if it can.
    if not spans:
        return _opening(raw, context)
    spans.sort()
    lo = origin[spans[0][0]]
    if not _normalized_has_term(raw, terms, lo, origin[spans[0][1] - 1] + 1):
        return _opening(raw, context)
    begin = max(0, lo - context)
    end = min(len(raw), lo + 2 * context + longest)
    marks: list[list[int]] = []
    for a, b in spans:
        ra, rb = origin[a], origin[b - 1] + 1
        if ra < begin or rb > end:
            continue
        if marks and ra <= marks[-1][1]:
            marks[-1][1] = max(marks[-1][1], rb)
        else:
            marks.append([ra, rb])
    return _render(raw, begin, end, marks)


def _normalized_has_term(raw: str, terms: list[str], a: int, b: int) -> bool:
    """any(t in normalize(raw) for t in terms), trying first the part of raw around raw[a:b] that lies between
    characters normalisation does not join across (_BOUNDARY): normalising that part gives a substring of
    normalize(raw), so a term found there is found in the whole."""
    x, y, n = a, b, len(raw)
    while x > 0 and _BOUNDARY.match(raw, x) is None:
        x -= 1
    while y < n and _BOUNDARY.match(raw, y) is None:
        y += 1
    part = normalize(raw[x:y])
    if any(t in part for t in terms):
        return True
    normalized = normalize(raw)
    return any(t in normalized for t in terms)


def _render(raw: str, begin: int, end: int, marks) -> str:
    """The window raw[begin:end] with marks ((start, end) in raw, sorted, disjoint) wrapped in <mark>.
    Each piece between marks is flattened and escaped on its own (flattening trims at the piece's edges)."""
    parts = ["…" if begin > 0 else ""]
    pos = begin
    for a, b in marks:
        parts += (raw[pos:a], "<mark>", raw[a:b], "</mark>")
        pos = b
    parts.append(raw[pos:end])
    parts.append("…" if end < len(raw) else "")
    w = raw[begin:end]
    # most windows have nothing to flatten or escape (`in` is quicker than a regex here)
    flat = "\n" in w or "\r" in w or "\t" in w
    escape = "&" in w or "<" in w or ">" in w or '"' in w or "'" in w
    if flat or escape:
        for k in range(1, len(parts) - 1, 2):  # the text pieces, between the ellipses and <mark> tags
            s = parts[k]
            if flat:
                s = _flat(s)
            parts[k] = html.escape(s) if escape else s
    return "".join(parts)


def _flat(s: str) -> str:
    return " ".join(s.split()) if "\n" in s or "\r" in s or "\t" in s else s


def _clip(raw: str, a: int, b: int) -> str:
    s = _flat(raw[a:b])
    return s + ("…" if b < len(raw) else "")


def _opening(raw: str, context: int) -> str:
    """HTML: the opening of the section, for a match in its heading (or the title)."""
    s = _clip(raw, 0, 2 * context)
    return html.escape(s) if _HTML.search(s) else s
