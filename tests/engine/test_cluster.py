"""The sharded engine on a real local Ray cluster (a head and two worker nodes on this machine) answers as the
embedded one does: the same reports, totals, facet counts (主题词 included) and order for every query, in exact and
in words mode, the same keywords and similar reports, 3 shards, parsing as Ray tasks; a killed shard actor or
worker node is answered for by a replica or named (``partial``), and comes back.

Marked ``cluster`` (~1–2 min, most of it starting Ray): ``pytest -m cluster`` runs them alone,
``pytest -m "not cluster"`` everything else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from indexer.cluster import open_cluster  # noqa: E402
from indexer.cluster.ingest import parse_files  # noqa: E402
from indexer.cluster.shard import shard_of  # noqa: E402
from indexer.engine.errors import ShardsUnavailable  # noqa: E402
from indexer.library import Library  # noqa: E402

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
_MB = 1 << 20

QUERIES = [  # (query, filters, sort)
    ("政府信息公开", None, "relevance"),
    ("依申请公开", None, "relevance"),
    ("行政复议 OR 行政诉讼", None, "relevance"),
    ("公开 -复议", None, "relevance"),
    ("信息处理费", None, "relevance"),
    ("申请人", {"section": ["requests"]}, "relevance"),
    ("公开", None, "year_asc"),
    ("公开", None, "year_desc"),
    ("公开", None, "apply.new.total:desc"),
    ("", None, "relevance"),
    ("", {"province": ["福建"]}, "relevance"),
    ("主动公开", {"year": ["2023"]}, "relevance"),
    ("year:2020..2024 政务", None, "relevance"),
    ("没有这样的短语啊", None, "relevance"),
    # the issuer facet's labels and the issuer filter: a body of one report lives in one shard, the others
    # must not call it unknown
    ("公开", {"issuer": ["350128/政府/综合实验区"]}, "relevance"),
    ("issuer:武威市人民政府", None, "year_desc"),
    ("", {"issuer": ["640381/政府", "青铜峡市人民政府"]}, "relevance"),
    # the copied-text figures, which the shards hold beside their documents (the index's values)
    ("reuse.others:>0", None, "reuse.others:desc"),
    ("", None, "reuse.previous:asc"),
    # 主题词 (a report's first keywords, with the collection's IDF): as a filter and in the query
    ("", {"keyword": ["平潭"]}, "relevance"),
    ("公开 keyword:洪泽", None, "year_desc"),
    ("-keyword:武威市 政务", {"keyword": ["市政府", "实验区"]}, "relevance"),
]

WORDS_QUERIES = [  # mode=words: (query, filters, sort)
    ("政务新媒体建设情况", None, "relevance"),
    ("依申请公开 行政复议", None, "relevance"),
    ("政府网站", {"province": ["福建"]}, "relevance"),
    ("申请 OR 复议", None, "year_desc"),
    ("主动公开 -放管服", None, "relevance"),
    ("申请人答复", {"section": ["requests"]}, "relevance"),
    ("信息公开工作年度报告", None, "relevance"),
    ("公开 keyword:平潭", None, "relevance"),
    ("year:2020..2024 政务公开", None, "apply.new.total:desc"),
    ("没有这样的词语呢", None, "relevance"),
]


@pytest.fixture(scope="module")
def cluster():
    """A head (no CPUs: it only coordinates) and two 1-CPU worker nodes, small object stores; Ray's sessions,
    sockets and logs under a /tmp/cluster-* directory of its own, removed afterwards."""
    from ray.cluster_utils import Cluster

    temp = tempfile.mkdtemp(prefix="cluster-ray-", dir="/tmp")
    old = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = temp
    node = {"object_store_memory": 80 * _MB}
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False, **node})
    try:
        workers = [c.add_node(num_cpus=1, **node) for _ in range(2)]
        c.wait_for_nodes()
        ray.init(address=c.address, namespace="nianbao", log_to_driver=False)
        yield c, workers
    finally:
        ray.shutdown()
        c.shutdown()
        if old is None:
            os.environ.pop("RAY_TMPDIR", None)
        else:
            os.environ["RAY_TMPDIR"] = old
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("embedded"))
    lib.add_paths([SAMPLES], workers=1)
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def sharded(cluster, tmp_path_factory):
    """The same samples added through the cluster: parsed by Ray tasks, stored, indexed by their shards."""
    index_dir = tmp_path_factory.mktemp("sharded")
    backend = open_cluster(cluster[0].address, index_dir, readonly=False, shards=3, replicas=2)
    lib = Library(index_dir, backend=backend, parse_files=parse_files)
    result = lib.add_paths([SAMPLES])
    assert not result.failed
    yield lib
    lib.close()


def _all(lib, query, filters, sort, mode="exact") -> dict:
    return lib.search(query, filters=filters, sort=sort, limit=1000, mode=mode)


def _tie_groups(res: dict, sort: str) -> list[tuple]:
    """Results as runs of equal (score, year): the order within a run is the index's order of insertion, which
    no two indexes share; each run's reports and their hits must be the same."""
    groups: list[tuple] = []
    for r in res["results"]:
        key = (r["score"], r["year"]) if sort in ("relevance", "year_asc", "year_desc") else None
        item = (r["id"], repr({k: v for k, v in r.items() if k != "id"}))
        if groups and key is not None and groups[-1][0] == key:
            groups[-1][1].add(item)
        else:
            groups.append((key, {item}))
    return groups


