"""A field's posting lists written as block records by compiled loops — the writing side of blockfile.py, for
the exact view's fields (codec.CompactFieldWriter) and for merges (merge.py).

Whoosh writes a term's list block by block through its postings writer: a Python call per block (two pickles, the
packing, the statistics of the TermInfo) and several per term (start, add, finish, the TermInfo's bytes).  At 1k
reports a segment has ~28,000 blocks of ~25,000 terms, and a merge of ten 500-report segments spent ~7 of its 9.3 s
in that Python, per term and per block, around compiled loops that took ~2.  Here one compiled call writes the
records of many terms into one buffer — the same bytes as codec.CompactPostingsWriter writes (the pickles'
opcodes and their framing are those of CPython's pickler, checked against pickle.dumps by the tests) — and
returns each term's statistics, from which the caller makes its TermInfo; for a merge the same call first reads
the term's lists in the merged segments (blockfile's readers) and maps their docnums.

Each term's list is Whoosh's: a 4-byte magic, then records of a big-endian int32 length (negative for the last),
the header pickled with protocol 2 (posting count, last docnum, max weight, compression 0, min and max length
bytes 0) and the data with the highest protocol (a tag and the four byte strings of codec.CompactPostingsWriter).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from indexer.engine.blockfile import _data as _data_read
from indexer.engine.blockfile import _record
from indexer.engine.packing import (_PACK_MIN_POSITIONS, _PACKED_TAG, _RAW_TAG, BLOCK_LIMIT, _block_parts, _le32,
                                    _next_position, _pack_ids, _pack_positions, _pack_u32, _position_coding, _put32)

# a term's statistics, one row each (TermInfo: the weight is the positions, the max weight the largest count)
START, LENGTH, WEIGHT, DF, MAX_COUNT, MIN_ID, MAX_ID = range(7)
STATS = 7
NO_ROOM = -1  # (returned for the next term when ``out`` cannot hold it: flush ``out`` and call again)
DAMAGED = -2  # (merge_lists: a record it does not read; the caller merges the term through Whoosh's reader)

_FRAME_TARGET = 64 * 1024  # CPython's pickler: a frame is closed once this long; bytes this long go outside
_FRAME_MIN = 4  # a shorter frame has no FRAME opcode
_MAGIC = (0x57, 0x33, 0x42, 0x6C)  # b"W3Bl" (whoosh3.WHOOSH3_HEADER_MAGIC)
_RAW, _PACKED = _RAW_TAG[1], _PACKED_TAG[1]
_C = 0x63  # the tags' first byte, "c"
_DIGIT_BITS = 11  # stable_order's radix


@njit(cache=True, nogil=True)
def block_bound(postings, positions, blocks):
    """Bytes a list of these postings, positions and blocks takes at most (the packed parts are never longer
    than 4 bytes a value and their heads; 200 bytes a block cover the record's length, pickles and frames)."""
    return 16 + 200 * blocks + 8 * postings + 4 * positions


@njit(cache=True, nogil=True, inline="always")
def _blocks(n):
    return (n + BLOCK_LIMIT - 1) // BLOCK_LIMIT


@njit(cache=True, nogil=True)
def stable_order(keys):
    """(``keys`` sorted, the stable order that sorts them): a least-significant-digit radix sort, 11 bits a pass
    and as many passes as the largest key needs, the keys carried along.  A segment's grams (~6 M of 500 reports
    in the bigram field) in 0.18 s, where numpy's stable argsort took 0.23 s even with each report's grams sorted
    first (0.54 ms a report more)."""
    n = len(keys)
    top = np.uint64(0)
    for k in keys:
        top = max(top, k)
    passes = 0
    while top:
        top >>= np.uint64(_DIGIT_BITS)
        passes += 1
    mask = np.uint64((1 << _DIGIT_BITS) - 1)
    counts = np.zeros((passes, 1 << _DIGIT_BITS), dtype=np.int64)
    for k in keys:
        for p in range(passes):
            counts[p, (k >> np.uint64(_DIGIT_BITS * p)) & mask] += 1
    a, b = keys.copy(), np.empty(n, dtype=keys.dtype)
    oa, ob = np.arange(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    starts = np.empty(1 << _DIGIT_BITS, dtype=np.int64)
    for p in range(passes):
        if counts[p].max() == n:  # (every key has the same digit here: nothing moves)
            continue
        at = 0
        for d in range(1 << _DIGIT_BITS):
            starts[d] = at
            at += counts[p, d]
        shift = np.uint64(_DIGIT_BITS * p)
        for i in range(n):
            d = (a[i] >> shift) & mask
            j = starts[d]
            b[j], ob[j] = a[i], oa[i]
            starts[d] = j + 1
        a, b = b, a
        oa, ob = ob, oa
    return a, oa


# -- CPython's pickler, the few opcodes a block uses ------------------------------------------------------------


@njit(cache=True, nogil=True)
def _open(o, fs):
    """A write while framing opens a frame when none is (its 9-byte head reserved at ``fs``)."""
    if fs < 0:
        return o + 9, o
    return o, fs


@njit(cache=True, nogil=True)
def _commit(out, o, fs):
    """Closes the open frame: its FRAME head written, or taken out when the frame is too short to have one."""
    if fs < 0:
        return o
    n = o - fs - 9
    if n >= _FRAME_MIN:
        out[fs] = 0x95
        for k in range(8):
            out[fs + 1 + k] = (n >> (8 * k)) & 0xFF
        return o
    for k in range(n):
        out[fs + k] = out[fs + 9 + k]
    return o - 9


@njit(cache=True, nogil=True)
def _boundary(out, o, fs):
    """Before each element of the tuple is saved: a frame this long is closed."""
    if fs >= 0 and o - fs - 9 >= _FRAME_TARGET:
        return _commit(out, o, fs), -1
    return o, fs


@njit(cache=True, nogil=True)
def _save_bytes(out, o, fs, src, a, n):
    """A bytes object of ``n`` bytes ``src[a:a + n]`` (SHORT_BINBYTES or BINBYTES), memoized; one as long as a
    frame goes outside frames."""
    if n >= _FRAME_TARGET:  # written outside any frame, the frame before it closed
        o = _commit(out, o, fs)
        fs = -1
        out[o] = 0x42
        _put32(out, o + 1, n)
        o += 5
    else:
        o, fs = _open(o, fs)
        if n < 256:
            out[o], out[o + 1] = 0x43, n
            o += 2
        else:
            out[o] = 0x42
            _put32(out, o + 1, n)
            o += 5
    out[o:o + n] = src[a:a + n]
    o += n
    o, fs = _open(o, fs)
    out[o] = 0x94  # MEMOIZE
    return o + 1, fs


@njit(cache=True, nogil=True)
def _save_small(out, o, fs, ops, n):
    """Opcodes ``ops[:n]`` written while framing (MARK, NONE, TUPLE and the like)."""
    o, fs = _open(o, fs)
    for k in range(n):
        out[o + k] = ops[k]
    return o + n, fs


@njit(cache=True, nogil=True)
def _pickle_int(out, o, v):
    """An int as protocol 2 pickles one that fits in 32 bits (BININT1, BININT2 or BININT)."""
    if 0 <= v <= 0xFF:
        out[o], out[o + 1] = 0x4B, v
        return o + 2
    if 0 <= v <= 0xFFFF:
        out[o], out[o + 1], out[o + 2] = 0x4D, v & 0xFF, v >> 8
        return o + 3
    out[o] = 0x4A
    _put32(out, o + 1, v & 0xFFFFFFFF)
    return o + 5


@njit(cache=True, nogil=True)
def _header(out, o, count, last_id, max_weight):
    """The block's header, ``pickle.dumps((count, last_id, float(max_weight), 0, 0, 0), 2)``."""
    out[o], out[o + 1], out[o + 2] = 0x80, 2, 0x28  # PROTO 2, MARK
    o = _pickle_int(out, o + 3, count)
    o = _pickle_int(out, o, last_id)
    out[o] = 0x47  # BINFLOAT, big-endian
    bits = np.array([np.float64(max_weight)]).view(np.uint64)[0]
    for k in range(8):
        out[o + 1 + k] = (bits >> np.uint64(8 * (7 - k))) & np.uint64(0xFF)
    o += 9
    for k in range(3):
        out[o + 2 * k], out[o + 2 * k + 1] = 0x4B, 0
    o += 6
    out[o], out[o + 1], out[o + 2], out[o + 3] = 0x74, 0x71, 0, 0x2E  # TUPLE, BINPUT 0, STOP
    return o + 4


@njit(cache=True, nogil=True)
def _pickle_data(out, o, tag, ids, ids_n, counts, counts_n, positions, positions_n):
    """The block's data, ``pickle.dumps((tag, ids, None, counts, positions), 5)`` of the parts' bytes."""
    out[o], out[o + 1] = 0x80, 5  # PROTO 5; then framing
    o += 2
    fs = -1
    ops = np.empty(3, dtype=np.uint8)
    ops[0] = 0x28  # MARK
    o, fs = _save_small(out, o, fs, ops, 1)
    ops[0], ops[1] = _C, tag
    # (a long frame is closed before each element is saved; before the ids it holds 6 bytes)
    o, fs = _save_bytes(out, o, fs, ops, 0, 2)
    o, fs = _save_bytes(out, o, fs, ids, 0, ids_n)
    o, fs = _boundary(out, o, fs)
    ops[0] = 0x4E  # NONE
    o, fs = _save_small(out, o, fs, ops, 1)
    o, fs = _boundary(out, o, fs)
    o, fs = _save_bytes(out, o, fs, counts, 0, counts_n)
    o, fs = _boundary(out, o, fs)
    o, fs = _save_bytes(out, o, fs, positions, 0, positions_n)
    ops[0], ops[1], ops[2] = 0x74, 0x94, 0x2E  # TUPLE, MEMOIZE, STOP
    o, fs = _save_small(out, o, fs, ops, 3)
    return _commit(out, o, fs)


# -- a term's list ------------------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _raw_part(values):
    """uint32 values as their little-endian bytes."""
    return values.view(np.uint8)


@njit(cache=True, nogil=True)
def _write_list(ids, counts, positions, ascending, out, o, row):
    """One term's list (its postings: docnums ``ids``, ``counts``, all ``positions``) written at ``out[o:]``;
    its statistics into ``row``; returns where it ends."""
    start = o
    for k in range(4):
        out[o + k] = _MAGIC[k]
    o += 4
    n = len(ids)
    at = 0
    max_count = 0
    for b0 in range(0, n, BLOCK_LIMIT):
        b1 = min(b0 + BLOCK_LIMIT, n)
        block_ids, block_counts = ids[b0:b1], counts[b0:b1]
        n_pos = 0
        block_max = 0
        for c in block_counts:
            n_pos += c
            block_max = max(block_max, np.int64(c))
        block_positions = positions[at:at + n_pos]
        at += n_pos
        max_count = max(max_count, block_max)
        record = o
        o = _header(out, o + 4, b1 - b0, np.int64(block_ids[-1]), block_max)
        if n_pos < _PACK_MIN_POSITIONS:
            o = _pickle_data(out, o, _RAW, _raw_part(block_ids.copy()), 4 * len(block_ids),
                      _raw_part(block_counts.copy()), 4 * len(block_counts),
                      _raw_part(block_positions.copy()), 4 * n_pos)
        else:
            a = np.empty(9 + 12 * len(block_ids), dtype=np.uint8)
            a_n = _pack_ids(block_ids.copy(), a)
            less = block_counts - np.uint32(1)
            c = np.empty(9 + 12 * len(less), dtype=np.uint8)
            c_n = _pack_u32(less, c, 0)
            p = np.empty(15 + 12 * n_pos, dtype=np.uint8)
            p_n = _pack_positions(block_counts.copy(), block_positions.copy(), ascending, p)
            o = _pickle_data(out, o, _PACKED, a, a_n, c, c_n, p, p_n)
        length = o - record - 4
        if b1 == n:
            length = -length
        v = length & 0xFFFFFFFF
        out[record], out[record + 1], out[record + 2], out[record + 3] = \
            (v >> 24) & 0xFF, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF
    row[START], row[LENGTH], row[WEIGHT], row[DF] = start, o - start, at, n
    row[MAX_COUNT], row[MIN_ID], row[MAX_ID] = max_count, ids[0], ids[n - 1]
    return o


@njit(cache=True, nogil=True)
def write_lists(ids, counts, positions, post_bounds, pos_bounds, t, ascending, out, stats):
    """The lists of terms ``t`` on — term i's postings ``ids``/``counts`` [post_bounds[i], post_bounds[i + 1])
    and positions ``positions`` [pos_bounds[i], pos_bounds[i + 1]) — written into ``out`` one after another
    (stats[i] their statistics, START from the beginning of ``out``) until a term's list may not fit.  Returns
    (the first term not written, where the bytes end)."""
    o = 0
    n_terms = len(post_bounds) - 1
    while t < n_terms:
        p0, p1, q0, q1 = post_bounds[t], post_bounds[t + 1], pos_bounds[t], pos_bounds[t + 1]
        if o + block_bound(p1 - p0, q1 - q0, _blocks(p1 - p0)) > len(out):
            break
        o = _write_list(ids[p0:p1], counts[p0:p1], positions[q0:q1], ascending, out, o, stats[t])
        t += 1
    return t, o


# -- a merge --------------------------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _grown(a, n):
    if n <= len(a):
        return a
    b = np.empty(max(n, 2 * len(a)), dtype=a.dtype)
    b[:len(a)] = a
    return b


@njit(cache=True, nogil=True, inline="always")
def _mapped(d, base, docmaps, docmap_at, docmap_end):
    """A docnum in the merged segment (-1: deleted): ``docmaps[docmap_at:docmap_end]`` maps the segment's
    docnums, or when that is empty they move by ``base``."""
    if docmap_at == docmap_end:
        return d + base
    if docmap_at + d >= docmap_end:
        raise ValueError("damaged posting block")
    return docmaps[docmap_at + d]


@njit(cache=True, nogil=True)
def gather(src, src_at, src_end, dst, dst_at):
    """Copies src[src_at[i]:src_end[i]] to dst[dst_at[i]:] for each i (a segment's lists of some terms, into the
    buffer merge_lists reads)."""
    for i in range(len(src_at)):
        n = src_end[i] - src_at[i]
        dst[dst_at[i]:dst_at[i] + n] = src[src_at[i]:src_end[i]]


@njit(cache=True, nogil=True)
def _read_list(buf, at, end, base, docmaps, docmap_at, docmap_end, ids, counts, positions, n, m):
    """Appends a segment's list of a term (the record at ``at`` to ``end``: after its magic) to ids/counts/
    positions from n / m, docnums mapped (_mapped), postings of deleted documents (-1) left out.  Returns (ids,
    counts, positions, n, m), or n = -1 for a record not read here."""
    parts = np.zeros(10, dtype=np.int64)
    while at < end:
        data, following, last = _record(buf, at, end, parts)
        if data < 0 or not _data_read(buf, data, following, parts):
            return ids, counts, positions, -1, m
        if parts[3] == _PACKED:
            pos_buf = buf[parts[8]:parts[8] + parts[9]]
            b_ids, b_less, q = _block_parts(buf[parts[4]:parts[4] + parts[5]], buf[parts[6]:parts[6] + parts[7]],
                                            pos_buf)
            delta, rebased, k, omin = _position_coding(pos_buf)
            ids, counts = _grown(ids, n + len(b_ids)), _grown(counts, n + len(b_ids))
            positions = _grown(positions, m + len(q))
            t = 0
            for p in range(len(b_ids)):
                c = np.int64(b_less[p]) + 1
                d = _mapped(np.int64(b_ids[p]), base, docmaps, docmap_at, docmap_end)
                if d >= 0:
                    ids[n], counts[n] = d, c
                    n += 1
                    run = np.int64(0)
                    for i in range(t, t + c):
                        run, positions[m] = _next_position(run, q[i], delta, rebased, k, omin)
                        m += 1
                t += c
        else:
            n_ids, n_pos = parts[5] // 4, parts[9] // 4
            if parts[7] != parts[5]:
                raise ValueError("damaged posting block")
            ids, counts = _grown(ids, n + n_ids), _grown(counts, n + n_ids)
            positions = _grown(positions, m + n_pos)
            t = 0
            for p in range(n_ids):
                c = _le32(buf, parts[6] + 4 * p)
                if t + c > n_pos:
                    raise ValueError("damaged posting block")
                d = _mapped(_le32(buf, parts[4] + 4 * p), base, docmaps, docmap_at, docmap_end)
                if d >= 0:
                    ids[n], counts[n] = d, c
                    n += 1
                    for i in range(t, t + c):
                        positions[m] = _le32(buf, parts[8] + 4 * i)
                        m += 1
                t += c
        if last:
            break
        at = following
    return ids, counts, positions, n, m


@njit(cache=True, nogil=True)
def merge_lists(buf, bases, docmaps, docmap_bounds, row_seg, row_at, row_end, term_rows, t, ascending, out, stats):
    """A merge's lists of terms ``t`` on: term i's lists in the merged segments are the rows term_rows[i] to
    term_rows[i + 1] (segment, where the list begins in ``buf`` and where it ends: gather() copied them there),
    read and written as one list into ``out`` (write_lists) until a term's list may not fit.  Segment s's
    docnums map by docmaps[docmap_bounds[s]:docmap_bounds[s + 1]], or move by bases[s] when that is empty.  A
    term without live postings is written as nothing (stats[i][DF] = 0).  Returns (the first term not written,
    where the bytes end, status: 0, NO_ROOM, or DAMAGED for a term whose records are not read here)."""
    o = 0
    ids = np.empty(1024, dtype=np.uint32)
    counts = np.empty(1024, dtype=np.uint32)
    positions = np.empty(65536, dtype=np.uint32)
    n_terms = len(term_rows) - 1
    while t < n_terms:
        n = m = 0
        for r in range(term_rows[t], term_rows[t + 1]):
            s, at = row_seg[r], row_at[r]
            if at + 4 > row_end[r] or buf[at] != _MAGIC[0] or buf[at + 1] != _MAGIC[1] or \
                    buf[at + 2] != _MAGIC[2] or buf[at + 3] != _MAGIC[3]:
                return t, o, DAMAGED
            ids, counts, positions, n, m = _read_list(buf, at + 4, row_end[r], bases[s], docmaps, docmap_bounds[s],
                                                      docmap_bounds[s + 1], ids, counts, positions, n, m)
            if n < 0:
                return t, o, DAMAGED
        if n == 0:
            stats[t][DF] = 0
            t += 1
            continue
        if o + block_bound(n, m, _blocks(n)) > len(out):
            return t, o, NO_ROOM
        o = _write_list(ids[:n], counts[:n], positions[:m], ascending, out, o, stats[t])
        t += 1
    return t, o, 0
