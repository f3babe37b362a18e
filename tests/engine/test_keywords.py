"""The wordstats column (keywords.encode_stats): what slot_stats computed is what the index gives back — packed
integers, word references and zstd frames lose nothing, in a fresh segment and after segment merges."""

from __future__ import annotations

import pytest

from indexer.engine.index import SearchIndex, report_document
from indexer.engine.keywords import decode_stats, encode_stats, slot_stats

from tests.engine.test_merge import FACTOR, _segments
from tests.engine.test_search import sample_reports


@pytest.mark.parametrize("stats", [
    {"n": 0, "words": "", "counts": [], "sections": []},
    {"n": 3, "words": "公开", "counts": [3], "sections": [[0, "", []], [3, "公开", [3]]]},
    # wide integers (counts and totals past 2^16), section words the head lacks, repeated across sections
    {"n": 300_000, "words": "申请 政府信息", "counts": [70_000, 2],
     "sections": [[9, "复议 申请 诉讼", [4, 3, 2]], [70_000, "诉讼 政府信息", [256, 1]], [1, "", []]]},
])
def test_encoding_round_trips(stats):
    assert decode_stats(encode_stats(stats)) == stats


def test_every_report_reads_back_its_slot_stats_after_merges(tmp_path, monkeypatch):
    monkeypatch.setattr(SearchIndex, "merge_factor", FACTOR)
    corpus = sample_reports()
    ix = SearchIndex(tmp_path / "ix")
    for r in corpus:  # one commit each: segments merged along the way
        ix.update([r])
    sizes = _segments(ix)
    assert len(sizes) > 1 and max(sizes) > 1, sizes  # several segments, some merged
    snap = ix.snapshot()
    col = snap._column("wordstats")
    values = {rid: col[d] for rid, d in zip(snap.report_ids, snap.report_doc.tolist())}
    assert all(isinstance(v, bytes) for v in values.values())  # not Whoosh's UTF-8 decoding of them
    for r in corpus:
        assert decode_stats(values[r.id]) == slot_stats(report_document(r)["wordstats"]), r.id
    table = snap.word_table()
    for i, rid in enumerate(snap.report_ids):
        stats = decode_stats(values[rid])
        assert table.report_words(i) == list(dict.fromkeys(
            stats["words"].split() + [w for _n, ws, _c in stats["sections"] for w in ws.split()]))
    ix.close()
