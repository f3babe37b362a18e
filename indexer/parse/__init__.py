"""Stage 2 — parse: ``Document`` → ``Report``, pure functions, no I/O.

``pipeline.parse_document`` chains them: ``cleaning`` (text as a reader left it → clean lines), ``metadata``
(title, issuer, year, template, dates), ``sections`` (numbered headings → canonical kinds), ``regions`` with
``gazetteer`` (issuer and title → province / city / county and division code), and ``tables/`` (the statistics
tables → named numeric fields, with their checks).
"""

from indexer.parse.pipeline import parse_document, report_id

__all__ = ["parse_document", "report_id"]
