"""One body's series of reports: which reports are the same body's, in year order, and which one came before.

A body is its ``issuer_id`` where the report has one; otherwise its region (division code, or the names), its body
type and its issuer's matching form — the same body's reports agree on all three across years.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer.model import Report
from indexer.normalize import normalize

SERIES_FIELDS = (("series.applications", "依申请公开申请"), ("series.reviews", "行政复议"), ("series.lawsuits", "行政诉讼"))


def body_key(report: Report) -> str | None:
    """A key equal for all reports of one body, None when the report does not say who issued it."""
    issuer_id = getattr(report, "issuer_id", None)
    if issuer_id:
        return str(issuer_id)
    if not report.issuer:
        return None
    region = report.region_code or "/".join(x or "" for x in (report.province, report.city, report.county))
    return f"{region}|{report.body_type or ''}|{normalize(report.issuer)}"


def series_of(report: Report, candidates: Iterable[Report]) -> list[Report]:
    """The reports among ``candidates`` (and ``report`` itself) of the same body, oldest first; one per year (a
    year given twice keeps the report seen first, ``report`` itself before any other)."""
    key = body_key(report)
    if key is None:
        return [report]
    by_year: dict[int | None, Report] = {report.year: report}
    for r in candidates:
        if r.id != report.id and body_key(r) == key:
            by_year.setdefault(r.year, r)
    return sorted(by_year.values(), key=lambda r: (r.year is None, r.year or 0, r.id))


def previous_of(report: Report, candidates: Iterable[Report]) -> Report | None:
    """The same body's latest report of an earlier year, or None."""
    if report.year is None:
        return None
    earlier = [r for r in series_of(report, candidates) if r.year is not None and r.year < report.year]
    return earlier[-1] if earlier else None
