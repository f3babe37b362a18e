"""How positions are read: a generation's files through mmap, a term's entry per segment, and its posting blocks
(analysis.CompactPositions in codec.CompactCodec blocks, packing.py) as numpy arrays.

Positions come out as sorted uint64 keys ``docnum << 32 | position`` (a position is ``slot << SLOT_SHIFT | offset``,
see analysis.py), which is what phrase matching (matching.py) intersects.
"""

from __future__ import annotations

import bisect
import mmap

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

from indexer.engine.codec import _PACKED_TAG
from indexer.engine.packing import block_keys, block_positions

EMPTY_U32 = np.zeros(0, dtype=np.uint32)


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
        try:
            info = sub._terms.term_info(field, bterm)
        except TermNotFound:
            info = None
        else:
            total += info.weight()
        infos.append(info)
    return total, infos


def postings(sub, field: str, info):
    """A matcher over every posting of the term, deleted documents included (their doc_report is -1)."""
    terms = sub._terms
    return terms._codec.postings_reader(terms._postfile, info, sub.schema[field].format)


def posting_arrays(m) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(docnums, positions per posting, all positions) as uint32 arrays from the whole posting list of
    codec.CompactCodec blocks, each block unpacked by numpy.  None for a list in Whoosh's own layout (a term
    with a single posting is inlined in the term index)."""
    if not hasattr(m, "compact_block"):
        return None
    blocks = []
    while m.is_active():
        blocks.append(m.compact_block())
        m._next_block()
    if not blocks:
        return EMPTY_U32, EMPTY_U32, EMPTY_U32
    return tuple(parts[0] if len(parts) == 1 else np.concatenate(parts) for parts in zip(*blocks))


def term_keys(segments: list, field: str, docs: np.ndarray | None = None) -> np.ndarray:
    """All positions of a term in ``segments`` ((reader, docnum offset, TermInfo or None), in docnum order) as
    sorted uint64 keys docnum << 32 | position; only in ``docs`` (sorted int64 docnums) if given.  Packed blocks
    are decoded straight into one array (packing.block_keys), and blocks that hold none of ``docs`` are not
    read."""
    keys = _Keys(sum(int(info.weight()) for _sub, _offset, info in segments if info is not None))
    for sub, offset, info in segments:
        if info is None:
            continue
        wanted = docs
        if docs is not None:
            wanted = docs[np.searchsorted(docs, offset):np.searchsorted(docs, offset + sub.doc_count_all())]
            if not len(wanted):
                continue
            if len(wanted) * 4 >= sub.doc_count_all():
                wanted = None  # not few enough to be worth skipping to
        _segment_keys(postings(sub, field, info), offset, wanted, keys)
    return keys.array[:keys.n]


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


def _segment_keys(m, offset: int, docs: np.ndarray | None, out: _Keys) -> None:
    if not hasattr(m, "compact_block"):  # an inlined single posting, in Whoosh's own layout
        wanted = None if docs is None else set(docs.tolist())
        while m.is_active():
            d = m.id() + offset
            if wanted is None or d in wanted:
                out.add(np.frombuffer(m.value(), dtype=np.uint32, offset=_INT_SIZE).astype(np.uint64)
                        + np.uint64(d << 32))
            m.next()
        return
    local = None if docs is None else (docs - offset).tolist()
    ci = 0
    while m.is_active():
        if local is not None and m._maxid < local[ci]:  # no wanted document in this block: do not read it
            m._next_block()
            continue
        d = m._compact_data()
        wanted = None if docs is None else docs[ci:]
        if d[0] == _PACKED_TAG:
            out.n = block_keys(d[1], d[3], d[4], offset, wanted, out.room(block_positions(d[4])), out.n)
        else:
            keys = make_keys(*m.compact_block(), offset)
            out.add(keys if wanted is None else keys[np.isin(keys >> np.uint64(32), wanted.astype(np.uint64))])
        if local is not None:
            ci = bisect.bisect_right(local, m._maxid, ci)
            if ci == len(local):
                break
        m._next_block()
