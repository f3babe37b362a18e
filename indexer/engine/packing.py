"""Integer arrays of the posting blocks, packed and unpacked by loops numba compiles (the width choices below date
from packing and unpacking with numpy; the compiled loops write and read them byte for byte as they were).

* ``pack_u32``: a uint32 array in the width that fits most values — 0, 1, 2 or 4 bits, or 1 to 4 bytes; the few
  that do not fit are patched in afterwards from (index, value) lists — "patched frame of reference" as Lucene and
  tantivy's bit-packers do it.  Widths are those numpy reads in one C call (whole bytes) or unpacks with one
  shift-and-mask over the bytes (2, 4 or 8 values in a byte): at 1k synthetic reports the exact view's docnum
  gaps and counts took 5.6 MB each in whole bytes and 2.7 and 2.1 MB so; any width of 0–32 bits would save 0.3
  MB more there and 2 MB of its 27 MB of positions, but unpacking an odd width with numpy measured 70 µs for 10k
  values (strided reads, eight passes) against 3 µs for two whole bytes.  (A vectorised LEB128 varint decode
  measured 108 ms for 2.85 M values, 34× a raw copy; pyfastpfor, the SIMD codec's binding, has no wheels.)
* ``pack_positions``: a block's positions (``slot << SLOT_SHIFT | offset``, ascending within each posting)
  re-based to ``slot << k | (offset - min offset)`` with k the bits the block's offsets need, then stored as
  deltas within each posting: consecutive occurrences of a gram in a section are a few hundred characters apart
  (one byte or two), where the absolute positions took four.
"""

from __future__ import annotations

import struct

import numpy as np
from numba import njit

from indexer.engine.analysis import SLOT_SHIFT

_HEAD = struct.Struct("<BII")  # width in bits, values, exceptions
_POS_HEAD = struct.Struct("<BBI")  # flags, k, minimum offset
_POS_HEAD_SIZE = _POS_HEAD.size
_DELTA, _REBASED = 1, 2
_OFFSET_MASK = (1 << SLOT_SHIFT) - 1
_U32 = np.uint32
_WIDTHS = (0, 1, 2, 4, 8, 16, 24, 32)  # bits

# The layout of a posting block's data (codec.CompactPostingsWriter, written by blockwrite.py, read by
# blockfile.py): its tag, raw (flat uint32 arrays) or packed by this module
_RAW_TAG, _PACKED_TAG = b"c1", b"c2"
# blocks of fewer positions stay flat uint32 arrays: packing and unpacking cost ~25 numpy calls (~60 µs) per block,
# paid per rare term each time segments merge; the 1k synthetic index is 98 MB at 64 as with every block packed,
# 118 MB at 256
_PACK_MIN_POSITIONS = 64
BLOCK_LIMIT = 1024  # postings per block (Whoosh's default 128): unpacking costs ~20 numpy calls per block


def pack_u32(values: np.ndarray) -> bytes:
    """``values`` (uint32) in the width (_WIDTHS) with the fewest bits, counting 64 per value that does not
    fit."""
    values = np.ascontiguousarray(values, dtype=_U32)
    out = np.empty(_HEAD.size + 12 * len(values), dtype=np.uint8)  # room for every value as an exception
    return out[:_pack_u32(values, out, 0)].tobytes()


@njit(cache=True, nogil=True)
def _put32(out, at, v):
    out[at], out[at + 1], out[at + 2], out[at + 3] = v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF


@njit(cache=True, nogil=True, inline="always")
def _bit_length(x):
    """The bits of a value below 2**32, without a branch (a shift loop took 12 ns a value of 12 bits, this 2)."""
    s = np.int64(x >> 16 != 0) << 4
    x, b = x >> s, s
    s = np.int64(x >> 8 != 0) << 3
    x, b = x >> s, b + s
    s = np.int64(x >> 4 != 0) << 2
    x, b = x >> s, b + s
    s = np.int64(x >> 2 != 0) << 1
    x, b = x >> s, b + s
    s = np.int64(x >> 1 != 0)
    return b + s + (x >> s)


