"""How positions are read: a generation's files through mmap, a term's entry per segment, and its posting blocks
(analysis.CompactPositions in codec.CompactCodec blocks, packing.py) as numpy arrays.

Positions come out as sorted uint64 keys ``docnum << 32 | position`` (a position is ``slot << SLOT_SHIFT | offset``,
see analysis.py), which is what phrase matching (matching.py) intersects.
"""

from __future__ import annotations

import hashlib
import mmap
import struct

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

from indexer.engine import blockfile
from indexer.engine.analysis import SLOT_SHIFT
from indexer.engine.codec import _PACKED_TAG
from indexer.engine.packing import block_followed, block_keys, block_positions, keys_followed

_OFFSET_MASK = (1 << SLOT_SHIFT) - 1


class MappedStorage(FileStorage):
    """A generation's files read through mmap: Whoosh reads a term's entry and posting blocks with a seek and a
    read each, ~800 system calls for a five-character query over 20 segments; on a mapping they are memory
    copies.  (A generation's files never change once published; one deleted while mapped stays readable.)"""

    def open_file(self, name, **kwargs):
        with open(self._fpath(name), "rb") as f:
            try:
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        return StructFile(mapped, name=name, **kwargs)


def make_keys(ids: np.ndarray, counts: np.ndarray, positions: np.ndarray, offset: int) -> np.ndarray:
    """uint64 keys docnum << 32 | position from a compact block's uint32 arrays: written as (low, high) uint32
    pairs and viewed as uint64 (little-endian), which saves the shifts and ors over 64-bit values."""
    out = np.empty((len(positions), 2), dtype=np.uint32)
    out[:, 0] = positions
    out[:, 1] = np.repeat(ids + np.uint32(offset) if offset else ids, counts)
    return out.view(np.uint64).reshape(-1)


def lookup_infos(subs: list, field: str, bterm: bytes) -> tuple[float, list]:
    """(positions of the term in the index, its TermInfo in each segment or None)."""
    infos, total = [], 0.0
    for sub, _offset in subs:
        info = term_info(sub._terms, field, bterm)
        if info is not None:
            total += info.weight()
        infos.append(info)
    return total, infos


_POINTER, _LENGTHS = struct.Struct("!Iq"), struct.Struct("!ii")  # (whoosh.filedb.filetables' _pointer, _lengths)


def term_info(terms, field: str, bterm: bytes):
    """Whoosh's W3TermsReader.term_info(field, bterm), or None for a term not in the segment: its hash table
    (filetables.HashReader: an md5 of the key picks one of 256 tables, then a slot, probed on) read straight from
    the mapped term index, without a file position — 2 µs where Whoosh's generators over seeks and reads took 6, a
    search looks up each gram of its phrases in each segment."""
    tindex = terms._tindex
    mapped = tindex.dbfile.file
    if tindex.hashtype != 0 or not isinstance(mapped, mmap.mmap):  # (md5 is what Whoosh writes)
        try:
            return terms.term_info(field, bterm)
        except TermNotFound:
            return None
    key = terms._keycoder(field, bterm)
    keyhash = int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big")  # filetables.md5_hash
    start, slots = tindex.tables[keyhash & 255]
    if not slots:
        return None
    end = start + slots * _POINTER.size
    at = start + (keyhash >> 8) % slots * _POINTER.size
    for _ in range(slots):
        slothash, item = _POINTER.unpack_from(mapped, at)
        if not item:
            return None
        if slothash == keyhash:
            keylen, datalen = _LENGTHS.unpack_from(mapped, item)
            begin = item + _LENGTHS.size
            if keylen == len(key) and mapped[begin:begin + keylen] == key:
                return W3TermInfo.from_bytes(mapped[begin + keylen:begin + keylen + datalen])
        at += _POINTER.size
        if at == end:
            at = start
    return None


