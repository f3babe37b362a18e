"""The app's handle on the library, in a module of its own so that the blueprints and the factory both import it
and neither imports the other (Flask tutorial's ``db.py``: ``get_db()`` + ``init_app(app)``).

The library is opened read-only on first use and shared by all request threads, unless the app was given one in
``config["LIBRARY"]`` (any object with the indexer.library.Library interface — the benchmark serves an index it
built itself this way).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from webui.data import LightReports

_open_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.config.setdefault("LIBRARY", None)
    app.extensions["nianbao.light"] = LightReports()


def get_library():
    """The app's Library, opened once (read-only) and shared by all request threads."""
    app = current_app
    lib = app.config.get("LIBRARY")
    if lib is not None:
        return lib
    with _open_lock:
        lib = app.config.get("LIBRARY")
        if lib is None:
            from indexer.library import Library

            lib = Library(app.config["INDEX_DIR"], readonly=True)
            app.config["LIBRARY"] = lib
    return lib


def get_light_reports() -> LightReports:
    """The app's table of reports without their text (for compare and export)."""
    return current_app.extensions["nianbao.light"]