def assert_same_answer(sharded_res: dict, embedded_res: dict, sort: str) -> None:
    for key in ("total", "total_sections", "total_fields", "query", "sort", "limit", "offset", "mode"):
        assert sharded_res[key] == embedded_res[key], key
    assert sharded_res.get("words") == embedded_res.get("words")  # words mode: the words each term was cut into
    assert sharded_res["facets"] == embedded_res["facets"]
    assert sharded_res["partial"] is False and sharded_res["missing_shards"] == []
    assert _tie_groups(sharded_res, sort) == _tie_groups(embedded_res, sort)


def test_the_cluster_lives_on_127_0_0_1(cluster):
    """Ray's single-machine mode (tests/conftest.py): the GCS and every node on the loopback address."""
    c, _ = cluster
    assert c.address.startswith("127.0.0.1:")
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
    assert len([n for n in ray.nodes() if n["Alive"]]) == 3


def test_samples_are_spread_over_three_shards(sharded, embedded):
    ids = sharded.matching_ids()
    assert sorted(ids) == sorted(embedded.matching_ids()) and len(ids) >= 10
    assert {shard_of(rid, 3) for rid in ids} == {0, 1, 2}
    assert sharded.count() == embedded.count()


@pytest.mark.parametrize("query,filters,sort", QUERIES)
def test_every_query_answers_as_the_embedded_index(sharded, embedded, query, filters, sort):
    assert_same_answer(_all(sharded, query, filters, sort), _all(embedded, query, filters, sort), sort)
    assert sharded.facets(query, filters=filters) == embedded.facets(query, filters=filters)
    assert sorted(sharded.matching_ids(query, filters=filters)) == sorted(embedded.matching_ids(query, filters=filters))


@pytest.mark.parametrize("query,filters", [("", None), ("公开", None), ("公开", {"province": ["甘肃省"]})])
def test_facets_cut_to_a_size_as_the_embedded_index_cuts_them(sharded, embedded, query, filters):
    """The shards count every value (exact sums); the coordinator cuts the merged lists as one index does."""
    got = sharded.search(query, filters=filters, limit=0, facet_size=2)
    want = embedded.search(query, filters=filters, limit=0, facet_size=2)
    assert got["facets"] == want["facets"] and got.get("facets_more") == want.get("facets_more")
    assert want.get("facets_more")  # the samples have more than two values in some facet


