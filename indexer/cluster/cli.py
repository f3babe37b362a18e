"""``--cluster ADDRESS`` for the commands that use it (add, crawl, serve): the option, and opening the library on
the cluster with a one-line message instead of a traceback when that fails."""

from __future__ import annotations

from pathlib import Path

import click

cluster_option = click.option(
    "--cluster", "cluster", metavar="ADDRESS", default=None,
    help="Ray 集群（头节点的 host:port，或 auto）：索引分片存放在集群上，解析作为 Ray 任务运行。")


def open_cluster_library(index_dir: Path, address: str, *, readonly: bool):
    """The library with its index in shards on the Ray cluster at ``address`` (connect.open_library)."""
    from indexer.cluster.connect import ClusterUnreachable, open_library

    try:
        return open_library(index_dir, address, readonly=readonly)
    except ClusterUnreachable as e:
        raise click.ClickException(str(e)) from None
