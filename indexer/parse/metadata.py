"""What a report says about itself: title, issuer, report year, publication date, template — and where its body starts.

Sources, best first: the report's own title line(s) in the text; metadata lines that web pages, law databases and
crawlers put before the text (标题: / 发布时间: / 发布机构:, 【制定机关】/【公布日期】, 来源 … 日期:); the container's
metadata (``Document.meta``: HTML <title>, PDF properties); the 统计期限 sentence; a signing date at the end.
A cover letter (…关于报送…年度报告的函) wrapping a report is skipped: the report is what counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parse.cleaning import CJK, HEADING_START, clean_text, fold_variants
from indexer.parse.issuer import signature_of
from indexer.model import Document


@dataclass
class Metadata:
    title: str | None = None
    issuer: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    template: str | None = None  # '2021' | '2019' | 'pre2019'
    compiler: str | None = None  # the body the text says compiled the report (本报告由…编制), if stated
    url: str | None = None  # the original's address a page or archive header gives (原文链接: https://…)
    signature: str | None = None  # the body named in the 落款 at the end (利川市团堡镇人民政府), if any
    publisher: str | None = None  # the page's 发布机构 / 来源 line, if any
    page_title: str | None = None  # the page's 标题: line, if any


# ---------------------------------------------------------------------------------------------------------------
# Dates and years

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_YEAR = "[〇○零O０一二三四五六七八九]{4}"
_CN_NUM = "[一二三四五六七八九十]{1,3}"
_MIN_YEAR, _MAX_YEAR = 2000, 2100


def cn_number(s: str) -> int | None:
    """二〇一九 → 2019 (digit by digit); 二十 → 20, 十二 → 12, 三十一 → 31 (tens and units)."""
    if not s:
        return None
    if "十" not in s:
        if all(ch in _CN_DIGITS for ch in s):
            return int("".join(str(_CN_DIGITS[ch]) for ch in s))
        return None
    tens, _, units = s.partition("十")
    t = _CN_DIGITS.get(tens, None) if tens else 1
    u = _CN_DIGITS.get(units, None) if units else 0
    if t is None or u is None:
        return None
    return t * 10 + u


def _year(s: str) -> int | None:
    y = int(s) if s.isdigit() else cn_number(s)
    return y if y is not None and _MIN_YEAR <= y <= _MAX_YEAR else None


_DATE_NUM = re.compile(r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_DATE_CN = re.compile(rf"({_CN_YEAR})\s*年\s*({_CN_NUM})\s*月\s*({_CN_NUM})\s*日")


def parse_date(s: str) -> str | None:
    """The first date in ``s`` as ISO YYYY-MM-DD: 2018-02-01, 2021.03.03, 2021年3月3日, 二○一二年二月二十日."""
    for pattern, conv in ((_DATE_NUM, int), (_DATE_CN, cn_number)):
        m = pattern.search(s)
        if m:
            y, mo, d = _year(m.group(1)), conv(m.group(2)), conv(m.group(3))
            if y and mo and d and 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Metadata lines before the text

_META_KEYS = {
    "title": r"标题|题目|文件名称|名称",
    "published": r"发布时间|发布日期|公布日期|公开日期|发文日期|印发日期|成文日期|日期|时间",
    "issuer": r"发布机构|发文机关|制定机关|发布单位|公开主体|信息来源|来源",
}
_META_LINE = re.compile(
    r"^\s*(?:【\s*(?P<k1>[^】]{1,8}?)\s*】|(?P<k2>[\u4e00-\u9fff ]{2,8}?)\s*[:：])\s*(?P<v>.*?)\s*$"
)
_RULE_LINE = re.compile(r"^\s*[=\-*_~]{3,}.*[=\-*_~]{3,}\s*$")
# Keys of page/crawler/law-database metadata lines (they stand before the report and are not part of it).
_HEADER_KEYS = re.compile(
    r"^(?:标题|题目|名称|文件名称|发布时间|发布日期|公布日期|公开日期|成文日期|施行日期|印发日期|发文日期|日期|时间|"
    r"文号|字号|字 号|发文字号|发布机构|发文机关|制定机关|发布单位|公开主体|来源|信息来源|作者|栏目|原文链接|链接|网址|"
    r"本地目录|索引号|主题分类|分类|体裁分类|效力等级|时效性|公开方式|公开范围|关键词|主题词|浏览次数|点击数)$"
)
_PUBLISHED_PRIORITY = ("发布时间", "发布日期", "公布日期", "公开日期", "日期", "时间", "生成日期", "发文日期", "印发日期",
                       "成文日期")


_PAIR = re.compile(
    r"(?:(?<=[\s|｜】])|^)(?:【\s*)?(?P<k>[\u4e00-\u9fff]{2,6})\s*(?:】|[:：])\s*"
    r"(?P<v>\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|[^\s:：【】|｜]*)"
)


def _header_fields(raw: str) -> dict[str, str]:
    """Key → value of the metadata that pages put before the report (read before clean_text drops chrome lines).

    Lines ('标题: …', '【公布日期】2021.03.03'), tab rows ('索引号：…\t发布机构：…') and pairs inside chrome
    ('来源:   作者:区政府办   点击数:3337   日期:2018-02-01', '… 来源：平潭县人民政府 时间：2022-02-08 16:34 微信 …').
    Reading stops at the report's first sentence, so that '办理时间：…' in the text is never taken for page data.
    """
    found: dict[str, str] = {}
    for line in raw.replace("\r", "\n").split("\n")[:60]:
        original = line.split("。")[0][:600]
        segment = fold_variants(original)
        first = _META_LINE.match(segment)
        if first:  # a line-start key takes the whole value, spaces included ('标题: 某局2013年 信息公开年度报告')
            key = re.sub(r"\s", "", first.group("k1") or first.group("k2") or "")
            value = re.split(r"\t|\s{2,}|\s(?=[\u4e00-\u9fff]{1,6}[:：])",
                             original[first.start("v"):first.end("v")].strip())[0]
            if value and not re.match(r"[\u4e00-\u9fff]{1,6}[:：]", value):
                found.setdefault(key, value)
        for m in _PAIR.finditer(segment):
            key = m.group("k")
            if m.group("v") and segment[m.end(): m.end() + 1] not in (":", "："):  # not the next key itself
                found.setdefault(key, original[m.start("v"):m.end("v")].strip())
        if "。" in line and len(line) > 60:
            break
    return found


def _published_from_header(fields: dict[str, str]) -> str | None:
    for key in _PUBLISHED_PRIORITY:
        if key in fields:
            d = parse_date(fields[key])
            if d:
                return d
    return None


def _url_from_header(fields: dict[str, str]) -> str | None:
    for key in ("原文链接", "原文地址", "链接", "网址"):
        m = re.match(r"https?://\S+", fields.get(key, "").strip())
        if m:
            return m.group(0)
    return None


def _issuer_from_header(fields: dict[str, str]) -> str | None:
    for key in ("发布机构", "发文机关", "制定机关", "发布单位", "公开主体", "信息来源", "来源"):
        v = re.sub(r"\s", "", fields.get(key, ""))
        if v and re.search(rf"[{CJK}]", v) and not re.search(r"网|网站|报$|新闻", v):
            return v
    return None


def _is_header_line(line: str) -> bool:
    s = line.strip()
    if _RULE_LINE.match(s) or s.startswith("页面链接"):
        return True
    m = _META_LINE.match(s)
    if not m:
        return False
    key = re.sub(r"\s", "", m.group("k1") or m.group("k2") or "")
    return bool(_HEADER_KEYS.match(key)) or bool(m.group("k1"))


# ---------------------------------------------------------------------------------------------------------------
# Titles

_YEAR_PART = rf"(?P<year>(?:19|20)\d{{2}}|{_CN_YEAR})\s*年\s*(?:度\s*)?"
# What the report is: …政府信息公开工作年度报告 / …信息公开年度报告 / …政务信息公开年度报告 / …年度政府信息公开工作报告
_SUBJECT = r"(?:政府|政务)?\s*(?:信\s*息\s*|资\s*讯\s*)?公\s*开\s*(?:工\s*作\s*)?(?:的\s*)?(?:年\s*度\s*)?(?:报\s*告|年\s*报)"
_NAME = rf"[{CJK}（）()·\s]"
TITLE_RE = re.compile(
    rf"(?P<pre>{_NAME}{{0,40}}?)\s*{_YEAR_PART}(?P<mid>{_NAME}{{0,40}}?)\s*(?P<subject>{_SUBJECT})"
    rf"(?:\s*[（(]\s*(?:{_NAME}|\d){{1,12}}[）)])?"
)
# '某县教育局政府信息公开工作年度报告（2018年度）': the year in brackets after the subject
TITLE_YEAR_AFTER_RE = re.compile(
    rf"(?P<pre>{_NAME}{{2,40}}?)\s*(?P<subject>{_SUBJECT})\s*[（(]\s*{_YEAR_PART}[）)]"
)
# '某县教育局政府信息公开工作年度报告' with no year at all (a whole line only)
TITLE_NO_YEAR_RE = re.compile(rf"(?P<pre>{_NAME}{{0,40}}?)\s*(?P<subject>{_SUBJECT})\s*$")
_COVER_LETTER = re.compile(r"关于.{0,40}(?:报送|报告|印发|公布|发布|上报).{0,60}(?:的函|的报告|的通知)\s*$|的函\s*$")
_COVER_INNER = re.compile(r"关于(?:报送|印发|公布|发布|上报|公开)?\s*《?(?P<inner>[^《》]{6,80}?(?:报告|年报))》?\s*的(?:函|通知|报告)")


def unwrap_cover_letter(line: str) -> _TitleHit | None:
    """The report title inside a cover letter's name (…关于报送《…年度报告》的函, …关于印发…年度报告的通知)."""
    m = _COVER_INNER.search(fold_variants(line))
    return match_title(line[m.start("inner"):m.end("inner")]) if m else None
