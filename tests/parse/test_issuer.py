"""The issuing body: its formal name, the signature that completes its place, and issuer_id — one key per body
across years and title variants (what the year-over-year comparison lines reports up by)."""

from __future__ import annotations

import pytest

from indexer.model import Document
from indexer.parse import parse_document
from indexer.parse.issuer import issuer_id, place_in_full, signature_of
from indexer.parse.regions import resolve_region


def report(title: str, signature: str = "", year_text: str = ""):
    text = f"{title}\n一、总体情况\n甲。{year_text}\n二、主动公开政府信息情况\n乙。\n{signature}\n2021年1月20日"
    return parse_document(Document(text, "t", "txt"))


def test_one_government_one_id_across_title_variants_and_years():
    ids = {report(t).issuer_id for t in ("晋城市2019年政府信息公开工作年度报告", "晋城市人民政府2020年政府信息公开工作年度报告",
                                         "晋城市人民政府办公室2021年政府信息公开工作年度报告",
                                         "2022年晋城市人民政府政府信息公开工作年度报告")}
    assert ids == {"140500/政府"}


def test_a_department_keeps_its_name_and_short_forms_meet_full_ones():
    a = report("合肥市卫健委2020年政府信息公开工作年度报告")
    b = report("合肥市卫生健康委员会2021年政府信息公开工作年度报告")
    assert a.issuer == "合肥市卫健委" and a.body_type == "部门"
    assert a.issuer_id == b.issuer_id == "340100/部门/卫生健康委员会"
    assert report("合肥市教育局2021年政府信息公开工作年度报告").issuer_id == "340100/部门/教育局"


def test_a_zone_inside_a_place_is_not_the_places_government():
    county = report("平潭县人民政府2011年政府信息公开工作年度报告").issuer_id
    zone = report("平潭综合实验区2015年度政府信息公开工作年度报告")
    assert zone.issuer == "平潭综合实验区管理委员会"
    assert county == "350128/政府" and zone.issuer_id == "350128/政府/综合实验区"


def test_a_recoded_place_keeps_its_key():
    """平安县 (630221) became 平安区 (630203): both years' reports share today's code."""
    old = resolve_region("平安县人民政府", year=2014)
    new = resolve_region("平安区人民政府", year=2020)
    assert old.region_code != new.region_code
    assert issuer_id("平安县人民政府", old) == issuer_id("平安区人民政府", new) == "630203/政府"


def test_no_key_without_a_place():
    assert report("某某县2020年政府信息公开工作年度报告").issuer_id is None


@pytest.mark.parametrize("lines,signature", [
    (["五、其他", "无。", "利川市团堡镇人民政府", "2021年1月20日"], "利川市团堡镇人民政府"),
    (["无。", "利川市团堡镇人民政府 2021年1月20日"], "利川市团堡镇人民政府"),
    (["……特此报告。利川市团堡镇人民政府 2021年1月20日"], "利川市团堡镇人民政府"),
    (["联系电话：0718-1234567", "2021年1月20日"], None),
    (["本机关将继续推进政务公开工作，不断提高工作水平。"], None),
])
def test_signature(lines, signature):
    assert signature_of(lines) == signature


def test_place_in_full_takes_parents_only_from_a_line_naming_the_same_body():
    assert place_in_full("团堡镇", ["利川市团堡镇人民政府"]) == "利川市团堡镇"
    assert place_in_full("团堡镇", ["利川市人民政府", None]) == "团堡镇"
    assert place_in_full("武威市", ["武威市人民政府办公室"]) == "武威市"
