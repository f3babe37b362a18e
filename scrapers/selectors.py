"""Per-site CSS selectors (config.Selectors, checked when the config is read): where a site keeps its report body, its report links, its next list page, the date and
the title — evaluated by soupsieve on the page's Beautiful Soup tree (lxml underneath), the same tree discover.py
reads: the crawler parses a page once (``discover.parse_page``) and hands it to both.

Each selector is optional and each falls back to the generic discovery of discover.py: a selector that matches
nothing on a page logs a warning (the site's layout may have changed) and the generic result stands.  Pure
functions over (page, html): no network.

```toml
[[site]]
name = "pingtan"
start_urls = ["…/zfxxgknb/index.html"]
[site.selectors]
list = "ul.list li a"             # links to reports on a column page
next_page = "div.page a.next"     # the next page of the list
content = "div.TRS_Editor"        # the report body on a report page
date = "div.info span.date"       # its publication date (text, or a content/datetime attribute)
title = "h1.title"                # its title
```
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from urllib.parse import urljoin

from scrapers.config import Selectors
from scrapers.discover import Link, Page, is_attachment_url, link_url, normalise_date, parse_page

log = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")
_CJK_OR_DIGIT = re.compile(r"[\u3400-\u9fff0-9]")


def _text(el) -> str:
    return _SPACE.sub(" ", el.get_text(" ")).strip()


def _links(elements, base: str, skip: frozenset[int] = frozenset()) -> list[Link]:
    """The http(s) links of the selected elements: each one itself when it is an <a>, else the <a> inside it;
    anchors whose id() is in ``skip`` (the report body's own links, when a content selector found one) left out."""
    out, seen = [], set()
    for el in elements:
        if skip and _inside(el, skip):
            continue
        anchors = [el] if el.name == "a" else el.find_all("a")
        for a in anchors:
            if id(a) in skip:
                continue
            url = link_url(a.get("href"), base)
            if url is not None and url not in seen:
                seen.add(url)
                title = _SPACE.sub(" ", a.get("title") or "").strip()
                text = _text(a)
                out.append(Link(url, title if len(title) > len(text) else text))
    return out


def _inside(el, anchors: frozenset[int]) -> bool:
    while el is not None:
        if id(el) in anchors:
            return True
        el = el.parent
    return False


def _text_outside_links(el) -> str:
    """``el.get_text()`` without the text of the links inside it (the tree is shared: nothing is taken out)."""
    types = el.interesting_string_types
    out = []
    for node in el.descendants:
        kind = type(node)
        if (kind is not types) if isinstance(types, type) else (kind not in types):
            continue
        parent = node.parent
        while parent is not el and parent.name != "a":
            parent = parent.parent
        if parent is el:
            out.append(node)
    return "".join(out)


def _fallback(site: str, key: str, selector: str, url: str) -> None:
    log.warning("站点 %s 的选择器 %s=%r 在 %s 上没有匹配，改用通用识别", site, key, selector, url)


LIST_KEYS = ("list", "next_page")  # read on list pages; the others (content, date, title) on report pages


def apply_selectors(page: Page, html: str, selectors: Selectors, site: str = "", kind: str | None = None,
                    soup=None) -> Page:
    """The page as the site's selectors read it; what a selector does not find stays as discover.py found it.
    ``kind`` is what the crawl expects the page to be ("list", "report"): only that kind's selectors are tried
    (a report page has no list to find); None tries them all.  ``soup`` is the page's ``parse_page`` tree when
    the caller has it (it is read, never changed)."""
    if kind == "list":
        selectors = replace(selectors, content=None, date=None, title=None)
    elif kind is not None:
        selectors = replace(selectors, **{k: None for k in LIST_KEYS})
    if not selectors:
        return page
    if soup is None:
        soup = parse_page(html)
    if soup is None:  # an empty page
        from bs4 import BeautifulSoup

        soup = BeautifulSoup("", "lxml")
    base_tag = soup.find("base", href=True)
    base = urljoin(page.url, base_tag["href"]) if base_tag else page.url
    changes: dict = {}
    body_links: frozenset[int] = frozenset()  # the content's own links: not list entries
    if selectors.title:
        el = soup.select_one(selectors.title)
        title = _text(el) if el is not None else ""
        if title:
            changes["title"] = title
            changes["titles"] = [title] + [t for t in page.titles if t != title]
        else:
            _fallback(site, "title", selectors.title, page.url)
    if selectors.date:
        el = soup.select_one(selectors.date)
        date = None
        if el is not None:
            date = normalise_date(el.get("datetime") or el.get("content") or _text(el))
        if date:
            changes["published"] = date
        else:
            _fallback(site, "date", selectors.date, page.url)
    if selectors.content:
        el = soup.select_one(selectors.content)
        if el is not None:
            links = _links([el], base)
            body_links = frozenset(id(a) for a in el.find_all("a"))
            changes["body_chars"] = len(_CJK_OR_DIGIT.findall(_text_outside_links(el)))
            # attachments of the report: those inside its body
            changes["attachments"] = [link for link in page.attachments if link.url in {x.url for x in links}] or [
                link for link in links if is_attachment_url(link.url)]
        else:
            _fallback(site, "content", selectors.content, page.url)
    if selectors.list:
        links = _links(soup.select(selectors.list), base, body_links)
        if links:
            changes["listed"] = links
        else:
            _fallback(site, "list", selectors.list, page.url)
    if selectors.next_page:
        pages = [link.url for link in _links(soup.select(selectors.next_page), base, body_links)
                 if link.url != page.url]
        if pages:
            changes["pagination"] = list(dict.fromkeys(pages))
        else:
            _fallback(site, "next_page", selectors.next_page, page.url)
    return replace(page, **changes) if changes else page
