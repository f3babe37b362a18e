"""Snippets: a window of a section's display text around the first match, with the matched text marked.

Matching runs on normalised text (normalize.py); snippets are cut from the display text, so the match is found
again there — directly when only whitespace and case differ, through a character map otherwise.

A result page's snippets (three a result) are made at once by one compiled pass (snippets(), at the end); the
regular expressions make them one by one for terms with cased letters, and make_snippet() — the reference both
are tested against — the few whose plain match is not found.  (Under 1 % of them — a match only in the heading, or
through full-width forms — take the character map: measured on the 10k bench searches, making that path faster
saved 0.02 ms per search, so it stays plain.)
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import numpy as np
from numba import njit

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
        # the bytes of ``context`` characters before the match (at most 4 bytes each) to 2 × context + the longest
        # term's length after its start, decoded once ("ignore" drops the pieces of a character cut at either end)
        lo, hi = sb - 4 * context, sb + 4 * n_after
        if eb > hi:  # whitespace inside the match runs past those bytes: the whole text, as make_snippet has it
            return make_snippet(data.decode("utf-8"), terms, heading=heading, context=context)
        text = data[lo if lo > 0 else 0:hi].decode("utf-8", "ignore")
        # the text holds no match that begins before the first one, which it holds whole: this finds it again
        start, stop = rx.search(text).span()
        begin, end = (start - context if start > context else 0), start + n_after
        before = lo > 0 or start > context  # the window does not begin the text
        after = hi < len(data) or len(text) > end  # the window does not end the text
        if end > len(text):
            end = len(text)
        if stop <= end:  # as make_snippet: only the rest of the window is searched
            marks = [(start, stop)]
            m = rx.search(text, stop, end)
            while m is not None:
                marks.append(m.span())
                m = rx.search(text, m.end(), end)
        else:
            marks = [m.span() for m in rx.finditer(text, begin, end) if m.end() > m.start()]
        return _render(text, begin, end, marks, before, after)

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


# -- a page's snippets in one compiled pass ---------------------------------------------------------------------------
# snippets() renders the snippets of a result page at once: the sections' UTF-8 joined into one buffer, one compiled
# call finds each first match, cuts its window and writes the HTML as _render() writes it (each piece flattened when
# it holds a line break or tab, HTML specials escaped), and the page's HTML is decoded once.  Through the regular
# expressions above a snippet took ~5 µs of Python, a page's sixty ~0.5 ms of a search.  A text whose plain match
# the compiled loop does not find (the heading, a full-width form), or whose match runs past its window, takes
# make_snippet(), as snippet_maker()'s snippets do.

_SPECIALS = "&<>\"'"  # what html.escape changes, and into: entity e is _ENTITIES[_ENTITY_AT[e]:_ENTITY_AT[e + 1]]
_ENTITIES = np.frombuffer("".join(map(html.escape, _SPECIALS)).encode("ascii"), dtype=np.uint8)
_ENTITY_AT = np.cumsum([0] + [len(html.escape(c)) for c in _SPECIALS], dtype=np.int64)
_ENTITY_OF = np.full(256, -1, dtype=np.int64)  # a byte's entity, -1 for none
_ENTITY_OF[[ord(c) for c in _SPECIALS]] = np.arange(len(_SPECIALS))
# the whitespace characters (_SPACES) as UTF-8, a row each (zero-padded) with its length
_SPACE_UTF8 = np.array([list(ch.encode("utf-8").ljust(3, b"\0")) for ch in _SPACES], dtype=np.uint8)
_SPACE_LEN = np.array([len(ch.encode("utf-8")) for ch in _SPACES], dtype=np.int64)
_OPEN, _CLOSE = np.frombuffer(b"<mark>", dtype=np.uint8), np.frombuffer(b"</mark>", dtype=np.uint8)
_ELLIPSIS = np.frombuffer("…".encode("utf-8"), dtype=np.uint8)
# 1: a byte that makes a piece flattened (_flat), 2: one escaped, 4: one that may begin a whitespace character
_BYTE_KIND = np.zeros(256, dtype=np.uint8)
_BYTE_KIND[[ord(c) for c in "\n\r\t"]] = 1
_BYTE_KIND[[ord(c) for c in _SPECIALS]] = 2
_BYTE_KIND[sorted({ch.encode("utf-8")[0] for ch in _SPACES})] |= 4


@lru_cache(maxsize=256)
def _compiled_plan(terms: tuple[str, ...]) -> tuple | None:
    """The patterns' parts for the compiled loop: (their characters as UTF-8, where each character's bytes begin and
    the last ends, where each part's characters begin and the last ends, each part's probe (_match), the longest term),
    when every character is caseless and not whitespace (whitespace between characters is then skipped greedily,
    as \\s* takes it); else None."""
    parts = _parts(terms)
    if not parts or not all(_caseless(ch) and not ch.isspace() for p in parts for ch in p):
        return None
    chars = [ch.encode("utf-8") for p in parts for ch in p]
    char_starts = np.cumsum([0] + [len(c) for c in chars], dtype=np.int64)
    part_starts = np.cumsum([0] + [len(p) for p in parts], dtype=np.int64)
    first = [p[0].encode("utf-8") for p in parts]
    probe = np.array([(c[0], len(c) - 1, c[-1]) for c in first], dtype=np.int64)
    return (np.frombuffer(b"".join(chars), dtype=np.uint8), char_starts, part_starts, probe,
            max(map(len, terms), default=0))


def snippets(datas: list[bytes], terms: list[str], context: int = SNIPPET_CONTEXT) -> list[str]:
    """[snippet_of_bytes(data, terms, context=context) for data in datas], in one compiled pass."""
    plan = _compiled_plan(tuple(terms)) if context >= 0 else None
    if plan is None or not datas:
        make = snippet_maker(terms, context)
        return [make(data) for data in datas]
    chars, char_starts, part_starts, probe, longest = plan
    n_after = 2 * context + longest
    # the most a snippet's HTML takes (the compiled loop does not check bounds): each character of its window in 6
    # bytes at most (4 of UTF-8, or an escaped one: &quot;) and marked on its own, two ellipses
    window = context + n_after
    room = (6 + len(_OPEN) + len(_CLOSE)) * window + 2 * len(_ELLIPSIS)
    out = np.empty(room * len(datas), dtype=np.uint8)
    chars_out = np.zeros(len(datas) + 1, dtype=np.int64)
    done = np.zeros(len(datas), dtype=np.bool_)
    ends = np.cumsum([len(d) for d in datas], dtype=np.int64)
    written = _render_all(np.frombuffer(b"".join(datas), dtype=np.uint8), ends, chars, char_starts, part_starts,
                          probe, context, n_after, out, chars_out, done)
    page = out[:written].tobytes().decode("utf-8")
    at = chars_out.tolist()
    return [page[at[i]:at[i + 1]] if ok else make_snippet(datas[i].decode("utf-8"), terms, context=context)
            for i, ok in enumerate(done.tolist())]


@njit(cache=True, nogil=True)
def _render_all(buf, ends, chars, char_starts, part_starts, probe, context, n_after, out, chars_out, done):
    """The snippet of each text buf[ends[s - 1]:ends[s]] written to ``out`` (returns the bytes written), the
    characters written after each in chars_out[s + 1]; done[s] False for a text left to make_snippet()."""
    o, n, lo = 0, 0, 0
    for s in range(len(ends)):
        hi = ends[s]
        sb, eb = _match(buf, lo, hi, chars, char_starts, part_starts, probe)
        if sb >= 0:
            # ``context`` characters before the match, 2 × context + the longest term's length from its start
            b, k = sb, 0
            while k < context and b > lo:
                b -= 1
                while b > lo and buf[b] & 0xC0 == 0x80:
                    b -= 1
                k += 1
            e, k = sb, 0
            while k < n_after and e < hi:
                e += 1
                while e < hi and buf[e] & 0xC0 == 0x80:
                    e += 1
                k += 1
            if eb <= e:  # (else the match runs past the window: make_snippet)
                done[s] = True
                if b > lo:
                    o, n = _put(out, o, _ELLIPSIS, 0, len(_ELLIPSIS), n)
                at = b
                while sb >= 0:  # every match in the window, each after the one before
                    o, n = _put_text(out, o, buf, at, sb, n)
                    o, n = _put(out, o, _OPEN, 0, len(_OPEN), n)
                    o, n = _put_text(out, o, buf, sb, eb, n)
                    o, n = _put(out, o, _CLOSE, 0, len(_CLOSE), n)
                    at = eb
                    sb, eb = _match(buf, eb, e, chars, char_starts, part_starts, probe)
                o, n = _put_text(out, o, buf, at, e, n)
                if e < hi:
                    o, n = _put(out, o, _ELLIPSIS, 0, len(_ELLIPSIS), n)
        chars_out[s + 1] = n
        lo = hi
    return o


@njit(cache=True, nogil=True)
def _match(buf, j, end, chars, char_starts, part_starts, probe):
    """The leftmost match in buf[j:end] as the bytes pattern finds it — at each start the parts in order, longest
    first — as (start, end); (-1, -1) for none.  ``probe``: each part's (first byte, offset and value of its first
    character's last byte); a start is tried where both are (CJK characters share few lead bytes and many last
    bytes: the lead byte alone let through one start in six)."""
    parts = len(part_starts) - 1
    if parts == 1:  # one part, the common case: one comparison a byte
        first, off, last = probe[0, 0], probe[0, 1], probe[0, 2]
        for k in range(j + off, end):
            if buf[k] == last and buf[k - off] == first:
                e = _part_at(buf, k - off, end, chars, char_starts, 0, part_starts[1])
                if e >= 0:
                    return k - off, e
        return -1, -1
    while j < end:
        for p in range(parts):
            k = j + probe[p, 1]
            if k < end and buf[k] == probe[p, 2] and buf[j] == probe[p, 0]:
                e = _part_at(buf, j, end, chars, char_starts, part_starts[p], part_starts[p + 1])
                if e >= 0:
                    return j, e
        j += 1
    return -1, -1


@njit(cache=True, nogil=True)
def _part_at(buf, j, end, chars, char_starts, first, last):
    """Where the part of characters first … last - 1 ends when it matches at buf[j], any whitespace between its
    characters, all before ``end``; -1 when it does not."""
    for c in range(first, last):
        if c > first:
            w = _space(buf, j, end)
            while w:
                j += w
                w = _space(buf, j, end)
        a, b = char_starts[c], char_starts[c + 1]
        if j + (b - a) > end:
            return -1
        for k in range(b - a):
            if buf[j + k] != chars[a + k]:
                return -1
        j += b - a
    return j


@njit(cache=True, nogil=True)
def _space(buf, j, end):
    """The length in bytes of the whitespace character (_SPACES, str.isspace()) at buf[j] before ``end``; 0 when
    there is none."""
    if j >= end or not _BYTE_KIND[buf[j]] & 4:
        return 0
    for s in range(len(_SPACE_LEN)):
        n = _SPACE_LEN[s]
        if j + n <= end:
            k = 0
            while k < n and buf[j + k] == _SPACE_UTF8[s, k]:
                k += 1
            if k == n:
                return n
    return 0


@njit(cache=True, nogil=True)
def _put(out, o, src, a, b, n):
    """src[a:b] written at out[o]: (where the bytes written end, the characters written so far)."""
    for k in range(a, b):
        out[o] = src[k]
        o += 1
        n += src[k] & 0xC0 != 0x80
    return o, n


@njit(cache=True, nogil=True)
def _put_text(out, o, buf, a, b, n):
    """buf[a:b], a piece of the window, as _render() writes it: flattened (_flat: whitespace runs one space, none
    at either end) when it holds a line break or tab, HTML specials escaped."""
    kinds = 0
    for k in range(a, b):
        kinds |= _BYTE_KIND[buf[k]]
    flat = kinds & 1 != 0
    if not kinds & 3:  # most pieces: copied as they are
        for k in range(a, b):
            out[o + k - a] = buf[k]
            n += buf[k] & 0xC0 != 0x80
        return o + b - a, n
    begun, gap = False, False
    k = a
    while k < b:
        c = buf[k]
        if flat:
            w = _space(buf, k, b)
            if w:
                gap = True
                k += w
                continue
        if gap:
            if begun:
                out[o] = 0x20
                o += 1
                n += 1
            gap = False
        x = _ENTITY_OF[c]
        if x >= 0:
            o, n = _put(out, o, _ENTITIES, _ENTITY_AT[x], _ENTITY_AT[x + 1], n)
        else:
            out[o] = c
            o += 1
            n += c & 0xC0 != 0x80
        begun = True
        k += 1
    return o, n
