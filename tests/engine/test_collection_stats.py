"""The engine's hooks for shards, without Ray: three indexes holding the samples split by shard.shard_of score every
report exactly as one index of them all does when given the collection's statistics (ranking.CollectionStats), in
exact and in words mode, and their facets summed (facets.merge_facets) are the single index's facets; with the
collection's word statistics (keywords.merge_word_counts, collection_idf) their keywords, 主题词 and similar
reports are the single index's."""

from __future__ import annotations

import numpy as np
import pytest

from engine.test_search import sample_reports
from indexer.cluster.shard import shard_of
from indexer.engine.facets import merge_facets
from indexer.engine.index import SearchIndex
from indexer.engine.keywords import collection_idf, merge_topic_counts, merge_word_counts
from indexer.engine.query import parse_query, texts
from indexer.engine.ranking import CollectionStats, shard_statistics
from indexer.engine.results import report_keywords, run_facets, run_search

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


def _scores(shards, query: str, stats: CollectionStats | None, mode: str = "exact") -> dict[str, float]:
    out = {}
    for shard in shards:
        res = run_search(shard.snapshot(), query, limit=1000, stats=stats, mode=mode)
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


WORDS_QUERIES = ["政务新媒体建设情况", "依申请公开 行政复议", "政府网站", "申请 OR 复议", "主动公开 -放管服",
                 "section:requests 申请人答复", "信息公开工作年度报告"]


def test_words_mode_shards_score_as_one_index_with_the_words_statistics(indexes):
    """Words mode: each word's idf from the slots holding it over every shard, lengths over every shard."""
    one, shards = indexes
    local_differs = False
    for query in WORDS_QUERIES:
        terms = list(dict.fromkeys(texts(parse_query(query))))
        stats = CollectionStats.merge([shard_statistics(s.snapshot(), terms, "words") for s in shards])
        expected = {r["id"]: r["score"] for r in one.search(query, limit=1000, mode="words")["results"]}
        assert expected and _scores(shards, query, stats, "words") == expected, query
        local_differs |= _scores(shards, query, CollectionStats.merge(
            [shard_statistics(shards[0].snapshot(), terms, "words")]), "words") != expected
    assert local_differs


def test_words_statistics_count_a_word_where_the_term_does_not_match(indexes):
    """A shard holding some of a term's words but not all (or none of its first) still counts the slots of each:
    the other shards' idf needs them."""
    one, shards = indexes
    from indexer.engine.segmenter import query_words

    query = "放管服申请人"  # 放管服 is in few reports, 申请人 in almost all
    words = query_words(query)
    assert len(words) >= 2
    whole = one.snapshot()
    expected = {w: len(whole.leaf(w, "words").docs) for w in words}  # one word: its leaf is its slots
    parts = [shard_statistics(s.snapshot(), [query], "words")["df"] for s in shards]
    assert {w: sum(p[w] for p in parts) for w in words} == expected
    assert any(not len(s.snapshot().leaf(query, "words").docs) and p[words[-1]] for s, p in zip(shards, parts))


def _collection_tables(shards):
    counts = merge_word_counts([s.snapshot().word_table().word_counts() for s in shards])
    return [s.snapshot().word_table().with_collection(counts["n"], counts["codes"], counts["df"]) for s in shards]


def test_keywords_with_the_collection_idf_are_the_single_index_keywords(indexes):
    one, shards = indexes
    local_differs = False
    for shard in shards:
        snap = shard.snapshot()
        for rid in snap.report_ids:
            words = snap.word_table().report_words(snap.report_number(rid))
            dfs = [s.snapshot().word_table().df_of(words) for s in shards]
            idf = collection_idf(sum(s.snapshot().n_reports for s in shards),
                                 {w: sum(d[w] for d in dfs) for w in words})
            expected = one.keywords(rid)
            assert report_keywords(snap, rid, idf) == expected, rid
            local_differs |= report_keywords(snap, rid) != expected
    assert local_differs


