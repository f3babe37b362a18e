"""normalize() gives the matching form its definition gives: NFKC, invisibles dropped, whitespace folded, case
folded, traditional characters simplified — also on its fast path, which skips NFKC for text already in it once
the characters of _FOLDED_BLOCKS are folded."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from indexer.normalize import _FOLDED_BLOCKS, _INVISIBLE, _WS, _fold_space, normalize, to_simplified

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def by_definition(text: str) -> str:
    t = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return to_simplified(_WS.sub(_fold_space, t).casefold())


def test_the_sample_reports_normalise_as_defined():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SAMPLES.rglob("*"))
             if p.suffix in (".txt", ".html", ".md")]
    assert len(texts) >= 5
    for text in texts:
        for part in text.split("\n\n"):
            assert normalize(part) == by_definition(part)


@pytest.mark.parametrize("seed", range(10))
def test_every_folded_character_in_any_company_normalises_as_defined(seed):
    """Characters of every folded block, traditional and compatibility ideographs, combining marks (which compose
    with what comes before), Latin letters, spaces and invisibles, in random strings."""
    rng = random.Random(seed)
    pool = [chr(c) for lo, hi in _FOLDED_BLOCKS for c in range(lo, hi)]
    pool += list("政務新媒體公开乾于後ab AZ09é\u0301\u0308\u0327\u3099\u200b\ufeff\u00ad\n\t") + ["\u1100\u1161"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 16)))
        assert normalize(text) == by_definition(text), repr(text)
        assert normalize(normalize(text)) == by_definition(by_definition(text)), repr(text)


@pytest.mark.parametrize("seed", range(4))
def test_the_fold_by_lookup_is_the_fold_by_translate(seed):
    # (normalize folds by a lookup array; characters folding to several or none, past the Basic Multilingual
    # Plane, and lone surrogates included)
    from indexer.normalize import _fold_table, _folded

    table = _fold_table()
    several = [k for k, v in table.items() if len(v) != 1]
    folded = list(table)
    rng = random.Random(seed)
    for _ in range(300):  # (texts shorter than _LOOKUP_MIN are folded by translate() itself)
        n, top = rng.randrange(1, 400), rng.choice([0x10000, 0x11000])  # (most without a character past the plane)
        text = "".join(chr(rng.choice(several)) if r < 0.02 else chr(rng.choice(folded)) if r < 0.4 else
                       chr(rng.randrange(0x20, top if r < 0.41 else 0x10000)) for r in (rng.random() for _ in range(n)))
        assert _folded(text) == text.translate(table)
