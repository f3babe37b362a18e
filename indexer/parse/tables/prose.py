"""Figures the report's prose states about its own tables: 共受理政府信息公开申请21件, 行政复议3件, 1件结转下年度 ….

``prose_figures(text)`` reads them as ``Statement``s — field keys whose sum the text gives — with general patterns
in the template's own words, and only where the words leave no doubt:

- applications (in a passage about 政府信息公开申请 / 依申请公开): received this year (收到 / 受理 / 新收 … 申请 N件 →
  ``apply.new.total``; with （含上年结转M件） right after it, new + carried over) and who made them (其中自然人申请 a件，
  法人或其他组织 b件 / 商业企业 c件 … in that sentence or one that begins 其中), 上年结转 M件, N件结转下年度 / 顺延到下年度,
  办结 / 答复 N件 (（七）总计), 予以公开 N件, 部分公开 N件, and 不予公开 / 无法提供 / 不予处理 N件 (the sum of their
  sub-rows);
- 行政复议 N件 (``review.total``) and 行政诉讼 N件 (direct + after review), with the 其中结果维持 a件 … breakdown
  that follows them, and 未发生 / 未收到 … 行政复议 / 行政诉讼 as 0;
- 2021 table 二: 制发 / 废止 / 现行有效 规章 or (行政)规范性文件 N件.

A figure about another year (上年 / 去年 / 同比 / 较 … before it in its clause) is not read.  A key set stated twice
with different figures is dropped: the text itself is not sure.  The table readers use the statements only to choose
among the readings of a glued run that its rules leave open (``consistent``); a statement never changes a figure the
table gives by itself, and a difference is a ``check.prose`` warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

from indexer.model import Warning
from indexer.parse.tables.catalogue import apply_rows


@dataclass(frozen=True)
class Statement:
    keys: tuple[str, ...]  # field keys whose sum the text states
    value: int
    words: str  # the words as written, for notes and warnings

    def holds(self, get: Callable[[str], int | float | None]) -> bool | None:
        """Whether figures agree with it (None: a figure is not known)."""
        vals = [get(k) for k in self.keys]
        if any(v is None for v in vals):
            return None
        return sum(vals) == self.value  # type: ignore[arg-type]


def _sub_totals(parent: str) -> tuple[str, ...]:
    return tuple(f"apply.{r.key}.total" for r in apply_rows(False) if r.data and r.key.startswith(parent + "."))


_N = r"(\d{1,7})"
_PIECE = r"[^，,。；;：:\d]{0,14}?"  # words inside one clause
_APPLICATION = r"(?:政府信息公开|信息公开|依申请公开)(?:的)?申请"
_APPLY_CONTEXT = re.compile(r"信息公开申请|依申请|申请公开")
_OTHER_YEAR = re.compile(r"上一?年度?(?!结转)|去年|同比|较|比上|历年|往年|前年")

# (pattern, keys): group 1 is the figure; the apply patterns count only in a passage about applications
_APPLY: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple((re.compile(p), k) for p, k in (
    (rf"(?:收到|受理|新收|接收|接到)(?:了)?{_PIECE}{_APPLICATION}(?:共计|共|总计|合计|总数)?为?{_N}件(?![（(]含上)",
     ("apply.new.total",)),
    (rf"(?:收到|受理|新收|接收|接到)(?:了)?{_PIECE}依申请公开(?:政府信息)?(?:申请)?(?:共计|共)?{_N}件(?![（(]含上)",
     ("apply.new.total",)),
    (rf"(?:收到|受理|新收|接收|接到)(?:了)?(?:各类)?{_N}件(?:政府信息公开|信息公开|依申请公开)?申请",
     ("apply.new.total",)),
    (rf"(?:收到|受理|新收|接收|接到)(?:了)?{_PIECE}{_APPLICATION}{_N}件[（(]含上年度?结转",
     ("apply.new.total", "apply.carried_over.total")),
    (rf"上年度?结转(?:的|来)?(?:政府信息公开)?(?:申请)?{_N}件", ("apply.carried_over.total",)),
    (rf"{_N}件(?:申请)?{_PIECE}(?:结转|顺延)(?:到|至)?下一?年度?", ("apply.carried_forward.total",)),
    (rf"结转(?:到|至)?下一?年度?(?:继续)?(?:办理|答复)?的?(?:申请)?{_N}件", ("apply.carried_forward.total",)),
    (rf"(?:办结|答复)(?:了)?(?:政府信息公开申请|申请)?(?:共计|共)?{_N}件", ("apply.result.total.total",)),
    (rf"(?<![及和与、])予以公开{_N}件", ("apply.result.public.total",)),
    (rf"(?<![及和与、予以])部分公开{_N}件", ("apply.result.partial.total",)),
    (rf"不予公开{_N}件", _sub_totals("result.denied")),
    (rf"无法提供{_N}件", _sub_totals("result.unable")),
    (rf"不予处理{_N}件", _sub_totals("result.rejected")),
))

_ORGS = (("commercial", "商业企业"), ("research", "科研机构"), ("social_welfare", "社会公益组织"),
         ("legal_service", "法律服务机构"))
_APPLICANTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(rf"(?<![非其])({who})(?:提出(?:的)?|的)?(?:申请)?(?:共)?{_N}件"), keys) for who, keys in (
        ("自然人", ("apply.new.natural_person",)),
        ("法人或其他组织|法人和其他组织|法人及其他组织",
         tuple(f"apply.new.{c}" for c in ("commercial", "research", "social_welfare", "legal_service", "other_org"))),
        *((name, (f"apply.new.{c}",)) for c, name in _ORGS)))
_APPLICANTS_END = re.compile(r"结转|办结|答复|予以公开|部分公开|不予|无法提供|行政复议|行政诉讼")
_GROUP = {"review": ("review",), "litigation": ("litigation.direct", "litigation.after_review")}
_BREAKDOWN = (("upheld", r"(?:结果)?维持(?:原(?:具体)?行政行为)?"), ("corrected", r"(?:结果)?纠正"),
              ("other", r"其他结果"), ("pending", r"尚未审结"))
_CASES = r"(?:申请|案件|案)?(?:共计|共)?"
_REVIEW = re.compile(rf"行政复议{_CASES}{_N}[件起宗]")
_LITIGATION = re.compile(rf"行政诉讼{_CASES}{_N}[件起宗]|(?<=[，、和及])(?:行政)?诉讼{_N}[件起宗]")
_NONE_OF = re.compile(r"(?:未|没有)(?:发生|收到|出现|接到)(?:过)?[^。；;，,\d]{0,24}?(行政复议|行政诉讼)"
                      r"(?:[和及、或与]\s*(?:提起)?(行政诉讼))?")
_ACTIVE: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(rf"{verb}(?:了)?{kind_re}{_N}件"), (f"active.{kind}.{col}",))
    for kind, kind_re in (("rules", "(?:政府)?规章"), ("normative", "(?:行政)?规范性文件"))
    for col, verb in (("issued", "制发"), ("repealed", "废止"), ("in_force", "现行有效(?:的)?")))

_TABLE_LINE = re.compile(r"\t|^\s*[\d.,，\s-]*\s*$")
_SENTENCE_END = re.compile(r"[。；;！？!?]")
_CONTEXT_CHARS = 300


def _prose(text: str) -> str:
    """The text without table rows (cells joined by tabs, figures on lines of their own), lines and spaces joined."""
    lines = [ln for ln in text.split("\n") if not _TABLE_LINE.search(ln)]
    return re.sub(r"[ \t\u3000\xa0]+", "", "".join(lines))


def _about_another_year(sentence: str, at: int) -> bool:
    clause_start = max(sentence.rfind(c, 0, at) for c in "，,：:") + 1
    return bool(_OTHER_YEAR.search(sentence, clause_start, at))


def prose_figures(text: str) -> list[Statement]:
    """The statements of the report's prose about its table figures (see the module docstring)."""
    prose = _prose(text)
    found: dict[tuple[str, ...], set[int]] = {}
    words: dict[tuple[str, ...], str] = {}

    def add(keys: tuple[str, ...], value: int, said: str) -> None:
        found.setdefault(keys, set()).add(value)
        words.setdefault(keys, said)

    pos = 0
    applicants_next = False
    for end_m in [*_SENTENCE_END.finditer(prose), None]:
        end = end_m.end() if end_m else len(prose)
        sentence = prose[pos:end]
        before = prose[max(0, pos - _CONTEXT_CHARS):pos]
        pos = end
        if not re.search(r"\d|未|没有", sentence):
            continue
        about_applications = bool(_APPLY_CONTEXT.search(before + sentence))
        new_at = None  # where a statement of this year's applications ends: who made them may follow
        for pat, keys in _APPLY if about_applications else ():
            for m in pat.finditer(sentence):
                if not _about_another_year(sentence, m.start()):
                    add(keys, int(m.group(1)), m.group(0))
                    if keys[0] == "apply.new.total" and new_at is None:
                        new_at = m.end()
        if new_at is None and applicants_next and sentence.startswith("其中"):
            new_at = 0
        applicants_next = new_at is not None
        if new_at is not None:
            rest = sentence[new_at:]
            stop = _APPLICANTS_END.search(rest)
            rest = rest[: stop.start()] if stop else rest
            for pat, keys in _APPLICANTS:
                m = pat.search(rest)
                if m:
                    add(keys, int(m.group(2)), m.group(0))
        for pat, keys in _ACTIVE:
            for m in pat.finditer(sentence):
                if not _about_another_year(sentence, m.start()):
                    add(keys, int(m.group(1)), m.group(0))
        for pat, group in ((_REVIEW, "review"), (_LITIGATION, "litigation")):
            for m in pat.finditer(sentence):
                if _about_another_year(sentence, m.start()):
                    continue
                value = int(next(g for g in m.groups() if g is not None))
                add(tuple(f"{g}.total" for g in _GROUP[group]), value, m.group(0))
                # 其中结果维持a件，结果纠正b件 … up to the next figure of the other kind
                rest = sentence[m.end():]
                stop = re.search("行政诉讼|诉讼" if group == "review" else "行政复议", rest)
                rest = rest[: stop.start()] if stop else rest
                if not rest.startswith(("，其中", ",其中", "（其中", "(其中", "其中", "，", ",")):
                    continue
                for col, name in _BREAKDOWN:
                    b = re.search(rf"{name}{_N}[件起宗]", rest)
                    if b:
                        add(tuple(f"{g}.{col}" for g in _GROUP[group]), int(b.group(1)), m.group(0) + "，" + b.group(0))
        for m in _NONE_OF.finditer(sentence):
            if _about_another_year(sentence, m.start()):
                continue
            for kind in filter(None, m.groups()):
                group = "review" if kind == "行政复议" else "litigation"
                add(tuple(f"{g}.total" for g in _GROUP[group]), 0, m.group(0))
    return [Statement(keys, next(iter(values)), words[keys]) for keys, values in found.items() if len(values) == 1]


