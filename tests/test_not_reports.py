"""Inputs that are not annual reports are skipped with their reason by every way in (add, named files, the test
portal's pages, reparse), never stored as reports; --force stores them with a warning that says what they are."""

from __future__ import annotations

import pytest

from indexer.library import Library, describe_skipped
from indexer.model import NotAReport
from indexer.parse import parse_document
from indexer.read import read_bytes
from scrapers.testsite.portals import hanweb_portal, trs_portal

from portal_pages import NON_REPORTS, REPORT_TITLE


def _portal_pages():
    """Every page the local test portals serve (the real crawler's test sites), with what each is."""
    routes, *_ = trs_portal("http://127.0.0.1:1")
    routes2, *_ = hanweb_portal("http://127.0.0.1:1")
    for path, res in {**routes, **routes2}.items():
        if res.body and path.endswith((".htm", ".html")) and "/art" in path or "/t20" in path:
            yield path, res


def test_the_test_portals_non_report_pages_are_classified_with_reasons():
    kinds = {}
    for path, res in _portal_pages():
        try:
            r = parse_document(read_bytes(res.body, path.rsplit("/", 1)[-1], res.content_type, None))
        except Exception as e:  # noqa: BLE001 - a page the readers refuse is not the point here
            kinds[path] = ("unreadable", str(e))
            continue
        kinds[path] = (r.kind, r.title)
    assert kinds["/xwdt/202206/t20220601_70003.htm"][0] != "年度报告"
    notices = {p: k for p, k in kinds.items() if "70001" in p or "70002" in p or "6001" in p or "6002" in p}
    assert len(notices) == 4 and all(k[0] != "年度报告" for k in notices.values()), notices
    reports = [p for p, k in kinds.items() if k[0] == "年度报告"]
    assert len(reports) >= 8 and all(kinds[p][1] for p in reports)


def test_add_skips_non_reports_named_or_not_and_counts_them(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, (kind, texts) in enumerate(NON_REPORTS.items()):
        for j, text in enumerate(texts):
            suffix = ".html" if text.startswith("<html") else ".txt"
            (folder / f"{i}-{j}{suffix}").write_text(text, encoding="utf-8")
    with Library(tmp_path / "ix") as lib:
        res = lib.add_paths([folder], workers=1)
        assert res.added == [] and res.failed == []
        by_kind = res.skipped_by_kind()
        assert by_kind == {k: len(v) for k, v in NON_REPORTS.items()}
        assert all(reason for _, _, reason in res.skipped)
        named = lib.add_paths([folder / "0-0.txt"], workers=1)
        assert named.added == [] and named.skipped[0][1] == "政策解读"
        assert lib.count() == 0
        with pytest.raises(NotAReport) as e:
            lib.add_bytes(f"图解：{REPORT_TITLE}\n[图片]".encode(), "tu.txt")
        assert "图解" in str(e.value)
        forced = lib.add_paths([folder / "0-0.txt"], workers=1, force=True)
        assert len(forced.added) == 1 and lib.count() == 1
        report = lib.get(forced.added[0])
        assert any(w.code == "kind.not_report" for w in report.warnings)
        assert lib.reparse_all() == 1 and lib.count() == 1  # forced stays forced


def test_describe_skipped():
    assert describe_skipped({"图解": 1, "政策解读": 2}) == "3 个非年度报告已跳过（政策解读 2，图解 1）"
    assert describe_skipped({}) == ""


def test_an_infographic_is_tied_to_its_report_when_that_is_in_the_collection(tmp_path):
    report = (f"{REPORT_TITLE}\n一、总体情况\n全年主动公开信息。\n二、主动公开政府信息情况\n甲。\n"
              "三、收到和处理政府信息公开申请情况\n乙。")
    with Library(tmp_path / "ix") as lib:
        rid = lib.add_bytes(report.encode(), "r.txt").id
        with pytest.raises(NotAReport) as e:
            lib.add_bytes(f"图解：{REPORT_TITLE}\n[图片]".encode(), "tu.txt")
        assert rid in e.value.reason
