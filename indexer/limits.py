"""Every bound on work in one place: how much a query, a file or a request may make nianbao do.

The defaults sit far above anything real reports reach, so only a hostile or broken input meets them.  Measured
over the 39 real files of samples/, /work/shared/corpus and tests/fixtures (`python bench/hostile.py measure`): the
largest report has 8,733 characters, 5 tables, 285 cells, 6 PDF pages and HTML nested 9 deep; the limits are
hundreds of times that, to leave room for the long provincial reports a crawl brings in, yet keep one file's
reading under 500 MB.  Each can be changed with an environment variable ``NIANBAO_LIMIT_<NAME>`` (e.g.
``NIANBAO_LIMIT_PDF_PAGES=5000``), read once when the limit is first asked for.
"""

from __future__ import annotations

import os
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass, fields, replace
from functools import lru_cache

from indexer.model import ReadError


@dataclass(frozen=True)
class Limits:
    # queries
    query_depth: int = 32            # nested brackets / NOT in one query; real queries use 1–3
    query_terms: int = 64            # words, phrases and filters in one query
    # one request to the web UI (search, facets, export, compare); over it: 503 with a message
    request_seconds: float = 20.0
    # files
    member_bytes: int = 50_000_000   # unpacked bytes of one archive member (DOCX/XLSX/OFD/ZIP); a long report's
    archive_bytes: int = 150_000_000  # document.xml is a few MB; all members together (images included)
    text_chars: int = 5_000_000      # extracted characters of one report
    pdf_pages: int = 2_000
    tables: int = 500                # tables in one report
    cells: int = 50_000              # table cells in one report (the HTML reader takes ~0.2 ms a cell: 10 s)
    html_depth: int = 250            # element nesting an HTML page keeps after its formatting tags go (libxml2: 255)
    # images of one web page read by OCR (statistics tables printed as <img>: four or five on a real page), fetched
    # by the crawler, read from beside an added file, or decoded from data: URIs; the others are left unread
    page_images: int = 20
    image_bytes: int = 20_000_000    # one such image (a table picture is 50–500 KB; an A4 scan at 300 dpi ~ 8 MB)
    # The crawler's per-site bounds (bytes per response once unpacked, the deadline of one exchange) are in its
    # configuration, scrapers/config.py Politeness, since they differ by site.


def _from_env(base: Limits) -> Limits:
    changes = {}
    for f in fields(base):
        raw = os.environ.get(f"NIANBAO_LIMIT_{f.name.upper()}")
        if raw:
            try:
                changes[f.name] = type(getattr(base, f.name))(raw)
            except ValueError:
                raise SystemExit(f"环境变量 NIANBAO_LIMIT_{f.name.upper()} 应为数字：{raw}") from None
    return replace(base, **changes)


@lru_cache(maxsize=1)
def limits() -> Limits:
    """The limits in force: the defaults, overridden by NIANBAO_LIMIT_* variables."""
    return _from_env(Limits())


class LimitExceeded(ReadError):
    """A file over one of the limits: its message is the one line a user sees; nothing of the file is stored."""


# ---------------------------------------------------------------------------------------------------------------
# A time budget for one request: set by the web app around each request, checked by the loops that could run long
# (the query tree walk, compare and export rows), so a costly request answers 503 instead of running on.

_deadline: ContextVar[float | None] = ContextVar("nianbao_deadline", default=None)


class OverTime(Exception):
    """A request ran past its time budget."""


def start_budget(seconds: float | None = None) -> Token:
    """Start the budget of this request (this thread/context); end it with end_budget(token)."""
    seconds = limits().request_seconds if seconds is None else seconds
    return _deadline.set(time.monotonic() + seconds)


def end_budget(token: Token) -> None:
    try:
        _deadline.reset(token)
    except ValueError:  # ended in another context than it started (a streamed response): just clear it
        _deadline.set(None)


def check_budget() -> None:
    """Raise OverTime when the current request's budget is spent (a no-op outside a request)."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise OverTime("这次检索用时超过上限，请缩小检索范围（增加检索词或筛选条件）后再试")
