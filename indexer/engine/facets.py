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


def facets(plan: Plan) -> dict[str, list[dict]]:
    """{facet: [{"value", "count"(, "label")}, …]} — by count, then value (years newest first)."""
    snap = plan.snap
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
        codes = snap.facet_codes[name][base]
        counts = np.bincount(codes[codes >= 0], minlength=len(snap.facet_values[name]))
        nonzero = np.flatnonzero(counts)
        counts = counts[nonzero]
        order = np.lexsort((snap.facet_rank[name][nonzero], -counts))  # by count, then value
        values = snap.facet_values[name]
        out[name] = [{"value": values[i], "count": c}
                     for i, c in zip(nonzero[order].tolist(), counts[order].tolist())]
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
    counts = (by_kind & base[:, None] & snap.has_section).sum(axis=0).tolist()
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
                seen = merged.setdefault(item["value"], {**item, "count": 0})
                seen["count"] += item["count"]
        items = list(merged.values())
        if name == "year":  # newest first
            items.sort(key=lambda d: -int(d["value"]))
        elif name == "section":  # by count, then the order of the kinds
            items.sort(key=lambda d: (-d["count"], CANONICALS.index(d["value"])))
        else:  # by count, then value
            items.sort(key=lambda d: (-d["count"], d["value"]))
        out[name] = items
    # 主题词 come from each shard's own TF-IDF (its IDF, its top 30): counts that cannot be summed into the
    # collection's, so a sharded answer lists none rather than wrong ones
    if "keyword" in out:
        out["keyword"] = []
    return out
