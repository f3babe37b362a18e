"""What changed between two reports (usually one body's report and its previous year's).

Text: per canonical section kind (总体情况, 主动公开 …), the sentences of the later report aligned with the earlier
one's (difflib's longest matching blocks over sentence keys): each sentence is kept word for word, new this year, or
dropped.  A sentence whose figures changed is therefore one dropped and one new sentence, side by side.
Figures: every table field either report gives, with the change (absolute and %), the largest moves first, and
whether a check failed on it in either year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from indexer.history.sentences import sentence_key, split_sentences
from indexer.model import CANONICAL_SECTIONS, Report
from indexer.parse.tables.catalogue import field_label

KEPT, NEW, DROPPED = "kept", "new", "dropped"


@dataclass
class SentenceChange:
    op: str  # kept | new | dropped
    text: str  # as written in the report it comes from (the later one for kept sentences)

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "text": self.text}


@dataclass
class SectionDiff:
    canonical: str
    label: str
    changes: list[SentenceChange] = field(default_factory=list)

    def count(self, op: str) -> int:
        return sum(1 for c in self.changes if c.op == op)

    def to_json(self) -> dict[str, Any]:
        return {"canonical": self.canonical, "label": self.label, "kept": self.count(KEPT), "new": self.count(NEW),
                "dropped": self.count(DROPPED), "sentences": [c.to_json() for c in self.changes]}


@dataclass
class FieldChange:
    key: str
    label: str
    old: float | None
    new: float | None
    old_check_failed: bool = False
    new_check_failed: bool = False

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def pct(self) -> float | None:
        """Change in % of the earlier figure; None when either is missing or the earlier one is 0."""
        d = self.delta
        return None if d is None or not self.old else round(100.0 * d / self.old, 1)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "old": self.old, "new": self.new, "delta": self.delta,
                "pct": self.pct, "old_check_failed": self.old_check_failed,
                "new_check_failed": self.new_check_failed}


@dataclass
class ReportDiff:
    new_id: str
    old_id: str
    sections: list[SectionDiff]
    fields: list[FieldChange]

    def count(self, op: str) -> int:
        return sum(s.count(op) for s in self.sections)

    def to_json(self) -> dict[str, Any]:
        return {"report": self.new_id, "against": self.old_id,
                "sentences": {op: self.count(op) for op in (KEPT, NEW, DROPPED)},
                "sections": [s.to_json() for s in self.sections], "fields": [f.to_json() for f in self.fields]}


def _sentences_by_kind(report: Report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in report.sections:
        out.setdefault(s.canonical or "unclassified", []).extend(split_sentences(s.text))
    return out


def diff_sentences(old: list[str], new: list[str]) -> list[SentenceChange]:
    """``new`` aligned with ``old``: in reading order of the new text, dropped sentences where they stood."""
    old_keys = [sentence_key(s) for s in old]
    new_keys = [sentence_key(s) for s in new]
    out: list[SentenceChange] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(SentenceChange(KEPT, s) for s in new[j1:j2])
            continue
        out.extend(SentenceChange(DROPPED, s) for s in old[i1:i2])
        out.extend(SentenceChange(NEW, s) for s in new[j1:j2])
    return out


def _move(c: FieldChange) -> tuple:
    """Sort key, largest moves first: by |%| (a figure that appears or starts from 0 counts as the largest), then by
    the absolute change; figures given in one year only last."""
    if c.delta is None:
        return (1, 0.0, 0.0, c.key)
    pct = math.inf if not c.old and c.delta else abs(c.pct or 0.0)
    return (0, -pct, -abs(c.delta), c.key)


def diff_fields(old: Report, new: Report) -> list[FieldChange]:
    failed_old = {w.field for w in old.warnings if w.field and w.code.startswith("check.")}
    failed_new = {w.field for w in new.warnings if w.field and w.code.startswith("check.")}
    changes = [FieldChange(k, field_label(k), old.fields.get(k), new.fields.get(k), k in failed_old, k in failed_new)
               for k in sorted(set(old.fields) | set(new.fields))]
    return sorted(changes, key=_move)


def diff_reports(new: Report, old: Report) -> ReportDiff:
    """How ``new`` differs from ``old``, section kind by section kind (in the standard order), then figure by
    figure."""
    old_s, new_s = _sentences_by_kind(old), _sentences_by_kind(new)
    sections = [SectionDiff(kind, CANONICAL_SECTIONS[kind], diff_sentences(old_s.get(kind, []), new_s.get(kind, [])))
                for kind in CANONICAL_SECTIONS if kind in old_s or kind in new_s]
    return ReportDiff(new.id, old.id, [s for s in sections if s.changes], diff_fields(old, new))
