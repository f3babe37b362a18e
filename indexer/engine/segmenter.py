"""Words: jieba's segmentation of normalised text, with a dictionary of government terms kept whole.

One segmenter serves the word view at index time (words.py), the words of a query, keywords and similar reports
(keywords.py), so a word is the same thing everywhere.  It cuts ``normalize(text)`` (the exact view's matching
form), with jieba's own dictionary, HMM for unknown words, and the terms in ``userdict.txt`` beside this file
(政务新媒体, 依申请公开, 放管服, 一网通办 … — one per line: word, optional frequency, optional part of speech).
A user adds terms in a file of the same form named by the environment variable NIANBAO_USERDICT.  Both files are
part of the index layout (schema.SCHEMA_VERSION carries DICTIONARY_DIGEST): a changed dictionary cuts text
differently, so the index asks to be rebuilt rather than answer with words it no longer cuts.

jieba itself does the cutting: bench/tokenizers.py measured rjieba and jieba_fast faster, but neither gave
jieba's tokens on every sample text (rjieba 5 of 70, jieba_fast 60 of 70), and a word view must cut a query as it
cut the reports.  jieba cuts each run of Han characters, letters and digits on its own (its re_han), so the cut of
a run is remembered: reports repeat their template's sentences and table labels, and a remembered run costs a
dictionary lookup instead of jieba's DAG (tests/engine/test_words.py checks the tokens equal jieba.tokenize's).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections import Counter
from functools import lru_cache
from itertools import chain
from pathlib import Path

from indexer.normalize import normalize

log = logging.getLogger(__name__)

PROJECT_USERDICT = Path(__file__).with_name("userdict.txt")
USERDICT_ENV = "NIANBAO_USERDICT"
# a token is a word when it holds a letter, digit or CJK character (not punctuation, not a line break)
_WORDLIKE = re.compile(r"[0-9a-z\u00c0-\u024f\u3400-\u9fff\uf900-\ufaff]")

# jieba's run (its re_han_default: cut by jieba), or a word-like character outside a run (jieba yields it alone)
RUN_CLASS = "[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]"
_RUN_CHAR = re.compile(RUN_CLASS)
_PIECES = re.compile(RUN_CLASS + "+|[\u00c0-\u024f\u3400-\u4dff\u9fd6-\u9fff\uf900-\ufaff]")

_lock = threading.Lock()
_tokenizer = None


def user_dictionaries() -> list[Path]:
    """The project's dictionary, then the user's (NIANBAO_USERDICT) when it names a readable file."""
    paths = [PROJECT_USERDICT]
    extra = os.environ.get(USERDICT_ENV, "").strip()
    if extra:
        p = Path(extra).expanduser()
        if p.is_file():
            paths.append(p)
        else:
            log.warning("用户词典 %s=%s 不存在，已忽略", USERDICT_ENV, extra)
    return paths


def dictionary_entries(path: Path) -> list[tuple[str, int | None, str | None]]:
    """(word in matching form, frequency or None, tag or None) of each line of a dictionary file; lines that are
    empty or start with # are skipped, a bad frequency is ignored with a warning."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = None
        if len(parts) > 1:
            try:
                freq = int(parts[1])
            except ValueError:
                log.warning("用户词典 %s 第 %d 行的词频不是整数：%s", path, n, parts[1])
        out.append((normalize(parts[0]), freq, parts[2] if len(parts) > 2 else None))
    return out


def _digest() -> str:
    h = hashlib.sha1()
    for p in user_dictionaries():
        for word, freq, tag in dictionary_entries(p):
            h.update(f"{word}\t{freq}\t{tag}\n".encode("utf-8"))
    return h.hexdigest()[:8]


DICTIONARY_DIGEST = _digest()


def tokenizer():
    """jieba's Tokenizer with the dictionaries loaded (once per process: ~1 s from jieba's cache file)."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for p in user_dictionaries():
                for word, freq, tag in dictionary_entries(p):
                    tok.add_word(word, freq, tag)
            _tokenizer = tok
        return _tokenizer


def load_in_background() -> threading.Thread:
    """Starts loading the tokenizer on a thread of its own: a server does, so that its first words-mode search does
    not wait ~0.7 s for jieba's dictionary (a search that comes sooner waits for the same load, under the lock)."""
    thread = threading.Thread(target=tokenizer, name="jieba-dictionary", daemon=True)
    thread.start()
    return thread


def is_word(token: str) -> bool:
    return bool(_WORDLIKE.search(token))


@lru_cache(maxsize=200_000)
def _run_tokens(run: str) -> tuple[tuple[str, int], ...]:
    """jieba's (word, offset) of one run of its re_han (a run is cut alone, whatever surrounds it), the word-like
    ones only (is_word: tested once per run, not once per occurrence)."""
    return tuple((w, start) for w, start, _end in tokenizer().tokenize(run, HMM=True) if is_word(w))


@lru_cache(maxsize=200_000)
def _piece_words(piece: str) -> tuple[str, ...]:
    """The words of one of _PIECES: a run's as jieba cuts it (tokenize()'s words, without their offsets), or the
    character jieba yields alone."""
    if len(piece) == 1 and not _RUN_CHAR.match(piece):
        return (piece,)
    return tuple(w for w in tokenizer().cut(piece, HMM=True) if is_word(w))


@lru_cache(maxsize=64)
def word_counts(ntext: str) -> Counter:
    """How often each word of a normalised text occurs, in the order the words first occur (the word view and
    the word statistics of a slot text read it one after the other; do not change it).  The words are those of
    tokens(), counted without their offsets: a run's words are remembered as one tuple, and the words of a text
    are counted in C."""
    return Counter(chain.from_iterable(map(_piece_words, _PIECES.findall(ntext))))


def words_within(ntext: str, end: int) -> set[str]:
    """The words of a normalised text cut wholly within its first ``end`` characters (a section's heading)."""
    out: set[str] = set()
    if end <= 0:
        return out
    for m in _PIECES.finditer(ntext):
        if m.start() >= end:
            break
        if m.end() <= end:
            out.update(_piece_words(m.group()))
        else:  # a run across ``end``: its words that end before it
            out.update(w for w, s in _run_tokens(m.group()) if m.start() + s + len(w) <= end)
    return out


def tokens(ntext: str) -> tuple[tuple[str, int], ...]:
    """(word, offset) of every word of a normalised text, in order (punctuation and line breaks left out): what
    jieba's tokenize() gives, cut run by run.  (The build counts words with word_counts, without offsets.)"""
    if not ntext:
        return ()
    import jieba

    out: list[tuple[str, int]] = []
    at = 0
    for m in jieba.re_han_default.finditer(ntext):
        # between runs jieba yields single characters (whitespace runs whole): the word-like ones are kept
        out.extend((c, i) for i, c in enumerate(ntext[at:m.start()], at) if is_word(c))
        base = m.start()
        out.extend((w, base + s) for w, s in _run_tokens(m.group()))
        at = m.end()
    out.extend((c, i) for i, c in enumerate(ntext[at:], at) if is_word(c))
    return tuple(out)


def cut(ntext: str) -> list[str]:
    """The words of a normalised text, in order."""
    return [w for w, _ in tokens(ntext)]


@lru_cache(maxsize=1024)
def query_words(text: str) -> tuple[str, ...]:
    """The distinct words of a query term (normalised text), in the order they first occur."""
    return tuple(dict.fromkeys(cut(normalize(text))))
