"""How matching reports are counted: shopper-style facets over a Plan — each facet counted under the query and the
other facets' filters, so ticking a value never hides that facet's other values — with numpy over the per-report
tables of the Snapshot.
"""

from __future__ import annotations

import numpy as np

from indexer.engine.evaluate import CANONICALS, KindEvaluator, Plan, section_restriction
from indexer.engine.query import FACET_FIELDS
from indexer.limits import check_budget
from indexer.model import CANONICAL_SECTIONS

FACET_ORDER = FACET_FIELDS  # facets in the search output


def empty_facets() -> dict[str, list[dict]]:
    return {name: [] for name in FACET_ORDER}


def facets(plan: Plan, size: int | None = None, more: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """{facet: [{"value", "count"(, "label")}, …]} — by count, then value (years newest first).

    ``size``: at most this many values per facet (the first by count), the number left out of each cut facet put
    in ``more`` — a page shows a hundred, where a county facet at 10k reports has ~2,600 values whose items cost
    more than counting them.  Not cut: a facet the query filters on (its ticked values must stay listed with their
    counts), a shard's (the coordinator's sums must be exact), the 主题词 facet (FACET_TOPICS of its own).

    The issuer facet's values are issuer_ids, each labelled with the name its counted reports are issued under
    (issuer_label()); a shard's items also carry those names with their counts, from which merge_facets() labels
    the collection's."""
    snap = plan.snap
    if plan.shard:
        size = None
    more = {} if more is None else more
    out: dict[str, list[dict]] = {}
    for name in FACET_ORDER:
        check_budget()
        others = [m for other, m in plan.filter_masks.items() if other != name]
        if name == "section":
            out[name] = _section_facet(plan, others)
            continue
        base = plan.query_mask.copy()
        for m in others:
            base &= m
        if name == "keyword":  # 主题词: each report's first keywords
            out[name] = snap.word_table().topic_counts(base)
            continue
        if name == "warning":
            counts = snap.has_warning[base].sum(axis=0).tolist()
            pairs = [(v, c) for v, c in zip(snap.warning_values, counts) if c]
            out[name] = [{"value": v, "count": c} for v, c in sorted(pairs, key=lambda p: (-p[1], p[0]))]
            continue
        if name == "year":
            counts = np.bincount(snap.year_code[base], minlength=len(snap.year_values))
            out[name] = [{"value": str(snap.year_values[i]), "count": int(counts[i])}
                         for i in np.flatnonzero(counts[1:])[::-1] + 1]  # code 0: no year
            continue
        column = "issuer_id" if name == "issuer" else name
        codes = snap.facet_codes[column][base]
        counts = np.bincount(codes[codes >= 0], minlength=len(snap.facet_values[column]))
        nonzero = np.flatnonzero(counts)
        counts = counts[nonzero]
        # by count, then value: one key, the value's rank (unique) below the count
        rank = snap.facet_rank[column]
        order = np.argsort((counts.max(initial=0) - counts) * len(rank) + rank[nonzero])
        values = snap.facet_values[column]
        if size is not None and name not in plan.filter_masks and len(order) > size:
            more[name] = len(order) - size
            order = order[:size]
        chosen = nonzero[order].tolist()
        items = [{"value": v, "count": c} for v, c in zip(map(values.__getitem__, chosen), counts[order].tolist())]
        if name == "issuer":
            names = _issuer_names(snap, base)
            for item, i in zip(items, chosen):
                item["label"] = issuer_label(names.get(i, [])) or item["value"]
                if plan.shard:
                    item["names"] = names.get(i, [])
        out[name] = items
    return cut_facets(out, size, set(plan.filter_masks), more)


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


def _issuer_names(snap, base: np.ndarray) -> dict[int, list[list]]:
    """issuer_id code → [[name, reports, latest year], …] over the reports of ``base``."""
    ids, names = snap.facet_codes["issuer_id"], snap.facet_codes["issuer"]
    sel = base & (ids >= 0) & (names >= 0)
    n_names = max(1, len(snap.facet_values["issuer"]))
    pairs, where, counts = np.unique(ids[sel] * n_names + names[sel], return_inverse=True, return_counts=True)
    latest = np.zeros(len(pairs), dtype=np.int64)
    np.maximum.at(latest, where.reshape(-1), snap.year[sel])
    out: dict[int, list[list]] = {}
    values = snap.facet_values["issuer"]
    for pair, c, y in zip(pairs.tolist(), counts.tolist(), latest.tolist()):
        out.setdefault(pair // n_names, []).append([values[pair % n_names], c, y])
    return out


def _section_facet(plan: Plan, other_masks: list[np.ndarray]) -> list[dict]:
    """Reports that selecting each section kind would give: text matched inside sections of that kind."""
    snap = plan.snap
    base = np.ones(snap.n_reports, dtype=bool)
    for m in other_masks:
        base &= m
    query_kinds = section_restriction(plan.tree, {})
    if plan.tree is not None:  # (text under NOT too: "NOT 公开" counts sections of a kind without it)
        by_kind = KindEvaluator(plan.evaluate)(plan.tree)
    else:
        by_kind = plan.query_mask[:, None]
    both = by_kind & base[:, None] & snap.has_section
    # column by column: a sum over axis 0 of a reports × 10 array took 4× longer at 10k reports
    counts = [np.count_nonzero(both[:, c]) for c in range(both.shape[1])]
    out = []
    for c, key in enumerate(CANONICALS):
        if query_kinds is not None and c not in query_kinds:
            continue
        if counts[c]:
            out.append({"value": key, "label": CANONICAL_SECTIONS[key], "count": int(counts[c])})
    return sorted(out, key=lambda d: -d["count"])


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
