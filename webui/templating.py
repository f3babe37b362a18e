"""Jinja helpers: Chinese labels for facet names and values, URLs built from parameter state."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, url_for

from indexer.model import CANONICAL_SECTIONS

FACET_LABELS = {
    "province": "省份", "city": "城市", "county": "区县", "year": "年度", "section": "章节",
    "level": "层级", "body_type": "机关类型", "template": "报告格式",
}
TEMPLATE_LABELS = {"2021": "2021 年格式", "2019": "2019 年格式（试行）", "pre2019": "2019 年以前"}
SORT_LABELS = {"relevance": "相关度", "year_desc": "年度（新→旧）", "year_asc": "年度（旧→新）"}


def value_label(key: str, value) -> str:
    """How a facet value is shown: section keys and template codes get their Chinese names."""
    value = "" if value is None else str(value)
    if key == "section":
        return CANONICAL_SECTIONS.get(value, value)
    if key == "template":
        return TEMPLATE_LABELS.get(value, value)
    if key == "year":
        return f"{value} 年"
    return value


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
        FACET_LABELS=FACET_LABELS, SORT_LABELS=SORT_LABELS, TEMPLATE_LABELS=TEMPLATE_LABELS,
        CANONICAL_SECTIONS=CANONICAL_SECTIONS, value_label=value_label, url_with=url_with,
    )
    app.jinja_env.filters["number"] = number
