"""The Whoosh schema: one document per section plus one per report (kind 'r': title, metadata, table fields).

Section documents carry their report id and position so hits know their section and results group by report;
report-level facets live in columns of the report document, read into memory once per index generation.
"""

from __future__ import annotations

from whoosh import fields

from indexer.analysis import ExactBigramField, ExactCharField

KIND_REPORT = "r"
KIND_SECTION = "s"
# Report.fields keys become numeric, sortable fields named FIELD_PREFIX + key (keys contain dots).
FIELD_PREFIX = "f_"
FACET_COLUMNS = ("province", "city", "county", "level", "body_type", "template")
SCHEMA_VERSION = "1"


def build_schema() -> fields.Schema:
    schema = fields.Schema(
        rid=fields.ID(stored=True, sortable=True),
        kind=fields.ID(sortable=True),
        version=fields.STORED(),
        # report documents
        meta=fields.STORED(),  # dict: title, issuer, region, year, source, … for result lists
        year=fields.NUMERIC(int, bits=32, signed=True, sortable=True),
        # section documents
        pos=fields.NUMERIC(int, bits=32, signed=False, stored=True),
        length=fields.NUMERIC(int, bits=32, signed=False, sortable=True),  # of the exact text, for BM25
        hlen=fields.NUMERIC(int, bits=32, signed=False, sortable=True),  # of the heading part of it
        anchor=fields.STORED(),
        heading=fields.STORED(),
        canonical=fields.ID(stored=True, sortable=True),
        text=fields.STORED(),  # display text, for snippets
        # the two views of the text (see analysis.py)
        exact1=ExactCharField(),
        exact2=ExactBigramField(),
    )
    for name in FACET_COLUMNS:
        schema.add(name, fields.ID(sortable=True))
    # default=0: Whoosh packs the column default unconverted, and its own float default (NaN) cannot be packed
    schema.add(FIELD_PREFIX + "*", fields.NUMERIC(float, sortable=True, default=0), glob=True)
    return schema
