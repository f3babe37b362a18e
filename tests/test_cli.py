"""The `nianbao` command line, run as a user runs it: a subprocess on a real index directory."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def nianbao(index: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "indexer", "--index", str(index), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    nianbao(index, "add", "--quiet", str(SAMPLES))
    return index


def test_add_lists_every_sample_report(index):
    reports = json.loads(nianbao(index, "list", "--json").stdout)
    titles = {r["title"] for r in reports}
    # 14 sample files; the three jiangsu PDFs are the same reports as their text extractions → 14 reports
    assert len(reports) == 14, sorted(titles)
    assert "武威市2019年政府信息公开工作年度报告" in titles
    assert all(set(r) >= {"id", "title", "province", "year", "sections", "fields", "warnings"} for r in reports)


def test_add_again_is_idempotent(index):
    before = {r["id"] for r in json.loads(nianbao(index, "list", "--json").stdout)}
    nianbao(index, "add", "--quiet", str(SAMPLES / "seeds"))
    after = {r["id"] for r in json.loads(nianbao(index, "list", "--json").stdout)}
    assert after == before


def test_show_json_has_exactly_the_contract_keys(index):
    rid = json.loads(nianbao(index, "list", "--json").stdout)[0]["id"]
    report = json.loads(nianbao(index, "show", rid, "--json").stdout)
    assert list(report) == ["id", "title", "issuer", "province", "city", "county", "township", "region_code",
                            "level", "body_type", "year", "published", "template", "source", "sections", "fields",
                            "warnings", "keywords"]  # keywords: issue 13
    assert all(list(s) == ["anchor", "number", "heading", "level", "canonical", "text", "keywords"]
               for s in report["sections"])
    human = nianbao(index, "show", rid).stdout
    assert report["title"] in human and "sections:" in human


def test_search_json_and_text(index):
    res = json.loads(nianbao(index, "search", "政务新媒体", "--json").stdout)
    assert set(res) >= {"query", "total", "took_ms", "facets", "results"}
    assert res["total"] >= 4
    for r in res["results"]:
        assert set(r) >= {"id", "title", "issuer", "province", "city", "county", "year", "source", "score", "hits"}
        assert r["hits"] and all("<mark>" in h["snippet"] for h in r["hits"])
    narrowed = json.loads(nianbao(index, "search", "政务新媒体", "--province", "甘肃省", "--json").stdout)
    assert 0 < narrowed["total"] < res["total"]
    assert all(r["province"] == "甘肃省" for r in narrowed["results"])
    text = nianbao(index, "search", "政务新媒体").stdout
    assert "【政务新媒体】" in text


def test_malformed_query_is_one_clear_line(index):
    proc = nianbao(index, "search", '"unclosed', "(", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and proc.stderr.strip()


def test_unreadable_file_is_reported_and_the_run_goes_on(tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "truncated.pdf").write_bytes((SAMPLES / "real/raw/017_szfgs2024.pdf").read_bytes()[:3000])
    (bad / "empty.docx").write_bytes(b"PK\x03\x04 not really a zip")
    good = bad / "good.txt"
    good.write_bytes((SAMPLES / "seeds/001_107764086d5c2c3a.txt").read_text(encoding="utf-8").encode("gb18030"))
    proc = nianbao(tmp_path / "index", "add", "--quiet", str(bad), check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert any("empty.docx" in e for e in errors)
    reports = json.loads(nianbao(tmp_path / "index", "list", "--json").stdout)
    assert "青铜峡市2020年政府信息公开工作年度报告" in {r["title"] for r in reports}


def test_unknown_report_and_missing_index(tmp_path, index):
    proc = nianbao(index, "show", "nope", check=False)
    assert proc.returncode == 1 and "no report with id nope" in proc.stderr
    proc = nianbao(tmp_path / "none", "list", check=False)
    assert proc.returncode == 1 and "nianbao add" in proc.stderr and "Traceback" not in proc.stderr


def test_a_readme_beside_the_reports_is_skipped_but_a_named_file_is_not(index, tmp_path):
    titles = {r["title"] for r in json.loads(nianbao(index, "list", "--json").stdout)}
    assert None not in titles  # samples/README.md was walked past
    proc = nianbao(tmp_path / "index", "add", "--quiet", str(SAMPLES))
    assert "1 skipped (not annual reports)" in proc.stderr
    nianbao(tmp_path / "index", "add", "--quiet", str(SAMPLES / "README.md"))
    assert len(json.loads(nianbao(tmp_path / "index", "list", "--json").stdout)) == 15


def test_export_csv_opens_in_excel_and_json_has_every_field(index, tmp_path):
    out = tmp_path / "gansu.csv"
    nianbao(index, "export", "--province", "甘肃省", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["省级"] for r in rows} == {"甘肃省"} and len(rows) == 3
    wuwei = next(r for r in rows if r["标题"] == "武威市2019年政府信息公开工作年度报告")
    labels = json.loads((Path(__file__).parent / "labels" / "labels-seeds.json").read_text(encoding="utf-8"))
    expected = next(v for v in labels.values() if isinstance(v, dict) and v.get("title") == wuwei["标题"])
    assert expected.get("fields"), "the label file gives table values for this report"
    js = json.loads(nianbao(index, "export", "--format", "json", "--province", "甘肃省").stdout)
    row = next(r for r in js if r["title"] == wuwei["标题"])
    for key, value in expected["fields"].items():
        assert row[key] == value, key
    assert len(js) == 3 and {"id", "year", "warnings"} <= set(row)
    only = json.loads(nianbao(index, "export", "政务新媒体", "--format", "json", "--fields", "apply.new.total").stdout)
    assert only and all("apply.new.total" in r and "active.rules.made" not in r for r in only)
    proc = nianbao(index, "export", "--fields", "no.such.field", check=False)
    assert proc.returncode == 2 and "no.such.field" in proc.stderr and "Traceback" not in proc.stderr


def test_failed_table_checks_are_filterable_and_fields_sortable(index):
    flagged = json.loads(nianbao(index, "search", "--warning", "check", "--json", "--limit", "100").stdout)
    assert flagged["total"] > 0
    for r in flagged["results"]:
        shown = nianbao(index, "show", r["id"]).stdout
        assert "warnings (" in shown and "[check." in shown
    ranked = json.loads(nianbao(index, "search", "--sort", "apply.new.total", "--json", "--limit", "3").stdout)
    top = [json.loads(nianbao(index, "show", r["id"], "--json").stdout)["fields"]["apply.new.total"]
           for r in ranked["results"]]
    assert top == sorted(top, reverse=True)


def test_search_mode_words_finds_a_phrase_no_report_holds_whole(index):
    exact = nianbao(index, "search", "政务新媒体建设情况", "--json").stdout
    assert json.loads(exact)["total"] == 0
    words = json.loads(nianbao(index, "search", "政务新媒体建设情况", "--mode", "words", "--json").stdout)
    assert words["total"] > 0 and words["mode"] == "words" and words["words"] == ["政务新媒体", "建设", "情况"]
    human = nianbao(index, "search", "政务新媒体建设情况", "--mode", "words").stdout
    assert "分词匹配：政务新媒体 / 建设 / 情况" in human
