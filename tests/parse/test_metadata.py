"""extract_metadata: every label (title, year, published, template) of the bundled reports, then one rule per test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.parse.metadata import Metadata, cn_number, detect_template, extract_metadata, match_title, parse_date
from indexer.model import Document
from labelled import ROOT, SAMPLE_DIRS, label_cases, load_document

_cache: dict[Path, tuple[Metadata, str]] = {}


def extracted(path: Path) -> tuple[Metadata, str]:
    if path not in _cache:
        _cache[path] = extract_metadata(load_document(path))
    return _cache[path]


def acceptable_titles(expected: dict) -> set[str]:
    """The label's title, plus the variants its _notes call acceptable ('either is acceptable')."""
    titles = {expected["title"]}
    notes = expected.get("_notes", "")
    if "acceptable" in notes:
        for quoted in re.findall(r"'([^']+)'", notes):
            compact = re.sub(r"\s", "", quoted)
            if compact.endswith("报告") and re.search(r"\d{4}年", compact):
                titles.add(compact.replace("…", ""))
        if "no 度" in notes:  # the body title drops the 度 of the page title
            titles.add(expected["title"].replace("年度政府", "年政府"))
        if "no '的'" in notes:
            titles.add(expected["title"].replace("工作年度报告", "工作的年度报告"))
    return titles


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_labelled_metadata(path, expected):
    meta, body = extracted(path)
    assert meta.title in acceptable_titles(expected)
    assert meta.year == expected["year"]
    assert meta.template == expected["template"]
    if "published" in expected:
        assert meta.published == expected["published"]
    assert body.strip(), "the report body must not be empty"


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_body_starts_after_metadata_chrome_and_title(path, expected):
    meta, body = extracted(path)
    first = body.split("\n")[0]
    for marker in ("标题:", "发布时间", "【制定机关】", "当前位置", "来源:", "来源：", "的函", "==="):
        assert marker not in first[:40]
    assert not first.startswith(meta.title or "\0")


@pytest.mark.parametrize("name,issuer", [
    ("000_9cc224736a79167a.txt", "武威市"),
    ("001_107764086d5c2c3a.txt", "青铜峡市"),
    ("002_ca63368030494e8a.txt", "武威市"),
    ("004_0ee5816b3d713d50.txt", "陇南市武都区"),
    ("pingtan-001.txt", "平潭县人民政府"),
    ("pingtan-003.txt", "平潭综合实验区地方税务局"),
    ("pingtan-004.txt", "平潭综合实验区"),
    ("jiangsu-017.txt", "淮安市人民政府"),
    ("jiangsu-018.txt", "淮安市洪泽区人民政府"),  # title says 洪泽区人民政府; the text's 编制 body is fuller
    ("jiangsu-019.txt", "淮安市洪泽区人民政府"),
])
def test_issuer_as_written(name, issuer):
    folder = SAMPLE_DIRS["labels-seeds.json"] if name[0].isdigit() else SAMPLE_DIRS["labels-real.json"]
    meta, _ = extracted(folder / name)
    assert meta.issuer == issuer


def test_compiler_is_exposed():
    meta, _ = extracted(ROOT / "samples" / "real" / "jiangsu-017.txt")
    assert meta.compiler == "淮安市人民政府办公室"


def test_cover_letter_gives_the_reports_title_and_is_not_body():
    meta, body = extracted(ROOT / "samples" / "seeds" / "002_ca63368030494e8a.txt")
    assert meta.title == "武威市2020年度政府信息公开工作年度报告"
    assert "报来" not in body and "请审示" not in body and "【字 号】" not in body
    assert body.startswith("本年度报告根据")


# ---------------------------------------------------------------------------------------------------------------
# Rules


def doc(text: str, **meta: str) -> Document:
    return Document(text=text, source="test", format="txt", meta=dict(meta))


