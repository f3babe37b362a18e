"""`nianbao serve`: the web UI and JSON API under waitress (read-only)."""

from __future__ import annotations

import os
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
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index directory (default: $NIANBAO_INDEX or ./index).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@cluster_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, index_dir: Path | None, threads: int,
          cluster: str | None) -> None:
    """Serve the search, report and compare pages and the JSON API (read-only)."""
    import waitress

    from webui.app import create_app
    from webui.library import get_library

    index_dir = _index_dir(ctx, index_dir)
    if not index_dir.is_dir():
        raise click.ClickException(f"no index at {index_dir}: build one first with `nianbao add FILES --index {index_dir}`")
    config = None
    if cluster:  # the index in shards on the cluster; the report store stays here
        from indexer.cluster.cli import open_cluster_library

        config = {"LIBRARY": open_cluster_library(index_dir, cluster, readonly=True)}
    app = create_app(index_dir, config=config)
    with app.app_context():  # open the index now, so a broken one fails here and not on the first visitor
        n = get_library().count()
    click.echo(f"nianbao: {n} reports from {index_dir} — http://{host}:{port}/  (Ctrl-C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="nianbao")


if __name__ == "__main__":
    serve()
