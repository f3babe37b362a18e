"""The reports of one site settle what a report's own text leaves open about its region.

A township report whose title and text name only the township (团堡镇2020年…, no 利川市 in its signature either), or a
bare district shared by several cities (鼓楼区), is parsed with its possible divisions (``Report.region_candidates``)
and a ``region.unresolved`` / ``region.uncertain`` warning.  When stored, the regions that the other reports of the
same site decided from their own text choose among them (``regions.settle_by_site``: only a candidate they point to
alone); the report then carries the region and a ``region.site`` note.  Parsing stays a function of one document:
this is a step of storing.

A site is the host of the report's address (``www.`` dropped), or for a local file without an address the directory
it was added from (the ``site`` hint ``add`` records).  The store keeps per report its site, the region its own text
decided, its open candidates and what they settled on (``report_sites``), so the step costs an indexed look-up or two
per stored report.  Order does not matter: when a report brings a region its site did not have yet (or takes one
away), the site's open reports are settled again, and those whose outcome moves are returned to be stored again.
Only regions a report's own text decided count as evidence, so one settlement never feeds another.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from indexer.model import Report
from indexer.parse.pipeline import settle_region
from indexer.parse.regions import settle_by_site, site_support
from indexer.store import ReportStore

SITE_HINT = "site"  # document hint: the directory a local file was added from
_OPEN = ("region.unresolved", "region.uncertain", "region.site")


def site_key(source: str | None, hints: dict[str, str] | None) -> str | None:
    """The site a report came from: the host of its address, else the directory of its file, else None."""
    if source and source.startswith(("http://", "https://")):
        host = (urlsplit(source).hostname or "").lower()
        if host:
            return host.removeprefix("www.")
    return (hints or {}).get(SITE_HINT) or None


def own_region(report: Report) -> str | None:
    """The region code the report's own text decided (None: it decided none, or only with its site's help)."""
    if report.region_code and not any(w.code in _OPEN for w in report.warnings):
        return report.region_code
    return None


def settle(store: ReportStore, report: Report, site: str | None) -> None:
    """Before storing: give a report with open candidates the one its site's other reports point to."""
    if site is None or not report.region_candidates:
        return
    codes = store.site_regions(site, besides=report.id)
    chosen = settle_by_site(report.region_candidates, codes) if codes else None
    if chosen is not None:
        settle_region(report, chosen, f"{site}：{'、'.join(site_support(chosen, codes))}")


def record(store: ReportStore, report: Report, site: str | None) -> list[str]:
    """After storing: record the report's site facts; returns the ids of the site's other reports whose settlement
    its arrival changes (to be parsed and stored again)."""
    before = store.site_row(report.id)
    own = own_region(report)
    settled = report.region_code if any(w.code == "region.site" for w in report.warnings) else None
    store.put_site(report.id, site, own, list(report.region_candidates), settled)
    moved = []  # sites whose set of decided regions this changes
    if site is not None and own is not None and not store.site_has_region(site, own, besides=report.id):
        moved.append(site)
    if before is not None and before[1] is not None and (before[0], before[1]) != (site, own) \
            and not store.site_has_region(before[0], before[1], besides=report.id):
        moved.append(before[0])
    out: list[str] = []
    for s in dict.fromkeys(moved):
        opened = [row for row in store.site_open(s) if row[0] != report.id]
        if not opened:
            continue
        for rid, candidates, was in opened:
            now = settle_by_site(candidates, store.site_regions(s, besides=rid))
            if now != was:
                out.append(rid)
    return out
