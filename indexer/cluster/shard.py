"""One shard: the embedded engine (``SearchIndex``) on its own directory, with what a coordinator asks of it
beyond the SearchBackend — its part of the collection statistics, a page with sort keys, ids with years; its
part of the collection's word statistics (keywords.py), and its keywords, 主题词 and similar reports weighed with
the collection's.

The collection's word statistics reach a shard as a Ray object (``words``: (key, [ref], 主题词 values to list)),
read once per key and shard generation: the shard's word table is then weighed with them (``_view``) and every
search, facet count, ``keyword:`` filter and similar-reports request uses that table.

A Ray actor wraps this class (coordinator.py); restarted, it reopens the same directory, which holds every
commit (the index's generations are crash-safe), so a shard comes back with all it had.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from indexer.engine.evaluate import Plan, unknown_issuers
from indexer.engine.index import SearchIndex
from indexer.engine.kernels import load_kernels
from indexer.engine.segmenter import load_in_background
from indexer.engine.ranking import CollectionStats, shard_statistics
from indexer.engine.results import SNIPPETS, report_keywords, report_vector, run_facets, run_search, similar_to
from indexer.model import Report

NO_YEAR = 1 << 30  # sorts after every year, as ranking.oldest_first puts reports without a year last


def shard_of(report_id: str, n_shards: int) -> int:
    """The shard that owns a report: a stable hash of its id (the same in every process and on every run, unlike
    Python's hash())."""
    return int.from_bytes(hashlib.blake2b(report_id.encode("utf-8"), digest_size=8).digest(), "big") % n_shards


def shard_dir(root: Path, shard: int) -> Path:
    return root / f"shard-{shard:03d}"


class _CollectionView:
    """A snapshot whose word table is weighed with the collection's word statistics; everything else is the
    snapshot's own."""

    def __init__(self, snap, table):
        self._snap, self.table = snap, table

    def word_table(self):
        return self.table

    def __getattr__(self, name):
        return getattr(self._snap, name)


class Shard:
    def __init__(self, path: str, readonly: bool):
        self.index = SearchIndex(Path(path), readonly=readonly)
        load_kernels()  # the compiled loops of a search, ready before the first query
        load_in_background()  # and jieba's dictionary, for the first words-mode query
        self._collection: tuple | None = None  # ((snapshot generation, words key), _CollectionView)

    def where(self) -> tuple[str, int]:
        """(Ray node id, pid) of this actor."""
        import ray

        return ray.get_runtime_context().get_node_id(), os.getpid()

    # -- writing (whole reports by id, one commit each call) ----------------------------------------------------

    def update(self, reports: list[Report], values: dict[str, dict[str, float]] | None = None) -> int:
        # one process per shard: the shards already index in parallel across the cluster
        return self.index.update(reports, workers=1, values=values)

    def set_values(self, values: dict[str, dict[str, float]], complete: bool) -> int:
        return self.index.set_values(values, complete=complete)

    def values(self) -> dict[str, dict[str, float]]:
        return self.index.values()

    def delete(self, ids: list[str]) -> int:
        return self.index.delete(ids)

    def versions(self) -> dict[str, str]:
        return self.index.versions()

    def generation(self) -> str | None:
        return self.index.current_generation()

    # -- reading ------------------------------------------------------------------------------------------------

    def _view(self, words: tuple | None):
        """The snapshot to answer from: with ``words``, the collection's word statistics applied."""
        snap = self.index.snapshot()
        if words is None:
            return snap
        key, (ref,), topics = words  # (the ref in a list: Ray passes it as it is, read here only when new)
        if self._collection is None or self._collection[0] != (snap.generation, key):
            import ray

            counts = ray.get(ref)
            table = snap.word_table().with_collection(counts["n"], counts["codes"], counts["df"])
            self._collection = ((snap.generation, key), _CollectionView(snap, table))
        view = self._collection[1]
        view.table.topic_limit = topics
        return view

    def statistics(self, terms: list[str], mode: str = "exact") -> dict:
        return shard_statistics(self.index.snapshot(), terms, mode)

    def search(self, query: str, filters: dict | None, sort: str, limit: int, stats: CollectionStats | None,
               mode: str = "exact", words: tuple | None = None, snippets: int = SNIPPETS) -> dict:
        return run_search(self._view(words), query, filters=filters, sort=sort, limit=limit, offset=0, mode=mode,
                          stats=stats, snippets=snippets)

    def facets(self, query: str, filters: dict | None, mode: str = "exact", words: tuple | None = None) -> dict:
        return run_facets(self._view(words), query, filters=filters, mode=mode, shard=True)

    def topic_counts(self, query: str, filters: dict | None, mode: str, words: tuple) -> list[dict]:
        """Every value of the 主题词 facet with its count (when the first ones of the shards' facets could not
        settle the collection's): the reports facets.facets counts it over — the query and every filter but
        keyword."""
        view = self._view(words)
        plan = Plan(view, query, filters, mode, shard=True)
        base = plan.query_mask.copy()
        for name, mask in plan.filter_masks.items():
            if name != "keyword":
                base &= mask
        return view.word_table().topic_counts(base, None)

    def unknown_issuers(self, values: list[str]) -> dict[str, str]:
        """{value: message} for the issuer filter values that name no body this shard holds."""
        return unknown_issuers(self.index.snapshot(), values)

    def ids(self, query: str, filters: dict | None, mode: str = "exact",
            words: tuple | None = None) -> list[tuple[int, str]]:
        """(year, id) of every match, oldest first (no year: NO_YEAR, last)."""
        snap = self._view(words)
        reports = np.flatnonzero(Plan(snap, query, filters, mode, shard=True).mask)
        years = np.where(snap.year[reports] > 0, snap.year[reports], NO_YEAR)
        order = np.argsort(years, kind="stable")
        return [(int(years[i]), snap.report_ids[reports[i]]) for i in order.tolist()]

    # -- the collection's word statistics: keywords and similar reports ---------------------------------------

    def word_counts(self) -> dict:
        """This shard's part of the collection's word statistics (keywords.merge_word_counts), with the
        generation it was read from."""
        snap = self.index.snapshot()
        return {"generation": snap.generation, **snap.word_table().word_counts()}

    def report_words(self, rid: str) -> list[str] | None:
        """The words whose IDF a report's keywords need (None: not indexed here)."""
        snap = self.index.snapshot()
        r = snap.report_number(rid)
        return None if r is None else snap.word_table().report_words(r)

    def word_df(self, words: list[str]) -> dict:
        """This shard's reports and the df of these words among them."""
        snap = self.index.snapshot()
        return {"n": snap.n_reports, "df": snap.word_table().df_of(words)}

    def keywords(self, rid: str, idf: dict[str, float]) -> dict | None:
        return report_keywords(self.index.snapshot(), rid, idf)

    def report_vector(self, rid: str, words: tuple) -> dict | None:
        return report_vector(self._view(words), rid)

    def similar_to(self, vector: dict, rid: str, limit: int, words: tuple) -> list[dict]:
        return similar_to(self._view(words), vector, rid, limit)

    def close(self) -> None:
        self.index.close()
