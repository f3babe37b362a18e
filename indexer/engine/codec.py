"""The postings codec of the exact view (pickled into Whoosh's TOC by name: indexer.engine.codec.CompactCodec).

CompactFieldWriter turns a segment's per-report items (analysis.py's field types hand Whoosh one item per report:
term codes and positions as numpy arrays) into posting lists with one sort of the segment's grams (a compiled
radix sort, blockwrite.stable_order); each block is stored as packed integer arrays (packing.py: docnum gaps,
counts, delta-coded positions) in the layout CompactPostingsWriter defines, written for all the field's terms at
once by compiled loops (blockwrite.py, the same bytes), which CompactLeafMatcher and the search's compiled walks
read (postings.py, blockfile.py).
"""

from __future__ import annotations

import io
import itertools
import mmap
import pickle
import struct
from array import array

import numpy as np
from whoosh.codec import whoosh3
from whoosh.system import _INT_SIZE, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length

from indexer.engine.analysis import BULK_TERM, EMPTY_CODES, EMPTY_POSITIONS, CompactPositions, ExactField
from indexer.engine.packing import (_PACK_MIN_POSITIONS, _PACKED_TAG, _RAW_TAG, BLOCK_LIMIT, pack_ids, pack_positions,
                                    pack_u32, unpack_block)


def _cache_missing_length_columns() -> None:
    """Whoosh asks for a field length per posting while writing; for fields without lengths (not scorable) it
    checks the file system on every call, which cost more than the rest of indexing.  Remember the answer."""
    from whoosh.codec import whoosh3

    cls = whoosh3.W3PerDocReader
    if getattr(cls, "_nianbao_patched", False):
        return
    original = cls._cached_reader

    def _cached_reader(self, fieldname, column):
        if fieldname in self._readers:
            return self._readers[fieldname]
        reader = original(self, fieldname, column)
        self._readers[fieldname] = reader
        return reader

    cls._cached_reader = _cached_reader
    cls._nianbao_patched = True


_cache_missing_length_columns()


_BLOCK_LENGTH = struct.Struct("!i")  # a block's length, as Whoosh's StructFile.write_int writes it
_HEADER_MAX = 256  # bytes: a block's pickled header (length, max id, max weight, compression, min/max length) is ~40
WRITE_BUFFER = 64 << 20  # bytes: the lists blockwrite writes before they go to the postings file (merges too)
# a TermInfo of a list in the postings file (whoosh3.W3TermInfo.to_bytes: not inlined, no lengths; then the
# list's offset and length)
_TERM_INFO = struct.Struct("!BfIBBfIIqi")


