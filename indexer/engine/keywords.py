"""Keywords of each report and section (jieba's TF-IDF, with IDF from the collection itself) and similar reports
(MinHash sketches of each report's word pairs, datasketch).

At index time each report gets one column value (``WordStatsField``): its TOP_WORDS most frequent content words
with their counts and its word total, the same for each section (TOP_SECTION_WORDS), and a MinHash of the set of
its neighbouring content-word pairs.  Text is cut by segmenter.tokens, whose runs the word view (words.py) has
just cut for the same document, so this costs little more than the counting.

Per index generation, on first use (``WordTable``): the IDF of a word is log(N / df), N the reports and df the
reports whose TOP_WORDS include it — the collection's own statistics, not jieba's bundled IDF (general Chinese
text, where 公开 and 申请 are rare).  A keyword's weight is jieba.analyse's TF-IDF: count / word total × IDF.
Similar reports are ranked by the Jaccard similarity of their word-pair sets, as the sketches estimate it: pairs
carry the wording a report shares with its issuer's other years, while nearly every word of a report is a word of
every other (the template).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import numpy as np
from whoosh import columns, fields

from indexer.engine.segmenter import tokens

TOP_WORDS = 200
TOP_SECTION_WORDS = 30
TOP_REPORT_KEYWORDS = 12
FACET_KEYWORDS = 5  # a report counts in the 主题词 facet for its five first keywords
NUM_PERM = 128
_DIGITS = re.compile(r"[0-9.%]+$")
# function words and report boilerplate jieba keeps as words; IDF handles the rest
_STOP = frozenset("""
我们 他们 进行 以及 对于 关于 有关 其中 没有 或者 按照 根据 通过 已经 一是 二是 三是 四是 五是 及时 同时 一步 相关 有效
不断 主要 开展 进一步 持续 全年 本年 本年度 年度 工作 情况 全面 加强 推进 做好 认真 切实 落实 积极 严格 各类 各项
还有 一定 个别 第一 一名 不再 不足 有序 未经 继续 继续加强 其他 以上 以下 方面 一些 所有 可以 需要 存在 确保 为了
""".split())


def content_word(w: str) -> bool:
    """A word that may be a keyword: two characters or more, not a number, not a function word."""
    return len(w) >= 2 and not _DIGITS.match(w) and w not in _STOP


def slot_stats(texts: list[str]) -> dict:
    """What the column keeps of a report's slot texts (slot 0 the title): see the module docstring."""
    from datasketch import MinHash

    total: Counter = Counter()
    n_words = 0
    sections = []
    pairs: set[bytes] = set()
    for slot, text in enumerate(texts):
        words = [w for w, _ in tokens(text) if content_word(w)]
        counts = Counter(words)
        total.update(counts)
        n_words += len(words)
        if slot:
            sections.append([len(words), [[w, c] for w, c in counts.most_common(TOP_SECTION_WORDS)]])
        pairs.update(f"{a}\t{b}".encode("utf-8") for a, b in zip(words, words[1:]))
    sketch = MinHash(num_perm=NUM_PERM)
    if pairs:
        sketch.update_batch(sorted(pairs))
    return {"n": n_words, "top": [[w, c] for w, c in total.most_common(TOP_WORDS)], "sections": sections,
            "minhash": sketch.hashvalues.astype(np.uint32).tolist() if pairs else []}


class WordStatsField(fields.FieldType):
    """A column only (no postings): slot_stats of the list of slot texts, as JSON bytes."""

    def __init__(self):
        self.format = None
        self.indexed = False
        self.analyzer = None
        self.scorable = self.stored = self.unique = False
        self.vector = None
        self.column_type = columns.VarBytesColumn()

    def index(self, value, **kwargs):
        return iter(())

    def to_column_value(self, value):
        return json.dumps(slot_stats(list(value)), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _tfidf(counts: list, n_words: int, idf: dict[str, float], limit: int) -> list[dict]:
    scored = [(c / max(n_words, 1) * idf.get(w, 0.0), w) for w, c in counts]
    scored = [(s, w) for s, w in scored if s > 0]
    scored.sort(key=lambda p: (-p[0], p[1]))
    return [{"word": w, "weight": round(s, 4)} for s, w in scored[:limit]]


class WordTable:
    """A generation's word statistics: keywords of every report (and its sections on demand), the 主题词 of each
    report as codes for the facet, and the MinHash signatures as one matrix."""

    def __init__(self, raw: list[bytes | None]):
        self.stats = [json.loads(b) if b else {"n": 0, "top": [], "sections": [], "minhash": []} for b in raw]
        n = max(len(self.stats), 1)
        df: Counter = Counter(w for s in self.stats for w, _c in s["top"])
        # a word every report has carries nothing: log(N / df) is 0 there
        self.idf = {w: math.log(n / d) for w, d in df.items()}
        self.keywords = [_tfidf(s["top"], s["n"], self.idf, TOP_REPORT_KEYWORDS) for s in self.stats]
        vocab: dict[str, int] = {}
        self.topic_codes = np.full((len(self.stats), FACET_KEYWORDS), -1, dtype=np.int64)
        for r, kws in enumerate(self.keywords):
            for k, kw in enumerate(kws[:FACET_KEYWORDS]):
                self.topic_codes[r, k] = vocab.setdefault(kw["word"], len(vocab))
        self.topic_values = list(vocab)
        self.topic_index = vocab
        self.has_sketch = np.asarray([len(s["minhash"]) == NUM_PERM for s in self.stats], dtype=bool)
        self.sketches = np.zeros((len(self.stats), NUM_PERM), dtype=np.uint32)
        for r, s in enumerate(self.stats):
            if self.has_sketch[r]:
                self.sketches[r] = s["minhash"]

    def section_keywords(self, r: int, limit: int = 8) -> list[list[dict]]:
        """Keywords of each section of report ``r``, in section order."""
        return [_tfidf(counts, n, self.idf, limit) for n, counts in self.stats[r]["sections"]]

    def similar(self, r: int, limit: int = 10) -> list[tuple[int, float]]:
        """(report, estimated Jaccard similarity of word pairs), most similar first, ``r`` itself left out."""
        if not self.has_sketch[r]:
            return []
        score = (self.sketches == self.sketches[r]).mean(axis=1)
        score[~self.has_sketch] = 0
        score[r] = -1
        top = np.argsort(-score, kind="stable")[:limit]
        return [(int(i), float(score[i])) for i in top if score[i] > 0]

    def topic_mask(self, word: str) -> np.ndarray:
        code = self.topic_index.get(word)
        if code is None:
            return np.zeros(len(self.stats), dtype=bool)
        return (self.topic_codes == code).any(axis=1)

    def topic_counts(self, mask: np.ndarray, limit: int = 30) -> list[dict]:
        codes = self.topic_codes[mask].reshape(-1)
        counts = np.bincount(codes[codes >= 0], minlength=len(self.topic_values))
        top = np.flatnonzero(counts)
        order = sorted(top.tolist(), key=lambda i: (-counts[i], self.topic_values[i]))[:limit]
        return [{"value": self.topic_values[i], "count": int(counts[i])} for i in order]
