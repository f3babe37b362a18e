"""series.*: one figure followed from 2008 to today whatever the template (FIELDS.md "Series across templates")."""

from __future__ import annotations


def series_fields(fields: dict[str, int | float]) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    if "apply.new.total" in fields:
        out["series.applications"] = fields["apply.new.total"]
    elif "legacy.apply_total" in fields:
        out["series.applications"] = fields["legacy.apply_total"]
    if "review.total" in fields:
        out["series.reviews"] = fields["review.total"]
    elif "legacy.review_total" in fields:
        out["series.reviews"] = fields["legacy.review_total"]
    if "litigation.direct.total" in fields and "litigation.after_review.total" in fields:
        out["series.lawsuits"] = fields["litigation.direct.total"] + fields["litigation.after_review.total"]
    elif "legacy.litigation_total" in fields:
        out["series.lawsuits"] = fields["legacy.litigation_total"]
    return out
