"""Crawl configuration: a TOML file with one ``[[site]]`` table per portal column to collect.

```toml
archive_dir = "crawl"          # optional; WARC files + crawl state (default: <index dir>/crawl)

[politeness]                   # defaults for every site
delay = 1.0                    # seconds between two requests to one host
concurrency = 2                # requests in flight per host
timeout = 20.0                 # seconds to wait for bytes; a whole exchange gets 3× this
retries = 2                    # extra attempts after a timeout / 5xx / connection error
backoff = 1.0                  # first retry waits this long, then doubles
max_redirects = 5
max_bytes = 50_000_000         # larger responses (once unpacked) are dropped
max_depth = 4                  # column links followed from a start page (pagination does not count)
max_pages = 5000               # requests per site and run

[[site]]
name = "pingtan"
start_urls = ["https://www.example.gov.cn/zwgk/zfxxgknb/index.html"]
allowed_hosts = ["www.example.gov.cn"]         # optional: default = the start URLs' hosts
region = "福建省平潭县"                           # optional hint for region resolution
list_patterns = ['/zfxxgknb/index_\\d+\\.html$'] # optional regexes: URLs that are list pages
report_patterns = ['/t\\d{8}_\\d+\\.htm$']       # optional regexes: URLs that are report pages
exclude_patterns = ['/jdhy/']                   # optional regexes: never fetched
[site.politeness]                               # optional per-site overrides
delay = 2.0
[site.selectors]                                # optional CSS selectors (scrapers/selectors.py), each falling
list = "ul.list li a"                           # back to generic discovery with a warning when it matches nothing
content = "div.TRS_Editor"
```
"""

from __future__ import annotations

import re
import tomllib

import soupsieve
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from indexer.failures import os_reason

USER_AGENT = ("nianbao-crawler/0.1 (nianbao annual-report search; collects government information-disclosure "
              "annual reports; obeys robots.txt)")
ROBOTS_AGENT = "nianbao-crawler"