_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜]|--|—|-\s).*$")
_ISSUER_STRIP = re.compile(r"(?:关于|关于印发|关于公布|关于发布)$")


_LEADING_META = re.compile(
    r"^\s*(?:发布时间|发布日期|公布日期|日期|时间|来源|信息来源|作者|发布机构|浏览次数|点击数)\s*[:：]\s*"
    r"(?:\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|[^\s:：]*)\s*"
)


def _strip_leading_meta(text: str) -> str:
    """Drop 'key：value' page metadata at the start of ``text`` (what follows a title on the same line)."""
    prev = None
    while prev != text:
        prev, text = text, _LEADING_META.sub("", text, count=1)
    return text.strip()


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


@dataclass
class _TitleHit:
    title: str
    issuer: str | None
    year: int | None
    rest: str  # text after the title on the same line ('' for a title standing alone)


def match_title(text: str, *, whole: bool = True) -> _TitleHit | None:
    """A report title at the start of ``text``; ``whole`` requires it to be all of ``text``.

    A one-line dump ('平潭县人民政府2011年政府信息公开工作年度报告 本报告主要根据…') gives the title and the rest.
    """
    s = text.strip()
    folded = fold_variants(s)
    m = TITLE_RE.match(folded) or TITLE_YEAR_AFTER_RE.match(folded) or TITLE_NO_YEAR_RE.match(folded)
    if not m:
        return None
    rest = s[m.end():]
    if whole and rest.strip():
        return None
    if not whole and rest and not re.match(rf"^[\s。{CJK}]", rest):
        return None  # the title must end where the text goes on (after a space, or glued to it)
    rest = _strip_leading_meta(rest)  # '…年度报告\t发布日期：2020-01-31'
    pre = _compact(s[m.start("pre"):m.end("pre")])
    mid = _compact(s[m.start("mid"):m.end("mid")]) if m.groupdict().get("mid") is not None else ""
    if pre and mid and not re.fullmatch(r"(?:度)?(?:政府|政务|政務|本单位|本机关)?", mid):
        return None  # '…2019年…' prose, not a title
    issuer = pre or re.sub(r"(?<!人民)(?:政府|政务|政務)$", "", mid) or None  # 人民政府 is a name
    if issuer:
        issuer = _ISSUER_STRIP.sub("", issuer) or None
    year = _year(m.group("year")) if m.groupdict().get("year") else None
    return _TitleHit(title=_compact(s[: m.end()]), issuer=issuer, year=year, rest=rest.strip())


