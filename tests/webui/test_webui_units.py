"""Pure parts of the web UI: highlighting, request parameters, the SVG chart, the compare table and its CSV."""

from __future__ import annotations

import csv
import io
import random
import re

import pytest
from werkzeug.datastructures import MultiDict

from indexer.model import Report
from indexer.normalize import normalize
from webui.charts import chart, nice_ticks
from webui.compare import build_table, to_csv
from webui.highlight import _normalised_with_map, find_spans, highlight, query_terms
from webui.params import ParamError, parse_search_args
from webui.stattables import field_labels, layout


# -- highlighting --------------------------------------------------------------------------------------------------

def test_match_across_pdf_line_breaks_and_spaces_maps_back_to_original_text():
    text = "推进政务公\n开培训，发布 政 务 新 媒 体 信息"
    out = str(highlight(text, query_terms("政务公开 政务新媒体")))
    assert "<mark>政务公\n开</mark>培训" in out
    assert "<mark>政 务 新 媒 体</mark> 信息" in out


def test_full_width_and_case_match_like_the_index():
    assert str(highlight("ＩＳＯ ９００１ 认证", query_terms("iso 9001"))) == "<mark>ＩＳＯ</mark> <mark>９００１</mark> 认证"


def test_text_is_escaped_before_marking():
    out = str(highlight('<script>alert("x")</script> 政务公开 <b>', ["政务公开"]))
    assert "<script>" not in out and "&lt;script&gt;" in out and "<mark>政务公开</mark>" in out and "&lt;b&gt;" in out


def test_a_query_that_looks_like_markup_cannot_inject_it():
    out = str(highlight("a<b>c", query_terms("<b>")))
    assert out == "a<mark>&lt;b&gt;</mark>c"


def test_phrase_wins_over_its_own_words_and_matches_do_not_overlap():
    spans = find_spans("政务新媒体和政务", query_terms('"政务新媒体" 政务'))
    assert spans == [(0, 5), (6, 8)]


def test_query_terms_drop_operators_exclusions_and_field_prefixes():
    assert query_terms('政务新媒体 AND "依申请 公开" -网站 OR section:requests') == ["政务新媒体", "依申请公开"]
    assert query_terms("") == []


@pytest.mark.parametrize("seed", range(20))
def test_mapped_normal_form_equals_normalize(seed):
    rng = random.Random(seed)
    alphabet = "政务公开ab AZ09 \n\t\u3000\u200b\u00a0（）()ＡＢ１ß\ufeffｶ"
    text = "".join(rng.choice(alphabet) for _ in range(60))
    norm, origin = _normalised_with_map(text)
    assert norm == normalize(text)
    assert len(origin) == len(norm) and origin == sorted(origin)


# -- parameters ----------------------------------------------------------------------------------------------------

def test_filters_repeat_or_comma_separate_and_unknown_sort_is_refused():
    p = parse_search_args(MultiDict([("q", " 政务 "), ("province", "甘肃省,青海省"), ("province", "甘肃省"),
                                     ("year", "2018-2020"), ("limit", "5"), ("offset", "10")]))
    assert (p.q, p.filters, p.limit, p.offset) == ("政务", {"province": ["甘肃省", "青海省"], "year": ["2018-2020"]}, 5, 10)
    with pytest.raises(ParamError):
        parse_search_args(MultiDict([("sort", "random")]))
    with pytest.raises(ParamError):
        parse_search_args(MultiDict([("limit", "x")]))
    with pytest.raises(ParamError):
        parse_search_args(MultiDict([("limit", "100000")]))


def test_page_state_round_trips_and_removing_a_province_drops_its_cities():
    p = parse_search_args(MultiDict([("q", "政务"), ("province", "甘肃省"), ("city", "武威市"), ("page", "3")]), paged=True)
    assert p.offset == 40
    again = parse_search_args(p.args(), paged=True)
    assert (again.q, again.filters, again.offset) == (p.q, p.filters, p.offset)
    assert dict(p.without("province", "甘肃省").lists()) == {"q": ["政务"]}
    assert "page" not in p.without("city", "武威市")


def test_a_long_issuer_facet_lists_the_commonest_and_keeps_the_ticked_ones():
    from webui.params import SearchParams
    from webui.views import FACET_MAX_SHOWN, _chips, _facet_groups

    values = [{"value": f"{i:06d}/政府", "label": f"机关{i}", "count": 1000 - i} for i in range(FACET_MAX_SHOWN + 50)]
    ticked = values[-1]  # the rarest, ticked by its name (a typed link)
    params = SearchParams(filters={"issuer": [ticked["label"]]})
    group = next(g for g in _facet_groups(params, {"issuer": values}) if g["key"] == "issuer")
    assert len(group["values"]) == FACET_MAX_SHOWN and group["more"] == 50
    first = group["values"][0]
    assert (first["value"], first["label"], first["checked"]) == (ticked["value"], ticked["label"], True)
    assert [v["label"] for v in group["values"][1:4]] == ["机关0", "机关1", "机关2"]
    assert [c["label"] for c in _chips(SearchParams(filters={"issuer": [values[1]["value"]]}), {"issuer": values})] \
        == ["机关1"]


