"""clean_text: one rule per test, then the bundled reports (chrome gone, report text kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.parse.cleaning import clean_text, collapse_spacing, is_chrome_line
from indexer.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "samples" / "seeds"
REAL = ROOT / "samples" / "real"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------------
# Broken lines


def test_word_split_across_blank_line_is_rejoined():
    text = "同时，加强对领导干部和专职工作人员的政务公\n\n开培训，重点学习新修订的条例。"
    assert clean_text(text) == "同时，加强对领导干部和专职工作人员的政务公开培训，重点学习新修订的条例。"


def test_pdf_lines_of_one_paragraph_are_rejoined_and_page_numbers_dropped():
    text = ("组织召开了“春节前后服务企\n\n业用工”“建设‘四最’一流\n\n- 1 -\n\n\f营商环境高质量推进产业发展”等新闻\n\n"
            "发布会 12 场。\n\n二、主动公开政府信息情况\n")
    assert clean_text(text) == ("组织召开了“春节前后服务企业用工”“建设‘四最’一流营商环境高质量推进产业发展”等新闻发布会12场。\n"
                                "二、主动公开政府信息情况")


def test_a_number_carries_on_a_full_line_of_prose():
    text = "市政府网站主动公开各类政府信息，通过文字、图片等形式制作政策解读\n\n21 个，制作公报 6 期。"
    assert clean_text(text) == "市政府网站主动公开各类政府信息，通过文字、图片等形式制作政策解读21个，制作公报6期。"


def test_heading_is_not_joined_to_its_paragraph():
    text = "（一）着力强化政务公开工作的组织领导和保障\n\n市政府主要领导高度重视政务公开工作。"
    assert clean_text(text).split("\n") == ["（一）着力强化政务公开工作的组织领导和保障", "市政府主要领导高度重视政务公开工作。"]


def test_title_is_not_joined_to_the_first_paragraph():
    text = "陇南市武都区2017年政府信息公开工作年度报告\n\n按照《通知》文件精神和要求，我区对工作情况进行了梳理。"
    assert len(clean_text(text).split("\n")) == 2


def test_two_real_paragraphs_stay_apart():
    text = "本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。\n一是强化工作机构建设。"
    assert clean_text(text).split("\n") == text.split("\n")


def test_paragraph_cut_before_a_heading_is_not_joined():
    text = "针对存在问题，下一步，我市将着力加强政策解读质效，重点提升解读的\n（一）主动公开情况"
    assert len(clean_text(text).split("\n")) == 2


def test_short_table_cells_on_their_own_lines_are_not_joined():
    text = "第二十条 第（一）项\n\n信息内容\n\n规章\n\n行政规范性文件\n\n本年收费金额（单位：万元）\n\n行政事业性收费\n\n1\n\n8"
    assert clean_text(text).split("\n") == ["第二十条 第（一）项", "信息内容", "规章", "行政规范性文件",
                                          "本年收费金额（单位：万元）", "行政事业性收费", "1", "8"]


def test_table_rows_with_tabs_are_untouched():
    row = "（一）予以公开\t3 1\t\t2\t34"
    assert clean_text("三、收到和处理政府信息公开申请情况\n" + row) == "三、收到和处理政府信息公开申请情况\n" + row


# ---------------------------------------------------------------------------------------------------------------
# Markup, spacing, page furniture


def test_markup_artefacts_are_dropped():
    text = "1. **围绕稳定市场预期加强政策解读。**认真贯彻落实。\n[bookmark: _GoBack]（四）强化监督保障\n## 二、主动公开"
    assert clean_text(text).split("\n") == ["1. 围绕稳定市场预期加强政策解读。认真贯彻落实。", "（四）强化监督保障", "二、主动公开"]


def test_html_entities_left_in_text_are_decoded():
    assert clean_text("《上海市贯彻&lt;长江三角洲区域一体化发展规划纲要&gt;实施方案》") == "《上海市贯彻<长江三角洲区域一体化发展规划纲要>实施方案》"


@pytest.mark.parametrize("spaced,collapsed", [
    (" 青 铜 峡 市", "青铜峡市"),
    ("号 ， 邮 编 ： 223100 ， 电 话 ： 0517-87222589 ， 电 子 邮 箱 ：", "号，邮编：223100，电话：0517-87222589，电子邮箱："),
    ("西宁市 2019 年政府信息公开工作年度报告", "西宁市2019年政府信息公开工作年度报告"),
    ("统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日", "统计期限自2024年1月1日至2024年12月31日"),
    ("市政府第 38 次常务会议", "市政府第38次常务会议"),
    ("一、 概述", "一、概述"),
])
def test_spaced_out_text_is_collapsed(spaced, collapsed):
    assert collapse_spacing(spaced.strip()) == collapsed


@pytest.mark.parametrize("kept", ["规章 0 0 0", "行政许可 2293 行政处罚 1282", "ISO 9001 认证", "总计 805"])
def test_spaces_that_separate_figures_are_kept(kept):
    assert collapse_spacing(kept) == kept


@pytest.mark.parametrize("page_line", ["- 1 -", "— 12 —", "－3－", "第 1 页 共 5 页", "第2页", "共5页 第2页"])
def test_page_number_lines_are_dropped(page_line):
    assert clean_text(f"本报告由市政府办公室编制。\n{page_line}\n如对本报告有疑问，请联系。") == \
        "本报告由市政府办公室编制。\n如对本报告有疑问，请联系。"


def test_a_bare_number_line_is_a_table_cell_not_a_page_number():
    assert clean_text("行政许可\n12\n行政处罚") == "行政许可\n12\n行政处罚"


# ---------------------------------------------------------------------------------------------------------------
# Site chrome


@pytest.mark.parametrize("chrome", [
    "您当前的位置:首页>>信息公开 >> 政务信息公开 >> 政府信息公开年报",
    "当前位置：首页 > 政务公开 > 年度报告",
    "来源:   作者:区政府办   点击数:3337   日期:2018-02-01",
    "发布时间：2020-03-02 浏览次数：125",
    "网站标识码:6212020001\u2003陇ICP备12000461号-1 甘公网安备 62120202100024号",
    "主办:陇南市武都区人民政府办公室 地址:陇南市武都区钟楼街道旧城路288号 联系方式:0939-8212056",
    "技术支持:陇南一淘网络科技有限公司",
    "版权所有：某某市人民政府办公室",
    "【打印本页】【关闭窗口】",
    "字号：大 中 小",
    "【字体：大 中 小】 打印",
    "微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： -->",
    "附件下载",
    "-->",
    "==================== 正文 ====================",
    "上一篇：2018年政府信息公开工作年度报告",
    "31个省区市报告新增确诊病例文章属性",
])
def test_chrome_lines_are_recognised(chrome):
    assert is_chrome_line(chrome)
    assert clean_text(f"{chrome}\n一、总体情况\n{chrome}") == "一、总体情况"


@pytest.mark.parametrize("text", [
    "一、总体情况",
    "（三）政府信息管理情况。在政府网站、政务新媒体、政府公报等公开平台发布信息时，坚持先审后发。",
    "2021年，无收取信息处理费情况。",
    "附件1：平潭县人民政府2011年政府信息公开情况统计表",
    "本报告的电子版可在政府门户网站下载，如有疑问请与办公室联系（地址：翠园南路10号；电话：24336240）。",
    "行政复议\t行政诉讼",
    "全年主动公开政府信息2645条，通过微信、微博等新媒体发布信息1200条。",
    "来源渠道进一步拓宽，主动公开政府信息数量稳步增长。",
    "、",
    "网站访问量\t1203400",
    "政府网站总访问量达120万人次",
    "主办单位认真履行职责",
])
def test_report_text_is_never_chrome(text):
    assert not is_chrome_line(text)


def test_one_line_dump_loses_only_its_chrome_prefix_and_suffix():
    line = ("当前位置： 首页政务公开政府信息公开政府信息公开年报 某局2013年信息公开年度报告 来源：某县人民政府 "
            "时间：2014-02-25 00:00 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： --> 某局2013年 信息公开年度报告 "
            "根据《条例》，特向社会公布本报告。 一、概述 推进政府信息公开。 附件下载")
    assert clean_text(line) == "某局2013年 信息公开年度报告 根据《条例》，特向社会公布本报告。一、概述 推进政府信息公开。"


# ---------------------------------------------------------------------------------------------------------------
# The bundled reports


def test_seed_004_web_page_loses_header_and_footer_but_keeps_the_signature():
    text = clean_text(read(SEEDS / "004_0ee5816b3d713d50.txt"))
    for chrome in ("您当前的位置", "点击数", "网站标识码", "ICP备", "技术支持", "主办:"):
        assert chrome not in text
    assert text.split("\n")[-2:] == ["陇南市武都区人民政府办公室", "2018122"]
    assert "陇南市武都区2017年政府信息公开工作年度报告" in text


def test_seed_003_pdf_text_is_rejoined_and_unmarked():
    text = clean_text(read(SEEDS / "003_d2895bfa47dc94b8.txt"))
    assert "政务公开培训" in text
    assert "**" not in text
    assert text.startswith("西宁市2019年政府信息公开工作年度报告\n")


def test_seed_001_title_and_bookmark():
    text = clean_text(read(SEEDS / "001_107764086d5c2c3a.txt"))
    assert text.startswith("青铜峡市\n2020年政府信息公开工作年度报告\n")
    assert "bookmark" not in text


def test_seed_002_mid_word_breaks_and_ticker_line():
    text = clean_text(read(SEEDS / "002_ca63368030494e8a.txt"))
    assert "通过政务新媒体发布信息32.79万条" in text
    assert "确诊病例" not in text


@pytest.mark.parametrize("name", ["jiangsu-017.txt", "jiangsu-018.txt", "jiangsu-019.txt"])
def test_pdf_reports_lose_page_numbers_and_keep_every_paragraph_whole(name):
    text = clean_text(read(REAL / name))
    lines = text.split("\n")
    assert not any(line.strip().startswith("- ") and line.strip().endswith(" -") for line in lines)
    # each numbered sub-heading of 一 starts its own line, and its paragraph runs on without a break
    assert any(line.startswith("（一）主动公开情况。") and len(line) > 60 for line in lines)
    assert "\f" not in text


def test_jiangsu_018_spaced_contact_line():
    assert "号，邮编：223100，电话：0517-87222589，电子邮箱：hzzwgk@126.com）。" in clean_text(read(REAL / "jiangsu-018.txt"))


@pytest.mark.parametrize("name", ["pingtan-001.txt", "pingtan-003.txt", "pingtan-004.txt", "pingtan-009.txt",
                                  "pingtan-011.txt"])
def test_crawler_dumps_keep_all_report_text(name):
    raw, text = read(REAL / name), clean_text(read(REAL / name))
    body = raw.split("==== 正文 ====")[-1].lstrip("=\n ")
    # whatever is dropped is chrome: the report's own sentences all survive (in matching form)
    for sentence in [s for s in body.split("。") if len(s) > 20][1:-1]:
        assert normalize(sentence) in normalize(text)
    assert "微信 微博" not in text and not text.endswith("附件下载")


def test_clean_text_is_idempotent_on_the_samples():
    # (not on pdfminer's one-cell-per-line tables, whose fragments a second pass may glue further)
    for path in list(SEEDS.glob("*.txt")) + list(REAL.glob("pingtan-*.txt")):
        once = clean_text(read(path))
        assert clean_text(once) == once, path.name