def _title_from_label(label: str | None) -> _TitleHit | None:
    """A title from page metadata (标题:, <title>): strip site-name suffixes, unwrap cover letters."""
    if not label:
        return None
    parts = [p for p in re.split(r"\s*(?:[_|｜]|--|—|\s-\s)\s*", label.strip()) if p]
    for part in parts or [label]:
        hit = unwrap_cover_letter(part) if _COVER_LETTER.search(part) else match_title(part)
        if hit:
            return hit
    return None


_TWO_LINE_ISSUER = re.compile(rf"^[{CJK}（）()·]{{2,30}}$")

# Portal chrome that stands above a title: the site's name (合肥市教育局门户网站, 中国·某某网, 欢迎访问…) and menu
# items or bars (办事服务, 政务公开 | 互动交流).  Generic portal vocabulary, nothing of a particular site.
_SITE_NAME_LINE = re.compile(r"(?:门户网站|网站|门户|政府网|政务网|官网|信息网|公众网|服务网|公开网|平台|专栏|频道)$|^欢迎|^中国[·•]")
_MENU_WORD = (r"(?:网站)?首页|政务公开|政府信息公开|信息公开|政务服务|办事服务|网上办事|互动交流|政民互动|公众参与|新闻中心|"
              r"新闻动态|政务动态|要闻动态|工作动态|部门动态|乡镇动态|通知公告|公示公告|政策文件|政策法规|政策解读|专题专栏|"
              r"机构概况|机构职能|领导信息|数据发布|数据开放|公开目录|公开指南|公开制度|公开年报|年度报告|法定主动公开内容|"
              rf"(?:政府)?信息公开年(?:度)?报(?:告)?|走进[{CJK}]{{1,6}}|魅力[{CJK}]{{1,6}}|今日[{CJK}]{{1,6}}")
