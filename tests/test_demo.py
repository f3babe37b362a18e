"""`./dev demo --synthetic N` (bench/demo.py): a labelled synthetic collection read by the real pipeline, with the
shape the compare page and facets need."""

from __future__ import annotations

from collections import Counter

from bench.demo import MARK, NOTE, build
from indexer.library import Library


def test_the_synthetic_demo_is_labelled_and_has_series_with_gaps(tmp_path):
    index = tmp_path / "index"
    assert build(30, index) == 30
    with Library(index, readonly=True) as lib:
        reports = list(lib.reports())
        assert all(r.title.endswith(MARK) and r.source.startswith("synthetic://") for r in reports)
        assert all(NOTE in r.sections[0].text or NOTE in r.text for r in reports)
        # the real parser read the tables: the cross-template series and table 四 are there, the checks pass
        assert sum("series.applications" in r.fields and "review.total" in r.fields for r in reports) >= 27
        assert not [w.code for r in reports for w in r.warnings if w.code.startswith("check.")]
        years = Counter(r.issuer for r in reports)
        assert len(years) >= 4 and max(years.values()) >= 4  # runs of years per issuer
        assert sum(r.province is not None for r in reports) == 30
        assert lib.search("合成演示数据")["total"] == 30
