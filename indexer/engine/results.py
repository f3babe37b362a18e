"""What a search returns: the page of reports in order, each with its section hits and snippets (snippets.py), the
totals and the facets; the ids of every match for export and compare; the facets alone.

Every function takes a Snapshot (snapshot.EMPTY when nothing is indexed yet) and raises QueryError for a query
the user must fix.
"""

from __future__ import annotations

import time

import numpy as np

from indexer.engine.evaluate import Plan
from indexer.engine.facets import count_later, empty_facets, facets
from indexer.engine.matching import searching
from indexer.engine.query import field_ranges
from indexer.engine.ranking import (CollectionStats, oldest_first, order_keys, page_order, parse_field_sort,
                                    report_scores, slot_scores)
from indexer.engine.snapshot import Snapshot
from indexer.engine.snippets import snippets as make_snippets

# section hits listed per report (a report page shows the rest), and how many of them carry a snippet by default:
# the search page shows three, and lists the others by heading (a snippet costs ~10 µs, decompressing its section
# included: the ten of every result took a sixth of a search at 10k reports)
MAX_HITS_PER_REPORT = 10
SNIPPETS = 3
RESULT_KEYS = ("title", "issuer", "issuer_id", "province", "city", "county", "year", "level", "body_type", "template",
               "source")


def _field_conditions(plan: Plan) -> list[tuple[str, str, np.ndarray]]:
    """(key, Chinese label, which reports meet it) for each table-field condition of the query and its filters that
    a matching report meets: the field hits a result shows beside (or instead of) its section hits."""
    from indexer.parse.tables.catalogue import field_label

    snap = plan.snap
    out: dict[str, tuple[str, str, np.ndarray]] = {}
    nodes = field_ranges(plan.tree) + [n for ns in plan.filters.values() for n in ns if hasattr(n, "low")]
    for node in nodes:
        if node.field == "year":
            continue
        values = snap.field_values(node.field)
        met = ~np.isnan(values) & node.contains_all(values)
        key = node.field
        out[key] = (key, field_label(key), met | out[key][2] if key in out else met)
    return list(out.values())


def _plain_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


@searching()
def run_facets(snap: Snapshot, query: str = "", *, filters: dict[str, list[str]] | None = None,
               mode: str = "exact", shard: bool = False) -> dict:
    """``shard``: this index is one shard of a larger collection (evaluate.Plan)."""
    return facets(Plan(snap, query, filters, mode, shard=shard))


@searching()
def run_ids(snap: Snapshot, query: str = "", *, filters: dict[str, list[str]] | None = None,
            mode: str = "exact") -> list[str]:
    """Ids of every report the query and filters select, oldest year first — for export and compare, which need
    all of them and no snippets."""
    reports = np.flatnonzero(Plan(snap, query, filters, mode).mask)
    order = oldest_first(snap.year[reports])
    return [snap.report_ids[r] for r in reports[order].tolist()]


