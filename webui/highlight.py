"""Ctrl-F style highlighting of a query in report text.

Matching happens on the normalised form (indexer.normalize: NFKC, whitespace inside Chinese dropped, casefold,
traditional → simplified), so
"政务公\\n开" in a PDF-extracted report is found by 政务公开, exactly as the index found it.  Each normalised character
remembers the original character it came from, so a match maps back to a span of the original text, which is then
escaped and wrapped in <mark>.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from indexer.normalize import fold_char, normalize

_WS = re.compile(r"[\s\u00a0\u200b\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")
# Query syntax that is not text to find: boolean operators, field prefixes, grouping, wildcards, boosts.
_OPERATORS = {"and", "or", "not", "与", "或", "非"}
_TOKEN = re.compile(r'"([^"]*)"|“([^”]*)”|(\S+)')
_FIELD_PREFIX = re.compile(r"^[A-Za-z_][\w.]*:")


def query_terms(q: str) -> list[str]:
    """The phrases and words of a query worth highlighting, normalised, longest first, without duplicates.

    The search module's own parser decides what the text terms are (exactly what the index matched); a query it
    refuses falls back to a plain reading, so a page can still mark something.
    """
    try:
        from indexer.engine.query import parse_query, texts

        terms = list(dict.fromkeys(t for t in texts(parse_query(q or "")) if t))
        return sorted(terms, key=len, reverse=True)
    except (ImportError, ValueError):
        return _plain_terms(q)


def query_fields(q: str) -> list[str]:
    """The table-field keys a query's numeric conditions name (apply.new.total:>100), for marking their cells."""
    from indexer.engine.query import field_ranges, parse_query

    try:
        return list(dict.fromkeys(r.field for r in field_ranges(parse_query(q or ""))))
    except ValueError:
        return []


def _plain_terms(q: str) -> list[str]:
    terms: list[str] = []
    for m in _TOKEN.finditer(q or ""):
        phrase = m.group(1) if m.group(1) is not None else m.group(2)
        if phrase is None:
            word = m.group(3)
            if word.startswith("-"):  # excluded term: nothing to highlight
                continue
            word = word.lstrip("+")
            # field:value terms (section:requests, apply.new.total:>100) filter; they are not text to find
            if _FIELD_PREFIX.match(word) or word.casefold() in _OPERATORS:
                continue
            phrase = word.strip("()*?^~")
            phrase = re.sub(r"\^[\d.]+$|~\d*$", "", phrase)
        t = normalize(phrase)
        if t and t not in terms:
            terms.append(t)
    return sorted(terms, key=len, reverse=True)


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """normalize(text) built one original character at a time, with the original index of every output char."""
    # As in normalize(): invisible characters go first, then whitespace runs are judged by their neighbours.
    kept = [(ch, i) for i, ch in enumerate(text) if not _INVISIBLE.match(ch)]
    chars = "".join(ch for ch, _ in kept)
    out: list[str] = []
    origin: list[int] = []
    i, n = 0, len(chars)
    while i < n:
        m = _WS.match(chars, i)
        if m:
            j = m.end()
            before = unicodedata.normalize("NFKC", chars[i - 1]) if i > 0 else ""
            after = unicodedata.normalize("NFKC", chars[j]) if j < n else ""
            if before and after and _LATIN.match(before[-1]) and _LATIN.match(after[0]):
                out.append(" ")
                origin.append(kept[i][1])
            i = j
            continue
        for c in fold_char(chars[i]):
            out.append(c)
            origin.append(kept[i][1])
        i += 1
    return "".join(out), origin


def find_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the original text whose normalised form equals one of the terms."""
    if not text or not terms:
        return []
    norm, origin = _normalised_with_map(text)
    taken = [False] * len(norm)
    spans: list[tuple[int, int]] = []
    for term in terms:  # longest first, so a phrase wins over its own words
        start = norm.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                for k in range(start, end):
                    taken[k] = True
                spans.append((origin[start], origin[end - 1] + 1))
            start = norm.find(term, start + 1)
    return sorted(spans)


def highlight(text: str, terms: list[str]) -> Markup:
    """Escaped text with every match wrapped in <mark>; safe to insert into HTML."""
    spans = find_spans(text, terms)
    if not spans:
        return escape(text)
    parts: list[str] = []
    pos = 0
    for a, b in spans:
        parts.append(str(escape(text[pos:a])))
        parts.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))
