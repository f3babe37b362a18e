"""Split a report body into its numbered sections.

Three heading levels: 一、 (level 1) / （一） or (一) (level 2) / 1. 1、 1． (level 3), plus un-numbered appended
tables ('附件1：…统计表').  Headings usually stand at the start of a line; in a one-line page dump they stand inside
the line ('…联系。一、总体情况2021年，…'), where only level-1 headings are taken, and only when their text is a
known section name or they continue the numbering, so that '一、' inside prose never splits a report.
Table rows ('（一）予以公开', '1.属于国家秘密 0 0 0', '一、本年新收…') are not headings.  Duplicate, skipped and
misnumbered headings are kept as written.  Sub-headings only count inside a level-1 section; a sub-section is of
the kind its own heading names (（二）依申请公开情况 under 一、总体情况 is ``requests``), else of its section's kind.
A statistics table appended after the signing date without any heading (old reports) is a ``statistics`` section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parse.cleaning import fold_variants
from indexer.model import Section
from indexer.normalize import normalize

_CN = "一二三四五六七八九十"
_L1 = re.compile(rf"^\s*(?P<num>(?P<n>[{_CN}]{{1,3}})\s*[、.．]|第(?P<n2>[{_CN}]{{1,3}})部分[:：、]?)\s*")
_L2 = re.compile(rf"^\s*(?P<num>[（(]\s*(?P<n>[{_CN}]{{1,3}})\s*[）)])\s*")
_L3 = re.compile(r"^\s*(?P<num>(?P<n>\d{1,2})\s*[.．、](?!\d))\s*")
_ANNEX = re.compile(r"^\s*(?P<num>(?:附件|附表)\s*\d{0,2}\s*[:：]?)\s*(?=[^。]{0,60}?(?:统计表|统计情况|情况表))")

# Where a level-1 heading may start inside a line: after a sentence end, a space, a closing bracket or a figure.
_INLINE_L1 = re.compile(rf"(?:[{_CN}]{{1,2}}\s*、|(?:附件|附表)\s*\d{{0,2}}\s*[:：])")
_BOUNDARY_BEFORE = re.compile(r"[\s。！？；”’）)\d]")

# Section names of the 2008 条例 and the 2019/2021 formats: an inline '一、' is a heading only if one of these follows.
_SECTION_VOCAB = re.compile(
    r"^(?:总体情况|概述|概况|基本情况|工作概况|政府信息公开工作(?:总体|基本)?情况"
    r"|[^。，；,;.“”\"]{0,16}?(?:总体情况|概述|基本情况|主动公开|依申请|申请公开|收到和处理|收费|减免|复议|诉讼|申诉|存在的?(?:主要)?问题|问题及改进"
    r"|改进(?:情况|措施)|其他需要报告|其它需要报告|需要说明的事项|统计表|工作人员|事务支出|咨询))"
)
# Row labels of the statistics tables: in a table these look like headings but are not.
# Row labels of the statistics tables: in a table these look like headings but are not.  Labels found only in
# tables count as a prefix; labels that could also head a real sub-section ('（三）不予公开…情况') only when they are
# the whole text (or are followed by the table's own bracketed note).
_TABLE_LABEL = re.compile(
    r"^(?:本年新收|上年结转|本年度办理结果|结转下年度|属于国家秘密|其他法律行政|危及[“\"]?三安全|保护第三方合法权益"
    r"|属于三类内部|属于四类过程|属于行政执法案卷|属于行政查询|本机关不掌握|没有现成信息|补正后申请内容|信访举报投诉类"
    r"|重复申请|要求提供公开出版物|无正当理由大量|要求行政机关确认|申请人无正当理由|申请人逾期"
    r"|主动公开文件数|主动公开信息数|受理依申请公开信息总数|对申请的答复|当面申请数|传真申请数|电子邮件申请数|网上申请数"
    r"|信函申请数|信函、传真申请数|其它形式申请数|同意公开答复数|同意部分公开答复数|否决公开答复数|不予公开答复数"
    r"|其他类型答复数|政府网站公开数|政府公报公开数|网站公开条|政府公报公开条)"
)
_WEAK_LABEL = re.compile(
    r"^(?:予以公开|部分公开|不予公开|无法提供|不予处理|其他处理|其它处理|总计|合计|规章|规范性文件|行政规范性文件|行政许可"
    r"|行政处罚|行政强制|行政事业性收费|政府集中采购|其他对外管理服务事项|其他|其它|信息内容|网站公开|政府公报公开)"
    r"(?:[（(].*)?$"
)
_LABEL_AND_FIGURES = re.compile(r"^[^\d。，]{1,40}?[\s\d.,\-–—%％]*\d[\s\d.,\-–—%％]*$")

# Canonical names, tried in this order (复议 before 申请: '因政府信息公开申请行政复议…' is about appeals).
_CANONICAL_RULES = (
    ("other", re.compile(r"其他需要报告|其它需要报告|其他事项|需要说明的事项|需要报告的事项|其他需要说明")),
    ("statistics", re.compile(r"统计表|统计情况|情况表|附表")),
    ("appeals", re.compile(r"复议|诉讼|申诉")),
    ("fees", re.compile(r"收费|减免")),
    ("problems", re.compile(r"问题|改进|不足")),
    ("requests", re.compile(r"依申请|申请公开|收到和处理|公开申请|申请情况|申请的情况|申请办理")),
    ("proactive", re.compile(r"主动公开")),
    ("overview", re.compile(r"总体情况|概述|概况|基本情况|总体工作|公开工作情况$|工作情况$")),
)

_HEADING_TERMINATOR = re.compile(r"[。！？；:：!?;]|\s|(?:19|20)\d{2}\s*年度?[，,]|[（(][一二三四五六七八九十][）)]")
_HEADING_END_WORD = re.compile(r"情况(?:统计表|表)?|统计表")
_HEADING_END_WORD2 = re.compile(r"事项|措施|概述|概况")
_MAX_HEADING = 60


def canonical_name(heading: str) -> str:
    h = normalize(fold_variants(heading))
    for name, pattern in _CANONICAL_RULES:
        if pattern.search(h):
            return name
    return "unclassified"


def sub_canonical(heading: str, parent: str) -> str:
    """A sub-section's kind: its own where its heading names one (一、总体情况 / （二）依申请公开情况 is ``requests``),
    else its level-1 section's.  Inside an appended statistics table, headings are the table's parts."""
    if parent == "statistics":
        return parent
    own = canonical_name(heading)
    return parent if own == "unclassified" else own


# A date standing alone (the signature's); CJK year digits too ('二○一二年二月二十日').
_SIGNING_DATE = re.compile(
    r"^\s*(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零O０一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月"
    r"\s*[一二三四五六七八九十]{1,3}\s*日)\s*$")
# The start of a statistics table: a tab-separated row, its column heads, or one of its row labels.
_TABLE_START = re.compile(r"指标名称|计量单位|统计指标|单位\s*[:：]|^\s*(?:统计表|.{0,30}统计表\s*$)")


def _is_table_start(piece: str) -> bool:
    t = re.sub(r"\s", "", fold_variants(piece))
    return "\t" in piece or bool(_TABLE_START.search(piece)) or bool(_TABLE_LABEL.match(t))


def split_heading(rest: str, run_in: bool = False) -> tuple[str, str]:
    """(heading text, run-in body) of what follows a heading number.

    '总体情况' → ('总体情况', ''); '主动公开情况。2024年，…' → ('主动公开情况', '2024年，…');
    '总体情况2021年，我区…' → ('总体情况', '2021年，我区…'); '概述 推进政府…' → ('概述', '推进政府…').
    """
    s = rest.strip()
    if not run_in and len(s) <= _MAX_HEADING and not re.search(r"[。！？；]", s):
        return s.rstrip("：:；;，,。 "), ""  # a heading standing on its own line
    ends = []
    for m in _HEADING_TERMINATOR.finditer(s):
        if m.start() >= 2 or m.group(0) in "。！？；:：!?;":
            ends.append((m.start(), m.end() if m.group(0) in "。！？；:：!?;" else m.start()))
            break
    folded = fold_variants(s)
    word = _HEADING_END_WORD.search(folded[: _MAX_HEADING]) or _HEADING_END_WORD2.search(folded[:40])
    if word and word.end() <= _MAX_HEADING:
        ends.append((word.end(), word.end()))
    if not ends:
        cut = min(len(s), 30)
        return s[:cut], s[cut:].strip()
    head_end, body_start = min(ends)
    return s[:head_end].strip(), s[body_start:].lstrip("。：:；;，, \u3000")


def _is_table_label(text: str) -> bool:
    t = re.sub(r"\s", "", fold_variants(text))
    if not t or len(t) < 2:
        return True
    if _TABLE_LABEL.match(t) or _WEAK_LABEL.match(t):
        return True
    return bool(_LABEL_AND_FIGURES.match(text.strip()))


def _cn_value(num: str) -> int:
    """一 → 1, 十二 → 12 (for numbering plausibility only)."""
    digits = {c: i + 1 for i, c in enumerate("一二三四五六七八九")}
    if "十" in num:
        tens, _, units = num.partition("十")
        return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(units, 0) if units else 0)
    return digits.get(num, 0)


@dataclass
class _Heading:
    level: int  # 1, 2, 3 by marker kind
    number: str
    heading: str
    body: str  # run-in text on the heading's own line


@dataclass
class _Node:
    section: Section
    lines: list[str] = field(default_factory=list)


class _Splitter:
    def __init__(self) -> None:
        self.last_l1 = 0  # value of the last level-1 number accepted

    # -- recognising headings ---------------------------------------------------------------------------------------

    def heading_at_start(self, piece: str, in_l1: bool, run_in: bool = False) -> _Heading | None:
        if "\t" in piece:
            return None  # a table row
        m = _ANNEX.match(piece)
        if m:
            rest = piece[m.end():].strip()
            end = re.search(r"统计表|统计情况表?|情况表|附表", rest)
            if end:
                return _Heading(1, m.group("num").strip(), rest[: end.end()], rest[end.end():].strip())
        m = _L1.match(piece)
        if m:
            head, body = split_heading(piece[m.end():], run_in)
            if _is_table_label(head):
                return None
            self.last_l1 = _cn_value(m.group("n") or m.group("n2"))
            return _Heading(1, m.group("num").strip(), head, body)
        if not in_l1:
            return None
        for level, pattern in ((2, _L2), (3, _L3)):
            m = pattern.match(piece)
            if m:
                head, body = split_heading(piece[m.end():], run_in)
                if _is_table_label(head) or not body and _is_table_label(piece[m.end():]):
                    return None
                return _Heading(level, m.group("num").strip(), head, body)
        return None

    def inline_split(self, line: str) -> list[str]:
        """Cut a long line before each level-1 heading that stands inside it."""
        if "\t" in line:
            return [line]
        m0 = _L1.match(line)
        if m0 and not _is_table_label(split_heading(line[m0.end():])[0]):
            self.last_l1 = _cn_value(m0.group("n") or m0.group("n2"))
        cuts = []
        for m in _INLINE_L1.finditer(line):
            if m.start() == 0:
                continue
            before = line[m.start() - 1]
            rest = line[m.end(): m.end() + 200].lstrip()
            marker = m.group(0)
            if marker.startswith(("附件", "附表")):
                if _BOUNDARY_BEFORE.match(before) and re.match(r"[^。]{0,60}?(?:统计表|统计情况|情况表)", rest):
                    cuts.append(m.start())
                continue
            head, _ = split_heading(rest, run_in=True)
            if _is_table_label(head) or re.search(r"[，,“”\"]", head) or re.match(rf"[{_CN}]", head):
                continue  # a table row, or prose ('“一、二、三”工作法', '二、三季度')
            value = _cn_value(re.sub(r"[\s、]", "", marker))
            vocab = bool(_SECTION_VOCAB.match(normalize(fold_variants(head))))
            follows = value == self.last_l1 + 1
            if _BOUNDARY_BEFORE.match(before):
                sentence_end = bool(re.match(r"[\s。！？；]", before))
                accept = vocab or (sentence_end and follows and len(head) <= 30)
            else:  # glued to the previous word ('…2895.90元三、收到和处理…'): name and number must both fit
                accept = vocab and follows
            if accept:
                cuts.append(m.start())
                self.last_l1 = value
        if not cuts:
            return [line]
        pieces, prev = [], 0
        for c in cuts:
            pieces.append(line[prev:c])
            prev = c
        pieces.append(line[prev:])
        return [p.strip() for p in pieces if p.strip()]

    # -- building sections ------------------------------------------------------------------------------------------

    def split(self, body: str) -> list[Section]:
        preamble = _Node(Section("s0", "", "", 1, "preamble", ""))
        nodes: list[_Node] = [preamble]
        stack: list[tuple[int, _Node, list[int]]] = []  # (marker level, node, position path)
        l1_count = 0
        children: dict[tuple[int, ...], int] = {}  # sub-sections numbered so far under each path
        signed = False  # a signing date has been seen: what follows may be an unheaded appended table
        for line in body.split("\n"):
            if not line.strip():
                continue
            pieces = self.inline_split(line)
            for piece in pieces:
                run_in = len(pieces) > 1 or len(piece) > _MAX_HEADING or "。" in piece
                h = self.heading_at_start(piece, in_l1=bool(stack), run_in=run_in)
                if h is None and signed and _is_table_start(piece) and not (
                        stack and stack[0][1].section.canonical == "statistics"):
                    # the statistics table appended after the date without a number: its name line is its heading
                    named = len(piece) <= _MAX_HEADING and "\t" not in piece and piece.strip().endswith("统计表")
                    h = _Heading(1, "", piece.strip(), "") if named else _Heading(1, "", "", piece)
                if h is None:
                    signed = signed or bool(_SIGNING_DATE.match(piece))
                    (stack[-1][1] if stack else preamble).lines.append(piece)
                    continue
                if h.level == 1:
                    l1_count += 1
                    path = [l1_count]
                    canonical = canonical_name(h.heading) if h.heading else "statistics"
                    stack = []
                else:
                    while len(stack) > 1 and stack[-1][0] >= h.level:
                        stack.pop()
                    parent_path = stack[-1][2]
                    key = tuple(parent_path)
                    children[key] = children.get(key, 0) + 1
                    path = parent_path + [children[key]]
                    canonical = sub_canonical(h.heading, stack[0][1].section.canonical)
                node = _Node(Section(_anchor(path), h.number, h.heading, len(path), canonical, ""))
                if h.body:
                    node.lines.append(h.body)
                nodes.append(node)
                stack.append((h.level, node, path))
        out = []
        for n in nodes:
            n.section.text = "\n".join(n.lines).strip()
            if n is preamble and not n.section.text:
                continue
            out.append(n.section)
        return out


def _anchor(path: list[int]) -> str:
    return "s" + "-".join(str(p) for p in path)


def split_sections(body: str) -> list[Section]:
    """Sections of a report body (clean text, one paragraph per line) in reading order."""
    return _Splitter().split(body or "")
