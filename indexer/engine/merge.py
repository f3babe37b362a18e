"""Segment merging: a tiered policy, and a merge of CompactCodec segments done a whole posting list at a time.

Every commit adds segments (two per batch with the parallel writer) and a search looks each term up, and opens a
postings reader, in every segment: at 10k reports in batches of 200 the index had 100 segments and term lookups
were 42 % of a search's CPU.  After each commit, ``merge_tiers`` merges the segments of a tier — tier t holds
segments of FLOOR·FACTOR**t to FLOOR·FACTOR**(t+1) live documents — as soon as it has ``FACTOR`` of them, so an
index of N reports keeps fewer than FACTOR segments per tier, at most about (FACTOR - 1) · log_FACTOR(N / FLOOR),
and each report is rewritten about log_FACTOR(N / FLOOR) times over the life of the index (Lucene's idea).  A
parallel commit (Whoosh's MpWriter) merges the tier its workers' new segments will fill while they still write
them (``merge_while_writing``): the committing process is otherwise idle then, and a merge after the commit had a
core to itself (building 10k reports in commits of 1,000, a commit that merged took 13.8 s against 19.9).

Whoosh's own merge (``SegmentWriter.add_reader``) re-adds every posting through its sorting pool, one Python call
per posting: 252 s CPU to merge ten segments of 100 synthetic reports, 3.5x indexing them.  ``merge_segments``
writes the stored and column values of each document as Whoosh does, then takes the terms of all merged segments
in order.  For the exact-view fields (analysis.ExactField: nearly all postings) the posting lists of a chunk of
terms are copied out of the mapped postings files into one buffer, and compiled loops (blockwrite.merge_lists)
read each term's lists, map docnums to the new segment — deleted documents dropped — and write them as one list,
with the statistics of its TermInfo; two threads merge chunks (the loops hold no GIL) and the lists are written
in term order.  Ten segments of 500 synthetic reports: 3.4 s, where a list at a time through Whoosh's postings
writer took 9.1 and Whoosh's own merge 252 s for ten of 100.  The few postings of other fields (ids, facets,
numbers) are copied one by one.  The merged segment takes the place of the first merged one in the segment list.
"""

from __future__ import annotations

import math
import mmap
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.reading import SegmentReader
from whoosh.system import _SHORT_SIZE, pack_ushort

from indexer.engine import blockwrite
from indexer.engine.analysis import ExactField
from indexer.engine.codec import _TERM_INFO, WRITE_BUFFER
from indexer.engine.postings import MappedStorage, term_keys

FACTOR = 10  # segments of one tier merged together; also the size ratio between tiers
# tier t holds segments of FLOOR·FACTOR**t to FLOOR·FACTOR**(t+1) live documents (smaller ones are tier 0): the
# two segments of ~100 a parallel batch of 200 writes, and the merges of ten, a hundred of them, fall mid-tier
FLOOR = 3
_MERGE_CHUNK = 32 << 20  # bytes of the merged segments' lists merged at a time
_MERGE_THREADS = 2
_NO_MAP = np.zeros(0, dtype=np.int64)  # (a segment without deletions: its docnums move by its base)


def tier(live_docs: int, factor: int = FACTOR, floor: int = FLOOR) -> int:
    return int(math.floor(math.log(max(live_docs, floor) / floor, factor) + 1e-9))


def plan_merge(sizes: list[int], factor: int = FACTOR, floor: int = FLOOR, coming: list[int] = ()) -> list[int]:
    """Indexes (into ``sizes``, live document counts in segment order) of the segments to merge next: all segments
    of the lowest tier that has ``factor`` or more, counting the segments of ``coming`` sizes about to be added
    (those are not merged); [] when none has."""
    tiers: dict[int, list[int]] = {}
    for i, n in enumerate(sizes):
        if n > 0:
            tiers.setdefault(tier(n, factor, floor), []).append(i)
    extra: dict[int, int] = {}
    for n in coming:
        extra[tier(n, factor, floor)] = extra.get(tier(n, factor, floor), 0) + 1
    for t in sorted(tiers):
        if len(tiers[t]) + extra.get(t, 0) >= factor and len(tiers[t]) > 1:
            return tiers[t]
    return []


def merge_while_writing(coming: list[int], factor: int = FACTOR, floor: int = FLOOR):
    """A Whoosh mergetype for a parallel commit (MpWriter): the committing process merges the tier that the
    segments its workers are still writing (``coming``: their sizes) will fill — while they write them, on a core
    that merge_tiers after the commit would have used alone."""
    def mergetype(writer, segments):
        return _merged(writer, segments, plan_merge([s.doc_count() for s in segments], factor, floor, coming))

    return mergetype


