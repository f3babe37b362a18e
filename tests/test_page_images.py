"""A web page added from disk whose statistics table is a picture beside it (issue 11, scans and images):
`nianbao add page.html` reads the pictures its content names by a relative path, OCRs them where they stand, keeps
them with the page in the store (a reparse reads them again), and says the report was OCR'd.  Pictures written into
the page (data: URIs) are read too; a page's pictures are bounded in number; none of it ever costs the report."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.library import Library
from indexer.limits import Limits
from indexer.model import Document, PageImage
from indexer.read.ocr import add_page_images, decode_data_uri

ROOT = Path(__file__).resolve().parents[1]
LABEL = json.loads((ROOT / "tests" / "labels" / "labels-real.json").read_text(encoding="utf-8"))["jiangsu-019.txt"]
TABLE_FIELDS = ("review.", "litigation.")  # what the pictured table 四 holds


@pytest.fixture(scope="module")
def pictured():
    """淮安市洪泽区's 2024 report as a page (scrapers/testsite/portals.py) with only table 四 kept, as a picture."""
    pytest.importorskip("rapidocr_onnxruntime")
    from scrapers.testsite.images import font_available
    from scrapers.testsite.portals import pictured_report

    if not font_available():
        pytest.skip("no Noto Sans CJK font to draw the table picture (apt-get install fonts-noto-cjk)")
    body, pictures = pictured_report("019_hzq2024_working.pdf")
    last = len(pictures) - 1
    return body, pictures[last], last


def _page(body: str) -> bytes:
    return ("<html><head><meta charset='utf-8'><title>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</title></head>"
            f"<body><div id='zoom'>{body}</div></body></html>").encode("utf-8")


def _with_srcs(body: str, count: int, src) -> str:
    for n in range(count + 1):
        body = body.replace(f'src="{{{n}}}"', f'src="{src(n)}"')
    return body


def test_add_reads_the_pictures_beside_the_page(pictured, tmp_path):
    body, png, last = pictured
    folder = tmp_path / "saved"
    (folder / "page_files").mkdir(parents=True)
    (folder / "page_files" / "table%204.png").write_bytes(png)  # written as the page's src says, %-decoded
    # tables 二 and 三 are not beside the page (a partial save): passed over; one is on the web: never fetched
    page = _with_srcs(body, last, lambda n: "page_files/table%25204.png" if n == last else
                      "http://www.hongze.gov.cn/pic/1.png" if n == 0 else f"page_files/missing{n}.png")
    (folder / "page.html").write_bytes(_page(page))
    index = tmp_path / "index"
    run = CliRunner().invoke(main, ["--index", str(index), "add", str(folder / "page.html")])
    assert run.exit_code == 0, run.output
    with Library(index) as lib:
        (report,) = list(lib.reports())
        fields = {k: v for k, v in report.fields.items() if k.startswith(TABLE_FIELDS)}
        assert fields and fields == {k: v for k, v in LABEL["fields"].items() if k in fields}  # right or left out
        assert {"review.total", "litigation.direct.total", "litigation.after_review.total"} <= fields.keys()
        assert not any(k.startswith("apply.") for k in report.fields)  # table 三 was not beside the page
        codes = [(w.code, w.message) for w in report.warnings]
        assert ("read.ocr", "页面中 1 张图片的文字由 OCR 从图像识别，文字可能有误；统计数字只采用能通过表内合计校验的") in codes
        assert not any("missing" in m or "1.png" in m for _, m in codes)  # absent pictures are no error
        appeals = next(s for s in report.sections if s.canonical == "appeals" and s.level == 1)
        assert "行政复议" in appeals.text and "未经复议直接起诉" in appeals.text.replace(" ", "")  # in its section
        (_, doc), = list(lib.store.documents())
        assert [(im.src, im.data) for im in doc.images] == [("page_files/table%25204.png", png)]
        before = report.to_json()
        (folder / "page_files" / "table%204.png").unlink()  # the store has it: a reparse needs no file
        assert lib.reparse_all() == 1
        assert lib.get(report.id).to_json() == before


def test_a_picture_written_into_the_page_is_read(pictured, tmp_path):
    body, png, last = pictured
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    page = _with_srcs(body, last, lambda n: uri if n == last else f"missing{n}.png")
    with Library(tmp_path / "index") as lib:
        report = lib.add_bytes(_page(page), "page.html")
    assert report.fields.get("review.total") == LABEL["fields"]["review.total"]
    assert any(w.code == "read.ocr" for w in report.warnings)


def test_data_uris_and_their_damage():
    png = decode_data_uri("data:image/png;base64,iVBORw0KGgo=")
    assert (png.data, png.content_type, png.error) == (b"\x89PNG\r\n\x1a\n", "image/png", None)
    assert decode_data_uri("data:image/png;base64").error == "data: URI 没有内容"
    assert decode_data_uri("data:text/plain,%E4%BD%A0").data == "你".encode()


def test_too_many_pictures_and_broken_ones_are_warnings_never_errors(monkeypatch):
    import indexer.limits

    monkeypatch.setattr(indexer.limits, "limits", lambda: Limits(page_images=2))
    doc = Document(text="某县2022年政府信息公开工作年度报告\n一、总体情况", source="page.html", format="html",
                   images=["a.png", "b.png", "c.png", "d.png"])
    out = add_page_images(doc, [PageImage("a.png", error="服务器返回 HTTP 404 Not Found"),
                                PageImage("b.png", b"not an image", "image/png"), PageImage("c.png", b"x")])
    assert out.warnings == ["页面图片未能取得：a.png（服务器返回 HTTP 404 Not Found）",
                            "页面图片无法读取：b.png（UnidentifiedImageError）",
                            "页面正文中另有 2 张图片未读取（每页最多读取 2 张）"]
    assert out.text == doc.text and "ocr" not in out.meta  # nothing was read by OCR
