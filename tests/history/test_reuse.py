"""Copied text (reuse.previous, reuse.others) on a synthetic collection where the truth is known: which reports copy
which fraction of which other report, added in random order and batches (the figures are kept up to date
incrementally) — and on the bundled samples, where standard wording alone must never look copied."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from indexer.history.reuse import is_standard, own_sentences
from indexer.library import Library
from indexer.model import Report, Section

ROOT = Path(__file__).resolve().parents[2]
CHARS = "政府信息公开工作年度报告主动依申请办理答复平台建设监督保障制度规范管理服务群众企业网站栏目发布解读回应"
STANDARD = ["本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
            "本报告由本机关办公室根据《中华人民共和国政府信息公开条例》要求编制。",
            "如对本报告有疑问，请与本机关政务公开办公室联系。"]


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(14, 40))) + "。"


def _collection(seed: int = 7, bodies: int = 120, provinces: int = 31):
    """Two years of reports per body; a third of the 2021 reports copy a fraction of another body's 2020 report
    and a fraction of their own 2020 report.  Returns (reports, truth) with truth[id] = (previous, others,
    source id)."""
    rng = random.Random(seed)
    reports: dict[str, Report] = {}
    own: dict[str, list[str]] = {}
    truth: dict[str, tuple[float, float, str | None]] = {}

    def report(b: int, year: int, sentences: list[str]) -> Report:
        rid = f"b{b:03d}y{year}"
        province = f"第{b % provinces}省"
        text = "".join(s.format(y=year) for s in STANDARD) + "".join(sentences)
        r = Report(id=rid, title=f"机关{b}{year}年政府信息公开工作年度报告", issuer=f"机关{b}", province=province,
                   body_type="部门", year=year,
                   sections=[Section("s1", "一、", "总体情况", 1, "overview", text),
                             Section("s2", "二、", "统计", 1, "proactive", "规章\t0\t0\t0\n行政许可\t12\t3")])
        reports[rid] = r
        own[rid] = sentences
        return r

    for b in range(bodies):
        report(b, 2020, [_sentence(rng) for _ in range(rng.randint(20, 60))])
    for b in range(bodies):
        mine = [_sentence(rng) for _ in range(rng.randint(20, 60))]
        n = len(mine)
        prev_share = others_share = 0.0
        source = None
        if rng.random() < 1 / 3:
            source = f"b{rng.choice([x for x in range(bodies) if x != b]):03d}y2020"
            take = min(len(own[source]), max(1, round(rng.uniform(0.05, 0.9) * n)))
            mine[:take] = rng.sample(own[source], take)
            others_share = take / n
            previous = own[f"b{b:03d}y2020"]
            keep = min(rng.randint(0, (n - take) // 2), len(previous))  # and some of its own previous report
            mine[take:take + keep] = rng.sample(previous, keep)
            prev_share = keep / n
        elif rng.random() < 0.5:
            previous = own[f"b{b:03d}y2020"]
            keep = min(rng.randint(1, n), len(previous))
            mine[:keep] = rng.sample(previous, keep)
            prev_share = keep / n
        assert len(mine) == n
        rng.shuffle(mine)
        report(b, 2021, mine)
        truth[f"b{b:03d}y2021"] = (prev_share, others_share, source)
    for b in range(bodies):
        truth[f"b{b:03d}y2020"] = (None, 0.0, None)
    return reports, truth


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    reports, truth = _collection()
    ids = list(reports)
    random.Random(3).shuffle(ids)  # sources may arrive after their copies
    lib = Library(tmp_path_factory.mktemp("reuse") / "index")
    for start in range(0, len(ids), 37):
        batch = [reports[rid] for rid in ids[start:start + 37]]
        for r in batch:
            lib.store.put(r, data=r.id.encode(), name=f"{r.id}.txt", content_type="text/plain")
        lib.update_reuse(batch)
    yield lib, truth
    lib.close()


def test_measured_reuse_is_the_known_share_and_the_top_source_is_right(synthetic):
    lib, truth = synthetic
    far, wrong_source, copiers = [], [], 0
    for rid, (previous, others, source) in truth.items():
        got = lib.reuse(rid)
        stored = lib.get(rid).fields
        assert stored.get("reuse.others") == got.others and stored.get("reuse.previous") == got.previous
        if previous is None:
            assert got.previous is None and got.previous_id is None
        elif abs(got.previous - previous) > 0.02:
            far.append((rid, "previous", got.previous, previous))
        if abs(got.others - others) > 0.02:
            far.append((rid, "others", got.others, others))
        if source:
            copiers += 1
            if not got.sources or got.sources[0].report_id != source:
                wrong_source.append(rid)
        assert got.standard == len(STANDARD)  # the standard wording is found and left out
    assert not far, far[:10]
    assert copiers > 20 and len(wrong_source) <= 0.05 * copiers, wrong_source


def test_standard_wording_alone_never_looks_copied(synthetic):
    lib, truth = synthetic
    clean = [rid for rid, (_p, others, _s) in truth.items() if others == 0]
    assert clean and all(lib.reuse(rid).others == 0 for rid in clean)


def test_figures_kept_up_to_date_equal_figures_computed_afresh(synthetic):
    """Added in random batches, and after a source is deleted: every report's stored figures are what computing
    them from the collection as it now is gives."""
    lib, truth = synthetic

    def fresh_equals_stored():
        for rid in truth:
            if lib.get(rid) is not None:
                assert lib._reuse_of(rid).to_store() == lib.store.get_reuse(rid), rid

    fresh_equals_stored()
    rid, (_p, _o, source) = next((rid, t) for rid, t in truth.items() if t[2] and t[1] > 0.2)
    assert lib.reuse(rid).sources[0].report_id == source
    lib.delete(source)
    assert source not in {s.report_id for r in truth if lib.get(r) for s in lib.reuse(r).sources}
    fresh_equals_stored()


def test_filter_and_sort_by_reuse_in_search(tmp_path):
    reports, truth = _collection(seed=11, bodies=40)
    with Library(tmp_path / "index") as lib:
        for r in reports.values():
            lib.store.put(r, data=r.id.encode(), name=f"{r.id}.txt", content_type="text/plain")
        lib.update_reuse(list(reports.values()))
        lib.sync_index()
        want = {rid for rid in truth if lib.reuse(rid).others > 0.3}
        res = lib.search("reuse.others:>0.3", limit=200)
        assert {r["id"] for r in res["results"]} == want and want
        top = lib.search("", sort="reuse.others", limit=1)["results"][0]["id"]
        assert lib.reuse(top).others == max(lib.reuse(rid).others or 0 for rid in truth)


def test_samples_show_only_real_reuse(tmp_path):
    """On the bundled real reports: no report looks copied from another body through standard wording; the one
    real case (平潭综合实验区 2015 reusing passages of 平潭县人民政府 2011) shows with its passages."""
    with Library(tmp_path / "index") as lib:
        lib.add_paths([ROOT / "samples"])
        flagged = {}
        for r in lib.reports():
            u = lib.reuse(r.id)
            if u.others:
                flagged[(r.issuer, r.year)] = [(lib.get(s.report_id).issuer, s.shared, s.passages) for s in u.sources]
        assert set(flagged) == {("平潭综合实验区管理委员会", 2015)}, flagged
        (issuer, shared, passages), = flagged[("平潭综合实验区管理委员会", 2015)]
        assert issuer == "平潭县人民政府" and shared == len(passages) == 3
        assert all(p.endswith(("。", "；")) for p in passages)


def test_only_closed_prose_sentences_count():
    r = Report(id="x", sections=[Section("s", "", "前言", 1, "preamble",
                                         "一、本年新收政府信息公开申请数量\n（本列数据的勾稽关系为：第一项加第二项之和）\n"
                                         "规章\t1\t2\n全年共受理政府信息公开申请二十一件。\n短句。")])
    assert list(own_sentences(r).values()) == ["全年共受理政府信息公开申请二十一件。"]


def test_standard_wording_is_what_many_provinces_or_a_fifth_of_the_year_share():
    assert not is_standard(2, 2, 31, 1000) and is_standard(7, 7, 31, 1000) and not is_standard(6, 6, 31, 1000)
    assert is_standard(3, 3, 5, 1000)  # a small collection: at least 3 provinces
    assert is_standard(1, 40, 1, 100) and not is_standard(1, 4, 1, 10)  # one province: a fifth of the year's


def test_report_page_and_api_show_reuse_with_source_passages(tmp_path):
    from webui import create_app

    with Library(tmp_path / "index") as lib:
        lib.add_paths([ROOT / "samples"])
        r = next(x for x in lib.reports() if x.issuer == "平潭综合实验区管理委员会" and x.year == 2015)
        source = next(x for x in lib.reports() if x.issuer == "平潭县人民政府")
    client = create_app(tmp_path / "index").test_client()
    api = client.get(f"/api/reports/{r.id}/reuse").get_json()
    assert api["sources"][0]["id"] == source.id and len(api["sources"][0]["passages"]) == 3
    assert client.get("/api/reports/nosuch/reuse").status_code == 404
    page = client.get(f"/report/{r.id}").get_data(as_text=True)
    assert "复用率" in page and 'id="nb-reuse"' in page and f"/report/{source.id}?q=" in page
    # the passage link lands on the passage in the source: the source page finds it
    link = page.split(f'href="/report/{source.id}?q=', 1)[1].split('"', 1)[0]
    from html import unescape

    target = client.get(f"/report/{source.id}?q=" + unescape(link)).get_data(as_text=True)
    assert "<mark" in target


def _late_source(truth) -> tuple[str, str]:
    """(copy, source): a copy of more than 0.3 whose source no other report copies, and whose source's body wrote
    nothing of it again in 2021."""
    sources = [t[2] for t in truth.values() if t[2]]
    return next((rid, t[2]) for rid, t in sorted(truth.items())
                if t[2] and t[1] > 0.3 and sources.count(t[2]) == 1 and truth[f"{t[2][:4]}y2021"][0] == 0)


def test_a_later_source_moves_earlier_figures_without_re_indexing_them(tmp_path, monkeypatch):
    """The reuse figures of a report change as other reports arrive; the index keeps them beside its documents, so
    a source added after its copy is the only report indexed, while filters, sorts, field hits and the stored
    report (export) already see the copy's new figure — in this process and in a reader opened afresh."""
    import indexer.engine.index as index_module

    reports, truth = _collection(seed=5, bodies=30)
    copier, source = _late_source(truth)
    for part, ids in (("first", [rid for rid in reports if rid != source]), ("later", [source])):
        (tmp_path / part).mkdir()
        for rid in ids:
            (tmp_path / part / f"{rid}.txt").write_bytes(rid.encode())

    def parse(files, hints):  # the synthetic reports stand in for parsed files
        return [(f, Report.from_json(reports[Path(f).stem].to_json()), Path(f).read_bytes(), None) for f in files]

    indexed: list[str] = []
    document = index_module.report_document
    monkeypatch.setattr(index_module, "report_document", lambda r, v=None: indexed.append(r.id) or document(r, v))

    def flagged(lib):
        return {r["id"]: r["fields"] for r in lib.search("reuse.others:>0.3", limit=200)["results"]}

    with Library(tmp_path / "index", parse_files=parse) as lib:
        lib.add_paths([tmp_path / "first"])
        before = lib.reuse(copier).others
        assert copier not in flagged(lib) and before < 0.3
        indexed.clear()
        lib.add_paths([tmp_path / "later"])
        assert indexed == [source]  # not the copy, nor the source body's 2021 report whose previous it is
        after = lib.reuse(copier).others
        assert after == pytest.approx(truth[copier][1], abs=0.02) and after > 0.3
        assert lib.get(copier).fields["reuse.others"] == after
        assert flagged(lib)[copier] == [{"key": "reuse.others", "label": "与其他机关报告相同的句子占比", "value": after}]
        top = lib.search("", sort="reuse.others", limit=1)["results"][0]["id"]
        assert lib.reuse(top).others == max(lib.reuse(rid).others or 0 for rid in truth)
        later = f"{source[:4]}y2021"  # the source body's next report: its reuse.previous appeared
        assert later in {r["id"] for r in lib.search("reuse.previous:>=0", limit=200)["results"]}
        assert lib.sync_index() == (0, 0) and not indexed[1:]
    with Library(tmp_path / "index", readonly=True) as reader:
        assert flagged(reader)[copier][0]["value"] == after


def test_figures_a_stored_report_moved_are_pending_until_the_next_sync(tmp_path):
    """A report stored but not indexed yet (add_bytes(index_now=False) as the crawler does, or a write killed
    before its index commit): it and the reports whose figures it moved are pending; the next sync indexes it and
    gives the others their figures."""
    reports, truth = _collection(seed=5, bodies=30)
    copier, source = _late_source(truth)
    with Library(tmp_path / "index") as lib:
        first = [r for rid, r in reports.items() if rid != source]
        for r in first:
            lib.store.put(r, data=r.id.encode(), name=f"{r.id}.txt", content_type="text/plain")
        lib.update_reuse(first)
        lib.sync_index()
        assert lib.pending() == 0
        r = reports[source]
        lib.store.put(r, data=r.id.encode(), name=f"{r.id}.txt", content_type="text/plain")
        lib.update_reuse([r])
        assert lib.pending() == 3  # the source, the copy, the source body's next report (its reuse.previous)
        assert copier not in {x["id"] for x in lib.search("reuse.others:>0.3", limit=200)["results"]}
        assert lib.sync_index() == (1, 0) and lib.pending() == 0
        assert copier in {x["id"] for x in lib.search("reuse.others:>0.3", limit=200)["results"]}
