"""Fixtures shared across the test groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.library import Library

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory) -> Path:
    """The bundled sample reports added once into an index on disk, for the tests that only read it (the web UI,
    the browser, year-over-year comparison)."""
    index = tmp_path_factory.mktemp("samples") / "index"
    with Library(index) as lib:
        result = lib.add_paths([SAMPLES])
    assert len(result.added) >= 10, result.failed  # the readers' own tests judge single failures
    return index
