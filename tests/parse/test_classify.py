"""What is not a report: pages a portal serves beside its reports are told apart by title and structure cues."""

from __future__ import annotations

import pytest

from indexer.parse import parse_document
from indexer.read import read_bytes

from labelled import label_cases, load_document
from portal_pages import BODIES, NON_REPORTS, REPORT_TITLE, SHAPES


def kind_of(text: str, name: str = "page.txt"):
    r = parse_document(read_bytes(text.encode("utf-8"), name, None, None))
    return r.kind, r.kind_reason, r.illustrates


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_every_labelled_sample_is_a_report(path, expected):
    r = parse_document(load_document(path))
    assert r.is_report, r.kind_reason


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_built_portal_page_is_a_report(shape):
    for body in BODIES[::4]:
        fmt, page = SHAPES[shape](body)
        r = parse_document(read_bytes(page.encode("utf-8"), f"page.{fmt}", None, None))
        assert r.is_report, (body.written, r.kind_reason)


@pytest.mark.parametrize("kind,text", [(k, t) for k, ts in NON_REPORTS.items() for t in ts])
def test_non_reports_are_told_apart_with_a_reason(kind, text):
    name = "page.html" if text.startswith("<html") else "page.txt"
    got, reason, _ = kind_of(text, name)
    assert got == kind and reason, reason


def test_an_infographic_names_the_report_it_illustrates():
    assert kind_of(f"图解：{REPORT_TITLE}\n[图片]")[2] == REPORT_TITLE


def test_a_cover_letter_that_carries_its_report_is_the_report():
    text = (f"某区人民政府关于印发{REPORT_TITLE}的通知\n{REPORT_TITLE}\n一、总体情况\n甲。\n二、主动公开政府信息情况\n乙。")
    assert kind_of(text)[0] == "年度报告"
