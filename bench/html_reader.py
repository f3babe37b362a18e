"""CPU time of the HTML reader (Beautiful Soup over lxml, issue 13.5) on the sample pages and the test portal.

    python -m bench.html_reader [--repeats 7]

Pages: every .html/.htm/.shtml under samples/, tests/fixtures/ and /work/shared/corpus (when present), and every
HTML page the test portal serves (scrapers/testsite).  For each page set it prints the median CPU seconds (of
``--repeats`` runs, ``time.process_time``) of:
- ``lxml parse + text``: ``lxml.html.document_fromstring`` and ``text_content()`` — the least any reader can do;
- ``soup parse``: the Beautiful Soup tree alone (indexer/read/soup.py);
- ``read_html``: the whole reader (decode, parse, junk, content, tables, metadata);
- ``analyse_page``: the crawler's generic discovery of the page (scrapers/discover.py), parse included.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUFFIXES = (".html", ".htm", ".shtml")


def sample_pages() -> list[tuple[str, bytes]]:
    dirs = [REPO / "samples", REPO / "tests" / "fixtures", Path("/work/shared/corpus")]
    return [(p.name, p.read_bytes()) for d in dirs if d.is_dir()
            for p in sorted(d.rglob("*")) if p.suffix.lower() in SUFFIXES]


def portal_pages() -> list[tuple[str, bytes]]:
    from scrapers.testsite.portals import hanweb_portal, outside_portal, trs_portal

    out = []
    for routes in (trs_portal("http://outside.test")[0], hanweb_portal("http://outside.test")[0], outside_portal()):
        for path, res in routes.items():
            if "html" in (res.content_type or "") or path.endswith(SUFFIXES):
                body = res.body if isinstance(res.body, bytes) else str(res.body).encode()
                out.append((path.rsplit("/", 1)[-1] or "index.html", body))
    return out


def cpu(fn, pages, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        for name, data in pages:
            fn(name, data)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    import lxml.html

    from indexer.model import ReadError
    from indexer.read.html import decode_html, read_html
    from indexer.read.soup import parse
    from scrapers.discover import analyse_page

    def plain_lxml(name, data):
        source = decode_html(data)
        if source.strip():
            lxml.html.document_fromstring(source).text_content()

    def soup(name, data):
        parse(decode_html(data))

    def reader(name, data):
        try:
            read_html(data, name)
        except ReadError:
            pass

    def discover(name, data):
        analyse_page(decode_html(data), "http://example.gov.cn/a/" + name)

    print(f"CPU seconds, median of {args.repeats} runs (time.process_time)")
    print(f"{'pages':<22}{'n':>4}{'KB':>7}{'lxml parse+text':>17}{'soup parse':>12}{'read_html':>11}"
          f"{'analyse_page':>14}{'read/lxml':>11}")
    for label, pages in (("samples+fixtures", sample_pages()), ("test portal", portal_pages())):
        for fn in (plain_lxml, soup, reader, discover):  # warm-up: imports, regex compilation
            cpu(fn, pages, 1)
        base, parsed, full, disc = (cpu(fn, pages, args.repeats) for fn in (plain_lxml, soup, reader, discover))
        kb = sum(len(d) for _, d in pages) / 1024
        print(f"{label:<22}{len(pages):>4}{kb:>7.0f}{base:>17.4f}{parsed:>12.4f}{full:>11.4f}{disc:>14.4f}"
              f"{full / base:>10.1f}×")


if __name__ == "__main__":
    main()
