"""``nianbao crawl CONFIG`` and ``nianbao reindex``: click commands the ``nianbao`` group adds.

Both take the index directory from the group (``nianbao --index DIR …``, stored in ``ctx.obj["index"]``); each also
accepts its own ``--index DIR`` (which wins), so they work as stand-alone commands too
(``python -m scrapers.cli crawl …``).  The archive (WARC files, crawl state, failures.log) lives in the config's
``archive_dir``, else in ``<index>/crawl``; ``--archive DIR`` overrides both.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from indexer.cluster.cli import cluster_option

from scrapers.config import ConfigError, load_config


def _index_dir(ctx: click.Context, index_dir: Path | None) -> Path:
    if index_dir is not None:
        return index_dir
    obj = ctx.find_root().obj
    if isinstance(obj, dict) and obj.get("index"):
        return Path(obj["index"])
    from indexer.library import default_index_dir

    return default_index_dir()


_index_option = click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                             help="Index directory (default: the nianbao group's --index, $NIANBAO_INDEX or ./index).")
_archive_option = click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
                               default=None, help="Archive directory (default: config archive_dir or <index>/crawl).")


@click.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "sites", multiple=True, help="Crawl only this site (repeatable).")
@_index_option
@_archive_option
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@cluster_option
@click.pass_context
def crawl(ctx: click.Context, config_path: Path, sites: tuple[str, ...], index_dir: Path | None,
          archive_dir: Path | None, quiet: bool, cluster: str | None) -> None:
    """Collect annual reports from the portals in CONFIG (TOML, see scrapers/example.toml).

    Polite (robots.txt, per-host rate limit), resumable (kill it and run it again), incremental (a second run
    sends conditional requests and adds only new or changed reports); every response is archived as WARC.
    """
    from scrapers.crawl import Crawler

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    crawl_log = logging.getLogger("scrapers.crawl")
    if crawl_log.getEffectiveLevel() >= logging.WARNING:  # failures are listed in the summary and failures.log
        crawl_log.setLevel(logging.ERROR)
    try:
        config = load_config(config_path)
        config.select(list(sites))
    except ConfigError as e:
        raise click.ClickException(str(e)) from None

    def progress(stats) -> None:
        if not quiet:
            click.echo(stats.line(), err=True)

    library = None
    if cluster:
        from indexer.cluster.cli import open_cluster_library

        library = open_cluster_library(_index_dir(ctx, index_dir), cluster, readonly=False)
    crawler = Crawler(config, _index_dir(ctx, index_dir), archive_dir=archive_dir, progress=progress,
                      library=library)
    try:
        results = crawler.run(list(sites) or None)
    finally:
        crawler.close()
        if library is not None:  # given to the crawler, so not closed by it
            library.close()
    click.echo("summary:")
    for stats in results:
        state = "resumed" if stats.resumed else "run"
        more = "; stopped at max_pages, run again to go on" if stats.stopped_early else ""
        click.echo(f"  {stats.site} ({state} {stats.run}): {stats.reports_new} new, {stats.reports_updated} updated, "
                   f"{stats.duplicates} duplicate, {stats.unchanged} unchanged, {stats.pages} pages fetched, "
                   f"{stats.errors} errors{more}")
        for url, reason in stats.failures:
            click.echo(f"    failed: {url}: {reason}")
        if stats.not_reports:
            from indexer.library import describe_skipped

            click.echo(f"    {describe_skipped(stats.not_reports)}")
            for url, kind, reason in stats.skipped:
                click.echo(f"    跳过：{url}：{kind}：{reason}")
    click.echo(f"archive: {crawler.archive_dir}")


@click.command()
@_index_option
@_archive_option
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Crawl config whose archive_dir to read.")
@click.option("--from-store", is_flag=True, help="Re-parse the documents the index's own store holds instead.")
@click.option("--index-only", is_flag=True,
              help="Only bring the search index up to date with the stored reports (after an upgrade of nianbao).")
@click.pass_context
def reindex(ctx: click.Context, index_dir: Path | None, archive_dir: Path | None, config_path: Path | None,
            from_store: bool, index_only: bool) -> None:
    """Rebuild parse + index from the crawl archive (WARC files) without any network.

    Works into an empty index directory too: ``nianbao reindex --archive OLD/crawl --index NEW``.
    """
    from indexer.library import Library
    from scrapers.crawl import archive_dir_for, reindex as rebuild

    index = _index_dir(ctx, index_dir)
    if index_only:
        with Library(index) as lib:
            added, deleted = lib.sync_index()
            click.echo(f"indexed {added} report(s), removed {deleted}; {lib.count()} report(s) in {index}")
        return
    if from_store:
        with Library(index) as lib:
            skipped: list[tuple[str, str, str]] = []
            count = lib.reparse_all(skipped=skipped)
            _echo_skipped(skipped)
            click.echo(f"re-parsed {count} stored document(s); {lib.count()} report(s) in {index}")
        return
    try:
        config = load_config(config_path) if config_path else None
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    archive = archive_dir or archive_dir_for(config, index)
    if not archive.is_dir():
        raise click.ClickException(f"no crawl archive at {archive}")
    with Library(index) as lib:
        skipped = []
        added, failed = rebuild(archive, lib, skipped=skipped)
        _echo_skipped(skipped)
        for url, reason in failed:
            click.echo(f"failed: {url}: {reason}", err=True)
        click.echo(f"reindexed {added} document(s) from {archive}; {len(failed)} failed; {lib.count()} report(s) in "
                   f"{index}")


def _echo_skipped(skipped: list[tuple[str, str, str]]) -> None:
    from indexer.library import count_kinds, describe_skipped

    for source, kind, reason in skipped:
        click.echo(f"跳过：{source}：不是年度报告（{kind}）：{reason}", err=True)
    if skipped:
        click.echo(describe_skipped(count_kinds(kind for _, kind, _ in skipped)), err=True)


@click.group()
def _standalone() -> None:
    """Crawler commands (normally reached as `nianbao crawl` / `nianbao reindex`)."""


_standalone.add_command(crawl)
_standalone.add_command(reindex)

if __name__ == "__main__":
    _standalone(sys.argv[1:])
