"""How a report is cited: a GB/T 7714-2015 reference to an electronic resource ([EB/OL]), the form Chinese journals,
courts' briefs and theses use:

    发布机关. 题名[EB/OL]. (发布日期)[引用日期]. 获取路径.

The access date is the day the original was collected (when nianbao read it at its address), not the day the
citation is copied; without an address (a local file) the reference ends with the file name, marked as such.
"""

from __future__ import annotations

import time

from indexer.model import Report


def is_url(source: str | None) -> bool:
    return bool(source) and source.startswith(("http://", "https://"))


def accessed_date(collected_at: float | None) -> str | None:
    """The collection time (seconds since the epoch) as the date of the reference, in China's time (UTC+8)."""
    if not collected_at:
        return None
    return time.strftime("%Y-%m-%d", time.gmtime(collected_at + 8 * 3600))


def citation(report: Report, collected_at: float | None = None) -> str:
    """One line citing the report; parts nianbao does not know are left out rather than guessed."""
    parts = []
    if report.issuer:
        parts.append(f"{report.issuer}. ")
    parts.append(f"{report.title or report.id}[EB/OL]. ")
    dates = (f"({report.published})" if report.published else "") + (
        f"[{accessed_date(collected_at)}]" if collected_at and is_url(report.source) else "")
    if dates:
        parts.append(dates + ". ")
    if is_url(report.source):
        parts.append(f"{report.source}.")
    elif report.source:
        parts.append(f"本地文件：{report.source}.")
    return "".join(parts).strip()
