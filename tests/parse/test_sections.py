"""split_sections: the labelled section order of every bundled report, hand-made reports of other layouts, rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.parse.metadata import extract_metadata
from indexer.model import Document
from labelled import SAMPLE_DIRS, label_cases, load_document
from indexer.parse.sections import canonical_name, split_heading, split_sections, sub_canonical

def in_order(wanted: list[str], got: list[str]) -> bool:
    """``wanted`` is a subsequence of ``got`` (others may stand between)."""
    it = iter(got)
    return all(w in it for w in wanted)


def level1(sections) -> list[str]:
    return [s.canonical for s in sections if s.level == 1]


def check_structure(sections) -> None:
    anchors = [s.anchor for s in sections]
    assert len(anchors) == len(set(anchors))
    assert all(re.fullmatch(r"[a-z0-9-]+", a) for a in anchors)
    for s in sections:
        assert s.level == s.anchor.count("-") + 1
        if s.level > 1:  # a sub-section is of the kind its heading names, else of its level-1 section's (issue 11)
            parent = next(p for p in sections if p.anchor == s.anchor.split("-")[0])
            assert s.canonical == sub_canonical(s.heading, parent.canonical)


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_labelled_section_order(path, expected):
    _, body = extract_metadata(load_document(path))
    sections = split_sections(body)
    check_structure(sections)
    assert in_order(expected["sections"], level1(sections)), level1(sections)


def sections_of(path: Path):
    return split_sections(extract_metadata(load_document(path))[1])


def test_seed_004_duplicate_and_repeated_headings_are_kept():
    sections = sections_of(SAMPLE_DIRS["labels-seeds.json"] / "004_0ee5816b3d713d50.txt")
    top = [(s.number, s.canonical) for s in sections if s.level == 1 and s.number]
    assert top == [("一、", "overview"), ("一、", "unclassified"), ("三、", "proactive"), ("四、", "requests"),
                   ("五、", "fees"), ("六、", "appeals"), ("七、", "fees"), ("八、", "problems")]
    assert [s.anchor for s in sections if s.level == 1 and s.number] == [f"s{i}" for i in range(1, 9)]
    assert sections[0].canonical == "preamble" and sections[0].anchor == "s0"


def test_pdf_table_labels_are_not_sections():
    sections = sections_of(SAMPLE_DIRS["labels-real.json"] / "jiangsu-017.txt")
    headings = [s.heading for s in sections]
    assert [s.number for s in sections if s.level == 1 and s.number] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    for label in ("予以公开", "本年新收政府信息公开申请数量", "属于国家秘密", "结转下年度继续办理"):
        assert not any(h.startswith(label) for h in headings)
    requests = next(s for s in sections if s.canonical == "requests" and s.level == 1)  # （二）依申请公开情况 is too
    assert "本年新收政府信息公开申请数量" in requests.text and "3119" in requests.text


def test_one_line_dump_is_split_at_its_inline_headings():
    sections = sections_of(SAMPLE_DIRS["labels-real.json"] / "pingtan-001.txt")
    assert [(s.number, s.heading) for s in sections if s.level == 1] == [
        ("", ""), ("一、", "概述"), ("二、", "主动公开政府信息情况"), ("三、", "政府信息依申请公开工作情况"),
        ("四、", "政府信息公开工作存在的主要问题及改进情况"), ("附件1：", "平潭县人民政府2011年政府信息公开情况统计表")]
    overview = sections[1]
    assert overview.text.startswith("推进政府信息公开工作是平潭县贯彻实施")
    assert sections[-1].text.startswith("指标名称计量单位2011年度历年累计")


def test_heading_glued_to_a_table_figure_is_found():
    # '…政府集中采购39573802895.90元三、收到和处理政府信息公开申请情况（本列数据…'
    sections = sections_of(SAMPLE_DIRS["labels-real.json"] / "pingtan-009.txt")
    assert [s.number for s in sections if s.level == 1][1:] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert sections[-1].heading == "其他需要报告的事项" and sections[-1].text == "无其他需要报告的事项"


# ---------------------------------------------------------------------------------------------------------------
# Reports of other layouts (hand-made from the official formats)

TOWNSHIP_2022 = """\
某某镇人民政府2022年政府信息公开工作年度报告
本报告依据《中华人民共和国政府信息公开条例》编制，所列数据统计期限自2022年1月1日起至2022年12月31日止。
一、总体情况
2022年，某某镇深入推进政务公开。
（一）主动公开
全年主动公开政府信息215条。
（二）依申请公开
全年收到政府信息公开申请2件，均按期答复。
（三）政府信息管理
（四）政府信息公开平台建设
（五）监督保障
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2
（一）予以公开\t2\t0\t0\t0\t0\t0\t2
1.属于国家秘密 0 0 0 0 0 0 0
（七）总计\t2\t0\t0\t0\t0\t0\t2
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
四、政府信息公开行政复议、行政诉讼情况
行政复议\t行政诉讼
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
五、存在的主要问题及改进情况
基层公开标准化水平仍需提高。
六、其他需要报告的事项
本年度未收取信息处理费。
"""

DEPARTMENT_2020 = """\
某市交通运输局2020年政府信息公开工作年度报告
(一)编制依据。根据《条例》编制。
一、总体情况
(一)主动公开。全年主动公开信息356条。
1．政策解读。发布解读8篇。
2．回应关切。回应群众关切21次。
(二)依申请公开。收到申请3件。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
(一)申请受理情况
(二)办理结果
四、政府信息公开行政复议、行政诉讼情况
本年度无行政复议和行政诉讼。
五、存在的主要问题及改进情况
(一)存在问题
公开内容不够全面。
(二)改进措施
加强培训。
六、其他需要报告的事项
无。
"""

REPORT_2010 = """\
某某县人民政府2010年政府信息公开工作年度报告
本报告由概述、主动公开政府信息情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、因政府信息公开申请行政复议、提起行政诉讼的情况、政府信息公开工作存在的主要问题及改进情况、其他需要报告的事项共七个部分组成。
一、概述
2010年，我县认真贯彻《条例》，分一、二两个阶段推进工作。
二、主动公开政府信息情况
（一）主动公开政府信息的数量
全年主动公开政府信息1026条。
（二）主动公开的主要形式
三、依申请公开政府信息情况
全年未收到申请。
四、政府信息公开的收费及减免情况
未收取任何费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
无。
六、政府信息公开工作存在的主要问题及改进情况
个别部门更新不及时。
七、其他需要报告的事项
无。
附件：某某县2010年政府信息公开情况统计表
指标名称\t计量单位\t2010年度
主动公开信息数\t条\t1026
"""

ONE_LINE_2021 = (
    "根据《条例》要求编制本报告。如有疑问请与县政府办联系。一、总体情况2021年，我县坚持“一、二、三”工作法，"
    "全年主动公开信息900条。二、三季度开展专项检查。（一）主动公开方面。全年发布信息900条。 二、主动公开政府信息情况 "
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000 三、收到和处理政府信息公开申请情况"
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）一、本年新收政府信息公开申请数量500000 5"
    "四、结转下年度继续办理0000000 四、政府信息公开行政复议、行政诉讼情况 行政复议000000000000000"
    "五、存在的主要问题及改进情况一是公开质量有待提高。六、其他需要报告的事项 无。"
)


def test_township_2022_report():
    sections = split_sections(extract_metadata(Document(TOWNSHIP_2022, "t", "txt"))[1])
    check_structure(sections)
    assert level1(sections) == ["preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    assert [s.heading for s in sections if s.anchor.startswith("s1-")] == [
        "主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"]
    requests = next(s for s in sections if s.canonical == "requests" and s.level == 1)
    assert "1.属于国家秘密 0 0 0 0 0 0 0" in requests.text and "（一）予以公开\t2" in requests.text
    assert not any(s.anchor.startswith("s3-") for s in sections), "table rows are not sub-sections"


def test_department_report_with_sub_sections():
    meta, body = extract_metadata(Document(DEPARTMENT_2020, "t", "txt"))
    assert (meta.issuer, meta.year, meta.template) == ("某市交通运输局", 2020, "2019")
    sections = split_sections(body)
    check_structure(sections)
    # '(一)编制依据' before the first level-1 heading is preamble text, not a section
    assert sections[0].canonical == "preamble" and sections[0].text.startswith("(一)编制依据")
    assert [(s.anchor, s.number, s.heading) for s in sections if s.anchor.startswith("s1")] == [
        ("s1", "一、", "总体情况"), ("s1-1", "(一)", "主动公开"), ("s1-1-1", "1．", "政策解读"),
        ("s1-1-2", "2．", "回应关切"), ("s1-2", "(二)", "依申请公开")]
    by_anchor = {s.anchor: s for s in sections}
    assert by_anchor["s1-1"].text == "全年主动公开信息356条。"  # its own text, not its sub-sections'
    assert by_anchor["s1-1-1"].text == "发布解读8篇。"
    assert by_anchor["s5-2"].heading == "改进措施" and by_anchor["s5-2"].canonical == "problems"


def test_2010_report_with_seven_parts_and_appended_table():
    meta, body = extract_metadata(Document(REPORT_2010, "t", "txt"))
    assert (meta.year, meta.template) == (2010, "pre2019")
    sections = split_sections(body)
    check_structure(sections)
    assert level1(sections) == ["preamble", "overview", "proactive", "requests", "fees", "appeals", "problems",
                                "other", "statistics"]
    assert "一、二两个阶段" in sections[1].text
    assert sections[-1].number == "附件：" and "主动公开信息数\t条\t1026" in sections[-1].text


def test_one_line_2021_dump_with_numerals_in_prose():
    sections = split_sections(ONE_LINE_2021)
    check_structure(sections)
    assert level1(sections) == ["preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    overview = sections[1]
    assert "“一、二、三”工作法" in overview.text and "二、三季度开展专项检查" in overview.text
    assert "一、本年新收政府信息公开申请数量500000 5四、结转下年度继续办理" in sections[3].text
    assert sections[-1].text == "无。"


# ---------------------------------------------------------------------------------------------------------------
# Rules


@pytest.mark.parametrize("heading,canonical", [
    ("总体情况", "overview"), ("概述", "overview"), ("基本情况", "overview"), ("政府信息公开工作情况", "overview"),
    ("主动公开政府信息情况", "proactive"), ("收到和处理政府信息公开申请情况", "requests"),
    ("政府信息依申请公开工作情况", "requests"), ("依申请公开、不予公开及咨询政府信息情况", "requests"),
    ("政府信息公开的收费及减免情况", "fees"), ("因政府信息公开申请行政复议、提起行政诉讼的情况", "appeals"),
    ("政府信息公开行政复议、行政诉讼情况", "appeals"), ("申请行政复议、提起行政诉讼和申诉的情况", "appeals"),
    ("政府信息公开工作存在的主要问题及改进情况", "problems"), ("主要问题和改进措施", "problems"),
    ("其他需要报告的事项", "other"), ("平潭综合实验区政府信息公开情况统计表", "statistics"),
    ("审批事项及处理情况", "unclassified"), ("《陇南市2107年政务公开工作要点》落实情况", "unclassified"),
])
def test_canonical_names(heading, canonical):
    assert canonical_name(heading) == canonical


@pytest.mark.parametrize("rest,heading,body", [
    ("总体情况", "总体情况", ""),
    ("主动公开情况。2024年，市政府网站主动公开各类政府信息。", "主动公开情况", "2024年，市政府网站主动公开各类政府信息。"),
    ("总体情况2021年，我区以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。", "总体情况",
     "2021年，我区以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。"),
    (" 概述 推进政府信息公开是重要举措。", "概述", "推进政府信息公开是重要举措。"),
    ("概述2015年，在省政府办公厅的关心和指导下，我区不断深化公开内容，取得了一定成效。", "概述",
     "2015年，在省政府办公厅的关心和指导下，我区不断深化公开内容，取得了一定成效。"),
])
def test_split_heading(rest, heading, body):
    assert split_heading(rest, run_in=True) == (heading, body)


def test_inline_heading_with_space_after_the_comma():
    sections = split_sections("本报告由概述等五个部分组成。一、 概述 推进政府信息公开工作。二、主动公开政府信息情况 全年公开120条。")
    assert [(s.number, s.heading, s.text) for s in sections] == [
        ("", "", "本报告由概述等五个部分组成。"), ("一、", "概述", "推进政府信息公开工作。"),
        ("二、", "主动公开政府信息情况", "全年公开120条。")]


def test_prose_numerals_do_not_split():
    text = "全年分一、二、三批次公开。分为一、二两个阶段。通过“一、网站二、公报”两种渠道公开。"
    assert [s.canonical for s in split_sections(text)] == ["preamble"]


def test_sub_headings_outside_a_section_are_preamble_text():
    sections = split_sections("（一）编制依据\n1.依据条例\n一、总体情况\n（一）主动公开")
    assert [s.anchor for s in sections] == ["s0", "s1", "s1-1"]
    assert sections[0].text == "（一）编制依据\n1.依据条例"


def test_misnumbered_and_skipped_headings_are_kept_in_order():
    sections = split_sections("一、总体情况\n甲。\n三、主动公开政府信息情况\n乙。\n三、收到和处理政府信息公开申请情况\n丙。")
    assert [(s.anchor, s.number, s.canonical) for s in sections] == [
        ("s1", "一、", "overview"), ("s2", "三、", "proactive"), ("s3", "三、", "requests")]


def test_empty_body():
    assert split_sections("") == []


@pytest.mark.parametrize("row", [
    "（一）予以公开", "（二）部分公开（区分处理的，只计这一情", "（三）不", "1.属于国家秘密", "1.属于国家秘密 0 0 0",
    "一、本年新收政府信息公开申请数量", "四、结转下年度继续办理", "（七）总计", "1、政府网站公开数条294981916",
    "3.其他", "2.重复申请",
])
def test_table_rows_are_not_headings(row):
    sections = split_sections(f"三、收到和处理政府信息公开申请情况\n{row}")
    assert len(sections) == 1 and sections[0].text == row


@pytest.mark.parametrize("heading", ["（二）不予公开政府信息情况", "（一）政府网站公开情况", "（三）行政许可公开方面", "2.其他工作"])
def test_sub_headings_that_share_words_with_table_rows_are_headings(heading):
    sections = split_sections(f"三、依申请公开情况\n{heading}\n正文。")
    assert [s.anchor for s in sections] == ["s1", "s1-1"]


def test_heading_loses_its_trailing_colon():
    assert [s.heading for s in split_sections("一、总体情况：\n正文。")] == ["总体情况"]


def test_traditional_script_mirror():
    text = ("某市2019年政府資訊公開工作年度報告\n本報告所列數據統計期限自2019年1月1日至2019年12月31日。\n一、總體情況\n甲。\n"
            "二、主動公開政府資訊情況\n乙。\n三、收到和處理政府資訊公開申請情況\n（一）予以公開\n四、政府資訊公開行政複議、行政訴訟情況\n丙。\n"
            "五、存在的主要問題及改進情況\n丁。\n六、其他需要報告的事項\n無。")
    meta, body = extract_metadata(Document(text, "t", "txt"))
    assert (meta.title, meta.issuer, meta.year, meta.template) == ("某市2019年政府資訊公開工作年度報告", "某市", 2019, "2019")
    sections = split_sections(body)
    assert level1(sections) == ["preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    assert not any(s.level > 1 for s in sections)


def test_inline_headings_that_start_with_the_year():
    sections = split_sections("本报告依据《条例》编制。一、2019年政府信息公开工作总体情况 全年公开信息300条。"
                              "二、2019年主动公开政府信息情况 全年主动公开300条。")
    assert [(s.number, s.heading, s.canonical) for s in sections[1:]] == [
        ("一、", "2019年政府信息公开工作总体情况", "overview"), ("二、", "2019年主动公开政府信息情况", "proactive")]


def test_sub_sections_take_the_kind_their_heading_names():
    sections = split_sections("一、总体情况\n（一）主动公开\n甲。\n（二）依申请公开情况\n乙。\n（三）强化组织保障\n丙。\n"
                              "二、主动公开政府信息情况\n丁。")
    assert [(s.anchor, s.canonical) for s in sections] == [
        ("s1", "overview"), ("s1-1", "proactive"), ("s1-2", "requests"), ("s1-3", "overview"), ("s2", "proactive")]


def test_2019_samples_have_requests_sections():
    """The 依申请公开 filter (section:requests) finds the 2019+ format, where it is a sub-section of 总体情况."""
    for name in ("000_9cc224736a79167a.txt", "003_d2895bfa47dc94b8.txt"):
        sections = sections_of(SAMPLE_DIRS["labels-seeds.json"] / name)
        assert any(s.canonical == "requests" and s.level == 2 for s in sections), name


def test_unheaded_table_after_the_signing_date_is_statistics():
    text = ("一、概述\n甲。\n二、存在的主要问题及改进措施\n乙。\n某某县人民政府办公室\n二○一二年三月二十日\n"
            "指标名称\t单位\t统计数\n主动公开政府信息数\t条\t42")
    sections = split_sections(text)
    assert [(s.number, s.canonical) for s in sections] == [("一、", "overview"), ("二、", "problems"), ("", "statistics")]
    assert sections[1].text.endswith("二○一二年三月二十日")
    assert sections[2].text.startswith("指标名称")


def test_named_table_after_the_date_is_statistics_with_its_name():
    text = "一、概述\n甲。\n2012年3月20日\n某某县2011年政府信息公开情况统计表\n主动公开政府信息数\t条\t42"
    sections = split_sections(text)
    assert [(s.heading, s.canonical) for s in sections][-1] == ("某某县2011年政府信息公开情况统计表", "statistics")


def test_a_date_inside_the_text_does_not_start_a_table():
    sections = split_sections("一、概述\n2012年3月20日\n召开会议，部署工作。")
    assert len(sections) == 1