@pytest.mark.parametrize("query", ["政府信息公开", "公开", "申请"])
def test_top_twenty_and_pages_in_the_embedded_order(sharded, embedded, query):
    """Text queries: scores are exact (collection-wide idf and lengths), so pages come in the same order."""
    for offset, limit in ((0, 20), (0, 5), (5, 5), (10, 3)):
        a = sharded.search(query, limit=limit, offset=offset)
        b = embedded.search(query, limit=limit, offset=offset)
        assert [(r["id"], r["score"]) for r in a["results"]] == [(r["id"], r["score"]) for r in b["results"]]
        assert [r["hits"] for r in a["results"]] == [r["hits"] for r in b["results"]]  # snippets from the owner


@pytest.mark.parametrize("query,filters,sort", WORDS_QUERIES)
def test_every_words_mode_query_answers_as_the_embedded_index(sharded, embedded, query, filters, sort):
    """mode=words: each word's idf from the slots holding it over every shard, so scores, facets and order are
    the embedded index's."""
    assert_same_answer(_all(sharded, query, filters, sort, "words"), _all(embedded, query, filters, sort, "words"),
                       sort)
    assert sharded.facets(query, filters=filters, mode="words") == embedded.facets(query, filters=filters,
                                                                                 mode="words")
    a = sharded.matching_ids(query, filters=filters, mode="words")
    assert sorted(a) == sorted(embedded.matching_ids(query, filters=filters, mode="words"))


@pytest.mark.parametrize("query", ["政务新媒体建设情况", "依申请公开 行政复议", "公开"])
def test_words_mode_top_twenty_and_pages_in_the_embedded_order(sharded, embedded, query):
    for offset, limit in ((0, 20), (0, 5), (5, 5), (10, 3)):
        a = sharded.search(query, limit=limit, offset=offset, mode="words")
        b = embedded.search(query, limit=limit, offset=offset, mode="words")
        assert [(r["id"], r["score"]) for r in a["results"]] == [(r["id"], r["score"]) for r in b["results"]]
        assert [r["hits"] for r in a["results"]] == [r["hits"] for r in b["results"]]
    # the search page's fallback: an exact search that finds nothing is answered in words mode
    a = sharded.search("政务新媒体的建设情况", words_fallback=True)
    b = embedded.search("政务新媒体的建设情况", words_fallback=True)
    assert [(r["id"], r["score"]) for r in a["results"]] == [(r["id"], r["score"]) for r in b["results"]]
    assert a.get("fallback_from") == b.get("fallback_from")


def test_keywords_of_every_report_are_the_embedded_ones(sharded, embedded):
    """IDF over the collection: N and the df of the report's words summed over the shards."""
    ids = embedded.matching_ids()
    assert len(ids) >= 10
    for rid in ids:
        assert sharded.keywords(rid) == embedded.keywords(rid), rid
    assert all(embedded.keywords(rid)["keywords"] for rid in ids)
    assert sharded.keywords("no-such-report") is None


def _similar_groups(rows: list[dict]) -> list[tuple]:
    """Runs of equal score: within one, the order is the index's order of insertion."""
    groups: list[tuple] = []
    for r in rows:
        if groups and groups[-1][0] == r["score"]:
            groups[-1][1].add(repr(r))
        else:
            groups.append((r["score"], {repr(r)}))
    return groups


def test_similar_reports_are_the_embedded_ones(sharded, embedded):
    """Cosine of TF-IDF vectors weighed with the collection's IDF: the report's vector from its shard, every
    shard's nearest, merged."""
    for rid in embedded.matching_ids():
        everything = embedded.similar(rid, 1000)
        assert everything and _similar_groups(sharded.similar(rid, 1000)) == _similar_groups(everything), rid
        a, b = sharded.similar(rid, 5), embedded.similar(rid, 5)
        assert [r["score"] for r in a] == [r["score"] for r in b]
        assert _similar_groups(a)[:-1] == _similar_groups(b)[:-1], rid  # (the last run may be cut elsewhere)
    assert sharded.similar("no-such-report") is None


