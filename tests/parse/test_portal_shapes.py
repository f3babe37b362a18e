"""Unseen reports of many provinces, levels and page shapes (tests/parse/portal_pages.py) come out as right as the
labelled ones: title, issuer, region and year of every body in every shape."""

from __future__ import annotations

import pytest

from indexer.parse import parse_document
from indexer.read import read_bytes

from portal_pages import BODIES, SHAPES, Body, expected_title

REGION_KEYS = ("province", "city", "county", "township", "level", "body_type")


def parse_page(body: Body, shape: str):
    fmt, page = SHAPES[shape](body)
    return parse_document(read_bytes(page.encode("utf-8"), f"page.{fmt}", None, None))


CASES = [pytest.param(b, s, id=f"{s}-{b.written}{b.year}") for s in SHAPES for b in BODIES]


@pytest.mark.parametrize("body,shape", CASES)
def test_title_and_issuer(body, shape):
    r = parse_page(body, shape)
    assert (r.title, r.issuer) == (expected_title(body, shape), body.formal)


@pytest.mark.parametrize("body,shape", CASES)
def test_region_and_year(body, shape):
    r = parse_page(body, shape)
    got = {k: getattr(r, k) for k in REGION_KEYS} | {"year": r.year}
    want = {k: getattr(body, k) for k in REGION_KEYS} | {"year": body.year}
    assert got == want


@pytest.mark.parametrize("body", BODIES, ids=[f"{b.written}{b.year}" for b in BODIES])
def test_one_body_one_issuer_id_across_shapes(body):
    ids = {parse_page(body, s).issuer_id for s in SHAPES}
    assert len(ids) == 1 and None not in ids, ids
