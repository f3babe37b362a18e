"""The engine's hooks for shards, without Ray: three indexes holding the samples split by shard.shard_of score every
report exactly as one index of them all does when given the collection's statistics (ranking.CollectionStats), and
their facets summed (facets.merge_facets) are the single index's facets."""

from __future__ import annotations

import pytest

from engine.test_search import sample_reports
from indexer.cluster.shard import shard_of
from indexer.engine.facets import merge_facets
from indexer.engine.index import SearchIndex
from indexer.engine.query import parse_query, texts
from indexer.engine.ranking import CollectionStats, shard_statistics
from indexer.engine.results import run_facets, run_search

QUERIES = ["政府信息公开", "公开", "依申请公开 行政复议", "申请 OR 复议", "信息 -放管服", "section:requests 申请人"]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    reports = sample_reports()
    root = tmp_path_factory.mktemp("stats")
    one = SearchIndex(root / "one")
    one.update(reports, workers=1)
    shards = [SearchIndex(root / f"shard-{i}") for i in range(3)]
    for i, shard in enumerate(shards):
        shard.update([r for r in reports if shard_of(r.id, 3) == i], workers=1)
    assert all(s.snapshot().n_reports for s in shards)
    return one, shards


def _scores(shards, query: str, stats: CollectionStats | None) -> dict[str, float]:
    out = {}
    for shard in shards:
        res = run_search(shard.snapshot(), query, limit=1000, stats=stats)
        out.update({r["id"]: r["score"] for r in res["results"]})
    return out


def test_shards_score_as_one_index_with_the_collection_statistics(indexes):
    one, shards = indexes
    local_differs = False
    for query in QUERIES:
        terms = list(dict.fromkeys(texts(parse_query(query))))
        stats = CollectionStats.merge([shard_statistics(s.snapshot(), terms) for s in shards])
        expected = {r["id"]: r["score"] for r in one.search(query, limit=1000)["results"]}
        assert expected and _scores(shards, query, stats) == expected, query
        local_differs |= _scores(shards, query, CollectionStats.merge(
            [shard_statistics(shards[0].snapshot(), terms)])) != expected
    assert local_differs  # one shard's statistics alone would rank otherwise: the test can fail


def test_merged_sort_keys_give_the_single_index_order(indexes):
    one, shards = indexes
    for query in QUERIES[:3]:
        terms = list(dict.fromkeys(texts(parse_query(query))))
        stats = CollectionStats.merge([shard_statistics(s.snapshot(), terms) for s in shards])
        merged = sorted((tuple(r["sort_key"]), r["id"]) for s in shards
                        for r in run_search(s.snapshot(), query, limit=1000, stats=stats)["results"])
        expected = [r["id"] for r in one.search(query, limit=1000)["results"]]
        assert [rid for _, rid in merged] == expected or sorted(expected) == sorted(rid for _, rid in merged)
        assert "sort_key" not in one.search(query)["results"][0]  # the embedded answer is unchanged


@pytest.mark.parametrize("query", ["", "公开", "申请人", "行政复议"])
def test_summed_facets_are_the_single_index_facets(indexes, query):
    one, shards = indexes
    merged = merge_facets([run_facets(s.snapshot(), query) for s in shards])
    assert merged.pop("keyword") == []  # 主题词 cannot be summed across shards (each has its own IDF)
    assert merged == {k: v for k, v in one.facets(query).items() if k != "keyword"}
