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

EMPTY_KEYS = np.zeros(0, dtype=np.uint64)
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


def concat(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays) if arrays else EMPTY_KEYS


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


def segment_keys(sub, offset: int, field: str, info, docs: np.ndarray | None = None) -> np.ndarray:
    """All positions of a term in one segment as sorted uint64 keys docnum << 32 | position (only in ``docs``,
    sorted docnums, if given).  Reads whole posting blocks of codec.CompactCodec with numpy, skipping blocks that
    hold none of ``docs``."""
    if info is None:
        return EMPTY_KEYS
    m = postings(sub, field, info)
    u32, u64 = np.uint32, np.uint64
    if docs is not None and len(docs) * 4 >= sub.doc_count_all():
        docs = None  # not few enough to be worth skipping to
    if not hasattr(m, "compact_block"):  # an inlined single posting, in Whoosh's own layout
        wanted_set = None if docs is None else set(docs.tolist())
        chunks = []
        while m.is_active():
            d = m.id() + offset
            if wanted_set is None or d in wanted_set:
                chunks.append(np.frombuffer(m.value(), dtype=u32, offset=_INT_SIZE).astype(u64) + u64(d << 32))
            m.next()
        return np.concatenate(chunks) if chunks else EMPTY_KEYS
    if docs is None:
        ids, counts, positions = posting_arrays(m)
        return make_keys(ids, counts, positions, offset)
    wanted = docs.astype(np.uint64)
    local = (docs - offset).tolist()
    chunks, ci = [], 0
    while m.is_active():
        if m._maxid < local[ci]:  # no wanted document in this block: do not read it
            m._next_block()
            continue
        keys = make_keys(*m.compact_block(), offset)
        keys = keys[np.isin(keys >> u64(32), wanted)]
        ci = bisect.bisect_right(local, m._maxid, ci)
        chunks.append(keys)
        if ci == len(local):
            break
        m._next_block()
    return np.concatenate(chunks) if chunks else EMPTY_KEYS
