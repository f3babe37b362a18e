"""Fixtures shared across the test groups."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.library import Library

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# A local Ray cluster for the tests lives on 127.0.0.1 only (GCS, raylets, workers): Ray's single-machine mode, read
# when ray is first imported, so set before any test module imports it.  A node_ip_address argument alone is not
# enough: the GCS then still advertised the machine's network address.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory) -> Path:
    """The bundled sample reports added once into an index on disk, for the tests that only read it (the web UI,
    the browser, year-over-year comparison)."""
    index = tmp_path_factory.mktemp("samples") / "index"
    with Library(index) as lib:
        result = lib.add_paths([SAMPLES])
    assert len(result.added) >= 10, result.failed  # the readers' own tests judge single failures
    return index
