"""Serve the test portals: ``python -m scrapers.testsite --port 8865``."""

from __future__ import annotations

import argparse
import time

from scrapers.testsite import config_toml, start_test_sites


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the local test portals on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8865, help="TRS portal port; Hanweb +1, other host +2")
    args = parser.parse_args()
    sites = start_test_sites(args.port)
    print(f"TRS portal (GBK):     {sites.trs.url}/zwgk/zfxxgk/zfxxgknb/index.html")
    print(f"Hanweb portal (UTF-8): {sites.hanweb.url}/col/col1001/index.html")
    print(f"other host (never to be crawled): {sites.outside.url}")
    print("\n# crawl config for these portals (as in scrapers/example.toml):")
    print(config_toml(sites, delay=0.2, timeout=1.0))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sites.stop()


if __name__ == "__main__":
    main()