class CompactPostingsWriter(whoosh3.W3PostingsWriter):
    """Blocks of CompactPositions postings as four packed byte strings instead of Whoosh's protocol-2 pickle of
    a tuple of bytes objects, which spends ~36 bytes per posting (protocol 2 pickles every bytes object as
    codecs.encode(str, 'latin1')) and one Python call per posting to read back:

        (b"c2", packing.pack_ids(docnums), weights float32[] or None when they equal the counts,
         packing.pack_u32(counts - 1), packing.pack_positions(all postings' positions one after another))

    or, for a block of fewer than _PACK_MIN_POSITIONS positions, (b"c1", the same as flat uint32 arrays).
    """

    def _new_block(self):
        super()._new_block()
        self._bulk = None

    def add_bulk(self, ids: np.ndarray, counts: np.ndarray, positions: np.ndarray) -> None:
        """The whole posting list of the current term from arrays (docnums, positions per posting, all positions)
        — no Python call per posting.  The last block stays buffered for finish_postings() to write."""
        ends = np.cumsum(counts, dtype=np.int64)
        bl = self._blocklimit
        for i in range(0, len(ids), bl):
            if len(self._ids):
                self._write_block()
            j = min(i + bl, len(ids))
            block_ids = np.ascontiguousarray(ids[i:j], dtype=np.uint32)
            block_counts = np.ascontiguousarray(counts[i:j], dtype=np.uint32)
            self._ids = array("I", block_ids.tobytes())
            self._weights = array("f", block_counts.astype(np.float32).tobytes())
            self._maxweight = float(block_counts.max())
            self._bulk = (block_ids, block_counts, positions[(ends[i - 1] if i else 0):ends[j - 1]])

    def _write_block(self, last=False):
        if not isinstance(self._format, CompactPositions):
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        if self._bulk is not None:
            ids, counts, positions = self._bulk
            weights = None
        else:  # postings added one by one (a merge): flat arrays from Whoosh's values
            values = self._values
            ids, counts = self._ids, array("I", [(len(v) >> 2) - 1 for v in values])
            positions = b"".join([v[_INT_SIZE:] for v in values])
            weights = self._weights
            same = len(weights) == len(counts) and all(w == c for w, c in zip(weights, counts))
            weights = None if same else weights.tobytes()
        n_positions = len(positions) if self._bulk is not None else len(positions) // 4  # arrays or bytes
        if n_positions < _PACK_MIN_POSITIONS:
            data = (_RAW_TAG, bytes(ids), weights, bytes(counts), bytes(positions))
        else:
            u32 = [np.frombuffer(a, dtype=np.uint32) for a in (ids, counts, positions)]
            data = (_PACKED_TAG, pack_ids(u32[0]), weights, pack_u32(u32[1] - np.uint32(1)),
                    pack_positions(u32[1], u32[2], self._format.ascending))
        databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, 0,
                                  whoosh3.length_to_byte(self._minlength),
                                  whoosh3.length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class CompactFieldWriter(whoosh3.W3FieldWriter):
    """Writes the exact-view fields from the per-report arrays their index() gave (see ExactField): one sort of
    all (term code, docnum) pairs of the segment with numpy, then each term's postings in whole blocks.  Postings
    in Whoosh's usual form (a merge re-adding another segment's postings) are folded into the same arrays."""

    def add_postings(self, schema, lengths, items):
        for fieldname, group in itertools.groupby(items, key=lambda item: item[0]):
            fieldobj = schema[fieldname]
            if isinstance(fieldobj, ExactField):
                self._add_exact(fieldname, fieldobj, group)
            else:
                super().add_postings(schema, lengths, group)

    def _add_exact(self, fieldname, fieldobj, items) -> None:
        codes, docs, positions = [EMPTY_CODES], [EMPTY_POSITIONS], [EMPTY_POSITIONS]
        regular = False
        for _, btext, docnum, _weight, value in items:
            if docnum < 0:  # a spelling-graph item: not used
                continue
            if btext == BULK_TERM:
                c, p = fieldobj.unpack(value)
            else:
                regular = True
                p = np.frombuffer(value, dtype=np.uint32, offset=_INT_SIZE)
                c = np.full(len(p), fieldobj.code(btext.decode("utf-8")), dtype=np.uint64)
            codes.append(c)
            positions.append(p)
            docs.append(np.full(len(p), docnum, dtype=np.uint32))
        codes, docs, positions = np.concatenate(codes), np.concatenate(docs), np.concatenate(positions)
        if not len(codes):
            return
        # reports arrive in docnum order, each slot after slot with a code's positions ascending: a stable sort
        # by code gives (code, docnum, position) order; with other postings mixed in, sort by docnum as well
        if regular:
            order = np.lexsort((docs, codes))
            codes = codes[order]
        else:
            from indexer.engine.blockwrite import stable_order

            codes, order = stable_order(codes)
        docs, positions = docs[order], positions[order]
        first = np.flatnonzero(np.r_[True, (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1])])
        post_docs, post_codes = docs[first], codes[first]
        post_counts = np.diff(np.r_[first, len(codes)])
        self.start_field(fieldname, fieldobj)
        term_first = np.flatnonzero(np.r_[True, post_codes[1:] != post_codes[:-1]])
        terms = [fieldobj.term(int(c)).encode("utf-8") for c in post_codes[term_first].tolist()]
        post_bounds = np.r_[term_first, len(first)].astype(np.int64)
        pos_bounds = np.r_[first[term_first], len(codes)].astype(np.int64)
        self.write_lists(terms, post_docs, post_counts.astype(np.uint32), positions, post_bounds, pos_bounds)
        self.finish_field()

    def write_lists(self, terms: list[bytes], ids: np.ndarray, counts: np.ndarray, positions: np.ndarray,
                    post_bounds: np.ndarray, pos_bounds: np.ndarray) -> None:
        """The current field's lists of ``terms`` (in order; term i's postings ids/counts [post_bounds[i],
        post_bounds[i + 1]), its positions [pos_bounds[i], pos_bounds[i + 1])) written a buffer at a time by
        blockwrite.write_lists, each with its TermInfo in the term index."""
        from indexer.engine import blockwrite

        ids, counts = np.ascontiguousarray(ids, dtype=np.uint32), np.ascontiguousarray(counts, dtype=np.uint32)
        positions = np.ascontiguousarray(positions, dtype=np.uint32)
        n_post, n_pos = np.diff(post_bounds), np.diff(pos_bounds)
        bounds = blockwrite.block_bound(n_post, n_pos, (n_post + BLOCK_LIMIT - 1) // BLOCK_LIMIT)  # (per term)
        out = np.empty(int(max(min(bounds.sum(), WRITE_BUFFER), bounds.max())), dtype=np.uint8)
        stats = np.zeros((len(terms), blockwrite.STATS), dtype=np.int64)
        t = 0
        while t < len(terms):
            done, o = blockwrite.write_lists(ids, counts, positions, post_bounds, pos_bounds, t,
                                             self._format.ascending, out, stats)
            self.add_terms(terms, stats, t, done, out[:o])
            t = done

    def add_terms(self, terms: list[bytes], stats: np.ndarray, t0: int, t1: int, data: np.ndarray) -> None:
        """Writes ``data`` (the lists of terms t0 to t1, blockwrite's bytes) to the postings file, and each of
        those terms' TermInfo (from its ``stats`` row) to the term index; terms without postings are left out."""
        base = self._postfile.tell()
        self._postfile.write(memoryview(data))
        prefix, add, pack = pack_ushort(self._fieldid), self._tindex.add, _TERM_INFO.pack
        for term, (start, length, weight, df, max_count, min_id, max_id) in zip(terms[t0:t1],
                                                                                 stats[t0:t1].tolist()):
            if df:
                add(prefix + term, pack(0, weight, df, 0, 0, max_count, min_id, max_id, base + start, length))


def block_arrays(d: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(docnums, positions per posting, all positions) as uint32 arrays of a compact block's data."""
    if d[0] == _RAW_TAG:
        return tuple(np.frombuffer(d[i], dtype=np.uint32) for i in (1, 3, 4))
    return unpack_block(d[1], d[3], d[4])


class CompactLeafMatcher(whoosh3.W3LeafMatcher):
    """Reads both block layouts; ``compact_block()`` gives a compact block's arrays, unpacked once per block."""

    _unpacked = None

    # On a mapped postings file (postings.MappedStorage) the block headers and data are read at their offsets
    # in the mapping, never through the file's one shared seek position: matchers of one term, or of several,
    # read the same file from several threads at once (matching.py).

    def _mapping(self) -> mmap.mmap | None:
        f = self._postfile.file
        return f if isinstance(f, mmap.mmap) else None

    def _read_header(self):
        mapping = self._mapping()
        if mapping is None:
            return super()._read_header()
        if mapping[self._startoffset:self._startoffset + 4] != whoosh3.WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"block tag error at {self._startoffset} of {self._postfile}")
        self._baseoffset = self._startoffset + 4

    def _goto(self, position):
        self._unpacked = None
        mapping = self._mapping()
        if mapping is None:
            return super()._goto(position)
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        length = _BLOCK_LENGTH.unpack_from(mapping, position)[0]
        if length < 0:  # the last block
            self._lastblock = True
            length = -length
        self._nextoffset = position + _INT_SIZE + length
        header = io.BytesIO(mapping[position + _INT_SIZE:position + _INT_SIZE + _HEADER_MAX])
        (self._blocklength, self._maxid, self._maxweight, self._compression, mnlen, mxlen) = pickle.load(header)
        self._dataoffset = position + _INT_SIZE + header.tell()
        self._minlength, self._maxlength = byte_to_length(mnlen), byte_to_length(mxlen)

    def _read_data(self):
        f = self._mapping()
        if self._compression or f is None:
            return super()._read_data()
        # unpickled straight from the mapping: reading the block first copied it (~20 µs a block, 1.9 ms of a
        # first search at 10k)
        with memoryview(f) as whole, whole[self._dataoffset:self._nextoffset] as view:
            self._data = pickle.loads(view)

    def _compact_data(self):
        """The current block's data when it is in the compact layout, else None."""
        if self._data is None:
            self._read_data()
        d = self._data
        return d if len(d) == 5 and d[0] in (_RAW_TAG, _PACKED_TAG) else None

    def compact_block(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(docnums, positions per posting, all positions) as uint32 arrays, or None for a block in Whoosh's
        layout."""
        d = self._compact_data()
        if d is None:
            return None
        if self._unpacked is None:
            self._unpacked = block_arrays(d)
        return self._unpacked

    def _read_ids(self):
        block = self.compact_block()
        if block is None:
            return super()._read_ids()
        self._ids = array("I", block[0].tobytes())

    def _read_weights(self):
        d = self._compact_data()
        if d is None:
            return super()._read_weights()
        w = array("f")
        if d[2] is None:
            w.extend(map(float, self.compact_block()[1].tolist()))
        else:
            w.frombytes(d[2])
        self._weights = w

    def _read_values(self):
        block = self.compact_block()
        if block is None:
            return super()._read_values()
        _ids, counts, positions = block
        blob, out, at = positions.tobytes(), [], 0
        for n in counts.tolist():
            out.append(pack_uint(n) + blob[at:at + 4 * n])
            at += 4 * n
        self._values = tuple(out)


class CompactCodec(whoosh3.W3Codec):
    """W3 with compact position blocks (see CompactPostingsWriter); no zlib (a third of the writing time)."""

    def __init__(self, blocklimit=None, compression=0, inlinelimit=1):
        super().__init__(blocklimit=blocklimit or BLOCK_LIMIT, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
