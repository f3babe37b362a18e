"""Sentences of a report's sections, and the form in which two sentences count as the same "word for word".

A sentence ends at 。！？； (or ! ? ; ) or a line break: report prose is written in such sentences, and a table row
(one line, cells joined by tabs) is a sentence of its own.  Two sentences are the same when their matching forms
(normalize(): full/half width, spaces, case) are equal once their closing punctuation is dropped — figures and
wording count, layout does not.
"""

from __future__ import annotations

import re

from indexer.normalize import normalize

_END = re.compile(r"(?<=[。！？!?；;])|\n+")
_CLOSING = re.compile(r"[。！？!?；;，,、：:\s]+$")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as written (stripped), in order; empty pieces dropped."""
    return [s for s in (p.strip() for p in _END.split(text or "")) if s]


def sentence_key(sentence: str) -> str:
    """The form in which two sentences are compared."""
    return _CLOSING.sub("", normalize(sentence))
