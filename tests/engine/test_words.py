"""Words mode finds exactly the slots holding every word of a term, as jieba cuts the slot's text (a brute-force
check over the sample reports), ranks words standing together first, and leaves exact mode as it was."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from indexer.engine.index import SearchIndex, section_match_text
from indexer.engine.query import QueryError
from indexer.engine.segmenter import cut, dictionary_entries, query_words
from indexer.engine.words import WordField, word_code
from indexer.normalize import normalize
from test_search import brute_force, corpus, index  # noqa: F401 (fixtures: the samples in a multi-segment index)


def slot_words(r) -> list[tuple[str | None, set[str]]]:
    """(section anchor or None for the title, the words jieba cuts its exact-view text into)."""
    out = [(None, set(cut(normalize(r.title or ""))))]
    out += [(s.anchor, set(cut(section_match_text(s.number, s.heading, s.text)))) for s in r.sections]
    return out


def words_brute_force(reports, q: str) -> tuple[set[str], set[tuple[str, str]]]:
    want = set(query_words(q))
    rep, sec = set(), set()
    for r in reports:
        for anchor, words in slot_words(r):
            if want <= words:
                rep.add(r.id)
                if anchor is not None:
                    sec.add((r.id, anchor))
    return rep, sec


def _scattered_queries(corpus, k: int, seed: int = 13) -> list[str]:
    """Terms made of 2–3 words of one section that are not one string there: words apart, joined."""
    rng = random.Random(seed)
    sections = [(r, s) for r in corpus for s in r.sections if len(s.text) > 200]
    out: list[str] = []
    while len(out) < k:
        r, s = rng.choice(sections)
        text = section_match_text(s.number, s.heading, s.text)
        words = [w for w in cut(text) if len(w) >= 2]
        picked = sorted(rng.sample(range(len(words)), rng.randint(2, 3)))
        q = "".join(words[i] for i in picked)
        if q not in text and set(query_words(q)) <= set(cut(text)) and not any(c in q for c in '"“「『'):
            out.append(q)
    return out


def test_words_mode_equals_brute_force_on_jiebas_cut(index, corpus, monkeypatch):
    import indexer.engine.results as results

    monkeypatch.setattr(results, "MAX_HITS_PER_REPORT", 10_000)
    queries = _scattered_queries(corpus, 120) + ["政务新媒体建设情况", "依申请公开答复期限", "信息公开 工作"]
    wrong = []
    found = 0
    for q in queries:
        want_r, want_s = words_brute_force(corpus, q)
        res = index.search(f'"{q}"', limit=len(corpus) + 1, mode="words")
        got_r = {r["id"] for r in res["results"]}
        got_s = {(r["id"], h["anchor"]) for r in res["results"] for h in r["hits"]}
        found += bool(want_s)
        if got_r != want_r or got_s != want_s or res["total"] != len(want_r):
            wrong.append((q, len(want_r), len(got_r), len(want_s), len(got_s)))
    assert not wrong, f"{len(wrong)} of {len(queries)} queries differ from brute force: {wrong[:10]}"
    assert found >= 120  # every generated term is found somewhere (its own section at least)


def test_done_when_phrase_finds_reports_in_words_mode_only(index, corpus):
    q = "政务新媒体建设情况"
    assert index.search(q)["total"] == len(brute_force(corpus, q)[0]) == 0
    res = index.search(q, mode="words", limit=100, snippets=10)
    assert res["total"] == len(words_brute_force(corpus, q)[0]) > 0
    assert res["words"] == ["政务新媒体", "建设", "情况"]
    # every matched word is marked in the snippets (all three stand in the hit sections)
    marked = " ".join(h["snippet"] for r in res["results"] for h in r["hits"])
    for w in res["words"]:
        assert f"<mark>{w}</mark>" in marked
    # exact mode's results for 政务新媒体 are what they were: the brute-force substring scan
    assert {r["id"] for r in index.search("政务新媒体", limit=100)["results"]} == brute_force(corpus, "政务新媒体")[0]


def test_government_terms_stay_whole_words():
    assert query_words("政务新媒体建设情况") == ("政务新媒体", "建设", "情况")
    assert query_words("依申请公开答复期限") == ("依申请公开", "答复期限")
    assert "放管服" in query_words("深化放管服改革")
    assert "一网通办" in query_words("推进一网通办")


def test_words_standing_together_in_query_order_rank_first(tmp_path, corpus):
    from indexer.model import Report

    base = corpus[0].to_json()
    texts = {"together": "本年度加强政务新媒体建设，取得成效。另有其他工作若干项目说明。",
             "apart": "本年度建设了平台，取得成效。另有政务新媒体工作若干项目说明。"}
    reports = []
    for key, text in texts.items():
        j = {**base, "id": f"w-{key}", "title": f"测试{key}",
             "sections": [{**base["sections"][0], "heading": "概述", "number": "一、", "text": text}]}
        reports.append(Report.from_json(j))
    ix = SearchIndex(tmp_path / "w")
    ix.update(reports)
    res = ix.search("政务新媒体建设", mode="words")
    assert [r["id"] for r in res["results"]] == ["w-together", "w-apart"]
    assert res["results"][0]["score"] > res["results"][1]["score"]
    ix.close()


def test_facets_filters_sorts_and_ids_work_in_words_mode(index, corpus):
    q = "政务新媒体建设情况"
    res = index.search(q, mode="words", limit=100, snippets=10)
    province = res["facets"]["province"][0]["value"]
    filtered = index.search(q, mode="words", filters={"province": [province]}, limit=100)
    assert filtered["total"] == res["facets"]["province"][0]["count"]
    assert sum(f["count"] for f in index.facets(q, mode="words")["year"]) == res["total"]
    ids = index.ids(q, mode="words")
    assert set(ids) == {r["id"] for r in res["results"]}
    by_year = [r["year"] for r in index.search(q, mode="words", sort="year_asc", limit=100)["results"]]
    assert by_year == sorted(by_year)
    with pytest.raises(QueryError):
        index.search(q, mode="fuzzy")


def test_word_field_holds_each_words_slots_with_its_occurrences_and_heading_hit():
    from indexer.engine.words import WordSlots

    text = "一、概述\n推进政务新媒体建设，政务新媒体概述"
    codes, entries = WordField.arrays(WordSlots(["标题", text], [0, len("一、概述")]))
    got = sorted((int(c), int(e)) for c, e in zip(codes, entries))
    section = {"一": (1, 1), "概述": (2, 1), "推进": (1, 0), "政务新媒体": (2, 0), "建设": (1, 0)}
    want = [(word_code(w), (1 << 22) | n << 1 | h) for w, (n, h) in section.items()]
    want.append((word_code("标题"), 1 << 1))  # the title: no heading
    assert got == sorted(want)
    assert np.all(np.diff(entries >> np.uint32(22)) >= 0)  # slot after slot (the segment writer sorts by code)
    assert WordField.arrays(["标题", text])[1].tolist() != entries.tolist()  # no heading lengths: no heading hits


def test_user_dictionary_adds_words(tmp_path):
    d = tmp_path / "mine.txt"
    d.write_text("# 我的词\n政务服务好差评 800 n\n坏词 x\n", encoding="utf-8")
    assert dictionary_entries(d) == [("政务服务好差评", 800, "n"), ("坏词", None, None)]


def test_user_dictionary_from_the_environment_keeps_its_terms_whole(tmp_path):
    import os
    import subprocess
    import sys

    d = tmp_path / "mine.txt"
    d.write_text("好差评制度 2000 n\n", encoding="utf-8")
    code = ("from indexer.engine.segmenter import query_words, DICTIONARY_DIGEST as D;"
            "print('/'.join(query_words('推行好差评制度')), D)")
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={k: v for k, v in os.environ.items() if k != "NIANBAO_USERDICT"}).stdout.split()
    mine = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "NIANBAO_USERDICT": str(d)}).stdout.split()
    assert "好差评制度" not in plain[0].split("/")
    assert "好差评制度" in mine[0].split("/")
    assert plain[1] != mine[1]  # another dictionary: another index layout (schema.SCHEMA_VERSION)


def test_cutting_run_by_run_gives_jiebas_own_tokens(corpus):
    """segmenter.tokens remembers the cut of each run of Han characters, letters and digits: the words and
    offsets must be exactly those of jieba's tokenize() over the whole text."""
    from indexer.engine.segmenter import is_word, tokenizer, tokens

    texts = [normalize(r.title or "") for r in corpus]
    texts += [section_match_text(s.number, s.heading, s.text) for r in corpus for s in r.sections]
    texts += ["ISO 9001认证、à la carte：12345热线", "互联网+政务服务 #1 50%"]
    for t in texts:
        want = [(w, s) for w, s, _e in tokenizer().tokenize(t, HMM=True) if is_word(w)]
        assert list(tokens(t)) == want, t[:60]


