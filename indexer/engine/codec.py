"""The postings codec of the exact view (pickled into Whoosh's TOC by name: indexer.engine.codec.CompactCodec).

CompactFieldWriter turns a segment's per-report items (analysis.py's field types hand Whoosh one item per report:
term codes and positions as numpy arrays) into posting lists with one numpy sort; CompactPostingsWriter stores each
block as flat uint32 arrays, which CompactLeafMatcher hands the search (postings.py) as they are.
"""

from __future__ import annotations

import itertools
import pickle
from array import array

import numpy as np
from whoosh.codec import whoosh3
from whoosh.system import _INT_SIZE, pack_uint

from indexer.engine.analysis import BULK_TERM, EMPTY_CODES, EMPTY_POSITIONS, CompactPositions, ExactField


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


_COMPACT_TAG = b"c1"
BLOCK_LIMIT = 256  # postings per block (Whoosh's default 128: reading costs some Python per block)


class CompactPostingsWriter(whoosh3.W3PostingsWriter):
    """Blocks of CompactPositions postings as four flat byte strings instead of Whoosh's protocol-2 pickle of
    a tuple of bytes objects, which spends ~36 bytes per posting (protocol 2 pickles every bytes object as
    codecs.encode(str, 'latin1')) and one Python call per posting to read back:

        (b"c1", ids uint32[], weights float32[] or None when they equal the counts, counts uint32[],
         positions uint32[] of all postings one after another, without the count prefix of each value)
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
            self._bulk = (block_ids.tobytes(), block_counts.tobytes(),
                          positions[(ends[i - 1] if i else 0):ends[j - 1]].tobytes())

    def _write_block(self, last=False):
        if not isinstance(self._format, CompactPositions):
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        if self._bulk is not None:
            ids_b, counts_b, positions_b = self._bulk
            data = (_COMPACT_TAG, ids_b, None, counts_b, positions_b)
        else:
            values = self._values
            counts = array("I", [(len(v) >> 2) - 1 for v in values])
            weights = self._weights
            same = len(weights) == len(counts) and all(w == c for w, c in zip(weights, counts))
            data = (_COMPACT_TAG, self._ids.tobytes(), None if same else weights.tobytes(), counts.tobytes(),
                    b"".join([v[_INT_SIZE:] for v in values]))
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
        # reports arrive in docnum order, each sorted by code with positions ascending: a stable sort by code
        # gives (code, docnum, position) order; with other postings mixed in, sort by docnum as well
        order = np.lexsort((docs, codes)) if regular else np.argsort(codes, kind="stable")
        codes, docs, positions = codes[order], docs[order], positions[order]
        first = np.flatnonzero(np.r_[True, (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1])])
        post_docs, post_codes = docs[first], codes[first]
        post_counts = np.diff(np.r_[first, len(codes)])
        term_first = np.flatnonzero(np.r_[True, post_codes[1:] != post_codes[:-1]]).tolist() + [len(first)]
        self.start_field(fieldname, fieldobj)
        for a, b in zip(term_first, term_first[1:]):
            self.start_term(fieldobj.term(int(post_codes[a])).encode("utf-8"))
            lo = int(first[a])
            hi = int(first[b]) if b < len(first) else len(codes)
            self._postwriter.add_bulk(post_docs[a:b], post_counts[a:b], positions[lo:hi])
            self.finish_term()
        self.finish_field()


class CompactLeafMatcher(whoosh3.W3LeafMatcher):
    """Reads both block layouts; ``compact_block()`` gives the raw arrays of a compact block to numpy."""

    def _compact_data(self):
        """The current block's data when it is in the compact layout, else None."""
        if self._data is None:
            self._read_data()
        d = self._data
        return d if len(d) == 5 and d[0] == _COMPACT_TAG else None

    def compact_block(self):
        """(ids, counts, positions) as bytes of uint32 arrays, or None for a block in Whoosh's layout."""
        d = self._compact_data()
        return None if d is None else (d[1], d[3], d[4])

    def _read_ids(self):
        d = self._compact_data()
        if d is None:
            return super()._read_ids()
        ids = array("I")
        ids.frombytes(d[1])
        self._ids = ids

    def _read_weights(self):
        d = self._compact_data()
        if d is None:
            return super()._read_weights()
        w = array("f")
        if d[2] is None:
            counts = array("I")
            counts.frombytes(d[3])
            w.extend(map(float, counts))
        else:
            w.frombytes(d[2])
        self._weights = w

    def _read_values(self):
        d = self._compact_data()
        if d is None:
            return super()._read_values()
        counts = array("I")
        counts.frombytes(d[3])
        blob, out, at = d[4], [], 0
        for n in counts:
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
