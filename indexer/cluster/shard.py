"""One shard: the embedded engine (``SearchIndex``) on its own directory, with what a coordinator asks of it
beyond the SearchBackend — its part of the collection statistics, a page with sort keys, ids with years.

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
from indexer.engine.ranking import CollectionStats, shard_statistics
from indexer.engine.results import run_facets, run_search
from indexer.model import Report

NO_YEAR = 1 << 30  # sorts after every year, as ranking.oldest_first puts reports without a year last


def shard_of(report_id: str, n_shards: int) -> int:
    """The shard that owns a report: a stable hash of its id (the same in every process and on every run, unlike
    Python's hash())."""
    return int.from_bytes(hashlib.blake2b(report_id.encode("utf-8"), digest_size=8).digest(), "big") % n_shards


def shard_dir(root: Path, shard: int) -> Path:
    return root / f"shard-{shard:03d}"


class Shard:
    def __init__(self, path: str, readonly: bool):
        self.index = SearchIndex(Path(path), readonly=readonly)

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

    def statistics(self, terms: list[str]) -> dict:
        return shard_statistics(self.index.snapshot(), terms)

    def search(self, query: str, filters: dict | None, sort: str, limit: int, stats: CollectionStats | None) -> dict:
        return run_search(self.index.snapshot(), query, filters=filters, sort=sort, limit=limit, offset=0,
                          stats=stats)

    def facets(self, query: str, filters: dict | None) -> dict:
        return run_facets(self.index.snapshot(), query, filters=filters, shard=True)

    def unknown_issuers(self, values: list[str]) -> dict[str, str]:
        """{value: message} for the issuer filter values that name no body this shard holds."""
        return unknown_issuers(self.index.snapshot(), values)

    def ids(self, query: str, filters: dict | None) -> list[tuple[int, str]]:
        """(year, id) of every match, oldest first (no year: NO_YEAR, last)."""
        snap = self.index.snapshot()
        reports = np.flatnonzero(Plan(snap, query, filters, shard=True).mask)
        years = np.where(snap.year[reports] > 0, snap.year[reports], NO_YEAR)
        order = np.argsort(years, kind="stable")
        return [(int(years[i]), snap.report_ids[reports[i]]) for i in order.tolist()]

    def close(self) -> None:
        self.index.close()
