"""The HTML pages: search (/), report (/report/<id>) and its 与上年对比 (/report/<id>/diff), compare (/compare and its
CSV)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, render_template, request

from indexer.engine.errors import ShardsUnavailable, UnknownName
from indexer.citation import accessed_date, citation
from indexer.engine.evaluate import PREFIX_FIELDS, selected_values
from webui import compare as cmp
from webui import stattables
from webui.library import get_library, get_light_reports
from webui.charts import chart
from webui.data import matching_reports
from webui.highlight import highlight, query_fields, query_terms
from webui.params import FILTER_KEYS, ParamError, SearchParams, parse_search_args
from webui.templating import value_label

from indexer.history.series import SERIES_FIELDS

bp = Blueprint("views", __name__)

FACETS_SHOWN = 8  # values shown before "更多"
FACET_MAX_SHOWN = 100  # values listed at most (the issuer facet of a large collection has thousands)


def _label(key: str, item: dict) -> str:
    """A facet value as shown: the issuer facet's values are issuer_ids shown by their body's name."""
    if key == "issuer" and item.get("label"):
        return item["label"]
    return value_label(key, item["value"])


def _facet_groups(params: SearchParams, facets: dict[str, list[dict]],
                  cut: dict[str, int] | None = None) -> list[dict]:
    """Facets in display order; city only once a province is ticked, county once a city is (drill-down).  ``cut``:
    the values the search left out of each facet (asked for FACET_MAX_SHOWN)."""
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
        # a value typed short (a link with province=江苏) selects the values it begins (江苏省), as the engine's
        # filter does: those are ticked, not the short value with a count of 0 beside them
        chosen = {s: selected_values([str(v["value"]) for v in values], s) if key in PREFIX_FIELDS else []
                  for s in selected}
        ticked = {c for cs in chosen.values() for c in cs}

        def checked(v: dict) -> bool:  # an issuer may be ticked by its id or (a typed link) by its name
            return (str(v["value"]) in selected or str(v["value"]) in ticked
                    or (key == "issuer" and v.get("label") in selected))

        present = {str(v["value"]) for v in values} | {v["label"] for v in values if key == "issuer" and v.get("label")}
        present |= {s for s, cs in chosen.items() if cs}
        # a ticked value stays visible (and untickable) even when the other filters leave it no hits
        values = [{"value": s, "count": 0} for s in selected if s not in present] + values
        if not values:
            continue
        values = [{**v, "value": str(v["value"]), "label": _label(key, v), "checked": checked(v)} for v in values]
        values.sort(key=lambda v: not v["checked"])  # ticked first, so none hides under "更多"
        ticked = sum(v["checked"] for v in values)
        groups.append({"key": key, "values": values[:max(FACET_MAX_SHOWN, ticked)],
                       "more": max(0, len(values) - max(FACET_MAX_SHOWN, ticked)) + (cut or {}).get(key, 0)})
    return groups


def _chips(params: SearchParams, facets: dict[str, list[dict]]) -> list[dict]:
    labels = {str(v["value"]): v["label"] for v in facets.get("issuer", []) if v.get("label")}
    return [{"key": k, "value": v, "label": labels.get(v, v) if k == "issuer" else value_label(k, v),
             "args": params.without(k, v)} for k in FILTER_KEYS for v in params.filters.get(k, [])]


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
    error, syntax_hint = None, False
    result = None
    try:
        params = parse_search_args(request.args, paged=True)
    except ParamError as e:
        params, error = SearchParams(q=(request.args.get("q") or "")[:500]), str(e)
    lib = get_library()
    page_notice = None
    if error is None:
        try:
            # an exact search that finds nothing shows what words mode finds, and says so (search.html)
            result = lib.search(params.q, filters=params.filters or None, sort=params.sort,
                                limit=params.limit, offset=params.offset, mode=params.mode, words_fallback=True,
                                facet_size=FACET_MAX_SHOWN)
            if not result["results"] and result["total"] and params.offset:
                # a page past the end (an old link, a narrower filter): the last page, and say so
                asked, last = params.page, -(-result["total"] // params.limit)
                params.offset = (last - 1) * params.limit
                result = lib.search(params.q, filters=params.filters or None, sort=params.sort,
                                    limit=params.limit, offset=params.offset, mode=params.mode,
                                    words_fallback=True, facet_size=FACET_MAX_SHOWN)
                page_notice = f"没有第 {asked} 页（共 {last} 页），下面是最后一页。"
        except ValueError as e:  # engine.errors.QueryError: a malformed query, shown as a hint, not an error page
            error = str(e) or "检索式无法解析"
            syntax_hint = not isinstance(e, UnknownName)  # an unknown name's message already lists the nearest
    status = 400 if error else 200
    facets = result["facets"] if result else {}
    return render_template(
        "search.html", params=params, result=result, error=error, syntax_hint=syntax_hint, page_notice=page_notice,
        facet_groups=_facet_groups(params, facets, (result or {}).get("facets_more")), chips=_chips(params, facets),
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
    extra = [(k, stattables.label(k), v) for k, v in sorted(report.fields.items())
             if k not in shown and not k.startswith("reuse.")]  # reuse.*: the 复用率 block
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
    field_hits = [(k, stattables.label(k), rep.fields[k]) for k in query_fields(q) if k in rep.fields]
    # on a cluster with a shard down these need every shard's word counts: the report itself is still shown,
    # without them and with a note, rather than a 503 page
    shards_down = None
    try:
        keywords = lib.keywords(report_id) or {}
        similar = lib.similar(report_id, 8) or []
    except ShardsUnavailable as e:
        keywords, similar, shards_down = {}, [], str(e)
    return render_template(
        "report.html", r=rep, q=q, sections=sections, total_hits=sum(s["hits"] for s in sections),
        field_hits=field_hits, hit_keys={k for k, _, _ in field_hits},
        title_hit="<mark>" in str(highlight(rep.title or "", terms)),
        tables=tables, extra_fields=extra_fields, warned=warned, fields=rep.fields,
        series=_series(lib, rep), reuse=_reuse(lib, rep), is_url=_is_url(rep.source),
        illustrations=[{**il, "label": _ILLUSTRATION_LABELS.get(il["kind"], il["kind"]),
                        "is_url": _is_url(il["source"])} for il in lib.illustrations(report_id)],
        **_source_facts(lib, rep),
        keywords=keywords.get("keywords") or [], similar=similar, shards_down=shards_down,
    )


# how a page about the report is named on it: 图解：<标题> / 解读：<标题>
_ILLUSTRATION_LABELS = {"图解": "图解", "政策解读": "解读"}


def _is_url(source: str | None) -> bool:
    return (source or "").startswith(("http://", "https://"))


def _reuse(lib, rep) -> dict | None:
    """复用率: the report's copied-text figures, its top sources (their reports) and the passages to search for."""
    result = lib.reuse(rep.id)
    if result is None or result.others is None:
        return None
    sources = []
    for s in result.sources:
        source = lib.get(s.report_id)
        if source is not None:
            # a passage is searched for in the source as a quoted phrase: its first words are enough to land on it
            sources.append({"report": source, "shared": s.shared,
                            "passages": [(p, '"' + p[:24].replace('"', "") + '"') for p in s.passages]})
    previous = lib.get(result.previous_id) if result.previous_id else None
    return {"r": result, "sources": sources, "previous": previous}