def test_the_keyword_facet_from_cut_shard_lists(sharded, embedded, monkeypatch):
    """Shards list their first 主题词 and the first count they left out; when those cannot settle the facet, the
    shards that cut their lists are asked for all their values — the facet is the embedded one either way."""
    backend = sharded.index
    asked = []
    ask = backend._ask

    def spy(method, *args, **kwargs):
        asked.append(method)
        return ask(method, *args, **kwargs)

    monkeypatch.setattr(backend, "_ask", spy)
    monkeypatch.setattr(backend, "topic_page", 2)
    for query, mode in (("", "exact"), ("公开", "exact"), ("政府信息", "words")):
        assert sharded.facets(query, mode=mode) == embedded.facets(query, mode=mode)
        assert sharded.search(query, mode=mode)["facets"] == embedded.search(query, mode=mode)["facets"]
    assert "topic_counts" in asked


def test_a_query_the_user_must_fix_is_a_query_error(sharded):
    from indexer.engine.errors import QueryError

    with pytest.raises(QueryError):
        sharded.search('"没有结束的引号')
    with pytest.raises(QueryError):
        sharded.search("公开", sort="nonsense")
    # an issuer no shard holds, as the embedded index says it (issue 14.1: no silent zero)
    for ask in (lambda: sharded.search("issuer:武威市政府"), lambda: sharded.facets("", filters={"issuer": ["火星"]}),
                lambda: sharded.matching_ids("-issuer:620600/部门")):
        with pytest.raises(QueryError, match="没有这个发布机关"):
            ask()


def test_deleting_and_re_adding_goes_to_the_owning_shard(sharded, embedded):
    rid = sorted(sharded.matching_ids())[0]
    report = sharded.get(rid)
    assert sharded.delete(rid)
    assert rid not in sharded.matching_ids()
    assert sharded.search("公开", limit=1000)["total"] == embedded.search("公开", limit=1000)["total"] - (
        rid in embedded.matching_ids("公开"))
    backend = sharded.index
    wrong = (shard_of(rid, 3) + 1) % 3
    ray.get(backend.replicas[wrong][0].update.remote([report]))  # in a shard that does not own it, not stored
    assert rid in sharded.matching_ids()
    assert sharded.sync_index() == (0, 1)  # sync makes the shards hold exactly the store, each its own reports
    assert rid not in sharded.matching_ids()
    sharded.store.put(report, data=b"", name="x.txt", content_type=None)  # (raw bytes do not matter to the index)
    added, removed = sharded.sync_index()
    # the report, and any report whose copied-text figures its return changes back (indexer.history.reuse)
    assert added >= 1 and removed == 0 and sharded.sync_index() == (0, 0)
    assert ray.get(backend.replicas[shard_of(rid, 3)][0].versions.remote()).keys() >= {rid}
    assert_same_answer(_all(sharded, "公开", None, "relevance"), _all(embedded, "公开", None, "relevance"),
                       "relevance")


def _wait_until(check, timeout=90.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.5)


def test_a_killed_shard_actor_is_answered_for_by_its_replica_and_comes_back(sharded, embedded):
    backend = sharded.index
    victim = backend.replicas[1][0]
    old_pid = ray.get(victim.where.remote())[1]
    ray.kill(victim, no_restart=False)  # Ray restarts it from its directory (max_restarts)
    for query, filters, sort in QUERIES[:4]:  # while it is down: every answer complete, from the replica
        assert_same_answer(_all(sharded, query, filters, sort), _all(embedded, query, filters, sort), sort)
    _wait_until(lambda: ray.get(victim.where.remote(), timeout=5)[1] != old_pid)
    assert ray.get(victim.search.remote("公开", None, "relevance", 1000, None))["total"] > 0