class ConfigError(ValueError):
    """A crawl configuration that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Politeness:
    delay: float = 1.0
    concurrency: int = 2
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0
    max_redirects: int = 5
    max_bytes: int = 50_000_000
    max_depth: int = 4
    max_pages: int = 5000

    def updated(self, overrides: dict) -> "Politeness":
        known = {f.name: f.type for f in fields(self)}
        unknown = set(overrides) - set(known)
        if unknown:
            raise ConfigError(f"politeness 中没有这些设置：{'、'.join(sorted(unknown))}")
        values = {}
        for key, value in overrides.items():
            cast = int if known[key] == "int" else float
            try:
                values[key] = cast(value)
            except (TypeError, ValueError):
                raise ConfigError(f"politeness.{key} 应为数字，而不是 {value!r}") from None
            if values[key] < 0:
                raise ConfigError(f"politeness.{key} 不能是负数")
        return replace(self, **values)


@dataclass(frozen=True)
class Selectors:
    content: str | None = None
    list: str | None = None
    next_page: str | None = None
    date: str | None = None
    title: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


SELECTOR_KEYS = tuple(f.name for f in fields(Selectors))


def parse_selectors(raw: dict | None, where: str) -> Selectors:
    """The [site.selectors] table, each selector compiled once by soupsieve to check it."""

    if not raw:
        return Selectors()
    unknown = set(raw) - set(SELECTOR_KEYS)
    if unknown:
        raise ConfigError(f"{where}：没有这些选择器：{'、'.join(sorted(unknown))}"
                            f"（可用：{'、'.join(SELECTOR_KEYS)}）")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}：selectors.{key} 应为 CSS 选择器字符串")
        try:
            soupsieve.compile(value)
        except soupsieve.SelectorSyntaxError as e:
            raise ConfigError(f"{where}：selectors.{key} {value!r} 不是有效的 CSS 选择器："
                                f"{str(e).splitlines()[0]}") from None
    return Selectors(**{k: v.strip() for k, v in raw.items()})


@dataclass(frozen=True)
class Site:
    name: str
    start_urls: tuple[str, ...]
    allowed_hosts: frozenset[str]  # netlocs (host or host:port), lower case
    region: str | None = None
    list_patterns: tuple[re.Pattern, ...] = ()
    report_patterns: tuple[re.Pattern, ...] = ()
    exclude_patterns: tuple[re.Pattern, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    selectors: Selectors = field(default_factory=Selectors)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in self.allowed_hosts:
            return False
        return not any(p.search(url) for p in self.exclude_patterns)

    @property
    def hints(self) -> dict[str, str]:
        return {"region": self.region} if self.region else {}


@dataclass(frozen=True)
class CrawlConfig:
    sites: tuple[Site, ...]
    archive_dir: Path | None = None  # None: <index dir>/crawl

    def select(self, names: list[str] | tuple[str, ...] | None) -> tuple[Site, ...]:
        if not names:
            return self.sites
        by_name = {s.name: s for s in self.sites}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ConfigError(f"没有名为 {'、'.join(missing)} 的站点（配置中有：{'、'.join(by_name)}）")
        return tuple(by_name[n] for n in names)


def _patterns(raw, where: str) -> tuple[re.Pattern, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    out = []
    for p in raw:
        try:
            out.append(re.compile(p))
        except re.error as e:
            raise ConfigError(f"{where}：正则表达式 {p!r} 有误：{e}") from None
    return tuple(out)


def _site(raw: dict, defaults: Politeness, index: int) -> Site:
    where = f"第 {index + 1} 个站点"
    name = raw.get("name")
    if not name or not isinstance(name, str):
        raise ConfigError(f"{where}：缺少 name")
    where = f"站点 {name!r}"
    start = raw.get("start_urls")
    if isinstance(start, str):
        start = [start]
    if not start:
        raise ConfigError(f"{where}：start_urls 至少要列出一个网址")
    for url in start:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ConfigError(f"{where}：起始网址 {url!r} 不是 http(s) 网址")
    hosts = raw.get("allowed_hosts") or [urlsplit(u).netloc for u in start]
    unknown = set(raw) - {"name", "start_urls", "allowed_hosts", "region", "list_patterns", "report_patterns",
                          "exclude_patterns", "politeness", "selectors"}
    if unknown:
        raise ConfigError(f"{where}：没有这些配置项：{'、'.join(sorted(unknown))}")
    return Site(
        name=name,
        start_urls=tuple(start),
        allowed_hosts=frozenset(h.lower() for h in hosts),
        region=raw.get("region") or None,
        list_patterns=_patterns(raw.get("list_patterns"), where),
        report_patterns=_patterns(raw.get("report_patterns"), where),
        exclude_patterns=_patterns(raw.get("exclude_patterns"), where),
        politeness=defaults.updated(raw.get("politeness") or {}),
        selectors=_selectors(raw.get("selectors"), where),
    )


def _selectors(raw, where: str) -> Selectors:
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(f"{where}：selectors 应为一个表（[site.selectors]）")
    return parse_selectors(raw, where)


def parse_config(data: dict, base_dir: Path | None = None) -> CrawlConfig:
    defaults = Politeness().updated(data.get("politeness") or {})
    raw_sites = data.get("site") or []
    if not raw_sites:
        raise ConfigError("配置中没有 [[site]] 表")
    sites = tuple(_site(s, defaults, i) for i, s in enumerate(raw_sites))
    names = [s.name for s in sites]
    if len(set(names)) != len(names):
        raise ConfigError("站点名称（name）不能重复")
    archive = data.get("archive_dir")
    archive_dir = None
    if archive:
        archive_dir = Path(archive)
        if not archive_dir.is_absolute() and base_dir is not None:
            archive_dir = base_dir / archive_dir
    return CrawlConfig(sites=sites, archive_dir=archive_dir)


def load_config(path: str | Path) -> CrawlConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"无法读取 {path}（{os_reason(e)}）") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} 不是有效的 TOML：{e}") from None
    return parse_config(data, base_dir=path.parent)
