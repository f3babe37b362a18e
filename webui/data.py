"""Reading from the library on behalf of a request: the reports behind a query, the same issuer's other years."""

from __future__ import annotations

from collections.abc import Iterator

from indexer.model import Report

from webui.params import SearchParams

PAGE = 100
MAX_REPORTS = 20_000  # compare/export read at most this many reports per request


def matching_ids(lib, params: SearchParams, cap: int = MAX_REPORTS) -> list[str]:
    """Ids of every report the query and filters select (in year order), up to ``cap``."""
    ids: list[str] = []
    offset = 0
    while len(ids) < cap:
        page = lib.search(params.q, filters=params.filters or None, sort="year_asc", limit=PAGE, offset=offset)
        batch = [r["id"] for r in page["results"]]
        ids.extend(batch)
        offset += len(batch)
        if not batch or offset >= page["total"]:
            break
    return ids[:cap]


def matching_reports(lib, params: SearchParams, cap: int = MAX_REPORTS) -> Iterator[Report]:
    if not params.q and not params.filters:  # everything: read the store directly, no search needed
        for n, r in enumerate(lib.reports()):
            if n >= cap:
                return
            yield r
        return
    for rid in matching_ids(lib, params, cap):
        r = lib.get(rid)
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
        res = lib.search("", filters=filters, sort="year_desc", limit=100)
    except ValueError:
        return []
    out = [r for r in res["results"] if r.get("issuer") == report.issuer and r["id"] != report.id]
    return out[:limit]
