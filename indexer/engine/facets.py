"""How matching reports are counted: shopper-style facets over a Plan — each facet counted under the query and the
other facets' filters, so ticking a value never hides that facet's other values — in one compiled pass over the
matching reports' row of a FacetTable (every facet's codes), on another core while the search ranks its page.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from indexer.engine.evaluate import CANONICALS, KindEvaluator, Plan, section_restriction
from indexer.engine.matching import pool
from indexer.engine.query import FACET_FIELDS, Text
from indexer.limits import check_budget
from indexer.model import CANONICAL_SECTIONS

FACET_ORDER = FACET_FIELDS  # facets in the search output


def empty_facets() -> dict[str, list[dict]]:
    return {name: [] for name in FACET_ORDER}


def facets(plan: Plan, size: int | None = None, more: dict[str, int] | None = None,
           counted: "Counted | None" = None) -> dict[str, list[dict]]:
    """{facet: [{"value", "count"(, "label")}, …]} — by count, then value (years newest first).

    ``size``: at most this many values per facet (the first by count), the number left out of each cut facet put
    in ``more`` — a page shows a hundred, where a county facet at 10k reports has ~2,600 values whose items cost
    more than counting them.  Not cut: a facet the query filters on (its ticked values must stay listed with their
    counts), a shard's (the coordinator's sums must be exact), the 主题词 facet (FACET_TOPICS of its own).

    The issuer facet's values are issuer_ids, each labelled with the name its counted reports are issued under
    (issuer_label()); a shard's items also carry those names with their counts, from which merge_facets() labels
    the collection's.

    ``counted``: the counts, when count_later() had them counted beside the search's other work; else count()."""
    snap = plan.snap
    if plan.shard:
        size = None
    more = {} if more is None else more
    check_budget()
    table = facet_table(snap)
    counts, latest, topics, kinds = counted or count(plan)
    cuts = np.asarray([size if size is not None and name not in plan.filter_masks else -1 for name in _CODE_FACETS],
                      dtype=np.int64)
    ranked = _ranked(counts, table.code_spans, table.rank, cuts)
    out: dict[str, list[dict]] = {}
    for name in FACET_ORDER:
        if name == "section":
            out[name] = _section_facet(plan, kinds)
        elif name == "keyword":  # 主题词: each report's first keywords
            out[name] = snap.word_table().topic_items(topics)
        elif name == "warning":
            pairs = [(v, c) for v, c in zip(snap.warning_values, counts[table.span("warning")].tolist()) if c]
            out[name] = [{"value": v, "count": c} for v, c in sorted(pairs, key=lambda p: (-p[1], p[0]))]
        elif name == "year":
            years = counts[table.span("year")]
            out[name] = [{"value": str(snap.year_values[i]), "count": int(years[i])}
                         for i in np.flatnonzero(years[1:])[::-1] + 1]  # code 0: no year
        else:
            out[name] = _value_items(snap, table, name, ranked, counts, latest, more, plan.shard)
    return cut_facets(out, size, set(plan.filter_masks), more)


def _value_items(snap, table: "FacetTable", name: str, ranked: tuple, counts: np.ndarray, latest: np.ndarray,
                 more: dict[str, int], shard: bool) -> list[dict]:
    """The items of a facet over a column of values, by count then value, as _ranked() chose them."""
    codes, chosen_counts, ends, left = ranked
    f = _CODE_FACETS.index(name)
    if left[f]:
        more[name] = int(left[f])
    lo = int(ends[f - 1]) if f else 0
    chosen = codes[lo:ends[f]].tolist()
    values = snap.facet_values["issuer_id" if name == "issuer" else name]
    items = [{"value": v, "count": c}
             for v, c in zip(map(values.__getitem__, chosen), chosen_counts[lo:ends[f]].tolist())]
    if name == "issuer":
        for item, i in zip(items, chosen):
            names = table.issuer_names(snap, i, counts, latest)
            item["label"] = issuer_label(names) or item["value"]
            if shard:
                item["names"] = names
    return items


