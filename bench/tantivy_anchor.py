"""The embedded anchor of issue 12: tantivy (Rust, PyPI ``tantivy``) with pre-cut n-grams, exact by construction.

Only the benchmarks use it (the ``bench`` extra); the product never imports it.

* ``tri``: the trigram at every position of the normalised title and section texts (positions kept), one token
  per character position, sections apart (a gap token no query produces); a phrase of n ≥ 3 characters is the
  phrase query of its n − 2 trigrams at consecutive positions — exactly the reports that contain it.
* ``bi``: the bigrams the same way, for two-character queries (no positions needed for those: "freq").
* Stored: id, title and the display text (tantivy's compressed document store), as nianbao keeps its display
  text; facets as fast fields (province, city, county, level, body_type, template, year), counted with terms
  aggregations for every search (FACET_SIZE values a facet listed, as nianbao lists them), as nianbao computes its
  facets for every search.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from indexer.model import Report
from indexer.normalize import normalize

_GAP = "\u0001"  # between slots: no normalised query contains it
FACETS = ("province", "city", "county", "level", "body_type", "template")
# values per facet both systems list, as the search page asks for (webui.views.FACET_MAX_SHOWN): counting is over
# every value either way, items are made for the first hundred
FACET_SIZE = 100


def _grams(texts: list[str], n: int) -> str:
    out: list[str] = []
    for t in texts:
        out.extend(t[i:i + n] for i in range(len(t) - n + 1))
        out.append(_GAP)
    return " ".join(out)


def _schema():
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("rid", stored=True, tokenizer_name="raw")
    b.add_text_field("tri", tokenizer_name="whitespace", index_option="position")
    b.add_text_field("bi", tokenizer_name="whitespace", index_option="freq")
    b.add_bytes_field("display", stored=True, indexed=False)
    for f in FACETS:
        b.add_text_field(f, stored=False, fast=True, tokenizer_name="raw")
    b.add_integer_field("year", indexed=True, fast=True)
    return b.build()


def _texts(r: Report) -> list[str]:
    return [normalize(r.title or "")] + [normalize(f"{s.number}{s.heading}") + "\n" + normalize(s.text)
                                        for s in r.sections]


def build(reports: list[Report], path: Path, threads: int = 2) -> None:
    import tantivy

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = tantivy.Index(_schema(), path=str(path))
    w = ix.writer(heap_size=512_000_000, num_threads=threads)
    for r in reports:
        texts = _texts(r)
        doc = {"rid": r.id, "tri": _grams(texts, 3), "bi": _grams(texts, 2),
               "display": ((r.title or "") + "\n" + r.text).encode("utf-8"), "year": int(r.year or 0)}
        for f in FACETS:
            doc[f] = getattr(r, f) or ""
        w.add_document(tantivy.Document(**doc))
    w.commit()
    w.wait_merging_threads()


class Anchor:
    def __init__(self, path: Path):
        import tantivy

        self._t = tantivy
        self.ix = tantivy.Index.open(str(path))
        self.ix.reload()
        self.schema = self.ix.schema
        self.searcher = self.ix.searcher()

    def query(self, phrase: str, filters: dict | None = None):
        t = self._t
        q = normalize(phrase)
        if len(q) > 3:
            base = t.Query.phrase_query(self.schema, "tri", [q[i:i + 3] for i in range(len(q) - 2)])
        else:  # one gram: a term query (tantivy's phrase query needs two terms or more)
            base = t.Query.term_query(self.schema, "tri" if len(q) == 3 else "bi", q)
        parts = [(t.Occur.Must, base)]
        if filters and "province" in filters:
            parts.append((t.Occur.Must, t.Query.regex_query(self.schema, "province", filters["province"][0] + ".*")))
        if filters and "year" in filters:
            lo, hi = (int(x) for x in filters["year"][0].split("-"))
            parts.append((t.Occur.Must, t.Query.range_query(self.schema, "year", t.FieldType.Integer, lo, hi)))
        return base if len(parts) == 1 else t.Query.boolean_query(parts)

    def search(self, phrase: str, filters: dict | None = None, limit: int = 20, shopper: bool = False) -> int:
        """The matching reports' count, the top ``limit`` with their stored text read, and the facet counts —
        all under the query and every filter; with ``shopper``, a filtered facet's under the query and the other
        filters, as nianbao counts it (facets.py: ticking a value must not hide the facet's other values), which
        is a second aggregation per filtered facet, over a query without its filter."""
        query = self.query(phrase, filters)
        res = self.searcher.search(query, limit)
        for _score, addr in res.hits:
            self.searcher.doc(addr)
        names = FACETS + ("year",)
        ticked = [f for f in (filters or {}) if f in names] if shopper else []
        self.searcher.aggregate(query, {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in names
                                        if f not in ticked})
        for name in ticked:
            others = {k: v for k, v in filters.items() if k != name}
            self.searcher.aggregate(self.query(phrase, others), {name: {"terms": {"field": name,
                                                                                 "size": FACET_SIZE}}})
        return res.count
