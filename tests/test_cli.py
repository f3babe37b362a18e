"""The `nianbao` command line, run as a user runs it: a subprocess on a real index directory."""

from __future__ import annotations

import csv
import io
import json
import os
import re
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
    assert list(report) == ["id", "title", "issuer", "issuer_id", "province", "city", "county", "township", "region_code",
                            "level", "body_type", "year", "published", "template", "source", "sections", "fields",
                            "warnings", "keywords", "illustrations"]  # keywords: issue 13; illustrations: 11
    assert all(list(s) == ["anchor", "number", "heading", "level", "canonical", "text", "keywords"]
               for s in report["sections"])
    human = nianbao(index, "show", rid).stdout
    assert report["title"] in human and "章节 (sections):" in human


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
    errors = [line for line in proc.stderr.splitlines() if line.startswith("失败：")]
    assert any("empty.docx" in e for e in errors)
    reports = json.loads(nianbao(tmp_path / "index", "list", "--json").stdout)
    assert "青铜峡市2020年政府信息公开工作年度报告" in {r["title"] for r in reports}


def test_unknown_report_and_missing_index(tmp_path, index):
    proc = nianbao(index, "show", "nope", check=False)
    assert proc.returncode == 1 and "错误：没有这份报告：nope" in proc.stderr
    proc = nianbao(tmp_path / "none", "list", check=False)
    assert proc.returncode == 1 and "nianbao add" in proc.stderr and "Traceback" not in proc.stderr


def test_a_readme_beside_the_reports_is_skipped_and_a_named_one_too_unless_forced(index, tmp_path):
    """Issue 11: a named file that is not a report is skipped with its reason too; --force adds it."""
    titles = {r["title"] for r in json.loads(nianbao(index, "list", "--json").stdout)}
    assert None not in titles  # samples/README.md was walked past
    proc = nianbao(tmp_path / "index", "add", "--quiet", str(SAMPLES))
    assert "跳过 1 个（不是年报）" in proc.stderr
    assert "README.md：不是年度报告（其他）" in proc.stderr and "1 个非年度报告已跳过（其他 1）" in proc.stderr
    proc = nianbao(tmp_path / "index", "add", "--quiet", str(SAMPLES / "README.md"))
    assert "跳过 1 个（不是年报）" in proc.stderr and proc.returncode == 0
    assert len(json.loads(nianbao(tmp_path / "index", "list", "--json").stdout)) == 14
    nianbao(tmp_path / "index", "add", "--quiet", "--force", str(SAMPLES / "README.md"))
    listed = json.loads(nianbao(tmp_path / "index", "list", "--json").stdout)
    assert len(listed) == 15


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
        assert "解析提示 (warnings" in shown and "[check." in shown
    ranked = json.loads(nianbao(index, "search", "--sort", "apply.new.total", "--json", "--limit", "3").stdout)
    top = [json.loads(nianbao(index, "show", r["id"], "--json").stdout)["fields"]["apply.new.total"]
           for r in ranked["results"]]
    assert top == sorted(top, reverse=True)


def test_search_shows_field_hits_counts_them_and_says_how_to_page(index):
    # issue 14.2/14.8: a field-matched result names its field and value; the summary counts field matches
    out = nianbao(index, "search", "apply.new.total:>100", "--limit", "2")
    first = out.stdout.splitlines()[0]
    assert "3 项统计数字" in first and "0 个章节" not in first
    assert "依申请·本年新收政府信息公开申请数量·总计（apply.new.total）= 3,119" in out.stdout
    assert "下一页：加上 --offset 2" in out.stderr
    past = nianbao(index, "search", "apply.new.total:>100", "--offset", "10")
    assert "最后一页：--offset 0" in past.stderr


def test_an_unknown_key_names_the_nearest_one(index):
    proc = nianbao(index, "search", "provnce:甘肃", check=False)
    assert proc.returncode != 0 and "您是不是要找：province" in proc.stderr and "Traceback" not in proc.stderr


def test_re_adding_unchanged_files_changes_nothing_and_names_the_merged_ones(index):
    # issue 14.8: correct counts; the PDF and its text dump are one report, and the run says which files
    proc = nianbao(index, "add", "--quiet", str(SAMPLES))
    summary = next(line for line in proc.stderr.splitlines() if line.startswith("读取"))
    assert "新增 0 份，更新 0 份，未变 14 份" in summary, proc.stderr
    merged = [line for line in proc.stderr.splitlines() if line.startswith("合并：")]
    assert len(merged) == 3 and any("017_szfgs2024.pdf" in m and "jiangsu-017.txt" in m for m in merged)


