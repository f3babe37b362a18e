"""Every query is bounded: nesting and term count have limits with a clear message, and no generated string makes
the parser do anything but return a tree or raise QueryError (fixed seed, so a failure reproduces)."""

from __future__ import annotations

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from indexer.engine.errors import QueryError
from indexer.engine.query import parse_query, texts
from indexer.limits import limits

# the characters and words of the query language, and a few that are not, so generated queries reach every branch
_PIECES = st.sampled_from(["(", ")", "-", " ", "|", '"', "“", "”", "「", "」", "OR", "AND", "NOT", "（", "）",
                           "政务", "公开", "year:", "2019", "province:", "甘肃", "section:", "requests",
                           "apply.new.total:", ">", "10-20", ":", "a", "\u3000", "\x00", "\ufeff"])
_QUERIES = st.lists(_PIECES, max_size=400).map("".join)


@pytest.mark.parametrize("query", ["(" * 245 + "政务" + ")" * 245, "-" * 489 + "政务", "NOT " * 200 + "政务",
                                   "(" * 1000, "-(" * 300 + "a"])
def test_deep_nesting_is_refused_with_a_clear_message(query):
    with pytest.raises(QueryError, match="检索式嵌套过深"):
        parse_query(query)


def test_nesting_up_to_the_limit_parses():
    depth = limits().query_depth
    assert texts(parse_query("(" * depth + "政务" + ")" * depth)) == ["政务"]
    assert parse_query("-" * depth + "政务") is not None


def test_too_many_terms_are_refused():
    n = limits().query_terms
    assert len(texts(parse_query(" ".join(f"词{i}" for i in range(n))))) == n
    with pytest.raises(QueryError, match="检索词太多"):
        parse_query(" ".join(f"词{i}" for i in range(n + 1)))


@seed(20261203)
@settings(max_examples=400, deadline=None, derandomize=True)
@given(_QUERIES)
def test_any_query_parses_or_says_why(query):
    try:
        parse_query(query)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)  # one line, in the words of the message table
