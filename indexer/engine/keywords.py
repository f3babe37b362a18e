"""Keywords of each report and section (jieba's TF-IDF, with IDF from the collection itself) and similar reports
(the cosine of those TF-IDF vectors, with scipy's sparse matrices).

At index time each report gets one column value (``WordStatsField``): its TOP_WORDS most frequent content words
with their counts and its word total, and the same for each section (TOP_SECTION_WORDS).  Text is cut by
segmenter.tokens, whose runs the word view (words.py) has just cut for the same document, so this costs little
more than the counting.

Per index generation, on first use (``WordTable``): the IDF of a word is log(N / df), N the reports and df the
reports whose TOP_WORDS include it — the collection's own statistics, not jieba's bundled IDF (general Chinese
text, where 公开 and 申请 are rare).  A keyword's weight is jieba.analyse's TF-IDF: count / word total × IDF.
Similar reports are ranked by the cosine similarity of the reports' TF-IDF vectors: the words that set a report
apart (its places, its issuer's programmes) weigh most, the template's words nothing.  MinHash sketches of
word-pair sets (datasketch) were tried first and ranked worse on the samples — 武威市 2019's other year came 4th
(TF-IDF: 2nd), 平潭综合实验区 2021's came 4th and 8th (TF-IDF: 1st and 4th) — and cost a sketch per report at
index time; one sparse matrix–vector product over 10k reports takes about a millisecond, so no sketch is needed.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
from whoosh import columns, fields

from indexer.engine.segmenter import tokens

TOP_WORDS = 100
TOP_SECTION_WORDS = 30
TOP_REPORT_KEYWORDS = 12
FACET_KEYWORDS = 5  # a report counts in the 主题词 facet for its five first keywords
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
    total: Counter = Counter()
    n_words = 0
    sections = []
    for slot, text in enumerate(texts):
        words = [w for w, _ in tokens(text) if content_word(w)]
        counts = Counter(words)
        total.update(counts)
        n_words += len(words)
        if slot:
            sections.append((len(words), counts.most_common(TOP_SECTION_WORDS)))
    top = total.most_common(TOP_WORDS)
    # words as one space-joined string (no word holds a space): a tenth of the JSON parsing of [word, count] pairs
    return {"n": n_words, "words": " ".join(w for w, _ in top), "counts": [c for _, c in top],
            "sections": [[n, " ".join(w for w, _ in ws), [c for _, c in ws]] for n, ws in sections]}


def encode_stats(stats: dict) -> bytes:
    """The column value: the report's part as one JSON line, then its sections' as another — the table reads the
    first line of every report, the sections are parsed only for the report a page shows."""
    head = {k: v for k, v in stats.items() if k != "sections"}
    dump = lambda x: json.dumps(x, ensure_ascii=False, separators=(",", ":"))  # noqa: E731 (never a raw newline)
    return (dump(head) + "\n" + dump(stats["sections"])).encode("utf-8")


def _head(raw: bytes | None) -> dict | None:
    return json.loads(raw[:raw.find(b"\n")]) if raw else None


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
        return encode_stats(slot_stats(list(value)))


def _tfidf(words: list[str], counts: list[int], n_words: int, idf: dict[str, float], limit: int) -> list[dict]:
    """jieba.analyse's TF-IDF (count / words × idf), highest first; words every report has (idf 0) left out."""
    scored = [(c / max(n_words, 1) * idf.get(w, 0.0), w) for w, c in zip(words, counts)]
    scored = [(s, w) for s, w in scored if s > 0]
    scored.sort(key=lambda p: (-p[0], p[1]))
    return [{"word": w, "weight": round(s, 4)} for s, w in scored[:limit]]


