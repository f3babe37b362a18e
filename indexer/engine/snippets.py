"""Snippets: a window of a section's display text around the first match, with the matched text marked.

Matching runs on normalised text (normalize.py); snippets are cut from the display text, so the match is found
again there — directly when only whitespace and case differ, through a character map otherwise.

A search renders up to 200 snippets, nearly all through the regular expression; a window without line breaks or
HTML specials is joined from slices as it is.  (Under 1 % of them — a match only in the heading, or through
full-width forms — take the character map: measured on the 10k bench searches, making that path faster saved
0.02 ms per search, so it stays plain.)
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from indexer.normalize import fold_char, normalize

SNIPPET_CONTEXT = 40

_HTML = re.compile("[&<>\"']")  # what html.escape changes


def _char_map(raw: str) -> tuple[str, list[int]]:
    """normalize(raw) built char by char, with the raw index each normalised character came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(raw):
        if ch.isspace() or ch in "\u00a0\u200b\u3000":
            continue
        for c in fold_char(ch):
            out.append(c)
            origin.append(i)
    return "".join(out), origin


@lru_cache(maxsize=256)
def _parts(terms: tuple[str, ...]) -> list[str]:
    """The terms a pattern alternates, longest first (both patterns of a query list them in this one order)."""
    return sorted({t.replace(" ", "") for t in terms if t.strip()}, key=len, reverse=True)


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """The terms as they may appear in display text: any whitespace between characters, any letter case."""
    parts = _parts(terms)
    if not parts:
        return None
    return re.compile("|".join(r"\s*".join(re.escape(c) for c in p) for p in parts), re.IGNORECASE)


@lru_cache(maxsize=256)
def _plan(terms: tuple[str, ...]) -> tuple[re.Pattern | None, int]:
    """Per query, not per snippet: the pattern and the longest term."""
    return _term_pattern(terms), max(map(len, terms), default=0)


# What \s matches in a str pattern (the characters str.isspace() calls whitespace; tests/engine/test_snippets.py
# checks the list against every code point), as UTF-8: a bytes pattern with it finds the same matches as the str
# pattern in the decoded text (snippet_of_bytes).
_SPACES = list("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680") + [chr(c) for c in range(0x2000, 0x200b)] + list(
    "\u2028\u2029\u202f\u205f\u3000")


def _utf8_class(chars: list[str]) -> bytes:
    """A bytes pattern matching exactly the UTF-8 encoding of one of ``chars``: the encodings grouped by all but
    their last byte, each group a character class of its last bytes."""
    groups: dict[bytes, list[int]] = {}
    for ch in chars:
        b = ch.encode("utf-8")
        groups.setdefault(b[:-1], []).append(b[-1])
    alts = [re.escape(head) + b"[" + b"".join(re.escape(bytes([x])) for x in sorted(tails)) + b"]"
            for head, tails in groups.items()]
    return b"(?:" + b"|".join(alts) + b")"


_SPACE_BYTES = _utf8_class(_SPACES) + b"*"


def _caseless(ch: str) -> bool:
    """A character IGNORECASE compiles to a plain literal (it has no other case): CJK, digits, punctuation."""
    return ch.lower() == ch and ch.upper() == ch


@lru_cache(maxsize=256)
def _byte_plan(terms: tuple[str, ...]) -> tuple[re.Pattern | None, re.Pattern | None, int]:
    """(bytes pattern, str pattern, longest term): the bytes pattern is _term_pattern() over UTF-8, when every
    character of the terms is caseless (IGNORECASE then changes nothing, and bytes compare as the characters do);
    else None.  A match can only begin at a character's first byte (the pattern begins with a whole character), so
    its first match is the str pattern's first match."""
    parts = _parts(terms)
    rx, longest = _plan(terms)
    if not parts or not all(_caseless(ch) for p in parts for ch in p):
        return None, rx, longest
    return (re.compile(b"|".join(_SPACE_BYTES.join(re.escape(c.encode("utf-8")) for c in p) for p in parts)),
            rx, longest)


