"""How a query is evaluated: the parsed tree (query.py) over reports, as numpy boolean arrays.

A report contains a text term when one of its slots does (only sections of the chosen kinds when a section filter
is given); AND/OR/NOT, facet filters and numeric ranges are array operations on the tables a Snapshot reads into
memory once per generation — no result sets, no groupedby (#452).  ``Plan`` is one query with its filters,
evaluated once and reused for the page, the facets (facets.py) and the ranking (ranking.py).
"""

from __future__ import annotations

import numpy as np

from indexer.engine.errors import QueryError, UnknownName
from indexer.engine.matching import Leaf, slots_reports
from indexer.engine.segmenter import query_words
from indexer.engine.query import And, Filter, Not, Or, Range, Text, parse_filters, parse_query, texts
from indexer.engine.snapshot import CANON_INDEX, CANONICALS, Snapshot
from indexer.limits import check_budget
from indexer.normalize import normalize


class TreeWalk:
    """Boolean evaluation of a query tree into arrays of one shape: AND/OR/NOT here, the leaves in subclasses."""

    shape: tuple[int, ...]

    def __call__(self, node) -> np.ndarray:
        check_budget()  # once per node: a leaf's postings are the costly part
        if isinstance(node, And):
            out = np.ones(self.shape, dtype=bool)
            for item in node.items:
                out &= self(item)
            return out
        if isinstance(node, Or):
            out = np.zeros(self.shape, dtype=bool)
            for item in node.items:
                out |= self(item)
            return out
        if isinstance(node, Not):
            return ~self(node.item)
        return self.leaf(node)

    def leaf(self, node) -> np.ndarray:
        raise NotImplementedError


class Evaluator(TreeWalk):
    """The query over reports: one bool per report."""

    def __init__(self, snap: Snapshot, sections: np.ndarray | None, mode: str = "exact", *, strict: bool = True):
        self.snap = snap
        self.mode = mode
        # an issuer the index does not hold is an error (strict), or — a shard of a larger collection, where another
        # shard may hold it — selects nothing (the coordinator asks every shard first: unknown_issuers())
        self.strict = strict  # how a text term matches: "exact" (a substring) or "words" (all its words, words.py)
        self.shape = (snap.n_reports,)
        # which documents text may match in: all, or only sections of the allowed kinds (no title then)
        self.allowed = None if sections is None else (snap.slot_is_section & np.isin(snap.slot_canon, sections))

    def docs(self, text: str) -> tuple[Leaf, np.ndarray | None]:
        """The leaf of a text term and which of its slots count (None: all of them)."""
        leaf = self.snap.leaf(text, self.mode)
        return leaf, None if self.allowed is None else self.allowed[leaf.docs]

    def leaf(self, node) -> np.ndarray:
        snap = self.snap
        if node is None:
            return np.ones(self.shape, dtype=bool)
        if isinstance(node, Text):
            leaf, keep = self.docs(node.text)
            return slots_reports(leaf.docs if keep is None else leaf.docs[keep], snap.slot_report, self.shape[0])
        if isinstance(node, Filter):
            return filter_mask(snap, node, strict=self.strict)
        if isinstance(node, Range):
            if node.field == "year":
                return node.contains_all(snap.year) & (snap.year > 0)
            mask = np.zeros(self.shape, dtype=bool)
            docs = snap.numeric_docs(node.field, node)
            reps = snap.doc_report[docs] if len(docs) else np.zeros(0, dtype=np.int64)
            mask[reps[reps >= 0]] = True
            return mask
        raise QueryError(f"无法理解的查询部分：{node!r}")  # pragma: no cover


class KindEvaluator(TreeWalk):
    """The query evaluated for every section kind at once: column c of the (reports × kinds) result is what
    Evaluator restricted to sections of kind c gives — one pass for the section facet instead of one per kind."""

    def __init__(self, evaluate: Evaluator):
        self.evaluate = evaluate
        self.snap = evaluate.snap
        self.shape = (self.snap.n_reports, len(CANONICALS))

    def leaf(self, node) -> np.ndarray:
        snap = self.snap
        if isinstance(node, Text):
            leaf = snap.leaf(node.text, self.evaluate.mode)
            # one cell past the reports × kinds: where title slots land (Snapshot.slot_report_kind)
            out = np.zeros(self.shape[0] * self.shape[1] + 1, dtype=bool)
            out[snap.slot_report_kind[leaf.docs]] = True
            return out[:-1].reshape(self.shape)
        # filters, ranges (and nothing): the same for every kind
        return np.repeat(self.evaluate(node)[:, None], self.shape[1], axis=1)


# the facets whose filter values select each value they begin (_value_matches); issuer, section, keyword and
# year are selected their own ways (filter_mask, query.parse_filters)
PREFIX_FIELDS = frozenset({"province", "city", "county", "level", "body_type", "template", "warning"})


def _value_matches(normalized: list[str], wanted: str) -> list[int]:
    """Codes of facet values (given normalised: Snapshot.normalized_values) a filter value selects: equal, or the
    value starts with it (甘肃 → 甘肃省)."""
    w = normalize(wanted)
    return [i for i, v in enumerate(normalized) if v.startswith(w)]


