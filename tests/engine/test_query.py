"""The query language: parsing into the tree, and malformed input giving a clear QueryError (never anything else)."""

from __future__ import annotations

import math

import pytest

from indexer.engine.query import And, Filter, Not, Or, QueryError, Range, Text, parse_filters, parse_query, texts


def test_terms_are_required_and_normalised():
    assert parse_query("政务 新媒体") == And((Text("政务"), Text("新媒体")))
    assert parse_query("ＩＳＯ") == Text("iso")
    assert parse_query("") is None and parse_query("   ") is None


def test_quoted_phrases_keep_their_inside_whole():
    assert parse_query('"政务 新媒体"') == Text("政务新媒体")
    assert parse_query("“依申请 公开”") == Text("依申请公开")
    assert parse_query('"ISO 9001"') == Text("iso 9001")
    assert parse_query('"(一)"') == Text("(一)")


def test_or_not_and_parentheses():
    assert parse_query("a OR b") == Or((Text("a"), Text("b")))
    assert parse_query("a | b") == Or((Text("a"), Text("b")))
    assert parse_query("a -b") == And((Text("a"), Not(Text("b"))))
    assert parse_query("a NOT b") == And((Text("a"), Not(Text("b"))))
    assert parse_query("a AND b") == And((Text("a"), Text("b")))
    assert parse_query("（复议 OR 诉讼） 收费") == And((Or((Text("复议"), Text("诉讼"))), Text("收费")))
    assert parse_query("a or b") == And((Text("a"), Text("or"), Text("b")))  # lower-case 'or' is a word
    assert parse_query("政务 -") == And((Text("政务"), Text("-")))  # a lone dash is searched for


def test_field_filters():
    assert parse_query("province:甘肃") == Filter("province", "甘肃")
    assert parse_query("province：甘肃") == Filter("province", "甘肃")  # full-width colon
    assert parse_query('city:"武威市"') == Filter("city", "武威市")
    assert parse_query("year:2019") == Range("year", 2019, 2019)
    assert parse_query("year:2018-2020") == Range("year", 2018, 2020)
    assert parse_query("section:依申请公开") == Filter("section", "requests")
    assert parse_query("section:requests") == Filter("section", "requests")
    assert parse_query("level:县级") == Filter("level", "县级")


def test_numeric_field_filters():
    assert parse_query("apply.new.total:>100") == Range("apply.new.total", low=100, low_inclusive=False)
    assert parse_query("apply.new.total:>=100") == Range("apply.new.total", low=100)
    assert parse_query("apply.new.total:<5") == Range("apply.new.total", high=5, high_inclusive=False)
    assert parse_query("apply.new.total:<=5") == Range("apply.new.total", high=5)
    assert parse_query("apply.new.total:=3") == Range("apply.new.total", 3, 3)
    assert parse_query("apply.new.total:10-20") == Range("apply.new.total", 10, 20)
    r = parse_query("active.fees.amount_wan:>0.5")  # a real key (issue 14: an unknown key is an error)
    assert r.contains(0.6) and not r.contains(0.5) and r.high == math.inf


def test_urls_and_unknown_prefixes_are_plain_text():
    assert parse_query("http://www.gov.cn") == Text("http://www.gov.cn")
    assert parse_query("注:") == Text("注:")


@pytest.mark.parametrize("typed, meant", [
    ("apply.new.totl:>100", "apply.new.total"),
    ("provnce:甘肃", "province"),
    ("政务 Year:2019 cty:兰州", "city"),
    ("review.totl:1", "review.total"),
])
def test_unknown_keys_are_errors_naming_the_nearest_valid_keys(typed, meant):
    # issue 14.1: no silent zero for a mistyped key, in the query text or the API's filters
    with pytest.raises(QueryError) as e:
        parse_query(typed)
    msg = str(e.value)
    assert "您是不是要找" in msg and meant in msg and "\n" not in msg
    name = typed.split()[-1].partition(":")[0]
    if "." not in name:
        with pytest.raises(QueryError, match=meant):
            parse_filters({name: ["x"]})


