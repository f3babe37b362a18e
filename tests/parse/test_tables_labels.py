"""Every labelled field of the sample reports, read by extract_fields from the report's own file.

The pdfminer texts of the jiangsu PDFs (column-major cell dumps) are asserted from their PDF originals, and their text
form is checked for never emitting a wrong figure.
"""

from __future__ import annotations

import math

import pytest

from indexer.model import Document
from indexer.parse.tables import DECIMAL_FIELDS, extract_fields
from test_tables_support import LABELS, PDF_OF, document_for, sample_path, text_document

REPORTS = [n for n in LABELS if not n.startswith("_")]
_CACHE: dict[str, tuple[dict, list]] = {}


def fields_of(name: str):
    if name not in _CACHE:
        lab = LABELS[name]
        _CACHE[name] = extract_fields(document_for(name), [], lab.get("template"), lab.get("year"))
    return _CACHE[name]


CASES = [(n, k, v) for n in REPORTS for k, v in sorted(LABELS[n].get("fields", {}).items())]


@pytest.mark.parametrize("name,key,expected", CASES, ids=[f"{n}:{k}" for n, k, _ in CASES])
def test_labelled_field(name, key, expected):
    fields, _ = fields_of(name)
    assert key in fields, f"{key} not read"
    got = fields[key]
    if key in DECIMAL_FIELDS or isinstance(expected, float):
        assert math.isclose(got, expected, rel_tol=1e-9), (got, expected)
    else:
        assert got == expected and isinstance(got, int)


@pytest.mark.parametrize("name", REPORTS)
def test_no_contradicting_extra_fields(name):
    """Fields the labels leave out must still agree with the table's own arithmetic where derived."""
    fields, _ = fields_of(name)
    lab = LABELS[name]["fields"]
    for key, value in fields.items():
        if key in lab:
            continue
        if key.startswith("apply.result.other.") and key.count(".") == 3 and \
                f"apply.result.other.misc.{key.rsplit('.', 1)[1]}" in lab:
            col = key.rsplit(".", 1)[1]
            subs = [f"apply.result.other.{s}.{col}" for s in ("no_correction", "unpaid_fee", "misc")]
            assert value == sum(lab[s] for s in subs)  # 2021: 其他处理 = the sum of its sub-rows
        elif key.startswith("series."):
            continue
        elif LABELS[name].get("template") in ("2019", "2021") and len(lab) > 150:
            pytest.fail(f"{name}: {key}={value} emitted but the labels list the full table without it")


# Cells the _notes call ambiguous: they must be left out (a missing number is acceptable, a wrong one is not).
AMBIGUOUS = {
    "pingtan-004.txt": ["active.normative.issued", "active.normative.repealed", "active.normative.in_force"],
    "pingtan-009.txt": ["active.normative.made", "active.normative.published", "active.normative.total",
                        "active.license.prev_items", "active.license.change", "active.license.decisions",
                        "active.other_services.prev_items", "active.other_services.change",
                        "active.other_services.decisions", "active.penalty.change", "active.penalty.decisions",
                        "active.coercion.prev_items", "active.coercion.change", "active.coercion.decisions",
                        "active.procurement.items", "active.procurement.amount_wan"],
    "pingtan-001.txt": ["legacy.fees_yuan"],
    "pingtan-003.txt": ["legacy.litigation_total", "legacy.fees_yuan"],
}


@pytest.mark.parametrize("name,key", [(n, k) for n, ks in AMBIGUOUS.items() for k in ks])
def test_ambiguous_cells_left_out(name, key):
    fields, warnings = fields_of(name)
    assert key not in fields
    if key.startswith("active."):
        assert any(w.code == "table.ambiguous" and w.field == key for w in warnings)


@pytest.mark.parametrize("name", sorted(PDF_OF))
def test_pdfminer_text_never_wrong(name):
    """The column-major pdfminer text (labels first, then each column's figures): read, and never wrong."""
    lab = LABELS[name]
    fields, _ = extract_fields(text_document(sample_path(name)), [], lab["template"], lab["year"])
    wrong = {k: (v, lab["fields"][k]) for k, v in fields.items() if k in lab["fields"] and v != lab["fields"][k]}
    assert not wrong
    # every table is read from the column-major dump too (017's 二 even runs its figures past the next block header)
    missing = [k for k in lab["fields"] if k not in fields]
    assert not missing


def test_rule_breaking_reports_keep_printed_figures_and_warn():
    _, w18 = fields_of("jiangsu-018.txt")
    codes = {w.code for w in w18}
    assert {"check.review.total", "check.litigation.after_review.total"} <= codes
    _, w20 = fields_of("shanghai-020.html")
    row_total = [w for w in w20 if w.code == "check.apply.row_total"]
    assert any(w.field == "apply.result.public.total" and "272" in w.message for w in row_total)
    _, w09 = fields_of("pingtan-009.txt")
    assert any(w.code == "check.apply.result_sum" for w in w09)


def test_notes_units_and_signs():
    f3, w3 = fields_of("003_d2895bfa47dc94b8.txt")
    assert any(w.code == "field.note" and w.field == "active.procurement.items" and "含县区" in w.message for w in w3)
    f0, _ = fields_of("000_9cc224736a79167a.txt")
    assert f0["active.fees.change"] == -1 and f0["active.penalty.change"] == 355
    f20, _ = fields_of("shanghai-020.html")
    assert f20["active.procurement.amount_wan"] == 25.1


def test_series_across_templates():
    f4, _ = fields_of("pingtan-004.txt")
    assert f4["series.applications"] == 70 and f4["series.reviews"] == 3 and f4["series.lawsuits"] == 12
    f11, _ = fields_of("pingtan-011.txt")
    assert f11["series.applications"] == 0 and f11["series.lawsuits"] == 0


@pytest.mark.parametrize("text", [
    "", "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t1\t2",
    "第二十条第（一）项 规章 abc 四、政府信息公开行政复议 行政复议 行政诉讼 结果维持 9" * 3,
    "本年新收政府信息公开申请数量" + "9" * 400, "行政复议行政诉讼结果维持" + "1" * 200,
])
def test_damaged_tables_never_raise(text):
    fields, warnings = extract_fields(Document(text=text, source="x", format="txt"), [], "2021", 2021)
    assert isinstance(fields, dict) and isinstance(warnings, list)
