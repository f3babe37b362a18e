"""The web UI and JSON API through Flask's test client, against a real index built from the bundled samples."""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit
from urllib.request import urlopen

import pytest

from indexer.library import Library
from webui import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
QUERY = "政务新媒体"
# Candidates for a malformed query; the search module raises QueryError (a ValueError) for at least one of them.
MALFORMED = ["((", '"政务公开', "(政务 AND", "政务 AND", "apply.new.total:>abc", ")", "section:", "OR"]


@pytest.fixture(scope="module")
def index_dir(samples_index) -> Path:
    return samples_index


@pytest.fixture(scope="module")
def app(index_dir):
    return create_app(index_dir)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def lib(index_dir):
    lib = Library(index_dir, readonly=True)
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def malformed(lib) -> str:
    for q in MALFORMED:
        try:
            lib.search(q)
        except ValueError:
            return q
    pytest.fail(f"none of {MALFORMED} is refused by the search module")


def html(resp) -> str:
    return resp.get_data(as_text=True)


# -- search page ---------------------------------------------------------------------------------------------------

def test_search_page_lists_reports_with_section_links_and_facets(client, lib):
    resp = client.get(f"/?q={quote(QUERY)}")
    assert resp.status_code == 200
    page = html(resp)
    expected = lib.search(QUERY)
    assert expected["total"] >= 3
    assert f"共 <strong>{expected['total']}</strong> 份报告" in page
    first = expected["results"][0]
    hit = first["hits"][0]
    # each matching section links to the report, with the query and the section's anchor
    link = f'/report/{first["id"]}?q={quote(QUERY)}#{hit["anchor"]}'
    assert link in page
    assert "<mark>" in page  # the library's snippet HTML is inserted as HTML
    assert 'name="province" value="甘肃省"' in page  # the province facet as a checkbox
    assert 'name="city"' not in page  # cities only after a province is ticked (drill-down)


def test_ticking_a_province_narrows_shows_a_chip_and_offers_its_cities(client, lib):
    page = html(client.get(f"/?q={quote(QUERY)}&province={quote('甘肃省')}"))
    expected = lib.search(QUERY, filters={"province": ["甘肃省"]})
    assert 0 < expected["total"] < lib.search(QUERY)["total"]
    assert f"共 <strong>{expected['total']}</strong> 份报告" in page
    assert all(r["province"] == "甘肃省" for r in expected["results"])
    assert 'class="chip"' in page and "省份：甘肃省" in page
    # the chip removes the filter and keeps the query
    chip = re.search(r'<a class="chip" href="([^"]+)"', page).group(1)
    assert parse_qs(urlsplit(chip.replace("&amp;", "&")).query) == {"q": [QUERY]}
    assert re.search(r'name="province" value="甘肃省" checked', page)
    assert 'name="city" value="' in page


def test_pagination_moves_through_results(client, lib):
    total = lib.search("")["total"]
    assert total > 2
    one = html(client.get("/?limit=1&sort=year_asc"))
    two = html(client.get("/?limit=1&sort=year_asc&page=2"))
    ids = [re.findall(r'href="/report/([0-9a-z]+)', p)[0] for p in (one, two)]
    assert ids[0] != ids[1]
    assert 'rel="next"' in one and 'rel="prev"' in two


def test_empty_result_explains_what_to_try(client):
    page = html(client.get(f"/?q={quote('这个词组不会出现在任何年报里')}"))
    assert "没有找到符合条件的报告" in page


def test_malformed_query_is_a_friendly_message_not_a_500(client, malformed):
    resp = client.get(f"/?q={quote(malformed)}")
    assert resp.status_code == 400
    page = html(resp)
    assert "检索式有误" in page and "Traceback" not in page


def test_bad_parameters_are_a_message_not_a_500(client):
    assert client.get("/?page=abc").status_code == 400
    assert client.get("/?sort=bogus").status_code == 400
    assert client.get("/api/search?limit=-1").status_code == 400


def test_api_facet_size_cuts_facets_and_counts_what_it_left_out(client):
    full = client.get(f"/api/search?q={quote('公开')}").get_json()
    cut = client.get(f"/api/search?q={quote('公开')}&facet_size=1").get_json()
    assert "facets_more" not in full
    assert cut["facets"]["province"] == full["facets"]["province"][:1]
    assert cut["facets_more"]["province"] == len(full["facets"]["province"]) - 1 > 0
    assert client.get("/api/search?facet_size=0").status_code == 400
    assert "facet_size" in client.get("/api/search?facet_size=x1").get_json()["error"]


