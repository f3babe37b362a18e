"""Copied text: how much of a report is found word for word in its body's previous report, and in other bodies'.

The unit is the sentence (sentences.py), compared in its matching form.  Counted are a report's *own* sentences:
prose — a complete sentence, closed by 。！？； (a heading, a table's row label or a note in brackets is not) — at
least MIN_CHARS long, and not standard wording.  Standard wording — the phrases the official
templates make every body write (本报告中所列数据的统计期限自…起至…止, …) — is derived from the collection itself
(is_standard): a sentence found in the reports of many provinces is wording bodies across the country share, not
text one body copied from another (copying is local: a township from its county, a county from its neighbour); in a
collection of one or two provinces, a sentence found in a fifth of the year's reports is.  The thresholds follow the
collection as it grows; a report keeps the figures computed when it, or a report sharing a sentence with it, was last
added (a re-parse recomputes all).

* ``reuse.previous``: the share of the report's own sentences that its body's previous report holds.
* ``reuse.others``: the share found in reports of *other* bodies of the same year or earlier (a source cannot be
  later than its copy), with the sources ranked by how many sentences they share.  A sentence the body already
  wrote in an earlier report is its own, even where another body has copied it since.

Finding sources needs no comparison of pairs of reports: the store keeps an inverted list sentence hash → reports
(exact, and linear in the size of the collection), so a report's sources are the union of its sentences' lists.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from indexer.history.sentences import sentence_key, split_sentences
from indexer.model import Report

MIN_CHARS = 10  # shorter sentences (headings, 特此报告, 联系电话：…) are no evidence of copying
# standard wording: found in the reports of a fifth of the collection's provinces (at least 3), or in a fifth of the
# reports of the year (at least 5); chosen, not measured: real copying stays within one or two provinces
STANDARD_SHARE = 0.2
STANDARD_MIN_PROVINCES = 3
STANDARD_MIN_REPORTS = 5
_CLOSED = re.compile(r"[。！？!?；;][”’」』）)】》\"']*$")
TOP_SOURCES = 5
NO_PROVINCE = "（中央）"  # bodies without a province: the central ones, a group of their own
# The figures as report fields (FIELDS.md keys) → their names in the stored Reuse (to_store()).  They are computed
# across the collection and change as other reports arrive, so they are kept apart from the report they describe:
# the store keeps them in its reuse table (not in the report's JSON, whose hash is the version the index compares)
# and the search index beside its documents (its per-generation values), so a changed figure costs a row, not a
# re-index of the report.
FIELDS = {"reuse.previous": "previous", "reuse.others": "others"}


def is_standard(provinces: int, reports: int, total_provinces: int, year_reports: int) -> bool:
    """Whether a sentence held by the reports of ``provinces`` provinces, ``reports`` reports in all, is standard
    wording in a collection of ``total_provinces`` provinces and ``year_reports`` reports of the year in question."""
    return (provinces >= max(STANDARD_MIN_PROVINCES, math.ceil(STANDARD_SHARE * total_provinces))
            or reports >= max(STANDARD_MIN_REPORTS, STANDARD_SHARE * year_reports))


def sentence_hash(key: str) -> int:
    """A signed 63-bit hash of a sentence's matching form (an SQLite INTEGER)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def own_sentences(report: Report) -> dict[int, str]:
    """hash → the first sentence as written, for the report's sentences that count (before standard wording is
    taken out, which needs the collection)."""
    out: dict[int, str] = {}
    for s in report.sections:
        for sentence in split_sentences(s.text):
            # a table row, a heading, a label: not prose (told from the sentence as written before its key is made)
            if "\t" in sentence or not _CLOSED.search(sentence):
                continue
            key = sentence_key(sentence)
            if len(key) >= MIN_CHARS and not key.isdigit():
                out.setdefault(sentence_hash(key), sentence)
    return out


@dataclass(frozen=True)
class Posting:
    """A report holding a sentence, with what decides whether it can be that sentence's source."""

    report_id: str
    body: str | None
    year: int | None


@dataclass
class Source:
    report_id: str
    shared: int  # of the report's own sentences
    hashes: list[int] = field(default_factory=list)  # a few of them (stored), for the passages
    passages: list[str] = field(default_factory=list)  # those sentences as written in the report (when read)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.report_id, "shared": self.shared, "passages": self.passages}


@dataclass
class Reuse:
    sentences: int  # the report's own sentences (standard wording taken out)
    standard: int  # sentences left out as standard wording
    previous_id: str | None
    previous: float | None  # None: no previous report of the body
    others: float | None  # None: no own sentence to judge by
    sources: list[Source] = field(default_factory=list)

    def fields(self) -> dict[str, float]:
        """The figures as report fields (filterable and sortable like table fields)."""
        return {key: value for key, name in FIELDS.items() if (value := getattr(self, name)) is not None}

    def to_json(self) -> dict[str, Any]:
        return {"sentences": self.sentences, "standard": self.standard, "previous_id": self.previous_id,
                "previous": self.previous, "others": self.others, "sources": [s.to_json() for s in self.sources]}

    def to_store(self) -> dict[str, Any]:
        return {**self.to_json(), "sources": [{"id": s.report_id, "shared": s.shared, "hashes": s.hashes}
                                              for s in self.sources]}

    @classmethod
    def from_store(cls, d: dict[str, Any]) -> "Reuse":
        return cls(d["sentences"], d["standard"], d.get("previous_id"), d.get("previous"), d.get("others"),
                   [Source(s["id"], s["shared"], list(s.get("hashes", []))) for s in d.get("sources", [])])

    def with_passages(self, own: dict[int, str]) -> "Reuse":
        """The shared passages as written, from the report's own sentences (own_sentences())."""
        for s in self.sources:
            s.passages = [own[h] for h in s.hashes if h in own]
        return self


def compute_reuse(report_id: str, year: int | None, body: str | None, own: list[int], standard: set[int],
                  postings: dict[int, list[Posting]], previous_id: str | None) -> Reuse:
    """The reuse of a report from its own sentence hashes, the hashes that are standard wording, and for each
    other hash the reports holding it (any report, itself included)."""
    counted = [h for h in own if h not in standard]
    if not counted:
        return Reuse(0, len(own) - len(counted), previous_id, None, None)
    in_previous = 0
    found_elsewhere = 0
    by_source: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    for h in counted:
        holders = postings.get(h, ())
        if previous_id is not None and any(p.report_id == previous_id for p in holders):
            in_previous += 1
        if body is not None and any(p.body == body and p.year is not None and year is not None and p.year < year
                                    for p in holders):
            continue  # the body's own earlier wording, even where others took it up since: not copied now
        sources = {p.report_id for p in holders
                   if p.report_id != report_id and (body is None or p.body != body)
                   and (p.year is None or year is None or p.year <= year)}
        if sources:
            found_elsewhere += 1
            for rid in sources:
                by_source[rid] += 1
                if len(examples.setdefault(rid, [])) < 3:
                    examples[rid].append(h)
    n = len(counted)
    top = sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SOURCES]
    return Reuse(n, len(own) - n, previous_id, None if previous_id is None else round(in_previous / n, 4),
                 round(found_elsewhere / n, 4), [Source(rid, c, examples[rid]) for rid, c in top])