@njit(cache=True, nogil=True)
def _ranked(counts, spans, rank, cuts):
    """The values of each single-valued facet (spans: its range of ``counts``) with a count, by count, then value
    (``rank``: each value's place in code point order) — the first cuts[f] of them (all when negative): (their codes
    within the facet, their counts, where each facet's items end, how many each cut left out).  One call for all
    the facets, where numpy took eight calls a facet (0.07 ms more a search at 10k reports)."""
    codes, chosen = np.empty(len(counts), dtype=np.int64), np.empty(len(counts), dtype=np.int64)
    ends, left = np.empty(len(spans), dtype=np.int64), np.zeros(len(spans), dtype=np.int64)
    o = 0
    for f in range(len(spans)):
        lo, hi = spans[f, 0], spans[f, 1]
        nonzero, top = 0, 0
        for v in range(lo, hi):
            if counts[v]:
                nonzero += 1
                top = max(top, counts[v])
        # by count, then value: one key, the value's rank (unique) below the count
        keys, values = np.empty(nonzero, dtype=np.int64), np.empty(nonzero, dtype=np.int64)
        j = 0
        for v in range(lo, hi):
            if counts[v]:
                keys[j], values[j] = (top - counts[v]) * (hi - lo) + rank[v], v
                j += 1
        cut = cuts[f]
        if 0 <= cut < nonzero:  # the first ``cut`` only sorted (a county facet has thousands)
            left[f] = nonzero - cut
            floor = np.partition(keys, cut - 1)[cut - 1] if cut else -1
            first = np.flatnonzero(keys <= floor)
            keys, values = keys[first], values[first]
        for i in np.argsort(keys):
            codes[o], chosen[o] = values[i] - lo, counts[values[i]]
            o += 1
        ends[f] = o
    return codes[:o], chosen[:o], ends, left


