"""`nianbao serve`: the web UI and JSON API under waitress (read-only)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import click

from indexer.cluster.cli import cluster_option


def _index_dir(ctx: click.Context, given: Path | None) -> Path:
    """--index on this command, else the group's --index (`nianbao --index DIR serve`), else $NIANBAO_INDEX/./index."""
    if given is not None:
        return given
    if ctx.obj and ctx.obj.get("index"):
        return Path(ctx.obj["index"])
    return Path(os.environ.get("NIANBAO_INDEX") or "index")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（0.0.0.0 为所有网卡）。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="索引目录（默认 $NIANBAO_INDEX 或 ./index）。")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="工作线程数。")
@cluster_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, index_dir: Path | None, threads: int,
          cluster: str | None) -> None:
    """提供检索、报告、对比页面和 JSON API（只读）。"""
    import waitress.server

    from indexer.engine.kernels import load_kernels
    from indexer.engine.segmenter import load_in_background
    from indexer.terminal import CliError
    from webui.app import create_app
    from webui.library import get_library

    index_dir = _index_dir(ctx, index_dir)
    if not index_dir.is_dir():
        raise CliError(f"{index_dir} 下没有索引：先用 `nianbao --index {index_dir} add 文件或目录` 建立")
    config = None
    if cluster:  # the index in shards on the cluster; the report store stays here
        from indexer.cluster.cli import open_cluster_library

        config = {"LIBRARY": open_cluster_library(index_dir, cluster, readonly=True)}
    else:
        _index_pending(index_dir)
    app = create_app(index_dir, config=config)
    with app.app_context():  # open the index now, so a broken one fails here and not on the first visitor
        n = get_library().count()
    load_kernels()  # and have the first search's compiled loops ready
    load_in_background()  # and jieba's dictionary, for the first words-mode search
    try:
        server = waitress.server.create_server(app, host=host, port=port, threads=threads, ident="nianbao")
    except OSError as e:
        raise CliError(listen_error(host, port, e)) from None
    click.echo(f"nianbao：{index_dir} 中 {n} 份报告 — http://{host}:{port}/ （Ctrl-C 停止）")
    server.run()


def listen_error(host: str, port: int, e: OSError) -> str:
    """Why the server could not listen, in one line that names the way out."""
    if e.errno == errno.EADDRINUSE:
        return f"端口 {port} 已被占用（{host}）：换一个端口，如 `nianbao serve --port {port + 1}`（./dev demo 用 PORT={port + 1}）"
    if e.errno == errno.EACCES:
        return f"没有权限监听端口 {port}：1024 以下的端口需要特权，换一个，如 `--port 8000`"
    if isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL:
        return f"无法监听地址 {host}：本机没有这个地址（用 --host 127.0.0.1 或 0.0.0.0）"
    return f"无法在 {host}:{port} 上监听：{e.strerror or e}"


def _index_pending(index_dir: Path) -> None:
    """Index what a killed write left stored but unsearchable, when this process may write; else say so."""
    from indexer.failures import explain
    from indexer.library import Library

    try:
        with Library(index_dir) as lib:
            added, deleted = lib.sync_index()
    except Exception as e:  # read-only directory, locked by a writer …: serve what is searchable, and say why
        known = explain(e, index_dir)
        if known is None:
            raise
        with Library(index_dir, readonly=True) as lib:
            n = lib.pending()
        if n:
            click.echo(f"注意：有 {n} 份已保存的报告尚未编入索引，且本进程无法写入（{known[0]}）；"
                       f"运行 `nianbao --index {index_dir} reindex --index-only` 补齐", err=True)
        return
    if added or deleted:
        click.echo(f"nianbao: 补齐索引：编入 {added} 份、移除 {deleted} 份（上次写入被中断）", err=True)


if __name__ == "__main__":
    serve()