def consistent(readings: list[tuple], keys: list[str], statements: list[Statement]
               ) -> tuple[list[tuple], list[Statement], list[Statement]]:
    """The readings of one row (``keys``: the field key of each column) that agree with the statements about that
    row alone; the statements used; the statements no reading agrees with (nothing is filtered by those, and
    nothing at all when no reading agrees with all the others together)."""
    index = {k: i for i, k in enumerate(keys)}
    mine = [s for s in statements if all(k in index for k in s.keys)]
    fits = {id(s): [r for r in readings if s.holds(lambda k, r=r: r[index[k]])] for s in mine}
    used = [s for s in mine if fits[id(s)]]
    against = [s for s in mine if not fits[id(s)]]
    kept = [r for r in readings if all(s.holds(lambda k, r=r: r[index[k]]) for s in used)]
    if not kept:
        return readings, [], mine
    return kept, used, against


def about(statements: list[Statement], prefixes: tuple[str, ...]) -> list[Statement]:
    return [s for s in statements if all(k.startswith(prefixes) for k in s.keys)]


def settled_note(section: str, label: str, used: list[Statement], field: str | None) -> Warning:
    said = "；".join(f"“{s.words}”" for s in used)
    return Warning("table.prose", f"{section}：{label}的数字连写有多种读法，按正文所述（{said}）取值", field)


def _field(s: Statement) -> str | None:
    return s.keys[0] if len(s.keys) == 1 else None  # a sum of several cells is no one field's


def contradiction(s: Statement) -> Warning:
    return Warning("check.prose", f"正文称“{s.words}”，与统计表连写数字的读法都对不上", _field(s))


def check_prose(fields: Mapping[str, int | float], statements: list[Statement]) -> list[Warning]:
    """``check.prose``: a figure of the table (as read, or as settled) that differs from what the prose states."""
    out = []
    for s in statements:
        if s.holds(fields.get) is False:
            table = sum(fields[k] for k in s.keys)
            out.append(Warning("check.prose", f"正文称“{s.words}”，统计表为{table:g}", _field(s)))
    return out
