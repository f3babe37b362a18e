"""The seam between the library and a search engine: what ``indexer.library.Library`` calls, and nothing more.

The embedded engine (``index.SearchIndex``: one Whoosh index on disk) is the one implementation today; a second
one — shards of the same engine behind a coordinator — plugs in here without touching the CLI, the web UI or the
crawler, which only ever talk to the Library.  Like Whoosh's ``IndexReader`` and tantivy's ``Searcher``, it speaks
in report ids and plain dicts, never in its own internals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from indexer.engine.results import SNIPPETS
from indexer.model import Report


@runtime_checkable
class SearchBackend(Protocol):
    """A search index over reports.  Writes are whole reports by id; reads answer the query language of query.py
    (raising errors.QueryError for a query the user must fix) with the result shapes of results.py."""

    def update(self, reports: Iterable[Report], *, workers: int = 2,
               values: dict[str, dict[str, float]] | None = None) -> int:
        """Add or replace reports by id in one commit; returns how many changed.  ``values``: report id → its
        values of the fields kept beside the documents (schema.VALUE_FIELDS: reuse.*; {} for none), for reports
        of this update or already indexed — a change of values alone re-indexes no report."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove reports by id; returns how many were present."""

    def versions(self) -> dict[str, str]:
        """Report id → the version it is indexed at."""

    def sync(self, versions: dict[str, str], load: Callable[[str], Report], *, workers: int = 2,
             progress: Callable[[int, int], None] | None = None,
             values: dict[str, dict[str, float]] | None = None) -> tuple[int, int]:
        """Make the index hold exactly these report ids at these store versions, and (unless None) exactly these
        values; returns (added, deleted)."""

    def values(self) -> dict[str, dict[str, float]]:
        """Report id → the values it is searched by (see update)."""

    def pending(self, versions: dict[str, str], values: dict[str, dict[str, float]] | None = None) -> int:
        """How many of these reports (id → store version) the index lacks or holds at another version, plus the
        ids it holds that are not among them, plus (given ``values``) those it holds other values of: what a sync
        would do."""

    def search(self, query: str = "", *, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               limit: int = 20, offset: int = 0, mode: str = "exact", facet_size: int | None = None,
               snippets: int = SNIPPETS) -> dict:
        """A page of results grouped by report, with hits and snippets, totals and facets.  ``mode`` is how a
        text term matches: "exact" (a substring) or "words" (all its words in one section).  ``facet_size``: at
        most this many values per facet (None: all), the number each cut facet left out in "facets_more".
        ``snippets``: how many of each result's section hits (the first) carry a snippet."""

    def facets(self, query: str = "", *, filters: dict[str, list[str]] | None = None,
               mode: str = "exact") -> dict[str, list[dict]]:
        """The facet counts alone."""

    def ids(self, query: str = "", *, filters: dict[str, list[str]] | None = None, mode: str = "exact") -> list[str]:
        """Every matching report id, oldest year first."""

    def keywords(self, rid: str) -> dict | None:
        """{"keywords": […], "sections": […]} of an indexed report (TF-IDF, IDF from the collection); None if
        the report is not indexed."""

    def similar(self, rid: str, limit: int = 10) -> list[dict] | None:
        """The reports nearest in wording with their score; None if the report is not indexed."""

    def current_generation(self) -> str | None:
        """The name of the published state searches read (changes with every commit), None when empty."""

    def close(self) -> None:
        """Release files and caches."""


def open_embedded(index_dir: Path, *, readonly: bool) -> SearchBackend:
    """The embedded engine in ``index_dir/whoosh`` (imported here, so that callers which never search never load
    Whoosh and numpy)."""
    from indexer.engine.index import SearchIndex

    return SearchIndex(index_dir / "whoosh", readonly=readonly)
