"""The hand-labelled sample reports (tests/labels/*.json beside samples/): where they are and how to read them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.model import Document
from indexer.read import read_file

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "labels"
SAMPLE_DIRS = {"labels-seeds.json": ROOT / "samples" / "seeds", "labels-real.json": ROOT / "samples" / "real"}


def load_document(path: Path) -> Document:
    """.txt as the UTF-8 text it is (what the txt reader gives); other formats through the project's readers."""
    if path.suffix == ".txt":
        return Document(text=path.read_text(encoding="utf-8"), source=path.name, format="txt")
    return read_file(path)


def label_cases():
    """pytest params (sample path, expected labels), one per labelled file, named after it."""
    for label_file, sample_dir in SAMPLE_DIRS.items():
        for name, expected in json.loads((LABELS / label_file).read_text(encoding="utf-8")).items():
            if not name.startswith("_"):
                yield pytest.param(sample_dir / name, expected, id=name)
