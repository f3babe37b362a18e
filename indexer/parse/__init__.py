"""Stage 2 — parse: ``Document`` → ``Report``, pure functions, no I/O.

``pipeline.parse_document`` chains them: ``cleaning`` (text as a reader left it → clean lines), ``metadata``
(title, issuer, year, template, dates), ``sections`` (numbered headings → canonical kinds), ``regions`` with
``gazetteer`` (issuer and title → province / city / county and division code), ``issuer`` (the body's formal name
and its stable ``issuer_id``), ``tables/`` (the statistics tables → named numeric fields, with their checks) and
``classify`` (an annual report, or a 解读 / 图解 / notice / list / other page, with the reason).
"""

from indexer.parse.pipeline import parse_document, report_id

__all__ = ["parse_document", "report_id"]
