"""Every table field of FIELDS.md: key, Chinese label, order, template — the one place that names them.

Row and column label patterns (used to find the rows in any layout) live here too, beside the keys they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass

# 三、收到和处理政府信息公开申请情况 — the 7 applicant columns in printed order.
APPLY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)


@dataclass(frozen=True)
class Row:
    key: str  # field key part, e.g. "result.denied.state_secret"
    label: str  # Chinese label as printed (without numbering)
    pattern: str  # regex finding the printed label (numbering included where it disambiguates)
    data: bool = True  # False: a parent label that only heads sub-rows (a separator when reading)


def _loose(text: str) -> str:
    """Regex for `text` tolerating whitespace between any two characters (PDF line breaks, stray spaces)."""
    import re

    return r"\s*".join(re.escape(ch) for ch in text if not ch.isspace())


_N = r"[（(]\s*{}\s*[）)]\s*"  # （一） / (一)
_SUB = r"(?:{}\s*[.、．，,]\s*)?"  # optional "1." / "1、" prefix of sub-rows


def _sub(n: int, text: str) -> str:
    return _SUB.format(n) + _loose(text)


# Rows of 三 in printed order.  2019 has a single （六）其他处理 row; 2021 splits it into three sub-rows.
APPLY_ROWS_HEAD: tuple[Row, ...] = (
    Row("new", "本年新收政府信息公开申请数量", r"(?:一\s*[、.，]\s*)?" + _loose("本年新收") + r"\s*" + _loose("政府信息公开申请数量")),
    Row("carried_over", "上年结转政府信息公开申请数量", r"(?:二\s*[、.，]\s*)?" + _loose("上年结转") + r"\s*" + _loose("政府信息公开申请数量")),
    Row("result", "本年度办理结果", r"(?:三\s*[、.，]\s*)?" + _loose("本年度办理结果"), data=False),
    Row("result.public", "予以公开", _N.format("一") + _loose("予以公开")),
    Row("result.partial", "部分公开", _N.format("二") + _loose("部分公开") + r"(?:\s*[（(][^）)]{0,40}[）)])?"),
    Row("result.denied", "不予公开", _N.format("三") + _loose("不予公开"), data=False),
    Row("result.denied.state_secret", "属于国家秘密", _sub(1, "属于国家秘密")),
    Row("result.denied.law_prohibited", "其他法律行政法规禁止公开", _sub(2, "其他法律行政") + r"[^\d\t\n]{0,10}?" + _loose("止公开")),
    Row("result.denied.security", "危及“三安全一稳定”", _sub(3, "危及") + r"\s*[“\"']?\s*" + _loose("三安全一稳定") + r"\s*[”\"']?"),
    Row("result.denied.third_party", "保护第三方合法权益", _sub(4, "保护第三方合法权益")),
    Row("result.denied.internal", "属于三类内部事务信息", _sub(5, "属于三类内部事务信息")),
    Row("result.denied.process", "属于四类过程性信息", _sub(6, "属于四类过程性信息")),
    Row("result.denied.enforcement", "属于行政执法案卷", _sub(7, "属于行政执法案卷")),
    Row("result.denied.query", "属于行政查询事项", _sub(8, "属于行政查询事项")),
    Row("result.unable", "无法提供", _N.format("四") + _loose("无法提供"), data=False),
    Row("result.unable.not_held", "本机关不掌握相关政府信息", _sub(1, "本机关不掌握相关政府信息")),
    Row("result.unable.needs_creation", "没有现成信息需要另行制作", _sub(2, "没有现成信息需要另行制作")),
    Row("result.unable.unclear", "补正后申请内容仍不明确", _sub(3, "补正后申请内容仍不明确")),
    Row("result.rejected", "不予处理", _N.format("五") + _loose("不予处理"), data=False),
    Row("result.rejected.petition", "信访举报投诉类申请", _sub(1, "信访举报投诉类申请")),
    Row("result.rejected.repeat", "重复申请", _sub(2, "重复申请")),
    Row("result.rejected.publication", "要求提供公开出版物", _sub(3, "要求提供公开出版物")),
    Row("result.rejected.mass", "无正当理由大量反复申请", _sub(4, "无正当理由大量反复申请")),
    Row("result.rejected.confirm", "要求行政机关确认或重新出具已获取信息",
        _sub(5, "要求行政机关确认或重") + r"\s*" + _loose("新出具") + r"\s*" + _loose("已获取信息")),
)
APPLY_OTHER_SINGLE = Row("result.other", "其他处理", _N.format("六") + _loose("其他处理"))
APPLY_OTHER_PARENT = Row("result.other", "其他处理", _N.format("六") + _loose("其他处理"), data=False)
APPLY_OTHER_SUBROWS: tuple[Row, ...] = (
    Row("result.other.no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        _sub(1, "申请人无正当理由逾期不补正") + r"[^\d]{0,40}?" + _loose("政府信息公开申请")),
    Row("result.other.unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        _sub(2, "申请人逾期未按收费通知") + r"[^\d]{0,40}?" + _loose("政府信息公开申请")),
    Row("result.other.misc", "其他", r"(?:3|三)\s*[.、．，,]\s*" + _loose("其他")),
)
APPLY_ROWS_TAIL: tuple[Row, ...] = (
    Row("result.total", "总计", _N.format("七") + _loose("总计")),
    Row("carried_forward", "结转下年度继续办理", r"(?:四\s*[、.，]\s*)?" + _loose("结转下年度继续办理")),
)
# Marks that no row content runs past (header words, the next table's heading).
APPLY_STOPS = (_loose("政府信息公开行政复议"), r"四\s*[、.]\s*" + _loose("政府信息公开"), r"五\s*[、.]\s*" + _loose("存在"))


def apply_rows(split_other: bool) -> tuple[Row, ...]:
    """Rows of 三 as printed: 2019 style (single （六）) or 2021 style (（六） with three sub-rows)."""
    if split_other:
        return APPLY_ROWS_HEAD + (APPLY_OTHER_PARENT,) + APPLY_OTHER_SUBROWS + APPLY_ROWS_TAIL
    return APPLY_ROWS_HEAD + (APPLY_OTHER_SINGLE,) + APPLY_ROWS_TAIL


# Rows whose sum is （七）总计 (per column).
def apply_result_keys(split_other: bool) -> list[str]:
    return [r.key for r in apply_rows(split_other) if r.data and r.key.startswith("result.") and r.key != "result.total"]


# 四、行政复议、行政诉讼 — 15 columns in printed order.
REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation.direct", "行政诉讼·未经复议直接起诉"),
    ("litigation.after_review", "行政诉讼·复议后起诉"),
)
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计"),
)
REVIEW_KEYS: tuple[str, ...] = tuple(f"{g}.{c}" for g, _ in REVIEW_GROUPS for c, _ in REVIEW_COLUMNS)


# 二、主动公开 — blocks: (block number, [(row key, label, label regex)], [(column key, label, kind)])
# kind: int | signed (本年增/减) | money (万元)
@dataclass(frozen=True)
class ActiveBlock:
    number: str  # 一 / 五 / 六 / 八 / 九
    rows: tuple[tuple[str, str, str], ...]
    columns: tuple[tuple[str, str, str], ...]


_PREV = (("prev_items", "上一年项目数量", "int"), ("change", "本年增/减", "signed"), ("decisions", "处理决定数量", "int"))
ACTIVE_2019: tuple[ActiveBlock, ...] = (
    ActiveBlock("一", (("rules", "规章", r"(?<!行政)规\s*章"), ("normative", "规范性文件", r"(?<!行政)规\s*范\s*性\s*文\s*件")),
                (("made", "本年新制作数量", "int"), ("published", "本年新公开数量", "int"), ("total", "对外公开总数量", "int"))),
    ActiveBlock("五", (("license", "行政许可", _loose("行政许可")),
                       ("other_services", "其他对外管理服务事项", _loose("其他对外管理服务事项"))), _PREV),
    ActiveBlock("六", (("penalty", "行政处罚", _loose("行政处罚")), ("coercion", "行政强制", _loose("行政强制"))), _PREV),
    ActiveBlock("八", (("fees", "行政事业性收费", _loose("行政事业性收费")),), _PREV[:2]),
    ActiveBlock("九", (("procurement", "政府集中采购", _loose("政府集中采购")),),
                (("items", "采购项目数量", "int"), ("amount_wan", "采购总金额（万元）", "money"))),
)
ACTIVE_2021: tuple[ActiveBlock, ...] = (
    ActiveBlock("一", (("rules", "规章", r"(?<!行政)规\s*章"), ("normative", "行政规范性文件", r"(?:行\s*政\s*)?规\s*范\s*性\s*文\s*件")),
                (("issued", "本年制发件数", "int"), ("repealed", "本年废止件数", "int"), ("in_force", "现行有效件数", "int"))),
    ActiveBlock("五", (("license", "行政许可", _loose("行政许可")),), (("decisions", "本年处理决定数量", "int"),)),
    ActiveBlock("六", (("penalty", "行政处罚", _loose("行政处罚")), ("coercion", "行政强制", _loose("行政强制"))),
                (("decisions", "本年处理决定数量", "int"),)),
    ActiveBlock("八", (("fees", "行政事业性收费", _loose("行政事业性收费")),), (("amount_wan", "本年收费金额（万元）", "money"),)),
)

LEGACY_FIELDS: tuple[tuple[str, str], ...] = (
    ("legacy.active_total", "主动公开政府信息数"),
    ("legacy.apply_total", "受理依申请公开申请数"),
    ("legacy.review_total", "行政复议数"),
    ("legacy.litigation_total", "行政诉讼数"),
    ("legacy.fees_yuan", "收费金额（元）"),
)
SERIES_FIELDS: tuple[tuple[str, str], ...] = (
    ("series.applications", "申请数（跨模板）"),
    ("series.reviews", "行政复议数（跨模板）"),
    ("series.lawsuits", "行政诉讼数（跨模板）"),
)

# Computed across the collection, not read from a table (indexer/history/reuse.py): shares from 0 to 1.
REUSE_FIELDS: tuple[tuple[str, str], ...] = (
    ("reuse.previous", "与本机关上年报告相同的句子占比"),
    ("reuse.others", "与其他机关报告相同的句子占比"),
)


def _build() -> dict[str, str]:
    """Every field key → Chinese label, in the order of FIELDS.md (the CSV column order)."""
    out: dict[str, str] = {}
    seen_active: set[str] = set()
    for blocks in (ACTIVE_2021, ACTIVE_2019):
        for b in blocks:
            for rk, rl, _ in b.rows:
                for ck, cl, _ in b.columns:
                    key = f"active.{rk}.{ck}"
                    if key not in seen_active:
                        seen_active.add(key)
                        out[key] = f"主动公开·{rl}·{cl}"
    rows = list(APPLY_ROWS_HEAD) + [APPLY_OTHER_SINGLE] + list(APPLY_OTHER_SUBROWS) + list(APPLY_ROWS_TAIL)
    for row in rows:
        if not row.data:
            continue
        for ck, cl in APPLY_COLUMNS:
            out[f"apply.{row.key}.{ck}"] = f"依申请·{row.label}·{cl}"
    for g, gl in REVIEW_GROUPS:
        for c, cl in REVIEW_COLUMNS:
            out[f"{g}.{c}"] = f"{gl}·{cl}"
    out.update(LEGACY_FIELDS)
    out.update(SERIES_FIELDS)
    out.update(REUSE_FIELDS)
    return out


FIELD_LABELS: dict[str, str] = _build()
FIELD_KEYS: tuple[str, ...] = tuple(FIELD_LABELS)
# Decimal fields; every other field is an integer.
DECIMAL_FIELDS = frozenset(k for k in FIELD_KEYS if k.endswith("amount_wan") or k.startswith("reuse."))


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)
