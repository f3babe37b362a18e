"""与上年对比: sentence and figure differences between two reports, and one body's series — on reports built with
known edits, then on the bundled samples through the library, the CLI and the API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.history.diff import diff_reports, diff_sentences
from indexer.history.sentences import sentence_key, split_sentences
from indexer.history.series import body_key, previous_of, series_of
from indexer.library import Library
from indexer.model import Report, Section, Warning

ROOT = Path(__file__).resolve().parents[2]


def _report(rid: str, year: int, sections: dict[str, str], fields=None, warnings=(), issuer="某县人民政府") -> Report:
    return Report(id=rid, title=f"{issuer}{year}年政府信息公开工作年度报告", issuer=issuer, province="甲省", city="乙市",
                  county="某县", region_code="999999", body_type="政府", year=year,
                  sections=[Section(f"s{i}", f"{i}、", kind, 1, kind, text)
                            for i, (kind, text) in enumerate(sections.items(), start=1)],
                  fields=dict(fields or {}), warnings=list(warnings))


def test_sentences_split_at_chinese_stops_and_lines_and_compare_without_layout():
    assert split_sentences("一是加强公开。二是完善制度；三是强化监督！\n表格\t1\t2") == [
        "一是加强公开。", "二是完善制度；", "三是强化监督！", "表格\t1\t2"]
    assert sentence_key("全年共受理申请 21 件。") == sentence_key("全年共受理申请21件")
    assert sentence_key("全年共受理申请21件。") != sentence_key("全年共受理申请22件。")


def test_diff_finds_exactly_the_edited_sentences():
    old = ["甲句不变。", "乙句全年受理申请21件。", "丙句不变。", "丁句明年删去。", "戊句不变。"]
    new = ["甲句不变。", "乙句全年受理申请35件。", "丙句不变。", "戊句不变。", "己句今年新写。"]
    got = [(c.op, c.text) for c in diff_sentences(old, new)]
    assert got == [("kept", "甲句不变。"), ("dropped", "乙句全年受理申请21件。"), ("new", "乙句全年受理申请35件。"),
                   ("kept", "丙句不变。"), ("dropped", "丁句明年删去。"), ("kept", "戊句不变。"), ("new", "己句今年新写。")]


def test_random_edits_are_recovered_exactly():
    """Edits made at random to a list of distinct sentences are exactly what the diff reports."""
    import random

    rng = random.Random(16)
    for _ in range(200):
        old = [f"第{i}句，内容编号{rng.randrange(10**6)}。" for i in range(rng.randrange(1, 30))]
        new, dropped, added = [], set(), set()
        for s in old:
            r = rng.random()
            if r < 0.2:
                dropped.add(s)
            elif r < 0.35:
                dropped.add(s)
                t = s.replace("内容", "改写")
                added.add(t)
                new.append(t)
            else:
                new.append(s)
            if rng.random() < 0.15:
                t = f"新增句{rng.randrange(10**6)}。"
                added.add(t)
                new.append(t)
        changes = diff_sentences(old, new)
        assert {c.text for c in changes if c.op == "dropped"} == dropped
        assert {c.text for c in changes if c.op == "new"} == added
        assert [c.text for c in changes if c.op != "dropped"] == new


def test_report_diff_by_section_kind_and_figures_largest_moves_first():
    old = _report("a", 2020, {"overview": "总体平稳。全年主动公开信息100条。", "requests": "受理申请21件。"},
                  {"apply.new.total": 21, "review.total": 2, "active.rules.issued": 0, "legacy.apply_total": 5},
                  [Warning("check.review.total", "行政复议合计不等", "review.total")])
    new = _report("b", 2021, {"overview": "总体平稳。全年主动公开信息120条。", "proactive": "新设专栏。",
                              "requests": "受理申请21件。"},
                  {"apply.new.total": 35, "review.total": 1, "active.rules.issued": 3, "litigation.direct.total": 1})
    d = diff_reports(new, old)
    assert [(s.canonical, s.count("new"), s.count("dropped"), s.count("kept")) for s in d.sections] == [
        ("overview", 1, 1, 1), ("proactive", 1, 0, 0), ("requests", 0, 0, 1)]
    order = [f.key for f in d.fields]
    # from 0 to 3 first, then +66.7 %, then -50 %; figures of one year only last
    assert order[:3] == ["active.rules.issued", "apply.new.total", "review.total"]
    assert set(order[3:]) == {"legacy.apply_total", "litigation.direct.total"}
    review = next(f for f in d.fields if f.key == "review.total")
    assert (review.old, review.new, review.delta, review.pct) == (2, 1, -1, -50.0)
    assert review.old_check_failed and not review.new_check_failed
    assert json.loads(json.dumps(d.to_json()))["sentences"] == {"kept": 2, "new": 2, "dropped": 1}


def test_series_and_previous_keep_to_one_body():
    a19, a20, a21 = (_report(f"a{y}", y, {"overview": "x。"}) for y in (2019, 2020, 2021))
    other = _report("dept", 2020, {"overview": "x。"}, issuer="某县教育局")
    other.body_type = "部门"
    assert body_key(a19) == body_key(a21) != body_key(other)
    assert [r.id for r in series_of(a20, [a21, other, a19])] == ["a2019", "a2020", "a2021"]
    assert previous_of(a21, [a19, a20, other]).id == "a2020"
    assert previous_of(a19, [a20, a21]) is None


@pytest.fixture(scope="module")
def index_dir(samples_index) -> Path:
    return samples_index


def _hongze(lib: Library, year: int) -> Report:
    return next(r for r in lib.reports() if r.issuer == "淮安市洪泽区人民政府" and r.year == year)


def test_a_sample_report_is_compared_with_its_previous_year(index_dir):
    with Library(index_dir, readonly=True) as lib:
        new, old = _hongze(lib, 2024), _hongze(lib, 2023)
        assert lib.previous(new).id == old.id
        assert [r.year for r in lib.series(new)] == [2023, 2024]
        d = lib.diff(new)
        assert d.old_id == old.id and d.count("new") and d.count("dropped") and d.count("kept")
        # every sentence of either report is accounted for once
        for kind in {s.canonical for s in d.sections}:
            sec = next(s for s in d.sections if s.canonical == kind)
            new_text = [split_sentences(s.text) for s in new.sections if s.canonical == kind]
            assert [c.text for c in sec.changes if c.op != "dropped"] == [x for xs in new_text for x in xs]
        assert any(f.delta for f in d.fields)
        wuwei = [r for r in lib.reports() if r.issuer == "武威市人民政府"]
        assert lib.diff(max(wuwei, key=lambda r: r.year)).old_id == min(wuwei, key=lambda r: r.year).id
        assert lib.diff(old) is None  # nothing earlier


def test_cli_diff(index_dir):
    with Library(index_dir, readonly=True) as lib:
        new, old = _hongze(lib, 2024), _hongze(lib, 2023)
    run = [sys.executable, "-m", "indexer", "--index", str(index_dir), "diff"]
    out = subprocess.run(run + [new.id], capture_output=True, text=True, check=True).stdout
    assert "新增" in out and "删去" in out and "\n  + " in out and "\n  - " in out and "句未变" in out
    as_json = json.loads(subprocess.run(run + [new.id, old.id, "--json"], capture_output=True, text=True,
                                        check=True).stdout)
    assert as_json["against"] == old.id
    fail = subprocess.run(run + [old.id], capture_output=True, text=True)
    assert fail.returncode == 1 and "更早年度" in fail.stderr and "Traceback" not in fail.stderr


def test_api_diff_and_series(index_dir):
    from webui import create_app

    client = create_app(index_dir).test_client()
    with Library(index_dir, readonly=True) as lib:
        new, old = _hongze(lib, 2024), _hongze(lib, 2023)
    d = client.get(f"/api/reports/{new.id}/diff").get_json()
    assert d["against"] == old.id and d["sentences"]["new"] > 0
    assert client.get(f"/api/reports/{new.id}/diff?against={old.id}").get_json() == d
    assert client.get(f"/api/reports/{old.id}/diff").status_code == 404
    assert client.get(f"/api/reports/{new.id}/diff?against=nosuch").status_code == 404
    s = client.get(f"/api/reports/{new.id}/series").get_json()
    assert [r["id"] for r in s["reports"]] == [old.id, new.id]
    page = client.get(f"/report/{new.id}/diff").get_data(as_text=True)
    assert 'class="new"' in page and 'class="dropped"' in page and "句未变" in page
    assert f'/report/{new.id}/diff"' in client.get(f"/report/{new.id}").get_data(as_text=True)
    assert "无法对比" in client.get(f"/report/{old.id}/diff").get_data(as_text=True)


def test_keyed_sentences_give_each_sentence_its_key():
    from indexer.history.sentences import keyed_sentences

    for path in sorted((ROOT / "samples").rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        pairs = list(keyed_sentences(text))
        assert [s for s, _ in pairs] == split_sentences(text)
        assert all(k == sentence_key(s) for s, k in pairs)
    assert list(keyed_sentences("甲。 ｡乙\n\ue000丙；")) == [(s, sentence_key(s)) for s in split_sentences("甲。 ｡乙\n\ue000丙；")]
