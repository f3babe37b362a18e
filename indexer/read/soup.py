"""One parsed-document model for every HTML page nianbao meets: Beautiful Soup over lxml's HTML parser.

The HTML reader (read/html.py), the crawler's generic page analysis (scrapers/discover.py) and a site's CSS
selectors (scrapers/selectors.py, soupsieve) all walk the same kind of tree, so a crawled page is parsed once.
libxml2 builds the tree (the same parser, and the same 255-level depth limit, as plain lxml: see nesting.py);
Beautiful Soup only keeps it in Python objects.  Two of its defaults are turned off so that the text is the page's
own: attribute values stay strings (``class="a b"`` is not split into a list; soupsieve splits it itself), and
whitespace-only strings are kept as written, not collapsed to one space or newline.

The helpers below read the tree the way lxml's ``itertext`` / ``text_content`` / ``iter`` do: text is the
character data of the page (script and style contents included, comments and processing instructions not), and a
tag iteration includes the element it starts from.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag
from bs4 import XMLParsedAsHTMLWarning

_NOT_TEXT = (Comment, ProcessingInstruction, Declaration, Doctype)


def parse(source: str) -> BeautifulSoup:
    """``source`` (decoded HTML) as a Beautiful Soup tree built by lxml's HTML parser."""
    with warnings.catch_warnings():
        # Hanweb serves list pages and data proxies as XML; the HTML parser reads them as the crawler wants
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(source, "lxml", multi_valued_attributes=None,
                             preserve_whitespace_tags={"html", "pre", "textarea"})


def root_element(soup: BeautifulSoup) -> Tag | None:
    """The document element (<html>); None when the parser found no element at all (lxml: "Document is empty")."""
    return next((c for c in soup.contents if isinstance(c, Tag)), None)


def is_text(node) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT)


def texts(el: Tag) -> Iterator[str]:
    """The character data under ``el`` in document order (lxml ``itertext``)."""
    for node in el.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            yield node


def text_content(el: Tag) -> str:
    return "".join(texts(el))


def lead_text(el: Tag) -> str | None:
    """The text before the element's first child node (lxml ``.text``)."""
    out = []
    for node in el.contents:
        if not is_text(node):
            break
        out.append(node)
    return "".join(out) if out else None


def iter_tags(el: Tag, *names: str) -> Iterator[Tag]:
    """``el`` and its descendant elements, those named ``names`` when given (lxml ``iter``)."""
    wanted = frozenset(names)
    if not wanted or el.name in wanted:
        yield el
    for node in el.descendants:
        if isinstance(node, Tag) and (not wanted or node.name in wanted):
            yield node


def first_tag(el: Tag, name: str) -> Tag | None:
    """The first descendant element named ``name`` (lxml ``find(".//name")``; a plain walk is several times faster
    than bs4's ``find``)."""
    for node in el.descendants:
        if isinstance(node, Tag) and node.name == name:
            return node
    return None


def tags_by_name(el: Tag, names) -> dict[str, list[Tag]]:
    """The descendant elements named ``names``, by name, each list in document order, and all of them under "*":
    one walk for many lookups."""
    out: dict[str, list[Tag]] = {name: [] for name in names}
    every = out["*"] = []
    for node in el.descendants:
        if isinstance(node, Tag):
            found = out.get(node.name)
            if found is not None and found is not every:
                found.append(node)
                every.append(node)
    return out


def child_tags(el: Tag) -> list[Tag]:
    return [c for c in el.contents if isinstance(c, Tag)]
