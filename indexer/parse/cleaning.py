"""Display text of a report: what a reader extracted, minus what is not the report.

``clean_text`` works line by line, with general rules only (nothing here knows a particular site):

* markup artefacts: ``**bold**``, ``[bookmark: _GoBack]``, Markdown heading marks, stray HTML entities;
* PDF page furniture: page-number lines (``- 1 -``, ``第 1 页 共 5 页``) and form feeds (``strip_page_furniture``,
  which runs first, before tables are read, also removes bare page-number runs and running headers/footers);
* site chrome: breadcrumbs (当前位置), counters (点击数/浏览次数), footers (主办/网站标识码/ICP备/技术支持/版权所有),
  share and print bars (微信 微博 QQ空间 … 打印 关闭窗口, 字号 大 中 小), 附件下载, comment debris (``-->``);
  a one-line page dump that *starts* with a breadcrumb loses only that chrome prefix, never its report text;
* spaced-out text: `` 青 铜 峡 市`` → 青铜峡市, ``号 ， 邮 编 ： 223100`` → 号，邮编：223100, ``2024 年`` → 2024年;
* words split across line breaks: a CJK line that does not end a sentence, followed by a line that starts with a
  CJK character and is not a heading, continues on that line (政务公\\n\\n开培训 → 政务公开培训).

The result has one paragraph per line and no blank lines.  Table rows (lines holding tabs) pass through untouched.
"""

from __future__ import annotations

import html
import re

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width punctuation that never wants a space beside it.
CJK_PUNCT = "，。、；：！？（）《》“”‘’【】「」『』〔〕…—·"
_SENTENCE_END = re.compile(r"[。！？；：!?;:…][”’」』）)】》\"']*\s*$")
# The three heading levels (and 附件 / 第X部分 headings) that a broken line must never swallow or be glued to.
HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]|\d{1,2}\s*[.．、](?!\d)"
    r"|第[一二三四五六七八九十]{1,3}(?:部分|章|节)|附件\s*\d*\s*[:：]|附表)"
)

# Traditional characters of the words these rules look for (mirror sites republish reports in traditional script).
# One character for one, so that positions found in the folded text hold in the original.
_TRAD = "開報務資訊體況動請費減複議訴訟問題進關統計項處結轉應據條門機區縣鄉鎮辦於與為對們發佈時間來標實驗綜稅當頁點擊數瀏覽網識碼備術權閉號書會論屬國級類規範許罰強執採購總補確認職員經濟營產從廳眾際園場導製徵準興農財層個這還說設學衛環圖團隊訂頒陽萬億舉監電話郵編傳詢將聯繫係歷積責負組織領構幹簡軟態聞視臺週預決審歸檔錄雜貼鏈載頻續參訪蘭瑩湧閱欄樣"
_SIMP = "开报务资讯体况动请费减复议诉讼问题进关统计项处结转应据条门机区县乡镇办于与为对们发布时间来标实验综税当页点击数浏览网识码备术权闭号书会论属国级类规范许罚强执采购总补确认职员经济营产从厅众际园场导制征准兴农财层个这还说设学卫环图团队订颁阳万亿举监电话邮编传询将联系系历积责负组织领构干简软态闻视台周预决审归档录杂贴链载频续参访兰莹涌阅栏样"
_FOLD = str.maketrans(_TRAD, _SIMP)


def fold_variants(text: str) -> str:
    """Text for rule matching only: traditional forms of report vocabulary folded to simplified, length unchanged."""
    return text.translate(_FOLD)


# ---------------------------------------------------------------------------------------------------------------
# Markup artefacts and page furniture

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_ESCAPE = re.compile(r"\\([.\-*_\[\]()#+!>])")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－~]\s*\d{1,4}\s*[-—–－~]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$",
    re.IGNORECASE,
)


_MARKUP_CHARS = re.compile(r"[*_\[#\\&]")


def _strip_markup(line: str) -> str:
    if not _MARKUP_CHARS.search(line):
        return _INVISIBLE.sub("", line.replace("\u00a0", " "))
    line = _BOOKMARK.sub("", line)
    line = _BOLD.sub(lambda m: m.group(1) or m.group(2), line)
    line = line.replace("**", "")
    line = _MD_HEADING.sub("", line)
    line = _MD_ESCAPE.sub(r"\1", line)
    if _ENTITY.search(line):
        line = html.unescape(line)
    return _INVISIBLE.sub("", line.replace("\u00a0", " "))


# ---------------------------------------------------------------------------------------------------------------
# Site chrome