def postings(sub, field: str, info):
    """A matcher over every posting of the term, deleted documents included (their doc_report is -1); on a
    mapped file it reads at offsets, and several threads may read at once (codec.CompactLeafMatcher)."""
    terms = sub._terms
    return terms._codec.postings_reader(terms._postfile, info, sub.schema[field].format)


def term_segments(subs: list, infos: list) -> list:
    """(reader, docnum offset, TermInfo or None) of each segment, as term_keys() and followed() take them, from
    (reader, docnum offset) of each and a term's TermInfo in each (Snapshot.term_infos)."""
    return [(sub, offset, info) for (sub, offset), info in zip(subs, infos)]


def term_keys(segments: list, field: str, first: int = 0, docs: tuple[int, int] | None = None) -> np.ndarray:
    """All positions of a term in ``segments`` ((reader, docnum offset, TermInfo or None), in docnum order) as
    sorted uint64 keys docnum << 32 | position; with ``first``, the positions at least ``first`` into their slot,
    less ``first``; only of docnums lo <= d < hi with ``docs`` = (lo, hi).  Each segment's
    blocks are walked and decoded straight into one array by one compiled call (blockfile.walk_keys); blocks
    wholly before ``docs`` are passed over by their headers."""
    lo, hi = docs or (0, 1 << 32)
    estimate = sum(int(info.weight()) for _sub, _offset, info in segments if info is not None)
    if docs is not None:
        total = sum(sub.doc_count_all() for sub, _offset, _info in segments)
        estimate = estimate * (hi - lo) // max(total, 1)
    keys = _Keys(estimate)
    state = np.zeros(2, dtype=np.int64)
    for sub, offset, info in segments:
        if info is None or offset >= hi or offset + sub.doc_count_all() <= lo:
            continue
        if info.is_inlined():  # a single posting, in Whoosh's own layout in the term index
            keys.add(_from(_inlined_keys(postings(sub, field, info), offset), first, lo, hi))
            continue
        buf, at, end = _posting_list(sub, info)
        status = blockfile.FALLBACK if buf is None else blockfile.NO_ROOM
        while status == blockfile.NO_ROOM:
            keys.n, status = blockfile.walk_keys(buf, at, end, offset, keys.array, keys.n, first, lo, hi, state)
            if status == blockfile.NO_ROOM:
                keys.room(int(state[1]))
                at = int(state[0])
        if status == blockfile.FALLBACK:
            _matcher_keys(keys, sub, field, info, None if buf is None else int(state[0]), offset, first, lo, hi)
    return keys.array[:keys.n]


def _matcher_keys(keys: "_Keys", sub, field: str, info, at: int | None, offset: int, first: int, lo: int,
                  hi: int) -> None:
    """term_keys() of one segment through Whoosh's matcher, from the record at ``at`` (None: the first), for a
    posting list blockfile does not walk."""
    m = postings(sub, field, info)
    if at is not None:
        m._goto(at)
    while m.is_active():
        if m._maxid + offset >= lo:
            d = m._compact_data()
            if d[0] == _PACKED_TAG:
                keys.n = block_keys(d[1], d[3], d[4], offset, keys.room(block_positions(d[4])), keys.n, first,
                                    lo, hi)
            else:
                keys.add(_from(make_keys(*m.compact_block(), offset), first, lo, hi))
            if m._maxid + offset >= hi - 1:  # the blocks after this one hold later documents
                break
        m._next_block()


