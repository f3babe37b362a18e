"""年报检索 web UI and JSON API (Flask): search, report, compare pages and /api/*."""

from webui.app import create_app

__all__ = ["create_app"]
