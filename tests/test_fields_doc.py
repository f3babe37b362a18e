"""docs/FIELDS.md ships with the project and says what the code emits: its key lists are the code's key lists, and
every link to it resolves in a clone (README, the OpenAPI description, the CLI's --help)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import main
from indexer.engine.query import FILTER_KEYS
from indexer.model import CANONICAL_SECTIONS, METADATA_KEYS
from indexer.parse.tables.catalogue import FIELD_LABELS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "FIELDS.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    nxt = text.find("\n## ", start + 1)
    return text[start: nxt if nxt > 0 else None]


def test_metadata_keys_are_the_models():
    keys = []
    for row in re.findall(r"^\| ((?:`[a-z_]+`(?:, )?)+) \|", _section("Report metadata"), re.M):
        keys += re.findall(r"`([a-z_]+)`", row)
    assert keys == list(METADATA_KEYS)


def test_section_kinds_and_labels_are_the_models():
    found = dict(re.findall(r"`([a-z]+)` \[([^\]]+)\]", _section("Sections")))
    assert found == CANONICAL_SECTIONS


def test_facet_keys_and_labels_are_the_codes():
    from indexer.engine.query import FACET_FIELDS
    from webui.templating import FACET_LABELS

    keys = re.findall(r"`([a-z_]+)` \[([^\]]+)\]", "\n".join(
        row.split(" | ")[0] for row in _section("Facets and filters").splitlines() if row.startswith("| `")))
    assert [k for k, _ in keys] == list(FILTER_KEYS)
    assert sorted(FILTER_KEYS) == sorted(FACET_FIELDS)
    assert dict(keys) == FACET_LABELS


def test_every_table_field_key_and_label_is_listed_in_order():
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| (.+?) \|$", _section("All table field keys"), re.M)
    assert rows == list(FIELD_LABELS.items())


def test_every_field_key_named_in_the_prose_exists():
    prose = DOC.read_text(encoding="utf-8").split("## All table field keys")[0]
    named = set(re.findall(r"`((?:active|apply|review|litigation|legacy|series)\.[a-z0-9_.]+)`", prose))
    unknown = {n for n in named if n not in FIELD_LABELS and not any(k.startswith(n + ".") for k in FIELD_LABELS)}
    assert named and not unknown, sorted(unknown)  # a key, or the prefix of a group of keys


def _links(text: str, base: Path) -> list[Path]:
    return [(base / m).resolve() for m in re.findall(r"\]\(([^)#:]+\.md)\)", text)]


def test_readme_links_resolve_in_a_clone():
    links = _links((ROOT / "README.md").read_text(encoding="utf-8"), ROOT)
    assert DOC.resolve() in links
    outside = [p for p in links if not p.is_relative_to(ROOT)]
    assert not outside, outside  # ../shared/… exists on the developers' machine only
    assert all(p.exists() for p in links), [p for p in links if not p.exists()]


def test_api_and_cli_point_at_the_shipped_dictionary():
    from webui.openapi import openapi_document

    text = str(openapi_document("http://127.0.0.1"))
    assert "docs/FIELDS.md" in text and "shared/spec" not in text
    help_text = CliRunner().invoke(main, ["export", "--help"]).output
    assert "docs/FIELDS.md" in help_text
