"""Local mirrors of realistic government portals for tests and the README demo (see ``portals``).

``python -m scrapers.testsite --port 8865`` serves the TRS portal on 8865, the Hanweb portal on 8866 and the
"other host" on 8867, and prints a crawl config for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.testsite.portals import hanweb_portal, outside_portal, trs_portal
from scrapers.testsite.server import Hit, PortalServer, Resource

__all__ = ["TestSites", "PortalServer", "Resource", "Hit", "start_test_sites", "config_toml"]


@dataclass
class TestSites:
    trs: PortalServer
    hanweb: PortalServer
    outside: PortalServer
    expected: dict[str, str]  # report URL -> label key

    def stop(self) -> None:
        for server in (self.trs, self.hanweb, self.outside):
            server.stop()

    def __enter__(self) -> "TestSites":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_test_sites(port: int = 0) -> TestSites:
    """Start the three servers on 127.0.0.1 (ports port, port+1, port+2; 0 = any free ports)."""
    trs = PortalServer(port=port)
    hanweb = PortalServer(port=port + 1 if port else 0)
    outside = PortalServer(port=port + 2 if port else 0)
    outside.routes = outside_portal()
    trs.routes, trs_expected = trs_portal(outside.url)
    hanweb.routes, hw_expected, hanweb.dynamic = hanweb_portal(outside.url)
    expected = {trs.url + p: k for p, k in trs_expected.items()}
    expected.update({hanweb.url + p: k for p, k in hw_expected.items()})
    for server in (trs, hanweb, outside):
        server.start()
    return TestSites(trs, hanweb, outside, expected)


def config_toml(sites: TestSites, *, delay: float = 0.0, timeout: float = 1.0, retries: int = 1,
                backoff: float = 0.05, max_bytes: int = 2_000_000, archive_dir: str | None = None) -> str:
    """A crawl config for the running test sites."""
    archive = f'archive_dir = "{archive_dir}"\n' if archive_dir else ""
    return f"""{archive}
[politeness]
delay = {delay}
concurrency = 2
timeout = {timeout}
retries = {retries}
backoff = {backoff}
max_bytes = {max_bytes}

[[site]]
name = "trs"
start_urls = ["{sites.trs.url}/zwgk/zfxxgk/zfxxgknb/index.html"]

[[site]]
name = "hanweb"
start_urls = ["{sites.hanweb.url}/col/col1001/index.html"]
"""
