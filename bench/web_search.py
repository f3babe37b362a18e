"""Benchmark (not a test): the search page with facets, rendered over HTTP on loopback, at 10k reports.

Target: p95 ≤ 150 ms.  Each request renders the full HTML page (query + facets + 20 grouped results with snippets).

    python bench/web_search.py [--index /tmp/nianbao-bench-10k] [--count 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web_index import build  # noqa: E402
from webui import create_app  # noqa: E402

QUERIES = [
    {"q": "政务新媒体"}, {"q": "政务新媒体", "province": "甘肃省"}, {"q": "依申请公开"},
    {"q": "依申请公开", "year": "2019-2021", "sort": "year_desc"}, {"q": "行政复议"}, {"q": "政府网站", "level": "县级"},
    {"q": "政策解读", "province": "江苏省", "city": "淮安市"}, {"q": "信息公开 培训"}, {"q": ""},
    {"q": "", "province": "福建省", "section": "requests"}, {"q": "\"政务公开\""}, {"q": "公开", "page": "3"},
]


def start_server(app):
    import waitress.server

    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=Path("/tmp/nianbao-bench-10k"))
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    build(args.index, args.count).close()

    server, base = start_server(create_app(args.index))
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for params in QUERIES:  # warm-up: open the index, load jieba, fill caches
            client.get("/?" + urlencode(params))
        for _ in range(args.rounds):
            for params in QUERIES:
                t0 = time.perf_counter()
                resp = client.get("/?" + urlencode(params))
                times.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200, (params, resp.status_code)
                assert 'class="facet"' in resp.text
    server.close()
    print(f"search page with facets, {args.count} reports, {len(times)} requests over HTTP (loopback):")
    print(f"  p50 {statistics.median(times):.0f} ms   p95 {percentile(times, 95):.0f} ms   max {max(times):.0f} ms")
    print("  target p95 <= 150 ms:", "OK" if percentile(times, 95) <= 150 else "MISSED")


if __name__ == "__main__":
    main()
