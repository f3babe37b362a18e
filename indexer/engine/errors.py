"""The engine's errors, in a leaf module that callers (CLI, web, library) and every engine module import."""

from __future__ import annotations


class QueryError(ValueError):
    """A query that cannot be understood; str(e) is one line for the user."""


class UnknownName(QueryError):
    """A filter key, field key or filter value that names nothing in the index; the message offers the nearest
    ones, so the user needs no hint about the query's syntax."""


class IndexBusy(RuntimeError):
    """Another live process is writing the index."""


class IndexOutdated(RuntimeError):
    """The published generation was written in another index layout (an older nianbao): reading it with this
    layout's search would give wrong answers, so it is not read until a writable open rebuilds it."""


class ShardsUnavailable(RuntimeError):
    """Part of a sharded index answers from no replica now (indexer.cluster); str(e) names the shards."""
