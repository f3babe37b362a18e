"""How results are ranked and ordered.

Relevance is BM25F over the exact view: term frequency of the substring in each slot, slot length normalisation,
idf from the number of slots containing it, ×3 for the title and ×2 for a match in a section heading; a report
scores its best slot plus a third of the others, so the report where the whole phrase occurs most and most
prominently comes first.  The other orders are by year, or by a table field (FIELDS.md keys).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from indexer.engine.errors import QueryError
from indexer.engine.matching import slots_in
from indexer.limits import check_budget

SORTS = ("relevance", "year_desc", "year_asc")
_K1, _B = 1.2, 0.75
_TITLE_WEIGHT, _HEADING_WEIGHT = 3.0, 2.0


@dataclass(frozen=True)
class CollectionStats:
    """What BM25F takes from the whole collection, when one index holds only a shard of it (tantivy's
    Bm25StatisticsProvider): the number of slots, the average section length, each term's document frequency
    (in words mode each word's: the slots holding it).
    Summed over the shards, it makes a shard score a report exactly as one index holding everything would."""

    n_slots: int
    avg_length: float
    df: dict[str, int]

    @classmethod
    def merge(cls, parts: list[dict]) -> "CollectionStats":
        """From the shards' shard_statistics(): lengths are whole numbers, so their sum is exact and the mean
        is the same float the single index computes."""
        sections = sum(p["n_sections"] for p in parts)
        length = sum(p["section_length"] for p in parts)
        df: dict[str, int] = {}
        for p in parts:
            for term, n in p["df"].items():
                df[term] = df.get(term, 0) + n
        return cls(max(sum(p["n_slots"] for p in parts), 1), average_length(length, sections), df)


def average_length(total: float, sections: int) -> float:
    return max(float(total / sections) if sections else 1.0, 1.0)


def length_norm(slot_length: np.ndarray, avg_length: float) -> np.ndarray:
    return _K1 * (1 - _B + _B * slot_length / avg_length)


def slot_factors(slot_length: np.ndarray, slot_is_title: np.ndarray,
                 slot_is_section: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(average section length, BM25F length normalisation per slot, field weight per slot: title ×3), computed
    once per index generation."""
    section_lengths = slot_length[slot_is_section]
    avg_length = average_length(section_lengths.sum(), len(section_lengths))
    slot_norm = length_norm(slot_length, avg_length)
    slot_weight = np.where(slot_is_title, _TITLE_WEIGHT, 1.0)
    return avg_length, slot_norm, slot_weight


def shard_statistics(snap, terms: list[str], mode: str = "exact") -> dict:
    """This index's part of the CollectionStats of a query's terms: in words mode, the slot counts of the terms'
    words (words.WordLeaf.slot_counts), which that mode's idf is made of."""
    section_lengths = snap.slot_length[snap.slot_is_section]
    if mode == "words":
        df = {}
        for t in terms:
            df.update(snap.leaf(t, "words").slot_counts(snap))
    else:
        df = {t: len(snap.leaf(t).docs) for t in terms}
    return {"n_slots": len(snap.slot_report), "n_sections": len(section_lengths),
            "section_length": float(section_lengths.sum()), "df": df}


def slot_scores(plan, stats: CollectionStats | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(global slot ids, scores) of an evaluate.Plan's slots holding a positive term in the matched reports
    (titles included); with ``stats``, idf and length normalisation are those of the whole collection."""
    snap = plan.snap
    all_docs, all_scores = [], []
    n_docs = max(len(snap.slot_report), 1) if stats is None else stats.n_slots
    every = plan.mask.all()  # every report matches (a common term, no filter): no selection to make
    for text in plan.terms:
        check_budget()
        leaf, keep = plan.evaluate.docs(text)
        scored = getattr(leaf, "score", None)  # words mode: BM25F over the words, scored by words.match
        if scored is None:
            df = len(leaf.docs) if stats is None else stats.df[text]
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            if keep is None and stats is None and not every:
                # a filter: the slots of the matched reports selected and scored in one pass
                docs, scores = _bm25_in(leaf.docs, leaf.tf, leaf.in_heading, snap.slot_report, plan.mask,
                                        snap.slot_weight, snap.slot_norm, idf)
                all_docs.append(docs)
                all_scores.append(scores)
                continue
        if keep is not None:
            keep &= slots_in(leaf.docs, snap.slot_report, plan.mask)
        elif not every:
            keep = slots_in(leaf.docs, snap.slot_report, plan.mask)
        docs, tf, in_heading = (leaf.docs, leaf.tf, leaf.in_heading) if keep is None else (
            leaf.docs[keep], leaf.tf[keep], leaf.in_heading[keep])
        if scored is not None:
            if stats is not None:  # (a shard: the same slots scored with the collection's word statistics)
                scored = leaf.scored(snap, stats)
            all_docs.append(docs)
            all_scores.append(scored if keep is None else scored[keep])
            continue
        all_docs.append(docs)
        if stats is None:  # the index's own length normalisation, per slot
            all_scores.append(_bm25(docs, tf, in_heading, snap.slot_weight, snap.slot_norm, True, idf))
        else:  # the collection's, for these slots
            norm = length_norm(snap.slot_length[docs], stats.avg_length)
            all_scores.append(_bm25(docs, tf, in_heading, snap.slot_weight, norm, False, idf))
    if not all_docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(all_docs) == 1:  # a leaf's slots are sorted and unique already
        return all_docs[0], all_scores[0]
    docs = np.concatenate(all_docs)
    scores = np.concatenate(all_scores)
    uniq, inverse = np.unique(docs, return_inverse=True)
    return uniq, np.bincount(inverse, weights=scores).astype(np.float64, copy=False)  # (int64 when empty)


@njit(cache=True, nogil=True)
def _bm25(docs, tf, in_heading, slot_weight, norm, norm_by_slot, idf):
    """slot_scores() of one term's slots: one pass where numpy took seven (a common phrase holds a million slots
    at 100k reports).  ``norm``: the length normalisation of every slot (``norm_by_slot``) or of these slots."""
    out = np.empty(len(docs))
    for i in range(len(docs)):
        out[i] = _slot_bm25(tf[i], in_heading[i], slot_weight[docs[i]], norm[docs[i]] if norm_by_slot else norm[i],
                            idf)
    return out


@njit(cache=True, nogil=True, inline="always")
def _slot_bm25(tf, in_heading, weight, norm, idf):
    """A slot's BM25F: its field weight, or the heading's for a match in the heading (a title has no heading
    part), its length normalisation ``norm``."""
    return idf * (_K1 + 1) * (_HEADING_WEIGHT if in_heading else weight) * tf / (tf + norm)


@njit(cache=True, nogil=True)
def _bm25_in(docs, tf, in_heading, slot_report, mask, slot_weight, norm, idf):
    """(the slots of ``docs`` whose report is in ``mask``, their _bm25 scores): one pass where selecting them took
    four (slots_in, then three gathers) before _bm25's."""
    kept, out = np.empty(len(docs), dtype=np.int64), np.empty(len(docs))
    k = 0
    for i in range(len(docs)):
        d = docs[i]
        if mask[slot_report[d]]:
            kept[k], out[k] = d, _slot_bm25(tf[i], in_heading[i], slot_weight[d], norm[d], idf)
            k += 1
    return kept[:k], out[:k]


def report_scores(slot_report: np.ndarray, n_reports: int, docs: np.ndarray, doc_scores: np.ndarray) -> np.ndarray:
    """A report's score: its best slot plus a third of the rest (many matching sections count, but less)."""
    return _report_scores(slot_report, n_reports, docs, doc_scores)


@njit(cache=True, nogil=True)
def _report_scores(slot_report, n_reports, docs, doc_scores):
    score = np.zeros(n_reports)
    best = np.full(n_reports, -np.inf)
    for i in range(len(docs)):
        r = slot_report[docs[i]]
        score[r] += doc_scores[i]
        best[r] = max(best[r], doc_scores[i])
    for r in range(n_reports):
        if best[r] > -np.inf:  # (a report without matching slots: 0)
            score[r] = best[r] + (score[r] - best[r]) / 3
    return score


def parse_field_sort(sort: str) -> tuple[str, bool] | None:
    """None for the fixed sorts; (field key, descending) for "apply.new.total" / "apply.new.total:desc" /
    "apply.new.total:asc" (FIELDS.md keys).  Raises QueryError for anything else."""
    if sort in SORTS:
        return None
    from indexer.parse.tables.catalogue import FIELD_LABELS

    key, _, direction = sort.partition(":")
    if key in FIELD_LABELS and direction in ("", "desc", "asc"):
        return key, direction != "asc"
    raise QueryError(f"未知的排序方式：{sort}（可用：{', '.join(SORTS)}，或统计字段，如 apply.new.total、"
                     "apply.new.total:asc）")


def page_order(plan, reports: np.ndarray, score: np.ndarray, sort: str,
               sort_field: tuple[str, bool] | None, offset: int, limit: int) -> np.ndarray:
    """The reports of the page [offset, offset + limit) of an evaluate.Plan in the requested order (ties: score,
    then year)."""
    snap = plan.snap
    by_score = sort == "relevance" and sort_field is None and plan.terms
    if by_score and offset + limit <= _TOP_K:
        return _top_reports(reports, score, snap.year, offset + limit)[offset:]
    years = snap.year[reports]
    s = score[reports]
    if by_score and offset + limit < len(reports) // 4:
        # only the page is needed: the reports scoring at least the page's last score (ties included), sorted
        k = offset + limit
        floor = np.partition(s, len(s) - k)[len(s) - k] if k else np.inf
        top = np.flatnonzero(s >= floor)
        reports, years, s = reports[top], years[top], s[top]
    keys = order_keys(plan, reports, s, years, sort, sort_field)
    return reports[np.lexsort(keys[::-1])[offset:offset + limit]]


_TOP_K = 64  # a page this deep or less is picked by _top_reports


@njit(cache=True, nogil=True)
def _top_reports(reports, score, year, k):
    """The first ``k`` of ``reports`` (ascending) by score, then year, newest first, then report (the order
    page_order's lexsort gives): one pass keeping the best k in order, where numpy's gathers, partition and sort
    took six (0.12 ms for 10k matching reports)."""
    top = np.empty(k, dtype=np.int64)
    n = 0
    if k <= 0:
        return top[:0]
    for r in reports:
        s, y = score[r], year[r]
        if n == k:  # better than the last kept? (a later report never beats an equal one)
            last = top[k - 1]
            if s < score[last] or (s == score[last] and y <= year[last]):
                continue
            n -= 1
        i = n  # insertion: after every kept report at least as good
        while i > 0 and (score[top[i - 1]] < s or (score[top[i - 1]] == s and year[top[i - 1]] < y)):
            top[i] = top[i - 1]
            i -= 1
        top[i] = r
        n += 1
    return top[:n]


def order_keys(plan, reports: np.ndarray, s: np.ndarray, years: np.ndarray, sort: str,
               sort_field: tuple[str, bool] | None) -> list[np.ndarray]:
    """The sort keys of these reports (scores s, years), most significant first, all ascending; a coordinator
    merging shards' pages orders by the same keys."""
    if sort_field is not None:  # a table field; reports without it last, then by year
        key, descending = sort_field
        v = plan.snap.field_values(key)[reports]
        missing = np.isnan(v)
        v = np.where(missing, 0.0, -v if descending else v)
        return [missing, v, -years, -s]
    if sort == "relevance" and plan.terms:
        return [-s, -years]
    if sort == "year_asc":
        return [np.where(years > 0, years, 1 << 30), -s]
    return [-years, -s]  # year_desc, and browsing without text


def oldest_first(years: np.ndarray) -> np.ndarray:
    """Order of reports by year, oldest first, reports without a year last (stable)."""
    return np.argsort(np.where(years > 0, years, 1 << 30), kind="stable")
