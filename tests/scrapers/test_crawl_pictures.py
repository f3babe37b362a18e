"""Statistics tables a report page prints as pictures (issue 11, scans and images): the crawler fetches the pictures
inside the page's content through the same polite fetcher, archives and stores them with the page, and the reader
OCRs them, so the page's table fields come from the pictures — each equal to the report's hand-read label or left
out, never wrong — and the report says it was OCR'd.  A picture that is gone or broken is a warning on the report.
A reparse from the store and a rebuild from the archive read the same pictures without the network.

The portal is scrapers/testsite/portals.py ``pictured_portal`` on 127.0.0.1: 淮安市洪泽区's 2024 report (a real PDF,
samples/real/raw/019_hzq2024_working.pdf) as a page whose five tables are PNGs drawn from the PDF's own cells."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from scrapers.config import USER_AGENT, parse_config
from scrapers.crawl import Crawler, note_images
from scrapers.testsite import PortalServer
from scrapers.testsite.images import font_available

pytest.importorskip("rapidocr_onnxruntime")
if not font_available():
    pytest.skip("no Noto Sans CJK font to draw the table pictures (apt-get install fonts-noto-cjk)",
                allow_module_level=True)

REPO = Path(__file__).resolve().parents[2]
LABELS = json.loads((REPO / "tests" / "labels" / "labels-real.json").read_text(encoding="utf-8"))
DERIVED = ("reuse.", "series.")  # figures nianbao computes from others, not read from a table


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from scrapers.testsite.portals import pictured_portal

    routes, expected = pictured_portal()
    with PortalServer() as server:
        server.routes = routes
        config = parse_config({"politeness": {"delay": 0, "timeout": 5, "retries": 1, "backoff": 0.05},
                               "site": [{"name": "pictures", "start_urls": [server.url + "/col/col1001/index.html"]}]})
        index = tmp_path_factory.mktemp("pictures") / "index"
        with Crawler(config, index) as crawler:
            stats = crawler.run()
        yield {"stats": stats[0], "index": index, "archive": crawler.archive_dir, "hits": list(server.hits),
               "url": server.url, "expected": expected, "routes": routes}


def _report(crawled):
    from indexer.library import Library

    with Library(crawled["index"], readonly=True) as lib:
        reports = list(lib.reports())
    assert [r.source for r in reports] == [crawled["url"] + crawled["expected"]["report"]]
    return reports[0]


def test_the_table_fields_come_from_the_pictures_and_are_right_or_left_out(crawled):
    report = _report(crawled)
    label = LABELS[crawled["expected"]["key"]]
    for key in ("title", "year", "province", "city", "county", "template"):
        assert getattr(report, key) == label[key], key
    assert [s.canonical for s in report.sections if s.level == 1] == label["sections"]  # the tables' text where
    requests = next(s for s in report.sections if s.canonical == "requests" and s.level == 1)  # their pictures were
    assert "本年新收政府信息公开申请数量" in requests.text.replace(" ", "")
    fields = {k: v for k, v in report.fields.items() if not k.startswith(DERIVED)}
    wrong = {k: (v, label["fields"].get(k)) for k, v in fields.items() if label["fields"].get(k) != v}
    assert wrong == {}  # a figure OCR misread fails a table rule and is left out, never stored
    # the tables' own rules confirm most of 三 and 四: what the page's HTML alone does not have at all
    for key in ("apply.new.total", "apply.new.natural_person", "apply.carried_forward.total", "review.total",
                "litigation.direct.total"):
        assert key in fields, key
    assert len(fields) >= 20


def test_the_report_says_it_was_ocrd_and_names_the_pictures_it_could_not_read(crawled):
    warnings = [(w.code, w.message) for w in _report(crawled).warnings]
    assert ("read.ocr", "页面中 5 张图片的文字由 OCR 从图像识别，文字可能有误；统计数字只采用能通过表内合计校验的") in warnings
    assert ("read", "页面图片未能取得：gone.png（服务器返回 HTTP 404 Not Found）") in warnings
    assert ("read", "页面图片未能取得：page.png（不是图片：Content-Type 为 text/html）") in warnings
    assert ("read", "页面图片无法读取：broken.png（UnidentifiedImageError）") in warnings
    assert any(code == "table.ocr_unverified" for code, _ in warnings)  # figures no rule confirms: held back, said so


def test_the_ocr_text_is_searchable(crawled):
    from indexer.library import Library

    with Library(crawled["index"], readonly=True) as lib:
        found = lib.search('"结转下年度继续办理"')  # a row label that only the pictures print
    assert [r["id"] for r in found["results"]] == [_report(crawled).id]


def test_only_the_content_pictures_are_fetched_politely_once(crawled):
    expected = crawled["expected"]
    paths = [h.path for h in crawled["hits"]]
    for path in [*expected["pictures"], "/picture/2001/gone.png", "/picture/2001/page.png",
                 "/picture/2001/broken.png"]:
        assert paths.count(path) == 1, path  # 404 is not retried; nothing twice
    assert expected["logo"] not in paths  # the site's logo is outside the content
    assert expected["tujie_picture"] not in paths  # a 图解 page is no report: its pictures are not read
    assert not any(p.startswith("data:") or "base64" in p for p in paths)
    assert all(h.headers.get("user-agent") == USER_AGENT for h in crawled["hits"])
    stats = crawled["stats"]
    assert (stats.reports_new, stats.errors, stats.not_reports) == (1, 0, {"图解": 1})


def test_without_its_pictures_the_page_has_no_table_fields(crawled):
    """The control: the same stored page read without the pictures has none of those fields."""
    from indexer.library import Library, _parse_bytes

    with Library(crawled["index"], readonly=True) as lib:
        (_, doc), = list(lib.store.documents())
    report = _parse_bytes(doc.data, doc.name, doc.content_type, doc.source, doc.meta, doc.hints, images=[])
    assert not any(k.startswith(("apply.", "review.", "litigation.")) for k in report.fields)
    assert not any(w.code == "read.ocr" for w in report.warnings)


def test_the_pictures_are_kept_in_the_archive_and_the_store(crawled):
    from scrapers.archive import iter_report_documents

    routes, expected = crawled["routes"], crawled["expected"]
    served = {p.rsplit("/", 1)[-1]: routes[p].body for p in expected["pictures"]}
    (doc,) = [d for d in iter_report_documents(crawled["archive"]) if d.url.endswith(expected["report"])]
    from_archive = note_images(crawled["archive"], doc.note)
    assert {im.src.rsplit("/", 1)[-1]: im.data for im in from_archive if im.data} == {
        **served, "broken.png": routes["/picture/2001/broken.png"].body}
    assert {im.src: im.error for im in from_archive if im.error} == {
        "/picture/2001/gone.png": "服务器返回 HTTP 404 Not Found",
        "/picture/2001/page.png": "不是图片：Content-Type 为 text/html"}

    from indexer.library import Library

    with Library(crawled["index"], readonly=True) as lib:
        (_, stored), = list(lib.store.documents())
    assert [(im.src, im.data, im.error) for im in stored.images] == [
        (im.src, im.data, im.error) for im in from_archive]


def test_reindex_from_the_store_reads_the_same_pictures_without_the_network(crawled, monkeypatch):
    """`nianbao reindex --from-store`: the page and its pictures come from the store; the report is the same."""
    from indexer.library import Library

    before = _report(crawled).to_json()

    def no_network(*args, **kwargs):
        raise OSError("network is cut in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with Library(crawled["index"]) as lib:
        assert lib.reparse_all() == 1
    monkeypatch.undo()
    assert _report(crawled).to_json() == before


def test_the_tujie_page_is_attached_to_its_report(crawled):
    from indexer.library import Library

    report = _report(crawled)
    tujie, title = crawled["expected"]["tujie"]
    with Library(crawled["index"], readonly=True) as lib:
        assert lib.illustrations(report.id) == [{"kind": "图解", "title": title, "source": crawled["url"] + tujie}]
        assert lib.report_json(report.id)["illustrations"] == lib.illustrations(report.id)