_BREADCRUMB = re.compile(r"^\s*(?:您?(?:当前|现在)?的?(?:所在)?位置|当前(?:所在)?位置)\s*[:：>]")
_HOME_PATH = re.compile(r"^\s*(?:网站)?首页\s*(?:>|＞|»|›|→|/|>>)")
_COUNTER = re.compile(r"(?:点击数|点击量|点击率|浏览次数|浏览量|阅读次数|阅读量|访问次数|访问量)\s*(?:[:：]|\d+\s*$|\d+\s)")
_FOOTER = re.compile(r"网站标识码|ICP\s*备|ICP\s*证|公网安备|网站地图|建议使用.{0,20}浏览器|最佳分辨率|分辨率\s*\d")
_FOOTER_START = re.compile(
    r"^\s*(?:主办单位|主办|承办单位|承办|协办单位|协办|技术支持|技术维护|维护单位|运行维护|版权所有|网站管理)\s*[:：]"
    r"|^\s*(?:版权所有|copyright|©|\(c\))",
    re.IGNORECASE,
)
_PAGE_META_LINE = re.compile(
    r"^\s*(?:信息)?(?:来源|作者|编辑|责任编辑|文章来源|时间|日期|发布时间|发布日期|更新时间|浏览|字号)\s*[:：]"
)
_PREV_NEXT = re.compile(r"^\s*(?:上一篇|下一篇|上一条|下一条)\s*[:：]")
# Tokens that make up share/print/font bars; a line made only of these (and separators) is chrome.
_CHROME_TOKENS = re.compile(
    r"(?:字号|字体)\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?"
    r"|在手机(?:上)?打开当前页|扫一扫|打印本页|打印此页|打印|关闭本页|关闭窗口|关闭|收藏本页|收藏|分享到|分享"
    r"|微信|微博|QQ空间|全真版|文字版|文件下载|附件下载|相关附件|相关链接|相关文档|相关文件|返回顶部|返回"
    r"|上一篇|下一篇|正文|视力保护色|繁体|简体|无障碍|长者模式|文章属性|【|】|\[|\]|-->|<!--|&gt;|&lt;",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s|/\\:：\-—_=*·•>＞<＜»«,，、.。()（）]+")
# What may end a breadcrumb + page-metadata + share-bar prefix glued before the report in a one-line dump.
_INLINE_CHROME_END = re.compile(
    r"-->|相关链接\s*[:：]?|文件下载|文字版|全真版|QQ空间|微博|微信|打印本页|关闭窗口"
    r"|(?:点击数|浏览次数|阅读次数)\s*[:：]?\s*\d+"
    r"|(?:时间|日期|发布时间|发布日期)\s*[:：]\s*\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_TRAILING_CHROME = re.compile(
    r"(?:(?<=\s)|^)(?:附件下载|相关附件|相关链接[:：]?|【?打印(?:本页)?】?|【?关闭(?:窗口|本页)?】?|分享到[:：]?|返回顶部)"
    r"(?:\s*(?:附件下载|相关附件|【?打印(?:本页)?】?|【?关闭(?:窗口|本页)?】?|返回顶部))*\s*$"
)


def is_chrome_line(line: str) -> bool:
    """A whole line that belongs to the website, not to the report.  Long prose lines are never chrome."""
    s = fold_variants(line.strip())
    if not s or "\t" in s:
        return False  # a table row is report content
    if "。" in s or len(s) > 200:
        return False  # report prose (a one-line dump is handled by strip_inline_chrome)
    if _BREADCRUMB.match(s) or _HOME_PATH.match(s) or _PREV_NEXT.match(s):
        return True
    if _COUNTER.search(s) or _FOOTER.search(s) or _FOOTER_START.match(s):
        return True
    if _PAGE_META_LINE.match(s) and len(s) < 120 and not re.search(r"[，；]", s):
        return True
    if s.endswith("文章属性"):
        return True  # law-database page label glued to a news ticker
    if re.fullmatch(r"[=\-*_~]{3,}.*[=\-*_~]{3,}|[=\-*_~]{3,}", s):
        return True  # a rule, possibly labelled ('==== 正文 ====')
    stripped, n_tokens = _CHROME_TOKENS.subn("", s)
    return n_tokens > 0 and _SEPARATORS.sub("", stripped) == ""