@searching()
def run_search(snap: Snapshot, query: str = "", *, filters: dict[str, list[str]] | None = None,
               sort: str = "relevance", limit: int = 20, offset: int = 0, mode: str = "exact",
               stats: CollectionStats | None = None, facet_size: int | None = None, snippets: int = SNIPPETS) -> dict:
    """With ``stats`` (a shard of a larger collection): scores use the collection's statistics, each result
    carries its "sort_key" (ranking.order_keys), by which a coordinator merges the shards' pages, and the facets
    are a shard's (evaluate.Plan).  ``facet_size``: values per facet at most (facets.facets), the number each cut
    facet left out in "facets_more".  ``snippets``: the first this many section hits of each result carry a
    snippet (at most MAX_HITS_PER_REPORT hits are listed)."""
    t0 = time.perf_counter()
    if sort == "year":
        sort = "year_desc"
    sort_field = parse_field_sort(sort)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    out = {"query": query, "total": 0, "total_sections": 0, "total_fields": 0, "took_ms": 0, "facets": empty_facets(),
           "results": [], "limit": limit, "offset": offset, "sort": sort, "mode": mode}
    plan = Plan(snap, query, filters, mode, shard=stats is not None)
    marked = plan.marked()
    if mode == "words":
        out["words"] = marked  # the words each term was cut into, for "分词匹配：…"
    reports = np.flatnonzero(plan.mask)
    counting = count_later(plan)  # on another core, while this thread ranks and reads the page
    docs, doc_scores = slot_scores(plan, stats)
    section_docs = docs[snap.slot_is_section[docs]]
    out["total"] = int(len(reports))
    out["total_sections"] = int(len(section_docs))
    conditions = _field_conditions(plan)
    out["total_fields"] = int(sum(np.count_nonzero(met[reports]) for _, _, met in conditions))
    score = report_scores(snap.slot_report, snap.n_reports, docs, doc_scores)
    page = page_order(plan, reports, score, sort, sort_field, offset, limit)
    # each report's slots are one range of global slot ids, and section_docs is sorted: two binary searches each
    base = snap.report_slot_base[page]
    lo = np.searchsorted(section_docs, base)
    hi = np.searchsorted(section_docs, base + snap.report_slot_count[page])
    section_by_report = {int(r): (section_docs[a:b] - (int(b0) + 1)).tolist()
                         for r, a, b, b0 in zip(page.tolist(), lo.tolist(), hi.tolist(), base.tolist())}
    keys = None if stats is None else np.stack(
        order_keys(plan, page, score[page], snap.year[page], sort, sort_field), axis=1).astype(float).tolist()
    condition_values = [snap.field_values(c[0]) for c in conditions]
    texts, snippet_hits = [], []  # the sections whose snippets the page shows, made all at once below
    for position, (r, doc, s) in enumerate(zip(page.tolist(), snap.report_doc[page].tolist(),
                                               score[page].tolist())):
        display = snap.display(doc)
        meta, sections = display.meta, display.sections
        hits = []
        for k, i in enumerate(section_by_report[r][:MAX_HITS_PER_REPORT]):
            anchor, heading, canonical = sections[i]
            hits.append({"anchor": anchor, "heading": heading, "canonical": canonical})
            if k < snippets:
                texts.append(display.data(i))
                snippet_hits.append(hits[-1])
        fields = [{"key": key, "label": label, "value": _plain_number(values[r])}
                  for (key, label, met), values in zip(conditions, condition_values) if met[r]]
        out["results"].append({"id": snap.report_ids[r], **{k: meta.get(k) for k in RESULT_KEYS},
                               "score": round(s, 4), "hits": hits, "fields": fields})
        if keys is not None:
            out["results"][-1]["sort_key"] = keys[position]
    for hit, snippet in zip(snippet_hits, make_snippets(texts, marked)):
        hit["snippet"] = snippet
    more: dict[str, int] = {}
    out["facets"] = facets(plan, facet_size, more, counting.result())
    if more:
        out["facets_more"] = more
    out["took_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def report_keywords(snap: Snapshot, rid: str, idf: dict[str, float] | None = None) -> dict | None:
    """{"keywords": [{"word", "weight"}, …], "sections": [[…], …] (in section order)}; None when not indexed.
    ``idf``: the collection's IDF of the report's words (WordTable.report_words), when this index is a shard."""
    r = snap.report_number(rid)
    if r is None:
        return None
    table = snap.word_table()
    return {"keywords": table.keywords(r, idf=idf), "sections": table.section_keywords(r, idf=idf)}


def similar_reports(snap: Snapshot, rid: str, limit: int = 10) -> list[dict] | None:
    """The reports nearest in wording, most similar first, each with its metadata, ``score`` (the cosine
    similarity of their TF-IDF vectors, 0–1) and whether it has the same issuer; None when not indexed."""
    r = snap.report_number(rid)
    if r is None:
        return None
    own = snap.display(snap.report_doc[r]).meta.get("issuer")
    return _similar_rows(snap, snap.word_table().similar(r, limit), own)


def report_vector(snap: Snapshot, rid: str) -> dict | None:
    """What a shard sends the others to find a report's similar ones (similar_to): its unit TF-IDF vector as word
    codes and weights (none when it has no words), and its issuer; None when not indexed here."""
    r = snap.report_number(rid)
    if r is None:
        return None
    table = snap.word_table()
    codes, weights = table.vector(r) if table.has_vector[r] else (np.zeros(0, np.uint64), np.zeros(0))
    return {"codes": codes, "weights": weights, "issuer": snap.display(snap.report_doc[r]).meta.get("issuer")}


def similar_to(snap: Snapshot, vector: dict, rid: str, limit: int = 10) -> list[dict]:
    """similar_reports() of a report given by its report_vector() (held here or by another shard), report ``rid``
    itself left out; each row with its score unrounded in "similarity" too, to merge the shards' rows by."""
    if not len(vector["codes"]):
        return []
    pairs = snap.word_table().similar_to(vector["codes"], vector["weights"], limit, snap.report_number(rid))
    rows = _similar_rows(snap, pairs, vector["issuer"])
    for row, (_, score) in zip(rows, pairs):
        row["similarity"] = score
    return rows


def _similar_rows(snap: Snapshot, pairs: list[tuple[int, float]], own: str | None) -> list[dict]:
    out = []
    for other, score in pairs:
        meta = snap.display(snap.report_doc[other]).meta
        out.append({"id": snap.report_ids[other], **{k: meta.get(k) for k in RESULT_KEYS},
                    "score": round(score, 4), "same_issuer": bool(own) and meta.get("issuer") == own})
    return out