def cut_facets(out: dict[str, list[dict]], size: int | None, ticked: set[str],
               more: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """Each facet's first ``size`` values (see facets()), the number left out of each in ``more``; not cut: the
    facets in ``ticked`` (the query filters on them) and 主题词."""
    more = {} if more is None else more
    if size is None:
        return out
    for name, items in out.items():
        if name != "keyword" and name not in ticked and len(items) > size:
            more[name] = more.get(name, 0) + len(items) - size
            out[name] = items[:size]
    return out


def issuer_label(names: list[list]) -> str:
    """The name an issuer facet value is shown with, from [name, reports, latest year] of each name its reports
    are issued under: the most common, then the latest year's, then the first in code point order."""
    if not names:
        return ""
    return min(names, key=lambda n: (-n[1], -n[2], n[0]))[0]


def _section_facet(plan: Plan, kinds: np.ndarray | None) -> list[dict]:
    """Reports that selecting each section kind would give: text matched inside sections of that kind.
    ``kinds``: those counts, when the query is one term (count_later counts them from its slots)."""
    snap = plan.snap
    query_kinds = section_restriction(plan.tree, {})
    if kinds is None:
        kinds = np.zeros(len(CANONICALS), dtype=np.int64)
        if plan.tree is not None:  # (text under NOT too: "NOT 公开" counts sections of a kind without it)
            by_kind = KindEvaluator(plan.evaluate)(plan.tree)
        else:
            by_kind = np.repeat(plan.query_mask[:, None], len(CANONICALS), axis=1)
        _kind_matrix(by_kind, _section_base(plan), snap.has_section, kinds)
    out = []
    for c, key in enumerate(CANONICALS):
        if query_kinds is not None and c not in query_kinds:
            continue
        if kinds[c]:
            out.append({"value": key, "label": CANONICAL_SECTIONS[key], "count": int(kinds[c])})
    return sorted(out, key=lambda d: -d["count"])


def _section_base(plan: Plan) -> np.ndarray:
    """The reports the section facet counts in: those of every filter but section."""
    base = np.ones(plan.snap.n_reports, dtype=bool)
    for name, m in plan.filter_masks.items():
        if name != "section":
            base &= m
    return base


class FacetTable:
    """Every report's facet values as one matrix for a compiled counting pass: a column per single-valued facet
    (its codes) and per warning code, each code shifted to its own range of one array of counts,
    so that all facets of a search are counted in a single pass over the matching reports (numpy took a dozen
    calls a facet: 1.4 ms a search at 10k reports, most of the facets' cost).  Built on a generation's first
    search; ~30 int32 a report.

    The issuer facet has a second column: the (issuer_id, issuer name) pair, whose counts and latest years
    label the issuer values."""

    def __init__(self, snap):
        n = snap.n_reports
        columns: list[tuple[str, np.ndarray]] = [
            (name, snap.facet_codes["issuer_id" if name == "issuer" else name]) for name in _CODE_FACETS]
        columns.append(("year", snap.year_code))
        ids, names = snap.facet_codes["issuer_id"], snap.facet_codes["issuer"]
        named = (ids >= 0) & (names >= 0)
        n_names = max(1, len(snap.facet_values["issuer"]))
        pairs, where = np.unique(ids[named] * n_names + names[named], return_inverse=True)
        self.pair_column = len(columns)
        pair = np.full(n, -1, dtype=np.int64)
        pair[named] = where.reshape(-1)
        self.pair_id, self.pair_name = pairs // n_names, pairs % n_names  # sorted by id, then name code
        self.pair_start = np.searchsorted(self.pair_id, np.arange(len(snap.facet_values["issuer_id"]) + 1))
        columns.append(("issuer_pair", pair))
        for w in range(len(snap.warning_values)):
            columns.append(("warning", np.where(snap.has_warning[:, w], w, -1)))
        sizes = {"year": len(snap.year_values), "issuer_pair": len(pairs), "warning": len(snap.warning_values)}
        for name in _CODE_FACETS:
            sizes[name] = len(snap.facet_values["issuer_id" if name == "issuer" else name])
        self._spans: dict[str, slice] = {}
        at = 0
        for name in sizes:
            self._spans[name] = slice(at, at + sizes[name])
            at += sizes[name]
        self.n_counts = at
        self.pair_offset = self._spans["issuer_pair"].start
        self.n_pairs = len(pairs)
        # the facet (FACET_ORDER) each column counts for, a filter of which alone may fail for a report to count
        facet_of = {**{name: FACET_ORDER.index(name) for name in FACET_ORDER}, "issuer_pair": FACET_ORDER.index(
            "issuer")}
        self.column_facet = np.asarray([facet_of[name] for name, _ in columns], dtype=np.int64)
        matrix = np.full((n, len(columns)), -1, dtype=np.int32)
        for c, (name, codes) in enumerate(columns):
            has = codes >= 0
            matrix[has, c] = codes[has] + self._spans[name].start
        self.matrix = matrix
        self.year = snap.year
        # the single-valued facets' ranges of the counts and each value's rank (code point order), for _ranked()
        self.code_spans = np.asarray([(self._spans[name].start, self._spans[name].stop) for name in _CODE_FACETS],
                                     dtype=np.int64).reshape(-1, 2)
        self.rank = np.zeros(self.n_counts, dtype=np.int64)
        for name in _CODE_FACETS:
            self.rank[self._spans[name]] = snap.facet_rank["issuer_id" if name == "issuer" else name]

    def span(self, name: str) -> slice:
        return self._spans[name]

    def issuer_names(self, snap, code: int, counts: np.ndarray, latest: np.ndarray) -> list[list]:
        """[[name, reports, latest year], …] of the names issuer_id ``code``'s counted reports are issued under."""
        values = snap.facet_values["issuer"]
        out = []
        for p in range(int(self.pair_start[code]), int(self.pair_start[code + 1])):
            c = int(counts[self.pair_offset + p])
            if c:
                out.append([values[int(self.pair_name[p])], c, int(latest[p])])
        return out


# the facets of one code a report, counted by FacetTable
_CODE_FACETS = ("province", "city", "county", "issuer", "level", "body_type", "template")


class Counted(NamedTuple):
    counts: np.ndarray  # of every facet value of the FacetTable, each under the query and the other filters
    latest: np.ndarray  # the latest year of each issuer pair's counted reports
    topics: np.ndarray  # of every 主题词 word code (the word table's: a shard's view weighs its own)
    kinds: np.ndarray | None  # the section facet's, when the query is one term (else _section_facet counts)


def count(plan: Plan) -> Counted:
    """The counts every facet of a plan needs, in one compiled call (_count_all)."""
    out, args = _counting(plan)
    _count_all(*args)
    return out


def count_later(plan: Plan) -> "_Counting":
    """count() on the pool's threads while the search ranks and reads its page (results.run_search): the call
    holds no GIL, so it runs beside that Python (0.3 ms less a search at 10k reports, paired with counting inline:
    0.8 ms of counting, less the hand-over and the two cores' shared caches); ``.result()`` waits for it."""
    out, args = _counting(plan)
    return _Counting(out, pool().submit(_count_all, *args))


class _Counting:
    def __init__(self, value: Counted, future):
        self._value, self._future = value, future

    def result(self) -> Counted:
        self._future.result()
        return self._value


def _counting(plan: Plan) -> tuple[Counted, tuple]:
    """The arrays count() fills (zeros) and _count_all's arguments."""
    snap = plan.snap
    table = facet_table(snap)
    names = list(plan.filter_masks)
    filters = np.stack([plan.filter_masks[k] for k in names]) if names else np.ones((0, snap.n_reports), bool)
    filter_facet = np.asarray([FACET_ORDER.index(k) for k in names], dtype=np.int64)
    words = snap.word_table()
    one_term = isinstance(plan.tree, Text)  # its slots go straight into (report, kind) cells
    out = Counted(np.zeros(table.n_counts, dtype=np.int64), np.zeros(table.n_pairs, dtype=np.int64),
                  np.zeros(len(words.vocab), dtype=np.int64),
                  np.zeros(len(CANONICALS), dtype=np.int64) if one_term else None)
    args = (np.flatnonzero(plan.query_mask), filters, filter_facet, table.matrix, table.column_facet, out.counts,
            table.year, table.pair_column, table.pair_offset, out.latest,
            words.topic_codes, np.full(words.topic_codes.shape[1], FACET_ORDER.index("keyword")), out.topics,
            snap.leaf(plan.tree.text, plan.mode).docs if one_term else _NO_SLOTS, snap.slot_report, snap.slot_canon,
            _section_base(plan) if one_term else _NO_BASE, snap.has_section, out.kinds if one_term else _NO_KINDS)
    return out, args


# what _count_all takes for a query of more than one term (its section facet is counted apart), typed as the
# arrays of a one-term query are, so that numba compiles the call once
_NO_SLOTS, _NO_BASE = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
_NO_KINDS = np.zeros(len(CANONICALS), dtype=np.int64)


def facet_table(snap) -> FacetTable:
    return snap.derived("facet_table", lambda: FacetTable(snap))


@njit(cache=True, nogil=True)
def _count_all(reports, filters, filter_facet, matrix, column_facet, counts, year, pair_column, pair_offset,
               latest, topic_codes, topic_facet, topics, slots, slot_report, slot_canon, base, has_section, kinds):
    """Every count a search's facets need, in one call that holds no GIL (count_later)."""
    _count_facets(reports, filters, filter_facet, matrix, column_facet, counts, year, pair_column, pair_offset,
                  latest)
    _count_facets(reports, filters, filter_facet, topic_codes, topic_facet, topics, year, -1, 0, latest)
    _kind_cells(slots, slot_report, slot_canon, base, has_section, kinds)


@njit(cache=True, nogil=True)
def _count_facets(reports, filters, filter_facet, matrix, column_facet, counts, year, pair_column, pair_offset,
                  latest):
    """Shopper-style counts in one pass: a report passing every filter counts for every facet; one failing a
    single facet's filter counts for that facet only (its values are what ticking another value of it would
    add); one failing two counts for none.  Column ``pair_column`` (the issuer pairs) also keeps the latest year
    of each value's reports."""
    n_filters, n_columns = filters.shape[0], matrix.shape[1]
    for r in reports:
        failed, n_failed = -1, 0
        for f in range(n_filters):
            if not filters[f, r]:
                n_failed += 1
                failed = filter_facet[f]
        if n_failed > 1:
            continue
        for c in range(n_columns):
            if n_failed == 0 or column_facet[c] == failed:
                v = matrix[r, c]
                if v >= 0:
                    counts[v] += 1
                    if c == pair_column and year[r] > latest[v - pair_offset]:
                        latest[v - pair_offset] = year[r]


@njit(cache=True, nogil=True)
def _kind_cells(slots, slot_report, slot_canon, base, has_section, counts):
    """counts[kind] += the distinct (report, kind) cells of ``slots`` (a term's slots, in order: a report's come
    together; slot_canon: the slot's kind, negative for a title) whose report is in ``base`` and has a section of
    that kind.  (Each slot's report and kind read as they are: from one report × kinds cell, a division and a
    remainder a slot took a third longer.)"""
    report, seen = -1, 0  # the kinds of the current report counted so far, as bits
    for slot in slots:
        k = slot_canon[slot]
        if k < 0:
            continue
        r = slot_report[slot]
        if r != report:
            report, seen = r, 0
        if not seen >> k & 1:
            seen |= 1 << k
            if base[r] and has_section[r, k]:
                counts[k] += 1


@njit(cache=True, nogil=True)
def _kind_matrix(by_kind, base, has_section, counts):
    for r in range(by_kind.shape[0]):
        if base[r]:
            for k in range(by_kind.shape[1]):
                if by_kind[r, k] and has_section[r, k]:
                    counts[k] += 1


def merge_facets(parts: list[dict[str, list[dict]]]) -> dict[str, list[dict]]:
    """The facets of a collection from those of its shards: each report lives in one shard, so a value's count
    is the sum of its shards' counts; ordered as facets() orders them."""
    out: dict[str, list[dict]] = {}
    for name in FACET_ORDER:
        merged: dict[str, dict] = {}
        for part in parts:
            for item in part.get(name, []):
                seen = merged.setdefault(item["value"], {**item, "count": 0, "names": {}})
                seen["count"] += item["count"]
                for n, c, y in item.get("names", ()):  # the issuer facet: its label from all shards' names
                    had = seen["names"].get(n, (0, 0))
                    seen["names"][n] = (had[0] + c, max(had[1], y))
        items = list(merged.values())
        for item in items:
            names = item.pop("names")
            if names:
                item["label"] = issuer_label([[n, c, y] for n, (c, y) in names.items()])
        if name == "year":  # newest first
            items.sort(key=lambda d: -int(d["value"]))
        elif name == "section":  # by count, then the order of the kinds
            items.sort(key=lambda d: (-d["count"], CANONICALS.index(d["value"])))
        else:  # by count, then value
            items.sort(key=lambda d: (-d["count"], d["value"]))
        out[name] = items
    # 主题词 come from each shard's own TF-IDF (its IDF, its top 30): counts that cannot be summed into the
    # collection's, so none are listed here; the cluster's coordinator merges those of shards weighed with the
    # collection's word statistics itself (keywords.merge_topic_counts)
    if "keyword" in out:
        out["keyword"] = []
    return out