def test_api_snippets_says_how_many_hits_of_a_result_carry_one(client):
    every = client.get(f"/api/search?q={quote('公开')}&snippets=10").get_json()["results"]
    shown = client.get(f"/api/search?q={quote('公开')}").get_json()["results"]
    assert any(len(r["hits"]) > 3 for r in every)
    for a, b in zip(every, shown):
        assert all("snippet" in h for h in a["hits"])
        assert [h.get("snippet") for h in b["hits"]] == [h["snippet"] for h in a["hits"][:3]] + [None] * (
            len(a["hits"]) - 3)
    assert client.get("/api/search?snippets=11").status_code == 400
    assert "snippets" in client.get("/api/search?snippets=x").get_json()["error"]


def test_search_page_says_how_many_facet_values_it_did_not_list(client, monkeypatch):
    import webui.views as views

    full = client.get(f"/api/search?q={quote('公开')}").get_json()["facets"]["province"]
    monkeypatch.setattr(views, "FACET_MAX_SHOWN", 2)
    page = html(client.get(f"/?q={quote('公开')}"))
    assert f"另有 {len(full) - 2} 项未列出" in page


# -- report page ---------------------------------------------------------------------------------------------------

def test_report_page_highlights_the_query_in_the_anchored_section(client, lib):
    first = lib.search(QUERY, filters={"province": ["甘肃省"]})["results"][0]
    report = lib.get(first["id"])
    page = html(client.get(f"/report/{report.id}?q={quote(QUERY)}"))
    for s in report.sections:
        assert f'id="{s.anchor}"' in page
        assert f'href="#{s.anchor}"' in page  # table of contents
    section = re.search(rf'<section id="{re.escape(first["hits"][0]["anchor"])}".*?</section>', page, re.S).group(0)
    assert "<mark>" in section
    assert report.title in page
    assert report.source in page


def test_report_page_renders_statistics_tables_with_field_values(client, lib):
    with_tables = [r for r in lib.reports() if r.template in ("2019", "2021") and "apply.new.total" in r.fields]
    assert with_tables
    r = with_tables[0]
    page = html(client.get(f"/report/{r.id}"))
    assert 'id="nb-tables"' in page and "<table" in page
    assert f'data-field="apply.new.total">{r.fields["apply.new.total"]:,}<' in page


def test_report_links_to_the_same_issuers_other_years(client, lib):
    by_issuer: dict[str, list] = {}
    for r in lib.reports():
        if r.issuer and r.year:
            by_issuer.setdefault(r.issuer, []).append(r)
    several = [rs for rs in by_issuer.values() if len({r.year for r in rs}) > 1]
    if not several:
        pytest.skip("no issuer with several years in the samples")
    a, b = several[0][:2]
    page = html(client.get(f"/report/{a.id}"))
    assert f'/report/{b.id}"' in page


def test_unknown_report_is_a_404_page_and_json(client):
    resp = client.get("/report/doesnotexist")
    assert resp.status_code == 404 and "没有找到" in html(resp)
    api = client.get("/api/reports/doesnotexist")
    assert api.status_code == 404 and api.get_json()["status"] == 404
    assert client.get("/no/such/page").status_code == 404


# -- safety --------------------------------------------------------------------------------------------------------

