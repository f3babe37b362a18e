"""Snippets: a window of a section's display text around the first match, with the matched text marked.

Matching runs on normalised text (normalize.py); snippets are cut from the display text, so the match is found
again there — directly when only whitespace and case differ, through a character map otherwise.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from indexer.normalize import normalize

SNIPPET_CONTEXT = 40


def _char_map(raw: str) -> tuple[str, list[int]]:
    """normalize(raw) built char by char, with the raw index each normalised character came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(raw):
        if ch.isspace() or ch in "\u00a0\u200b\u3000":
            continue
        n = unicodedata.normalize("NFKC", ch).casefold()
        for c in n:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """The terms as they may appear in display text: any whitespace between characters, any letter case."""
    parts = sorted({t.replace(" ", "") for t in terms if t.strip()}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile("|".join(r"\s*".join(re.escape(c) for c in p) for p in parts), re.IGNORECASE)


def make_snippet(raw: str, terms: list[str], *, heading: str = "", context: int = SNIPPET_CONTEXT) -> str:
    """HTML: a window of the section's display text around the first match, every match of a term inside it
    wrapped in <mark>, everything else escaped.

    Fast path: a regular expression allowing whitespace inside the term finds it in the display text directly.
    When normalisation changed more than whitespace and case (full-width forms), the display text is normalised
    character by character with a map back to the original offsets."""
    rx = _term_pattern(tuple(terms))
    first = rx.search(raw) if rx else None
    if first is not None:
        begin = max(0, first.start() - context)
        end = min(len(raw), first.start() + 2 * context + max(map(len, terms)))
        marks = [[m.start(), m.end()] for m in rx.finditer(raw, begin, end) if m.end() > m.start()]
        return _render(raw, begin, end, marks)
    normalized = normalize(raw)
    if not any(t in normalized for t in terms):  # the match is in the heading (or the title)
        return html.escape(_clip(raw, 0, 2 * context))
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
        return html.escape(_clip(raw, 0, 2 * context))
    spans.sort()
    lo = origin[spans[0][0]]
    begin = max(0, lo - context)
    end = min(len(raw), lo + 2 * context + max(len(t) for t in terms))
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


def _render(raw: str, begin: int, end: int, marks: list[list[int]]) -> str:
    parts = ["…" if begin > 0 else ""]
    pos = begin
    for a, b in marks:
        parts.append(html.escape(_flat(raw[pos:a])))
        parts.append("<mark>" + html.escape(_flat(raw[a:b])) + "</mark>")
        pos = b
    parts.append(html.escape(_flat(raw[pos:end])))
    parts.append("…" if end < len(raw) else "")
    return "".join(parts)


def _flat(s: str) -> str:
    return " ".join(s.split()) if any(c in s for c in "\n\r\t") else s


def _clip(raw: str, a: int, b: int) -> str:
    s = _flat(raw[a:b])
    return s + ("…" if b < len(raw) else "")