def merge_tiers(ix, options: dict, factor: int = FACTOR, floor: int = FLOOR) -> int:
    """Merge segments of ``ix`` (a Whoosh FileIndex, not yet published) by the tiered policy until no tier holds
    ``factor`` segments; segments whose documents are all deleted are dropped.  Returns the number of merges."""
    merges = 0
    while True:
        segments = ix._segments()
        sizes = [s.doc_count() for s in segments]
        chosen = plan_merge(sizes, factor, floor)
        # segments whose documents are all deleted are dropped — unless that would leave none (Whoosh then reads
        # the index as empty, an EmptyReader the snapshot does not take)
        empty = [i for i, n in enumerate(sizes) if n == 0] if any(sizes) else []
        if not chosen and not empty:
            return merges
        writer = ix.writer(**options)
        try:
            writer.commit(mergetype=lambda w, segs: _merged(w, segs, chosen))
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        if chosen:
            merges += 1
        ix = ix.refresh()


def _merged(writer, segments: list, chosen: list[int]) -> list:
    """A Whoosh mergetype: writes ``chosen`` of ``segments`` as one new segment (the writer's), returns the new
    segment list."""
    chosen_set = set(chosen)
    out = []
    for i, seg in enumerate(segments):
        if i in chosen_set:
            if i == chosen[0]:
                out.append(None)  # the merged segment's place
        elif seg.doc_count() > 0 or not any(s.doc_count() for s in segments):
            out.append(seg)
    if not chosen:
        return out
    merge_segments(writer, [segments[i] for i in chosen])
    writer._added = False  # the segment is finished here: commit() must only write the TOC
    return [writer.get_segment() if s is None else s for s in out]


def merge_segments(writer, segments: list) -> None:
    """Write the live documents of ``segments`` into ``writer``'s new segment and close its files."""
    storage = MappedStorage(writer.storage.folder, readonly=True)
    schema = writer.schema
    readers = [SegmentReader(storage, schema, seg) for seg in segments]
    try:
        # stored fields and columns, document by document, as Whoosh's add_reader does; docnum maps
        maps, bases = [], []
        indexed: set[str] = set()
        for reader in readers:
            names = {f for f in reader.indexed_field_names() if f in schema}
            indexed |= names
            base = writer.docnum
            docmap = writer.write_per_doc(set(schema.names()) | names, reader)
            n = reader.doc_count_all()
            bases.append(base if docmap is None else None)  # (no deleted documents: docnums move by base)
            if docmap is None:
                maps.append(np.arange(base, base + n, dtype=np.int64))
            else:
                m = np.full(n, -1, dtype=np.int64)
                if docmap:
                    m[np.fromiter(docmap.keys(), dtype=np.int64)] = np.fromiter(docmap.values(), dtype=np.int64)
                maps.append(m)
        writer.perdocwriter.close()
        lengths = writer.per_document_reader()
        fw = writer.fieldwriter
        try:
            for fieldname in sorted(indexed):
                _merge_field(fw, fieldname, schema[fieldname], readers, maps, bases, lengths)
            fw.close()
        finally:
            lengths.close()
    finally:
        for r in readers:
            r.close()
    writer._added = True


def _field_terms(reader, fieldname: str) -> Iterator[tuple[bytes, bytes]]:
    """(term bytes, TermInfo bytes) of one field of a segment, in term order, read straight from the mapped term
    index."""
    terms = reader._terms
    fnum = terms._fieldmap.get(fieldname)
    if fnum is None:
        return
    prefix = pack_ushort(fnum)
    tindex = terms._tindex
    raw = tindex.dbfile.file
    if isinstance(raw, mmap.mmap):
        for keypos, keylen, datapos, datalen in tindex.ranges_from(prefix):
            if raw[keypos:keypos + _SHORT_SIZE] != prefix:
                return
            yield raw[keypos + _SHORT_SIZE:keypos + keylen], raw[datapos:datapos + datalen]
    else:
        for key, value in tindex.items_from(prefix):
            if key[:_SHORT_SIZE] != prefix:
                return
            yield key[_SHORT_SIZE:], value


def _all_terms(fieldname: str, readers: list) -> Iterator[tuple[bytes, list[tuple[int, bytes]]]]:
    """Each term of the field in any of the readers, in order, with (reader number, TermInfo bytes) for the
    readers holding it, in reader order (grouped in a dict and sorted: a heapq.merge of the readers' terms took
    ~1.5 µs a term and reader)."""
    groups: dict[bytes, list[tuple[int, bytes]]] = {}
    for i, reader in enumerate(readers):
        for t, info in _field_terms(reader, fieldname):
            group = groups.get(t)
            if group is None:
                groups[t] = [(i, info)]
            else:
                group.append((i, info))
    for t in sorted(groups):
        yield t, groups[t]


