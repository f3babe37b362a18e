"""Export: one row per report with its metadata and every table field (FIELDS.md), as CSV or JSON.

CSV headers are the Chinese labels by default (``labels="key"`` for the machine keys) and the file is UTF-8 with a
BOM so that Excel opens it as Unicode.  A field the report does not give is an empty cell (CSV) / null (JSON).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from typing import IO, Any, Iterable, Iterator, Sequence

from indexer.model import METADATA_KEYS, Report
from indexer.parse.tables.catalogue import FIELD_KEYS, FIELD_LABELS

METADATA_LABELS: dict[str, str] = {
    "id": "编号", "title": "标题", "issuer": "发布机关", "issuer_id": "机关编码", "province": "省级", "city": "地级",
    "county": "县级", "township": "乡级", "region_code": "区划代码", "level": "层级", "body_type": "机关类型", "year": "年度",
    "published": "发布日期", "template": "模板", "source": "来源",
}
WARNINGS_KEY = "warnings"
WARNINGS_LABEL = "提示"
LABEL_STYLES = ("zh", "key")
FORMATS = ("csv", "json")


def columns(fields: Sequence[str] | None = None) -> list[str]:
    """Machine keys of the export columns, in order: metadata, the fields (every field unless given), the warning
    codes."""
    return list(METADATA_KEYS) + list(FIELD_KEYS if fields is None else fields) + [WARNINGS_KEY]


def check_fields(fields: Sequence[str]) -> list[str]:
    """The given field keys, or ValueError naming those FIELDS.md does not define."""
    unknown = [f for f in fields if f not in FIELD_LABELS]
    if unknown:
        from indexer.engine.query import unknown_key_message

        raise ValueError("；".join(unknown_key_message(f) for f in unknown))
    return list(fields)


def column_label(key: str, labels: str = "zh") -> str:
    if labels == "key":
        return key
    if key == WARNINGS_KEY:
        return WARNINGS_LABEL
    return METADATA_LABELS.get(key) or FIELD_LABELS.get(key, key)


def report_row(report: Report, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """One report as a flat dict keyed by machine keys (None where the report has no value)."""
    row: dict[str, Any] = {k: getattr(report, k) for k in METADATA_KEYS}
    for key in FIELD_KEYS if fields is None else fields:
        row[key] = report.fields.get(key)
    row[WARNINGS_KEY] = ";".join(sorted({w.code for w in report.warnings}))
    return row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def write_csv(reports: Iterable[Report], out: IO[bytes], labels: str = "zh",
              fields: Sequence[str] | None = None) -> int:
    """Write the CSV (UTF-8 with BOM) to a binary stream; returns the number of reports written."""
    if labels not in LABEL_STYLES:
        raise ValueError(f"labels must be one of {LABEL_STYLES}")
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    cols = columns(fields)
    writer.writerow([column_label(c, labels) for c in cols])
    n = 0
    for report in reports:
        row = report_row(report, fields)
        writer.writerow([_cell(row[c]) for c in cols])
        n += 1
    text.flush()
    text.detach()
    return n


def csv_chunks(reports: Iterable[Report], labels: str = "zh", fields: Sequence[str] | None = None,
               rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV of write_csv in pieces of ``rows_per_chunk`` rows, for a response that streams (no whole file in
    memory)."""
    buf = io.BytesIO()
    batch: list[Report] = []
    first = True
    for report in reports:
        batch.append(report)
        if len(batch) == rows_per_chunk:
            yield _csv_piece(batch, buf, labels, fields, header=first)
            batch, first = [], False
    if batch or first:
        yield _csv_piece(batch, buf, labels, fields, header=first)


def _csv_piece(reports: list[Report], buf: io.BytesIO, labels: str, fields: Sequence[str] | None,
               header: bool) -> bytes:
    buf.seek(0)
    buf.truncate()
    write_csv(reports, buf, labels, fields)
    data = buf.getvalue()
    if header:
        return data
    return data[len(codecs.BOM_UTF8):].split(b"\r\n", 1)[1]  # later pieces: no BOM, no header line


def json_chunks(reports: Iterable[Report], labels: str = "key", fields: Sequence[str] | None = None) -> Iterator[bytes]:
    """{"columns": …, "rows": […], "total": n} as the web export sends it, a row at a time."""
    cols = [column_label(c, labels) for c in columns(fields)]
    yield b'{"columns":' + json.dumps(cols, ensure_ascii=False).encode("utf-8") + b',"rows":['
    n = 0
    for row in json_rows_iter(reports, labels, fields):
        yield (b"," if n else b"") + json.dumps(row, ensure_ascii=False).encode("utf-8")
        n += 1
    yield b'],"total":' + str(n).encode() + b"}"


def json_rows_iter(reports: Iterable[Report], labels: str = "key",
                   fields: Sequence[str] | None = None) -> Iterator[dict]:
    if labels not in LABEL_STYLES:
        raise ValueError(f"labels must be one of {LABEL_STYLES}")
    for r in reports:
        yield {column_label(k, labels): v for k, v in report_row(r, fields).items()}


def json_rows(reports: Iterable[Report], labels: str = "key", fields: Sequence[str] | None = None) -> list[dict]:
    """Row objects (machine keys by default) for a JSON export."""
    return list(json_rows_iter(reports, labels, fields))


def write_json(reports: Iterable[Report], out: IO[bytes], labels: str = "key",
               fields: Sequence[str] | None = None) -> int:
    """Write a JSON array of row objects (machine keys by default) to a binary stream."""
    rows = json_rows(reports, labels, fields)
    out.write(json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8"))
    return len(rows)


def export(reports: Iterable[Report], out: IO[bytes], fmt: str = "csv", labels: str | None = None,
           fields: Sequence[str] | None = None) -> int:
    """`nianbao export` and /api/export: CSV (Chinese headers) or JSON (machine keys) unless `labels` says
    otherwise; every field unless `fields` names some."""
    if fmt == "csv":
        return write_csv(reports, out, labels or "zh", fields)
    if fmt == "json":
        return write_json(reports, out, labels or "key", fields)
    raise ValueError(f"format must be one of {FORMATS}")