_MENU_LINE = re.compile(rf"^(?:{_MENU_WORD})(?:[\s|｜/>＞»·•、]*(?:{_MENU_WORD}))*$")


def is_site_line(line: str) -> bool:
    """A portal's name or menu line (never part of a report title)."""
    s = _compact(fold_variants(line))
    return bool(s) and (bool(_SITE_NAME_LINE.search(s)) or bool(_MENU_LINE.match(s)))


def _could_be_title_part(line: str) -> bool:
    return (bool(line) and len(line) <= 50 and not re.search(r"[。；，]", line) and not _is_header_line(line)
            and not is_site_line(line))


def _same_opening(upper: str, lower: str) -> bool:
    """The lower line restates the upper line's start (长安区人民政府 / 长安区人民政府2020年…): a site header, not a title part."""
    a, b = _compact(upper), _compact(lower)
    return len(a) >= 2 and len(b) >= 2 and a[:2] == b[:2]


def _find_body_title(lines: list[str]) -> tuple[int, _TitleHit | None]:
    """(index of the last line of the title, the title) among the opening lines; (-1, None) when there is none.

    The LAST title before the text starts wins: a page title, a cover letter and then the report's own title
    may all stand before the text.
    """
    best: tuple[int, _TitleHit | None] = (-1, None)
    cover: tuple[int, _TitleHit | None] = (-1, None)
    skip_to = -1
    for i, line in enumerate(lines[:40]):
        if i <= skip_to:
            continue
        s = line.strip()
        if HEADING_START.match(s) and i > 0:
            break  # the text has started
        if _COVER_LETTER.search(fold_variants(s)) and len(s) < 120:
            if cover[0] < 0:
                cover = (i, unwrap_cover_letter(s))
            continue
        hit = match_title(s)
        if hit:
            if hit.issuer is None and i > 0 and _TWO_LINE_ISSUER.match(_compact(lines[i - 1])):
                # '淮安市人民政府' / '2024 年政府信息公开工作年度报告' — never a site name or menu line above it
                # (an empty line marks removed chrome: breadcrumbs, 字号 bars; no join reaches across it)
                prev = _compact(lines[i - 1])
                if not _COVER_LETTER.search(prev) and not _is_header_line(lines[i - 1]) and not is_site_line(prev):
                    hit = _TitleHit(prev + hit.title, prev, hit.year, "")
            best = (i, hit)
            continue
        hit = match_title(s, whole=False)
        if hit and not hit.rest:
            best = (i, hit)  # a title followed by page metadata only
            continue
        if hit:
            best = (i, hit)
            break  # a one-line dump: the text follows on this very line
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        alone = match_title(nxt) if nxt else None
        if (_could_be_title_part(s) and _could_be_title_part(nxt) and not HEADING_START.match(nxt)
                and not (alone and (alone.year or alone.issuer)) and not _same_opening(s, nxt)):
            # a title broken over two lines ('某某街道办事处2022年度 政府信息' / '公开工作年度报告'); a line that is a
            # title by itself (with its year or issuer) is not the end of the line above
            hit = match_title(s + nxt)
            if hit:
                best, skip_to = (i + 1, hit), i + 1
                continue
        if len(s) > 60 and "。" in s and (best[0] >= 0 or cover[0] < 0):
            break  # the text has started (a cover letter's own text may stand before the report's title)
    # no title of its own: the cover letter names the report (the letter's text then opens the body)
    return best if best[1] is not None else cover


