"""Sentences of a report's sections, and the form in which two sentences count as the same "word for word".

A sentence ends at 。！？； (or ! ? ; ) or a line break: report prose is written in such sentences, and a table row
(one line, cells joined by tabs) is a sentence of its own.  Two sentences are the same when their comparison forms
are equal: NFKC (full/half width), no white space or invisible characters, case folded, closing punctuation dropped —
figures and wording count, layout does not.  (Like normalize(), minus its one space kept between Latin words:
sentences are compared whole, not searched; and ~10x cheaper, which is most of what copied-text detection costs.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# a sentence: text up to and including an end mark, or up to a line break (a lone end mark is a sentence too);
# finding the pieces is ~3x faster than splitting after each end mark with a look-behind
_PIECE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?|[。！？!?；;]")
_CLOSING = "。！？!?；;，,、：: \t"
_DROP = re.compile(r"[\s\u00a0\u3000\u200b-\u200f\u2060\ufeff\u00ad]+")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as written (stripped), in order; empty pieces dropped."""
    return [s for s in (p.strip() for p in _PIECE.findall(text or "")) if s]


# Full-width ASCII forms (，！Ａ１ …) and the ideographic space, mapped as NFKC maps them: most report sentences need
# nothing else, so the full NFKC (a fifth of what copied-text detection cost) is left for the few that still do.
# Mapped through a regex (one call per full-width character) rather than str.translate, which pays for a failed
# lookup on every other character: 4x faster on report prose, where only the punctuation is full width.
_FULL_WIDTH = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in [*range(0xFF01, 0xFF5F), 0x3000]}
_FULL_WIDTH_CHAR = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(match: re.Match) -> str:
    return _FULL_WIDTH[match.group()]


def sentence_key(sentence: str) -> str:
    """The form in which two sentences are compared."""
    sentence = _FULL_WIDTH_CHAR.sub(_half_width, sentence)
    if not unicodedata.is_normalized("NFKC", sentence):
        sentence = unicodedata.normalize("NFKC", sentence)
    return _DROP.sub("", sentence).casefold().rstrip(_CLOSING)


def keyed_sentences(text: str) -> Iterator[tuple[str, str]]:
    """(sentence as written, sentence_key of it) for every sentence of ``text``."""
    return ((s, sentence_key(s)) for s in split_sentences(text))