class WordTable:
    """A generation's word statistics: the IDF of each word, the 主题词 of every report (its first keywords, as
    codes for the facet), the reports' unit TF-IDF vectors as one sparse matrix (similar reports); a report's
    keywords and its sections' on demand.

    Built with numpy over all (report, word, count) triples: at 10k reports that is 2 M triples, which Python
    loops per report took seconds over."""

    def __init__(self, raw: list[bytes | None]):
        n = len(raw)
        # (a column read back from a merged segment may come as str)
        raw = [b.encode("utf-8") if isinstance(b, str) else b for b in raw]
        self.raw = raw
        self.stats = [_head(b) for b in raw]
        vocab: dict[str, int] = {}
        word_ids, owners, counts = [], [], []
        self.n_words = np.ones(n)
        for r, s in enumerate(self.stats):
            if not s or not s["words"]:
                continue
            ids = [vocab.setdefault(w, len(vocab)) for w in s["words"].split(" ")]
            word_ids.append(np.asarray(ids, dtype=np.int64))
            owners.append(np.full(len(ids), r, dtype=np.int64))
            counts.append(np.asarray(s["counts"], dtype=np.float64))
            self.n_words[r] = max(s["n"], 1)
        self.vocab = list(vocab)
        self.word_index = vocab
        word = np.concatenate(word_ids) if word_ids else np.zeros(0, dtype=np.int64)
        owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
        count = np.concatenate(counts) if counts else np.zeros(0)
        df = np.bincount(word, minlength=len(vocab))
        # a word every report has carries nothing: log(N / df) is 0 there
        self.idf_values = np.log(max(n, 1) / np.maximum(df, 1))
        self.idf = dict(zip(self.vocab, self.idf_values.tolist()))
        weight = count / self.n_words[owner] * self.idf_values[word]
        # each report's FACET_KEYWORDS best words: sort by (report, -weight, word) once — ties by the word itself,
        # as keywords() orders them, so a report's 主题词 are its first keywords
        spelling_rank = np.empty(len(self.vocab), dtype=np.int64)
        spelling_rank[sorted(range(len(self.vocab)), key=self.vocab.__getitem__)] = np.arange(len(self.vocab))
        order = np.lexsort((spelling_rank[word], -weight, owner))
        owner_sorted = owner[order]
        first = np.searchsorted(owner_sorted, np.arange(n))
        rank = np.arange(len(order)) - first[owner_sorted]
        keep = (rank < FACET_KEYWORDS) & (weight[order] > 0)
        self.topic_codes = np.full((n, FACET_KEYWORDS), -1, dtype=np.int64)
        self.topic_codes[owner_sorted[keep], rank[keep]] = word[order][keep]
        from scipy import sparse

        vectors = sparse.csr_matrix((weight, (owner, word)), shape=(n, len(vocab)))
        norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).reshape(-1))
        self.has_vector = norms > 0
        self.vectors = sparse.diags(np.where(self.has_vector, 1 / np.maximum(norms, 1e-300), 0.0)) @ vectors

    def keywords(self, r: int, limit: int = TOP_REPORT_KEYWORDS) -> list[dict]:
        s = self.stats[r]
        if not s or not s["words"]:
            return []
        return _tfidf(s["words"].split(" "), s["counts"], s["n"], self.idf, limit)

    def section_keywords(self, r: int, limit: int = 8) -> list[list[dict]]:
        """Keywords of each section of report ``r``, in section order."""
        raw = self.raw[r]
        if not raw:
            return []
        return [_tfidf(words.split(" ") if words else [], counts, n, self.idf, limit)
                for n, words, counts in json.loads(raw[raw.find(b"\n") + 1:])]

    def similar(self, r: int, limit: int = 10) -> list[tuple[int, float]]:
        """(report, cosine similarity of TF-IDF vectors), most similar first, ``r`` itself left out."""
        if not self.has_vector[r]:
            return []
        score = np.asarray((self.vectors @ self.vectors[r].T).todense()).reshape(-1)
        score[r] = -1
        top = np.argsort(-score, kind="stable")[:limit]
        return [(int(i), float(score[i])) for i in top if score[i] > 0]

    def topic_mask(self, word: str) -> np.ndarray:
        code = self.word_index.get(word)
        if code is None:
            return np.zeros(len(self.stats), dtype=bool)
        return (self.topic_codes == code).any(axis=1)

    def topic_counts(self, mask: np.ndarray, limit: int = 30) -> list[dict]:
        codes = self.topic_codes[mask].reshape(-1)
        codes = codes[codes >= 0]
        if not len(codes):
            return []
        uniq, counts = np.unique(codes, return_counts=True)
        order = sorted(range(len(uniq)), key=lambda i: (-counts[i], self.vocab[uniq[i]]))[:limit]
        return [{"value": self.vocab[uniq[i]], "count": int(counts[i])} for i in order]