def strip_inline_chrome(line: str) -> str:
    """Remove a chrome prefix (breadcrumb … share bar) and a chrome suffix (附件下载, 打印 关闭) from a long line."""
    s = line.rstrip()
    folded = fold_variants(s)
    if _BREADCRUMB.match(folded) or _HOME_PATH.match(folded):
        # The chrome prefix ends at its last marker before the first full sentence of the report.
        first_sentence = folded.find("。")
        window = folded[: first_sentence if first_sentence > 0 else 600]
        ends = [m.end() for m in _INLINE_CHROME_END.finditer(window)]
        if ends:
            s, folded = s[ends[-1]:], folded[ends[-1]:]
    tail = _TRAILING_CHROME.search(folded)
    return s[: tail.start()] if tail else s


# ---------------------------------------------------------------------------------------------------------------
# Spaced-out text

_SPACED_RUN = re.compile(rf"(?<!\S)[{CJK}{CJK_PUNCT}](?: [{CJK}{CJK_PUNCT}]){{2,}}(?!\S)")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \u3000]+(?=[，。、；：！？）》”’】」』〕])")
_SPACE_AFTER_PUNCT = re.compile(r"(?<=[，。、；：！？（《“‘【「『〔])[ \u3000]+")
_UNITS = "年月日号次件条个人名位万亿元项期场家部篇份批余多%％岁户所张套台辆类"
_NUM = r"\d+(?:[.,]\d+)*"
_SPACE_AROUND_NUMBER = re.compile(rf"(?<=[{CJK}（(“])[ \u3000]+(?={_NUM}[ \u3000]*[{_UNITS}])")
_SPACE_BEFORE_UNIT = re.compile(rf"(?<=\d)[ \u3000]+(?=[{_UNITS}])")
_SPACE_AFTER_DATE_UNIT = re.compile(r"(?<=[年月第至约共达])[ \u3000]+(?=\d)")


def collapse_spacing(line: str) -> str:
    """Undo letter-spacing and the spaces PDF/Word extraction puts around numbers and punctuation."""
    if "\t" in line:
        return line  # a table row: its spaces may separate cells
    s = _SPACED_RUN.sub(lambda m: m.group(0).replace(" ", ""), line)
    s = _SPACE_BEFORE_PUNCT.sub("", s)
    s = _SPACE_AFTER_PUNCT.sub("", s)
    s = _SPACE_BEFORE_UNIT.sub("", s)
    s = _SPACE_AROUND_NUMBER.sub("", s)
    s = _SPACE_AFTER_DATE_UNIT.sub("", s)
    return s


# ---------------------------------------------------------------------------------------------------------------
# Broken lines

_STARTS_CJK = re.compile(rf"^[{CJK}“《]")
_BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)")
_WHITESPACE = re.compile(r"\s+")
_CJK_CHAR = re.compile(rf"[{CJK}]")
_STARTS_NUMBER_WORD = re.compile(rf"^\d[\d.,%％]*\s*[{CJK}]")
_ENDS_TEXT = re.compile(rf"[{CJK}，、“《（(）)》”\d]$")
_CLAUSE_PUNCT = re.compile(r"[，、；：“”《》]")
_TITLE_END = re.compile(r"(?:报告|的函|通知|意见|决定|办法|目录)\s*(?:[（(][^）)]{0,12}[）)])?\s*$")


def _is_heading_line(line: str) -> bool:
    """A numbered heading standing on its own (no sentence inside): never continued onto the next line."""
    return bool(HEADING_START.match(line)) and "。" not in line


def is_broken_line(line: str, nxt: str) -> bool:
    """True when ``line`` is a paragraph cut mid-word/mid-sentence and ``nxt`` carries on with it."""
    a, b = line.rstrip(), nxt.lstrip()
    if not a or not b or "\t" in a or "\t" in b:
        return False
    if a[-1] in "：:" and b[0].isascii() and b[0].isalnum() and not HEADING_START.match(b) and len(a) >= 15:
        return True  # '电子邮箱：' / 'hzzwgk@126.com）。'
    if _SENTENCE_END.search(a) or not _ENDS_TEXT.search(a) or _TITLE_END.search(a):
        return False
    if _is_heading_line(a) or HEADING_START.match(b):
        return False
    # Clause punctuation inside brackets ('本年收费金额（单位：万元）') says nothing about the line being prose.
    body = _BRACKETED.sub("", _WHITESPACE.sub("", a))
    if len(_CJK_CHAR.findall(body)) < 2:
        return False
    if _STARTS_NUMBER_WORD.match(b):
        # "…制作政策解读" / "21 个，…": a number carries on only a full line of prose, not a title or table cell.
        return bool(_CLAUSE_PUNCT.search(body)) and len(body) >= 15
    if not _STARTS_CJK.match(b):
        return False
    # Short lines without clause punctuation are titles, headings, signatures or table cells, not cut prose.
    return bool(_CLAUSE_PUNCT.search(body)) or len(body) >= 20


