"""Integer arrays of the posting blocks, packed small and unpacked with a few numpy passes (no Python per value).

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

from indexer.engine.analysis import SLOT_SHIFT

_HEAD = struct.Struct("<BII")  # width in bits, values, exceptions
_POS_HEAD = struct.Struct("<BBI")  # flags, k, minimum offset
_DELTA, _REBASED = 1, 2
_OFFSET_MASK = (1 << SLOT_SHIFT) - 1
_U32 = np.uint32
_WIDTHS = (0, 1, 2, 4, 8, 16, 24, 32)  # bits
_BYTE_DTYPE = {8: np.uint8, 16: np.uint16, 32: np.uint32}
_SHIFTS = {w: np.arange(0, 8, w, dtype=np.uint8) for w in (1, 2, 4)}  # of the values within a byte


def _width(values: np.ndarray) -> int:
    """The width in bits with the fewest bits in all, counting 64 (index and value) per value that does not
    fit."""
    n = len(values)
    if not n:
        return 8
    fits = next(w for w in _WIDTHS if int(values.max()) < 1 << w)
    best, best_size = fits, n * fits
    for width in _WIDTHS:
        if width >= fits:
            break
        size = n * width + 64 * int(np.count_nonzero(values >> _U32(width)))
        if size < best_size:
            best, best_size = width, size
    return best


def pack_u32(values: np.ndarray) -> bytes:
    """``values`` (uint32) in the width (_WIDTHS) with the fewest bits, counting 64 per value that does not
    fit."""
    values = np.asarray(values, dtype=_U32)
    n = len(values)
    width = _width(values)
    exc = np.flatnonzero(values >> _U32(width)).astype(_U32) if width < 32 else np.zeros(0, _U32)
    low = values & _U32((1 << width) - 1) if width < 32 else values
    if width == 0:
        body = b""
    elif width < 8:
        per = 8 // width
        padded = np.zeros(-(-n // per) * per, dtype=np.uint8)
        padded[:n] = low
        body = np.bitwise_or.reduce(padded.reshape(-1, per) << _SHIFTS[width], axis=1).astype(np.uint8).tobytes()
    elif width == 24:
        body = low.view(np.uint8).reshape(n, 4)[:, :3].tobytes()  # little-endian: the low three bytes
    else:
        body = low.astype(_BYTE_DTYPE[width]).tobytes()
    return _HEAD.pack(width, n, len(exc)) + body + exc.tobytes() + values[exc].tobytes()


def unpack_u32(buf: bytes, at: int = 0) -> tuple[np.ndarray, int]:
    """(the uint32 array pack_u32 wrote at ``at`` in ``buf``, the offset after it)."""
    width, n, n_exc = _HEAD.unpack_from(buf, at)
    at += _HEAD.size
    if width == 0:
        out = np.zeros(n, dtype=_U32)
    elif width < 8:
        nbytes = -(-n * width // 8)
        packed = np.frombuffer(buf, dtype=np.uint8, count=nbytes, offset=at)
        out = ((packed[:, None] >> _SHIFTS[width]) & np.uint8((1 << width) - 1)).reshape(-1)[:n].astype(_U32)
        at += nbytes
    elif width == 24:
        out = np.zeros((n, 4), dtype=np.uint8)
        out[:, :3] = np.frombuffer(buf, dtype=np.uint8, count=3 * n, offset=at).reshape(n, 3)
        out = out.view(_U32).reshape(n)
        at += 3 * n
    else:
        out = np.frombuffer(buf, dtype=_BYTE_DTYPE[width], count=n, offset=at).astype(_U32)
        at += width // 8 * n
    if n_exc:
        exc = np.frombuffer(buf, dtype=_U32, count=n_exc, offset=at)
        out[exc] = np.frombuffer(buf, dtype=_U32, count=n_exc, offset=at + 4 * n_exc)
        at += 8 * n_exc
    return out, at


def pack_ids(ids: np.ndarray) -> bytes:
    """Ascending docnums as the first one and the gaps after it."""
    gaps = np.array(ids, dtype=_U32)
    gaps[1:] -= gaps[:-1].copy()
    return pack_u32(gaps)


def unpack_ids(buf: bytes) -> np.ndarray:
    gaps, _ = unpack_u32(buf)
    return np.cumsum(gaps, dtype=_U32)


def pack_positions(counts: np.ndarray, positions: np.ndarray, ascending: bool = True) -> bytes:
    """A block's positions (``counts[i]`` of posting i, one posting after another), re-based, and delta-coded
    when they ascend within each posting (the per-slot entries of analysis.ExactBigramSlotField do not)."""
    q = np.asarray(positions, dtype=_U32)
    flags, k, omin = 0, 0, 0
    if len(q):
        offset = q & _U32(_OFFSET_MASK)
        omin = int(offset.min())
        k = int(offset.max() - omin).bit_length()
        if (int(q[-1] if ascending and len(counts) == 1 else q.max()) >> SLOT_SHIFT) + 1 << k <= 1 << 32:
            q = ((q >> _U32(SLOT_SHIFT)) << _U32(k)) | (offset - _U32(omin))
            flags |= _REBASED
        if ascending:
            d = q.copy()
            d[1:] -= q[:-1]
            starts = _posting_starts(counts)
            d[starts] = q[starts]
            q = d
            flags |= _DELTA
    return _POS_HEAD.pack(flags, k, omin) + pack_u32(q)


def unpack_positions(counts: np.ndarray, buf: bytes) -> np.ndarray:
    flags, k, omin = _POS_HEAD.unpack_from(buf)
    q, _ = unpack_u32(buf, _POS_HEAD.size)
    if flags & _DELTA and len(q):
        total = np.cumsum(q, dtype=_U32)  # modular: each posting's sum is its true positions
        starts = _posting_starts(counts)
        before = total[starts] - q[starts]
        q = total - np.repeat(before, counts)
    if flags & _REBASED:
        q = ((q >> _U32(k)) << _U32(SLOT_SHIFT)) | ((q & _U32((1 << k) - 1)) + _U32(omin))
    return q


def _posting_starts(counts: np.ndarray) -> np.ndarray:
    ends = np.cumsum(counts, dtype=np.int64)
    return ends - counts