def test_words_counted_and_cut_within_a_heading_are_those_of_the_tokens(corpus):
    """segmenter.word_counts (the build's count of a slot's words, without offsets) equals counting tokens(),
    words in the order they first occur; words_within(text, end) holds the words of the tokens that end by
    ``end``, also for an ``end`` inside a run; the run class is jieba's own."""
    import jieba

    from indexer.engine.segmenter import RUN_CLASS, tokens, word_counts, words_within

    assert jieba.re_han_default.pattern == f"({RUN_CLASS}+)"
    texts = [section_match_text(s.number, s.heading, s.text) for r in corpus for s in r.sections]
    texts += ["ISO 9001认证、à la carte：12345热线", "互联网+政务服务 #1 50%", "㐀字与鿖字，ﬀ及Ǆ", ""]
    for t in texts:
        toks = tokens(t)
        counts = word_counts(t)
        assert list(counts.items()) == list(Counter(w for w, _ in toks).items()), t[:60]
        for end in {0, 1, 3, 7, t.find("\n"), len(t) // 2, len(t)}:
            assert words_within(t, end) == {w for w, s in toks if s + len(w) <= end}, (t[:60], end)


def test_keywords_come_from_the_collection_and_similar_reports_find_other_years(index, corpus):
    """Every sample issuer with several years: each of its reports has the issuer's other years among its most
    similar (within the first len(others) + 2); keywords are weighted by the collection's IDF (a word every
    report has is never one)."""
    by_issuer: dict[str, list] = {}
    for r in corpus:
        by_issuer.setdefault(r.issuer, []).append(r.id)
    several = {k: v for k, v in by_issuer.items() if k and len(v) > 1}
    assert len(several) >= 3
    for issuer, ids in several.items():
        for rid in ids:
            ranked = [s["id"] for s in index.similar(rid, len(corpus))]
            others = set(ids) - {rid}
            assert rid not in ranked
            ranks = sorted(ranked.index(o) + 1 for o in others)
            assert ranks[-1] <= len(others) + 2, (issuer, rid, ranks)
    table = index.snapshot().word_table()
    everywhere = {w for w, v in table.idf.items() if v == 0}
    for r in corpus:
        kws = index.keywords(r.id)
        assert kws["keywords"] and not {k["word"] for k in kws["keywords"]} & everywhere
        assert len(kws["sections"]) == len(r.sections)
    assert index.keywords("no-such-report") is None and index.similar("no-such-report") is None


def test_a_server_loads_the_dictionary_on_a_thread_of_its_own():
    """`serve` and each shard actor start loading jieba's dictionary at start (segmenter.load_in_background), so
    the first words-mode search does not wait for it; a search meanwhile shares the one load."""
    import subprocess
    import sys

    code = ("from indexer.engine import segmenter as s; t = s.load_in_background(); "
            "assert t.is_alive() and s._tokenizer is None, 'loaded before the thread ran'; "
            "words = s.query_words('政务新媒体工作'); t.join(); tok = s._tokenizer; "
            "assert tok is not None and s.tokenizer() is tok and words == ('政务新媒体', '工作'), words; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
