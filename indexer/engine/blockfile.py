"""A term's posting blocks walked straight in the mapped postings file, by compiled loops (postings.py calls them).

A term's posting list in a segment's ``.pst`` file is Whoosh's: a 4-byte magic, then block records, each a
big-endian int32 length (negative for the last block), a pickled header (protocol 2: a tuple of the block's
posting count, its last docnum, max weight, compression, min and max length bytes) and the pickled block data
(codec.CompactPostingsWriter: the highest protocol's tuple of a tag and four byte strings, or None for the
weights).  Read through Whoosh's matcher, each record cost Python (unpickling, a slice of the mapping, a call
into the compiled loop, the GIL taken back between loops), and a phrase checked over ranges of documents first
walked every header in Python to find where each range's blocks begin.  The few pickle opcodes these two tuples
are written with are read here instead, and a whole term is walked in one call that holds no GIL: first searches
at 10k reports took p50 / p95 5.37 / 13.0 ms against 5.60 / 13.6 (`python -m bench.block_reading`, the two ways
alternated search by search in one process; bench/README.md).  The layout on disk is unchanged (an index needs
no rebuild); a record in any other form — an opcode not listed below, a compressed block — makes the walk stop
with ``FALLBACK`` and the caller read the rest through Whoosh's matcher.  Nothing past a record, or past the
posting list, is read: the compiled loops do not check bounds, so the framing is checked here and the packed
arrays' sizes in packing.py (a damaged file raises ValueError instead).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from indexer.engine.analysis import SLOT_SHIFT
from indexer.engine.packing import (_PACKED_TAG, _POS_HEAD_SIZE, _RAW_TAG, _block_followed, _block_keys, _keys_followed,
                                    _le32)

FALLBACK = -1  # the walk met a record it does not read: read the rest through Whoosh's matcher
NO_ROOM = -2  # (walk_keys: ``out`` is too small for the next block)
_OFFSET_MASK = (1 << SLOT_SHIFT) - 1
_MAGIC = np.frombuffer(WHOOSH3_HEADER_MAGIC, dtype=np.uint8)

# pickle opcodes (pickletools): the header's ints and float, the data's byte strings and framing
_PROTO, _FRAME, _MARK, _TUPLE, _STOP = 0x80, 0x95, 0x28, 0x74, 0x2E
_BININT1, _BININT2, _BININT, _BINFLOAT = 0x4B, 0x4D, 0x4A, 0x47
_BINPUT, _MEMOIZE, _NONE = 0x71, 0x94, 0x4E
_SHORT_BINBYTES, _BINBYTES, _BINBYTES8 = 0x43, 0x42, 0x8E
_RAW, _PACKED = _RAW_TAG[1], _PACKED_TAG[1]  # (the tags' second bytes tell them apart)


@njit(cache=True, nogil=True, inline="always")
def _be32(buf, at):
    v = np.int64(buf[at]) << 24 | np.int64(buf[at + 1]) << 16 | np.int64(buf[at + 2]) << 8 | np.int64(buf[at + 3])
    return v - (np.int64(1) << 32) if v >= np.int64(1) << 31 else v


@njit(cache=True, nogil=True)
def _record(buf, at, end, parts):
    """Reads the block record at ``at`` (its header into parts[0:3], _header()): (where its data begins, where
    the next record begins, whether it is the last); the data's start is -1 for a record not read here, or one
    running past ``end`` (nothing past the posting list is ever read: the loops do not check bounds)."""
    if at + 4 > end:
        return -1, end, True
    length = _be32(buf, at)
    following = at + 4 + (-length if length < 0 else length)
    if following > end or following <= at + 4:
        return -1, end, True
    data = _header(buf, at + 4, following, parts)
    return (data if data >= 0 and parts[2] == 0 else -1), following, length < 0


@njit(cache=True, nogil=True)
def _header(buf, at, end, parts):
    """Reads the pickled header at ``at`` (before ``end``): parts[0] = its posting count, parts[1] = its last
    docnum, parts[2] = its compression flag; returns where it ends, or -1 for a form not read here."""
    if at + 3 > end or buf[at] != _PROTO or buf[at + 2] != _MARK:
        return -1
    at += 3
    for item in range(6):
        if at + 10 > end:  # (the longest item and the byte after it)
            return -1
        op = buf[at]
        if op == _BININT1:
            v, at = np.int64(buf[at + 1]), at + 2
        elif op == _BININT2:
            v, at = np.int64(buf[at + 1]) | np.int64(buf[at + 2]) << 8, at + 3
        elif op == _BININT:
            v = _le32(buf, at + 1)
            v, at = (v - (np.int64(1) << 32) if v >= np.int64(1) << 31 else v), at + 5
        elif op == _BINFLOAT:
            v, at = np.int64(0), at + 9
        else:
            return -1
        if item < 2:  # (the max weight, item 2, is not needed)
            parts[item] = v
        elif item == 3:
            parts[2] = v
    if buf[at] != _TUPLE:
        return -1
    at += 1
    if buf[at] == _BINPUT:
        at += 2
    return at + 1 if at < end and buf[at] == _STOP else -1


@njit(cache=True, nogil=True)
def _data(buf, at, end, parts):
    """Reads the pickled block data at ``at`` (before ``end``): parts[3] = the tag's second byte, then (start,
    length) of the ids, counts and positions strings in parts[4:10]; returns True when read."""
    if at + 2 > end or buf[at] != _PROTO:
        return False
    at += 2
    item = 0
    while at < end:
        op = buf[at]
        if op == _FRAME:
            at += 9
        elif op == _MARK or op == _MEMOIZE:
            at += 1
        elif op == _NONE:
            item += 1
            at += 1
        elif op == _SHORT_BINBYTES or op == _BINBYTES or op == _BINBYTES8:
            if at + 9 > end:
                return False
            if op == _SHORT_BINBYTES:
                n, at = np.int64(buf[at + 1]), at + 2
            elif op == _BINBYTES:
                n, at = _le32(buf, at + 1), at + 5
            else:
                n, at = _le32(buf, at + 1) | _le32(buf, at + 5) << 32, at + 9
            if n < 0 or at + n > end:
                return False
            if item == 0:
                if n != 2:
                    return False
                parts[3] = buf[at + 1]
            elif item == 1 or item == 3 or item == 4:
                k = 4 + 2 * (item - 1 if item == 1 else item - 2)  # ids → 4, counts → 6, positions → 8
                parts[k], parts[k + 1] = at, n
            item += 1
            at += n
        elif op == _TUPLE:
            return item == 5 and (parts[3] == _RAW or parts[3] == _PACKED)
        else:  # (a memo reference, another type: not what CompactPostingsWriter writes)
            return False
    return False


@njit(cache=True, nogil=True)
def _raw_keys(buf, parts, offset):
    """The uint64 keys docnum << 32 | position of a raw block (flat uint32 ids, counts, positions)."""
    n_ids, n_pos = parts[5] // 4, parts[9] // 4
    if parts[7] != parts[5]:
        raise ValueError("damaged posting block")
    keys = np.empty(n_pos, dtype=np.uint64)
    t = 0
    for p in range(n_ids):
        high = np.uint64(_le32(buf, parts[4] + 4 * p) + offset) << np.uint64(32)
        c = _le32(buf, parts[6] + 4 * p)
        if t + c > n_pos:
            raise ValueError("damaged posting block")
        for _ in range(c):
            keys[t] = high | np.uint64(_le32(buf, parts[8] + 4 * t))
            t += 1
    return keys


@njit(cache=True, nogil=True)
def walk_keys(buf, at, end, offset, out, o, first, lo, hi, state):
    """postings.term_keys() of one segment's posting list: the blocks from ``at`` (a record's start) to ``end``
    decoded into ``out`` from ``o`` on (packing.block_keys).  Returns (o, status): status 0 done; NO_ROOM: go on
    from record ``state[0]`` once ``out`` has room for ``state[1]`` more; FALLBACK: record ``state[0]`` is read by
    Whoosh's matcher, and the rest after it."""
    parts = np.zeros(10, dtype=np.int64)
    while at < end:
        data, following, last = _record(buf, at, end, parts)
        if data < 0:
            state[0] = at
            return o, FALLBACK
        if parts[1] + offset >= lo:  # else every document of the block comes before the range
            if not _data(buf, data, following, parts):
                state[0] = at
                return o, FALLBACK
            ids = buf[parts[4]:parts[4] + parts[5]]
            counts = buf[parts[6]:parts[6] + parts[7]]
            positions = buf[parts[8]:parts[8] + parts[9]]
            if parts[3] == _PACKED:
                n = _le32(positions, _POS_HEAD_SIZE + 1)  # (packing.block_positions)
                if o + n > len(out):
                    state[0], state[1] = at, n
                    return o, NO_ROOM
                o = _block_keys(ids, counts, positions, offset, out, o, first, lo, hi)
            else:
                keys = _raw_keys(buf, parts, offset)
                if o + len(keys) > len(out):
                    state[0], state[1] = at, len(keys)
                    return o, NO_ROOM
                o = _keep_keys(keys, out, o, first, lo, hi)
            if parts[1] + offset >= hi - 1:  # the blocks after this one hold later documents
                break
        if last:
            break
        at = following
    return o, 0