_TOKEN_SPLIT = re.compile(r"\s+|[>＞»›|｜]")


def _title_in_chrome(raw: str) -> _TitleHit | None:
    """A title standing among the page chrome of a one-line dump ('当前位置：首页 > 政务公开 某县2020年…年度报告
    发布时间：… 本报告…'): the first whitespace-separated token before the first sentence that is a whole title with its
    year ('政府信息公开年报', a menu item, names no year)."""
    for line in raw.split("\n")[:40]:
        head = line.split("。")[0][:600]
        for token in _TOKEN_SPLIT.split(head):
            hit = match_title(token) if len(token) >= 8 else None
            if hit and hit.year:
                return hit
        if "。" in line:
            break  # the text has started: a title quoted further on is not this report's
    return None


# ---------------------------------------------------------------------------------------------------------------
# Issuer, year, template

_COMPILER = re.compile(rf"由\s*(?P<body>[{CJK}（）()]{{2,40}}?)\s*(?:根据|依据|按照|依照|负责|牵头|组织|会同|编制|编写|制作|汇总|综合)")


def compiler_of(body: str) -> str | None:
    """The body a report says compiled it: '本报告由淮安市人民政府办公室根据…编制', '本报告…，由某某县人民政府办公室编制'."""
    for sentence in re.split(r"[。！？]", body[:1500]):
        folded = fold_variants(sentence)
        if "报告" in folded and re.search(r"编制|编写|制作|汇总", folded):
            m = _COMPILER.search(folded)
            if m:
                return sentence[m.start("body"):m.end("body")]
    return None


_STAT_YEAR = re.compile(rf"统计(?:期限|时限|时间|区间|周期)[^。\d]{{0,12}}((?:19|20)\d{{2}}|{_CN_YEAR})\s*年")
_YEAR_DU = re.compile(r"((?:19|20)\d{2})\s*年度")


def _widen_issuer(issuer: str | None, compiler: str | None) -> str | None:
    """洪泽区人民政府 + 淮安市洪泽区人民政府办公室 → 淮安市洪泽区人民政府 (the text's fuller form of the same body)."""
    if not issuer or not compiler:
        return issuer
    pos = compiler.find(issuer)
    if pos > 0:
        return compiler[:pos] + issuer
    return issuer


def report_year(title_year: int | None, body: str) -> int | None:
    if title_year:
        return title_year
    m = _STAT_YEAR.search(fold_variants(body))
    if m:
        return _year(m.group(1))
    m = _YEAR_DU.search(body[:800])
    if m:
        return _year(m.group(1))
    return None


# Evidence of a template in the text: table headers first, then notices cited.
_T2021 = re.compile(r"本年制发件数|本年废止件数|现行有效件数|本年收费金额|逾期不补正|逾期未按收费通知|〔2021〕30号")
_T2019 = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|第二十条第[（(]九[）)]项|采购项目数量|上一年项目数量|〔2019〕60号")


