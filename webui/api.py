"""JSON API: /api/search, /api/facets, /api/reports/<id>, /api/export, /api/openapi.json (all GET, read-only)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from indexer.export import FORMATS, LABEL_STYLES, check_fields, csv_chunks, json_chunks
from indexer.history.series import SERIES_FIELDS, body_key
from webui.library import get_library, get_light_reports
from webui.data import matching_reports
from webui.openapi import openapi_document
from webui.params import ParamError, facet_size, parse_search_args, snippets

bp = Blueprint("api", __name__)


def _bad_request(message: str):
    return jsonify(error=message, status=400), 400


@bp.get("/search")
def search():
    try:
        p = parse_search_args(request.args)
        result = get_library().search(p.q, filters=p.filters or None, sort=p.sort, limit=p.limit, offset=p.offset,
                                      mode=p.mode, facet_size=facet_size(request.args),
                                      snippets=snippets(request.args))
    except ValueError as e:  # ParamError or indexer.engine.errors.QueryError
        return _bad_request(str(e) or "检索式无法解析")
    return jsonify(result)


@bp.get("/facets")
def facets():
    try:
        p = parse_search_args(request.args)
        result = get_library().facets(p.q, filters=p.filters or None, mode=p.mode)
    except ValueError as e:
        return _bad_request(str(e) or "检索式无法解析")
    return jsonify({"query": p.q, "filters": p.filters, "facets": result})


@bp.get("/reports/<report_id>")
def report(report_id: str):
    out = get_library().report_json(report_id)
    if out is None:
        return jsonify(error=f"没有这份报告：{report_id}", status=404), 404
    return jsonify(out)


@bp.get("/reports/<report_id>/similar")
def similar(report_id: str):
    """The reports nearest in wording (estimated Jaccard similarity of word pairs), same issuer flagged."""
    lib = get_library()
    if lib.get(report_id) is None:
        return jsonify(error=f"没有这份报告：{report_id}", status=404), 404
    try:
        limit = int(request.args.get("limit") or 10)
    except ValueError:
        return _bad_request("limit 应为整数")
    if not 1 <= limit <= 100:
        return _bad_request("limit 应在 1–100 之间")
    return jsonify({"id": report_id, "similar": lib.similar(report_id, limit) or []})


@bp.get("/reports/<report_id>/diff")
def report_diff(report_id: str):
    """与上年对比: the report against ``against`` (a report id), by default its body's previous report."""
    lib = get_library()
    r = lib.get(report_id)
    against_id = request.args.get("against")
    against = lib.get(against_id) if against_id else None
    if r is None or (against_id and against is None):
        return jsonify(error=f"没有这份报告：{report_id if r is None else against_id}", status=404), 404
    result = lib.diff(r, against)
    if result is None:
        return jsonify(error="没有找到同一机关更早年度的报告；可用 against 参数指定对比的报告", status=404), 404
    return jsonify(result.to_json())


@bp.get("/reports/<report_id>/series")
def report_series(report_id: str):
    """The body's reports of every year, oldest first, with the figures followed across templates (series.*)."""
    lib = get_library()
    r = lib.get(report_id)
    if r is None:
        return jsonify(error=f"没有这份报告：{report_id}", status=404), 404
    return jsonify({"report": r.id, "body": body_key(r), "reports": [
        {"id": x.id, "year": x.year, "title": x.title, "issuer": x.issuer,
         "fields": {k: x.fields[k] for k, _ in SERIES_FIELDS if k in x.fields}} for x in lib.series(r)]})


@bp.get("/reports/<report_id>/reuse")
def report_reuse(report_id: str):
    """Copied text: the share of the report's own sentences found word for word in its body's previous report and
    in other bodies' reports, with the top sources and the shared passages."""
    lib = get_library()
    result = lib.reuse(report_id) if lib.get(report_id) is not None else None
    if result is None:
        return jsonify(error=f"没有这份报告：{report_id}", status=404), 404
    return jsonify({"report": report_id, **result.to_json()})


@bp.get("/export")
def export():
    """The rows of `nianbao export`: CSV with Chinese column labels (``labels=key`` for FIELDS.md keys), UTF-8 with
    BOM; JSON as {columns, rows, total} with FIELDS.md keys."""
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        return _bad_request("format 应为 csv 或 json")
    labels = request.args.get("labels") or ("zh" if fmt == "csv" else "key")
    if labels not in LABEL_STYLES:
        return _bad_request("labels 应为 zh 或 key")
    try:
        p = parse_search_args(request.args)
        fields = check_fields([f.strip() for f in request.args.get("fields", "").split(",") if f.strip()]) or None
        # the matching reports are found within the request's time budget (a list of references to the shared
        # light table); their rows are then streamed, never held whole
        reports = list(matching_reports(get_library(), p, light=get_light_reports()))
    except ValueError as e:
        return _bad_request(str(e) or "检索式无法解析")
    if fmt == "json":
        return Response(json_chunks(reports, labels, fields), mimetype="application/json")
    return Response(csv_chunks(reports, labels, fields), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="nianbao-export.csv"'})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.errorhandler(ParamError)
def _param_error(e: ParamError):
    return _bad_request(str(e))