def followed(segments: list, field: str, starts: np.ndarray, shift: int) -> np.ndarray:
    """The candidate ``starts`` (sorted uint64 keys, an array of the caller's, reused) that the term follows at
    ``shift``: s with s + shift one of its positions (packing.block_followed); ``segments`` as term_keys() takes
    them.  Each segment's blocks are walked by one compiled call (blockfile.walk_followed); blocks whose
    documents all come before the next candidate's are passed over by their headers."""
    i = o = 0
    n, shift64 = len(starts), np.uint64(shift)
    state = np.zeros(1, dtype=np.int64)
    for sub, offset, info in segments:
        if i == n:
            break
        if info is None or offset + sub.doc_count_all() <= int(starts[i] + shift64) >> 32:
            continue
        if info.is_inlined():
            i, o = keys_followed(_inlined_keys(postings(sub, field, info), offset), starts, shift, i, o)
            continue
        buf, at, end = _posting_list(sub, info)
        status = blockfile.FALLBACK
        if buf is not None:
            i, o, status = blockfile.walk_followed(buf, at, end, offset, starts, shift64, i, o, state)
        if status == blockfile.FALLBACK:
            i, o = _matcher_followed(sub, field, info, None if buf is None else int(state[0]), offset, starts,
                                     shift, i, o)
    return starts[:o]


def _matcher_followed(sub, field: str, info, at: int | None, offset: int, starts: np.ndarray, shift: int, i: int,
                      o: int) -> tuple[int, int]:
    """followed() of one segment through Whoosh's matcher, from the record at ``at`` (None: the first)."""
    m = postings(sub, field, info)
    if at is not None:
        m._goto(at)
    n, shift64 = len(starts), np.uint64(shift)
    while i < n and m.is_active():
        if m._maxid + offset >= int(starts[i] + shift64) >> 32:  # else no candidate's document in the block
            d = m._compact_data()
            if d[0] == _PACKED_TAG:
                i, o = block_followed(d[1], d[3], d[4], offset, starts, shift, i, o)
            else:
                i, o = keys_followed(make_keys(*m.compact_block(), offset), starts, shift, i, o)
        m._next_block()
    return i, o


def _posting_list(sub, info) -> tuple[np.ndarray | None, int, int]:
    """(the segment's postings file as a uint8 array over its mapping, where the term's first block record
    begins, where its list ends); (None, 0, 0) when the file is not mapped or the list does not begin as
    Whoosh's does."""
    f = sub._terms._postfile.file
    if not isinstance(f, mmap.mmap):
        return None, 0, 0
    buf = np.frombuffer(f, dtype=np.uint8)
    start, length = info.extent()
    if isinstance(length, tuple):  # (Whoosh's W3TermInfo.from_bytes keeps struct.unpack's tuple)
        length = length[0]
    if not blockfile.has_magic(buf, start):
        return None, 0, 0
    return buf, start + 4, start + length


def _inlined_keys(m, offset: int) -> np.ndarray:
    """The keys of a term with a single posting, inlined in the term index (Whoosh's own matcher)."""
    chunks = []
    while m.is_active():
        chunks.append(np.frombuffer(m.value(), dtype=np.uint32, offset=_INT_SIZE).astype(np.uint64)
                      + np.uint64((m.id() + offset) << 32))
        m.next()
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint64)


class _Keys:
    """An array filled one block after another, grown when a block would not fit (a TermInfo's weight, the
    positions it counts, is a float32: a first estimate, not a bound)."""

    def __init__(self, estimate: int):
        self.array, self.n = np.empty(estimate + 1024, dtype=np.uint64), 0

    def room(self, n: int) -> np.ndarray:
        if self.n + n > len(self.array):
            grown = np.empty(max(2 * len(self.array), self.n + n), dtype=np.uint64)
            grown[:self.n] = self.array[:self.n]
            self.array = grown
        return self.array

    def add(self, keys: np.ndarray) -> None:
        self.room(len(keys))[self.n:self.n + len(keys)] = keys
        self.n += len(keys)


def _from(keys: np.ndarray, first: int, lo: int, hi: int) -> np.ndarray:
    """term_keys(first=..., docs=(lo, hi)) of keys made with numpy."""
    doc = keys >> np.uint64(32)
    keys = keys[(doc >= lo) & (doc < hi) & ((keys & np.uint64(_OFFSET_MASK)) >= first)]
    return keys - np.uint64(first) if first else keys
