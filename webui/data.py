"""Reading from the library on behalf of a request: the reports behind a query.

Compare and export need every matching report's metadata and fields but never its text, so the app keeps one
in-memory table of "light" reports (sections dropped, field keys interned) built by one pass over the store and
rebuilt when the number of reports changes or after ``LIGHT_TTL`` seconds (a re-parse keeps the count).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

from indexer.limits import check_budget
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
            if n % 1000 == 0:
                check_budget()
            yield r
        return
    for n, rid in enumerate(matching_ids(lib, params, cap)):
        if n % 1000 == 0:
            check_budget()
        r = table.get(rid) if table is not None else lib.get(rid)
        if r is not None:
            yield r

