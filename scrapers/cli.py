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
from indexer.terminal import CliError

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
                             help="索引目录（默认 nianbao 的 --index、$NIANBAO_INDEX 或 ./index）。")
_archive_option = click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
                               default=None, help="归档目录（默认配置中的 archive_dir 或 <索引>/crawl）。")


@click.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "sites", multiple=True, help="只采集这个站点（可重复）。")
@_index_option
@_archive_option
@click.option("--quiet", "-q", is_flag=True, help="不显示进度行。")
@cluster_option
@click.pass_context
def crawl(ctx: click.Context, config_path: Path, sites: tuple[str, ...], index_dir: Path | None,
          archive_dir: Path | None, quiet: bool, cluster: str | None) -> None:
    """从 CONFIG（TOML，见 scrapers/example.toml）中的政府网站采集年度报告。

    遵守 robots.txt 与每个站点的访问间隔；可续跑（中断后再运行即接着采集）；增量（再次运行只发条件请求，只加入新的或
    有变化的报告）；每个应答都存入 WARC 归档。
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
        raise CliError(f"采集配置有误：{e}") from None

    def progress(stats) -> None:
        if not quiet:
            click.echo(stats.line(), err=True)

    library = None
    if cluster:
        from indexer.cluster.cli import open_cluster_library

        library = open_cluster_library(_index_dir(ctx, index_dir), cluster, readonly=False)
    try:
        with Crawler(config, _index_dir(ctx, index_dir), archive_dir=archive_dir, progress=progress,
                     library=library) as crawler:
            results = crawler.run(list(sites) or None)
    finally:
        if library is not None:  # given to the crawler, so not closed by it
            library.close()
    click.echo("采集结果：")
    for stats in results:
        state = "续跑" if stats.resumed else "运行"
        more = "；达到 max_pages 而停止，再运行一次即继续" if stats.stopped_early else ""
        click.echo(f"  {stats.site}（第 {stats.run} 次{state}）：新增 {stats.reports_new} 份，更新 {stats.reports_updated} 份，"
                   f"重复 {stats.duplicates} 份，未变 {stats.unchanged} 份，取回 {stats.pages} 个页面，"
                   f"错误 {stats.errors} 个{more}")
        for url, reason in stats.failures:
            click.echo(f"    失败：{url}：{reason}")
        if stats.not_reports:
            from indexer.library import describe_skipped

            click.echo(f"    {describe_skipped(stats.not_reports)}")
            for url, kind, reason in stats.skipped:
                click.echo(f"    跳过：{url}：{kind}：{reason}")
    click.echo(f"归档：{crawler.archive_dir}")


@click.command()
@_index_option
@_archive_option
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="读取这个采集配置的 archive_dir。")
@click.option("--from-store", is_flag=True, help="改为重新解析索引自己的报告库中保存的原始文件。")
@click.option("--index-only", is_flag=True,
              help="只让检索索引与已保存的报告一致（升级 nianbao 之后用）。")
@click.pass_context
def reindex(ctx: click.Context, index_dir: Path | None, archive_dir: Path | None, config_path: Path | None,
            from_store: bool, index_only: bool) -> None:
    """不联网，从采集归档（WARC 文件）重新解析并建立索引。

    也可写入一个空的索引目录：``nianbao reindex --archive 旧目录/crawl --index 新目录``。
    """
    from indexer.library import Library
    from scrapers.crawl import archive_dir_for, reindex as rebuild

    index = _index_dir(ctx, index_dir)
    if index_only:
        with Library(index) as lib:
            added, deleted = lib.sync_index()
            click.echo(f"编入索引 {added} 份，移除 {deleted} 份；{index} 中共 {lib.count()} 份报告")
        return
    if from_store:
        with Library(index) as lib:
            skipped: list[tuple[str, str, str]] = []
            count = lib.reparse_all(skipped=skipped)
            _echo_skipped(skipped)
            click.echo(f"重新解析 {count} 个已保存的文件；{index} 中共 {lib.count()} 份报告")
        return
    try:
        config = load_config(config_path) if config_path else None
    except ConfigError as e:
        raise CliError(f"采集配置有误：{e}") from None
    archive = archive_dir or archive_dir_for(config, index)
    if not archive.is_dir():
        raise CliError(f"{archive} 下没有采集归档")
    with Library(index) as lib:
        skipped = []
        added, failed = rebuild(archive, lib, skipped=skipped)
        _echo_skipped(skipped)
        for url, reason in failed:
            click.echo(f"失败：{url}：{reason}", err=True)
        click.echo(f"从 {archive} 重新建立 {added} 个文件，失败 {len(failed)} 个；{index} 中共 {lib.count()} 份报告")


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
