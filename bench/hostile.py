"""The long runs of the adversarial suite (the short ones are tests/hostile in `./dev test`), seeded so a failure
reproduces.  Each prints its figures; bench/README.md and README's testing section keep them.

    python bench/hostile.py measure          the largest real report: what the limits must stay far above
    python bench/hostile.py api [N]          N generated requests (default 10,000) against /api/openapi.json
    python bench/hostile.py files            each hostile file read in a fresh process: time, peak memory, line
    python bench/hostile.py servers          each hostile server behaviour fetched in a fresh process: the same
    python bench/hostile.py kills [N]        N SIGKILLs (default 20) during `nianbao add`, each then rerun
    python bench/hostile.py crawl-kills [N]  N SIGKILLs (default 20) during `nianbao crawl` of the test portals
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: this script's own name would hide tests/hostile
from webui import create_app  # noqa: E402  (before tests/ joins the path: tests/webui would shadow webui)

sys.path.append(str(ROOT / "tests"))
from hostile.fuzzing import fuzz_api  # noqa: E402
from hostile.hostile_files import hostile_files  # noqa: E402

OUT = ROOT / "bench" / "out"
_LOAD = "load average %.1f %.1f %.1f" % os.getloadavg()


def measure() -> None:
    import io
    import zipfile

    import pypdfium2 as pdfium

    from indexer.read.dispatch import read_bytes
    from indexer.read.nesting import nesting_depth

    roots = [ROOT / "samples", Path("/work/shared/corpus"), ROOT / "tests" / "fixtures"]
    files = sorted({p.resolve() for r in roots if r.is_dir() for p in r.rglob("*")
                    if p.is_file() and p.suffix.lower() in (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc")})
    best: dict[str, tuple[int, str]] = {}

    def keep(key: str, value: int, name: str) -> None:
        if value > best.get(key, (-1, ""))[0]:
            best[key] = (value, name)

    for p in files:
        data = p.read_bytes()
        try:
            doc = read_bytes(data, str(p))
        except Exception as e:  # the password-protected fixture and the like
            print(f"  not read: {p.name}: {e}")
            continue
        keep("text_chars", len(doc.text), p.name)
        keep("tables", len(doc.tables), p.name)
        keep("cells", sum(len(row) for t in doc.tables for row in t.rows), p.name)
        if doc.format == "pdf":
            keep("pdf_pages", len(pdfium.PdfDocument(data)), p.name)
        if doc.format == "html":
            keep("html_depth", nesting_depth(data.decode("utf-8", "replace")), p.name)
        if data[:4] == b"PK\x03\x04":
            keep("member_bytes", max(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()), p.name)
    from indexer.limits import limits

    print(f"{len(files)} real files; largest vs limit:")
    for key, (value, name) in best.items():
        print(f"  {key:12} {value:>10,}  ({name})   limit {getattr(limits(), key):,}")


def api(n: int) -> None:
    from indexer.library import Library

    index = Path(tempfile.mkdtemp(prefix="hostile-api-", dir=OUT)) / "index"
    with Library(index) as lib:
        lib.add_paths([ROOT / "samples"])
    app = create_app(index)
    t0 = time.perf_counter()
    result = fuzz_api(app, examples=max(n // 4, 1))  # four operations take parameters
    took = time.perf_counter() - t0
    server_errors = sum(c for s, c in result.statuses.items() if s >= 500)
    print(f"{result.requests:,} generated requests in {took:.0f} s ({_LOAD}); status codes "
          f"{dict(sorted(result.statuses.items()))}; 5xx: {server_errors}; failed checks (schema, status, content "
          f"type, traceback): {len(result.failures)}")
    for line in result.failures[:20]:
        print("  ", line)


_READ_ONE = """
import resource, sys, time
from indexer.read.dispatch import read_file
t0 = time.perf_counter()
try:
    read_file(sys.argv[1]); line = "READ"
except Exception as e:
    line = f"{type(e).__name__}: {e}"
