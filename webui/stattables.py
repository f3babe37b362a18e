"""The statistics tables of a report as blocks of rows × columns of field keys, built from the project's field
catalogue (indexer.parse.tables.catalogue), and the Chinese label of every field key.

Rendering is driven only by this data: a cell (row, col) holds field ``f"{row_prefix}.{col_suffix}"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from indexer.parse.tables import catalogue as cat


@dataclass(frozen=True)
class BlockRow:
    label: str
    prefix: str  # field key prefix, e.g. apply.result.denied.state_secret
    indent: int  # 0 top-level row, 1 （一）…, 2 numbered sub-row
    data: bool = True  # False: a heading row over its sub-rows (cells shown only if the report has values)


@dataclass(frozen=True)
class Block:
    """One grid of a statistics table."""

    title: str | None
    columns: tuple[tuple[str, str], ...]  # (Chinese label, key suffix)
    rows: tuple[BlockRow, ...]

    def key(self, row_prefix: str, col_suffix: str) -> str:
        return f"{row_prefix}.{col_suffix}"

    def keys(self) -> list[str]:
        return [self.key(r.prefix, c) for r in self.rows for _, c in self.columns]


@dataclass(frozen=True)
class StatTable:
    title: str
    blocks: tuple[Block, ...]


def _active(blocks) -> StatTable:
    return StatTable("二、主动公开政府信息情况", tuple(
        Block(f"第二十条第（{b.number}）项", tuple((cl, ck) for ck, cl, _ in b.columns),
              tuple(BlockRow(rl, f"active.{rk}", 0) for rk, rl, _ in b.rows))
        for b in blocks))


_CN_NUM = "一二三四五六七八九十"


def _apply(split_other: bool) -> StatTable:
    rows = []
    top = sub = 0  # running numbers for （一）… and 1. 2. … as printed
    for r in cat.apply_rows(split_other):
        depth = r.key.count(".")  # new → 0, result.public → 1, result.denied.state_secret → 2
        # 三、本年度办理结果 has no figures of its own, but it is printed: it heads （一）…（七）, as in the original
        if r.key in ("new", "carried_over", "result", "carried_forward"):
            label = {"new": "一、", "carried_over": "二、", "result": "三、", "carried_forward": "四、"}[r.key] + r.label
            indent = 0
        elif depth == 1:
            label, indent, sub = f"（{_CN_NUM[top]}）{r.label}", 1, 0
            top += 1
        else:
            sub += 1
            label, indent = f"{sub}. {r.label}", 2
        rows.append(BlockRow(label, f"apply.{r.key}", indent, r.data or r.key == "result.other"))
    columns = tuple((cl, ck) for ck, cl in cat.APPLY_COLUMNS)
    return StatTable("三、收到和处理政府信息公开申请情况", (Block(None, columns, tuple(rows)),))


def _review() -> StatTable:
    columns = tuple((cl, c) for c, cl in cat.REVIEW_COLUMNS)
    return StatTable("四、政府信息公开行政复议、行政诉讼情况",
                     (Block(None, columns, tuple(BlockRow(gl, g, 0) for g, gl in cat.REVIEW_GROUPS)),))


@cache
def layout(template: str | None) -> tuple[StatTable, ...]:
    """The tables a report of this template carries (pre-2019 reports have no national table format)."""
    if template == "2021":
        return (_active(cat.ACTIVE_2021), _apply(True), _review())
    if template == "2019":
        return (_active(cat.ACTIVE_2019), _apply(False), _review())
    return ()


# The compare page's field menu: one group per statistics table, as the report prints them, labels without the
# table's own prefix (依申请·…) since the group names it.
FIELD_GROUPS = (
    ("series.", "跨模板序列（2008 年起可比）", ""),
    ("active.", "二、主动公开政府信息情况", "主动公开·"),
    ("apply.", "三、收到和处理政府信息公开申请情况", "依申请·"),
    ("review.", "四、行政复议", ""),
    ("litigation.", "四、行政诉讼", "行政诉讼·"),
    ("legacy.", "2019 年以前的统计数字", ""),
)


@cache
def field_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(field key, label within the group)]) for every field, grouped by table."""
    out = []
    for prefix, title, strip in FIELD_GROUPS:
        items = [(k, v.removeprefix(strip)) for k, v in cat.FIELD_LABELS.items() if k.startswith(prefix)]
        if items:
            out.append((title, items))
    return out


@cache
def field_labels() -> dict[str, str]:
    """Every field key → Chinese label; the cross-template series first (what most comparisons want)."""
    series = {k: v for k, v in cat.FIELD_LABELS.items() if k.startswith("series.")}
    return {**series, **{k: v for k, v in cat.FIELD_LABELS.items() if k not in series}}


def label(key: str) -> str:
    return field_labels().get(key, key)