def snippet_of_bytes(data: bytes, terms: list[str], *, heading: str = "", context: int = SNIPPET_CONTEXT) -> str:
    """make_snippet(data.decode("utf-8"), …), decoding only the window around the first match when a bytes
    pattern finds it: a section's display text is a few KB, its window a hundred characters, and decoding the
    whole section took about as long as decompressing it."""
    return snippet_maker(terms, context)(data, heading)


def snippet_maker(terms: list[str], context: int = SNIPPET_CONTEXT):
    """snippet_of_bytes(·, terms, heading=·, context=context) as one function of (data, heading), its patterns
    looked up once for all the snippets of a search."""
    brx, rx, longest = _byte_plan(tuple(terms))
    if brx is None or context < 0:
        return lambda data, heading="": make_snippet(data.decode("utf-8"), terms, heading=heading, context=context)
    search, n_after = brx.search, 2 * context + longest

    def snippet(data: bytes, heading: str = "") -> str:
        first = search(data)
        if first is None:  # no plain match (the heading, a full-width form…): the whole text, as make_snippet has it
            return make_snippet(data.decode("utf-8"), terms, heading=heading, context=context)
        sb, eb = first.span()
        # ``context`` characters before the match, or all there are: at most 4 bytes each ("ignore" drops the
        # pieces of a character cut at the slice's start; the text itself is valid UTF-8)
        lo = sb - 4 * context
        pre = data[lo if lo > 0 else 0:sb].decode("utf-8", "ignore")
        before = lo > 0 or len(pre) > context  # the window does not begin the text
        if len(pre) > context:
            pre = pre[len(pre) - context:]
        # 2 × context + the longest term's length in characters from the match's start, or all there are
        hi = sb + 4 * n_after
        post = data[sb:hi].decode("utf-8", "ignore")
        after = hi < len(data) or len(post) > n_after  # the window does not end the text
        window = pre + post[:n_after]
        start, end = len(pre), len(window)
        stop = start + len(data[sb:eb].decode("utf-8"))
        if stop <= end:  # as make_snippet: only the rest of the window is searched
            marks = [(start, stop)]
            m = rx.search(window, stop, end)
            while m is not None:
                marks.append(m.span())
                m = rx.search(window, m.end(), end)
        else:
            marks = [m.span() for m in rx.finditer(window, 0, end) if m.end() > m.start()]
        return _render(window, 0, end, marks, before, after)

    return snippet


def make_snippet(raw: str, terms: list[str], *, heading: str = "", context: int = SNIPPET_CONTEXT) -> str:
    """HTML: a window of the section's display text around the first match, every match of a term inside it
    wrapped in <mark>, everything else escaped.

    Fast path: a regular expression allowing whitespace inside the term finds it in the display text directly.
    When normalisation changed more than whitespace and case (full-width forms, traditional characters), the display text is normalised
    character by character with a map back to the original offsets."""
    rx, longest = _plan(tuple(terms))
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
    normalized = normalize(raw)
    if not any(t in normalized for t in terms):  # the match is in the heading (or the title)
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
    if not spans:  # the match is in the heading (or the title): show the opening of the section
        return _opening(raw, context)
    spans.sort()
    lo = origin[spans[0][0]]
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


def _render(raw: str, begin: int, end: int, marks, before: bool | None = None, after: bool | None = None) -> str:
    """The window raw[begin:end] with marks ((start, end) in raw, sorted, disjoint) wrapped in <mark>.
    Each piece between marks is flattened and escaped on its own (flattening trims at the piece's edges).
    ``before``/``after``: whether the text goes on past the window (default: past raw's ends)."""
    parts = ["…" if (begin > 0 if before is None else before) else ""]
    pos = begin
    for a, b in marks:
        parts += (raw[pos:a], "<mark>", raw[a:b], "</mark>")
        pos = b
    parts.append(raw[pos:end])
    parts.append("…" if (end < len(raw) if after is None else after) else "")
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