def test_a_province_typed_short_ticks_the_values_it_selects_not_a_value_of_its_own():
    """province=江苏 (a typed link) selects 江苏省 as the engine's filter does: 江苏省 is shown ticked with its count,
    and no "江苏 0" beside it; a ticked value that selects nothing here still stays visible with 0."""
    from webui.params import SearchParams
    from webui.views import _facet_groups

    facets = {"province": [{"value": "江苏省", "count": 3}, {"value": "甘肃省", "count": 2}]}
    group = next(g for g in _facet_groups(SearchParams(filters={"province": ["江苏"]}), facets)
                 if g["key"] == "province")
    assert [(v["value"], v["count"], v["checked"]) for v in group["values"]] == [("江苏省", 3, True),
                                                                                 ("甘肃省", 2, False)]
    group = next(g for g in _facet_groups(SearchParams(filters={"province": ["浙江"]}), facets)
                 if g["key"] == "province")
    assert [(v["value"], v["count"], v["checked"]) for v in group["values"]][0] == ("浙江", 0, True)


# -- chart ---------------------------------------------------------------------------------------------------------

def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 137) == [0, 50, 100, 150]
    ticks = nice_ticks(-3, 12)
    assert ticks[0] <= -3 and ticks[-1] >= 12


def test_chart_draws_lines_and_points_and_escapes_names():
    svg = str(chart([2019, 2020, 2021], [("<b>武威市</b>", {2019: 10, 2020: 30}), ("西宁市", {2019: 5, 2021: 8})]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="point"') == 4 and svg.count('class="line"') == 1  # 西宁市 has a gap in 2020
    assert "<b>" not in svg and "&lt;b&gt;武威市" in svg
    assert "style=" not in svg  # the CSP forbids inline styles


def test_chart_of_one_year_draws_bars():
    svg = str(chart([2020], [("甲", {2020: 3}), ("乙", {2020: 5})]))
    assert svg.count('class="bar"') == 2


# -- compare table -------------------------------------------------------------------------------------------------

def _r(i, issuer, city, year, v, field="apply.new.total"):
    return Report(id=f"r{i}", issuer=issuer, province="甘肃省", city=city, year=year, fields={field: v} if v is not None else {})


def test_compare_table_by_issuer_and_summed_by_city():
    reps = [_r(1, "武威市人民政府", "武威市", 2019, 10), _r(2, "武威市人民政府", "武威市", 2020, 12),
            _r(3, "武威市教育局", "武威市", 2020, 3), _r(4, "兰州市人民政府", "兰州市", 2019, 7), _r(5, "x", "兰州市", 2019, None)]
    t = build_table(reps, "apply.new.total")
    assert t.years == [2019, 2020] and t.missing == 1
    assert {r.label: r.values for r in t.rows} == {"武威市人民政府": {2019: 10, 2020: 12}, "武威市教育局": {2020: 3},
                                                   "兰州市人民政府": {2019: 7}}
    by_city = build_table(reps, "apply.new.total", "city")
    assert {r.label: r.values for r in by_city.rows}["甘肃省 武威市"] == {2019: 10, 2020: 15}
    with pytest.raises(ValueError):
        build_table(reps, "apply.new.total", "planet")


def test_compare_rows_are_bodies_not_names():
    """One body under several names (武威市 in one title, 武威市人民政府 in the next) is one row, named as its newest
    report names it; two bodies of one name stay apart."""
    reps = [_r(1, "武威市", "武威市", 2019, 10), _r(2, "武威市人民政府", "武威市", 2020, 12),
            _r(3, "武威市人民政府办公室", "武威市", 2021, 9)]
    for r in reps:
        r.issuer_id = "620600/政府"
    other = _r(4, "武威市人民政府", "武威市", 2019, 1)
    other.issuer_id = "620600/政府/某新区"
    t = build_table([*reps, other], "apply.new.total")
    assert sorted((r.label, tuple(sorted(r.values.items()))) for r in t.rows) == [
        ("武威市人民政府", ((2019, 1),)), ("武威市人民政府办公室", ((2019, 10), (2020, 12), (2021, 9)))]


def test_compare_csv_is_utf8_with_bom_and_keeps_chinese():
    data = to_csv(build_table([_r(1, "武威市人民政府", "武威市", 2019, 10)], "apply.new.total"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["发布机关", "省份", "城市", "区县", "2019年"], ["武威市人民政府", "甘肃省", "武威市", "", "10"]]


# -- statistics table layout ---------------------------------------------------------------------------------------

def test_layouts_use_fields_md_keys():
    keys_2021 = {k for t in layout("2021") for b in t.blocks for k in b.keys()}
    assert {"apply.new.total", "apply.result.other.misc.total", "review.upheld", "litigation.after_review.total",
            "active.fees.amount_wan", "active.rules.in_force"} <= keys_2021
    keys_2019 = {k for t in layout("2019") for b in t.blocks for k in b.keys()}
    assert {"active.procurement.amount_wan", "active.license.change", "apply.result.other.total"} <= keys_2019
    assert "apply.result.other.misc.total" not in keys_2019
    assert layout("pre2019") == ()
    labels = field_labels()
    assert labels["apply.new.total"].endswith("总计") and "series.applications" in labels
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", k) for k in labels)


def test_log_scale_keeps_small_values_apart_from_a_large_one():
    svg = str(chart([2019, 2020], [("大", {2019: 3000, 2020: 3100}), ("小", {2019: 5, 2020: 50})], log=True, height=380))
    ys = [float(v) for v in re.findall(r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    # on a linear axis 5 and 50 would sit within 6 px of each other; on the log axis they are far apart
    assert abs(ys[2] - ys[3]) > 40
    assert ">1,000<" in svg and ">10<" in svg


def test_highlight_marks_traditional_text_for_a_simplified_query():
    from webui.highlight import highlight, query_terms

    assert str(highlight("加強政務新媒體建設", query_terms("政务新媒体"))) == "加強<mark>政務新媒體</mark>建設"
    assert str(highlight("政务新媒体", query_terms("政務新媒體"))) == "<mark>政务新媒体</mark>"
