"""Request parameters shared by the pages and the JSON API: one parser, so a page URL and an API URL mean the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from werkzeug.datastructures import MultiDict

from indexer.engine.query import FILTER_KEYS
from indexer.engine.results import MAX_HITS_PER_REPORT, SNIPPETS

SORTS = ("relevance", "year_desc", "year_asc")
MODES = ("exact", "words")  # how text terms match: 精确 (substrings) / 分词 (words of one section)
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000  # as `nianbao search --limit`
MAX_QUERY_CHARS = 500


class ParamError(ValueError):
    """A request parameter that cannot be used; the message is shown to the user."""


# Every other argument any page or API route reads (search, export, compare; `mode` is the 精确/分词 toggle): a name
# outside these and the filters is a typo whose filter would silently not apply (?provnce=甘肃 lists everything).
OTHER_ARGS = ("q", "sort", "limit", "offset", "page", "mode", "format", "labels", "fields", "field", "by", "scale",
              "facet_size", "snippets")
MAX_FACET_SIZE = 100_000


def check_arg_names(names) -> None:
    """ParamError naming the nearest valid argument for the first unknown one (names starting with _ are left
    alone: cache busters)."""
    import difflib

    known = (*FILTER_KEYS, *OTHER_ARGS)
    for name in names:
        if name in known or name.startswith("_"):
            continue
        close = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.6)
        hint = f"您是不是要找：{'、'.join(close)}？" if close else f"筛选项：{'、'.join(FILTER_KEYS)}"
        raise ParamError(f"没有这个参数：{name}（{hint}）")


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    mode: str = "exact"

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    def args(self, **changes) -> MultiDict:
        """URL arguments for this state, every one of them (q, filters, sort, limit, page), so a link keeps what the
        reader chose; ``changes`` override q/sort/page, ``filters=`` replaces the filters."""
        q = changes.get("q", self.q)
        sort = changes.get("sort", self.sort)
        mode = changes.get("mode", self.mode)
        filters = changes.get("filters", self.filters)
        page = changes.get("page", 1 if "filters" in changes or "q" in changes else self.page)
        out = MultiDict()
        if q:
            out.add("q", q)
        for key in FILTER_KEYS:
            for value in filters.get(key, []):
                out.add(key, value)
        if sort != "relevance":
            out.add("sort", sort)
        if self.limit != DEFAULT_LIMIT:
            out.add("limit", str(self.limit))
        if mode != "exact":
            out.add("mode", mode)
        if page > 1:
            out.add("page", str(page))
        return out

    def export_args(self, fmt: str) -> MultiDict:
        """/api/export arguments for every report this query and these filters select (all pages)."""
        out = self.args(page=1)
        out.poplist("limit")
        out.add("format", fmt)
        return out

    def without(self, key: str, value: str) -> MultiDict:
        """URL arguments with one filter value removed (a chip's link); narrower levels of a removed region go too."""
        filters = {k: [v for v in vs if not (k == key and v == value)] for k, vs in self.filters.items()}
        drop_below = {"province": ("city", "county"), "city": ("county",)}.get(key, ())
        if not filters.get(key):
            for k in drop_below:
                filters.pop(k, None)
        return self.args(filters={k: v for k, v in filters.items() if v})


def facet_size(args: Mapping) -> int | None:
    """The API's ``facet_size``: values per facet at most; absent, every value."""
    raw = args.get("facet_size")
    return None if raw in (None, "") else _int(raw, "facet_size", 0, 1, MAX_FACET_SIZE)


def snippets(args: Mapping) -> int:
    """The API's ``snippets``: how many section hits of each result (the first) carry a snippet, 0–10."""
    return _int(args.get("snippets"), "snippets", SNIPPETS, 0, MAX_HITS_PER_REPORT)


def _int(raw: str | None, name: str, default: int, lo: int, hi: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        n = int(raw)
    except ValueError:
        raise ParamError(f"参数 {name} 应为整数：{raw!r}") from None
    if not lo <= n <= hi:
        raise ParamError(f"参数 {name} 应在 {lo}–{hi} 之间：{n}")
    return n


def parse_search_args(args: Mapping, *, paged: bool = False) -> SearchParams:
    """Read q, filters, sort and limit/offset (API) or page (pages) from request args.

    Filter values may repeat (?province=甘肃省&province=青海省) or be comma-separated (?province=甘肃省,青海省).
    """
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: [args[k]] if k in args else [])
    check_arg_names(args.keys())
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise ParamError(f"检索式过长（最多 {MAX_QUERY_CHARS} 个字符）")
    filters: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        values: list[str] = []
        for raw in getlist(key):
            for v in str(raw).replace("，", ",").split(","):
                v = v.strip()
                if v and v not in values:
                    values.append(v)
        if values:
            filters[key] = values
    sort = args.get("sort") or "relevance"
    if sort == "year":  # `nianbao search --sort year`
        sort = "year_desc"
    if sort not in SORTS:
        from indexer.engine.ranking import parse_field_sort  # a table field: apply.new.total[:asc|:desc]

        try:
            parse_field_sort(sort)
        except ValueError:
            raise ParamError(f"排序方式应为 {' / '.join(SORTS)} 或统计字段（如 apply.new.total、"
                             f"apply.new.total:asc）：{sort!r}") from None
    mode = args.get("mode") or "exact"
    if mode not in MODES:
        raise ParamError(f"检索方式 mode 应为 exact（精确）或 words（分词）：{mode!r}")
    limit = _int(args.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    if paged:
        page = _int(args.get("page"), "page", 1, 1, 10_000)
        offset = (page - 1) * limit
    else:
        offset = _int(args.get("offset"), "offset", 0, 0, 1_000_000)
    return SearchParams(q=q, filters=filters, sort=sort, limit=limit, offset=offset, mode=mode)
