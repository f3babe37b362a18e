"""Stage 3 — the search engine: ``Report`` → a Whoosh index on disk → results.

Writing: ``analysis`` (the exact view: bigram/trigram/character postings of each slot — title and sections),
``codec`` (how those postings are stored), ``schema``, ``index`` (crash-safe generations, ``SearchIndex``).
Searching one generation, one question per module: ``postings`` (how positions are read), ``matching`` (how a
phrase is matched), ``query`` (the query language → a tree), ``evaluate`` (the tree over reports), ``facets``
(counting), ``ranking`` (BM25F and the orders), ``results`` (the page, grouped by report) with ``snippets``;
``snapshot`` holds what a generation keeps in memory.  ``backend`` is the seam ``indexer.library`` uses.

This module stays light: Whoosh and numpy load when ``SearchIndex`` is first used.
"""

from indexer.engine.backend import SearchBackend, open_embedded
from indexer.engine.errors import IndexBusy, IndexOutdated, QueryError

__all__ = ["SearchBackend", "SearchIndex", "open_embedded", "IndexBusy", "IndexOutdated", "QueryError"]


def __getattr__(name: str):
    if name == "SearchIndex":
        from indexer.engine.index import SearchIndex

        return SearchIndex
    raise AttributeError(name)
