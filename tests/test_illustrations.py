"""A 图解 or 解读 page is not a report (issue 11, what is not a report) but is about one: it is never stored as a
report, and it is attached to the report it names — at once when that report is in the collection, or as soon as
the report arrives later (same title, or the same body's report of that year).  A store written before this kept
no such relation: it keeps its reports and gains it."""

from __future__ import annotations

import html
import sqlite3
from pathlib import Path

import pytest

from indexer.library import Library
from indexer.model import NotAReport

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REPORT = SAMPLES / "seeds" / "000_9cc224736a79167a.txt"  # 武威市2019年政府信息公开工作年度报告
TITLE = "武威市2019年政府信息公开工作年度报告"
TUJIE_URL = "https://www.gswuwei.gov.cn/zwgk/tj/t20200305_1.html"


def _page(title: str, body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{html.escape(title)}_武威市人民政府</title></head><body>"
            f"<h1>{html.escape(title)}</h1><div class='content'>{body}</div></body></html>").encode("utf-8")


TUJIE = _page(f"一图读懂{TITLE}", "<p><img src='tj.jpg'></p><p>（来源：武威市人民政府办公室）</p>")


def _add_report(lib: Library):
    return lib.add_bytes(REPORT.read_bytes(), REPORT.name, source=REPORT.name)


def _add_tujie(lib: Library, data: bytes = TUJIE, url: str = TUJIE_URL) -> NotAReport:
    with pytest.raises(NotAReport) as e:
        lib.add_bytes(data, url.rsplit("/", 1)[-1], source=url)
    assert e.value.kind == "图解"
    return e.value


def test_a_tujie_seen_before_its_report_is_attached_when_the_report_arrives(tmp_path):
    with Library(tmp_path / "index") as lib:
        skipped = _add_tujie(lib)
        assert "对应报告" not in skipped.reason
        assert lib.store.illustration(TUJIE_URL)["report_id"] is None  # remembered, waiting
        assert lib.count() == 0
        report = _add_report(lib)
        assert report.title == TITLE
        attached = [{"kind": "图解", "title": f"一图读懂{TITLE}", "source": TUJIE_URL}]
        assert lib.illustrations(report.id) == attached
        assert lib.report_json(report.id)["illustrations"] == attached
        assert lib.store.illustration(TUJIE_URL)["matched_by"] == "title"
        assert lib.count() == 1  # the 图解 is no report


def test_a_tujie_of_a_report_in_the_collection_is_attached_at_once(tmp_path):
    with Library(tmp_path / "index") as lib:
        report = _add_report(lib)
        skipped = _add_tujie(lib)
        assert skipped.reason.endswith(f"（对应报告 {report.id}）")
        assert [il["source"] for il in lib.illustrations(report.id)] == [TUJIE_URL]
        _add_tujie(lib)  # seen again: still one
        assert len(lib.illustrations(report.id)) == 1


@pytest.mark.parametrize("tujie_first", [True, False])
def test_a_jiedu_naming_the_body_differently_is_matched_by_body_and_year(tmp_path, tujie_first):
    """《武威市人民政府2019年…》解读: another title for the same body's 2019 report (武威市 → 武威市人民政府)."""
    url = "https://www.gswuwei.gov.cn/zwgk/jd/t20200306_2.html"
    jiedu = _page(f"《武威市人民政府{TITLE[3:]}》解读", "<p>现就年度报告解读如下。主动公开信息1200条。</p>")
    with Library(tmp_path / "index") as lib:
        if tujie_first:
            with pytest.raises(NotAReport):
                lib.add_bytes(jiedu, "2.html", source=url)
            report = _add_report(lib)
        else:
            report = _add_report(lib)
            with pytest.raises(NotAReport):
                lib.add_bytes(jiedu, "2.html", source=url)
        assert lib.illustrations(report.id) == [
            {"kind": "政策解读", "title": f"《武威市人民政府{TITLE[3:]}》解读", "source": url}]
        assert lib.store.illustration(url)["matched_by"] == "body"
        # another body's report of that year is not it
        other = _page("一图读懂西宁市2019年政府信息公开工作年度报告", "<p><img src='x.jpg'></p>")
        _add_tujie(lib, other, "https://www.xining.gov.cn/tj/1.html")
        assert len(lib.illustrations(report.id)) == 1


def test_add_paths_attaches_a_tujie_file_in_either_order(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "tujie.html").write_bytes(TUJIE)
    with Library(tmp_path / "a") as lib:  # the 图解 in the same run as the report
        result = lib.add_paths([folder, REPORT], workers=1)
        assert [(Path(p).name, kind) for p, kind, _ in result.skipped] == [("tujie.html", "图解")]
        (rid,) = set(result.added)
        assert [il["source"] for il in lib.illustrations(rid)] == ["tujie.html"]
    with Library(tmp_path / "b") as lib:  # the report first, the 图解 in a later run
        lib.add_paths([REPORT], workers=1)
        result = lib.add_paths([folder], workers=1)
        (rid,) = [r.id for r in lib.reports()]
        assert result.skipped[0][2].endswith(f"（对应报告 {rid}）")
        assert [il["source"] for il in lib.illustrations(rid)] == ["tujie.html"]


def test_deleting_the_report_leaves_its_tujie_waiting_for_it(tmp_path):
    with Library(tmp_path / "index") as lib:
        report = _add_report(lib)
        _add_tujie(lib)
        assert lib.delete(report.id)
        assert lib.store.illustration(TUJIE_URL)["report_id"] is None
        again = _add_report(lib)
        assert [il["source"] for il in lib.illustrations(again.id)] == [TUJIE_URL]


def test_reparse_keeps_the_attachment(tmp_path):
    with Library(tmp_path / "index") as lib:
        _add_tujie(lib)
        report = _add_report(lib)
        assert lib.reparse_all() == 1
        assert [il["source"] for il in lib.illustrations(report.id)] == [TUJIE_URL]


def test_a_store_written_before_keeps_its_reports_and_gains_the_attachments(tmp_path):
    index = tmp_path / "index"
    with Library(index) as lib:
        report = _add_report(lib)
        before = lib.get(report.id).to_json()
    db = sqlite3.connect(index / "nianbao.sqlite3")  # as an older nianbao left it: none of the new tables
    with db:
        for table in ("illustrations", "report_keys", "page_images"):
            db.execute(f"DROP TABLE {table}")
    db.close()
    with Library(index, readonly=True) as lib:  # read-only: nothing to migrate, nothing to show
        assert lib.illustrations(report.id) == []
        assert lib.report_json(report.id)["illustrations"] == []
        assert [doc.images for _, doc in lib.store.documents()] == [()]
    with Library(index) as lib:  # a writer: the tables come back and the old reports get their keys
        _add_tujie(lib)
        assert [il["source"] for il in lib.illustrations(report.id)] == [TUJIE_URL]
        assert lib.get(report.id).to_json() == before and lib.count() == 1
