"""Jinja helpers: Chinese labels for facet names and values, URLs built from parameter state."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, url_for

from indexer.model import CANONICAL_SECTIONS
from webui.params import DEFAULT_LIMIT, SNIPPETS

FACET_LABELS = {
    "province": "省份", "city": "城市", "county": "区县", "issuer": "发布机关", "year": "年度", "section": "章节",
    "level": "层级", "body_type": "机关类型", "template": "报告格式", "warning": "提示",
    "keyword": "主题词",
}
# Warning codes (indexer: metadata, regions, tables and their checks) as a reader of the facet understands them.
WARNING_LABELS = {
    "meta.no_title": "未识别出标题", "meta.no_year": "未识别出年度",
    "region.unresolved": "地区未能确定", "region.uncertain": "地区不确定", "region.site": "地区据同一网站的其他报告确定",
    "table.missing": "缺统计表", "table.missing_row": "统计表缺行", "table.unreadable": "统计表无法读取",
    "table.ambiguous": "统计表数字有歧义", "table.error": "统计表读取出错",
    "read.ocr": "文字经 OCR 从图像识别", "table.ocr_unverified": "OCR 识别的统计表未能核对",
    "table.prose": "统计表数字据正文所述确定", "check.prose": "正文所述数字与统计表不符",
    "check.apply.balance": "表三：收支不平衡", "check.apply.row_total": "表三：各列之和≠总计",
    "check.apply.result_sum": "表三：办理结果之和不符", "check.review.total": "表四：行政复议总计不符",
    "check.litigation.direct.total": "表四：直接起诉总计不符",
    "check.litigation.after_review.total": "表四：复议后起诉总计不符",
    "legacy.mismatch": "正文与统计表数字不一致", "field.note": "字段附注",
}
TEMPLATE_LABELS = {"2021": "2021 年格式", "2019": "2019 年格式（试行）", "pre2019": "2019 年以前"}
SORT_LABELS = {"relevance": "相关度", "year_desc": "年度（新→旧）", "year_asc": "年度（旧→新）"}
# The table-field sorts the sort menu offers (any field key works by URL, as in `nianbao search --sort`): the
# cross-template series first, then the totals people compare most.
FIELD_SORTS = ("series.applications", "series.reviews", "series.lawsuits", "apply.new.total",
               "apply.result.public.total", "review.total")


def value_label(key: str, value) -> str:
    """How a facet value is shown: section keys and template codes get their Chinese names."""
    value = "" if value is None else str(value)
    if key == "section":
        return CANONICAL_SECTIONS.get(value, value)
    if key == "template":
        return TEMPLATE_LABELS.get(value, value)
    if key == "year":
        return f"{value} 年"
    if key == "warning":
        return WARNING_LABELS.get(value, value)
    return value


def sort_label(sort: str) -> str:
    """The sort select's text, also for a table-field sort reached by URL (?sort=apply.new.total:asc)."""
    if sort in SORT_LABELS:
        return SORT_LABELS[sort]
    from indexer.engine.ranking import parse_field_sort
    from indexer.parse.tables.catalogue import FIELD_LABELS

    key, descending = parse_field_sort(sort)
    return f"{FIELD_LABELS[key]}（{'大→小' if descending else '小→大'}）"


def url_with(endpoint: str, args=None, anchor: str | None = None, **values) -> str:
    """url_for plus a (multi-)dict of query arguments, repeated keys kept."""
    base = url_for(endpoint, **values)
    if args:
        items = args.items(multi=True) if hasattr(args, "items") and hasattr(args, "getlist") else args.items()
        query = urlencode(list(items))
        if query:
            base += "?" + query
    if anchor:
        base += "#" + anchor
    return base


def number(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}"
    return f"{int(v):,}"


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        DEFAULT_LIMIT=DEFAULT_LIMIT, SNIPPETS=SNIPPETS, FACET_LABELS=FACET_LABELS, SORT_LABELS=SORT_LABELS, TEMPLATE_LABELS=TEMPLATE_LABELS, FIELD_SORTS=FIELD_SORTS,
        CANONICAL_SECTIONS=CANONICAL_SECTIONS, value_label=value_label, url_with=url_with, sort_label=sort_label,
    )
    app.jinja_env.filters["number"] = number