def _term_keys(fieldname: str, readers: list, group: list, maps: list[np.ndarray], bases: list) -> np.ndarray:
    """A term's postings in the merged segments as postings.term_keys gives them (docnum << 32 | position, in
    docnum order), docnums mapped to the new segment, deleted documents' postings dropped: each segment's posting
    list walked by one compiled call (blockfile.walk_keys), all at once when no merged segment has deletions."""
    if all(bases[i] is not None for i, _info in group):
        return term_keys([(readers[i], bases[i], W3TermInfo.from_bytes(info)) for i, info in group], fieldname)
    parts = []
    for i, info in group:
        if bases[i] is not None:
            parts.append(term_keys([(readers[i], bases[i], W3TermInfo.from_bytes(info))], fieldname))
            continue
        keys = term_keys([(readers[i], 0, W3TermInfo.from_bytes(info))], fieldname)
        new = maps[i][(keys >> np.uint64(32)).astype(np.int64)]
        live = new >= 0
        parts.append((new[live].astype(np.uint64) << np.uint64(32)) | (keys[live] & np.uint64(0xFFFFFFFF)))
    return np.concatenate(parts)


def _merge_field(fw, fieldname: str, fieldobj, readers: list, maps: list[np.ndarray], bases: list,
                 lengths) -> None:
    """Write one field of the merged segment: each term's posting lists of all segments, docnums mapped, deleted
    postings dropped, as one list.  Exact-view fields by blockwrite.merge_lists, others posting by posting."""
    if isinstance(fieldobj, ExactField) and _merge_exact_field(fw, fieldname, fieldobj, readers, maps, bases):
        return
    exact = isinstance(fieldobj, ExactField)
    docmaps = None if exact else [m.tolist() for m in maps]
    started = False

    def begin(term) -> None:  # the field starts with its first term that keeps a posting
        nonlocal started
        if not started:
            fw.start_field(fieldname, fieldobj)
            started = True
        fw.start_term(term)

    for t, group in _all_terms(fieldname, readers):
        if exact:
            if _merge_term(fw, fieldname, readers, group, maps, bases, lambda: begin(t)):
                fw.finish_term()
            continue
        postings = []
        for i, info in group:
            terms = readers[i]._terms
            m = terms._codec.postings_reader(terms._postfile, W3TermInfo.from_bytes(info), fieldobj.format)
            docmap = docmaps[i]
            while m.is_active():
                d = docmap[m.id()]
                if d >= 0:
                    postings.append((d, m.weight(), m.value() or b""))
                m.next()
        if not postings:
            continue
        begin(t)
        for d, w, v in postings:
            fw.add(d, w, v, lengths.doc_field_length(d, fieldname) if fieldobj.scorable else None)
        fw.finish_term()
    if started:
        fw.finish_field()


def _merge_term(fw, fieldname: str, readers: list, group: list, maps: list[np.ndarray], bases: list,
                begin) -> bool:
    """One exact-view term's lists (``group``: (reader number, TermInfo bytes)) merged through the search's
    walk, which reads any record (Whoosh's matcher past the ones it does not); ``begin()`` starts the term when
    it keeps a posting.  Returns whether it did."""
    keys = _term_keys(fieldname, readers, group, maps, bases)
    if not len(keys):
        return False
    docs = (keys >> np.uint64(32)).astype(np.uint32)
    first = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])  # (one posting per document)
    begin()
    fw._postwriter.add_bulk(docs[first], np.diff(np.r_[first, len(docs)]).astype(np.uint32),
                            keys.astype(np.uint32))  # (the low 32 bits: the positions)
    return True