def selected_values(values: list[str], wanted: str) -> list[str]:
    """Of facet values as a search lists them, those a filter value of a PREFIX_FIELDS facet selects."""
    return [values[i] for i in _value_matches([normalize(v) for v in values], wanted)]


def issuer_mask(snap: Snapshot, value: str) -> np.ndarray | None:
    """The reports of the body an issuer filter names: by issuer_id, or by formal name (every report of each body
    that name was used by, all years, and a report under that name without an issuer_id); None when the index
    knows neither."""
    id_codes, name_codes = snap.issuer_codes(value)
    if not id_codes and not name_codes:
        return None
    ids, names = snap.facet_codes["issuer_id"], snap.facet_codes["issuer"]
    named = np.isin(names, name_codes)
    bodies = np.union1d(np.asarray(id_codes, dtype=np.int64), ids[named & (ids >= 0)])
    return np.isin(ids, bodies) | named


def unknown_issuer_message(snap: Snapshot, value: str) -> str:
    """One line for an issuer filter naming no body of the index: the nearest names or ids, or how to write one."""
    import difflib

    value = value.strip()
    pool = snap.facet_values["issuer_id"] if "/" in value else snap.facet_values["issuer"]
    close = difflib.get_close_matches(value, pool, n=3, cutoff=0.5)
    if close:
        return f"没有这个发布机关：{value}（您是不是要找：{'、'.join(close)}？）"
    return (f"没有这个发布机关：{value}（写发布机关全称如 武威市人民政府，或 issuer_id 如 620600/政府；"
            "可选的见检索结果的“发布机关”分面）")


def unknown_issuers(snap: Snapshot, values: list[str]) -> dict[str, str]:
    """{value: message} for the issuer filter values that name no body of this index."""
    return {v: unknown_issuer_message(snap, v) for v in values if issuer_mask(snap, v) is None}


def filter_mask(snap: Snapshot, node: Filter, *, strict: bool = True) -> np.ndarray:
    if node.field == "issuer":
        mask = issuer_mask(snap, node.value)
        if mask is None:
            if strict:
                raise UnknownName(unknown_issuer_message(snap, node.value))
            return np.zeros(snap.n_reports, dtype=bool)
        return mask
    if node.field == "section":
        return snap.has_section[:, CANON_INDEX[node.value]].copy()
    if node.field == "keyword":
        return snap.word_table().topic_mask(normalize(node.value))
    if node.field == "warning":  # a code or a family of codes: warning:check → check.*
        return snap.has_warning[:, _value_matches(snap.normalized_values("warning"), node.value)].any(axis=1)
    codes = _value_matches(snap.normalized_values(node.field), node.value)
    # a table of the chosen codes, read at each report's code (-1, no value: the table's last cell, never chosen);
    # np.isin sorted both sides first, 50 µs at 10k reports
    chosen = np.zeros(len(snap.facet_values[node.field]) + 1, dtype=bool)
    chosen[codes] = True
    return chosen[snap.facet_codes[node.field]]


def section_restriction(tree, filters: dict[str, list]) -> list[int] | None:
    """Section kinds text must match in: from filters' section values and top-level section: terms of the query
    (a section: term under OR/NOT only asks that the report has such a section)."""
    kinds: set[int] | None = None
    tops = tree.items if isinstance(tree, And) else (tree,)
    query_kinds = {CANON_INDEX[n.value] for n in tops if isinstance(n, Filter) and n.field == "section"}
    if query_kinds:
        kinds = query_kinds if len(query_kinds) == 1 else set()  # two different kinds at once: nothing matches
    filter_kinds = {CANON_INDEX[n.value] for n in filters.get("section", [])}
    if filter_kinds:
        kinds = filter_kinds if kinds is None else kinds & filter_kinds
    return None if kinds is None else sorted(kinds)


MODES = ("exact", "words")


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise QueryError(f"未知的检索方式：{mode}（可用：exact 精确、words 分词）")
    return mode


class Plan:
    """A parsed query with its filters, evaluated once and reused for results and facets."""

    def __init__(self, snap: Snapshot, query: str, filters: dict[str, list[str]] | None, mode: str = "exact", *,
                 shard: bool = False):
        self.snap = snap
        self.mode = check_mode(mode)
        self.shard = shard  # one shard of a larger collection: its facets are to be merged (facets.merge_facets)
        self.tree = parse_query(query)
        self.filters = parse_filters(filters)
        self.terms = list(dict.fromkeys(texts(self.tree))) if self.tree is not None else []
        restriction = section_restriction(self.tree, self.filters)
        self.evaluate = Evaluator(snap, None if restriction is None else np.asarray(restriction), mode,
                                  strict=not shard)
        self.query_mask = self.evaluate(self.tree)
        self.filter_masks = {name: self._filter_mask(name, nodes) for name, nodes in self.filters.items()}
        self.mask = self.query_mask.copy()
        for m in self.filter_masks.values():
            self.mask &= m

    def marked(self) -> list[str]:
        """What snippets mark: the terms, or in words mode every word of them."""
        if self.mode == "words":
            return list(dict.fromkeys(w for t in self.terms for w in query_words(t)))
        return self.terms

    def _filter_mask(self, name: str, nodes: list) -> np.ndarray:
        mask = np.zeros(self.snap.n_reports, dtype=bool)
        for node in nodes:
            mask |= self.evaluate(node)
        return mask