def test_an_unknown_key_with_nothing_near_lists_the_filters():
    with pytest.raises(QueryError, match="province"):
        parse_query("colour:red")


def test_texts_lists_positive_terms_only():
    assert texts(parse_query("a (b OR c) -d NOT (e)")) == ["a", "b", "c"]


@pytest.mark.parametrize("bad, hint", [
    ('"政务新媒体', "引号"),
    ("(政务 OR 公开", "括号"),
    ("政务)", "右括号"),
    ("OR 政务", "OR"),
    ("政务 OR", "OR"),
    ("政务 AND", "AND"),
    ("政务 NOT", "缺少"),
    ("NOT", "缺少"),
    ("province:", "缺少取值"),
    ("year:二〇一九", "年份"),
    ("year:2020-2018", "下限"),
    ("section:不存在的章节", "章节"),
    ("apply.new.total:>abc", "数值"),
    ("x" * 2001, "太长"),
])
def test_malformed_queries_raise_clear_query_errors(bad, hint):
    with pytest.raises(QueryError) as e:
        parse_query(bad)
    msg = str(e.value)
    assert hint in msg and "\n" not in msg


def test_filters_are_validated():
    assert parse_filters({"province": ["甘肃"], "year": ["2018-2020"]}) == {
        "province": [Filter("province", "甘肃")], "year": [Range("year", 2018, 2020)]}
    assert parse_filters({"section": ["收费减免"]}) == {"section": [Filter("section", "fees")]}
    with pytest.raises(QueryError):
        parse_filters({"colour": ["red"]})
    with pytest.raises(QueryError):
        parse_filters({"year": ["soon"]})


@pytest.mark.parametrize("junk", ['"""', "((()))", ") (", "-(", "|||", "::", "year:", '""', "a:b:c", "\x00",
                                  "——", "-", "NOT NOT a", "(a) OR (b) AND -(c)"])
def test_junk_never_raises_anything_but_query_error(junk):
    try:
        parse_query(junk)
    except QueryError:
        pass


def test_search_reports_malformed_queries_as_query_errors(tmp_path):
    from indexer.engine.index import SearchIndex
    from indexer.model import Report, Section

    ix = SearchIndex(tmp_path / "ix")
    ix.update([Report(id="a", title="测试", year=2020, sections=[Section("s", "", "", 1, "overview", "政务新媒体")])])
    with pytest.raises(QueryError):
        ix.search("(政务")
    with pytest.raises(QueryError):
        ix.search("政务", sort="sideways")
    with pytest.raises(QueryError):
        ix.facets("政务", filters={"colour": ["red"]})
    assert ix.search("政务 apply.new.total:>1")["total"] == 0  # a field no report has: no match, no error
    ix.close()


def test_issuer_filters_take_an_issuer_id_or_a_formal_name():
    assert parse_query("issuer:620600/政府") == Filter("issuer", "620600/政府")
    assert parse_query("公开 Issuer：武威市人民政府") == And((Text("公开"), Filter("issuer", "武威市人民政府")))
    assert parse_query('-issuer:"350128/部门/综合实验区地方税务局"') == Not(
        Filter("issuer", "350128/部门/综合实验区地方税务局"))
    assert parse_filters({"issuer": ["620600/政府", " "]}) == {"issuer": [Filter("issuer", "620600/政府")]}
    with pytest.raises(QueryError, match="issuer"):
        parse_query("isuer:武威市人民政府")  # a mistyped key names the issuer filter
    with pytest.raises(QueryError, match="缺少取值"):
        parse_query("issuer:")


def test_filter_values_finds_every_issuer_in_the_tree():
    from indexer.engine.query import filter_values

    tree = parse_query("(issuer:a OR 公开) -issuer:b province:甘肃")
    assert filter_values(tree, "issuer") == ["a", "b"] and filter_values(None, "issuer") == []
