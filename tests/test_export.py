"""Export rows: one per report, metadata + every field, CSV with Chinese headers and a BOM, JSON with keys."""

from __future__ import annotations

import csv
import io
import json

import pytest

from indexer.export import columns, export, report_row
from indexer.model import Report, Warning
from indexer.parse.tables.catalogue import FIELD_KEYS


def _reports() -> list[Report]:
    a = Report(id="a1", title="平潭综合实验区2021年政府信息公开工作年度报告", issuer="平潭综合实验区管委会", year=2021,
               template="2021", province="福建省", fields={"apply.new.total": 70, "active.fees.amount_wan": 24252.311082,
                                                           "review.total": 3},
               warnings=[Warning("check.apply.balance", "x", "apply.result.total.total")])
    b = Report(id="b2", title="某县2015年政府信息公开工作年度报告", year=2015, template="pre2019",
               fields={"legacy.active_total": 2949})
    return [a, b]


def test_csv_has_bom_chinese_headers_and_every_field():
    buf = io.BytesIO()
    assert export(_reports(), buf, "csv") == 2
    data = buf.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    assert len(header) == len(columns()) == 15 + len(FIELD_KEYS) + 1  # 15 metadata keys since issuer_id (issue 11)
    assert header[:2] == ["编号", "标题"] and "依申请·本年新收政府信息公开申请数量·总计" in header
    assert "主动公开·行政事业性收费·本年收费金额（万元）" in header and "提示" in header
    first = dict(zip(header, rows[1]))
    assert first["依申请·本年新收政府信息公开申请数量·总计"] == "70"
    assert first["主动公开·行政事业性收费·本年收费金额（万元）"] == "24252.311082"
    assert first["行政复议·总计"] == "3" and first["提示"] == "check.apply.balance"
    second = dict(zip(header, rows[2]))
    assert second["行政复议·总计"] == "" and second["主动公开政府信息数"] == "2949"


def test_csv_machine_keys_option():
    buf = io.BytesIO()
    export(_reports(), buf, "csv", labels="key")
    header = next(csv.reader(io.StringIO(buf.getvalue().decode("utf-8-sig"))))
    assert header == columns() and "apply.new.total" in header


def test_json_rows_use_keys_and_nulls():
    buf = io.BytesIO()
    export(_reports(), buf, "json")
    rows = json.loads(buf.getvalue().decode("utf-8"))
    assert rows[0]["apply.new.total"] == 70 and rows[1]["apply.new.total"] is None
    assert rows[1]["template"] == "pre2019" and set(rows[0]) == set(columns())


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        export(_reports(), io.BytesIO(), "xlsx")
    with pytest.raises(ValueError):
        export(_reports(), io.BytesIO(), "csv", labels="fr")


def test_report_row_is_flat():
    row = report_row(_reports()[0])
    assert row["id"] == "a1" and row["review.total"] == 3 and row["litigation.direct.total"] is None
