"""The compiled loops of a search (numba: packing.py, blockfile.py, matching.py, ranking.py, facets.py,
snippets.py), run once each on a tiny block with the argument types searches give them: numba finds a function's
machine code on its first call (~0.3 s in all from its on-disk cache; seconds to compile, the first time after an
install), which a server (`serve`, a shard actor) does at start rather than on its first visitor."""

from __future__ import annotations

import pickle
import struct

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from indexer.engine import blockfile, blockwrite, facets, matching, ranking, snippets
from indexer.engine.codec import _PACKED_TAG
from indexer.engine.packing import (block_followed, block_keys, keys_followed, pack_ids, pack_positions, pack_u32,
                                    unpack_block)
from indexer.engine.snapshot import CANONICALS


def load_kernels() -> None:
    # one document (docnum 0) with a gram at offsets 1 and 5 of its slot 0; the loops do not check bounds, so
    # every table below has a row for that document, report and slot
    counts, positions = np.array([2], dtype=np.uint32), np.array([1, 5], dtype=np.uint32)
    block = pack_ids(np.array([0], dtype=np.uint32)), pack_u32(counts - 1), pack_positions(counts, positions)
    unpack_block(*block)
    keys = np.empty(2, dtype=np.uint64)
    block_keys(*block, 0, keys, 0, 1)
    block_followed(*block, 0, keys.copy(), 1, 0, 0)
    # the same block as a posting list in a postings file, walked (blockfile.py; a mapped file is read-only)
    header = pickle.dumps((1, 0, 2.0, 0, 1, 1), 2)
    data = pickle.dumps((_PACKED_TAG, block[0], None, block[1], block[2]), pickle.HIGHEST_PROTOCOL)
    record = struct.pack("!i", -len(header + data)) + header + data  # (negative: the last block)
    buf = np.frombuffer(WHOOSH3_HEADER_MAGIC + record, dtype=np.uint8)
    state = np.zeros(2, dtype=np.int64)
    blockfile.walk_keys(buf, 4, len(buf), 0, keys, 0, 0, 0, 1 << 32, state)
    blockfile.walk_followed(buf, 4, len(buf), 0, keys.copy(), np.uint64(1), 0, 0, state)
    keys_followed(keys + np.uint64(1), keys.copy(), 1, 0, 0)
    zero, one, yes = np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64), np.ones(1, dtype=np.bool_)
    hits = matching._hit_arrays(*matching._entry_keys_runs(keys), 2, zero, one, zero, yes, zero)
    matching._key_hit_arrays(keys, 2, zero, one, zero, yes, zero)
    for entries in (False, True):
        matching._add_keys(keys, entries, np.zeros(1, dtype=np.int32), np.zeros(1, dtype=np.int32), zero, one, zero)
    matching.slots_in(zero, zero, matching.slots_reports(zero, zero, 1))
    for norm_by_slot in (True, False):
        scores = ranking._bm25(hits[0], hits[1], hits[2], np.ones(1), np.ones(1), norm_by_slot, 1.0)
    ranking._bm25_in(hits[0], hits[1], hits[2], zero, yes, np.ones(1), np.ones(1), 1.0)
    ranking.report_scores(zero, 1, hits[0], scores)
    year = np.full(1, 2020, dtype=np.int64)
    ranking._top_reports(zero, scores, year, 1)
    # the facets: one report, one column, with and without a filter
    tally = np.zeros(2, dtype=np.int64)
    has_section = np.ones((1, len(CANONICALS)), dtype=bool)
    for filters in (np.ones((0, 1), dtype=bool), np.ones((1, 1), dtype=bool)):
        facets._count_all(zero, filters, zero[:len(filters)], np.zeros((1, 1), dtype=np.int32), zero, tally, year, 0,
                          0, zero.copy(), np.zeros((1, 1), dtype=np.int64), zero, tally.copy(), zero, zero, zero,
                          yes, has_section, np.zeros(len(CANONICALS), dtype=np.int64))
    facets._kind_matrix(has_section, yes, has_section, np.zeros(len(CANONICALS), dtype=np.int64))
    facets._ranked(tally, np.array([[0, 2]], dtype=np.int64), zero.repeat(2), np.array([1], dtype=np.int64))
    # a page's snippets: a text with two matches, specials and a line break, and one without a plain match
    snippets.snippets(["甲<乙>\n政务 公开 & 政务公开丙".encode("utf-8"), b"abc"], ["政务公开"])


def load_build_kernels() -> None:
    """The compiled loops of indexing (a slot's common bigrams, the posting blocks' packing), run once each: a
    parallel commit's worker processes are forked from this one (Whoosh's MpWriter, anew at every commit) and
    otherwise each found them in numba's cache again."""
    from indexer.engine.analysis import slot_grams

    slot_grams("政务公开a1")
    counts, positions = np.array([2], dtype=np.uint32), np.array([1, 5], dtype=np.uint32)
    pack_ids(np.array([0], dtype=np.uint32))
    pack_u32(counts - 1)
    for ascending in (True, False):
        pack_positions(counts, positions, ascending)
    blockwrite.stable_order(np.array([3, 1], dtype=np.uint64))  # (the segment's grams sorted)
    # a segment's lists written (blockwrite.write_lists), and read back and written again as a merge does
    ids, bounds = np.array([0], dtype=np.uint32), np.array([0, 1], dtype=np.int64)
    out, stats = np.empty(4096, dtype=np.uint8), np.zeros((1, blockwrite.STATS), dtype=np.int64)
    for ascending in (True, False):
        _t, end = blockwrite.write_lists(ids, counts, positions, bounds, np.array([0, 2], dtype=np.int64), 0,
                                         ascending, out, stats)
    listed = out[:end].copy()
    buf = np.empty(end, dtype=np.uint8)
    at, zero = np.array([0], dtype=np.int64), np.zeros(1, dtype=np.int64)
    blockwrite.gather(np.frombuffer(listed.tobytes(), dtype=np.uint8), at, at + end, buf, at)  # (a mapped file)
    blockwrite.merge_lists(buf, zero, np.zeros(0, dtype=np.int64), np.zeros(2, dtype=np.int64), zero, at,
                           at + end, bounds, 0, True, out, stats)
