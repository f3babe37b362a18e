"""Benchmark (not a test): 50 concurrent clients on loopback against `nianbao serve`'s server (waitress), no errors.

Each client runs a bounded loop of mixed requests (search pages with facets, report pages with highlighting, the JSON
API, the compare page).  Loopback only.

    python bench/web_concurrency.py [--index /tmp/nianbao-bench-10k] [--clients 50] [--requests 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web_index import build  # noqa: E402
from bench.web_search import percentile, start_server  # noqa: E402
from webui import create_app  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=Path("/tmp/nianbao-bench-10k"))
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20, help="requests per client")
    args = ap.parse_args()
    lib = build(args.index, args.count)
    ids = [r["id"] for r in lib.search("政务公开", limit=100)["results"]]
    lib.close()

    server, base = start_server(create_app(args.index))
    urls = [f"/?q={quote('政务新媒体')}", f"/?q={quote('依申请公开')}&province={quote('甘肃省')}",
            f"/api/search?q={quote('行政复议')}&limit=10", f"/api/facets?q={quote('政府网站')}",
            f"/compare?field=series.applications&province={quote('青海省')}"]
    urls += [f"/report/{i}?q={quote('政务公开')}" for i in ids[:20]]
    errors: list[str] = []
    times: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(args.requests):
                url = rng.choice(urls)
                t0 = time.perf_counter()
                try:
                    resp = c.get(url)
                    ok = resp.status_code == 200
                    msg = f"{resp.status_code} {url}"
                except httpx.HTTPError as e:
                    ok, msg = False, f"{type(e).__name__} {url}"
                with lock:
                    times.append((time.perf_counter() - t0) * 1000)
                    if not ok:
                        errors.append(msg)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(client, range(args.clients)))
    wall = time.perf_counter() - t0
    server.close()
    print(f"{args.clients} concurrent clients × {args.requests} requests = {len(times)} requests in {wall:.1f} s "
          f"({len(times) / wall:.0f} req/s) against {args.count} reports")
    print(f"  latency p50 {statistics.median(times):.0f} ms  p95 {percentile(times, 95):.0f} ms  max {max(times):.0f} ms")
    print(f"  errors: {len(errors)}" + (f"  e.g. {errors[:5]}" if errors else ""))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