def _merge_exact_field(fw, fieldname: str, fieldobj, readers: list, maps: list[np.ndarray], bases: list) -> bool:
    """An exact-view field merged by blockwrite.merge_lists: the terms' lists in the mapped postings files are
    copied, some terms at a time, into one buffer, read there and written as one list each by compiled loops.
    False (nothing written) when a segment's postings file is not mapped or a term's list is inlined in its
    TermInfo; a term with a record those loops do not read is merged through the search's walk (_merge_term)."""
    files = [r._terms._postfile.file for r in readers]
    if not all(isinstance(f, mmap.mmap) for f in files):
        return False
    terms, row_seg, row_at, row_end, term_rows = [], [], [], [], [0]
    unpack = _TERM_INFO.unpack_from
    for t, group in _all_terms(fieldname, readers):
        for i, info in group:
            flags, *_stats, offset, length = unpack(info)
            if flags:  # inlined
                return False
            row_seg.append(i)
            row_at.append(offset)
            row_end.append(offset + length)
        terms.append(t)
        term_rows.append(len(row_seg))
    if not terms:
        return True
    sources = [np.frombuffer(f, dtype=np.uint8) for f in files]
    row_seg, row_at, row_end, term_rows = (np.array(a, dtype=np.int64) for a in (row_seg, row_at, row_end,
                                                                                   term_rows))
    file_sizes = np.array([len(src) for src in sources], dtype=np.int64)
    if (row_at < 0).any() or (row_end < row_at).any() or (row_end > file_sizes[row_seg]).any():
        return False  # (a TermInfo past its postings file: the compiled copy does not check bounds)
    bases_array = np.array([b or 0 for b in bases], dtype=np.int64)
    deleted = [m if b is None else _NO_MAP for m, b in zip(maps, bases)]
    docmaps = np.concatenate(deleted)
    docmap_bounds = np.r_[0, np.cumsum([len(m) for m in deleted])].astype(np.int64)
    stats = np.zeros((len(terms), blockwrite.STATS), dtype=np.int64)
    ascending = fieldobj.format.ascending
    started = False

    def start() -> None:
        nonlocal started
        if not started:
            fw.start_field(fieldname, fieldobj)
            started = True

    def merged(c0: int, c1: int) -> list[tuple[int, int, np.ndarray | None]]:
        """Terms c0 to c1 merged: (first term, term after the last, their lists' bytes), or (term, term + 1,
        None) for a term whose records merge_lists does not read; their rows of ``stats`` filled."""
        r0, r1 = int(term_rows[c0]), int(term_rows[c1])
        lengths = row_end[r0:r1] - row_at[r0:r1]
        at = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
        buf = np.empty(int(lengths.sum()), dtype=np.uint8)
        seg = row_seg[r0:r1]
        for i, src in enumerate(sources):
            rows = np.flatnonzero(seg == i)
            if len(rows):
                blockwrite.gather(src, row_at[r0:r1][rows], row_end[r0:r1][rows], buf, at[rows])
        chunk_rows, chunk_stats = term_rows[c0:c1 + 1] - r0, stats[c0:c1]
        pieces, t, size = [], 0, WRITE_BUFFER
        while t < c1 - c0:
            out = np.empty(size, dtype=np.uint8)
            done, o, status = blockwrite.merge_lists(buf, bases_array, docmaps, docmap_bounds, seg, at,
                                                     at + lengths, chunk_rows, t, ascending, out, chunk_stats)
            if done > t:
                pieces.append((c0 + t, c0 + done, out[:o]))
            t = done
            if status == blockwrite.NO_ROOM and not o:  # one term's list longer than the buffer
                size *= 2
            elif status == blockwrite.DAMAGED:
                pieces.append((c0 + t, c0 + t + 1, None))
                t += 1
        return pieces

    def write(pieces) -> None:
        for t0, t1, data in pieces:
            if data is None:
                term = terms[t0]
                group = [(i, readers[i]._terms._tindex[pack_ushort(readers[i]._terms._fieldmap[fieldname]) + term])
                         for i in row_seg[term_rows[t0]:term_rows[t0 + 1]].tolist()]

                def begin(term=term) -> None:
                    start()
                    fw.start_term(term)

                if _merge_term(fw, fieldname, readers, group, maps, bases, begin):
                    fw.finish_term()
                continue
            if (stats[t0:t1, blockwrite.DF] > 0).any():
                start()
            fw.add_terms(terms, stats, t0, t1, data)

    # chunks of terms whose lists take about _MERGE_CHUNK bytes (a term's at least), merged by two threads (the
    # compiled loops hold no GIL) and written in order: a merge after a commit has the cores to itself
    term_bytes = np.cumsum(np.add.reduceat(row_end - row_at, term_rows[:-1]))
    ends = np.unique(np.r_[np.searchsorted(term_bytes, np.arange(_MERGE_CHUNK, term_bytes[-1], _MERGE_CHUNK)) + 1,
                           len(terms)]).tolist()
    with ThreadPoolExecutor(_MERGE_THREADS) as pool:
        pending: deque = deque()
        for c0, c1 in zip([0] + ends[:-1], ends):
            pending.append(pool.submit(merged, c0, c1))
            if len(pending) > _MERGE_THREADS:
                write(pending.popleft().result())
        while pending:
            write(pending.popleft().result())
    if started:
        fw.finish_field()
    return True
