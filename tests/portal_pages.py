"""Unseen reports in the shapes real portals serve, built from general rules (not copies of the samples).

Each ``Body`` is one issuing body of some province and level, with what its report page would say (the issuer as
the title writes it, the signature) and what nianbao must make of it (formal issuer, region, year).  Each shape puts
the same report into a page the way portals do: site name and menu bars above the title, breadcrumbs and 字号 lines
between, a one-line text dump, PDF text with the title broken over two lines and page numbers, a real two-line title.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Body:
    written: str  # the issuer as the title writes it
    formal: str  # the body's formal name (what ``Report.issuer`` must be)
    signature: str  # the 落款 at the end of the report
    year: int
    province: str
    city: str | None
    county: str | None
    township: str | None
    level: str
    body_type: str
    site: str  # the portal's name


BODIES = [
    Body("合肥市教育局", "合肥市教育局", "合肥市教育局", 2019, "安徽省", "合肥市", None, None, "地级", "部门", "合肥市教育局门户网站"),
    Body("长安区", "长安区人民政府", "西安市长安区人民政府", 2020, "陕西省", "西安市", "长安区", None, "县级", "政府",
         "西安市长安区人民政府"),
    Body("长安区", "长安区人民政府", "石家庄市长安区人民政府办公室", 2022, "河北省", "石家庄市", "长安区", None, "县级", "政府",
         "长安区人民政府"),
    Body("团堡镇", "团堡镇人民政府", "利川市团堡镇人民政府", 2020, "湖北省", "恩施土家族苗族自治州", "利川市", "团堡镇", "乡级",
         "政府", "利川市人民政府"),
    Body("晋城市", "晋城市人民政府", "晋城市人民政府办公室", 2019, "山西省", "晋城市", None, None, "地级", "政府", "晋城市人民政府网"),
    Body("延吉市", "延吉市人民政府", "延吉市人民政府", 2021, "吉林省", "延边朝鲜族自治州", "延吉市", None, "县级", "政府",
         "延吉市人民政府门户网站"),
    Body("国家税务总局武威市税务局", "国家税务总局武威市税务局", "国家税务总局武威市税务局", 2019, "甘肃省", "武威市", None, None,
         "地级", "部门", "国家税务总局甘肃省税务局"),
    Body("大兴安岭地区", "大兴安岭地区行政公署", "大兴安岭地区行政公署办公室", 2021, "黑龙江省", "大兴安岭地区", None, None,
         "地级", "政府", "大兴安岭地区行政公署网站"),
    Body("阳朔县", "阳朔县人民政府", "阳朔县人民政府", 2022, "广西壮族自治区", "桂林市", "阳朔县", None, "县级", "政府", "中国·阳朔"),
    Body("城关区", "城关区人民政府", "拉萨市城关区人民政府", 2021, "西藏自治区", "拉萨市", "城关区", None, "县级", "政府",
         "拉萨市城关区人民政府网站"),
    Body("哈尔滨市道里区卫生健康局", "哈尔滨市道里区卫生健康局", "哈尔滨市道里区卫生健康局", 2020, "黑龙江省", "哈尔滨市", "道里区",
         None, "县级", "部门", "哈尔滨市道里区人民政府"),
    Body("东胜区", "东胜区人民政府", "鄂尔多斯市东胜区人民政府", 2019, "内蒙古自治区", "鄂尔多斯市", "东胜区", None, "县级", "政府",
         "东胜区人民政府门户网站"),
    Body("遵义市红花岗区", "遵义市红花岗区人民政府", "遵义市红花岗区人民政府", 2022, "贵州省", "遵义市", "红花岗区", None, "县级",
         "政府", "红花岗区政府网"),
    Body("深圳市南山区人民政府", "深圳市南山区人民政府", "深圳市南山区人民政府", 2021, "广东省", "深圳市", "南山区", None, "县级",
         "政府", "深圳市南山区政府在线"),
    Body("浙江省财政厅", "浙江省财政厅", "浙江省财政厅", 2022, "浙江省", None, None, None, "省级", "部门", "浙江省财政厅"),
    Body("东华门街道", "东华门街道办事处", "北京市东城区东华门街道办事处", 2021, "北京市", None, "东城区", "东华门街道", "乡级",
         "政府", "北京市东城区人民政府"),
    Body("敬仲镇", "敬仲镇人民政府", "淄博市临淄区敬仲镇人民政府", 2021, "山东省", "淄博市", "临淄区", "敬仲镇", "乡级", "政府",
         "临淄区人民政府"),
    Body("大理市", "大理市人民政府", "大理市人民政府", 2023, "云南省", "大理白族自治州", "大理市", None, "县级", "政府",
         "大理市人民政府网"),
    Body("苏州工业园区管理委员会", "苏州工业园区管理委员会", "苏州工业园区管理委员会", 2022, "江苏省", "苏州市", "苏州工业园区", None,
         "县级", "政府", "苏州工业园区门户网站"),
    Body("林州市", "林州市人民政府", "林州市人民政府办公室", 2018, "河南省", "安阳市", "林州市", None, "县级", "政府",
         "林州市人民政府"),
    Body("渝北区", "渝北区人民政府", "重庆市渝北区人民政府", 2021, "重庆市", None, "渝北区", None, "县级", "政府", "重庆市渝北区人民政府"),
    Body("昌吉市", "昌吉市人民政府", "昌吉市人民政府", 2020, "新疆维吾尔自治区", "昌吉回族自治州", "昌吉市", None, "县级", "政府",
         "昌吉市人民政府网"),
    Body("成都市武侯区教育局", "成都市武侯区教育局", "成都市武侯区教育局", 2021, "四川省", "成都市", "武侯区", None, "县级", "部门",
         "成都市武侯区人民政府门户网站"),
    Body("和平区民政局", "和平区民政局", "沈阳市和平区民政局", 2023, "辽宁省", "沈阳市", "和平区", None, "县级", "部门",
         "沈阳市和平区人民政府"),
    Body("海口市龙华区", "海口市龙华区人民政府", "海口市龙华区人民政府", 2020, "海南省", "海口市", "龙华区", None, "县级", "政府",
         "海口市龙华区人民政府网"),
]

MENU = "首页 | 走进政府 | 政务公开 | 办事服务 | 互动交流"
CRUMB = "当前位置：首页 > 政务公开 > 政府信息公开年报"
FONT = "【字号：大 中 小】 【打印】 【关闭】"
FOOTER = ["主办单位：{site}", "网站标识码：1234567890 ICP备05012345号"]


def title_of(b: Body) -> str:
    return f"{b.written}{b.year}年政府信息公开工作年度报告"


def body_lines(b: Body) -> list[str]:
    y = b.year
    if y >= 2019:
        parts = [
            f"本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
            "一、总体情况", f"{y}年，本机关认真贯彻落实条例要求，扎实推进政务公开工作。",
            "（一）主动公开", "全年主动公开政府信息120条，及时更新各类栏目。",
            "（二）依申请公开", "全年共收到政府信息公开申请3件，均按期答复。",
            "二、主动公开政府信息情况", "本年新制作规范性文件2件。",
            "三、收到和处理政府信息公开申请情况", "本年新收政府信息公开申请3件。",
            "四、政府信息公开行政复议、行政诉讼情况", "本年未发生行政复议和行政诉讼。",
            "五、存在的主要问题及改进情况", "公开内容还不够全面，下一步将加强培训。",
            "六、其他需要报告的事项", "无。",
        ]
    else:
        parts = [
            f"本报告根据《中华人民共和国政府信息公开条例》要求编制。统计期限自{y}年1月1日至{y}年12月31日。",
            "一、概述", f"{y}年，本机关认真贯彻落实条例要求。",
            "二、主动公开政府信息情况", "全年主动公开政府信息120条。",
            "三、依申请公开政府信息情况", "全年共收到政府信息公开申请3件。",
            "四、政府信息公开的收费及减免情况", "未收取任何费用。",
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况", "无。",
            "六、存在的主要问题及改进措施", "公开内容还不够全面。",
        ]
    return parts + [b.signature, f"{y + 1}年1月20日"]


def html_portal(b: Body) -> tuple[str, str]:
    """A portal page: site name, menu bar, breadcrumb, title, page data and 字号 bar, text, footer."""
    paras = "".join(f"<p>{p}</p>" for p in body_lines(b))
    footer = "".join(f"<p>{f.format(site=b.site)}</p>" for f in FOOTER)
    page = (f"<html><head><title>{title_of(b)}_{b.site}</title></head><body>"
            f"<div class='logo'>{b.site}</div><div class='nav'>{MENU}</div><div class='crumb'>{CRUMB}</div>"
            f"<h1>{title_of(b)}</h1><div class='info'>发布时间：{b.year + 1}-01-25 来源：本网 浏览次数：312</div>"
            f"<div class='font'>{FONT}</div><div class='content'>{paras}</div><div class='footer'>{footer}</div>"
            "</body></html>")
    return "html", page


def site_line_above(b: Body) -> tuple[str, str]:
    """Text pulled from a page: the site's name on the line right above the title, nothing between."""
    return "txt", "\n".join([b.site, title_of(b), *body_lines(b)])


