"""Figures the prose states (共受理政府信息公开申请232件，其中自然人申请212件 …) settle the cells of a glued table that its
own rules leave open; they never change a figure the table gives by itself (a difference is a check.prose warning)."""

from __future__ import annotations

import pytest

from indexer.model import Document
from indexer.parse.tables import extract_fields
from indexer.parse.tables.catalogue import REVIEW_KEYS
from indexer.parse.tables.prose import prose_figures
from test_tables_synthetic import DENIED, REJECTED, UNABLE


def _said(text: str) -> dict[tuple[str, ...], int]:
    return {s.keys: s.value for s in prose_figures(text)}


def test_statements_read_from_prose():
    said = _said("2020年，本机关共收到政府信息公开申请25件（含上年结转3件），其中自然人申请20件，法人或其他组织申请5件；"
                 "办结23件，2件结转下年度继续办理。被申请行政复议2件，其中结果维持1件，尚未审结1件；未发生行政诉讼。")
    orgs = tuple(f"apply.new.{c}" for c in ("commercial", "research", "social_welfare", "legal_service", "other_org"))
    assert said == {
        ("apply.new.total", "apply.carried_over.total"): 25, ("apply.carried_over.total",): 3,
        ("apply.new.natural_person",): 20, orgs: 5, ("apply.result.total.total",): 23,
        ("apply.carried_forward.total",): 2, ("review.total",): 2, ("review.upheld",): 1, ("review.pending",): 1,
        ("litigation.direct.total", "litigation.after_review.total"): 0,
    }
    # the real wordings of the labelled reports
    assert _said("2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度\n"
                 "答复）") == {("apply.new.total",): 3119, ("apply.result.total.total",): 3050,
                              ("apply.carried_over.total",): 34, ("apply.carried_forward.total",): 103}
    assert _said("规范依申请公开答复文书格式。本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。") == {
        ("apply.new.total",): 70, ("apply.result.total.total",): 69, ("apply.carried_forward.total",): 1}


@pytest.mark.parametrize("text", [
    "较上年受理政府信息公开申请15件有所增加。",  # another year
    "同比上年度收到政府信息公开申请15件增长20%。",
    "共受理群众诉求348件，办结162件。",  # not about information requests
    "人大代表建议131件已办结92件。",
    "受理政府信息公开申请12件。……全年受理政府信息公开申请15件。",  # the text is not sure of itself
])
def test_what_is_not_a_statement(text):
    assert ("apply.new.total",) not in _said(text) and ("apply.result.total.total",) not in _said(text)


# --- table 三 glued on one line: the new row reads 212/11/9 or 212/1/19 (and 予以公开, （七）总计 likewise); the
# column rules cannot choose, since every row that varies varies the same way

