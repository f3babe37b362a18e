"""A zstd dictionary shipped beside the code (trained by a bench script) and the per-thread (de)compressors made
with it: the display text (display.py) and the word statistics (keywords.py) each keep one."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import zstandard as zstd


class TrainedDictionary:
    def __init__(self, path: Path, level: int = 3):
        self.path = path
        raw = path.read_bytes()
        self.digest = hashlib.sha1(raw).hexdigest()[:8]  # part of schema.SCHEMA_VERSION
        self._dict = zstd.ZstdCompressionDict(raw)
        self._dict.precompute_compress(level=level)
        self._level = level
        self._local = threading.local()  # zstd (de)compressor objects must not be shared between threads

    def compressor(self) -> zstd.ZstdCompressor:
        c = getattr(self._local, "c", None)
        if c is None:
            c = self._local.c = zstd.ZstdCompressor(level=self._level, dict_data=self._dict)
        return c

    def decompressor(self) -> zstd.ZstdDecompressor:
        d = getattr(self._local, "d", None)
        if d is None:
            d = self._local.d = zstd.ZstdDecompressor(dict_data=self._dict)
        return d
