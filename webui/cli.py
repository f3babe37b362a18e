"""`nianbao serve`: the web UI and JSON API under waitress (read-only)."""

from __future__ import annotations

import os
from pathlib import Path

import click


def _index_dir(ctx: click.Context, given: Path | None) -> Path:
    """--index on this command, else the group's --index (`nianbao --index DIR serve`), else $NIANBAO_INDEX/./index."""
    if given is not None:
        return given
    if ctx.obj and ctx.obj.get("index"):
        return Path(ctx.obj["index"])
    return Path(os.environ.get("NIANBAO_INDEX") or "index")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index directory (default: $NIANBAO_INDEX or ./index).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, index_dir: Path | None, threads: int) -> None:
    """Serve the search, report and compare pages and the JSON API (read-only)."""
    import waitress

    from webui.app import create_app
    from webui.library import get_library

    index_dir = _index_dir(ctx, index_dir)
    if not index_dir.is_dir():
        raise click.ClickException(f"no index at {index_dir}: build one first with `nianbao add FILES --index {index_dir}`")
    _index_pending(index_dir)
    app = create_app(index_dir)
    with app.app_context():  # open the index now, so a broken one fails here and not on the first visitor
        n = get_library().count()
    click.echo(f"nianbao: {n} reports from {index_dir} — http://{host}:{port}/  (Ctrl-C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="nianbao")


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
