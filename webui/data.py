"""Reading from the library on behalf of a request: the reports behind a query, the same issuer's other years.

Compare and export need every matching report's metadata and fields but never its text, so the app keeps one
in-memory table of "light" reports (sections dropped, field keys interned) built by one pass over the store and
rebuilt when the number of reports changes or after ``LIGHT_TTL`` seconds (a re-parse keeps the count).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

from indexer.model import Report

from webui.params import SearchParams

MAX_REPORTS = 20_000  # compare/export read at most this many reports per request
LIGHT_TTL = 300.0


def _light(r: Report) -> Report:
    r.sections = []
    r.fields = {sys.intern(k): v for k, v in r.fields.items()}
    return r


class LightReports:
    """id → Report without sections, for every stored report; shared by the request threads of one app."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Report] = {}
        self._count = -1
        self._built = 0.0

    def get(self, lib) -> dict[str, Report]:
        count = lib.count()
        if count == self._count and time.monotonic() - self._built < LIGHT_TTL:
            return self._by_id
        with self._lock:  # one thread rebuilds; the others wait and then use its table
            if count != self._count or time.monotonic() - self._built >= LIGHT_TTL:
                self._by_id = {r.id: _light(r) for r in lib.reports()}
                self._count = count
                self._built = time.monotonic()
            return self._by_id


def matching_ids(lib, params: SearchParams, cap: int = MAX_REPORTS) -> list[str]:
    """Ids of every report the query and filters select (in year order), up to ``cap``."""
    return lib.matching_ids(params.q, filters=params.filters or None, mode=params.mode)[:cap]


def matching_reports(lib, params: SearchParams, cap: int = MAX_REPORTS,
                     light: LightReports | None = None) -> Iterator[Report]:
    """The reports a query and filters select; without sections when a LightReports table is given."""
    table = light.get(lib) if light is not None else None
    if not params.q and not params.filters:  # everything: no search needed
        source = table.values() if table is not None else lib.reports()
        for n, r in enumerate(source):
            if n >= cap:
                return
            yield r
        return
    for rid in matching_ids(lib, params, cap):
        r = table.get(rid) if table is not None else lib.get(rid)
        if r is not None:
            yield r


def other_years(lib, report: Report, limit: int = 50) -> list[dict]:
    """The same issuer's reports for other years, newest first (found through its region, matched on issuer)."""
    if not report.issuer:
        return []
    filters = {k: [v] for k in ("province", "city", "county") if (v := getattr(report, k))}
    if not filters:
        return []
    try:
        res = lib.search("", filters=filters, sort="year_desc", limit=200)
    except ValueError:
        return []
    out = [r for r in res["results"] if r.get("issuer") == report.issuer and r["id"] != report.id]
    return out[:limit]
