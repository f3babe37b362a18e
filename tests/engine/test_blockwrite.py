"""Posting lists written by compiled loops (indexer/engine/blockwrite.py) are byte for byte what Whoosh's postings
writer with codec.CompactPostingsWriter writes, TermInfo statistics included; a merge's lists are the written
lists of the merged postings, and a list the loops cannot read is reported, not guessed at."""

import io

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.structfile import StructFile

from indexer.engine import blockwrite
from indexer.engine.analysis import SLOT_SHIFT, CompactPositions
from indexer.engine.codec import _TERM_INFO, BLOCK_LIMIT, CompactPostingsWriter
from indexer.engine.packing import _HEAD


def _term(rng, n: int, most: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n postings (docnums ascending) of 1 to ``most`` positions each, ascending within each posting."""
    ids = np.sort(rng.choice(max(2 * n, 200_000 if rng.integers(0, 2) else 2 * n), n, replace=False)).astype(np.uint32)
    counts = rng.integers(1, most + 1, n).astype(np.uint32)
    parts = [np.sort(rng.choice(1 << SLOT_SHIFT, int(c), replace=False)).astype(np.uint32)
             + np.uint32(int(rng.integers(0, 64)) << SLOT_SHIFT) for c in counts]
    return ids, counts, np.concatenate(parts)


def _whoosh_lists(terms, ascending: bool) -> tuple[bytes, list[bytes]]:
    """The postings file bytes and TermInfo bytes CompactPostingsWriter writes for these lists."""
    f = StructFile(io.BytesIO())
    fmt = CompactPositions()
    fmt.ascending = ascending
    writer = CompactPostingsWriter(f, blocklimit=BLOCK_LIMIT, compression=0, inlinelimit=1)
    infos = []
    for ids, counts, positions in terms:
        writer.start_postings(fmt, W3TermInfo())
        writer.add_bulk(ids, counts, positions)
        infos.append(writer.finish_postings().to_bytes())
    return f.file.getvalue(), infos


def _arrays(terms):
    ids, counts, positions = (np.concatenate([t[k] for t in terms]) for k in range(3))
    post_bounds = np.cumsum([0] + [len(t[0]) for t in terms]).astype(np.int64)
    pos_bounds = np.cumsum([0] + [len(t[2]) for t in terms]).astype(np.int64)
    return ids, counts, positions, post_bounds, pos_bounds


def _check_stats(stats, infos) -> None:
    """Each row makes the TermInfo Whoosh wrote (as codec.CompactFieldWriter.add_terms makes it)."""
    for (start, length, weight, df, max_count, min_id, max_id), info in zip(stats.tolist(), infos):
        assert _TERM_INFO.pack(0, weight, df, 0, 0, max_count, min_id, max_id, start, length) == info


def _extent(info: bytes) -> tuple[int, int]:
    return _TERM_INFO.unpack(info)[-2:]


@pytest.mark.parametrize("seed", range(24))
def test_written_lists_are_whooshs_bytes(seed):
    rng = np.random.default_rng(seed)
    # raw blocks (fewer than 64 positions), packed ones, several blocks a term, and data pickles longer than a
    # pickle frame (64 KiB) in and out of frames
    sizes = [1, 2, 5, 60, BLOCK_LIMIT - 1, BLOCK_LIMIT, BLOCK_LIMIT + 1, 3 * BLOCK_LIMIT + 7]
    terms = [_term(rng, int(rng.choice(sizes)), int(rng.choice([1, 3, 40, 200]))) for _ in range(6)]
    ascending = bool(seed % 3)
    expected, infos = _whoosh_lists(terms, ascending)
    ids, counts, positions, post_bounds, pos_bounds = _arrays(terms)
    n_post, n_pos = np.diff(post_bounds), np.diff(pos_bounds)
    out = np.empty(int(sum(blockwrite.block_bound(a, b, (a + BLOCK_LIMIT - 1) // BLOCK_LIMIT)
                           for a, b in zip(n_post.tolist(), n_pos.tolist()))), dtype=np.uint8)
    stats = np.zeros((len(terms), blockwrite.STATS), dtype=np.int64)
    t, o = blockwrite.write_lists(ids, counts, positions, post_bounds, pos_bounds, 0, ascending, out, stats)
    assert t == len(terms)
    assert out[:o].tobytes() == expected
    _check_stats(stats, infos)


def test_a_list_that_may_not_fit_is_left_for_the_next_call():
    rng = np.random.default_rng(5)
    terms = [_term(rng, 300, 20) for _ in range(3)]
    expected, _infos = _whoosh_lists(terms, True)
    arrays = _arrays(terms)
    out = np.empty(blockwrite.block_bound(300, int(np.diff(arrays[4]).max()), 1) + 10, dtype=np.uint8)
    stats = np.zeros((3, blockwrite.STATS), dtype=np.int64)
    written, t = b"", 0
    while t < 3:
        done, o = blockwrite.write_lists(*arrays, t, True, out, stats)
        assert done == t + 1  # one list a call: two may not fit
        written += out[:o].tobytes()
        t = done
    assert written == expected


def _merge(buf, segments, rows, docmaps=None):
    """merge_lists over ``buf`` (the lists), ``segments`` (base of each), ``rows`` [(term, segment, at, end)]."""
    bases = np.array(segments, dtype=np.int64)
    docmaps = docmaps or [np.zeros(0, dtype=np.int64)] * len(segments)
    bounds = np.r_[0, np.cumsum([len(m) for m in docmaps])].astype(np.int64)
    n_terms = max(r[0] for r in rows) + 1
    term_rows = np.searchsorted([r[0] for r in rows], np.arange(n_terms + 1)).astype(np.int64)
    seg, at, end = (np.array([r[k] for r in rows], dtype=np.int64) for k in (1, 2, 3))
    out = np.empty(1 << 24, dtype=np.uint8)
    stats = np.zeros((n_terms, blockwrite.STATS), dtype=np.int64)
    t, o, status = blockwrite.merge_lists(buf, bases, np.concatenate(docmaps), bounds, seg, at, end, term_rows, 0,
                                          True, out, stats)
    return t, out[:o].tobytes(), status, stats


def test_merged_lists_are_the_lists_of_the_merged_postings():
    rng = np.random.default_rng(11)
    a = [_term(rng, n, 30) for n in (3, 1500, 40)]
    b = [_term(rng, n, 30) for n in (700, 2, 90)]
    data_a, infos_a = _whoosh_lists(a, True)
    data_b, infos_b = _whoosh_lists(b, True)
    buf = np.frombuffer(data_a + data_b, dtype=np.uint8)
    ext_a = [_extent(i) for i in infos_a]
    ext_b = [(o + len(data_a), n) for o, n in map(_extent, infos_b)]
    rows = [(t, s, at, at + n) for t in range(3) for s, (at, n) in ((0, ext_a[t]), (1, ext_b[t]))]
    base_b = 200_000 * 2  # (segment b's docnums come after all of a's)

    # no deletions: each term's postings are a's, then b's moved by the base
    t, data, status, stats = _merge(buf, [0, base_b], rows)
    merged = [(np.r_[x[0], y[0] + np.uint32(base_b)], np.r_[x[1], y[1]], np.r_[x[2], y[2]]) for x, y in zip(a, b)]
    expected, infos = _whoosh_lists(merged, True)
    assert (t, status) == (3, 0) and data == expected
    _check_stats(stats, infos)

    # deletions in a (a docmap: -1 for a deleted document) drop those postings and their positions
    top = int(max(x[0].max() for x in a)) + 1
    docmap = np.arange(top, dtype=np.int64)
    gone = rng.choice(top, top // 3, replace=False)
    docmap[gone] = -1
    keep = [np.isin(x[0], gone, invert=True) for x in a]
    kept_a = [(x[0][k], x[1][k], x[2][np.repeat(k, x[1])]) for x, k in zip(a, keep)]
    t, data, status, stats = _merge(buf, [0, base_b], rows, [docmap, np.zeros(0, dtype=np.int64)])
    merged = [(np.r_[x[0], y[0] + np.uint32(base_b)], np.r_[x[1], y[1]], np.r_[x[2], y[2]])
              for x, y in zip(kept_a, b)]
    assert (t, status) == (3, 0) and data == _whoosh_lists(merged, True)[0]


def test_a_list_not_read_here_is_reported_at_its_term():
    rng = np.random.default_rng(3)
    terms = [_term(rng, 50, 5) for _ in range(2)]
    data, infos = _whoosh_lists(terms, True)
    (at0, n0), (at1, n1) = map(_extent, infos)
    damaged = bytearray(data)
    damaged[at1 + 4 + 4 + 2] = 0xFF  # the second list's first header: not the pickle these loops read
    buf = np.frombuffer(bytes(damaged), dtype=np.uint8)
    t, written, status, _stats = _merge(buf, [0], [(0, 0, at0, at0 + n0), (1, 0, at1, at1 + n1)])
    assert (t, status) == (1, blockwrite.DAMAGED)
    assert written == data[at0:at0 + n0]  # the first term's list, written before the damaged one


@pytest.mark.parametrize("top", [0, 1, 2 ** 11, 2 ** 42, 2 ** 63, 2 ** 64 - 1])
def test_the_radix_order_is_numpys_stable_argsort(top):
    rng = np.random.default_rng(top % 1000)
    for n in (0, 1, 2, 7, 5000):
        keys = rng.integers(0, top, n, dtype=np.uint64, endpoint=True) if top else np.zeros(n, dtype=np.uint64)
        keys[: n // 3] = keys[n // 3: 2 * (n // 3)]  # (ties: their order must be kept)
        ordered, order = blockwrite.stable_order(keys)
        expected = np.argsort(keys, kind="stable")
        assert np.array_equal(order, expected) and np.array_equal(ordered, keys[expected])


def test_the_width_of_packed_values_is_the_smallest_that_fits():
    # (packing._bit_length, the branch-free bit length pack_u32 counts values by)
    from indexer.engine.packing import _bit_length, pack_u32

    for x in list(range(70)) + [2 ** k + d for k in range(1, 32) for d in (-1, 0, 1)] + [2 ** 32 - 1]:
        assert _bit_length(x) == x.bit_length()
    for top, width in ((0, 0), (1, 1), (3, 2), (15, 4), (255, 8), (65535, 16), (2 ** 24 - 1, 24), (2 ** 32 - 1, 32)):
        values = np.full(100, top, dtype=np.uint32)
        assert _HEAD.unpack_from(pack_u32(values))[0] == width
