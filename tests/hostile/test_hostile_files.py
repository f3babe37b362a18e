"""Hostile files through `add`: each is refused in one line naming the file and the reason, nothing of it is
stored, and the good report beside it is added; none of the real samples meets a limit; a page nested deeper than
the parser keeps is read whole (or refused as too deep), never cut silently."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from indexer.library import Library
from indexer.read import read_bytes
from indexer.read.nesting import nesting_depth

from hostile.hostile_files import ROOT, deep_html, hostile_files


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    d = tmp_path_factory.mktemp("hostile-files")
    expect = hostile_files(d / "in", bomb_bytes=60_000_000)  # just over the 50 MB member limit: quick to make
    good = sorted((ROOT / "samples").rglob("*.html"))[0]
    shutil.copy(good, d / "in" / good.name)
    return d, expect


def test_hostile_files_are_refused_in_one_line_and_the_run_goes_on(hostile_dir):
    d, expect = hostile_dir
    t0 = time.monotonic()
    with Library(d / "index") as lib:
        result = lib.add_paths([d / "in"] + [d / "in" / name for name in expect if "." not in name], workers=2)
        assert lib.count() == len(result.added) == 1
        assert lib.search("政府信息公开")["total"] == 1
    assert time.monotonic() - t0 < 60
    failed = {Path(p).name: reason for p, reason in result.failed}
    assert len(result.failed) == len(failed)  # one line per failed file
    assert set(failed) == set(expect)
    for name, words in expect.items():
        assert words in failed[name] and "\n" not in failed[name] and "Traceback" not in failed[name], name


def test_formatting_nested_past_the_parser_is_read_whole():
    page = deep_html("font", 10_000, " size=3")
    doc = read_bytes(page, "deep-font.html")
    assert all(f"第{i}句政府信息公开" in doc.text for i in (0, 254, 255, 9_999))


def test_nesting_is_measured_as_a_parser_builds_it():
    assert nesting_depth("<html><body><p>a<p>b<p>c<br><img src=x></body></html>") == 3
    assert nesting_depth("<div><span><b>x</b></span></div><div>y</div>") == 3
    assert nesting_depth("<!-- <div><div> --><script>if (a<b) {}</script><div>x</div>") == 1


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "samples").rglob("*")
                                        if p.suffix in (".txt", ".md", ".html", ".pdf")), ids=lambda p: p.name)
def test_no_real_sample_meets_a_limit(path):
    read_bytes(path.read_bytes(), path.name)  # raises LimitExceeded (a ReadError) when one does
