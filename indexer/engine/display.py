"""The display text the index keeps of a report for result lists and snippets, compressed, each section apart.

Layout of the ``display`` column value: ``<I`` part count, ``<I`` length of each part, then the parts; part 0 is
zlib(JSON {"meta": title, issuer, region, year, source, …; "sections": [[anchor, heading, canonical], …]}),
part i the zlib'ed UTF-8 text of section i-1.  A result page decompresses the head and only the sections that
hit (a page of 20 results used to ``json.loads`` every whole report: 25 % of a search's fixed cost), and the
column is ~3× smaller than the plain JSON it replaces (zlib level 6 on the synthetic reports: 39 MB → 14 MB at 1k).
"""

from __future__ import annotations

import json
import struct
import zlib

_COUNT = struct.Struct("<I")
_LEVEL = 6


def encode_display(meta: dict, sections: list[tuple[str, str, str, str]]) -> bytes:
    """The column value of a report: ``sections`` are (anchor, heading, canonical, text)."""
    head = json.dumps({"meta": meta, "sections": [list(s[:3]) for s in sections]}, ensure_ascii=False)
    parts = [zlib.compress(head.encode("utf-8"), _LEVEL)]
    parts += [zlib.compress((s[3] or "").encode("utf-8"), _LEVEL) for s in sections]
    return struct.pack(f"<{len(parts) + 1}I", len(parts), *map(len, parts)) + b"".join(parts)


class Display:
    """A report's display text, read lazily: ``meta``, ``sections`` (anchor, heading, canonical) and
    ``text(i)`` of section i."""

    __slots__ = ("_raw", "_bounds", "meta", "sections")

    def __init__(self, raw: bytes):
        self._raw = raw
        if not raw:
            self._bounds, self.meta, self.sections = [], {}, []
            return
        (n,) = _COUNT.unpack_from(raw)
        lengths = struct.unpack_from(f"<{n}I", raw, _COUNT.size)
        at, self._bounds = _COUNT.size * (n + 1), []
        for length in lengths:
            self._bounds.append((at, at + length))
            at += length
        head = json.loads(self._part(0))
        self.meta, self.sections = head.get("meta") or {}, head.get("sections") or []

    def _part(self, i: int) -> str:
        a, b = self._bounds[i]
        return zlib.decompress(self._raw[a:b]).decode("utf-8")

    def text(self, i: int) -> str:
        return self._part(i + 1) if 0 <= i < len(self._bounds) - 1 else ""