def menu_item_above(b: Body) -> tuple[str, str]:
    """The site name, a breadcrumb, then the menu item the report sits under, right above the title."""
    return "txt", "\n".join([b.site, CRUMB, "政务公开", title_of(b), f"发布日期：{b.year + 1}-01-25", *body_lines(b)])


def chrome_between(b: Body) -> tuple[str, str]:
    """The site name, then a 字号 bar and breadcrumbs (removed as chrome), then the title."""
    return "txt", "\n".join([b.site, FONT, CRUMB, title_of(b), *body_lines(b)])


def one_line_dump(b: Body) -> tuple[str, str]:
    """Everything the page holds on one line (a crawler's text dump), page chrome first."""
    return "txt", " ".join([CRUMB, title_of(b), f"发布时间：{b.year + 1}-01-25", *body_lines(b)])


def pdf_text(b: Body) -> tuple[str, str]:
    """PDF text: the title broken over two lines, page numbers between pages."""
    lines = body_lines(b)
    half = len(lines) // 2
    return "txt", "\n".join([f"{b.written}{b.year}年政府信息公开", "工作年度报告", *lines[:half], "— 1 —",
                             *lines[half:], "— 2 —"])


def two_line_title(b: Body) -> tuple[str, str]:
    """A real two-line title (the body's formal name, then the year and subject), under a breadcrumb."""
    return "txt", "\n".join([CRUMB, b.formal, f"{b.year}年政府信息公开工作年度报告", *body_lines(b)])