def _apply_text(prose: str) -> str:
    rows = {"new": [212, 11, 9, 0, 0, 0, 232], "result.public": [0, 11, 0, 0, 0, 0, 11],
            "result.partial": [0, 0, 9, 0, 0, 0, 9], "result.denied.state_secret": [26, 0, 0, 0, 0, 0, 26],
            "result.denied.law_prohibited": [19, 0, 0, 0, 0, 0, 19], "result.denied.third_party": [125, 0, 0, 0, 0, 0, 125],
            "result.unable.unclear": [5, 0, 0, 0, 0, 0, 5], "result.rejected.petition": [7, 0, 0, 0, 0, 0, 7],
            "result.rejected.repeat": [22, 0, 0, 0, 0, 0, 22], "result.rejected.mass": [5, 0, 0, 0, 0, 0, 5],
            "result.other": [3, 0, 0, 0, 0, 0, 3], "result.total": [212, 11, 9, 0, 0, 0, 232]}
    labels = [("", "一、本年新收政府信息公开申请数量", "new"), ("", "二、上年结转政府信息公开申请数量", "carried_over"),
              ("三、本年度办理结果", "（一）予以公开", "result.public"),
              ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result.partial")]
    keys = ("state_secret", "law_prohibited", "security", "third_party", "internal", "process", "enforcement", "query")
    labels += [("（三）不予公开" if i == 1 else "", f"{i}.{t}", f"result.denied.{k}") for i, (k, t) in enumerate(zip(keys, DENIED), 1)]
    labels += [("（四）无法提供" if i == 1 else "", f"{i}.{t}", f"result.unable.{k}") for i, (k, t) in enumerate(UNABLE, 1)]
    labels += [("（五）不予处理" if i == 1 else "", f"{i}.{t}", f"result.rejected.{k}") for i, (k, t) in enumerate(REJECTED, 1)]
    labels += [("", "（六）其他处理", "result.other"), ("", "（七）总计", "result.total"),
               ("", "四、结转下年度继续办理", "carried_forward")]
    table = "".join(p + label + "".join(map(str, rows.get(k, [0] * 7))) for p, label, k in labels)
    return (f"三、收到和处理政府信息公开申请情况\n{prose}\n" + table +
            "\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n")


def _apply(prose: str):
    return extract_fields(Document(text=_apply_text(prose), source="x", format="txt"), [], "2019", 2020)


OPEN = ("apply.new.commercial", "apply.new.research", "apply.result.public.commercial",
        "apply.result.public.research", "apply.result.total.commercial", "apply.result.total.research")


def test_apply_cells_the_rules_leave_open_stay_out_without_prose():
    fields, warnings = _apply("本年度共收到政府信息公开申请232件。")  # the total, which every reading agrees on
    assert not any(k in fields for k in OPEN)
    assert fields["apply.new.total"] == 232 and fields["apply.new.natural_person"] == 212
    assert any(w.code == "table.ambiguous" and w.field == "apply.new" for w in warnings)
    assert not any(w.code in ("table.prose", "check.prose") for w in warnings)


def test_apply_cells_settled_by_the_prose():
    fields, warnings = _apply("本年度共收到政府信息公开申请232件，其中自然人申请212件，商业企业申请11件，科研机构申请9件。")
    assert [fields[k] for k in OPEN] == [11, 9, 11, 0, 11, 9]
    assert fields["apply.result.partial.research"] == 9
    notes = [w for w in warnings if w.code == "table.prose"]
    assert {w.field for w in notes} == {"apply.new", "apply.result.public", "apply.result.total"}
    assert "商业企业申请11件" in notes[0].message
    assert not any(w.code in ("table.ambiguous", "check.prose") for w in warnings)


def test_apply_prose_that_no_reading_agrees_with_settles_nothing():
    fields, warnings = _apply("本年度共收到政府信息公开申请232件，其中商业企业申请5件。")
    assert not any(k in fields for k in OPEN)
    assert any(w.code == "table.ambiguous" for w in warnings)
    assert [w.field for w in warnings if w.code == "check.prose"] == ["apply.new.commercial"]


# --- table 四: '11000110200204004' is 复议 11/0/0/0/11 or 1/10/0/0/11 (test_tables_layouts.test_glued_review_run)

def _review(prose: str):
    text = ("四、政府信息公开行政复议、行政诉讼情况\n" + prose + "\n行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉"
            "复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计11000110200204004"
            "五、存在的主要问题及改进情况")
    fields, warnings = extract_fields(Document(text=text, source="x", format="txt"), [], "2021", 2021)
    return tuple(fields.get(k) for k in REVIEW_KEYS), warnings


def test_review_run_settled_by_the_prose():
    got, warnings = _review("全年被申请行政复议11件，其中结果维持11件；被提起行政诉讼6件。")
    assert got == (11, 0, 0, 0, 11, 0, 2, 0, 0, 2, 0, 4, 0, 0, 4)
    assert [w.code for w in warnings if w.code.startswith(("table.", "check."))] == ["table.prose"]


@pytest.mark.parametrize("prose,contradicted", [
    ("全年被申请行政复议11件。", None),  # true, but both readings say so
    ("", None),
    ("全年被申请行政复议11件，其中结果维持5件。", "review.upheld"),
])
def test_review_run_left_open(prose, contradicted):
    got, warnings = _review(prose)
    assert got == (None, None, 0, 0, 11, 0, 2, 0, 0, 2, 0, 4, 0, 0, 4)
    assert any(w.code == "table.ambiguous" for w in warnings)
    assert [w.field for w in warnings if w.code == "check.prose"] == ([contradicted] if contradicted else [])


def test_a_reading_unique_by_itself_is_never_changed_by_the_prose():
    text = ("四、政府信息公开行政复议、行政诉讼情况\n全年被申请行政复议5件，被提起行政诉讼12件。\n行政复议行政诉讼结果维持结果纠正其他结果"
            "尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
            "10203120001200000五、存在的主要问题及改进情况")
    fields, warnings = extract_fields(Document(text=text, source="x", format="txt"), [], "2021", 2021)
    assert tuple(fields.get(k) for k in REVIEW_KEYS) == (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)
    checks = [w for w in warnings if w.code == "check.prose"]
    assert [w.field for w in checks] == ["review.total"] and "统计表为3" in checks[0].message


# --- table 二 (2021): no sum rule at all, so a glued run of three cells is read only when the prose settles it

@pytest.mark.parametrize("prose,expected", [
    ("", None),
    ("本年制发行政规范性文件12件，现行有效行政规范性文件45件。", (12, 3, 45)),
    ("本年制发行政规范性文件12件。", (12, None, None)),
])
def test_active_row_settled_by_the_prose(prose, expected):
    text = (f"二、主动公开政府信息情况\n{prose}\n第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000"
            "行政规范性文件12345第二十条第（五）项信息内容本年处理决定数量行政许可7\n三、收到和处理政府信息公开申请情况\n")
    fields, warnings = extract_fields(Document(text=text, source="x", format="txt"), [], "2021", 2021)
    got = tuple(fields.get(f"active.normative.{c}") for c in ("issued", "repealed", "in_force"))
    assert got == (expected or (None, None, None))
    assert fields["active.rules.in_force"] == 0
    assert any(w.code == "table.prose" for w in warnings) == bool(expected)
