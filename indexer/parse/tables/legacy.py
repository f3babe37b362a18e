"""Before 2019: legacy.* figures from the report's sentences and from its appended 统计表.

The text is read first (全年累计主动公开政府信息22484余条, 依申请公开74件, 未收到…行政复议申请 → 0).  In the 统计表 each
indicator is followed by 本年度 and 历年累计, often glued ('主动公开信息数条4251516'); a glued pair is read only when a
single cut leaves 本年度 ≤ 历年累计, or when the text states one of the readings.
"""

from __future__ import annotations

import re

from indexer.model import Warning
from indexer.parse.cleaning import join_broken_words

_NUM = r"(\d[\d,，]*)"
TEXT_PATTERNS: dict[str, list[tuple[str, int | None]]] = {
    # (regex, fixed value or None to take group 1)
    "legacy.active_total": [(r"主动公开(?:各类|各项)?政府信息(?:共计|总数|共|达)?\s*" + _NUM + r"\s*[余多]?\s*[条件]", None)],
    "legacy.apply_total": [
        (r"依申请公开(?:政府信息)?(?:申请)?\s*" + _NUM + r"\s*件", None),
        (r"(?:收到|受理)[^。；;\d]{0,24}?(?:政府信息公开|信息公开)的?申请\s*(?:共|总计)?\s*" + _NUM + r"\s*[件条]", None),
        (r"(?:未|没有)(?:收到|受理)[^。；;，,复诉\d]{0,24}?(?:政府信息公开|信息公开)的?申请", 0),
    ],
    "legacy.review_total": [
        (r"行政复议(?:申请)?\s*" + _NUM + r"\s*[件起宗]", None),
        (r"(?:未|没有)(?:收到|发生)[^。；;]{0,30}?行政复议", 0),
    ],
    "legacy.litigation_total": [
        (r"行政诉讼(?:案件)?\s*" + _NUM + r"\s*[件起宗]", None),
        (r"(?:未|没有)(?:收到|发生)[^。；;]{0,30}?行政复议[、和及或]\s*(?:提起)?行政诉讼", 0),
        (r"(?:未|没有)(?:收到|发生)[^。；;]{0,20}?(?:提起)?行政诉讼", 0),
    ],
}

# 统计表 indicators: field → regex of the indicator name (unit follows)
TABLE_INDICATORS: dict[str, str] = {
    "legacy.active_total": r"主动公开(?:政府)?(?:信息|文件)(?:总)?数",
    "legacy.apply_total": r"受理依申请公开(?:信息|申请)?(?:总)?数",
    "legacy.review_total": r"(?<![、，])行政复议(?:案件)?数",
    "legacy.litigation_total": r"(?<![、，接受])行政诉讼(?:案件)?数",
    "legacy.fees_yuan": r"收费(?:减免)?(?:金额|总额)",
}
_UNIT = r"\s*[（(]?\s*(?:条|件|元|个|项|万元)?\s*[）)]?\s*"


def _int(s: str) -> int:
    return int(re.sub(r"[,，]", "", s))


def from_text(text: str) -> dict[str, int]:
    text = join_broken_words(text)  # 被提起行\n政诉讼1件: a hard line break must not hide a figure
    out: dict[str, int] = {}
    for key, pats in TEXT_PATTERNS.items():
        best: tuple[int, int] | None = None  # (position, value): the first statement in the report wins
        for pat, fixed in pats:
            m = re.search(pat, text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), fixed if fixed is not None else _int(m.group(1)))
        if best is not None:
            out[key] = best[1]
    return out


def _pair_readings(run: str) -> list[tuple[int, int]]:
    """Cuts of a glued '本年度历年累计' run into two numbers with 本年度 ≤ 历年累计."""
    out = []
    for i in range(1, len(run)):
        a, b = run[:i], run[i:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0"):
            continue
        if int(a) <= int(b):
            out.append((int(a), int(b)))
    return out


def from_table(text: str) -> dict[str, list[int]]:
    """Possible 本年度 values per indicator of an appended 统计表 (one value = decided)."""
    m = re.search(r"指\s*标\s*名\s*称", text)
    if not m:
        return {}
    region = text[m.start(): m.start() + 4000]
    out: dict[str, list[int]] = {}
    for key, name in TABLE_INDICATORS.items():
        im = re.search(name + _UNIT + r"([\d\s.]*)", region)
        if not im:
            continue
        run = im.group(1)
        after = region[im.end(): im.end() + 1]
        tokens = run.split()
        if len(tokens) >= 2:
            try:
                out[key] = [int(float(tokens[0]))]
            except ValueError:
                pass
            continue
        if not tokens:
            continue
        digits = tokens[0]
        if after in ("、", ".", "．") and len(digits) > 1:
            digits = digits[:-1]  # the next item's number ('…816' + '2、政府公报…')
        if not digits.isdigit():
            continue
        out[key] = [a for a, _ in _pair_readings(digits)]
    return out


def extract_legacy(text: str) -> tuple[dict[str, int], list[Warning]]:
    fields = from_text(text)
    warnings: list[Warning] = []
    for key, options in from_table(text).items():
        if key in fields:
            if options and fields[key] not in options:
                warnings.append(Warning("legacy.mismatch", f"统计表与正文不一致：正文 {fields[key]}，统计表可读为 {options[:5]}", key))
            continue
        if len(set(options)) == 1:
            fields[key] = options[0]
        elif options:
            warnings.append(Warning("table.ambiguous", f"统计表数字连写，本年度数无法确定（可能为 {sorted(set(options))[:6]}）", key))
    return fields, warnings
