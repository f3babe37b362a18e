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


# -- the packers as they were written with numpy (before the compiled ones): the format is theirs ---------------

_REF_WIDTHS = (0, 1, 2, 4, 8, 16, 24, 32)


def _reference_pack_u32(values) -> bytes:
    import struct

    values = np.asarray(values, dtype=np.uint32)
    n = len(values)
    width = 8
    if n:
        fits = next(w for w in _REF_WIDTHS if int(values.max()) < 1 << w)
        width, best = fits, n * fits
        for w in _REF_WIDTHS:
            if w >= fits:
                break
            size = n * w + 64 * int(np.count_nonzero(values >> np.uint32(w)))
            if size < best:
                width, best = w, size
    exc = np.flatnonzero(values >> np.uint32(width)).astype(np.uint32) if width < 32 else np.zeros(0, np.uint32)
    low = values & np.uint32((1 << width) - 1) if width < 32 else values
    if width == 0:
        body = b""
    elif width < 8:
        per = 8 // width
        padded = np.zeros(-(-n // per) * per, dtype=np.uint8)
        padded[:n] = low
        shifts = np.arange(0, 8, width, dtype=np.uint8)
        body = np.bitwise_or.reduce(padded.reshape(-1, per) << shifts, axis=1).astype(np.uint8).tobytes()
    elif width == 24:
        body = low.view(np.uint8).reshape(n, 4)[:, :3].tobytes()
    else:
        body = low.astype({8: np.uint8, 16: np.uint16, 32: np.uint32}[width]).tobytes()
    return struct.pack("<BII", width, n, len(exc)) + body + exc.tobytes() + values[exc].tobytes()


def _reference_pack_positions(counts, positions, ascending=True) -> bytes:
    import struct

    q = np.asarray(positions, dtype=np.uint32)
    mask = (1 << SLOT_SHIFT) - 1
    flags, k, omin = 0, 0, 0
    if len(q):
        offset = q & np.uint32(mask)
        omin = int(offset.min())
        k = int(offset.max() - omin).bit_length()
        if (int(q[-1] if ascending and len(counts) == 1 else q.max()) >> SLOT_SHIFT) + 1 << k <= 1 << 32:
            q = ((q >> np.uint32(SLOT_SHIFT)) << np.uint32(k)) | (offset - np.uint32(omin))
            flags |= 2
        if ascending:
            d = q.copy()
            d[1:] -= q[:-1]
            starts = np.cumsum(counts, dtype=np.int64) - counts
            d[starts] = q[starts]
            q = d
            flags |= 1
    return struct.pack("<BBI", flags, k, omin) + _reference_pack_u32(q)


@pytest.mark.parametrize("seed", range(60))
def test_compiled_packers_write_the_bytes_numpy_wrote(seed):
    """pack_u32, pack_ids and pack_positions (compiled) give byte for byte what the numpy packers gave, for every
    width, with and without exceptions, positions ascending or not: indexes written before read the same."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(0, 3000)) if seed % 3 else int(rng.integers(0, 12))
    top = 2 ** int(rng.integers(0, 33))
    values = rng.integers(0, top, n, endpoint=True, dtype=np.uint64).astype(np.uint32)
    if n > 4 and seed % 2:
        values[rng.choice(n, min(n, int(rng.integers(1, 6))), replace=False)] = rng.integers(0, 2 ** 32, 1)[0]
    assert pack_u32(values) == _reference_pack_u32(values)
    ids = np.sort(rng.choice(2 ** 31, n, replace=False)).astype(np.uint32)
    gaps = ids.copy()
    gaps[1:] -= ids[:-1]
    assert pack_ids(ids) == _reference_pack_u32(gaps)
    counts, positions, ascending = _postings(rng, int(rng.integers(0, 300)))
    for asc in {ascending, False}:
        assert pack_positions(counts, positions, asc) == _reference_pack_positions(counts, positions, asc)
    one = np.sort(rng.integers(0, 2 ** 32, int(rng.integers(1, 50)), dtype=np.uint64)).astype(np.uint32)
    single = np.array([len(one)], dtype=np.uint32)
    assert pack_positions(single, one) == _reference_pack_positions(single, one)
