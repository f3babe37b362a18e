"""Every hand-read label in tests/labels/*.json, checked through the whole pipeline (reader → parse_document).

The unit tests of each module check the same reports piece by piece; this one checks what a user gets.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from indexer.parse import parse_document
from indexer.read import read_file

from labelled import LABELS, ROOT, SAMPLE_DIRS, label_cases

SHARED_SPEC = ROOT.parent / "shared" / "spec"
META_KEYS = ("title", "issuer", "province", "city", "county", "township", "level", "body_type", "year",
             "published", "template")


_parsed: dict[Path, object] = {}


def parsed(path: Path):
    if path not in _parsed:
        _parsed[path] = parse_document(read_file(path))
    return _parsed[path]


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_metadata(path, expected):
    report = parsed(path)
    got = {k: getattr(report, k) for k in META_KEYS if k in expected}
    want = {k: expected[k] for k in META_KEYS if k in expected}
    if "title" in want and "_notes" in expected:
        # labels allow the page title's variant where the notes say so ("either is acceptable")
        alternatives = _title_alternatives(expected)
        if got.get("title") in alternatives:
            want["title"] = got["title"]
    assert got == want


def _title_alternatives(expected) -> set[str]:
    """Titles the notes name as acceptable alternatives: '…' quoted strings that look like report titles."""
    import re

    alts = {expected["title"]}
    for quoted in re.findall(r"'([^']+)'", expected.get("_notes", "")):
        q = quoted.replace(" ", "")
        if q.endswith("报告") and re.search(r"\d{4}", q):
            alts.add(q)
    return alts


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_section_order(path, expected):
    """The labelled canonical level-1 sections appear in this order (others may stand between)."""
    got = [s.canonical for s in parsed(path).sections if s.level == 1]
    want = expected["sections"]
    it = iter(got)
    missing = [c for c in want if not any(c == g for g in it)]
    assert not missing, f"level-1 sections {got} do not contain {want} in order"


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_fields(path, expected):
    fields = parsed(path).fields
    want = expected.get("fields", {})
    wrong = {k: (fields.get(k), v) for k, v in want.items()
             if k not in fields or not math.isclose(fields[k], v, rel_tol=0, abs_tol=1e-6)}
    assert not wrong, f"{len(wrong)} of {len(want)} fields wrong or missing (got, want): {wrong}"


@pytest.mark.parametrize("path,expected", list(label_cases()))
def test_phrases_are_in_section_text(path, expected):
    """The labelled body phrases survive cleaning and land in some section's text (what search indexes)."""
    from indexer.normalize import normalize

    texts = [normalize(s.text) for s in parsed(path).sections]
    for phrase in expected.get("phrases", []):
        assert any(normalize(phrase) in t for t in texts), phrase


def test_bundled_labels_match_shared_spec():
    """The labels bundled with the tests are the spec's own (CI has ../shared beside the checkout)."""
    if not SHARED_SPEC.is_dir():
        pytest.skip("../shared/spec not present")
    for name in SAMPLE_DIRS:
        assert (LABELS / name).read_bytes() == (SHARED_SPEC / name).read_bytes(), name
