"""PDF text damage (issue 11, item 4): page numbers in every printed form and running headers/footers, wherever a
page break falls (inside statistics tables too), must not change what a report says; hard line breaks inside a
phrase must not hide a figure of the text."""

from __future__ import annotations

import math

import pytest

from indexer.model import Document
from indexer.parse import parse_document
from indexer.parse.cleaning import join_broken_words, page_number_value, strip_page_furniture
from indexer.parse.tables.legacy import from_text

from labelled import label_cases, load_document

FORMS = ["— {n} —", "－{n}－", "- {n} -", "·{n}·", "第{n}页 共{total}页", "共{total}页 第{n}页", "{n}/{total}", "{n}"]
HEADER = "政务公开办公室编印"
FOOTER = "本报告仅供信息公开使用"
PAGE_LINES = 27  # a page break every 27 lines lands inside every layout's tables somewhere


def paged(text: str, form: str, header: bool) -> str:
    """The text as PDF extraction gives it: page after page, each closed by its page number (and a footer)."""
    lines = text.split("\n")
    pages = [lines[i:i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)]
    out: list[str] = []
    for n, page in enumerate(pages, 1):
        if header and n > 1:
            out.append(HEADER)
        out.extend(page)
        if header:
            out.append(FOOTER)
        out.append(form.format(n=n, total=len(pages)))
    return "\n".join(out)


def _cases():
    for case in label_cases():
        path, expected = case.values
        if path.suffix == ".txt" and expected.get("fields"):
            yield case


_plain: dict = {}


def _plain_report(path):
    if path not in _plain:
        _plain[path] = parse_document(load_document(path))
    return _plain[path]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("path,expected", list(_cases()))
def test_page_furniture_changes_nothing(path, expected, form):
    plain = _plain_report(path)
    doc = load_document(path)
    report = parse_document(Document(text=paged(doc.text, form, header=form != "{n}"), source=doc.source,
                                     format=doc.format))
    want = expected["fields"]
    wrong = {k: (report.fields.get(k), v) for k, v in want.items()
             if k not in report.fields or not math.isclose(report.fields[k], v, abs_tol=1e-6)}
    assert not wrong, f"{len(wrong)} of {len(want)} fields wrong or missing (got, want): {wrong}"
    assert report.fields == plain.fields
    for key in ("title", "issuer", "year", "published", "template", "province", "city", "county"):
        assert getattr(report, key) == getattr(plain, key), key
    assert [s.canonical for s in report.sections] == [s.canonical for s in plain.sections]
    if len(doc.text.split("\n")) > 2 * PAGE_LINES:  # printed once or twice only, a line is not yet a running one
        assert not any(HEADER in s.text or FOOTER in s.text for s in report.sections)


def test_page_number_forms():
    assert [page_number_value(s) for s in ("— 3 —", "－3－", "- 3 -", "第3页 共10页", "共10页第3页", "3/10",
                                           "Page 3 of 10", "·3·")] == [3] * 8
    assert page_number_value("12/5") is None  # a date or a ratio, not page 12 of 5
    assert page_number_value("第12页 共5页") is None
    assert page_number_value("2024年") is None


def test_bare_figures_are_not_page_numbers():
    """A one-cell-per-line table is full of bare numbers: none of them is taken for a page number."""
    table = "\n".join(["本年新收政府信息公开申请数量"] + [str(n) for n in (1, 0, 0, 0, 0, 0, 1)] + ["总计"] +
                      [str(n) for n in range(2, 40)])
    assert strip_page_furniture(table) == table


def test_running_header_kept_where_it_opens_the_report():
    body = "\n".join(f"第{i}段正文内容，说明工作情况。" for i in range(20))
    text = "\n".join(["某市2023年政府信息公开工作年度报告", body, "- 1 -", "某市2023年政府信息公开工作年度报告", body,
                      "- 2 -", "某市2023年政府信息公开工作年度报告", body, "- 3 -"])
    out = strip_page_furniture(text).split("\n")
    assert out.count("某市2023年政府信息公开工作年度报告") == 1 and out[0] == "某市2023年政府信息公开工作年度报告"
    assert not any(line.startswith("- ") for line in out)


def test_broken_words_do_not_hide_figures():
    text = "本年度共收到行政复议申请2件，被提起行\n政诉讼1件。依申请公开\n21件。"
    assert join_broken_words(text) == "本年度共收到行政复议申请2件，被提起行政诉讼1件。依申请公开21件。"
    assert from_text(text)["legacy.litigation_total"] == 1
    assert from_text(text)["legacy.apply_total"] == 21
    assert join_broken_words("总计\t1\t2\n合计\t3") == "总计\t1\t2\n合计\t3"  # table rows stay rows