@njit(cache=True, nogil=True)
def _keep_keys(keys, out, o, first, lo, hi):
    """Of keys made whole (a raw block), those packing._block_keys would write, written as it writes them."""
    for key in keys:
        doc = np.int64(key >> np.uint64(32))
        if doc < lo or doc >= hi or (np.int64(key) & 0xFFFFFFFF & _OFFSET_MASK) < first:
            continue
        out[o] = key - np.uint64(first)
        o += 1
    return o


@njit(cache=True, nogil=True)
def walk_followed(buf, at, end, offset, starts, shift, i, o, state):
    """postings.followed() over one segment's posting list from record ``at`` to ``end``
    (packing.block_followed per block; a block whose documents all come before the next candidate's is not
    read).  Returns (i, o, status): status 0, or FALLBACK: record ``state[0]`` on is read by Whoosh's matcher."""
    parts = np.zeros(10, dtype=np.int64)
    n = len(starts)
    while at < end and i < n:
        data, following, last = _record(buf, at, end, parts)
        if data < 0:
            state[0] = at
            return i, o, FALLBACK
        if parts[1] + offset >= np.int64((starts[i] + shift) >> np.uint64(32)):
            if not _data(buf, data, following, parts):
                state[0] = at
                return i, o, FALLBACK
            if parts[3] == _PACKED:
                i, o = _block_followed(buf[parts[4]:parts[4] + parts[5]], buf[parts[6]:parts[6] + parts[7]],
                                       buf[parts[8]:parts[8] + parts[9]], offset, starts, shift, i, o)
            else:
                i, o = _keys_followed(_raw_keys(buf, parts, offset), starts, shift, i, o)
        if last:
            break
        at = following
    return i, o, 0


def has_magic(buf: np.ndarray, at: int) -> bool:
    """Whether a posting list begins at ``at`` (else the matcher's own reading reports the damage)."""
    return at + 4 <= len(buf) and bool((buf[at:at + 4] == _MAGIC).all())

