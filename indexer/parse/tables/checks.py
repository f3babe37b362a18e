"""The rules of FIELDS.md evaluated on a report's fields: every broken rule becomes a named warning.

The figures stay as written; a rule whose figures are not all known is not evaluated.
"""

from __future__ import annotations

from indexer.model import Warning
from indexer.parse.tables.catalogue import (APPLY_COLUMNS, APPLY_OTHER_SUBROWS, APPLY_ROWS_HEAD, APPLY_ROWS_TAIL,
                                      REVIEW_COLUMNS, REVIEW_GROUPS, apply_result_keys)

_COL_LABEL = dict(APPLY_COLUMNS)
_GROUP_CODE = {"review": "check.review.total", "litigation.direct": "check.litigation.direct.total",
               "litigation.after_review": "check.litigation.after_review.total"}
_APPLY_ROW_LABEL = {r.key: r.label for r in APPLY_ROWS_HEAD + APPLY_OTHER_SUBROWS + APPLY_ROWS_TAIL}
_APPLY_ROW_LABEL.update({"result.other": "其他处理", "result.total": "（七）总计"})


def check_fields(fields: dict[str, int | float]) -> list[Warning]:
    return [w for _, ok, w in _rules(fields) if not ok]


def verified_fields(fields: dict[str, int | float]) -> set[str]:
    """Keys that every rule of their table confirms: no evaluated rule contradicts them, and in table 三 both a row
    rule and a column rule hold for them (a row rule alone is weak: a row of zeros read in place of a row of figures
    still adds up); in table 四 the group's total holds.

    For text that may be misread (OCR) this is what can be kept: a misread figure breaks a sum it is part of."""
    passed: dict[str, int] = {}
    failed: set[str] = set()
    for keys, ok, _ in _rules(fields):
        for k in keys:
            if ok:
                passed[k] = passed.get(k, 0) + 1
            else:
                failed.add(k)
    return {k for k, n in passed.items() if k not in failed and n >= (2 if k.startswith("apply.") else 1)}


def _rules(fields: dict[str, int | float]):
    """Every rule whose figures are all known: (the keys it covers, whether it holds, its warning when not)."""
    # row totals of 三: six applicant columns = 总计
    rows = sorted({k[len("apply."):].rsplit(".", 1)[0] for k in fields if k.startswith("apply.")})
    for row in rows:
        keys = [f"apply.{row}.{c}" for c, _ in APPLY_COLUMNS]
        vals = [fields.get(k) for k in keys]
        if any(v is None for v in vals):
            continue
        parts, total = vals[:6], vals[6]
        ok = sum(parts) == total  # type: ignore[arg-type]
        yield keys, ok, None if ok else Warning(
            "check.apply.row_total",
            f"三、{_APPLY_ROW_LABEL.get(row, row)}：六类申请人合计 {sum(parts)} ≠ 总计 {total}"  # type: ignore[arg-type]
            f"（apply.{row} 行：申请人各栏之和 {sum(parts)}，total 栏为 {total}）",  # type: ignore[arg-type]
            f"apply.{row}.total")
    # 第一项加第二项之和，等于第三项加第四项之和 (per column)
    for c, cl in APPLY_COLUMNS:
        keys = [f"apply.{r}.{c}" for r in ("new", "carried_over", "result.total", "carried_forward")]
        a, b, t, f = (fields.get(k) for k in keys)
        if None in (a, b, t, f):
            continue
        ok = a + b == t + f  # type: ignore[operator]
        yield keys, ok, None if ok else Warning(
            "check.apply.balance",
            f"三、{cl}栏：本年新收 {a} + 上年结转 {b} ≠ 办理结果总计 {t} + 结转下年度 {f}"
            f"（{c} 栏：new + carried_over = {a + b}，result.total + carried_forward = {t + f}）",  # type: ignore[operator]
            f"apply.result.total.{c}")
    # （七）总计 = Σ result rows (per column), for whichever form of （六） the report has
    split = any(k.startswith("apply.result.other.no_correction.") for k in fields)
    result_keys = apply_result_keys(split)
    for c, cl in APPLY_COLUMNS:
        keys = [f"apply.{k}.{c}" for k in result_keys] + [f"apply.result.total.{c}"]
        vals = [fields.get(k) for k in keys]
        if any(v is None for v in vals):
            continue
        s, t = sum(vals[:-1]), vals[-1]  # type: ignore[arg-type]
        ok = s == t
        yield keys, ok, None if ok else Warning(
            "check.apply.result_sum",
            f"三、{cl}栏：各项办理结果之和 {s} ≠ （七）总计 {t}（{c} 栏：各 result 行之和 {s}，"
            f"result.total 为 {t}）", f"apply.result.total.{c}")
    # 四: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结
    for g, gl in REVIEW_GROUPS:
        keys = [f"{g}.{c}" for c, _ in REVIEW_COLUMNS]
        vals = [fields.get(k) for k in keys]
        if any(v is None for v in vals):
            continue
        s = sum(vals[:4])  # type: ignore[arg-type]
        ok = s == vals[4]
        yield keys, ok, None if ok else Warning(
            _GROUP_CODE[g], f"四、{gl}：维持+纠正+其他+尚未审结 = {s} ≠ 总计 {vals[4]}"
                            f"（{g}：各项之和 {s}，total 为 {vals[4]}）", f"{g}.total")
