"""JSON API: /api/search, /api/facets, /api/reports/<id>, /api/export, /api/openapi.json (all GET, read-only)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, request

from indexer.model import METADATA_KEYS
from webui.app import get_library, get_light_reports
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
    except ValueError as e:  # ParamError or indexer.search.QueryError
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


def export_rows(reports, field_keys: list[str] | None) -> tuple[list[str], list[dict]]:
    """One row per report: metadata keys then field keys (the given ones, or every key any report has)."""
    reports = list(reports)
    if field_keys is None:
        field_keys = sorted({k for r in reports for k in r.fields})
    columns = [*METADATA_KEYS, "warnings", *field_keys]
    rows = []
    for r in reports:
        row = {k: getattr(r, k) for k in METADATA_KEYS}
        row["warnings"] = len(r.warnings)
        row.update({k: r.fields.get(k) for k in field_keys})
        rows.append(row)
    return columns, rows


@bp.get("/export")
def export():
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "json"):
        return _bad_request("format 应为 csv 或 json")
    try:
        p = parse_search_args(request.args)
        field_keys = [f.strip() for f in request.args.get("fields", "").split(",") if f.strip()] or None
        reports = list(matching_reports(get_library(), p, light=get_light_reports()))
    except ValueError as e:
        return _bad_request(str(e) or "检索式无法解析")
    columns, rows = export_rows(reports, field_keys)
    if fmt == "json":
        return jsonify({"columns": columns, "rows": rows, "total": len(rows)})
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="nianbao-export.csv"'})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.errorhandler(ParamError)
def _param_error(e: ParamError):
    return _bad_request(str(e))