def test_an_unreadable_file_is_named_once(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    proc = nianbao(tmp_path / "index", "add", "--quiet", str(bad), check=False)
    assert proc.returncode == 1 and proc.stderr.count("bad.pdf") == 1, proc.stderr


def test_list_and_show_columns_line_up_by_display_width(index):
    from wcwidth import wcswidth

    lines = nianbao(index, "list").stdout.splitlines()
    # the title column starts at the same terminal cell on every line, whatever the width of the region
    starts = {wcswidth(line[:re.search(r" {2,}(\S+)$", line).start(1)]) for line in lines}
    assert len(lines) == 14 and len(starts) == 1, lines
    rid = lines[0].split()[0]
    shown = nianbao(index, "show", rid).stdout.splitlines()
    meta = [line for line in shown[1:] if line.startswith("  ") and not line.startswith("   ")][:6]
    assert len({wcswidth(line[:re.search(r" {2,}(\S+)$", line).start(1)]) for line in meta}) == 1, meta


def test_add_help_lists_every_format_it_reads():
    from indexer.read.dispatch import READABLE_SUFFIXES

    out = subprocess.run([sys.executable, "-m", "indexer", "add", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120).stdout
    assert all(s in out for s in (".pdf", ".docx", ".doc", ".wps", ".html", ".shtml", ".txt", ".md"))
    assert all(s in out for s in READABLE_SUFFIXES)


# English prose click or we might print: three or more letters in a row, other than what a user types or reads as a
# name (options, commands, metavars, file suffixes, keys like apply.new.total, jieba, JSON, CSV …).
_ENGLISH_WORD = re.compile(r"(?<![-.$/{\w])[A-Za-z]{3,}(?![\w.}])")
_NAMES_USERS_TYPE = {"nianbao", "exact", "words", "jieba", "JSON", "CSV", "BOM", "Excel", "WPS", "TOML", "WARC", "OCR",
                     "API", "Ray", "auto", "host", "port", "PDF", "txt", "html", "pdf", "docx", "doc", "wps", "ofd",
                     "xlsx", "xls", "jpg", "png", "OR", "field", "value", "TEXT", "INTEGER", "DIRECTORY", "PATH",
                     "FILE", "CONFIG", "PATHS", "QUERY", "REPORT_ID", "AGAINST_ID", "ADDRESS", "ARCHIVES", "HOST",
                     "PORT", "NIANBAO_INDEX", "index", "csv", "json", "relevance", "year", "issuer", "title", "UTF", "key"}


def _english_prose(text: str) -> list[str]:
    from indexer.cli import main
    from indexer.engine.query import FILTER_KEYS

    text = re.sub(r"'[^']*'|`[^`]*`|\[[^\]]*\]|--?[\w-]+|\w+:\S*|\S+\.(?:toml|py|csv|json)\b|[\w.]*/\S+", " ", text)
    return [w for w in _ENGLISH_WORD.findall(text)
            if w not in _NAMES_USERS_TYPE | set(FILTER_KEYS) | set(main.commands) and not w.isupper()]


def test_help_and_usage_errors_speak_chinese_too():
    """click's own scaffolding (Usage:, Options, Show this message and exit., Error: No such option) included."""
    from indexer.cli import main

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
        return proc.stdout + proc.stderr

    pages = {(): run("--help")} | {(c,): run(c, "--help") for c in main.commands}
    for args, out in pages.items():
        assert "用法:" in out and "选项:" in out and "显示本帮助并退出" in out, (args, out)
        assert not _english_prose(out), (args, _english_prose(out), out)
    mistakes = [run("search", "--bogus", "x"), run("serch"), run("search", "--limit", "0", "x"),
                run("search", "--mode", "fuzzy", "x"), run("diff"), run("show", "a", "b")]
    for out in mistakes:
        assert "错误：" in out and "查看帮助" in out, out
        assert not _english_prose(out), (_english_prose(out), out)
    assert re.search(r"是不是要用 .*'--sort'", run("search", "--srot", "x"))


def test_a_busy_port_says_so_and_names_the_port_option(index):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = nianbao(index, "serve", "--port", str(port), check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"端口 {port} 已被占用" in proc.stderr and "--port" in proc.stderr and "PORT=" in proc.stderr


def test_every_readme_search_and_export_example_returns_results(index):
    # issue 14: the README's examples all return results on the bundled data
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = [line.split("  #")[0].strip() for line in readme.splitlines()
                if line.startswith(("nianbao search", "nianbao export"))]
    assert len(examples) >= 4
    for example in examples:
        args = [a for a in shlex.split(example)[1:] if not a.startswith("[")]
        if "-o" in args:
            i = args.index("-o")
            del args[i:i + 2]
        if args[0] == "search":
            res = json.loads(nianbao(index, *args, "--json").stdout)
            assert res["total"] > 0, example
        else:
            out = nianbao(index, *args, *([] if "--format" in args else ["--format", "json"])).stdout
            assert json.loads(out), example


def test_search_mode_words_finds_a_phrase_no_report_holds_whole(index):
    exact = nianbao(index, "search", "政务新媒体建设情况", "--json").stdout
    assert json.loads(exact)["total"] == 0
    words = json.loads(nianbao(index, "search", "政务新媒体建设情况", "--mode", "words", "--json").stdout)
    assert words["total"] > 0 and words["mode"] == "words" and words["words"] == ["政务新媒体", "建设", "情况"]
    human = nianbao(index, "search", "政务新媒体建设情况", "--mode", "words").stdout
    assert "分词匹配：政务新媒体 / 建设 / 情况" in human


def test_the_issuer_option_and_filter_select_one_bodys_reports(index):
    by_id = json.loads(nianbao(index, "search", "--issuer", "620600/政府", "--json").stdout)
    by_name = json.loads(nianbao(index, "search", "issuer:武威市人民政府", "--json").stdout)
    assert by_id["total"] == by_name["total"] == 2
    assert {r["issuer_id"] for r in by_id["results"]} == {"620600/政府"}
    assert sorted(r["year"] for r in by_name["results"]) == [2019, 2020]
    facet = {v["value"]: v for v in by_id["facets"]["issuer"]}
    assert facet["620600/政府"] == {"value": "620600/政府", "label": "武威市人民政府", "count": 2}
    proc = nianbao(index, "search", "--issuer", "武威市政府", check=False)
    assert proc.returncode != 0 and "没有这个发布机关" in proc.stderr and "武威市人民政府" in proc.stderr
    assert "Traceback" not in proc.stderr
