"""Search finds exactly what Ctrl-F finds: random substrings of the sample reports against a brute-force scan.

What a report "contains" (documented in indexer/engine/matching.py and evaluate.py): its normalised title, and for each section
its normalised heading (number + heading) and its normalised body text — checked separately, never across joins.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from indexer.engine.index import SearchIndex
from indexer.model import CANONICAL_SECTIONS, Report
from indexer.normalize import normalize
from indexer.engine.query import QueryError

ROOT = Path(__file__).resolve().parents[2]
HAND_PICKED = ["政务新媒体", "依申请公开", "信息处理费", "行政复议", "政府信息公开", "放管服", "一网通办",
               "0", "(一)", "2019年", "。", "申请人",
               "公开", "信息", "主动公开政府信息", "20"]  # common bigrams: per-slot entries, trigram covers


def sample_reports() -> list[Report]:
    """Every bundled sample text and page, through the real read → parse pipeline (one report per id)."""
    from indexer.parse import parse_document
    from indexer.read import read_file

    out = [parse_document(read_file(p)) for p in sorted((ROOT / "samples").rglob("*"))
           if p.is_file() and p.suffix in (".txt", ".html")]
    return list({r.id: r for r in out}.values())


def section_texts(r: Report) -> list[tuple[str, str, str]]:
    """(anchor, canonical, [heading text, body text]) in matching form."""
    return [(s.anchor, s.canonical or "unclassified",
             (normalize(f"{s.number}{s.heading}"), normalize(s.text))) for s in r.sections]


def brute_force(reports: list[Report], q: str) -> tuple[set[str], set[tuple[str, str]]]:
    q = normalize(q)
    rep, sec = set(), set()
    for r in reports:
        if q in normalize(r.title or ""):
            rep.add(r.id)
        for anchor, _, parts in section_texts(r):
            if any(q in p for p in parts):
                rep.add(r.id)
                sec.add((r.id, anchor))
    return rep, sec


@pytest.fixture(scope="module")
def corpus():
    return sample_reports()


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory):
    """Written in three commits (several segments, merged or not) with tiny posting blocks, so that reading
    terms spread over many blocks and segments, and skipping blocks, is what the tests check."""
    ix = SearchIndex(tmp_path_factory.mktemp("ix") / "whoosh")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("indexer.engine.codec.BLOCK_LIMIT", 3)
        third = len(corpus) // 3 + 1
        for i in range(0, len(corpus), third):
            ix.update(corpus[i:i + third])
    yield ix
    ix.close()


def _search_sets(ix: SearchIndex, q: str, n: int) -> tuple[set[str], set[tuple[str, str]], dict]:
    res = ix.search(f'"{q}"', limit=n + 1)
    reps = {r["id"] for r in res["results"]}
    secs = {(r["id"], h["anchor"]) for r in res["results"] for h in r["hits"]}
    return reps, secs, res


def _random_queries(corpus, k: int, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    texts = [p for r in corpus for _, _, parts in section_texts(r) for p in parts if len(p) > 10]
    out = []
    while len(out) < k:
        t = rng.choice(texts)
        n = rng.randint(1, 8)
        i = rng.randrange(0, len(t) - n)
        q = t[i:i + n]
        # quote marks open/close phrases in the query language; "(" etc. are fine inside a quoted phrase
        if not any(c in q for c in '"“「『') and q.strip() == q and q:
            out.append(q)
    return out


def test_exact_matching_equals_brute_force(index, corpus, monkeypatch):
    import indexer.engine.results as results

    monkeypatch.setattr(results, "MAX_HITS_PER_REPORT", 10_000)  # compare every hit, not the first ten
    n = len(corpus)
    queries = _random_queries(corpus, 500) + HAND_PICKED
    # one character that ends a title or a section: the exact view finds it through the slot's end mark only
    queries += sorted({t[-1] for r in corpus for t in [r.title or ""] + [s.text for s in r.sections]
                       if t and t[-1].strip() and t[-1] not in '"“「『'})
    wrong = []
    for q in queries:
        want_r, want_s = brute_force(corpus, q)
        got_r, got_s, res = _search_sets(index, q, n)
        if got_r != want_r or got_s != want_s or res["total"] != len(want_r) or res["total_sections"] != len(want_s):
            wrong.append((q, len(want_r), len(got_r), len(want_s), len(got_s)))
    assert not wrong, f"{len(wrong)} of {len(queries)} queries differ from brute force: {wrong[:10]}"


@pytest.mark.parametrize("chunk", [1, 40, None])
def test_phrases_checked_over_ranges_of_documents_equal_brute_force(index, corpus, monkeypatch, chunk):
    """A term with many candidates is matched over ranges of documents, the first on the calling thread and the
    others on the pool's, each range starting at its block through the block directories (matching._in_ranges):
    with a range for every candidate (1), every 40, or one per core for every term (None), over this index's three
    segments of three-posting blocks, the hits of phrases, single grams and common bigrams equal brute force."""
    import indexer.engine.matching as matching
    import indexer.engine.results as results

    monkeypatch.setattr(results, "MAX_HITS_PER_REPORT", 10_000)
    if chunk is None:
        monkeypatch.setattr(matching, "_SPLIT_CANDIDATES", 0)
        monkeypatch.setattr(matching.os, "cpu_count", lambda: 3)  # (whatever this machine has)
    else:
        monkeypatch.setattr(matching, "_CHUNK_POSITIONS", chunk)
    index.snapshot().clear_caches()
    n = len(corpus)
    queries = [q for q in _random_queries(corpus, 300, seed=7) + HAND_PICKED + ["政府"] if len(q) >= 2]
    wrong = []
    for q in queries:
        want_r, want_s = brute_force(corpus, q)
        got_r, got_s, res = _search_sets(index, q, n)
        if got_r != want_r or got_s != want_s or res["total_sections"] != len(want_s):
            wrong.append((q, len(want_r), len(got_r), len(want_s), len(got_s)))
    index.snapshot().clear_caches()
    assert len(queries) > 100 and not wrong, f"{len(wrong)} of {len(queries)} queries differ: {wrong[:10]}"


def test_terms_split_over_the_cores_only_for_a_search_alone(monkeypatch):
    """matching._ranges: a range per core from _SPLIT_CANDIDATES candidates on when no other search runs, one range
    (or one per _CHUNK_POSITIONS) when one does."""
    import indexer.engine.matching as matching

    monkeypatch.setattr(matching.os, "cpu_count", lambda: 2)
    assert matching._ranges(matching._SPLIT_CANDIDATES - 1) == 1
    assert matching._ranges(matching._SPLIT_CANDIDATES) == 2
    assert matching._ranges(matching._SPLIT_CANDIDATES, alone=False) == 1
    assert matching._ranges(5 * matching._CHUNK_POSITIONS) == matching._ranges(5 * matching._CHUNK_POSITIONS,
                                                                               alone=False) == 5


def test_a_search_running_beside_another_is_not_split(index, monkeypatch):
    """matching._in_ranges over this index's segments: a term of a search alone is matched over a range per core;
    while a second search runs (matching.searching, which results.run_search, run_ids and run_facets enter), over
    one range; and a search counts as running exactly while it runs."""
    import indexer.engine.matching as matching
    import indexer.engine.results as results

    monkeypatch.setattr(matching.os, "cpu_count", lambda: 2)
    subs = list(index.snapshot().searcher.reader().leaf_readers())
    n_docs = sum(sub.doc_count_all() for sub, _ in subs)

    def ranges() -> list[tuple[int, int]]:
        seen: list[tuple[int, int]] = []
        matching._in_ranges(subs, matching._SPLIT_CANDIDATES, lambda lo, hi: seen.append((lo, hi)))
        return sorted(seen)

    with matching.searching():
        assert ranges() == [(0, n_docs // 2), (n_docs // 2, n_docs)]
        with matching.searching():
            assert ranges() == [(0, n_docs)]
        assert ranges() == [(0, n_docs // 2), (n_docs // 2, n_docs)]
    seen_running = []
    monkeypatch.setattr(results, "make_snippets", lambda texts, marked: (seen_running.append(matching._SEARCHING),
                                                                         [""] * len(texts))[1])
    assert index.search("政务新媒体")["total"] > 0 and seen_running == [1]
    assert matching._SEARCHING == 0


def test_terms_matched_by_threads_at_once_equal_one_at_a_time(index, monkeypatch):
    """Terms matched by four threads at once, each split over ranges: every leaf equals the one matched by a
    single thread."""
    from concurrent.futures import ThreadPoolExecutor

    import indexer.engine.matching as matching

    monkeypatch.setattr(matching, "_SPLIT_CANDIDATES", 0)
    snap = index.snapshot()
    terms = HAND_PICKED * 4
    want = {t: matching.match(snap, t) for t in HAND_PICKED}
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda t: matching.match(snap, t), terms))
    for t, leaf in zip(terms, got):
        assert all(np.array_equal(a, b) for a, b in zip((leaf.docs, leaf.tf, leaf.in_heading),
                                                       (want[t].docs, want[t].tf, want[t].in_heading))), t


def test_one_character_leaf_equals_its_bigrams_added_up_with_numpy(index):
    """matching._char_leaf adds the occurrences of every bigram a character begins, and the per-slot entries of
    the common bigrams it begins, into a table of slots: the same slots, occurrences and heading hits as numpy's
    grouping of those keys (characters beginning common bigrams included)."""
    import indexer.engine.matching as matching
    from indexer.engine.analysis import COMMON_BIGRAMS, SLOT_SHIFT
    from indexer.engine.postings import term_keys, term_segments

    snap = index.snapshot()
    subs = list(snap.searcher.reader().leaf_readers())
    for char in "公信政开02。复费申":
        slot_ids, occurrences, offsets = [], [], []

        def add(keys, count):
            doc = (keys >> np.uint64(32)).astype(np.int64)
            slot = (keys >> np.uint64(SLOT_SHIFT)).astype(np.int64) & ((1 << (32 - SLOT_SHIFT)) - 1)
            r = snap.doc_report[doc]
            keep = (r >= 0) & (slot < snap.report_slot_count[np.maximum(r, 0)])
            slot_ids.append(snap.report_slot_base[r[keep]] + slot[keep])
            occurrences.append(count[keep])
            offsets.append((keys & np.uint64((1 << SLOT_SHIFT) - 1)).astype(np.int64)[keep])

        for bterm in snap.expand_prefix(subs, "exact2", char.encode("utf-8")):
            keys = term_keys(term_segments(subs, snap.term_infos(subs, "exact2", bterm)[1]), "exact2")
            add(keys, np.ones(len(keys), dtype=np.int64))
        for bigram in (g for g in COMMON_BIGRAMS if g[0] == char):
            keys = term_keys(term_segments(subs, snap.term_infos(subs, "exact2s", bigram.encode())[1]), "exact2s")
            add(keys[0::2], (keys[1::2] & np.uint64(0xFFFFFFFF)).astype(np.int64))
        ids, occ, off = (np.concatenate(x) for x in (slot_ids, occurrences, offsets))
        want = np.unique(ids)
        tf = np.zeros(len(snap.slot_report), dtype=np.int64)
        np.add.at(tf, ids, occ)
        first = np.full(len(snap.slot_report), 1 << 30, dtype=np.int64)
        np.minimum.at(first, ids, off)
        leaf = matching.match(snap, char)
        assert len(want) > 0, char
        assert np.array_equal(leaf.docs, want), char
        assert np.array_equal(leaf.tf, tf[want].astype(float)), char
        assert np.array_equal(leaf.in_heading, snap.slot_is_section[want] & (first[want] + 1 <= snap.slot_hlen[want]))


def test_hand_picked_phrases_are_found(index, corpus):
    for q in ("政务新媒体", "依申请公开", "信息处理费"):
        want, _ = brute_force(corpus, q)
        assert want, f"samples should contain {q}"
        assert index.search(q, limit=100)["total"] == len(want)


def test_unquoted_terms_are_all_required_at_report_level(index, corpus):
    a, _ = brute_force(corpus, "政务新媒体")
    b, _ = brute_force(corpus, "信息处理费")
    res = index.search("政务新媒体 信息处理费", limit=100)
    assert {r["id"] for r in res["results"]} == a & b
    res = index.search("政务新媒体 OR 信息处理费", limit=100)
    assert {r["id"] for r in res["results"]} == a | b
    res = index.search("信息处理费 -政务新媒体", limit=100)
    assert {r["id"] for r in res["results"]} == b - a


def _facet_brute_force(corpus, q: str, index=None) -> dict[str, dict[str, int]]:
    want_r, _ = brute_force(corpus, q)
    counts: dict[str, dict[str, int]] = {}
    for r in corpus:
        if r.id not in want_r:
            continue
        for name in ("province", "city", "county", "level", "body_type", "template"):
            v = getattr(r, name)
            if v:
                counts.setdefault(name, {}).setdefault(v, 0)
                counts[name][v] += 1
        if r.year:
            counts.setdefault("year", {}).setdefault(str(r.year), 0)
            counts["year"][str(r.year)] += 1
        if r.issuer_id:  # 发布机关: keyed by issuer_id
            counts.setdefault("issuer", {}).setdefault(r.issuer_id, 0)
            counts["issuer"][r.issuer_id] += 1
        for code in {w.code for w in r.warnings}:
            counts.setdefault("warning", {}).setdefault(code, 0)
            counts["warning"][code] += 1
        # 主题词 (issue 13): each report's first five keywords
        for k in (index.keywords(r.id)["keywords"][:5] if index is not None else []):
            counts.setdefault("keyword", {}).setdefault(k["word"], 0)
            counts["keyword"][k["word"]] += 1
    if "keyword" in counts:  # the facet lists the 30 commonest (keywords.WordTable.topic_counts)
        counts["keyword"] = dict(sorted(counts["keyword"].items(), key=lambda kv: (-kv[1], kv[0]))[:30])
    # section facet: reports whose sections of that kind contain the query
    nq = normalize(q)
    for r in corpus:
        kinds = {c for _, c, parts in section_texts(r) if any(nq in p for p in parts)}
        for c in kinds:
            counts.setdefault("section", {}).setdefault(c, 0)
            counts["section"][c] += 1
    return counts


@pytest.mark.parametrize("q", ["政务新媒体", "依申请公开", "信息处理费", "复议", "公开"])
def test_facet_counts_equal_brute_force(index, corpus, q):
    facets = index.facets(f'"{q}"')
    got = {name: {v["value"]: v["count"] for v in values} for name, values in facets.items() if values}
    assert got == _facet_brute_force(corpus, q, index)
    for name in ("province", "city", "county", "issuer", "level", "body_type", "template", "warning"):
        listed = [(-v["count"], v["value"]) for v in facets[name]]
        assert listed == sorted(listed), name  # most reports first, then by value


def test_facets_are_counted_under_the_other_filters(index, corpus):
    province = next(r.province for r in corpus if r.province)
    res = index.search("公开", filters={"province": [province]}, limit=100)
    assert res["total"] == sum(1 for r in corpus if r.province == province)
    # the province facet still shows every province (its own filter is not applied to it) …
    assert {v["value"] for v in res["facets"]["province"]} == {r.province for r in corpus if r.province}
    # … while the year facet only counts reports of the chosen province
    years = {}
    for r in corpus:
        if r.province == province and r.year:
            years[str(r.year)] = years.get(str(r.year), 0) + 1
    assert {v["value"]: v["count"] for v in res["facets"]["year"]} == years


def test_each_facet_is_counted_under_every_other_filter(index, corpus):
    """Shopper-style counting (facets.FacetTable, one compiled pass) with two facets ticked: each facet counts the
    reports of the query and of every filter but its own — a report failing two filters counts nowhere."""
    province = next(r.province for r in corpus if r.province)
    year = next(r.year for r in corpus if r.year and r.province != province)
    level = next(r.level for r in corpus if r.level)
    filters = {"province": [province], "year": [str(year)], "level": [level]}
    passes = {"province": lambda r: r.province == province, "year": lambda r: r.year == year,
              "level": lambda r: r.level == level}
    got = index.search("公开", filters=filters, limit=0)["facets"]
    for name in ("province", "city", "county", "issuer", "year", "level", "body_type", "template", "warning"):
        subset = [r for r in corpus if all(ok(r) for f, ok in passes.items() if f != name)]
        want = _facet_brute_force(subset, "公开", index).get(name, {})
        assert {v["value"]: v["count"] for v in got[name]} == want, name


def test_short_province_and_year_range_filters(index, corpus):
    short = next(r.province for r in corpus if r.province)[:2]
    res = index.search(f"province:{short}", limit=100)
    assert res["total"] == sum(1 for r in corpus if (r.province or "").startswith(short))
    res = index.search("year:2019-2020", limit=100)
    assert res["total"] == sum(1 for r in corpus if r.year and 2019 <= r.year <= 2020)
    res = index.search("", filters={"year": ["2019", "2024"]}, limit=100)
    assert res["total"] == sum(1 for r in corpus if r.year in (2019, 2024))


def test_section_filter_restricts_where_text_matches(index, corpus):
    res = index.search("公开 section:依申请公开", limit=100)
    want = {r.id for r in corpus if any(c == "requests" and any("公开" in p for p in parts)
                                        for _, c, parts in section_texts(r))}
    assert {r["id"] for r in res["results"]} == want
    assert all(h["canonical"] == "requests" for r in res["results"] for h in r["hits"])


def test_numeric_field_filter(index, corpus):
    key = next((k for r in corpus for k in r.fields), None)
    if key is None:
        pytest.skip("no table fields extracted from the samples")
    values = sorted(r.fields[key] for r in corpus if key in r.fields)
    mid = values[len(values) // 2]
    res = index.search(f"{key}:>={mid}", limit=100)
    assert res["total"] == sum(1 for r in corpus if key in r.fields and r.fields[key] >= mid)
    res = index.search(f"{key}:<{mid}", limit=100)
    assert res["total"] == sum(1 for r in corpus if key in r.fields and r.fields[key] < mid)


def test_browse_sorts_by_year_and_pages(index, corpus):
    res = index.search("", limit=5)
    assert res["total"] == len(corpus)
    years = [r["year"] or 0 for r in res["results"]]
    assert years == sorted(years, reverse=True)
    page2 = index.search("", limit=5, offset=5)
    assert not {r["id"] for r in res["results"]} & {r["id"] for r in page2["results"]}
    asc = index.search("公开", sort="year_asc", limit=100)
    ys = [r["year"] for r in asc["results"] if r["year"]]
    assert ys == sorted(ys)


@pytest.mark.parametrize("q", ["公开", "政府信息公开", "政务新媒体", "复议 OR 诉讼", "年度"])
def test_relevance_pages_equal_slices_of_the_full_ranking(index, q):
    """A page of a relevance ranking (selected by partial sort when it is a small part of the results) is the
    same slice of the full ranking, ties included, at every offset."""
    full = [(r["id"], r["score"]) for r in index.search(q, limit=1000)["results"]]
    assert len(full) >= 8
    for size in (1, 2, 3):
        for offset in range(len(full)):
            page = index.search(q, limit=size, offset=offset)["results"]
            assert [(r["id"], r["score"]) for r in page] == full[offset:offset + size], (size, offset)


def test_hits_carry_snippets_with_the_match_marked_and_nothing_else_as_html(index):
    # make_snippet itself: tests/engine/test_snippets.py
    res = index.search("政务新媒体", limit=3, snippets=10)
    for r in res["results"]:
        for h in r["hits"]:
            assert "<mark>" in h["snippet"]
            stripped = h["snippet"].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in stripped


@pytest.mark.parametrize("n", [0, 1, 3, 10])
def test_the_first_snippets_hits_of_a_result_carry_a_snippet(index, n):
    """``snippets``: the first n section hits of each result carry theirs (the same as with every snippet), the
    others are listed by anchor and heading alone."""
    full = index.search("公开", limit=20, snippets=10)["results"]
    cut = index.search("公开", limit=20, snippets=n)["results"]
    assert any(len(r["hits"]) > 3 for r in full)
    for a, b in zip(full, cut):
        assert [{k: h[k] for k in ("anchor", "heading", "canonical")} for h in a["hits"]] == [
            {k: h[k] for k in ("anchor", "heading", "canonical")} for h in b["hits"]]
        assert [h["snippet"] for h in b["hits"] if "snippet" in h] == [h["snippet"] for h in a["hits"][:n]]


def test_title_matches_count(index, corpus):
    r = next(r for r in corpus if r.title)
    res = index.search(f'"{normalize(r.title)}"', limit=100)
    assert r.id in {x["id"] for x in res["results"]}
    assert res["results"][0]["id"] == r.id  # a whole-title match ranks first


def test_update_replaces_and_delete_removes(tmp_path, corpus):
    ix = SearchIndex(tmp_path / "w")
    ix.update(corpus[:3])
    r = corpus[0]
    changed = Report.from_json({**r.to_json(), "title": "唯一标题甲乙丙"})
    ix.update([changed])
    assert ix.search("唯一标题甲乙丙")["total"] == 1
    assert len(ix.versions()) == 3
    assert ix.delete([r.id, "nope"]) == 1
    assert ix.search("唯一标题甲乙丙")["total"] == 0
    assert set(ix.versions()) == {x.id for x in corpus[1:3]}
    ix.close()


def _reference_postings(docs: list[list[str]]) -> dict[str, dict[bytes, list[tuple[int, list[int]]]]]:
    """What the exact view must hold, computed the plain way: {field: {term: [(docnum, positions)]}}."""
    from indexer.engine.analysis import COMMON_BIGRAMS, SLOT_END, SLOT_SHIFT

    want: dict[str, dict[bytes, list]] = {"exact2": {}, "exact2s": {}, "exact3": {}}
    for d, texts in enumerate(docs):
        grams: dict[bytes, list[int]] = {}
        slot_grams: dict[bytes, list[int]] = {}
        trigrams: dict[bytes, list[int]] = {}
        for slot, text in enumerate(texts):
            marked = text + SLOT_END  # every character begins a bigram (one-character queries read those)
            for i in range(len(text)):
                if marked[i:i + 2] not in COMMON_BIGRAMS:  # those: per-slot entries only
                    grams.setdefault(marked[i:i + 2].encode("utf-8"), []).append((slot << SLOT_SHIFT) + i)
            for i in range(len(text) - 2):
                if text[i:i + 2] in COMMON_BIGRAMS or text[i + 1:i + 3] in COMMON_BIGRAMS:
                    trigrams.setdefault(text[i:i + 3].encode("utf-8"), []).append((slot << SLOT_SHIFT) + i)
            for g in sorted({text[i:i + 2] for i in range(len(text) - 1)} & set(COMMON_BIGRAMS)):
                slot_grams.setdefault(g.encode("utf-8"), []).extend(
                    [(slot << SLOT_SHIFT) + text.index(g), sum(text.startswith(g, i) for i in range(len(text)))])
        for field, terms in (("exact2", grams), ("exact2s", slot_grams), ("exact3", trigrams)):
            for term, poslist in terms.items():
                want[field].setdefault(term, []).append((d, poslist))
    return want


@pytest.mark.parametrize("merge", [False, True, "tiered"])
def test_compact_postings_round_trip(tmp_path, merge):
    """The exact-view fields and analysis.CompactCodec write what the plain computation gives and read it back,
    block by block and one posting at a time (Whoosh's generic path), over terms spread across many small blocks
    and several segments (merge=True: Whoosh merges them, re-adding postings in its usual form; "tiered":
    merge.py merges them a posting list at a time)."""
    import numpy as np
    from whoosh import fields
    from whoosh import index as whoosh_index

    from indexer.engine.codec import CompactCodec
    from indexer.engine.analysis import ExactBigramField, ExactBigramSlotField, ExactTrigramField

    rng = random.Random(3)
    # 公开 and 信息 are common bigrams: the exact view holds the trigrams that begin or end with them
    docs = [["".join(rng.choice(["a", "b", "一", "𠀀", "公开", "信息"]) for _ in range(rng.randint(0, 30)))
             for _ in range(rng.randint(1, 4))] for _ in range(60)]
    want = _reference_postings(docs)
    assert want["exact3"], "the docs hold common bigrams"
    schema = fields.Schema(exact2=ExactBigramField(), exact2s=ExactBigramSlotField(),
                           exact3=ExactTrigramField())
    ix = whoosh_index.create_in(str(tmp_path), schema)
    for part in (docs[:25], docs[25:]):
        w = ix.writer(codec=CompactCodec(blocklimit=3))
        for texts in part:
            w.add_document(exact2=texts, exact2s=texts, exact3=texts)
        w.commit(merge=False)
    if merge == "tiered":
        from indexer.engine.merge import merge_tiers

        assert merge_tiers(ix, {"codec": CompactCodec(blocklimit=3)}, factor=2) == 1  # 25 and 35 documents: one tier
        ix = ix.refresh()
    elif merge:
        ix.writer(codec=CompactCodec(blocklimit=3)).commit(optimize=True)
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == (1 if merge else 2)
        for fieldname, terms in want.items():
            fmt = schema[fieldname].format
            assert {t for f, t in reader.all_terms() if f == fieldname} == set(terms)
            for term, postings in terms.items():
                m = reader.postings(fieldname, term)
                got = []
                while m.is_active():
                    got.append((m.id(), fmt.decode_positions(m.value())))
                    assert m.weight() == len(got[-1][1])
                    m.next()
                assert got == postings, (fieldname, term)
                assert reader.frequency(fieldname, term) == sum(len(p) for _, p in postings)
                got = []
                for sub, offset in reader.leaf_readers():
                    if (fieldname, term) not in sub:
                        continue
                    m = sub.postings(fieldname, term)
                    while m.is_active():
                        ids, counts, pos = (np.frombuffer(b, dtype=np.uint32) for b in m.compact_block())
                        at = np.r_[0, np.cumsum(counts)]
                        got += [(int(i) + offset, pos[at[k]:at[k + 1]].tolist()) for k, i in enumerate(ids)]
                        m._next_block()
                assert got == postings, (fieldname, term)


@pytest.mark.parametrize("q", ['"依申请公开" OR 复议', '公开 -"信息处理费"', '"政府信息" (收费 OR -申请人)',
                               'NOT 公开', '复议 section:requests', '公开', '"依申请公开"'])
def test_section_facet_equals_choosing_each_section(index, q):
    """The section facet (all kinds in one pass; one term's slots straight into report × kind cells) counts what
    filtering on that kind returns, for any query tree."""
    facet = {v["value"]: v["count"] for v in index.facets(q)["section"]}
    for kind in CANONICAL_SECTIONS:
        total = index.search(q, filters={"section": [kind]}, limit=0)["total"]
        assert facet.get(kind, 0) == total, kind


def test_warning_filter_and_facet_equal_the_reports_warnings(index, corpus):
    codes = {w.code for r in corpus for w in r.warnings}
    assert codes, "the samples carry warnings (failed table checks among them)"
    facet = {v["value"]: v["count"] for v in index.search("", limit=1)["facets"]["warning"]}
    assert facet == {c: sum(1 for r in corpus if c in {w.code for w in r.warnings}) for c in codes}
    for code in codes:
        res = index.search(f"warning:{code}", limit=100)
        assert {r["id"] for r in res["results"]} == {r.id for r in corpus if code in {w.code for w in r.warnings}}
    family = index.search("", filters={"warning": ["check"]}, limit=100)
    assert {r["id"] for r in family["results"]} == {r.id for r in corpus
                                                    if any(w.code.startswith("check.") for w in r.warnings)}


def test_sort_by_a_table_field(index, corpus):
    key = "apply.new.total"
    given = sorted((r for r in corpus if key in r.fields), key=lambda r: -r.fields[key])
    assert len(given) >= 3
    res = index.search("", sort=key, limit=100)
    ids = [r["id"] for r in res["results"]]
    assert [r.fields[key] for r in given] == [next(c for c in corpus if c.id == i).fields[key] for i in ids[:len(given)]]
    assert all(key not in next(c for c in corpus if c.id == i).fields for i in ids[len(given):])  # missing last
    asc = index.search("", sort=f"{key}:asc", limit=100)
    values = [next(c for c in corpus if c.id == r["id"]).fields.get(key) for r in asc["results"]]
    assert values[:len(given)] == sorted(r.fields[key] for r in given)
    with pytest.raises(QueryError):
        index.search("", sort="no.such.field")


_NEW_SPECIALISATIONS = """
import sys
from pathlib import Path
from numba.core.registry import CPUDispatcher
import indexer.engine.blockfile, indexer.engine.evaluate, indexer.engine.facets, indexer.engine.matching
import indexer.engine.packing, indexer.engine.ranking, indexer.engine.snippets
from indexer.engine.index import SearchIndex
from indexer.engine.kernels import load_kernels

modules = [indexer.engine.blockfile, indexer.engine.evaluate, indexer.engine.facets, indexer.engine.matching,
           indexer.engine.packing, indexer.engine.ranking, indexer.engine.snippets]
def signatures():
    return {(m.__name__, k): list(map(str, v.signatures)) for m in modules for k, v in vars(m).items()
            if isinstance(v, CPUDispatcher)}
load_kernels()
before = signatures()
ix = SearchIndex(Path(sys.argv[1]), readonly=True)
for q, filters in [("公开 工作", None), ("复议", {"province": ["甘肃"]}), ('"依申请公开"', {"province": ["甘肃"]}), ('"依申请公开" OR 收费', None), ("政务新媒体", None),
                   ("", None), ("公", None), ("NOT 公开", None), ("没有这样的词语", None), ("公开 没有这样的词语", None),
                   ("复议", {"section": ["requests"], "year": ["2019-2024"]}), ("信息处理费", {"keyword": ["公开"]})]:
    ix.search(q, filters=filters, facet_size=100)
    ix.search(q, filters=filters, sort="year")
for q in ("政务新媒体建设", "公开 工作"):
    ix.search(q, mode="words", filters={"province": ["甘肃"]})
added = {k: [s for s in v if s not in before.get(k, [])] for k, v in signatures().items()}
print({k: v for k, v in added.items() if v})
"""


def test_searches_compile_nothing_after_load_kernels(index):
    """What `serve` loads at start (kernels.load_kernels) is every compiled loop with the argument types searches
    of every kind give it, in a fresh process: a loop called with other types (an int64 array where a bool one was
    loaded, an empty float array that numpy made int64) is compiled again on some visitor's search, for seconds
    the first time after an install."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _NEW_SPECIALISATIONS, str(index.path)], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "{}"


def test_load_kernels_runs_each_compiled_loop_on_its_tiny_block():
    """What `serve` and each shard actor run at start (a wrong index into a table there would crash the process:
    the compiled loops do not check bounds), and what a parallel commit loads before its workers fork."""
    from indexer.engine.kernels import load_build_kernels, load_kernels

    load_kernels()
    load_build_kernels()


def test_followed_candidates_agree_with_isin():
    """Phrase checking keeps exactly the candidate starts s with s + shift among a gram's keys — whether the keys
    come decoded from a packed block (packing.block_followed, which skips postings without candidates) or
    already made (keys_followed) — for candidates fewer, as many and more than the keys, before, among and after
    them, at shifts of 0 and 3, in documents with and without the gram."""
    import numpy as np

    from indexer.engine.packing import block_followed, keys_followed, pack_ids, pack_positions, pack_u32

    rng = np.random.default_rng(5)
    for n, m in [(0, 5), (5, 0), (1, 1), (1000, 10), (1000, 900), (30, 1000), (5000, 3)]:
        # keys: docnum << 32 | position in docs 0..19, positions ascending within a doc
        docs = np.sort(rng.integers(0, 20, n)).astype(np.uint64)
        keys = np.unique((docs << np.uint64(32)) | rng.integers(0, 1 << 14, n).astype(np.uint64))
        near = rng.choice(keys, min(m // 2, len(keys)), replace=False) if len(keys) else np.zeros(0, np.uint64)
        far = (rng.integers(0, 22, m - m // 2).astype(np.uint64) << np.uint64(32)) | rng.integers(
            0, 1 << 14, m - m // 2).astype(np.uint64)
        wanted = np.unique(np.concatenate([near, far]))
        ids, counts = np.unique((keys >> np.uint64(32)).astype(np.uint32), return_counts=True)
        positions = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        block = pack_ids(ids), pack_u32(counts.astype(np.uint32) - 1), pack_positions(counts, positions)
        for shift in (0, 3):
            expected = (wanted[np.isin(wanted, keys)] - np.uint64(shift)).tolist()
            starts = wanted[wanted >= shift] - np.uint64(shift)
            got = starts.copy()
            _i, o = keys_followed(keys, got, shift, 0, 0)
            assert got[:o].tolist() == expected, (n, m, shift)
            got = starts.copy()
            _i, o = block_followed(*block, 0, got, shift, 0, 0) if len(ids) else (0, 0)
            assert got[:o].tolist() == expected, (n, m, shift)


def test_covering_grams_cover_the_query_with_the_fewest_positions():
    """The grams a phrase is checked with cover every character, and no other covering set of the available
    bigrams and trigrams has fewer positions in the index (brute force over all sets); rarest first, so the
    candidates are the fewest."""
    import itertools

    from indexer.engine.matching import covering_grams as _covering_grams

    def covers(chosen, n):
        return {c for j, length, _ in chosen for c in range(j, j + length)} == set(range(n))

    rng = random.Random(6)
    for _ in range(1500):
        n = rng.randint(2, 8)
        grams = [(j, 2, rng.randint(0, 20)) for j in range(n - 1)]
        grams += [(j, 3, rng.randint(0, 20)) for j in range(n - 2) if rng.random() < 0.4]
        got = _covering_grams(n, grams)
        assert covers(got, n) and len(set(got)) == len(got) and set(got) <= set(grams), (grams, got)
        best = min(sum(g[2] for g in s) for r in range(1, len(grams) + 1) for s in itertools.combinations(grams, r)
                   if covers(s, n))
        assert sum(g[2] for g in got) == best, (grams, got)
        assert [g[2] for g in got] == sorted(g[2] for g in got)


def test_traditional_and_simplified_find_each_other(tmp_path):
    """Issue 14.5: a query in either script finds text in either (OpenCC t2s in the matching form), snippets mark
    the text as printed."""
    from indexer.engine.index import SearchIndex
    from indexer.model import Report, Section
    from indexer.normalize import normalize

    ix = SearchIndex(tmp_path / "ix")
    ix.update([
        Report(id="trad", title="澳門年報", year=2020,
               sections=[Section("s", "", "", 1, "overview", "本年度加強政務新媒體建設，發佈資訊。")]),
        Report(id="simp", title="甘肃年报", year=2020,
               sections=[Section("s", "", "", 1, "overview", "本年度加强政务新媒体建设。")]),
    ])
    for q in ("政務新媒體", "政务新媒体", "政務新媒体"):
        res = ix.search(q)
        assert sorted(r["id"] for r in res["results"]) == ["simp", "trad"], q
        snippets = {r["id"]: r["hits"][0]["snippet"] for r in res["results"]}
        assert "<mark>政務新媒體</mark>" in snippets["trad"] and "<mark>政务新媒体</mark>" in snippets["simp"]
    assert ix.search("发布")["total"] == 1  # 發佈 → 发布
    ix.close()
    assert normalize("政務新媒體") == "政务新媒体" and normalize(normalize("乾隆後")) == normalize("乾隆後")
    assert normalize("乾安县") == "乾安县"  # a simplified character in its own right (GB 2312) is never folded


def test_requests_filter_finds_the_2019_format(corpus, index):
    """依申请公开 in the 2019+ format is （二）依申请公开情况 under 一、总体情况: section:requests must find those reports."""
    res = index.search('"依申请公开" section:requests', limit=100)
    years = {r["id"]: r["year"] for r in res["results"]}
    want = {r.id for r in corpus if r.year and r.year >= 2019 and any(
        s.number.strip("（()）") == "二" and "依申请公开" in s.heading and s.level == 2 for s in r.sections)}
    assert want and want <= set(years), sorted(want - set(years))


# ---------------------------------------------------------------------------------------------------------------
# The issuer facet and filter (issue 11.2): one body's reports across years and title variants


@pytest.fixture(scope="module")
def library(samples_index):
    from indexer.library import Library

    with Library(samples_index, readonly=True) as lib:
        yield lib


def _by_issuer(reports) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in reports:
        if r.issuer_id:
            out.setdefault(r.issuer_id, []).append(r)
    return out


def test_issuer_facet_counts_equal_the_reports_grouped_by_issuer_id(library):
    bodies = _by_issuer(library.reports())
    for q, filters in (("", None), ("公开", None), ("", {"year": ["2019-2021"]})):
        facet = library.facets(q, filters=filters)["issuer"]
        wanted = {rid for rid in library.matching_ids(q, filters=filters)}
        expect = {b: sum(r.id in wanted for r in rs) for b, rs in bodies.items()}
        assert {v["value"]: v["count"] for v in facet} == {b: n for b, n in expect.items() if n}
        for v in facet:  # shown by the body's name: the most common of the counted reports'
            names = [r.issuer for r in bodies[v["value"]] if r.id in wanted]
            assert v["label"] == max(set(names), key=names.count)


def test_one_body_of_several_years_is_one_facet_value(library):
    bodies = {b: rs for b, rs in _by_issuer(library.reports()).items() if len({r.year for r in rs}) >= 2}
    assert "620600/政府" in bodies and len(bodies) >= 3  # 武威市 2019/2020, 洪泽区 2023/2024, 平潭综合实验区
    facet = {v["value"]: v for v in library.facets("")["issuer"]}
    for body, rs in bodies.items():
        assert facet[body]["count"] == len(rs)
    # the 武威市 titles differ in more than the year (…2019年政府… / …2020年度政府…), their body does not
    assert {r.title for r in bodies["620600/政府"]} == {"武威市2019年政府信息公开工作年度报告",
                                                      "武威市2020年度政府信息公开工作年度报告"}
    assert facet["620600/政府"]["label"] == "武威市人民政府"


@pytest.mark.parametrize("how", ["id", "name", "option"])
def test_the_issuer_filter_selects_exactly_the_bodys_reports(library, how):
    for body, rs in _by_issuer(library.reports()).items():
        value = body if how != "name" else rs[0].issuer
        if how == "option":
            res = library.search("", filters={"issuer": [value]}, limit=100)
        else:
            res = library.search(f'issuer:"{value}"', limit=100)
        assert {r["id"] for r in res["results"]} == {r.id for r in rs}, value
        assert res["total"] == len(rs)


def test_the_issuer_filter_combines_with_text_and_negation(library):
    rs = _by_issuer(library.reports())["620600/政府"]
    assert library.search("issuer:620600/政府 year:2020")["total"] == sum(r.year == 2020 for r in rs)
    assert library.search("-issuer:武威市人民政府")["total"] == library.count() - len(rs)
    both = library.search("", filters={"issuer": ["620600/政府", "320813/政府"]})
    assert both["total"] == len(rs) + len(_by_issuer(library.reports())["320813/政府"])


@pytest.mark.parametrize("value, near", [("武威市政府", "武威市人民政府"), ("620600/部门", "620600/政府"),
                                         ("火星", "issuer_id")])
def test_an_issuer_the_index_does_not_hold_is_an_error_not_an_empty_result(library, value, near):
    for run in (lambda: library.search(f"issuer:{value}"), lambda: library.facets("", filters={"issuer": [value]}),
                lambda: library.matching_ids(f"公开 OR -issuer:{value}")):
        with pytest.raises(QueryError) as e:
            run()
        assert "没有这个发布机关" in str(e.value) and near in str(e.value) and "\n" not in str(e.value)


def test_the_issuer_label_is_the_most_common_name_then_the_latest_years():
    from indexer.engine.facets import issuer_label, merge_facets

    assert issuer_label([["甲市政府", 1, 2019], ["甲市人民政府", 2, 2018]]) == "甲市人民政府"
    assert issuer_label([["甲市政府", 1, 2019], ["甲市人民政府", 1, 2018]]) == "甲市政府"
    assert issuer_label([]) == ""
    # shards: the label of the summed names, not of either shard's own
    a = {"issuer": [{"value": "1/政府", "label": "甲", "count": 2, "names": [["甲", 2, 2018]]}]}
    b = {"issuer": [{"value": "1/政府", "label": "乙", "count": 3, "names": [["乙", 1, 2020], ["甲", 1, 2017]]}]}
    assert merge_facets([a, b])["issuer"] == [{"value": "1/政府", "label": "甲", "count": 5}]


@pytest.mark.parametrize("q", ["公", "信", "政", "开", "0", "2", "公开", "信息", "政府", "00", "息公开", "政务公开",
                               "府信息公", "申请"])
def test_occurrences_and_heading_hits_per_section_equal_plain_counting(index, corpus, q):
    """A common bigram has no positions in the exact view (its per-slot entries stand in), and a character that
    begins one adds those entries to its other bigrams' positions: every slot's occurrence count and heading hit
    must still be what counting in the slot's text gives."""
    from indexer.engine.index import section_match_text

    snap = index.snapshot()
    by_id = {r.id: r for r in corpus}
    want = {}
    for k, rid in enumerate(snap.report_ids):
        r = by_id[rid]
        texts = [normalize(r.title or "")] + [section_match_text(s.number, s.heading, s.text) for s in r.sections]
        for slot, text in enumerate(texts):
            n = sum(text.startswith(q, i) for i in range(len(text)))
            if n:
                hlen = len(text.split("\n", 1)[0]) if slot else 0
                want[int(snap.report_slot_base[k]) + slot] = (n, text.find(q) + len(q) <= hlen if slot else False)
    leaf = snap.leaf(q)
    got = {int(d): (int(t), bool(h)) for d, t, h in zip(leaf.docs, leaf.tf, leaf.in_heading)}
    assert want and got == want


def test_facet_size_lists_each_facets_first_values_and_counts_the_rest(index):
    full = index.search("公开", limit=5)
    cut = index.search("公开", limit=5, facet_size=2)
    assert cut["results"] == full["results"] and cut["total"] == full["total"]
    more = cut.get("facets_more", {})
    assert more  # the samples have more than two values in several facets
    for name, items in full["facets"].items():
        if name == "keyword":  # 主题词: its own length
            assert cut["facets"][name] == items
            continue
        assert cut["facets"][name] == items[:2], name
        assert more.get(name, 0) == max(0, len(items) - 2), name
    assert "facets_more" not in full
    # a facet the query filters on is listed whole: its ticked values keep their counts
    province = full["facets"]["province"][-1]["value"]
    ticked = index.search("公开", filters={"province": [province]}, limit=5, facet_size=1)
    whole = index.search("公开", filters={"province": [province]}, limit=5)
    assert ticked["facets"]["province"] == whole["facets"]["province"] and len(whole["facets"]["province"]) > 1
    assert "province" not in ticked.get("facets_more", {})


def test_walked_posting_lists_read_as_whoosh_reads_them(index, corpus, monkeypatch):
    """Every gram of the hand-picked phrases and a hundred random ones, over this index's segments of three-posting
    blocks (packed and raw): blockfile's compiled walk gives the keys and the followed candidates that reading each
    block through Whoosh's matcher gives, whole and over ranges of documents."""
    import numpy as np

    from indexer.engine import postings
    from indexer.engine.matching import _GRAM_FIELDS

    snap = index.snapshot()
    subs = list(snap.searcher.reader().leaf_readers())
    n_docs = sum(sub.doc_count_all() for sub, _ in subs)
    grams = {q[j:j + n] for q in HAND_PICKED + _random_queries(corpus, 100) for n in (2, 3)
             for j in range(len(normalize(q)) - n + 1)}
    walked = postings._posting_list

    def both(fn):
        monkeypatch.setattr(postings, "_posting_list", walked)
        a = fn()
        monkeypatch.setattr(postings, "_posting_list", lambda sub, info: (None, 0, 0))
        b = fn()
        return a, b

    read = 0
    for gram in sorted(grams):
        gram = normalize(gram)
        field = _GRAM_FIELDS[len(gram)]
        infos = snap.term_infos(subs, field, gram.encode("utf-8"))[1]
        segments = postings.term_segments(subs, infos)
        if not any(infos):
            continue
        read += 1
        for docs in (None, (n_docs // 3, 2 * n_docs // 3)):
            a, b = both(lambda: postings.term_keys(segments, field, first=1, docs=docs))
            assert a.tolist() == b.tolist(), (gram, docs)
        keys = postings.term_keys(segments, field)
        starts = np.unique(np.concatenate([keys[::2], keys[1::3] + np.uint64(1)]))
        a, b = both(lambda: postings.followed(segments, field, starts.copy(), 0).tolist())
        assert a == b and len(a) == len(np.intersect1d(starts, keys)), gram
    assert read > 100


def test_term_entries_read_from_the_mapped_hash_table_are_whooshs(index):
    """postings.term_info probes Whoosh's term index (its md5 hash tables) in the mapped file itself: for every term
    of every field in every segment, and for terms and a field the index does not have, it finds what Whoosh's
    term_info finds (None where Whoosh raises TermNotFound)."""
    from whoosh.reading import TermNotFound

    from indexer.engine import postings

    snap = index.snapshot()
    looked = 0
    for sub, _offset in snap.searcher.reader().leaf_readers():
        terms = [(field, t) for field in ("exact2", "exact2s", "exact3", "words") for t in sub.lexicon(field)]
        for field, t in terms + [("exact2", "没有".encode("utf-8")), ("exact3", b"zzz"), ("no_such_field", b"ab")]:
            try:
                want = vars(sub._terms.term_info(field, t))
            except TermNotFound:
                want = None
            got = postings.term_info(sub._terms, field, t)
            assert (got if got is None else vars(got)) == want, (field, t)
            looked += 1
    assert looked > 1000


def test_a_record_the_walk_does_not_read_is_read_by_whooshs_matcher():
    """A block record in a form blockfile does not read (here: data pickled with protocol 2) stops the walk there
    with FALLBACK and the record's position, the keys of the records before it written."""
    import pickle
    import struct

    import numpy as np

    from indexer.engine import blockfile
    from indexer.engine.packing import pack_ids, pack_positions, pack_u32

    def record(doc: int, positions: list[int], protocol: int, last: bool = False) -> bytes:
        counts = np.array([len(positions)], dtype=np.uint32)
        data = pickle.dumps((b"c2", pack_ids(np.array([doc], dtype=np.uint32)), None, pack_u32(counts - 1),
                             pack_positions(counts, np.array(positions, dtype=np.uint32))), protocol)
        header = pickle.dumps((1, doc, float(len(positions)), 0, 1, 1), 2)
        return struct.pack("!i", -len(header + data) if last else len(header + data)) + header + data

    first, second = record(0, [1, 5], pickle.HIGHEST_PROTOCOL), record(1, [2], 2)
    raw = b"W3Bl" + first + second + record(2, [7], pickle.HIGHEST_PROTOCOL, last=True)
    buf = np.frombuffer(raw, dtype=np.uint8)
    out, state = np.zeros(8, dtype=np.uint64), np.zeros(2, dtype=np.int64)
    o, status = blockfile.walk_keys(buf, 4, len(buf), 0, out, 0, 0, 0, 1 << 32, state)
    assert (status, o, int(state[0])) == (blockfile.FALLBACK, 2, 4 + len(first))
    assert out[:o].tolist() == [1, 5]
    starts = np.array([1, 5, (1 << 32) | 2], dtype=np.uint64)
    i, o, status = blockfile.walk_followed(buf, 4, len(buf), 0, starts, np.uint64(0), 0, 0, state)
    assert (status, i, o, int(state[0])) == (blockfile.FALLBACK, 2, 2, 4 + len(first))
    # a list cut short (a damaged file): nothing past its end is read, Whoosh's matcher is left to report it
    cut = np.frombuffer(raw[:4 + len(first) + 10], dtype=np.uint8)
    o, status = blockfile.walk_keys(cut, 4, len(cut), 0, out, 0, 0, 0, 1 << 32, state)
    assert (status, o, int(state[0])) == (blockfile.FALLBACK, 2, 4 + len(first))


def test_a_damaged_packed_array_is_an_error_not_a_read_past_its_bytes():
    """The compiled unpacking does not check bounds: a packed array whose head claims more values than its bytes
    hold, or an exception index past its values, raises instead of reading (or writing) past them."""
    import numpy as np

    from indexer.engine.packing import pack_u32, unpack_u32

    good = pack_u32(np.array([1, 2, 300000, 4], dtype=np.uint32))
    assert unpack_u32(good)[0].tolist() == [1, 2, 300000, 4]
    for damaged in (good[:-3], good[:1] + (10 ** 6).to_bytes(4, "little") + good[5:],
                    good[:-8] + (9).to_bytes(4, "little") + good[-4:]):
        with pytest.raises(ValueError):
            unpack_u32(damaged)



def test_the_top_reports_of_a_page_are_the_sorted_order_s_first():
    """ranking._top_reports (a page of relevance order at most _TOP_K deep, in one pass) gives what sorting every
    matching report by score, then year, newest first, then report gives — ties in score and year included."""
    import numpy as np

    from indexer.engine.ranking import _TOP_K, _top_reports

    rng = np.random.default_rng(3)
    for t in range(3000):
        score = rng.choice([0.0, -0.0, 1.0, 2.5, 7.25], size=300) if t % 2 else rng.random(300)
        year = rng.integers(2019, 2023, size=300)
        reports = np.sort(rng.choice(300, size=int(rng.integers(0, 200)), replace=False)).astype(np.int64)
        offset, limit = int(rng.integers(0, 40)), int(rng.integers(0, 40))
        if offset + limit > _TOP_K:
            continue
        want = reports[np.lexsort([-year[reports], -score[reports]])][offset:offset + limit]
        assert _top_reports(reports, score, year, offset + limit)[offset:].tolist() == want.tolist()