def _series(lib, rep) -> dict | None:
    """The body's reports of every year (links, the previous one for 与上年对比) and a small chart of the figures
    followed across templates; None when the body has no other report."""
    reports = lib.series(rep)
    if len(reports) < 2:
        return None
    earlier = [r for r in reports if r.year is not None and rep.year is not None and r.year < rep.year]
    years = sorted({r.year for r in reports if r.year is not None})
    lines = [(label, {r.year: r.fields[key] for r in reports if r.year is not None and key in r.fields})
             for key, label in SERIES_FIELDS]
    svg = chart(years, lines, width=560, height=220) if any(v for _, v in lines) else None
    return {"reports": reports, "previous": earlier[-1] if earlier else None, "svg": svg}


# unchanged sentences shown in full around a change; longer runs between changes fold into one line
_CONTEXT = 1


def _fold(changes) -> list[dict]:
    """A section's sentence changes for display: runs of kept sentences longer than 2 × _CONTEXT + 1 fold to their
    first and last _CONTEXT sentences and a count."""
    out: list[dict] = []
    run: list = []

    def flush(last: bool) -> None:
        head = _CONTEXT if out else 0
        tail = 0 if last else _CONTEXT
        if len(run) > head + tail + 1:
            out.extend({"op": "kept", "text": c.text} for c in run[:head])
            out.append({"op": "folded", "count": len(run) - head - tail})
            out.extend({"op": "kept", "text": c.text} for c in run[len(run) - tail:])
        else:
            out.extend({"op": "kept", "text": c.text} for c in run)
        run.clear()

    for c in changes:
        if c.op == "kept":
            run.append(c)
            continue
        flush(last=False)
        out.append({"op": c.op, "text": c.text})
    flush(last=True)
    return out


@bp.get("/report/<report_id>/diff")
def report_diff(report_id: str):
    lib = get_library()
    rep = lib.get(report_id)
    against_id = request.args.get("against")
    against = lib.get(against_id) if against_id else lib.previous(rep) if rep is not None else None
    if rep is None or (against_id and against is None):
        abort(404)
    result = lib.diff(rep, against) if against is not None else None
    sections = [{"s": s, "rows": _fold(s.changes)} for s in result.sections] if result else []
    return render_template("diff.html", r=rep, against=against, result=result, sections=sections,
                           series=lib.series(rep))


def _source_facts(lib, rep) -> dict:
    """The original as collected (name, size, date) and the citation line, for the report's 来源 block."""
    original = lib.original(rep.id)
    if original is None:
        return {"original": None, "cite": citation(rep), "collected": None}
    name, _, data, collected_at = original
    return {"original": {"name": name, "size": len(data)}, "cite": citation(rep, collected_at),
            "collected": accessed_date(collected_at)}


# The stored bytes are pages and files from the open web: they are downloaded, never rendered on this origin
# (an HTML original could run its own script here), and sandboxed should a browser open them anyway.
_ORIGINAL_TYPES = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument."
                   "wordprocessingml.document", ".doc": "application/msword", ".html": "text/html",
                   ".htm": "text/html", ".txt": "text/plain", ".md": "text/plain"}


@bp.get("/report/<report_id>/original")
def original(report_id: str):
    from pathlib import PurePath
    from urllib.parse import quote

    found = get_library().original(report_id)
    if found is None:
        abort(404)
    name, content_type, data, _ = found
    mimetype = content_type or _ORIGINAL_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })


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
        field_groups=stattables.field_groups(),
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
