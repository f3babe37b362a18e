"""The report versions a SearchIndex remembers between its commits (update() asks for them before each) are
always the published generation's: as a fresh reader reads them, after additions, replacements, deletions, values
alone, and commits by another writer."""

from __future__ import annotations

import pytest

from indexer.engine.index import SearchIndex
from indexer.model import Report

from tests.engine.test_search import sample_reports


@pytest.fixture(scope="module")
def corpus():
    return sample_reports()


def _fresh(path) -> dict[str, str]:
    reader = SearchIndex(path, readonly=True)
    try:
        return reader.versions()
    finally:
        reader.close()


def test_remembered_versions_are_the_published_ones(tmp_path, corpus):
    path = tmp_path / "ix"
    ix = SearchIndex(path)
    assert ix.versions() == {}
    ix.update(corpus[:3])
    assert ix._known_versions is None  # (nothing read yet to carry over: the next read opens the generation)
    assert ix.versions() == _fresh(path) and len(ix.versions()) == 3
    ix.update(corpus[3:5])  # carried over this commit
    assert ix._known_versions is not None and ix._known_versions[0] == ix.current_generation()
    assert ix.versions() == _fresh(path) and len(ix.versions()) == 5

    replaced = Report.from_json({**corpus[1].to_json(), "title": "唯一标题甲乙丙"})
    before = ix.versions()[corpus[1].id]
    assert ix.update([replaced]) == 1
    assert ix.versions() == _fresh(path) and ix.versions()[corpus[1].id] != before
    assert ix.search("")["total"] == 5  # the older version deleted, not kept beside the new one
    assert ix.search("唯一标题甲乙丙")["total"] == 1
    assert ix.update([replaced]) == 0  # the same version again: nothing to do

    ix.delete([corpus[0].id])
    assert ix.versions() == _fresh(path) and corpus[0].id not in ix.versions()
    ix.set_values({corpus[2].id: {"reuse.previous": 0.5}})  # values alone: a commit without documents
    assert ix.versions() == _fresh(path)
    assert ix.values() == {corpus[2].id: {"reuse.previous": 0.5}}

    other = SearchIndex(path)  # another writer commits: what this one remembered is of an older generation
    other.update(corpus[5:7])
    other.update([Report.from_json({**corpus[3].to_json(), "title": "唯一标题丁戊己"})])
    other.close()
    assert ix.versions() == _fresh(path) and corpus[5].id in ix.versions()
    assert ix.search("")["total"] == 6
    ix.update(corpus[7:8])
    assert ix.versions() == _fresh(path) and len(ix.versions()) == 7
    # the returned dict is a copy: changing it changes nothing remembered
    ix.versions().clear()
    assert len(ix.versions()) == 7
    ix.close()