def test_topics_and_vectors_with_the_collection_word_counts_are_the_single_index_ones(indexes):
    one, shards = indexes
    whole = one.snapshot().word_table()
    tables = _collection_tables(shards)

    def topics(table, snap, rid) -> list[str]:
        return [table.vocab[c] for c in table.topic_codes[snap.report_number(rid)] if c >= 0]

    local_differs = False
    for shard, table in zip(shards, tables):
        snap = shard.snapshot()
        for rid in snap.report_ids:
            assert topics(table, snap, rid) == topics(whole, one.snapshot(), rid), rid
            local_differs |= topics(snap.word_table(), snap, rid) != topics(whole, one.snapshot(), rid)
    assert local_differs
    # the 主题词 facet: the shards' full lists summed, and their cut lists merged (or found unsettled)
    expected = whole.topic_counts(np.ones(one.snapshot().n_reports, dtype=bool))
    assert expected
    full = [t.topic_counts(np.ones(t.n_reports, dtype=bool), None) for t in tables]
    assert merge_topic_counts(full) == expected
    for page in (1, 3, 10, 40):
        cut = [t.topic_counts(np.ones(t.n_reports, dtype=bool), page) for t in tables]
        merged = merge_topic_counts(cut)
        assert merged is None or merged == expected, page


def test_similar_over_shards_with_the_collection_vectors_is_the_single_index_similar(indexes):
    one, shards = indexes
    whole = one.snapshot()
    tables = _collection_tables(shards)
    for shard, table in zip(shards, tables):
        snap = shard.snapshot()
        for rid in snap.report_ids:
            codes, weights = table.vector(snap.report_number(rid))
            rows = []
            for other, t in zip(shards, tables):
                exclude = other.snapshot().report_number(rid)
                rows += [(-score, other.snapshot().report_ids[r]) for r, score in t.similar_to(codes, weights, 5,
                                                                                               exclude)]
            got = [(rid2, round(-s, 6)) for s, rid2 in sorted(rows)[:5]]
            want = [(whole.report_ids[r], round(s, 6)) for r, s in whole.word_table().similar(
                whole.report_number(rid), 5)]
            assert sorted(got) == sorted(want) and [s for _, s in got] == [s for _, s in want], rid


def test_merging_cut_topic_lists_settles_only_what_they_show():
    def item(value, count):
        return {"value": value, "count": count}

    full = [[item("a", 5), item("b", 3), item("c", 1)], [item("a", 4), item("c", 2), item("b", 1)]]
    assert merge_topic_counts(full, 2) == [item("a", 9), item("b", 4)]
    # cut after two, each left out a 1: a and b are listed by both, nothing else can reach b's 4
    cut = [[item("a", 5), item("b", 3), item(None, 1)], [item("a", 4), item("b", 1), item(None, 1)]]
    assert merge_topic_counts(cut, 2) == [item("a", 9), item("b", 4)]
    # b is missing from a cut list: its count there is unknown (≤ 2)
    cut = [[item("a", 5), item("b", 3), item(None, 1)], [item("a", 4), item("c", 2), item(None, 2)]]
    assert merge_topic_counts(cut, 2) is None
    # c could pass b: c's 3 + at most 3 left out in the first list > b's 5; with 2, a tie that c loses by name
    cut = [[item("a", 9), item("b", 4), item(None, 3)], [item("a", 9), item("c", 3), item("b", 1)]]
    assert merge_topic_counts(cut, 2) is None
    cut[1][1] = item("c", 2)
    assert merge_topic_counts(cut, 2) == [item("a", 18), item("b", 5)]
    # a value no list shows could reach the last one (1 + 1 left out ≥ 2)
    cut = [[item("a", 5), item("b", 1), item(None, 1)], [item("a", 5), item("b", 1), item(None, 1)]]
    assert merge_topic_counts(cut, 2) is None
    assert merge_topic_counts([[], []]) == []