def detect_template(year: int | None, text: str) -> str | None:
    """'2021' / '2019' / 'pre2019' by report year, overridden when the tables say otherwise."""
    flat = _compact(fold_variants(text))
    ev21, ev19 = len(_T2021.findall(flat)), len(_T2019.findall(flat))
    if year is None:
        if ev21 or ev19:
            return "2021" if ev21 >= ev19 else "2019"
        return "pre2019" if re.search(r"指标名称|计量单位", flat) else None
    by_year = "2021" if year >= 2021 else "2019" if year >= 2019 else "pre2019"
    # A 2020 report laid out in the 2021 format (or the reverse) follows its tables, not its year.
    if by_year == "2019" and ev21 and not ev19:
        return "2021"
    if by_year == "2021" and ev19 and not ev21:
        return "2019"
    return by_year


_SIGNING_DATE = re.compile(rf"^\s*(?:(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|{_CN_YEAR}\s*年\s*{_CN_NUM}\s*月\s*{_CN_NUM}\s*日)\s*$")
_SIGNING_DATE_INLINE = re.compile(rf"(?:^|\s)({_CN_YEAR}\s*年\s*{_CN_NUM}\s*月\s*{_CN_NUM}\s*日|(?:19|20)\d{{2}}年\d{{1,2}}月\d{{1,2}}日)(?=\s|$)")


def _signing_date(body_lines: list[str], year: int | None) -> str | None:
    """A date standing alone near the end of the report (the signature), later than the report year."""
    candidates = []
    for line in body_lines[-12:]:
        if _SIGNING_DATE.match(line):
            candidates.append(line)
        elif len(line) > 150:
            candidates.extend(m.group(1) for m in _SIGNING_DATE_INLINE.finditer(line))
    for c in reversed(candidates):
        d = parse_date(c)
        if d and (year is None or int(d[:4]) > year):
            return d
    return None


# ---------------------------------------------------------------------------------------------------------------


def extract_metadata(doc: Document) -> tuple[Metadata, str]:
    """(metadata, report body): the body is the clean text without the metadata/chrome/cover-letter/title lines."""
    raw = doc.text or ""
    header = _header_fields(raw)
    lines = clean_text(raw, mark_breaks=True).split("\n")  # '' where chrome was removed

    # Leading metadata lines go; then the report's own title (possibly after a cover letter).
    start = 0
    while start < len(lines) and (_is_header_line(lines[start]) or not lines[start].strip()):
        start += 1
    rel, body_hit = _find_body_title(lines[start:])
    if rel >= 0 and body_hit is not None:
        title_idx = start + rel
        body_lines = ([body_hit.rest] if body_hit.rest else []) + [x for x in lines[title_idx + 1:] if x]
    else:
        body_lines = [x for x in lines[start:] if x]
        # a page title or cover letter line alone before the text is not text either
        while body_lines and _COVER_LETTER.search(body_lines[0]) and len(body_lines[0]) < 120:
            body_lines = body_lines[1:]

    label_hit = (_title_from_label(header.get("标题") or header.get("题目"))
                 or _title_from_label(doc.meta.get("title")))
    if body_hit is None and label_hit is None:
        body_hit = _title_in_chrome(raw)
    hit = body_hit or label_hit
    if body_hit and body_hit.year is None and label_hit and label_hit.year:
        hit = label_hit  # the page names the year the body's title leaves out
    title = hit.title if hit else None
    if title is None:
        for label in (header.get("标题"), doc.meta.get("title")):
            # a page or file title that names a report but not in a form we know ('Microsoft Word - 1.docx' is not)
            if label and re.search(r"报告|年报|報告|年報", label):
                title = _compact(_SITE_SUFFIX.sub("", label)) or None
                break

    body = "\n".join(body_lines).strip()
    compiler = compiler_of(body)
    issuer = (hit.issuer if hit else None) or (label_hit.issuer if label_hit else None)
    issuer = issuer or _issuer_from_header(header) or doc.meta.get("issuer") or compiler
    issuer = _widen_issuer(issuer, compiler)

    title_year = (hit.year if hit else None) or (label_hit.year if label_hit else None)
    year = report_year(title_year, body)
    published = _published_from_header(header) or parse_date(doc.meta.get("published", "") or "")
    if published is None:
        published = _signing_date(body_lines, year)
    template = detect_template(year, body)
    return Metadata(title=title, issuer=issuer, year=year, published=published, template=template,
                    compiler=compiler, url=_url_from_header(header), signature=signature_of(body_lines), publisher=_issuer_from_header(header),
                    page_title=header.get("标题") or header.get("题目")), body
