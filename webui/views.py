"""The HTML pages: search (/), report (/report/<id>), compare (/compare and its CSV)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, render_template, request

from webui import compare as cmp
from webui import stattables
from webui.library import get_library, get_light_reports
from webui.charts import chart
from webui.data import matching_reports, other_years
from webui.highlight import highlight, query_terms
from webui.params import FILTER_KEYS, ParamError, SearchParams, parse_search_args

bp = Blueprint("views", __name__)

FACETS_SHOWN = 8  # values shown before "更多"


def _facet_groups(params: SearchParams, facets: dict[str, list[dict]]) -> list[dict]:
    """Facets in display order; city only once a province is ticked, county once a city is (drill-down)."""
    groups = []
    for key in FILTER_KEYS:
        if key == "city" and "province" not in params.filters:
            continue
        if key == "county" and "city" not in params.filters:
            continue
        values = list(facets.get(key, []))
        if key == "year":
            values.sort(key=lambda v: str(v["value"]), reverse=True)
        selected = params.filters.get(key, [])
        present = {str(v["value"]) for v in values}
        # a ticked value stays visible (and untickable) even when the other filters leave it no hits
        values = [{"value": s, "count": 0} for s in selected if s not in present] + values
        if not values:
            continue
        values = [{**v, "value": str(v["value"]), "checked": str(v["value"]) in selected} for v in values]
        values.sort(key=lambda v: not v["checked"])  # ticked first, so none hides under "更多"
        groups.append({"key": key, "values": values})
    return groups


def _chips(params: SearchParams) -> list[dict]:
    return [{"key": k, "value": v, "args": params.without(k, v)} for k in FILTER_KEYS for v in params.filters.get(k, [])]


def _pages(params: SearchParams, total: int) -> list[int | None]:
    """Page numbers around the current one, None for a gap."""
    last = max(1, -(-total // params.limit))
    cur = params.page
    shown = sorted({1, last, *range(max(1, cur - 2), min(last, cur + 2) + 1)})
    out: list[int | None] = []
    for p in shown:
        if out and p - (out[-1] or 0) > 1:
            out.append(None)
        out.append(p)
    return out


@bp.get("/")
def search():
    error = None
    result = None
    try:
        params = parse_search_args(request.args, paged=True)
    except ParamError as e:
        params, error = SearchParams(q=(request.args.get("q") or "")[:500]), str(e)
    lib = get_library()
    if error is None:
        try:
            # an exact search that finds nothing shows what words mode finds, and says so (search.html)
            result = lib.search(params.q, filters=params.filters or None, sort=params.sort,
                                limit=params.limit, offset=params.offset, mode=params.mode, words_fallback=True)
        except ValueError as e:  # engine.errors.QueryError: a malformed query, shown as a hint, not an error page
            error = str(e) or "检索式无法解析"
    status = 400 if error else 200
    facets = result["facets"] if result else {}
    return render_template(
        "search.html", params=params, result=result, error=error,
        facet_groups=_facet_groups(params, facets), chips=_chips(params),
        pages=_pages(params, result["total"]) if result else [],
    ), status


def _section_tree(report, terms):
    """Sections with their highlighted heading and paragraphs, and how many matches each holds."""
    out = []
    for s in report.sections:
        paras = [highlight(p, terms) for p in s.text.split("\n") if p.strip()]
        heading = highlight(s.heading, terms)
        hits = sum(str(p).count("<mark>") for p in paras) + str(heading).count("<mark>")
        out.append({"s": s, "heading": heading, "paras": paras, "hits": hits})
    return out


def _stat_tables(report):
    warned = {}
    for w in report.warnings:
        if w.field:
            warned.setdefault(w.field, []).append(w.message)
    tables = stattables.layout(report.template)
    shown = {k for t in tables for b in t.blocks for k in b.keys()}
    extra = [(k, stattables.label(k), v) for k, v in sorted(report.fields.items()) if k not in shown]
    has_any = any(k in report.fields for k in shown)
    return tables if has_any else [], extra, warned


@bp.get("/report/<report_id>")
def report(report_id: str):
    lib = get_library()
    rep = lib.get(report_id)
    if rep is None:
        abort(404)
    q = (request.args.get("q") or "").strip()[:500]
    terms = query_terms(q)
    sections = _section_tree(rep, terms)
    tables, extra_fields, warned = _stat_tables(rep)
    keywords = lib.keywords(report_id) or {}
    return render_template(
        "report.html", r=rep, q=q, sections=sections, total_hits=sum(s["hits"] for s in sections),
        tables=tables, extra_fields=extra_fields, warned=warned, fields=rep.fields,
        other_years=other_years(lib, rep), is_url=(rep.source or "").startswith(("http://", "https://")),
        keywords=keywords.get("keywords") or [], similar=lib.similar(report_id, 8) or [],
    )


def _compare_state():
    params = parse_search_args(request.args)
    labels = stattables.field_labels()
    field_key = request.args.get("field") or "series.applications"
    if field_key not in labels and not field_key.replace(".", "").replace("_", "").isalnum():
        raise ParamError(f"未知字段：{field_key}")
    by = request.args.get("by") or "issuer"
    if by not in cmp.GROUPINGS:
        raise ParamError(f"未知的分组方式：{by}")
    return params, field_key, by, labels


@bp.get("/compare")
def compare():
    lib = get_library()
    error = None
    table = None
    t0 = time.perf_counter()
    try:
        params, field_key, by, labels = _compare_state()
        table = cmp.build_table(matching_reports(lib, params, light=get_light_reports()), field_key, by)
    except ValueError as e:  # ParamError or a malformed query
        params, field_key, by, labels = SearchParams(), "series.applications", "issuer", stattables.field_labels()
        error = str(e)
    facets = {}
    try:
        facets = lib.facets("", filters=None)
    except ValueError:
        pass
    svg = None
    if table and table.rows:
        svg = chart(table.years, table.series(), title=f"{labels.get(field_key, field_key)}",
                    log=request.args.get("scale") == "log")
    return render_template(
        "compare.html", params=params, field_key=field_key, by=by, labels=labels, table=table, svg=svg,
        error=error, groupings=cmp.GROUPINGS, log_scale=request.args.get("scale") == "log", facets=facets, took_ms=round((time.perf_counter() - t0) * 1000),
        csv_args=request.args,
    ), (400 if error else 200)


@bp.get("/compare.csv")
def compare_csv():
    lib = get_library()
    try:
        params, field_key, by, _ = _compare_state()
        table = cmp.build_table(matching_reports(lib, params, light=get_light_reports()), field_key, by)
    except ValueError as e:
        return Response(f"{e}\n", status=400, mimetype="text/plain")
    return Response(cmp.to_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="compare-{field_key}-{by}.csv"'})