@pytest.mark.parametrize("text,iso", [
    ("2018-02-01", "2018-02-01"),
    ("2021.03.03", "2021-03-03"),
    ("时间：2022-02-08 16:34", "2022-02-08"),
    ("2021年3月3日", "2021-03-03"),
    ("二○一二年二月二十日", "2012-02-20"),
    ("二〇二〇年十二月三十一日", "2020-12-31"),
    ("2018122", None),
    ("2021-13-01", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_cn_number():
    assert [cn_number(s) for s in ("二〇一九", "二十", "十二", "三十一", "十")] == [2019, 20, 12, 31, 10]


@pytest.mark.parametrize("title,issuer,year", [
    ("武威市2019年政府信息公开工作年度报告", "武威市", 2019),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
    ("平潭综合实验区地方税务局2013年 信息公开年度报告", "平潭综合实验区地方税务局", 2013),
    ("舒兰市2016年政务信息公开年度报告", "舒兰市", 2016),
    ("五蛟镇2020年政府信息公开年度报告", "五蛟镇", 2020),
    ("咸宁市2023年度政府信息公开工作报告", "咸宁市", 2023),
    ("新下陆街道办事处2022年度 政府信息公开工作年度报告", "新下陆街道办事处", 2022),
    ("国家税务总局武威市税务局二〇一九年政府信息公开工作年度报告", "国家税务总局武威市税务局", 2019),
    ("某县教育局政府信息公开工作年度报告（2018年度）", "某县教育局", 2018),
])
def test_title_variants(title, issuer, year):
    hit = match_title(title)
    assert hit is not None and hit.issuer == issuer and hit.year == year
    assert hit.title == re.sub(r"\s", "", title)


@pytest.mark.parametrize("prose", [
    "2019年，西宁市政府信息公开工作在市委、市政府的坚强领导下",
    "现将《武威市2020年度政府信息公开工作年度报告》报来,请审示。",
    "根据《福建省人民政府办公厅关于编制公布2021年政府信息公开工作年度报告有关事项的通知》等文件要求",
])
def test_prose_is_not_a_title(prose):
    assert match_title(prose) is None


def test_two_line_title_and_year_from_it():
    meta, body = extract_metadata(doc("淮安市人民政府\n\n2024 年政府信息公开工作年度报告\n\n本报告由淮安市人民政府办公室"
                                      "根据《条例》规定编制。\n一、总体情况\n2024年，我市……"))
    assert (meta.title, meta.issuer, meta.year, meta.template) == (
        "淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", 2024, "2021")
    assert body.startswith("本报告由")


def test_title_from_page_title_with_site_suffix_when_body_has_none():
    meta, body = extract_metadata(doc("根据《条例》要求编制本报告。本报告所列数据的统计期限自2018年1月1日起至2018年12月31日止。\n"
                                      "一、概述\n……",
                                      title="某某县2018年政府信息公开工作年度报告_某某县人民政府门户网站"))
    assert meta.title == "某某县2018年政府信息公开工作年度报告"
    assert (meta.issuer, meta.year, meta.template) == ("某某县", 2018, "pre2019")


def test_year_from_statistics_period_when_title_has_none():
    meta, _ = extract_metadata(doc("某局政府信息公开工作年度报告\n本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止。\n"
                                   "一、概述"))
    assert meta.year == 2016 and meta.template == "pre2019"


def test_year_is_the_report_year_not_the_publication_year():
    meta, _ = extract_metadata(doc("标题: 某县2014年政府信息公开工作年度报告\n发布时间: 2015-01-02 09:00\n"
                                   "==== 正文 ====\n某县2014年政府信息公开工作年度报告 根据《条例》编制本报告。一、概述 …"))
    assert (meta.year, meta.published) == (2014, "2015-01-02")


def test_law_database_metadata_lines():
    meta, body = extract_metadata(doc("某市人民政府关于报送某市2018年政府信息公开工作年度报告的函\n【制定机关】某市人民政府\n"
                                      "【公布日期】2019.03.15\n【字 号】某政函〔2019〕5号\n正文\n某市2018年政府信息公开工作年度报告\n"
                                      "本年度报告根据《条例》要求编制。\n一、概述\n…"))
    assert (meta.title, meta.published, meta.year) == ("某市2018年政府信息公开工作年度报告", "2019-03-15", 2018)
    assert body.startswith("本年度报告")


def test_issuer_from_publisher_line_when_title_names_none():
    meta, _ = extract_metadata(doc("政府信息公开工作年度报告\n发布机构：某某县交通运输局\n发布日期：2020-01-20\n"
                                   "本报告所列数据统计期限自2019年1月1日至2019年12月31日。\n一、总体情况"))
    assert (meta.issuer, meta.year, meta.published, meta.template) == ("某某县交通运输局", 2019, "2020-01-20", "2019")


def test_signing_date_only_when_nothing_else():
    text = ("某县2011年政府信息公开工作年度报告\n本报告根据《条例》编制。\n一、概述\n全年主动公开信息120条。\n"
            "某县人民政府办公室\n二○一二年二月二十日")
    assert extract_metadata(doc(text))[0].published == "2012-02-20"
    assert extract_metadata(doc(text, published="2012-03-01"))[0].published == "2012-03-01"
    assert extract_metadata(doc("某县2011年政府信息公开工作年度报告\n一、概述\n2011年1月5日召开会议。"))[0].published is None


@pytest.mark.parametrize("year,text,template", [
    (2021, "一、总体情况", "2021"),
    (2020, "一、总体情况", "2019"),
    (2018, "一、概述", "pre2019"),
    (2020, "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数", "2021"),  # laid out in the 2021 format
    (2021, "信息内容 本年新制作数量 本年新公开数量 对外公开总数量 第二十条第（九）项", "2019"),
    (2021, "按照〔2019〕60号和〔2021〕30号通知，本年制发件数", "2021"),
    (None, "本年制发件数 本年废止件数", "2021"),
    (None, "指标名称 计量单位 2012年度 历年累计", "pre2019"),
    (None, "一、总体情况", None),
])
def test_template(year, text, template):
    assert detect_template(year, text) == template


def test_cover_letter_without_a_title_of_its_own_names_the_report():
    meta, body = extract_metadata(doc("某市人民政府办公室关于印发某市2019年政府信息公开工作年度报告的通知\n各县区人民政府：\n"
                                      "现将报告印发给你们。\n一、总体情况\n2019年，我市……"))
    assert (meta.title, meta.issuer, meta.year) == ("某市2019年政府信息公开工作年度报告", "某市", 2019)
    assert body.startswith("各县区人民政府")


def test_page_title_that_is_a_cover_letter():
    meta, _ = extract_metadata(doc("本年度报告根据《条例》编制。\n一、总体情况",
                                   title="武威市人民政府关于报送《武威市2020年度政府信息公开工作年度报告》的函_武威市人民政府"))
    assert (meta.title, meta.year) == ("武威市2020年度政府信息公开工作年度报告", 2020)


def test_tab_row_page_metadata_and_prose_dates():
    meta, body = extract_metadata(doc("索引号：113208/2020-00001\t分类：年度报告\t发布机构：某某县人民政府\t生成日期：2020-01-20\n"
                                      "政府信息公开工作年度报告\n本报告所列数据统计期限自2019年1月1日至2019年12月31日。办理时间：2019-03-05。\n"
                                      "一、总体情况"))
    assert (meta.issuer, meta.published, meta.year) == ("某某县人民政府", "2020-01-20", 2019)
    assert body.startswith("本报告所列数据")


@pytest.mark.parametrize("text", ["", "\n\n", "一、总体情况", "\x00\x01 garbage ÿ", "年度报告" * 1000, "2019年" * 500])
def test_odd_input_never_crashes(text):
    meta, body = extract_metadata(doc(text))
    assert isinstance(body, str)
    assert meta.template in (None, "2021", "2019", "pre2019")


def test_page_title_with_a_year_beats_a_yearless_body_title():
    meta, _ = extract_metadata(doc("政府信息公开工作年度报告\n根据《条例》编制本报告。\n一、总体情况",
                                   title="某某县2019年政府信息公开工作年度报告 - 某某县人民政府"))
    assert (meta.title, meta.issuer, meta.year) == ("某某县2019年政府信息公开工作年度报告", "某某县", 2019)


def test_title_broken_inside_the_subject():
    meta, body = extract_metadata(doc("新下陆街道办事处2022年度 政府信息\n公开工作年度报告\n根据《条例》编制本报告。\n一、总体情况"))
    assert (meta.title, meta.issuer, meta.year) == ("新下陆街道办事处2022年度政府信息公开工作年度报告", "新下陆街道办事处", 2022)
    assert body.startswith("根据")


WEB_PAGE = """\
首页 > 政务公开 > 政府信息公开年报
某某县人民政府2018年政府信息公开工作年度报告
发布时间：2019-01-25 来源：县政府办 浏览次数：1024
【字体：大 中 小】 【打印】 【关闭】
某某县人民政府2018年政府信息公开工作年度报告
本报告根据《中华人民共和国政府信息公开条例》要求，由某某县人民政府办公室编制。本报告所列数据的统计期限自2018年1月1日起至2018年12月31日止。
一、概述
2018年，我县主动公开政府信息1500条。
二、主动公开政府信息情况
全年主动公开政府信息1500条。
三、依申请公开政府信息情况
全年收到申请3件。
四、政府信息公开的收费及减免情况
未收取费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
无。
六、政府信息公开工作存在的主要问题及改进情况
公开不够及时。
某某县人民政府办公室
2019年1月20日
扫一扫在手机打开当前页
上一篇：某某县人民政府2017年政府信息公开工作年度报告
主办单位：某某县人民政府办公室 网站标识码：1234567890 某ICP备12345678号
"""


def test_web_page_with_chrome_end_to_end():
    from indexer.parse.sections import split_sections

    meta, body = extract_metadata(doc(WEB_PAGE))
    assert (meta.title, meta.issuer, meta.year, meta.published, meta.template) == (
        "某某县人民政府2018年政府信息公开工作年度报告", "某某县人民政府", 2018, "2019-01-25", "pre2019")
    assert meta.compiler == "某某县人民政府办公室"
    assert body.startswith("本报告根据") and body.endswith("某某县人民政府办公室\n2019年1月20日")
    for chrome in ("浏览次数", "打印", "扫一扫", "上一篇", "网站标识码", "首页"):
        assert chrome not in body
    assert [s.canonical for s in split_sections(body) if s.level == 1] == [
        "preamble", "overview", "proactive", "requests", "fees", "appeals", "problems"]


def test_a_title_quoted_deep_in_the_text_is_not_the_title():
    text = ("根据《中华人民共和国政府信息公开条例》要求，现公布本报告。本报告所列数据的统计期限自2017年1月1日起至2017年12月31日止，"
            "如对本报告有疑问，请与县政府办公室联系，联系电话1234567，电子邮箱gk@example.cn，地址某某路1号，邮编123456。\n"
            "附：\n某某县2016年政府信息公开工作年度报告\n一、概述")
    meta, body = extract_metadata(doc(text))
    assert meta.title is None and meta.year == 2017
    assert body.startswith("根据《中华人民共和国政府信息公开条例》")


# -- site chrome above the title (issue 11) -------------------------------------------------------------------------

def _meta(text: str):
    return extract_metadata(Document(text, "t", "txt"))[0]


@pytest.mark.parametrize("above", ["合肥市教育局门户网站", "政务公开", "首页 | 政务公开 | 办事服务", "中国·阳朔", "欢迎访问某某县人民政府"])
def test_site_and_menu_lines_are_never_glued_to_the_title(above):
    meta = _meta(f"{above}\n2019年政府信息公开工作年度报告\n一、总体情况\n甲。")
    assert meta.title == "2019年政府信息公开工作年度报告"


def test_no_join_across_removed_chrome():
    meta = _meta("长安区人民政府\n【字号：大 中 小】 【打印】\n2020年政府信息公开工作年度报告\n一、总体情况\n甲。")
    assert meta.title == "2020年政府信息公开工作年度报告"


def test_a_line_that_restates_the_title_opening_is_not_its_first_half():
    meta = _meta("长安区人民政府\n长安区2020年政府信息公开工作年度报告\n一、总体情况\n甲。")
    assert (meta.title, meta.issuer) == ("长安区2020年政府信息公开工作年度报告", "长安区")


def test_real_two_line_titles_stay_joined():
    meta = _meta("当前位置：首页 > 年报\n淮安市人民政府\n2024年政府信息公开工作年度报告\n一、总体情况\n甲。")
    assert meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"


def test_title_among_the_chrome_of_a_one_line_dump():
    meta = _meta("当前位置：首页 > 政务公开 > 政府信息公开年报 某某县2020年政府信息公开工作年度报告 发布时间：2021-01-20 "
                 "本报告根据条例编制。一、总体情况 甲。")
    assert (meta.title, meta.year, meta.published) == ("某某县2020年政府信息公开工作年度报告", 2020, "2021-01-20")


def test_signature_is_read_from_the_end():
    meta = _meta("团堡镇2020年政府信息公开工作年度报告\n一、总体情况\n甲。\n利川市团堡镇人民政府\n2021年1月20日")
    assert (meta.issuer, meta.signature) == ("团堡镇", "利川市团堡镇人民政府")
