"""The display text the index keeps of a report for result lists and snippets, compressed, each section apart.

Layout of the ``display`` column value: ``<I`` part count, ``<I`` length of each part, then the parts; part 0 is
the compressed JSON {"meta": title, issuer, region, year, source, …; "sections": [[anchor, heading, canonical],
…]}, part i the compressed UTF-8 text of section i-1.  A result page decompresses the head and only the sections
that hit (a page of 20 results used to ``json.loads`` every whole report: 25 % of a search's fixed cost).

Each part is a zstd frame made with a dictionary (display.dict, trained on the bundled real reports by
``python -m bench.display_dict``): a section is a few hundred to a few thousand characters, too short for a
compressor to find much to refer back to on its own, but the national template's wording it shares with every
other report is in the dictionary.  Measured (bench/README.md, "Index layout 14"): zlib per section kept 0.51 of the
synthetic text and 0.58 of real reports; zstd with the dictionary 0.22 and 0.41 (real: trained on half the samples,
measured on the other half), and decompresses a section in a fifth of zlib's time.
"""

from __future__ import annotations

import json
import struct
from itertools import accumulate
from pathlib import Path

import orjson

from indexer.engine.zstd_dict import TrainedDictionary

_COUNT = struct.Struct("<I")
LEVEL = 3  # level 6–9 saved 2–4 % more at 3–5× the compression time (bench/README.md)
_DICTIONARY = TrainedDictionary(Path(__file__).with_name("display.dict"), LEVEL)
DICTIONARY_PATH, DICTIONARY_DIGEST = _DICTIONARY.path, _DICTIONARY.digest  # the digest: part of schema.SCHEMA_VERSION
_compressor, _decompressor = _DICTIONARY.compressor, _DICTIONARY.decompressor


def encode_display(meta: dict, sections: list[tuple[str, str, str, str]]) -> bytes:
    """The column value of a report: ``sections`` are (anchor, heading, canonical, text)."""
    head = json.dumps({"meta": meta, "sections": [list(s[:3]) for s in sections]}, ensure_ascii=False)
    c = _compressor()
    parts = [c.compress(head.encode("utf-8"))] + [c.compress((s[3] or "").encode("utf-8")) for s in sections]
    return struct.pack(f"<{len(parts) + 1}I", len(parts), *map(len, parts)) + b"".join(parts)


class Display:
    """A report's display text, read lazily: ``meta``, ``sections`` (anchor, heading, canonical) and
    ``text(i)`` of section i."""

    __slots__ = ("_raw", "_ends", "meta", "sections")

    def __init__(self, raw: bytes):
        self._raw = raw
        if not raw:
            self._ends, self.meta, self.sections = [0], {}, []
            return
        (n,) = _COUNT.unpack_from(raw)
        # part i is raw[_ends[i]:_ends[i + 1]]
        self._ends = list(accumulate(struct.unpack_from(f"<{n}I", raw, _COUNT.size), initial=_COUNT.size * (n + 1)))
        head = orjson.loads(self._bytes(0))  # 7 µs where json took 14 (a ~1 KB head)
        self.meta, self.sections = head.get("meta") or {}, head.get("sections") or []

    def _part(self, i: int) -> str:
        return self._bytes(i).decode("utf-8")

    def _bytes(self, i: int) -> bytes:
        return _decompressor().decompress(self._raw[self._ends[i]:self._ends[i + 1]])

    def text(self, i: int) -> str:
        return self._part(i + 1) if 0 <= i < len(self._ends) - 2 else ""

    def data(self, i: int) -> bytes:
        """text(i) as UTF-8, not decoded (snippets.snippet_of_bytes decodes only its window)."""
        return self._bytes(i + 1) if 0 <= i < len(self._ends) - 2 else b""
