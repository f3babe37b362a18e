"""The Whoosh schema: one document per report.

The exact view holds the report's title and sections as numbered slots (see analysis.py), so a hit knows its
section; per-slot facts the search needs for every report (section kind, lengths) sit in a column read into memory
once per index generation, and the display text of the sections is stored for snippets.
"""

from __future__ import annotations

import hashlib
import math

from whoosh import columns, fields

from indexer.engine.analysis import (COMMON_BIGRAMS, ExactBigramField, ExactBigramSlotField, ExactTrigramField)
from indexer.engine.display import DICTIONARY_DIGEST as DISPLAY_DICTIONARY_DIGEST
from indexer.engine.segmenter import DICTIONARY_DIGEST
from indexer.engine.keywords import DICTIONARY_DIGEST as WORDSTATS_DICTIONARY_DIGEST, WordStatsField
from indexer.engine.words import WordField
from indexer.parse.tables.catalogue import REUSE_FIELDS

# Report.fields keys become float64 columns named FIELD_PREFIX + key (keys contain dots).
FIELD_PREFIX = "f_"
# … except these: figures computed across the collection (indexer/history/reuse.py) that change as other reports
# arrive.  They are kept beside the documents, as each generation's values (index.py), and read from there by
# filters and sorts (snapshot.py), so that a changed figure costs no re-index of the report it belongs to.
VALUE_FIELDS = frozenset(key for key, _label in REUSE_FIELDS)
# issuer_id keys the issuer facet (发布机关); issuer, the formal name, is what the facet shows for each key
FACET_COLUMNS = ("province", "city", "county", "level", "body_type", "template", "issuer_id", "issuer")
# the layout's number and the common bigrams whose trigrams the exact view holds: a change of either rebuilds.
# 9: the field and codec classes Whoosh pickles into the TOC moved to indexer.engine (same postings as 8)
# 10: packed posting blocks (packing.py: docnum gaps, counts, delta-coded positions); display text compressed
#     per section (display.py)
# 11: normalize() folds traditional characters to simplified (OpenCC t2s), so the postings of such text change
# 12: the word view (words.py), cut with the dictionaries whose digest follows; report keywords
# 13: issuer_id and issuer columns (the issuer facet and filter)
# 14: the reuse.* figures out of the documents, into each generation's values (VALUE_FIELDS); other
#     Report.fields as float64 columns only (no NUMERIC trie terms); display text as zstd frames with the trained
#     dictionary whose digest follows the dictionaries' (display.py); no exact1 field: slot texts end with a mark in
#     exact2, whose bigrams answer one-character queries; the top 16 common bigrams instead of 64
# 15: wordstats as packed integers and word references in zstd frames with the trained dictionary whose digest
#     comes last (keywords.encode_stats), not JSON: a quarter of the bytes; posting blocks pack small values in
#     0, 1, 2 or 4 bits, counts less one (packing.py); the word view holds an entry per (word, slot), not a
#     position per occurrence (words.py)
SCHEMA_VERSION = ("15." + hashlib.sha1(" ".join(COMMON_BIGRAMS).encode("utf-8")).hexdigest()[:8] + "."
                  + DICTIONARY_DIGEST + "." + DISPLAY_DICTIONARY_DIGEST + "." + WORDSTATS_DICTIONARY_DIGEST)


def build_schema() -> fields.Schema:
    schema = fields.Schema(
        rid=fields.ID(stored=True, unique=True, sortable=True),
        version=fields.COLUMN(columns.VarBytesColumn()),  # read for sync() without touching stored text
        # for result lists, hits and snippets (display.py): the meta and each section's text compressed apart, so a
        # result decompresses only its hit sections — not Whoosh's stored fields, whose zlib of the whole report
        # took 0.14 ms of a result's 0.19 ms
        display=fields.COLUMN(columns.VarBytesColumn()),
        slots=fields.COLUMN(columns.VarBytesColumn()),  # JSON [[canonical, length, heading length], …], slot 0 = title
        year=fields.NUMERIC(int, bits=32, signed=True, sortable=True),
        warnings=fields.COLUMN(columns.VarBytesColumn()),  # the report's warning codes, space-separated
        exact2=ExactBigramField(),
        exact2s=ExactBigramSlotField(),
        exact3=ExactTrigramField(),
        words=WordField(),  # the word view: mode=words
        wordstats=WordStatsField(),  # a column: top words, sections' top words (keywords.py)
    )
    for name in FACET_COLUMNS:
        schema.add(name, fields.ID(sortable=True))
    # a column only, NaN where a report does not give the field: filters and sorts compare the whole column with
    # numpy (snapshot.field_values), so the trie terms a NUMERIC field indexes (~16 per value, 12 % of the index
    # at 1k reports) were never read
    schema.add(FIELD_PREFIX + "*", fields.COLUMN(columns.NumericColumn("d", default=math.nan)), glob=True)
    return schema
