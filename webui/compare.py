"""Region × year tables of one field across reports, and their CSV form (UTF-8 with BOM so Excel keeps Chinese)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.model import Report

# How rows are formed: one per issuing body, or reports summed per region level.
GROUPINGS = {"issuer": "发布机关", "county": "区县（合计）", "city": "城市（合计）", "province": "省份（合计）"}


@dataclass
class CompareRow:
    label: str
    province: str | None
    city: str | None
    county: str | None
    values: dict[int, float] = field(default_factory=dict)
    reports: dict[int, list[str]] = field(default_factory=dict)  # year -> report ids behind the value


@dataclass
class CompareTable:
    field: str
    by: str
    years: list[int]
    rows: list[CompareRow]
    missing: int  # reports matched that do not state the field (or have no year)

    def series(self, top: int = 10) -> list[tuple[str, dict[int, float]]]:
        """The rows with most data points (then largest latest value) for a readable chart."""
        ranked = sorted(self.rows, key=lambda r: (-len(r.values), -max(r.values.values(), default=0)))
        return [(r.label, r.values) for r in ranked[:top]]


def _row_key(r: Report, by: str) -> tuple[str, tuple]:
    region = (r.province, r.city, r.county)
    if by == "province":
        return (r.province or "（未知省份）"), (r.province, None, None)
    if by == "city":
        name = " ".join(x for x in (r.province, r.city) if x) or "（未知地区）"
        return name, (r.province, r.city, None)
    if by == "county":
        name = " ".join(x for x in region if x) or "（未知地区）"
        return name, region
    # one body, one row: its reports of all years line up under its issuer_id, whatever name each title gives it
    return (r.issuer or r.title or r.id), region


def _group_key(r: Report, by: str, label: str) -> str:
    return (r.issuer_id or label) if by == "issuer" else label


def build_table(reports: Iterable[Report], field_key: str, by: str = "issuer") -> CompareTable:
    if by not in GROUPINGS:
        raise ValueError(f"未知的分组方式：{by}")
    rows: dict[str, CompareRow] = {}
    years: set[int] = set()
    missing = 0
    for r in reports:
        v = r.fields.get(field_key)
        if v is None or r.year is None:
            missing += 1
            continue
        label, (prov, city, county) = _row_key(r, by)
        row = rows.setdefault(_group_key(r, by, label), CompareRow(label, prov, city, county))
        if r.year >= max(row.values, default=r.year):
            row.label = label  # the body's name as its newest report gives it
        # several reports for one row and year (departments summed into a region, or a duplicate): add up
        row.values[r.year] = row.values.get(r.year, 0) + v
        row.reports.setdefault(r.year, []).append(r.id)
        years.add(r.year)
    ordered = sorted(rows.values(), key=lambda x: (x.province or "", x.city or "", x.county or "", x.label))
    return CompareTable(field_key, by, sorted(years), ordered, missing)


def to_csv(table: CompareTable) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([GROUPINGS[table.by], "省份", "城市", "区县", *[f"{y}年" for y in table.years]])
    for row in table.rows:
        w.writerow([row.label, row.province or "", row.city or "", row.county or "",
                    *[_cell(row.values.get(y)) for y in table.years]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _cell(v) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)
