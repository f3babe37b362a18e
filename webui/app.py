"""Flask application factory.

The app only reads: every route is GET/HEAD, and the library is opened read-only (webui/library.py: how the
blueprints reach it, and how a caller hands in a library of its own).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.engine.errors import IndexOutdated, ShardsUnavailable
from indexer.limits import OverTime, end_budget, start_budget
from webui import api, library, security, views
from webui.templating import init_templating

log = logging.getLogger(__name__)


def create_app(index_dir: str | Path | None, *, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        INDEX_DIR=str(index_dir) if index_dir is not None else None,
        LIBRARY=None,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=64 * 1024,  # read-only app: no request bodies worth accepting
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    library.init_app(app)
    init_templating(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    security.init_app(app)
    _register_error_handlers(app)

    @app.before_request
    def _start_timer() -> None:
        g.t0 = time.perf_counter()
        g.budget = start_budget(app.config.get("REQUEST_SECONDS"))

    @app.teardown_request
    def _end_budget(_exc) -> None:
        token = g.pop("budget", None)
        if token is not None:
            end_budget(token)

    return app


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_error_handlers(app: Flask) -> None:
    messages = {
        400: "请求有误",
        404: "没有找到这个页面",
        405: "本站只读，不接受这种请求",
        413: "请求过大",
    }

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        code = e.code or 500
        message = messages.get(code, e.name)
        if wants_json():
            return jsonify(error=message, status=code), code
        return render_template("error.html", code=code, message=message, detail=None), code

    def unavailable(message: str, detail: str | None = None):
        """503: the search cannot answer now (an outdated index, a spent time budget, a shard down)."""
        if wants_json():
            return jsonify(error=message if detail is None else f"{message}：{detail}", status=503), 503
        return render_template("error.html", code=503, message=message, detail=detail), 503

    @app.errorhandler(IndexOutdated)
    def _outdated(e: IndexOutdated):
        # an index written by an older nianbao: the operator must rebuild it (the log says how)
        log.error("%s", e)
        return unavailable("搜索索引需要重建（由旧版本建立），请联系管理员")

    @app.errorhandler(OverTime)
    def _over_time(e: OverTime):
        # the request's budget (limits.request_seconds) is spent: say so rather than keep a thread busy
        log.warning("over its time budget: %s", request.full_path)
        return unavailable("检索超时", str(e))

    @app.errorhandler(ShardsUnavailable)
    def _shards_down(e: ShardsUnavailable):
        # a sharded index (serve --cluster) with a shard that no replica serves now: an export or compare that
        # needs every match says so instead of giving fewer
        log.error("%s", e)
        return unavailable(f"部分索引分片暂不可用，请稍后再试（{e}）")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        # Never show a traceback to the user; the log keeps it.
        log.exception("unhandled error on %s", request.path)
        if wants_json():
            return jsonify(error="服务器内部错误", status=500), 500
        return render_template("error.html", code=500, message="服务器内部错误",
                               detail="请稍后再试；如果问题持续，请把当前网址告诉管理员。"), 500