def rejoin_lines(lines: list[str | None], *, mark_breaks: bool = False) -> list[str]:
    """Glue broken lines back together; ``None`` marks where a dropped chrome line stood (never joined across).

    With ``mark_breaks`` an empty line stands where chrome was dropped (title finding must not join across it)."""
    out: list[str] = []
    barrier = False
    last = ""  # the last physical line: whether a line is cut depends on it, not on the paragraph built so far
    for line in lines:
        if line is None:
            barrier = True
            if mark_breaks and out and out[-1]:
                out.append("")
            continue
        if not line.strip():
            continue
        if out and out[-1] and not barrier and is_broken_line(last, line):
            out[-1] = out[-1].rstrip() + line.strip()
        else:
            out.append(line.rstrip())
        last = line
        barrier = False
    return out


# ---------------------------------------------------------------------------------------------------------------
# Page furniture of text taken from paged documents (PDF text, copies of it): before anything reads the text

# A page-number line in any printed form: '— 3 —', '－3－', '- 3 -', '·3·', '第3页 共10页', '共10页 第3页', '3/10',
# 'Page 3 of 10'.  A bare '3' is a page number only as part of a run of them (see strip_page_furniture).
_PAGE_NUMBER_FORMS = re.compile(
    r"^\s*(?:[-—–－~·•]\s*(\d{1,4})\s*[-—–－~·•]|第\s*(\d{1,4})\s*页(?:\s*[,，/]?\s*共\s*(\d{1,4})\s*页)?"
    r"|共\s*(\d{1,4})\s*页\s*[,，]?\s*第\s*(\d{1,4})\s*页|(\d{1,4})\s*/\s*(\d{1,4})"
    r"|page\s*(\d{1,4})(?:\s*of\s*\d{1,4})?)\s*$",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")
# Page-number lines of one run stand at least this many lines apart (a report page holds 20–40 lines of text;
# a one-cell-per-line table puts its bare figures on consecutive lines, far closer than this).
_MIN_PAGE_LINES = 12
# A running header/footer is a short line; longer repeated lines are report text.
_MAX_FURNITURE_CHARS = 40


def page_number_value(line: str) -> int | None:
    """The page number a page-number line prints ('— 3 —' → 3, '3/10' → 3), or None if it is not one."""
    m = _PAGE_NUMBER_FORMS.match(line)
    if not m:
        return None
    g = m.groups()
    if g[5] is not None:  # 'n/m': a page number only if n ≤ m (not a date or a ratio such as 12/5)
        return int(g[5]) if 0 < int(g[5]) <= int(g[6]) else None
    if g[2] is not None and int(g[1]) > int(g[2]):
        return None
    return int(next(v for v in (g[0], g[1], g[4], g[7]) if v is not None))


def _bare_page_numbers(lines: list[str]) -> set[int]:
    """Indices of bare-number lines that count pages.

    Anchors are runs of bare numbers n, n+1 … that stand a page apart with no figure beside them.  From the anchors' spacing (lines per page),
    the missing numbers of the run are looked for where their page should end; a bare line there holding that number
    is taken even between table figures (a page break inside a one-cell-per-line table), and only if it is the one
    such line near that place."""
    bare = {i: int(m.group(1)) for i, line in enumerate(lines) if "\t" not in line and (m := _BARE_NUMBER.match(line))}

    def among_figures(i: int) -> bool:  # beside another figure: a table cell, not a page number between pages
        before = next((x for x in reversed(lines[max(0, i - 3):i]) if x.strip()), "")
        after = next((x for x in lines[i + 1:i + 4] if x.strip()), "")
        return any(_BARE_NUMBER.match(x.replace("\t", " ")) or page_number_value(x) is not None for x in (before, after))

    chosen: set[int] = set()
    run: list[int] = []
    last: tuple[int, int] | None = None
    for i, value in sorted((i, v) for i, v in bare.items() if not among_figures(i)):
        if last is not None and value == last[1] + 1 and i - last[0] >= _MIN_PAGE_LINES:
            run.append(i)
        else:
            if len(run) >= 2:
                chosen.update(run)
            if last is not None and value == last[1]:  # a figure repeating the number: keep the run going
                continue
            run = [i]
        last = (i, value)
    if len(run) >= 2:
        chosen.update(run)

    anchors = sorted((i, bare[i]) for i in chosen)  # printed forms ('- 3 -') count another scheme: not mixed in
    steps = [(j - i) / (b - a) for (i, a), (j, b) in zip(anchors, anchors[1:]) if b > a]
    if not steps:
        return chosen
    page = sorted(steps)[len(steps) // 2]
    if page < _MIN_PAGE_LINES:
        return chosen
    known = {v for _, v in anchors}
    by_value: dict[int, list[int]] = {}
    for i, v in bare.items():
        by_value.setdefault(v, []).append(i)
    v = max(1, anchors[0][1] - 3)
    while v <= anchors[-1][1] + 1:  # past the last anchor, each page number found makes the next one the goal
        if v not in known:
            i, a = min(anchors, key=lambda an: abs(an[1] - v))
            expected = i + (v - a) * page
            lower = max((j for j, b in anchors if b < v), default=-1)
            upper = min((j for j, b in anchors if b > v), default=len(lines))
            near = [k for k in by_value.get(v, ()) if lower < k < upper and abs(k - expected) <= page * 0.35]
            if len(near) == 1:
                chosen.add(near[0])
                anchors = sorted(anchors + [(near[0], v)])
                known.add(v)
        v += 1
    return chosen


def strip_page_furniture(text: str) -> str:
    """Remove page numbers and running headers/footers from text read off paged documents.

    Page numbers go in every printed form; a bare number line only when it belongs to a run 1, 2, 3 … spaced a
    page apart (a table figure standing alone on a line is never one).  A running header or footer is a short line
    printed again and again beside the page numbers (at least twice within two lines of one), or at least three
    times a page apart when there are no page numbers; its first printing stays when it opens the document (a
    report's title repeated as its running header).  Table rows (lines with tabs) are never touched."""
    if not text:
        return text
    lines = text.split("\n")
    printed = {i: v for i, line in enumerate(lines) if "\t" not in line and (v := page_number_value(line)) is not None}
    numbered = set(printed) | _bare_page_numbers(lines)
    drop = set(numbered)
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        key = "".join(line.split())
        if key and "\t" not in line and len(key) <= _MAX_FURNITURE_CHARS and i not in numbered \
                and len(_CJK_CHAR.findall(key)) >= 4 and not HEADING_START.match(key):
            seen.setdefault(key, []).append(i)
    def in_table(i: int) -> bool:  # a column header repeated by each of several tables is not page furniture
        near = [x for x in lines[max(0, i - 2):i + 3] if x.strip()]
        return any("\t" in x for x in near)

    for places in seen.values():
        if len(places) < 2:
            continue
        beside = [i for i in places if any(abs(i - j) <= 2 for j in numbered)]
        spaced = all(b - a >= _MIN_PAGE_LINES for a, b in zip(places, places[1:]))
        repeated = len(places) >= 3 and spaced and not any(in_table(i) for i in places)
        if len(beside) >= 2 or (repeated and len(lines[places[0]].strip()) >= 6):
            drop.update(places[1:] if places[0] < 5 else places)
    if not drop:
        return text
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


# Breaks inside a phrase that figures are read from: a CJK character or digit on both sides, no sentence end.
_WORD_BREAK = re.compile(rf"(?<=[{CJK}])[ \t\u3000]*\n[ \t\u3000]*(?=[{CJK}\d])")


def join_broken_words(text: str) -> str:
    """Text for reading figures out of sentences: hard line breaks inside a phrase removed
    (被提起行\\n政诉讼1件 → 被提起行政诉讼1件).  Breaks after sentence punctuation and around table rows stay."""
    out = []
    for para in re.split(r"(\n[^\n]*\t[^\n]*)", text):  # table rows (with tabs) pass through as they are
        out.append(para if "\t" in para else _WORD_BREAK.sub("", para))
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------


def clean_text(text: str, *, mark_breaks: bool = False) -> str:
    """Display text: one paragraph per line, chrome and artefacts removed, broken words rejoined.

    ``mark_breaks`` leaves an empty line where chrome lines were removed (see ``rejoin_lines``)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    lines: list[str | None] = []
    for raw in text.split("\n"):
        line = _strip_markup(raw)
        if not line.strip():
            lines.append("")
            continue
        if _PAGE_NUMBER.match(line):
            continue  # a page break: the sentence may go on after it
        if is_chrome_line(line):
            lines.append(None)
            continue
        line = strip_inline_chrome(line)
        if not line.strip():
            continue
        if "\t" not in line:
            line = collapse_spacing(line.strip())
        lines.append(line)
    # spacing again: a rejoined line may have brought a number and its unit together ('大道 90' + '号，…')
    return "\n".join(collapse_spacing(line) for line in rejoin_lines(lines, mark_breaks=mark_breaks))
