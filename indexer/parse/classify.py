"""Is this input an annual report, and if not, what: the pages a portal serves beside its reports.

Kinds (``KINDS``): 年度报告; 政策解读 (an explanation of a report or policy); 图解 (an infographic of a report);
通知公告 (a notice or announcement about reports, without a report's own structure); 列表页 (a list or index of
reports and other pages); 其他 (news and any other page: no report title and no report structure).

Cues, general and in this order (no list of sample titles):

1. the page's own title — its <title> before the site-name suffix, a 标题: line, the short lines before the text
   starts (site-name and menu lines passed over) — naming an explanation (解读, 答记者问) or an infographic (图解,
   一图读懂, 图说, 长图 …): such a page is about a report, never the report itself;
2. a notice title (…的通知 / 公告 / 通告 / 公示 / 通报 / 的函) over a text without any of a report's sections (a cover
   letter that carries the report, 关于印发…年度报告的通知 + the report, is a report);
3. a list: several short lines naming reports or dated entries, little prose, no report sections;
4. a report: a report title (…政府信息公开工作年度报告, by the title rules of metadata.py) or at least two of the
   standard sections (总体情况, 主动公开, 依申请公开, 复议诉讼, 问题改进, 统计表 …); else 其他.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.model import Document, Section
from indexer.parse.cleaning import HEADING_START, fold_variants, is_chrome_line
from indexer.parse.metadata import Metadata, is_site_line, match_title, unwrap_cover_letter

REPORT = "年度报告"
KINDS = (REPORT, "政策解读", "图解", "通知公告", "列表页", "其他")

_EXPLANATION = re.compile(r"解读|答记者问|问答|释义")
_INFOGRAPHIC = re.compile(r"图解|一图(?:读懂|看懂|了解|速览|带你)|图说|图读|长图|漫画|动画|视频|海报")
_NOTICE_END = re.compile(r"(?:通知|公告|通告|公示|通报|启事|提醒|的函)\s*$")
_STANDARD = frozenset({"overview", "proactive", "requests", "fees", "appeals", "problems", "statistics"})
_DATE = re.compile(r"(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}")
_REPORT_WORD = re.compile(r"报告|年报")
_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜]|--|—|\s-\s).*$")
_LIST_MIN_ENTRIES = 3
_LIST_MAX_SENTENCES = 4  # a list page's few sentences are its footer and notes; a report has dozens


@dataclass(frozen=True)
class Classification:
    kind: str  # one of KINDS
    reason: str  # one line in Chinese: what decided it
    illustrates: str | None = None  # a 图解 / 解读 page: the title of the report it is about, when it names one
    title: str | None = None  # a 图解 / 解读 page: its own title, the one that told what it is

    @property
    def is_report(self) -> bool:
        return self.kind == REPORT


def _raw_lines(doc: Document) -> list[str]:
    """The input's own lines, chrome lines dropped but nothing joined (clean text may glue a title to its text)."""
    return [s for s in (line.strip() for line in (doc.text or "").split("\n")[:400]) if s and not is_chrome_line(s)]


def page_titles(doc: Document, header_title: str | None, lines: list[str]) -> list[str]:
    """What the page calls itself: container title (before its site suffix), 标题: line, opening short lines."""
    out = [_SITE_SUFFIX.sub("", t.strip()) for t in (doc.meta.get("title"), header_title) if t and t.strip()]
    for s in lines[:8]:
        if is_site_line(s):
            continue
        if "。" in s or len(s) > 80 or HEADING_START.match(s):
            break  # the text has started
        out.append(s)
    return [t for t in out if t]


def _report_named_in(title: str) -> str | None:
    """The report a 图解/解读 title is about: 《某县2020年政府信息公开工作年度报告》解读 → that title."""
    for part in re.split(rf"[《》“”\"|｜:：_\s]+|{_INFOGRAPHIC.pattern}|{_EXPLANATION.pattern}", fold_variants(title)):
        hit = match_title(part) if len(part) >= 8 else None
        if hit and hit.year:
            return hit.title
    return None


def _list_entries(lines: list[str]) -> int:
    return sum(1 for s in lines if len(s) <= 100 and "。" not in s and (_DATE.search(s) and len(s) > 12 or
                                                                       _REPORT_WORD.search(s)))


def classify(doc: Document, meta: Metadata, sections: list[Section]) -> Classification:
    """The kind of a parsed input, from its own lines, its metadata and its sections."""
    raw = _raw_lines(doc)
    titles = page_titles(doc, meta.page_title, raw)
    for t in titles:
        folded = fold_variants(t)
        if _INFOGRAPHIC.search(folded):
            return Classification("图解", f"标题表明是年度报告的图解：{t[:60]}", _report_named_in(t), t)
        if _EXPLANATION.search(folded):
            return Classification("政策解读", f"标题表明是解读而非报告本身：{t[:60]}", _report_named_in(t), t)
    standard = {s.canonical for s in sections} & _STANDARD
    structured = len(standard) >= 2
    for t in titles:
        if _NOTICE_END.search(fold_variants(t)) and not standard:  # a cover letter carrying its report is the report
            return Classification("通知公告", f"通知或公告，正文没有年度报告的章节：{t[:60]}")
    sentences = sum(s.count("。") for s in raw)
    if not structured and _list_entries(raw) >= _LIST_MIN_ENTRIES and sentences <= _LIST_MAX_SENTENCES:
        return Classification("列表页", f"列表或目录页：{_list_entries(raw)} 个条目，没有报告正文")
    if meta.title and (match_title(meta.title) or unwrap_cover_letter(meta.title)):
        return Classification(REPORT, f"有年度报告标题：{meta.title[:60]}")
    if standard:
        return Classification(REPORT, "有年度报告的章节：" + "、".join(sorted(standard)))
    if meta.title:  # a page title that mentions 报告 / 年报 but is no report title (企业年报公示的提醒)
        return Classification("其他", f"标题不是年度报告的标题，正文也没有年度报告的章节：{meta.title[:60]}")
    return Classification("其他", "没有年度报告的标题，也没有年度报告的章节（新闻或其他页面）")
