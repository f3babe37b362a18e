"""Packed posting blocks (indexer/engine/packing.py) give back exactly what was packed, and pack small."""

import numpy as np
import pytest

from indexer.engine.analysis import SLOT_SHIFT
from indexer.engine.packing import pack_ids, pack_positions, pack_u32, unpack_ids, unpack_positions, unpack_u32


def _postings(rng, n):
    """n postings of 1–5 positions: ascending within one slot, ascending over slots, or in no order at all."""
    counts = rng.integers(1, 6, n).astype(np.uint32)
    parts, ascending = [], True
    for c in counts:
        kind = rng.integers(0, 3)
        if kind == 0:
            p = np.sort(rng.choice(1 << SLOT_SHIFT, c, replace=False)).astype(np.uint64) | (
                int(rng.integers(0, 1024)) << SLOT_SHIFT)
        elif kind == 1:
            p = np.sort((rng.integers(0, 40, c).astype(np.uint64) << SLOT_SHIFT) | rng.integers(0, 3000, c).astype(
                np.uint64))
            p = np.unique(p)
            counts[len(parts)] = len(p)
        else:
            p = rng.integers(0, 2 ** 32, c, dtype=np.uint64)
            ascending &= bool(np.all(np.diff(p.astype(np.int64)) >= 0))
        parts.append(p.astype(np.uint32))
    positions = np.concatenate(parts) if parts else np.zeros(0, np.uint32)
    return counts, positions, ascending


@pytest.mark.parametrize("seed", range(40))
def test_round_trip(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    counts, positions, ascending = _postings(rng, n)
    out = unpack_positions(counts, pack_positions(counts, positions, ascending))
    assert out.dtype == np.uint32 and np.array_equal(out, positions)
    values = rng.integers(0, 2 ** int(rng.integers(1, 33)), n, dtype=np.uint64).astype(np.uint32)
    assert np.array_equal(unpack_u32(pack_u32(values))[0], values)
    ids = np.sort(rng.choice(2 ** 31, n, replace=False)).astype(np.uint32)
    assert np.array_equal(unpack_ids(pack_ids(ids)), ids)


@pytest.mark.parametrize("top", [1, 2, 3, 4, 15, 16, 255, 256, 70_000, 2 ** 24, 2 ** 32 - 1])
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1000])
def test_every_width_round_trips(top, n):
    """Values of 0 to ``top`` (the width that holds them: 0–4 bits or 1–4 bytes), some larger ones patched in."""
    rng = np.random.default_rng(top + n)
    values = rng.integers(0, top, n, endpoint=True, dtype=np.uint64).astype(np.uint32)
    if n > 8:
        values[rng.choice(n, 2, replace=False)] = [2 ** 31 + 5, top + 1 if top < 2 ** 32 - 1 else 0]
    packed = pack_u32(values)
    out, end = unpack_u32(packed + b"tail")
    assert out.dtype == np.uint32 and np.array_equal(out, values) and end == len(packed)
    out[:1] += 1  # the caller may change what it got (codec.py adds one to the counts)


def test_small_values_take_bits_not_bytes():
    """Counts less one and docnum gaps of a common gram are mostly 0 or 1: a bit each or less, not a byte."""
    ones = np.ones(8000, dtype=np.uint32)
    ones[::100] = 3
    assert len(pack_u32(ones)) < 8000 // 4 + 20  # two bits each
    zeros = np.zeros(8000, dtype=np.uint32)
    zeros[[5, 500]] = 9
    assert len(pack_u32(zeros)) <= 9 + 16  # nothing but the two exceptions
    assert np.array_equal(unpack_u32(pack_u32(zeros))[0], zeros)


def test_exceptions_are_patched_in():
    values = np.array([3, 1, 2, 0, 255, 7] * 100, dtype=np.uint32)
    values[[5, 99, 300, 599]] = [256, 70_000, 4_000_000_000, 2 ** 32 - 1]
    packed = pack_u32(values)
    assert len(packed) < 600 + 4 * 8 + 16  # a byte for each value, 8 more for each of the four large ones
    assert np.array_equal(unpack_u32(packed)[0], values)


def test_positions_of_a_common_gram_take_about_a_byte_or_two():
    """A gram every ~100 characters in 30 sections of 256 reports: its deltas fit a byte, re-based first
    positions two; the raw layout took four bytes per position."""
    rng = np.random.default_rng(1)
    counts, parts = [], []
    for _ in range(256):
        slots = np.repeat(np.arange(30, dtype=np.uint64), 20)
        offsets = np.tile(np.arange(20, dtype=np.uint64) * 100, 30) + rng.integers(0, 50, 600).astype(np.uint64)
        parts.append(((slots << np.uint64(SLOT_SHIFT)) | offsets).astype(np.uint32))
        counts.append(600)
    counts, positions = np.array(counts, dtype=np.uint32), np.concatenate(parts)
    packed = pack_positions(counts, positions)
    assert len(packed) < 1.2 * len(positions)
    assert np.array_equal(unpack_positions(counts, packed), positions)
