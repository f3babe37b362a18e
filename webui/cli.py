"""`nianbao serve`: the web UI and JSON API under waitress (read-only)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), envvar="NIANBAO_INDEX",
              default="index", show_default=True, help="Index directory (built by `nianbao add`).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def serve(host: str, port: int, index_dir: Path, threads: int) -> None:
    """Serve the search, report and compare pages and the JSON API (read-only)."""
    import waitress

    from webui.app import create_app

    if not index_dir.is_dir():
        raise click.ClickException(f"no index at {index_dir}: build one first with `nianbao add FILES --index {index_dir}`")
    app = create_app(index_dir)
    with app.app_context():  # open the index now, so a broken one fails here and not on the first visitor
        from webui.app import get_library

        lib = get_library()
        n = lib.count()
    click.echo(f"nianbao: {n} reports from {index_dir} — http://{host}:{port}/  (Ctrl-C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="nianbao")


if __name__ == "__main__":
    serve()
