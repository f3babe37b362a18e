"""Statistics tables → the named numeric fields of FIELDS.md, from whatever layout the report arrived in.

``extract_fields(doc, sections, template, year)`` never raises: a damaged or missing table yields what can be read,
plus warnings.  Tables are found by their own labels (第二十条第（一）项, 本年新收政府信息公开申请数量, 行政复议 … 结果维持),
first in the reader's Table objects (real cells), then in the text.
"""

from __future__ import annotations

import re

from indexer.model import Document, Section, Warning
from indexer.parse.tables.active import BLOCK_HEADER, extract_active
from indexer.parse.tables.apply import _FIRST, extract_apply, extract_review
from indexer.parse.tables.catalogue import DECIMAL_FIELDS, FIELD_KEYS, FIELD_LABELS, field_label
from indexer.parse.tables.checks import check_fields, verified_fields
from indexer.parse.tables.grid import tables_text
from indexer.parse.tables.legacy import extract_legacy
from indexer.parse.tables.prose import Statement, check_prose, prose_figures
from indexer.parse.tables.series import series_fields

__all__ = ["extract_fields", "FIELD_KEYS", "FIELD_LABELS", "DECIMAL_FIELDS", "field_label", "check_fields"]

_ACTIVE_MARKS = re.compile("|".join([BLOCK_HEADER.format(r"[一五六八九]")] + [
    r"\s*".join(w) for w in ("本年新制作数量", "上一年项目数量", "本年增/减", "处理决定数量", "本年制发件数", "采购项目数量",
                             "本年收费金额")]))
_APPLY_HEADING = re.compile(r"三\s*[、.]\s*收\s*到\s*和\s*处\s*理")


def _active_region(text: str) -> tuple[int, int] | None:
    m = _ACTIVE_MARKS.search(text)
    if not m:
        return None
    start = m.start()
    ends = [x.start() for x in (_APPLY_HEADING.search(text, start), _FIRST.search(text, start)) if x]
    end = min(ends) if ends else min(len(text), start + 4000)
    return start, end


def _modern(text: str, exact: bool, template: str | None, want: set[str], prose: list[Statement]
            ) -> tuple[dict[str, int | float], list[Warning], set[str]]:
    """Read the parts in `want` (active / apply / review) from one source; returns what it found.  ``prose``: the
    figures the report's text states, to choose among the readings of a glued run that the rules leave open."""
    fields: dict[str, int | float] = {}
    warnings: list[Warning] = []
    got: set[str] = set()
    if "active" in want:
        region = _active_region(text)
        if region:
            f, w, found = extract_active(text, region[0], region[1], template, exact, prose)
            if found:
                fields.update(f)
                warnings += w
                got.add("active")
    review_from = 0
    if "apply" in want or "review" in want:
        f, w, end = extract_apply(text, 0, exact, prose)
        if f or w:
            review_from = end
            if "apply" in want:
                fields.update(f)
                warnings += w
                got.add("apply")
    if "review" in want:
        f, w, found = extract_review(text, review_from, exact, prose)
        if found:
            fields.update(f)
            warnings += w
            got.add("review")
    return fields, warnings, got


def extract_fields(doc: Document, sections: list[Section], template: str | None, year: int | None
                   ) -> tuple[dict[str, int | float], list[Warning]]:
    fields: dict[str, int | float] = {}
    warnings: list[Warning] = []
    text = doc.text or ""
    modern = template != "pre2019" and not (template is None and year is not None and year < 2019)
    prose: list[Statement] = []
    markup: set[str] = set()  # fields read from the document's own table markup, not from (possibly OCR'd) text
    if modern:
        try:
            prose = prose_figures(text)
            want = {"active", "apply", "review"}
            if doc.tables:
                f, w, got = _modern(tables_text(doc.tables), True, template, want, prose)
                fields.update(f)
                markup = set(f)
                warnings += w
                want -= got
            if want:
                f, w, _ = _modern(text, False, template, want, prose)
                fields.update(f)
                warnings += w
        except Exception as exc:  # a damaged table must never cost the report
            warnings.append(Warning("table.error", f"统计表读取出错：{type(exc).__name__}: {exc}"))
        if template in ("2019", "2021") and not any(k.startswith(("apply.", "review.")) for k in fields):
            warnings.append(Warning("table.missing", "未找到“收到和处理政府信息公开申请情况”或复议诉讼统计表"))
    if not modern or (template is None and not fields):
        try:
            f, w = extract_legacy(text)
            fields.update(f)
            warnings += w
        except Exception as exc:
            warnings.append(Warning("table.error", f"统计表读取出错：{type(exc).__name__}: {exc}"))
    if doc.meta.get("ocr"):
        # a web page's own <table> cells are no OCR reading: only what was read from the text (where the OCR'd
        # pictures' text is) must be confirmed by a table rule
        fields, dropped = _only_verified(fields, {k for k in markup if k in fields})
        if dropped:
            warnings.append(Warning("table.ocr_unverified",
                                    f"统计表由 OCR 识别，{dropped} 个数字无法用表内合计校验，未予采用"))
    fields.update(series_fields(fields))
    warnings += check_fields(fields)
    warnings += check_prose(fields, prose)
    return fields, warnings


def _only_verified(fields: dict[str, int | float], trusted: set[str] = frozenset()
                   ) -> tuple[dict[str, int | float], int]:
    """OCR'd figures: keep those a table rule confirms (a misread digit breaks a sum it is part of), and the
    ``trusted`` ones (read from table markup), drop the rest.  Repeats until stable: dropping a figure leaves the
    rules it was part of unevaluated, so they confirm nothing."""
    total = len(fields)
    while True:
        keep = verified_fields(fields) | trusted
        if keep >= fields.keys():
            return fields, total - len(fields)
        fields = {k: v for k, v in fields.items() if k in keep}
