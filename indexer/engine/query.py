"""The query language, parsed into a small tree the search module evaluates.

    政务新媒体 信息处理费          both required, each an exact substring (after normalize())
    "政务 新媒体"                  a quoted phrase: one substring, kept whole
    A OR B, A | B                 either
    -A, NOT A                     without
    ( … )                         grouping
    province:甘肃 city: county:   region filters (a value matches every name it starts: 甘肃 → 甘肃省)
    issuer:620600/政府            the issuing body: its issuer_id, or its formal name (issuer:武威市人民政府) — every
                                  report of the body, all years; a body the index does not hold is an error
    year:2019  year:2018-2020     report year (also >2019, <=2020)
    section:依申请公开 / requests  only text in sections of that kind (canonical key or its Chinese label)
    level:县级 body_type:部门 template:2021
    apply.new.total:>100          numeric table fields: >, >=, <, <=, =, a-b ranges

Full-width forms are folded first (NFKC), so （ ） ： and full-width quotes work like their ASCII forms; 「」 and “”
quote too.  Anything malformed raises QueryError with a one-line message in Chinese.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from indexer.engine.errors import QueryError, UnknownName
from indexer.limits import limits
from indexer.model import CANONICAL_SECTIONS
from indexer.normalize import normalize

# keyword: the 主题词 of a report (its first keywords, engine/keywords.py); issuer: 发布机关, keyed by issuer_id
FACET_FIELDS = ("province", "city", "county", "issuer", "year", "level", "body_type", "section", "template",
                "warning", "keyword")
# the same fields in the order people are offered them: CLI filter options, the web page's facets
FILTER_KEYS = ("province", "city", "county", "issuer", "year", "section", "level", "body_type", "template",
               "warning", "keyword")
_TEXT_FILTERS = ("province", "city", "county", "issuer", "level", "body_type", "template", "warning", "keyword")
_SECTION_BY_LABEL = {label: key for key, label in CANONICAL_SECTIONS.items()}
_NUMERIC_KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
_NUMBER = r"-?\d+(?:\.\d+)?"
_COMPARISON = re.compile(rf"(>=|<=|>|<|=)?\s*({_NUMBER})")
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|~|\.\.)\s*({_NUMBER})")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
# name:value whose name reads like a key someone meant (ASCII, starts with a letter): an unknown one is an error,
# never a silent search for the text "provnce:甘肃".  Link schemes stay text (a pasted URL).
_KEY_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
_TEXT_SCHEMES = {"http", "https", "ftp", "mailto", "file", "www"}


# ---------------------------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class Text:
    text: str  # normalised; never empty


@dataclass(frozen=True)
class Filter:
    field: str  # province | city | county | issuer | level | body_type | template | section | warning | keyword
    value: str  # as typed (section: canonical key)


@dataclass(frozen=True)
class Range:
    field: str  # "year" or a Report.fields key
    low: float = -math.inf
    high: float = math.inf
    low_inclusive: bool = True
    high_inclusive: bool = True

    def contains(self, x: float) -> bool:
        return ((x > self.low or (self.low_inclusive and x == self.low))
                and (x < self.high or (self.high_inclusive and x == self.high)))

    def contains_all(self, values):
        """contains() over a numpy array of values, elementwise."""
        low = values >= self.low if self.low_inclusive else values > self.low
        high = values <= self.high if self.high_inclusive else values < self.high
        return low & high


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


Node = Text | Filter | Range | And | Or | Not


def texts(node, *, positive: bool = True) -> list[str]:
    """The text terms of a query that a matching report contains (those not under NOT), for hits and ranking."""
    if isinstance(node, Text):
        return [node.text] if positive else []
    if isinstance(node, Not):
        return texts(node.item, positive=not positive)
    if isinstance(node, (And, Or)):
        return [t for item in node.items for t in texts(item, positive=positive)]
    return []


def field_ranges(node, *, positive: bool = True) -> list[Range]:
    """The table-field conditions a matching report meets (not under NOT; year is metadata, not a field): what a
    result shows as its field hits."""
    if isinstance(node, Range):
        return [node] if positive and node.field != "year" else []
    if isinstance(node, Not):
        return field_ranges(node.item, positive=not positive)
    if isinstance(node, (And, Or)):
        return [r for item in node.items for r in field_ranges(item, positive=positive)]
    return []


def filter_values(node, field: str) -> list[str]:
    """The values of every ``field:`` filter in a query tree (under NOT too)."""
    if isinstance(node, Filter):
        return [node.value] if node.field == field else []
    if isinstance(node, Not):
        return filter_values(node.item, field)
    if isinstance(node, (And, Or)):
        return [v for item in node.items for v in filter_values(item, field)]
    return []


# ---------------------------------------------------------------------------------------------------------------
# Lexing

_OPS = {"(", ")", "|"}


def _lex(query: str) -> list[tuple[str, str]]:
    """Tokens: ('word', s), ('quoted', s), ('field', 'name:value'), ('(', ''), (')', ''), ('or', ''), ('and', ''),
    ('not', '')."""
    q = unicodedata.normalize("NFKC", query)
    out: list[tuple[str, str]] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c in _OPS:
            out.append(("or", "") if c == "|" else (c, ""))
            i += 1
            continue
        if c in _QUOTES:
            close = _QUOTES[c]
            j = q.find(close, i + 1)
            if j < 0:
                raise QueryError(f"引号没有闭合：{q[i:i + 20]}")
            out.append(("quoted", q[i + 1:j]))
            i = j + 1
            continue
        if c == "-" and i + 1 < n and not q[i + 1].isspace():
            out.append(("not", ""))
            i += 1
            continue
        j = i
        while j < n and not q[j].isspace() and q[j] not in _OPS and q[j] not in _QUOTES:
            j += 1
        word = q[i:j]
        # field:"quoted value"
        if word.endswith(":") and j < n and q[j] in _QUOTES:
            close = _QUOTES[q[j]]
            k = q.find(close, j + 1)
            if k < 0:
                raise QueryError(f"引号没有闭合：{q[i:i + 20]}")
            out.append(("field", word + q[j + 1:k]))
            i = k + 1
            continue
        if word in ("OR", "AND", "NOT"):
            out.append((word.lower(), ""))
        elif _field_name(word):
            out.append(("field", word))
        elif _unknown_key(word):
            raise UnknownName(unknown_key_message(word.partition(":")[0]))
        else:
            out.append(("word", word))
        i = j
    return out


def _field_name(word: str) -> str | None:
    name, sep, _ = word.partition(":")
    if not sep:
        return None
    name = name.lower()
    if name in FACET_FIELDS or _NUMERIC_KEY.fullmatch(name):
        return name
    return None


def _unknown_key(word: str) -> bool:
    name, sep, _ = word.partition(":")
    return bool(sep) and _KEY_LIKE.fullmatch(name) is not None and name.lower() not in _TEXT_SCHEMES


@lru_cache(maxsize=1)
def _field_keys() -> frozenset[str]:
    from indexer.parse.tables.catalogue import FIELD_KEYS

    return frozenset(FIELD_KEYS)


def nearest_keys(name: str, n: int = 3) -> list[str]:
    """The valid filter and table-field keys closest to a mistyped one (difflib's ratio, as Python's own
    "Did you mean" does), filters first."""
    name = name.lower()
    close = difflib.get_close_matches(name, FACET_FIELDS, n=n, cutoff=0.6)
    fields = sorted(_field_keys())
    # a field key is compared with the keys of its own table first (apply.new.totl → apply.new.*), then all
    head = name.split(".")[0]
    pool = [k for k in fields if k.split(".")[0] == head] or fields
    close += difflib.get_close_matches(name, pool, n=n, cutoff=0.6)
    return close[:n]


def unknown_key_message(name: str) -> str:
    """One line for an unknown filter or field key: the nearest valid keys, or where the valid ones are listed."""
    close = nearest_keys(name)
    if close:
        return f"没有这个筛选项或字段：{name}（您是不是要找：{'、'.join(close)}？）"
    return (f"没有这个筛选项或字段：{name}（筛选项：{'、'.join(FILTER_KEYS)}；"
            "统计字段如 apply.new.total，见“对比”页的字段列表）")


# ---------------------------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.i = 0
        # The parser (and the evaluator after it) recurse once per bracket or NOT: bounding the nesting here keeps
        # both far from Python's stack limit (245 "(" overflowed it) and every query's work small.
        self.depth = 0
        self.terms = 0
        self.max_depth, self.max_terms = limits().query_depth, limits().query_terms

    def nest(self):
        self.depth += 1
        if self.depth > self.max_depth:
            raise QueryError(f"检索式嵌套过深（括号和 NOT 最多 {self.max_depth} 层）")

    def count_term(self):
        self.terms += 1
        if self.terms > self.max_terms:
            raise QueryError(f"检索词太多（一个检索式最多 {self.max_terms} 个检索词和条件）")

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self):
        node = self.or_expr()
        if self.peek() == ")":
            raise QueryError("多了一个右括号“)”")
        if self.peek() is not None:  # pragma: no cover - or_expr consumes everything else
            raise QueryError("无法理解的查询")
        return node

    def or_expr(self):
        items = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            if self.peek() in (None, ")", "or", "and"):
                raise QueryError("OR 后面缺少检索词")
            items.append(self.and_expr())
        items = [x for x in items if x is not None]
        if not items:
            return None
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self):
        if self.peek() in ("or", "and"):
            raise QueryError(f"{self.peek().upper()} 前面缺少检索词")
        items = []
        while self.peek() not in (None, ")", "or"):
            if self.peek() == "and":
                self.take()
                if self.peek() in (None, ")", "or", "and"):
                    raise QueryError("AND 后面缺少检索词")
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self):
        if self.peek() == "not":
            self.take()
            if self.peek() in (None, ")", "or", "and"):
                raise QueryError("“-”或 NOT 后面缺少要排除的检索词")
            self.nest()
            node = self.unary()
            self.depth -= 1
            return None if node is None else Not(node)
        return self.atom()

    def atom(self):
        kind, value = self.take()
        if kind == "(":
            self.nest()
            node = self.or_expr()
            if self.peek() != ")":
                raise QueryError("括号没有闭合：缺少“)”")
            self.take()
            self.depth -= 1
            return node
        if kind == ")":
            raise QueryError("多了一个右括号“)”")
        self.count_term()
        if kind == "field":
            return _field_node(value)
        text = normalize(value)
        return Text(text) if text else None


def _field_node(word: str):
    name, _, value = word.partition(":")
    name, value = name.lower(), value.strip()
    if not value:
        raise QueryError(f"{name}: 后面缺少取值")
    if name == "year":
        r = _range("year", value)
        if r is None:
            raise QueryError(f"年份写法不对：{value}（例如 year:2019 或 year:2018-2020）")
        return r
    if name == "section":
        key = value.lower() if value.lower() in CANONICAL_SECTIONS else _SECTION_BY_LABEL.get(value)
        if key is None:
            names = "、".join(f"{label}({k})" for k, label in CANONICAL_SECTIONS.items())
            raise QueryError(f"没有这种章节：{value}（可用：{names}）")
        return Filter("section", key)
    if name in _TEXT_FILTERS:
        return Filter(name, value)
    if name not in _field_keys():
        raise UnknownName(unknown_key_message(name))
    r = _range(name, value)
    if r is None:
        raise QueryError(f"数值条件写法不对：{name}:{value}（例如 {name}:>100、{name}:10-20）")
    return r


def _range(field: str, value: str) -> Range | None:
    m = _RANGE.fullmatch(value)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo > hi:
            raise QueryError(f"范围的下限大于上限：{field}:{value}")
        return Range(field, lo, hi)
    m = _COMPARISON.fullmatch(value)
    if not m:
        return None
    op, x = m.group(1) or "=", float(m.group(2))
    if op == "=":
        return Range(field, x, x)
    if op == ">":
        return Range(field, low=x, low_inclusive=False)
    if op == ">=":
        return Range(field, low=x)
    if op == "<":
        return Range(field, high=x, high_inclusive=False)
    return Range(field, high=x)


def parse_query(query: str):
    """Parse a query string into a tree (None for an empty query).  Raises QueryError."""
    if query is None or not query.strip():
        return None
    if len(query) > 2000:
        raise QueryError("查询太长（最多 2000 个字符）")
    return _Parser(_lex(query)).parse()


def parse_filters(filters: dict[str, list[str]] | None) -> dict[str, list]:
    """Validate the filters of the API (facet name → values, OR within a name) into Filter/Range nodes."""
    out: dict[str, list] = {}
    count = 0
    for name, values in (filters or {}).items():
        if isinstance(values, str):
            values = [values]
        count += len(values)
        if count > limits().query_terms:
            raise QueryError(f"筛选条件太多（最多 {limits().query_terms} 个）")
        if name not in FACET_FIELDS:
            raise UnknownName(unknown_key_message(name))
        nodes = [_field_node(f"{name}:{v}") for v in values if v is not None and str(v).strip()]
        if nodes:
            out[name] = nodes
    return out