def test_a_shard_with_no_live_replica_is_named_and_started_again(cluster, sharded, embedded):
    """One replica per shard, and it is killed for good: the answer says which shard is missing and holds exactly
    the other shards' reports; the coordinator then starts the shard again from its directory."""
    backend = open_cluster(cluster[0].address, sharded.index_dir, readonly=True, replicas=1, timeout=20)
    try:
        lib = Library(sharded.index_dir, readonly=True, backend=backend)
        assert_same_answer(_all(lib, "公开", None, "relevance"), _all(embedded, "公开", None, "relevance"), "relevance")
        ray.kill(backend.replicas[2][0], no_restart=True)
        res = _all(lib, "公开", None, "relevance")
        assert res["partial"] is True and res["missing_shards"] == [2]
        expected = [r for r in _all(embedded, "公开", None, "relevance")["results"] if shard_of(r["id"], 3) != 2]
        # (ranked with the statistics of the shards that answered)
        assert sorted(r["id"] for r in res["results"]) == sorted(r["id"] for r in expected)
        assert res["total"] == len(expected)
        # the coordinator has already started shard 2 again from its directory; killed once more, an export
        # never silently lacks its reports
        ray.kill(backend.replicas[2][0], no_restart=True)
        with pytest.raises(ShardsUnavailable, match="分片 2"):
            lib.matching_ids("公开")
        # keywords and similar reports weighed without its words would not be the collection's: refused too
        elsewhere = next(rid for rid in embedded.matching_ids() if shard_of(rid, 3) != 2)
        for ask in (lambda: lib.keywords(elsewhere), lambda: lib.similar(elsewhere)):
            ray.kill(backend.replicas[2][0], no_restart=True)
            with pytest.raises(ShardsUnavailable, match="分片 2"):
                ask()
        # the report page still shows the report, saying why its 主题词 and similar reports are missing
        from webui.app import create_app

        ray.kill(backend.replicas[2][0], no_restart=True)
        app = create_app(sharded.index_dir)
        app.config["LIBRARY"] = lib
        page = app.test_client().get(f"/report/{elsewhere}")
        assert page.status_code == 200
        assert 'id="nb-shards-down"' in page.get_data(as_text=True) and "分片 2" in page.get_data(as_text=True)

        def complete() -> bool:
            res = _all(lib, "公开", None, "relevance")
            return not res["partial"]

        _wait_until(complete)
        assert_same_answer(_all(lib, "公开", None, "relevance"), _all(embedded, "公开", None, "relevance"), "relevance")
    finally:
        backend.close()


def test_a_worker_node_lost_mid_query(cluster, sharded, embedded):
    """Runs last: a worker node holding shard replicas is removed while queries run.  Every answer is complete, or
    partial with the missing shards named and exactly the others' reports; then every shard is back."""
    c, workers = cluster
    backend = sharded.index
    where = backend.where()
    by_node = {}
    for replicas in where:
        for node_id, _pid in replicas:
            by_node[node_id] = by_node.get(node_id, 0) + 1
    victim = max((w for w in workers if w.node_id in by_node), key=lambda w: by_node[w.node_id])
    expected = _all(embedded, "公开", None, "relevance")
    answers, errors = [], []
    stop = threading.Event()

    def ask():
        while not stop.is_set():
            try:
                answers.append(_all(sharded, "公开", None, "relevance"))
            except Exception as e:  # noqa: BLE001 — any error is a failure of the test
                errors.append(e)

    t = threading.Thread(target=ask)
    t.start()
    time.sleep(1.0)
    c.remove_node(victim)
    time.sleep(8.0)
    stop.set()
    t.join(timeout=120)
    assert not errors and len(answers) > 2
    for res in answers:
        if res["partial"]:
            assert res["missing_shards"]
            kept = [r["id"] for r in expected["results"] if shard_of(r["id"], 3) not in res["missing_shards"]]
            assert sorted(r["id"] for r in res["results"]) == sorted(kept)
        else:
            assert_same_answer(res, expected, "relevance")
    _wait_until(lambda: not _all(sharded, "公开", None, "relevance")["partial"], timeout=120)
    assert_same_answer(_all(sharded, "公开", None, "relevance"), expected, "relevance")
    assert all(node != victim.node_id for replicas in backend.where() for node, _ in replicas)
