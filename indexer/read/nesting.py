"""How deep an HTML page nests, and a page made shallow enough for the parser to keep all of its text.

libxml2 (under lxml, and under Beautiful Soup's lxml builder) stops nesting at 255 levels and silently drops what
lies deeper: an old Word-exported page with unclosed ``<font>`` tags kept 3,092 of its 8,294 characters.  Such depth
comes from formatting tags that carry no structure, so they are removed (their text stays); a page still deeper than
the limit is refused with that reason rather than read in part.  Pure functions on the decoded source: the HTML
reader calls ``shallow_html`` before parsing, whatever parser it uses.
"""

from __future__ import annotations

import re

from indexer.limits import LimitExceeded, limits

PARSER_DEPTH = 250  # libxml2 keeps 255 levels; a few are the parser's own (html, body)
_SKIPPED = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:.-]*)[^>]*?(/?)>", re.S)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr basefont frame isindex "
                  "keygen spacer nobr wbr".split())
_SELF_CLOSING = frozenset("p li td th tr dt dd option".split())  # a new one closes an open one of its kind
_FORMATTING = re.compile(r"</?(?:font|span|b|i|u|em|strong|small|big|sup|sub|s|strike|a|o:p|st1:[\w-]+)\b[^>]*>",
                         re.I)


def nesting_depth(source: str) -> int:
    """The deepest element nesting of a page, as an HTML parser would build it (closing tags close up to their
    match; ``<p>``, ``<li>``, ``<td>`` … close an open one of their kind; void elements never open)."""
    stack: list[str] = []
    deepest = 0
    for m in _TAG.finditer(_SKIPPED.sub("", source)):
        closing, name, self_closed = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name):]
            continue
        if self_closed or name in _VOID:
            continue
        if name in _SELF_CLOSING and stack and stack[-1] == name:
            continue
        stack.append(name)
        deepest = max(deepest, len(stack))
    return deepest


def shallow_html(source: str) -> str:
    """``source``, or the same text without its formatting tags when it nests deeper than the parser keeps; raises
    LimitExceeded when even that is too deep."""
    if nesting_depth(source) <= PARSER_DEPTH:
        return source
    flat = _FORMATTING.sub("", source)
    depth = nesting_depth(flat)
    if depth > min(PARSER_DEPTH, limits().html_depth):
        raise LimitExceeded(f"HTML 嵌套过深（{depth} 层，解析器最多保留 {PARSER_DEPTH} 层），无法完整读取")
    return flat
