"""JSON API: /api/search, /api/facets, /api/reports/<id>, /api/export, /api/openapi.json (all GET, read-only)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, jsonify, request

from indexer.export import FORMATS, LABEL_STYLES, check_fields, column_label, columns, json_rows, write_csv
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
        result = get_library().search(p.q, filters=p.filters or None, sort=p.sort, limit=p.limit, offset=p.offset,
                                      mode=p.mode)
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
        reports = list(matching_reports(get_library(), p, light=get_light_reports()))
    except ValueError as e:
        return _bad_request(str(e) or "检索式无法解析")
    if fmt == "json":
        return jsonify({"columns": [column_label(c, labels) for c in columns(fields)],
                        "rows": json_rows(reports, labels, fields), "total": len(reports)})
    buf = io.BytesIO()
    write_csv(reports, buf, labels, fields)
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="nianbao-export.csv"'})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.errorhandler(ParamError)
def _param_error(e: ParamError):
    return _bad_request(str(e))
