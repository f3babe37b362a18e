"""The statistics tables of a report as rows and columns of field keys, and the Chinese label of every field key.

Layouts follow FIELDS.md / TEMPLATES.md.  Rendering is driven only by this data (blocks of row prefixes × column
suffixes), so the source of the layout — this module or ``indexer.tables.catalogue`` — can be swapped freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Block:
    """One grid of a statistics table: cell (row, col) holds field ``f"{row_prefix}.{col_suffix}"``."""

    title: str | None
    columns: tuple[tuple[str, str], ...]  # (Chinese label, key suffix)
    rows: tuple[tuple[str, str, int], ...]  # (Chinese label, key prefix, indent level)

    def key(self, row_prefix: str, col_suffix: str) -> str:
        return f"{row_prefix}.{col_suffix}"

    def keys(self) -> list[str]:
        return [self.key(r, c) for _, r, _ in self.rows for _, c in self.columns]


@dataclass(frozen=True)
class StatTable:
    title: str
    blocks: tuple[Block, ...]


# -- 二、主动公开 ------------------------------------------------------------------------------------------------
_ACTIVE_2021 = StatTable("二、主动公开政府信息情况", (
    Block("第二十条第（一）项", (("本年制发件数", "issued"), ("本年废止件数", "repealed"), ("现行有效件数", "in_force")),
          (("规章", "active.rules", 0), ("行政规范性文件", "active.normative", 0))),
    Block("第二十条第（五）、（六）项", (("本年处理决定数量", "decisions"),),
          (("行政许可", "active.license", 0), ("行政处罚", "active.penalty", 0), ("行政强制", "active.coercion", 0))),
    Block("第二十条第（八）项", (("本年收费金额（万元）", "amount_wan"),), (("行政事业性收费", "active.fees", 0),)),
))
_ACTIVE_2019 = StatTable("二、主动公开政府信息情况", (
    Block("第二十条第（一）项", (("本年新制作数量", "made"), ("本年新公开数量", "published"), ("对外公开总数量", "total")),
          (("规章", "active.rules", 0), ("规范性文件", "active.normative", 0))),
    Block("第二十条第（五）、（六）项", (("上一年项目数量", "prev_items"), ("本年增/减", "change"), ("处理决定数量", "decisions")),
          (("行政许可", "active.license", 0), ("其他对外管理服务事项", "active.other_services", 0),
           ("行政处罚", "active.penalty", 0), ("行政强制", "active.coercion", 0))),
    Block("第二十条第（八）项", (("上一年项目数量", "prev_items"), ("本年增/减", "change")),
          (("行政事业性收费", "active.fees", 0),)),
    Block("第二十条第（九）项", (("采购项目数量", "items"), ("采购总金额（万元）", "amount_wan")),
          (("政府集中采购", "active.procurement", 0),)),
))

# -- 三、依申请 --------------------------------------------------------------------------------------------------
APPLY_COLUMNS = (("自然人", "natural_person"), ("商业企业", "commercial"), ("科研机构", "research"),
                 ("社会公益组织", "social_welfare"), ("法律服务机构", "legal_service"), ("其他", "other_org"),
                 ("总计", "total"))
_DENIED = (("属于国家秘密", "state_secret"), ("其他法律行政法规禁止公开", "law_prohibited"),
           ("危及“三安全一稳定”", "security"), ("保护第三方合法权益", "third_party"),
           ("属于三类内部事务信息", "internal"), ("属于四类过程性信息", "process"),
           ("属于行政执法案卷", "enforcement"), ("属于行政查询事项", "query"))
_UNABLE = (("本机关不掌握相关政府信息", "not_held"), ("没有现成信息需要另行制作", "needs_creation"),
           ("补正后申请内容仍不明确", "unclear"))
_REJECTED = (("信访举报投诉类申请", "petition"), ("重复申请", "repeat"), ("要求提供公开出版物", "publication"),
             ("无正当理由大量反复申请", "mass"), ("要求行政机关确认或重新出具已获取信息", "confirm"))


def _apply_rows(other_split: bool) -> tuple[tuple[str, str, int], ...]:
    rows = [("一、本年新收政府信息公开申请数量", "apply.new", 0), ("二、上年结转政府信息公开申请数量", "apply.carried_over", 0),
            ("（一）予以公开", "apply.result.public", 1), ("（二）部分公开", "apply.result.partial", 1)]
    rows += [(f"不予公开·{i}.{label}", f"apply.result.denied.{k}", 2) for i, (label, k) in enumerate(_DENIED, 1)]
    rows += [(f"无法提供·{i}.{label}", f"apply.result.unable.{k}", 2) for i, (label, k) in enumerate(_UNABLE, 1)]
    rows += [(f"不予处理·{i}.{label}", f"apply.result.rejected.{k}", 2) for i, (label, k) in enumerate(_REJECTED, 1)]
    rows.append(("（六）其他处理", "apply.result.other", 1))
    if other_split:
        rows += [("其他处理·1.逾期不补正", "apply.result.other.no_correction", 2),
                 ("其他处理·2.逾期未缴费", "apply.result.other.unpaid_fee", 2),
                 ("其他处理·3.其他", "apply.result.other.misc", 2)]
    rows += [("（七）总计", "apply.result.total", 1), ("四、结转下年度继续办理", "apply.carried_forward", 0)]
    return tuple(rows)


def _apply_table(other_split: bool) -> StatTable:
    return StatTable("三、收到和处理政府信息公开申请情况", (Block(None, APPLY_COLUMNS, _apply_rows(other_split)),))


# -- 四、复议诉讼 ------------------------------------------------------------------------------------------------
_APPEALS = StatTable("四、政府信息公开行政复议、行政诉讼情况", (
    Block(None, (("结果维持", "upheld"), ("结果纠正", "corrected"), ("其他结果", "other"), ("尚未审结", "pending"),
                 ("总计", "total")),
          (("行政复议", "review", 0), ("行政诉讼·未经复议直接起诉", "litigation.direct", 0),
           ("行政诉讼·复议后起诉", "litigation.after_review", 0))),
))

# -- before 2019: single figures ----------------------------------------------------------------------------------
LEGACY_LABELS = {
    "legacy.active_total": "主动公开政府信息数",
    "legacy.apply_total": "受理依申请公开申请数",
    "legacy.review_total": "行政复议数",
    "legacy.litigation_total": "行政诉讼数",
    "legacy.fees_yuan": "收费金额（元）",
}
SERIES_LABELS = {
    "series.applications": "依申请公开申请数（跨格式序列）",
    "series.reviews": "行政复议数（跨格式序列）",
    "series.lawsuits": "行政诉讼数（跨格式序列）",
}


def layout(template: str | None) -> list[StatTable]:
    """The tables a report of this template carries (pre-2019 reports have none in a national format)."""
    if template == "2021":
        return [_ACTIVE_2021, _apply_table(True), _APPEALS]
    if template == "2019":
        return [_ACTIVE_2019, _apply_table(False), _APPEALS]
    return []


def _block_labels(table: StatTable) -> dict[str, str]:
    out = {}
    for block in table.blocks:
        for row_label, prefix, _ in block.rows:
            for col_label, suffix in block.columns:
                out[block.key(prefix, suffix)] = f"{row_label}·{col_label}"
    return out


@cache
def field_labels() -> dict[str, str]:
    """Every field key → Chinese label, in the order people expect to choose them (series first)."""
    labels: dict[str, str] = dict(SERIES_LABELS)
    for table in (_apply_table(True), _APPEALS, _ACTIVE_2021, _ACTIVE_2019):
        for k, v in _block_labels(table).items():
            labels.setdefault(k, v)
    labels.update(LEGACY_LABELS)
    return labels


def label(key: str) -> str:
    return field_labels().get(key, key)
