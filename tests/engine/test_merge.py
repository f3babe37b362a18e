"""Segment merging (indexer/engine/merge.py): the tiered policy keeps the segment count logarithmic, and an index
built in many small commits, merged along the way, answers exactly as one built in a single commit — deletions and
replacements made before a merge included."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index

from indexer.engine import merge
from indexer.engine.index import SearchIndex
from indexer.model import Report

from tests.engine.test_search import sample_reports

QUERIES = ["政务新媒体", "依申请公开", "信息处理费", "复议", "公开", "政府信息公开", "申请人", "2019年", "。", "唯一标题甲乙丙",
           "复议 OR 诉讼", '公开 -"信息处理费"']
FACTOR = 3


@pytest.fixture(scope="module")
def corpus():
    return sample_reports()


def _segments(ix: SearchIndex) -> list[int]:
    gen = ix.path / ix.current_generation()
    return [s.doc_count_all() for s in whoosh_index.open_dir(str(gen))._segments()]


def _answers(ix: SearchIndex) -> dict:
    out = {}
    for q in QUERIES:
        for mode in ("exact", "words"):
            res = ix.search(q, limit=500, mode=mode)
            out[q, mode] = (res["total"], sorted(r["id"] for r in res["results"]), res.get("facets"))
    out["versions"] = ix.versions()
    return out


def _bound(n_docs: int) -> int:
    """Segments the policy allows after a commit: fewer than FACTOR in each tier up to that of all documents."""
    return (FACTOR - 1) * (merge.tier(n_docs, FACTOR) + 1)


def test_plan_merges_a_full_tier_and_nothing_else():
    assert merge.plan_merge([100] * 9) == []
    assert merge.plan_merge([1000, 100, 100, 0, 100], factor=3) == [1, 2, 4]
    assert merge.plan_merge([1000, 1000, 5, 1000], factor=3) == [0, 1, 3]
    assert merge.plan_merge([1, 2, 30, 40, 50], factor=3) == [2, 3, 4]  # 1 and 2: tier 0, but only two
    # segments a parallel commit's workers are writing count towards their tier, and are not merged
    assert merge.plan_merge([100] * 8, coming=[100, 100]) == list(range(8))
    assert merge.plan_merge([100] * 7, coming=[100, 100]) == []
    assert merge.plan_merge([5000, 100], coming=[100] * 9) == []  # one segment of the tier: nothing to merge with
    assert merge.plan_merge([5000, 100, 100], coming=[5000] * 9) == []


def test_parallel_commits_merge_while_their_workers_write_and_answer_as_one_commit(tmp_path, corpus, monkeypatch):
    """Commits on two worker processes merge the tier their new segments will fill during the commit
    (merge.merge_while_writing), replacements and deletions made before included, and answer as one commit."""
    import indexer.engine.index as index_module

    monkeypatch.setattr(SearchIndex, "merge_factor", FACTOR)
    monkeypatch.setattr(index_module, "_PARALLEL_MIN_REPORTS", 2)
    planned = []
    plan = merge.plan_merge

    def spy(sizes, factor=merge.FACTOR, floor=merge.FLOOR, coming=()):
        chosen = plan(sizes, factor, floor, coming)
        if coming and chosen:
            planned.append(chosen)
        return chosen

    monkeypatch.setattr(merge, "plan_merge", spy)
    replaced = Report.from_json({**corpus[1].to_json(), "title": "唯一标题甲乙丙"})
    final = [corpus[0], replaced, *corpus[3:]]
    ix = SearchIndex(tmp_path / "ix")
    ix.update(corpus[:4], workers=2)
    ix.update([replaced, corpus[4]], workers=2)
    assert ix.delete([corpus[2].id]) == 1
    for i in range(5, len(corpus), 2):
        ix.update(corpus[i:i + 2], workers=2)
        sizes = _segments(ix)
        assert sum(sizes) <= len(corpus) and len(sizes) <= _bound(sum(sizes)) + 2, sizes
    assert planned, "no merge during a parallel commit"
    assert sorted(ix.versions()) == sorted(r.id for r in final)
    ref = SearchIndex(tmp_path / "ref")
    ref.update(final)
    assert _answers(ix) == _answers(ref)
    ix.close()
    ref.close()


def test_small_commits_stay_few_segments_and_answer_as_one_commit(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(SearchIndex, "merge_factor", FACTOR)
    one = SearchIndex(tmp_path / "one")
    one.update(corpus)
    assert len(_segments(one)) == 1
    many = SearchIndex(tmp_path / "many")
    for i, r in enumerate(corpus):
        many.update([r])
        sizes = _segments(many)
        assert sum(sizes) == i + 1
        assert len(sizes) <= _bound(i + 1), sizes
    assert len(_segments(many)) < len(corpus) // 2
    assert _answers(many) == _answers(one)
    one.close()
    many.close()


def test_deleted_and_replaced_reports_stay_so_after_a_merge(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(SearchIndex, "merge_factor", FACTOR)
    replaced = Report.from_json({**corpus[1].to_json(), "title": "唯一标题甲乙丙"})
    final = [corpus[0], replaced, *corpus[3:]]
    ix = SearchIndex(tmp_path / "ix")
    ix.update(corpus[:3])  # one segment of three documents
    ix.update([replaced])  # marks corpus[1] deleted in that segment
    assert ix.delete([corpus[2].id]) == 1  # and corpus[2]
    assert _segments(ix) == [3, 1]  # nothing merged yet: one of three live documents in the first segment
    for r in corpus[3:]:
        ix.update([r])
    sizes = _segments(ix)
    assert sum(sizes) == len(final), sizes  # merged: the deleted documents are gone
    assert len(sizes) <= _bound(len(final))
    assert ix.search("唯一标题甲乙丙")["total"] == 1
    assert corpus[2].id not in ix.versions()
    ref = SearchIndex(tmp_path / "ref")
    ref.update(final)
    assert _answers(ix) == _answers(ref)
    ix.delete([r.id for r in final[1:]])
    assert set(ix.versions()) == {final[0].id}
    ix.delete([final[0].id])
    assert ix.search("公开")["total"] == 0 and not ix.versions()
    ix.close()
    ref.close()


def test_a_merge_is_part_of_the_commit_a_reader_sees_whole(tmp_path, corpus, monkeypatch):
    """The generation before a merging commit stays as it was: a snapshot opened on it still answers."""
    monkeypatch.setattr(SearchIndex, "merge_factor", FACTOR)
    ix = SearchIndex(tmp_path / "ix")
    ix.update([corpus[0]])
    ix.update([corpus[1]])
    before = ix.snapshot()
    old = ix.search("公开")["total"]
    ix.update([corpus[2]])  # the third tier-0 segment: merged
    assert _segments(ix) == [3]
    from indexer.engine.results import run_search

    assert run_search(before, "公开")["total"] == old
    ref = SearchIndex(tmp_path / "ref")
    ref.update(corpus[:3])
    assert _answers(ix) == _answers(ref)
    ix.close()
    ref.close()
