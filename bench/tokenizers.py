"""Evidence for the word-view tokenizer: jieba vs jieba_fast vs rjieba on the sample reports.

Prints, for each library, tokens/s on the normalised sample texts (with the domain user dictionary loaded) and the
share of texts whose token sequence is identical to jieba's.  Run: python -m bench.tokenizers
"""

from __future__ import annotations

import time
from pathlib import Path

from indexer.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
USERDICT = ROOT / "indexer" / "engine" / "userdict.txt"  # the word view's dictionary of government terms


def texts() -> list[str]:
    return [normalize(p.read_text(encoding="utf-8", errors="replace"))
            for p in sorted((ROOT / "samples").rglob("*")) if p.suffix in (".txt", ".html")]


def main() -> None:
    import jieba
    import jieba_fast
    import rjieba

    jieba.setLogLevel(60)
    jieba_fast.setLogLevel(60)
    jieba.load_userdict(str(USERDICT))
    jieba_fast.load_userdict(str(USERDICT))
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        if line.strip():
            word, freq, tag = (line.split() + ["", "", ""])[:3]
            rjieba.add_word(word, int(freq or 1000), tag or "n")
    docs = texts() * 5
    cutters = {
        "jieba": lambda t: list(jieba.cut(t, HMM=True)),
        "jieba_fast": lambda t: list(jieba_fast.cut(t, HMM=True)),
        "rjieba": lambda t: rjieba.cut(t, hmm=True),
    }
    reference = [cutters["jieba"](t) for t in docs]
    chars = sum(map(len, docs))
    for name, cut in cutters.items():
        cut(docs[0])  # load the dictionary outside the timing
        t0 = time.perf_counter()
        out = [cut(t) for t in docs]
        dt = time.perf_counter() - t0
        same_docs = sum(a == b for a, b in zip(out, reference))
        same_tokens = sum(len(set(a) & set(b)) for a, b in zip(out, reference))
        all_tokens = sum(len(set(b)) for b in reference)
        print(f"{name:11s} {chars / dt / 1e6:6.2f} M chars/s  identical texts {same_docs}/{len(docs)}"
              f"  shared token types {same_tokens / all_tokens:.1%}")


if __name__ == "__main__":
    main()
