"""The web app under hostile requests: deep queries answer 400 on every page that takes a query, a spent time
budget answers 503 with a message, and generated requests (schemathesis, from the app's own OpenAPI document,
fixed seed) never get a 5xx or a traceback and always match the document.  bench/hostile.py runs 10,000."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.library import Library
from webui import create_app

from hostile.fuzzing import fuzz_api

ROOT = Path(__file__).resolve().parents[2]
DEEP = ["(" * 245 + "政务" + ")" * 245, "-" * 489 + "政务"]
PAGES = ["/api/search", "/api/facets", "/api/export", "/", "/compare", "/compare.csv"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("hostile-api") / "index"
    lib = Library(index)
    lib.add_paths(sorted((ROOT / "samples" / "real").rglob("*.html"))[:6])
    lib.close()
    return index


@pytest.fixture(scope="module")
def app(index_dir):
    return create_app(index_dir)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", DEEP, ids=["brackets", "minus"])
def test_deep_queries_are_refused_not_crashed(app, page, query):
    r = app.test_client().get(page, query_string={"q": query, "field": "apply.new.total"})
    assert r.status_code < 500
    body = r.get_data(as_text=True)
    assert "Traceback" not in body
    if page.startswith("/api/"):
        assert r.status_code == 400 and "检索式嵌套过深" in r.get_json()["error"]
    elif page != "/compare.csv":
        assert "检索式嵌套过深" in body


@pytest.mark.parametrize("page", PAGES)
def test_a_spent_time_budget_answers_503_with_a_message(index_dir, page):
    app = create_app(index_dir, config={"REQUEST_SECONDS": 0.0})
    r = app.test_client().get(page, query_string={"q": "政府 信息", "field": "apply.new.total"})
    assert r.status_code == 503
    body = r.get_data(as_text=True)
    assert "缩小检索范围" in body and "Traceback" not in body


def test_export_streams_its_rows(app):
    r = app.test_client().get("/api/export", query_string={"format": "json"})
    assert r.is_streamed
    data = r.get_json()
    assert data["total"] == len(data["rows"]) > 0
    csv_text = app.test_client().get("/api/export").get_data(as_text=True)
    assert csv_text.startswith("\ufeff") and csv_text.count("\ufeff") == 1
    assert len(csv_text.strip().splitlines()) == data["total"] + 1


def test_generated_requests_match_the_openapi_document(app):
    result = fuzz_api(app, examples=80)
    assert result.requests >= 300
    assert result.failures == []
    assert not [code for code in result.statuses if code >= 500]