print(f"{time.perf_counter() - t0:.2f}\\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}\\t{line}")
"""


def files() -> None:
    d = Path(tempfile.mkdtemp(prefix="hostile-files-", dir=OUT))
    expect = hostile_files(d)
    print(f"{len(expect)} hostile files ({_LOAD}); seconds, peak MB, the one line:")
    for name in expect:
        out = subprocess.run([sys.executable, "-c", _READ_ONE, str(d / name)], capture_output=True, text=True,
                             cwd=ROOT, timeout=120).stdout.strip()
        print(f"  {name:22} {out}")


_FETCH_ONE = """
import resource, sys, time
from urllib.parse import urlsplit
from scrapers.config import Politeness
from scrapers.fetch import Fetcher
host = urlsplit(sys.argv[1]).netloc
f = Fetcher(may_fetch=lambda url: None if urlsplit(url).netloc == host else f"不在允许的主机范围内：{url}")
t0 = time.perf_counter()
r = f.fetch(sys.argv[1], Politeness(delay=0, timeout=float(sys.argv[2]), retries=0))
ok = f.fetch(f"http://{host}/ok.html", Politeness(delay=0, timeout=5, retries=0)).ok
print(f"{time.perf_counter() - t0:.2f}\\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}\\t{r.error}"
      f"\\tnext fetch ok: {ok}")
"""


def servers() -> None:
    from hostile.hostile_server import HostileServer

    timeout = 3.0  # a whole exchange gets 3× this: 9 s
    with HostileServer(bomb_bytes=419_000_000, trickle=0.5) as server:
        server.bomb()
        print(f"hostile server (timeout {timeout:g} s, default max_bytes, no retry; {_LOAD}); "
              f"seconds, peak MB, the one line:")
        for path in ("/gzip-bomb", "/slow-headers", "/slow-body", "/endless", "/loop", "/chain/0", "/off-host",
                     "/to-file"):
            out = subprocess.run([sys.executable, "-c", _FETCH_ONE, server.url + path, str(timeout)],
                                 capture_output=True, text=True, cwd=ROOT, timeout=120)
            print(f"  {path:14} {out.stdout.strip() or out.stderr.strip()[-300:]}")


def kills(n: int) -> None:
    from hostile.kills import kill_add, kill_parent_only, inputs

    work = Path(tempfile.mkdtemp(prefix="hostile-kills-", dir=OUT))
    t0 = time.perf_counter()
    result = kill_add(work, kills=n)
    parent_only = kill_parent_only(work, inputs(work / "in"))
    print(f"{result.kills} SIGKILLs during add (at {result.seconds} s): {result.consistent} consistent after a rerun "
          f"(same reports as a clean run, all searchable, none pending), {result.leftovers} left a process behind; "
          f"parent-only kill left no worker: {parent_only}; {time.perf_counter() - t0:.0f} s ({_LOAD})")
    for line in result.failures:
        print("  ", line)


def crawl_kills(n: int) -> None:
    from hostile.kills import kill_crawl

    work = Path(tempfile.mkdtemp(prefix="hostile-crawl-kills-", dir=OUT))
    t0 = time.perf_counter()
    result = kill_crawl(work, kills=n)
    print(f"{result.kills} SIGKILLs during crawl (at {result.seconds} s): {result.consistent} consistent after a "
          f"rerun (same reports as a clean crawl, all searchable, none pending), {result.leftovers} left a process "
          f"behind; {time.perf_counter() - t0:.0f} s ({_LOAD})")
    for line in result.failures:
        print("  ", line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["measure", "api", "files", "servers", "kills", "crawl-kills"])
    ap.add_argument("n", nargs="?", type=int)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.what == "measure":
        measure()
    elif args.what == "api":
        api(args.n or 10_000)
    elif args.what == "files":
        files()
    elif args.what == "servers":
        servers()
    elif args.what == "kills":
        kills(args.n or 20)
    else:
        crawl_kills(args.n or 20)
    print(f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