def test_every_page_carries_security_headers_and_no_inline_script(client, lib):
    rid = next(lib.reports()).id
    for url in ("/", f"/?q={quote(QUERY)}", f"/report/{rid}?q=x", "/compare", "/api/search", "/report/nope"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"]
        body = html(resp)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert not re.search(r"\son[a-z]+=", body), url  # no inline event handlers
        assert " style=" not in body, url


def test_query_text_is_escaped_everywhere(client, lib):
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    rid = next(lib.reports()).id
    for url in (f"/?q={quote(evil)}", f"/report/{rid}?q={quote(evil)}", f"/compare?q={quote(evil)}"):
        body = html(client.get(url))
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;" in body or "&#34;&gt;&lt;img" in body or "&lt;img" in body, url


def test_the_app_is_read_only(app, client):
    for rule in app.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    assert client.post("/").status_code == 405
    assert client.delete("/api/reports/x").status_code == 405


# -- JSON API ------------------------------------------------------------------------------------------------------

def test_api_search_is_the_library_result(client, lib):
    resp = client.get(f"/api/search?q={quote(QUERY)}&province={quote('甘肃省')}&limit=2&sort=year_desc")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    got = resp.get_json()
    want = lib.search(QUERY, filters={"province": ["甘肃省"]}, sort="year_desc", limit=2)
    got.pop("took_ms"), want.pop("took_ms")
    assert got == want
    assert len(got["results"]) <= 2


def test_api_malformed_query_is_400_json(client, malformed):
    resp = client.get(f"/api/search?q={quote(malformed)}")
    assert resp.status_code == 400 and resp.get_json()["error"]
    assert client.get(f"/api/facets?q={quote(malformed)}").status_code == 400


def test_api_facets_and_report(client, lib):
    facets = client.get(f"/api/facets?q={quote(QUERY)}").get_json()["facets"]
    assert {"province", "year", "section"} <= set(facets)
    assert any(v["value"] == "甘肃省" and v["count"] > 0 for v in facets["province"])
    r = next(lib.reports())
    got = client.get(f"/api/reports/{r.id}").get_json()
    # issue 13: the report's keywords (and each section's) come with it, and (issue 11) the 图解/解读 pages about it;
    # the rest is the report's JSON unchanged
    assert got.pop("illustrations") == []
    keywords = got.pop("keywords")
    assert keywords and all(k["word"] and k["weight"] > 0 for k in keywords)
    assert all("keywords" in s for s in got["sections"])
    for s in got["sections"]:
        s.pop("keywords")
    assert got == r.to_json()


def test_issuer_facet_and_filter_in_the_api_the_page_and_the_export(client, lib):
    # issue 11.2: the 发布机关 facet is keyed by issuer_id and shown by name; issuer= takes either
    facet = client.get("/api/facets").get_json()["facets"]["issuer"]
    bodies: dict[str, set[str]] = {}
    for r in lib.reports():
        if r.issuer_id:
            bodies.setdefault(r.issuer_id, set()).add(r.id)
    assert {v["value"]: v["count"] for v in facet} == {b: len(ids) for b, ids in bodies.items()}
    assert next(v for v in facet if v["value"] == "620600/政府")["label"] == "武威市人民政府"
    for value in ("620600/政府", "武威市人民政府"):
        res = client.get(f"/api/search?issuer={quote(value)}&limit=100").get_json()
        assert {r["id"] for r in res["results"]} == bodies["620600/政府"]
        rows = client.get(f"/api/export?format=json&issuer={quote(value)}").get_json()["rows"]
        assert {row["id"] for row in rows} == bodies["620600/政府"]
    page = client.get("/?issuer=" + quote("武威市人民政府")).get_data(as_text=True)
    assert page.count('<li class="report">') == 2
    assert "发布机关：武威市人民政府" in page  # the chip
    group = page[page.index('data-key="issuer"'):]
    group = group[:group.index("</fieldset>")]
    assert '<legend>发布机关</legend>' in group
    # a name in the URL ticks its body's value (the key is what the form submits next)
    assert re.search(r'value="620600/政府" checked> <span class="fl"[^>]*>武威市人民政府</span>', group)
    assert group.count("<label") == len(bodies)
    for url in ("/?issuer=", "/api/search?issuer=", "/api/facets?issuer=", "/api/export?issuer=", "/?q=issuer:"):
        resp = client.get(url + quote("武威市政府"))
        assert resp.status_code == 400
        text = resp.get_data(as_text=True) if url.startswith("/?") else resp.get_json()["error"]
        assert "没有这个发布机关" in text and "武威市人民政府" in text


def test_api_similar_reports(client, lib):
    r = next(x for x in lib.reports() if x.issuer == "淮安市洪泽区人民政府" and x.year == 2023)
    got = client.get(f"/api/reports/{r.id}/similar?limit=3").get_json()["similar"]
    assert len(got) == 3 and got[0]["same_issuer"] and got[0]["year"] == 2024
    assert [s["score"] for s in got] == sorted((s["score"] for s in got), reverse=True)
    assert client.get("/api/reports/nope/similar").status_code == 404
    assert client.get(f"/api/reports/{r.id}/similar?limit=x").status_code == 400


def test_api_export_csv_and_json(client, lib):
    resp = client.get(f"/api/export?format=csv&province={quote('甘肃省')}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    data = resp.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    n = lib.search("", filters={"province": ["甘肃省"]})["total"]
    assert len(rows) == n and all(r["省级"] == "甘肃省" for r in rows)  # the same Chinese headers as the CLI's
    keyed = client.get(f"/api/export?format=csv&labels=key&province={quote('甘肃省')}").get_data()
    assert all(r["province"] == "甘肃省" for r in csv.DictReader(io.StringIO(keyed.decode("utf-8-sig"))))
    js = client.get(f"/api/export?format=json&fields=apply.new.total&province={quote('甘肃省')}").get_json()
    assert js["total"] == n and "apply.new.total" in js["columns"] and "active.rules.made" not in js["columns"]
    assert all(set(row) == set(js["columns"]) for row in js["rows"])
    assert client.get("/api/export?format=xml").status_code == 400
    assert client.get("/api/export?fields=no.such.field").status_code == 400


def test_openapi_describes_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = set(doc["paths"])
    served = {re.sub(r"<(\w+)>", r"{\1}", r.rule.replace("<report_id>", "<id>")) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/")}
    assert documented == served
    params = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "province", "city", "county", "issuer", "year", "section", "level", "body_type",
                      "template", "warning", "keyword", "mode", "sort", "limit", "offset",
                      "facet_size", "snippets"}  # keyword, mode: issue 13; facet_size, snippets: issue 12
    facets = doc["components"]["schemas"]["Facets"]
    assert set(facets["properties"]["issuer"]["items"]["required"]) == {"value", "label", "count"}


# -- compare -------------------------------------------------------------------------------------------------------

def test_compare_page_draws_a_chart_and_table(client, lib):
    with_field = [r for r in lib.reports() if "series.applications" in r.fields]
    assert with_field
    page = html(client.get("/compare?field=series.applications"))
    assert "<svg" in page and ('class="point"' in page or 'class="bar"' in page)
    assert with_field[0].issuer in page
    assert "下载 CSV" in page


def test_compare_csv_download_opens_with_chinese_intact(client):
    resp = client.get("/compare.csv?field=series.applications&by=city")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    data = resp.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["城市（合计）", "省份", "城市", "区县"] and len(rows) > 1
    assert all(re.fullmatch(r"\d{4}年", c) for c in rows[0][4:])


def test_compare_refuses_unknown_grouping_politely(client):
    assert client.get("/compare?by=planet").status_code == 400
    assert client.get("/compare.csv?by=planet").status_code == 400


# -- nianbao serve -------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_under_waitress_on_loopback(index_dir):
    port = _free_port()
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "webui.cli", "--port", str(port), "--index", str(index_dir)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/api/search?q={quote(QUERY)}", timeout=5) as resp:
                    assert resp.status == 200 and resp.headers["Server"] == "nianbao"
                    assert b'"total"' in resp.read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_refuses_a_missing_index(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "webui.cli", "--index", str(tmp_path / "none")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "没有索引" in proc.stderr  # issue 14.8: messages in Chinese


def test_an_internal_error_is_a_plain_500_without_traceback():
    class Broken:  # a library whose index is damaged: every read fails
        def __getattr__(self, name):
            def fail(*a, **k):
                raise RuntimeError("secret internal detail")
            return fail

    app = create_app(None, config={"LIBRARY": Broken()})
    client = app.test_client()
    for url in ("/", "/report/x", "/compare"):
        resp = client.get(url)
        assert resp.status_code == 500
        body = html(resp)
        assert "服务器内部错误" in body and "secret internal detail" not in body and "Traceback" not in body
        assert resp.headers["Content-Security-Policy"]
    api = client.get("/api/search?q=x")
    assert api.status_code == 500 and api.get_json() == {"error": "服务器内部错误", "status": 500}


def test_warning_facet_and_field_sort_on_the_page_and_in_the_api(client, lib):
    flagged = {r.id for r in lib.reports() if any(w.code.startswith("check.") for w in r.warnings)}
    assert flagged, "the samples hold reports whose tables fail their own checks"
    js = client.get("/api/search?warning=check&limit=100").get_json()
    assert {r["id"] for r in js["results"]} == flagged
    page = client.get("/?warning=check").get_data(as_text=True)
    assert "提示" in page and "表三" in page  # the facet with Chinese labels for the codes
    js = client.get("/api/search?sort=apply.new.total&limit=100").get_json()
    values = [lib.get(r["id"]).fields.get("apply.new.total") for r in js["results"]]
    given = [v for v in values if v is not None]
    assert given == sorted(given, reverse=True) and values[:len(given)] == given
    page = client.get("/?sort=apply.new.total:asc")
    assert page.status_code == 200 and "（小→大）" in page.get_data(as_text=True)
    assert client.get("/api/search?sort=nope").status_code == 400


class _ShardDown:
    """What a sharded library (serve --cluster) answers while no replica of shard 2 is alive (indexer/cluster)."""

    def __init__(self, lib):
        self.lib = lib

    def __getattr__(self, name):
        return getattr(self.lib, name)

    def search(self, *args, **kwargs):
        return {**self.lib.search(*args, **kwargs), "partial": True, "missing_shards": [2]}

    def matching_ids(self, *args, **kwargs):
        from indexer.engine.errors import ShardsUnavailable

        raise ShardsUnavailable("分片 2 暂不可用，结果不完整，请稍后再试")


def test_a_partial_answer_says_which_shards_are_missing(index_dir, lib):
    client = create_app(index_dir, config={"LIBRARY": _ShardDown(lib)}).test_client()
    page = html(client.get("/?q=公开"))
    assert "结果不完整" in page and "索引分片 2" in page
    assert client.get("/api/search?q=公开").get_json()["missing_shards"] == [2]
    assert "结果不完整" not in html(create_app(index_dir).test_client().get("/?q=公开"))
    resp = client.get("/api/export?q=公开&format=json")  # an export never silently lacks reports
    assert resp.status_code == 503 and "分片 2" in resp.get_json()["error"]


@pytest.fixture(scope="module")
def tujie_index(tmp_path_factory):
    """A report with its 图解 page (crawled: a URL) and its 解读 (added from a file: a file name)."""
    from indexer.model import NotAReport

    index = tmp_path_factory.mktemp("tujie") / "index"
    title = "武威市2019年政府信息公开工作年度报告"
    pages = [("https://www.gswuwei.gov.cn/tj/t1.html", f"一图读懂{title}"), ("jiedu.html", f"《{title}》解读")]
    with Library(index) as lib:
        report = lib.add_bytes((SAMPLES / "seeds" / "000_9cc224736a79167a.txt").read_bytes(), "000.txt")
        for source, page_title in pages:
            page = (f"<html><head><meta charset='utf-8'><title>{page_title}</title></head><body><h1>{page_title}</h1>"
                    "<div><p>现就年度报告解读如下。</p></div></body></html>").encode("utf-8")
            with pytest.raises(NotAReport):
                lib.add_bytes(page, source.rsplit("/", 1)[-1], source=source)
    return index, report.id, pages


def test_report_page_and_api_name_its_tujie_and_jiedu_pages(tujie_index):
    index, rid, pages = tujie_index
    client = create_app(index).test_client()
    page = html(client.get(f"/report/{rid}"))
    (url, tujie), (name, jiedu) = pages
    assert "<dt>图解与解读</dt>" in page
    assert (f'<li>图解：<a href="{url}" rel="noopener noreferrer nofollow" target="_blank">{tujie}</a></li>'
            in page)
    assert f"<li>解读：{jiedu} <span class=\"muted\">（{name}）</span></li>" in page  # a file name is no link
    data = client.get(f"/api/reports/{rid}").get_json()
    assert data["illustrations"] == [{"kind": "图解", "title": tujie, "source": url},
                                     {"kind": "政策解读", "title": jiedu, "source": name}]
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Report"]["properties"]
    assert schema["illustrations"]["items"]["required"] == ["kind", "title", "source"]


def test_a_report_without_tujie_shows_none(client, lib):
    report = next(iter(lib.reports()))
    assert "图解与解读" not in html(client.get(f"/report/{report.id}"))
    assert client.get(f"/api/reports/{report.id}").get_json()["illustrations"] == []
