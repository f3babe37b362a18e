"""JSON API: /api/search, /api/facets, /api/reports/<id>, /api/export, /api/openapi.json (all GET, read-only)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from indexer.export import FORMATS, LABEL_STYLES, check_fields, csv_chunks, json_chunks
from webui.library import get_library, get_light_reports
from webui.data import matching_reports
from webui.openapi import openapi_document
from webui.params import ParamError, parse_search_args

bp = Blueprint("api", __name__)


def _bad_request(message: str):
    return jsonify(error=message, status=400), 400


@bp.get("/search")
def search():
    try:
        p = parse_search_args(request.args)
        result = get_library().search(p.q, filters=p.filters or None, sort=p.sort, limit=p.limit, offset=p.offset)
    except ValueError as e:  # ParamError or indexer.engine.errors.QueryError
        return _bad_request(str(e) or "检索式无法解析")
    return jsonify(result)


@bp.get("/facets")
def facets():
    try:
        p = parse_search_args(request.args)
        result = get_library().facets(p.q, filters=p.filters or None)
    except ValueError as e:
        return _bad_request(str(e) or "检索式无法解析")
    return jsonify({"query": p.q, "filters": p.filters, "facets": result})


@bp.get("/reports/<report_id>")
def report(report_id: str):
    r = get_library().get(report_id)
    if r is None:
        return jsonify(error=f"没有这份报告：{report_id}", status=404), 404
    return jsonify(r.to_json())


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