SHAPES = {f.__name__: f for f in (html_portal, site_line_above, menu_item_above, chrome_between, one_line_dump,
                                  pdf_text, two_line_title)}


def expected_title(b: Body, shape: str) -> str:
    return f"{b.formal}{b.year}年政府信息公开工作年度报告" if shape == "two_line_title" else title_of(b)


# Pages portals serve beside their reports, by the kind nianbao must tell them apart as.
REPORT_TITLE = "长安区2020年政府信息公开工作年度报告"
NON_REPORTS = {
    "政策解读": [
        f"《{REPORT_TITLE}》解读\n发布时间：2021-01-28\n为便于公众了解年度报告内容，现将有关情况解读如下。\n"
        "一、总体情况\n全年主动公开信息1200条。\n二、依申请公开情况\n全年收到申请3件。",
        "图文解读：某市政务公开工作要点\n某市政府办公室近日印发工作要点。要点提出四个方面的任务。",
        "市政府办公室负责人就《政务公开工作要点》答记者问\n问：为什么要制定要点？答：为了推进工作。",
    ],
    "图解": [
        f"图解：{REPORT_TITLE}\n[图片]\n[图片]",
        "一图读懂｜2022年政府信息公开工作年度报告\n",
        "<html><head><title>图说年报_某县人民政府</title></head><body><p>图说年报</p><img src='a.png'>"
        "<p>来源：某县人民政府办公室</p></body></html>",
    ],
    "通知公告": [
        "关于报送2020年度政府信息公开工作年度报告的通知\n各乡镇人民政府、县直各部门：\n"
        "请于2021年1月20日前报送本单位年度报告。\n县政府办公室\n2021年1月5日",
        "某县人民政府办公室关于政府信息公开工作年度报告公开情况的公告\n经统计，全县各单位均已按时公开年度报告。特此公告。",
    ],
    "列表页": [
        "政府信息公开年报\n某县2022年政府信息公开工作年度报告 2023-01-20\n某县2021年政府信息公开工作年度报告 2022-01-19\n"
        "某县2020年政府信息公开工作年度报告 2021-01-22\n某县教育局2020年政府信息公开工作年度报告 2021-01-25\n"
        "共4条 首页 上一页 下一页 尾页",
        "县财政局关于预算公开的说明 2022-03-01\n县政府召开常务会议 2022-02-20\n县长调研春耕生产 2022-02-10\n"
        "全县安全生产工作会议召开 2022-01-30",
    ],
    "其他": [
        "县政府召开政务公开工作推进会\n3月15日，县政府召开政务公开工作推进会。会议总结了去年工作，部署了今年任务。"
        "会议要求各单位提高认识，压实责任。",
        "# 说明\n本目录存放下载的文件。\n请勿修改。",
    ],
}
