"""Fuzzing the JSON API against its own OpenAPI document (schemathesis): shared by tests/hostile and bench/hostile.py.

Each generated request is sent through the WSGI app and checked by schemathesis's own checks (no 5xx, status code,
content type and body as the document says); a response that breaks one is collected, not raised, so a run counts
all of them.  Left out: schemathesis's "schema-valid request rejected" check — a query (q, sort) is free text in
a language the document cannot express, so a 400 for a malformed one is the documented answer, not a fault.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from schemathesis.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, seed, settings


@dataclass
class FuzzResult:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # one line per failed check: operation, request, reason


def fuzz_api(app, examples: int, seed_value: int = 15) -> FuzzResult:
    """Send about ``examples`` generated requests per operation of /api/openapi.json to ``app``."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    out = FuzzResult()
    for result in schema.get_all_operations():
        operation = result.ok()

        @seed(seed_value)
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            out.requests += 1
            try:
                response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
            except (Exception, BaseExceptionGroup) as e:  # schemathesis reports failed checks as exceptions: count them, go on
                out.failures.append(f"{operation.label} {case.path_parameters or ''} {case.query}: "
                                    f"{str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}")
                return
            out.statuses[response.status_code] += 1
            if "Traceback" in response.text:
                out.failures.append(f"{operation.label} {case.query}: a traceback in the body")

        run()
    return out