@njit(cache=True, nogil=True)
def _pack_u32(values, out, at):
    """Writes pack_u32's bytes of ``values`` into ``out`` from ``at`` (room for 9 + 12 per value); returns where
    they end.  One compiled pass where numpy took ~20 calls (a block's packing was most of a merge's time)."""
    n = len(values)
    # the width: the one with the fewest bits in all, a value that does not fit counting 64 (index and value)
    longer = np.zeros(34, dtype=np.int64)  # longer[b]: values of bit length b, then of b or more
    for v in values:
        longer[_bit_length(np.int64(v))] += 1
    for b in range(32, -1, -1):
        longer[b] += longer[b + 1]
    width = 8
    if n:
        fits = 0
        for w in _WIDTHS:
            if longer[w + 1] == 0:
                fits = w
                break
        width, best = fits, n * fits
        for w in _WIDTHS:
            if w >= fits:
                break
            size = n * w + 64 * longer[w + 1]
            if size < best:
                width, best = w, size
    n_exc = longer[width + 1] if width < 32 else 0
    out[at] = width
    _put32(out, at + 1, n)
    _put32(out, at + 5, n_exc)
    at += 9
    mask = (np.int64(1) << width) - 1
    if 0 < width < 8:
        per = 8 // width
        for j in range((n + per - 1) // per):
            byte = 0
            for k in range(min(per, n - j * per)):
                byte |= (np.int64(values[j * per + k]) & mask) << (k * width)
            out[at + j] = byte
        at += (n + per - 1) // per
    elif width >= 8:
        nbytes = width // 8
        for i in range(n):
            v = np.int64(values[i]) & mask
            for k in range(nbytes):
                out[at + nbytes * i + k] = (v >> (8 * k)) & 0xFF
        at += nbytes * n
    if n_exc:
        e = 0
        for i in range(n):
            if np.int64(values[i]) >> width:
                _put32(out, at + 4 * e, i)
                _put32(out, at + 4 * (n_exc + e), np.int64(values[i]))
                e += 1
        at += 8 * n_exc
    return at


def unpack_u32(buf: bytes, at: int = 0) -> tuple[np.ndarray, int]:
    """(the uint32 array pack_u32 wrote at ``at`` in ``buf``, the offset after it)."""
    return _unpack_u32(np.frombuffer(buf, dtype=np.uint8), at)


@njit(cache=True, nogil=True)
def _le32(buf, at):
    return np.int64(buf[at]) | np.int64(buf[at + 1]) << 8 | np.int64(buf[at + 2]) << 16 | np.int64(buf[at + 3]) << 24


@njit(cache=True, nogil=True)
def _unpack_u32(buf, at):
    if at + 9 > len(buf):
        raise ValueError("damaged posting block")
    width, n, n_exc = buf[at], _le32(buf, at + 1), _le32(buf, at + 5)
    at += 9  # _HEAD.size
    # the loops below do not check bounds: a damaged block must not make them read past its bytes
    body = n * 4 if width > 24 else (n * width + 7) // 8
    if width not in (0, 1, 2, 4, 8, 16, 24, 32) or at + body + 8 * n_exc > len(buf):
        raise ValueError("damaged posting block")
    out = np.empty(n, dtype=np.uint32)
    if width == 0:
        out[:] = 0
    elif width < 8:
        per, mask = 8 // width, (1 << width) - 1
        for i in range(n):
            out[i] = (np.int64(buf[at + i // per]) >> (i % per * width)) & mask
        at += (n * width + 7) // 8
    elif width == 8:  # one loop per width: LLVM vectorises each (a loop over the bytes of any width did not)
        for i in range(n):
            out[i] = buf[at + i]
        at += n
    elif width == 16:
        for i in range(n):
            out[i] = np.uint32(buf[at + 2 * i]) | np.uint32(buf[at + 2 * i + 1]) << 8
        at += 2 * n
    elif width == 24:
        for i in range(n):
            j = at + 3 * i
            out[i] = np.uint32(buf[j]) | np.uint32(buf[j + 1]) << 8 | np.uint32(buf[j + 2]) << 16
        at += 3 * n
    else:
        for i in range(n):
            out[i] = _le32(buf, at + 4 * i)
        at += 4 * n
    for e in range(n_exc):
        i = _le32(buf, at + 4 * e)
        if i >= n:
            raise ValueError("damaged posting block")
        out[i] = _le32(buf, at + 4 * (n_exc + e))
    return out, at + 8 * n_exc


def pack_ids(ids: np.ndarray) -> bytes:
    """Ascending docnums as the first one and the gaps after it."""
    ids = np.ascontiguousarray(ids, dtype=_U32)
    out = np.empty(_HEAD.size + 12 * len(ids), dtype=np.uint8)
    return out[:_pack_ids(ids, out)].tobytes()


@njit(cache=True, nogil=True)
def _pack_ids(ids, out):
    gaps = ids.copy()
    for i in range(len(ids) - 1, 0, -1):
        gaps[i] = ids[i] - ids[i - 1]
    return _pack_u32(gaps, out, 0)


def unpack_ids(buf: bytes) -> np.ndarray:
    return _ids(np.frombuffer(buf, dtype=np.uint8))


@njit(cache=True, nogil=True)
def _ids(buf):
    gaps, _ = _unpack_u32(buf, 0)
    run = np.int64(0)
    for i in range(len(gaps)):
        run += gaps[i]
        gaps[i] = run
    return gaps


def pack_positions(counts: np.ndarray, positions: np.ndarray, ascending: bool = True) -> bytes:
    """A block's positions (``counts[i]`` of posting i, one posting after another), re-based, and delta-coded
    when they ascend within each posting (the per-slot entries of analysis.ExactBigramSlotField do not)."""
    q = np.ascontiguousarray(positions, dtype=_U32)
    out = np.empty(_POS_HEAD_SIZE + _HEAD.size + 12 * len(q), dtype=np.uint8)
    return out[:_pack_positions(np.ascontiguousarray(counts, dtype=_U32), q, ascending, out)].tobytes()


@njit(cache=True, nogil=True)
def _pack_positions(counts, positions, ascending, out):
    q = positions.copy()
    if np.sum(counts.astype(np.int64)) != len(q):
        raise ValueError("the counts do not add up to the positions")
    flags, k, omin = 0, 0, np.int64(0)
    if len(q):
        omin, omax, top = np.int64(_OFFSET_MASK), np.int64(0), np.int64(0)
        for v in q:
            o = np.int64(v) & _OFFSET_MASK
            omin, omax, top = min(omin, o), max(omax, o), max(top, np.int64(v))
        if ascending and len(counts) == 1:
            top = np.int64(q[-1])
        span = omax - omin
        while span:
            span >>= 1
            k += 1
        if ((top >> SLOT_SHIFT) + 1) << k <= np.int64(1) << 32:
            for i in range(len(q)):
                v = np.int64(q[i])
                q[i] = ((v >> SLOT_SHIFT) << k) | ((v & _OFFSET_MASK) - omin)
            flags |= _REBASED
        if ascending:
            end = len(q)
            for c in counts[::-1]:  # each posting's first value stays whole, the others less the one before
                start = end - np.int64(c)
                for i in range(end - 1, start, -1):
                    q[i] -= q[i - 1]
                end = start
            flags |= _DELTA
    out[0], out[1] = flags, k
    _put32(out, 2, omin)
    return _pack_u32(q, out, _POS_HEAD_SIZE)


def unpack_positions(counts: np.ndarray, buf: bytes) -> np.ndarray:
    return _positions(np.asarray(counts, dtype=_U32), np.frombuffer(buf, dtype=np.uint8))


@njit(cache=True, nogil=True)
def _positions(counts, buf):
    q, _ = _unpack_u32(buf, _POS_HEAD_SIZE)
    delta, rebased, k, omin = _position_coding(buf)
    at = 0
    for c in counts:
        run = np.int64(0)
        for t in range(at, at + c):
            run, q[t] = _next_position(run, q[t], delta, rebased, k, omin)
        at += c
    return q


@njit(cache=True, nogil=True)
def _position_coding(buf):
    """(delta-coded, re-based, k, minimum offset) from a positions part's head (pack_positions)."""
    return buf[0] & _DELTA, buf[0] & _REBASED, np.int64(buf[1]), _le32(buf, 2)


@njit(inline="always")
def _next_position(run, value, delta, rebased, k, omin):
    """(the running value, the position) after a posting's next stored value: delta-coded values add up
    (modular, as packed), then a re-based value goes back to ``slot << SLOT_SHIFT | offset``."""
    run = (run + value) & 0xFFFFFFFF if delta else np.int64(value)
    return run, ((run >> k) << SLOT_SHIFT | ((run & ((np.int64(1) << k) - 1)) + omin) if rebased else run)


@njit(cache=True, nogil=True)
def _block_parts(ids_buf, counts_buf, pos_buf):
    """A packed block's docnums, positions per posting less one, stored position values."""
    counts, _ = _unpack_u32(counts_buf, 0)
    q, _ = _unpack_u32(pos_buf, _POS_HEAD_SIZE)
    ids = _ids(ids_buf)
    if len(counts) != len(ids) or np.sum(counts.astype(np.int64)) + len(counts) != len(q):
        raise ValueError("damaged posting block")
    return ids, counts, q


def unpack_block(ids: bytes, counts: bytes, positions: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(docnums, positions per posting, all positions) of a packed block's three parts (codec.CompactCodec
    stores the counts less one)."""
    counts, _ = unpack_u32(counts)
    counts += _U32(1)
    return unpack_ids(ids), counts, unpack_positions(counts, positions)


def block_positions(positions: bytes) -> int:
    """How many positions a packed block's positions part holds."""
    return _HEAD.unpack_from(positions, _POS_HEAD_SIZE)[1]


def block_keys(ids: bytes, counts: bytes, positions: bytes, offset: int, out: np.ndarray, at: int,
               first: int = 0, lo: int = 0, hi: int = 1 << 32) -> int:
    """Writes a packed block's positions into ``out`` from ``at`` on, straight as the sorted uint64 keys
    ``docnum << 32 | position`` of phrase matching (postings.py), docnum = id + ``offset``; with ``first``, only
    positions at least that far into their slot, less ``first`` (where a phrase whose gram this is at offset
    ``first`` would start); only of docnums lo <= d < hi.  Returns where the keys end.  One compiled pass where
    unpacking and making keys with numpy took ten over the block."""
    return _block_keys(np.frombuffer(ids, dtype=np.uint8), np.frombuffer(counts, dtype=np.uint8),
                       np.frombuffer(positions, dtype=np.uint8), offset, out, at, first, lo, hi)


def block_followed(ids: bytes, counts: bytes, positions: bytes, offset: int, starts: np.ndarray, shift: int,
                   i: int, o: int) -> tuple[int, int]:
    """Phrase checking, one packed block at a time: of the candidate ``starts`` (sorted uint64 keys) from ``i``
    on, those s with s + ``shift`` one of the block's keys are moved down to ``o`` on (in place: o <= i), the
    ones passed over dropped; returns (i, o) after the block.  The block's positions are decoded and merged
    with the candidates in one pass, and a posting whose document holds no candidate is not decoded."""
    return _block_followed(np.frombuffer(ids, dtype=np.uint8), np.frombuffer(counts, dtype=np.uint8),
                           np.frombuffer(positions, dtype=np.uint8), offset, starts, np.uint64(shift), i, o)


def keys_followed(keys: np.ndarray, starts: np.ndarray, shift: int, i: int, o: int) -> tuple[int, int]:
    """block_followed() over keys already made (sorted uint64)."""
    return _keys_followed(keys, starts, np.uint64(shift), i, o)


@njit(cache=True, nogil=True)
def _block_keys(ids_buf, counts_buf, pos_buf, offset, out, o, first, lo, hi):
    ids, counts, q = _block_parts(ids_buf, counts_buf, pos_buf)
    delta, rebased, k, omin = _position_coding(pos_buf)
    at = 0
    for p in range(len(ids)):
        c = np.int64(counts[p]) + 1
        doc = np.int64(ids[p]) + offset
        if doc >= hi:
            break
        if doc < lo:
            at += c
            continue
        high = np.uint64(doc) << np.uint64(32)
        run = np.int64(0)
        for t in range(at, at + c):
            run, position = _next_position(run, q[t], delta, rebased, k, omin)
            if position & _OFFSET_MASK >= first:
                out[o] = high | np.uint64(position - first)
                o += 1
        at += c
    return o


@njit(cache=True, nogil=True)
def _block_followed(ids_buf, counts_buf, pos_buf, offset, starts, shift, i, o):
    ids, counts, q = _block_parts(ids_buf, counts_buf, pos_buf)
    delta, rebased, k, omin = _position_coding(pos_buf)
    n, at, doc_span = len(starts), 0, np.uint64(1 << 32)
    keys = np.empty(np.int64(counts.max()) + 1 if len(counts) else 0, dtype=np.uint64)
    for p in range(len(ids)):
        c = np.int64(counts[p]) + 1
        high = np.uint64(np.int64(ids[p]) + offset) << np.uint64(32)
        while i < n and starts[i] + shift < high:  # candidates in documents without the gram
            i += 1
        end = i  # the candidates in this document
        while end < n and starts[end] + shift < high + doc_span:
            end += 1
        if end > i:
            run = np.int64(0)
            for t in range(c):  # this posting's keys, then a merge with the document's candidates
                run, position = _next_position(run, q[at + t], delta, rebased, k, omin)
                keys[t] = high | np.uint64(position)
            t = 0
            while t < c and i < end:  # branch-free: the comparisons are unpredictable
                a, b = keys[t], starts[i] + shift
                starts[o] = starts[i]  # (o <= i: a candidate not yet read is never overwritten)
                o += a == b
                t += a <= b
                i += b <= a
            i = end
        if i == n:
            break
        at += c
    return i, o


@njit(cache=True, nogil=True)
def _keys_followed(keys, starts, shift, i, o):
    n = len(starts)
    for key in keys:
        while i < n and starts[i] + shift < key:
            i += 1
        if i == n:
            break
        if starts[i] + shift == key:
            starts[o] = starts[i]
            o += 1
            i += 1
    return i, o
