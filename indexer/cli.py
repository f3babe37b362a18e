"""The `nianbao` command line."""

from __future__ import annotations

import html
import inspect
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from indexer.click_messages import install as install_click_messages
from indexer.cluster.cli import cluster_option, open_cluster_library
from indexer.engine.errors import ShardsUnavailable
from indexer.failures import explain
from indexer.library import Library, default_index_dir, describe_skipped
from indexer.model import CANONICAL_SECTIONS
from indexer.engine.query import FILTER_KEYS
from indexer.engine.results import MAX_HITS_PER_REPORT
from indexer.read.dispatch import READABLE_SUFFIXES
from indexer.terminal import CliError, table

# click's own messages in Chinese; before any option is declared, since click.Path names itself when created.
install_click_messages()


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _open(ctx: click.Context, *, readonly: bool, cluster: str | None = None) -> Library:
    index_dir: Path = ctx.obj["index"]
    try:
        if cluster:
            return open_cluster_library(index_dir, cluster, readonly=readonly)
        return Library(index_dir, readonly=readonly)
    except FileNotFoundError:
        raise CliError(f"{index_dir} 下没有 nianbao 索引（先用 `nianbao add 文件或目录` 建立）") from None


@contextmanager
def _search_errors() -> Iterator[None]:
    """A malformed query or an index that needs rebuilding: a message, not a traceback."""
    from indexer.engine.errors import IndexOutdated, QueryError, ShardsUnavailable

    try:
        yield
    except QueryError as e:
        raise CliError(f"检索式有误：{e}") from None
    except (IndexOutdated, ShardsUnavailable) as e:
        raise CliError(str(e)) from None


def _filters(options: dict) -> dict[str, list[str]]:
    return {k: list(options[k]) for k in FILTER_KEYS if options.get(k)}


_FILTER_HELP = {"issuer": "按发布机关筛选：issuer_id（如 620600/政府）或全称（如 武威市人民政府），该机关历年的报告"
                          "（可重复，任一符合即可）。"}


def filter_options(f):
    """--province/--city/… options shared by search and export (each may be given several times: OR)."""
    for key in reversed(FILTER_KEYS):
        flag = "--" + key.replace("_", "-")
        f = click.option(flag, key, multiple=True, help=_FILTER_HELP.get(key, f"按 {key} 筛选（可重复，任一符合即可）。"))(f)
    return f


class _Group(click.Group):
    """The command group; a disk, permission or lock failure in any command ends in one line (failures.py)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as e:
            if isinstance(e, (click.exceptions.Exit, click.ClickException, click.Abort)):
                raise
            known = explain(e, (ctx.obj or {}).get("index") or default_index_dir())
            if known is None:
                raise
            logging.getLogger("nianbao").debug("failed", exc_info=True)
            click.echo(f"错误：{known[0]}", err=True)
            ctx.exit(known[1])


def _warn_pending(lib: Library) -> None:
    """After a write was killed, the store can hold reports the index lacks: say how many and how to index them."""
    n = lib.pending()
    if n:
        click.echo(f"注意：有 {n} 份已保存的报告尚未编入索引（上次写入被中断），检索暂时找不到它们；"
                   f"运行 `nianbao --index {lib.index_dir} reindex --index-only` 补齐", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="索引目录（默认 $NIANBAO_INDEX 或 ./index）。")
@click.option("-v", "--verbose", is_flag=True, help="输出更多日志。")
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None, verbose: bool) -> None:
    """nianbao 年报检索：政府信息公开工作年度报告的采集、全文检索与对比。"""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["index"] = index_dir or default_index_dir()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--region", help="这些文件所属地区的提示，如 福建省福州市平潭县。")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条。")
@click.option("--force", is_flag=True,
              help="不是年度报告的文件（政策解读、图解、通知公告、列表页）也加入；否则跳过并说明原因。")
@cluster_option
@click.pass_context
def add(ctx: click.Context, paths: tuple[Path, ...], region: str | None, quiet: bool, force: bool,
        cluster: str | None) -> None:
    """添加年报文件或目录（txt、md、html、pdf、docx、doc/wps、ofd、xlsx/xls；扫描的 PDF 与 jpg/png 图片经离线 OCR 读取）；再次添加同一份报告即更新它。

    不是年度报告的文件（点名的文件也一样）跳过并按原因计数，除非加 --force。"""
    from tqdm import tqdm

    hints = {"region": region} if region else None
    with _open(ctx, readonly=False, cluster=cluster) as lib:
        bar = tqdm(desc="解析", unit=" 个文件", disable=quiet, file=sys.stderr)

        def progress(n: int, total: int) -> None:
            bar.total = total
            bar.update(n)

        def on_error(path: str, reason: str) -> None:
            bar.write(f"失败：{path}：{reason}", file=sys.stderr)

        try:
            result = lib.add_paths(paths, hints=hints, progress=progress, on_error=on_error, force=force)
        except ShardsUnavailable as e:  # what was parsed is stored; the next add or reindex indexes it
            raise CliError(str(e)) from None
        bar.close()
        for path, earlier in result.merged:
            click.echo(f"合并：{path} 与 {earlier} 是同一份报告", err=True)
        for path, kind, reason in result.skipped:
            click.echo(f"跳过：{path}：不是年度报告（{kind}）：{reason}", err=True)
        click.echo(add_summary(result, lib.count(), lib.index_dir), err=True)
        if result.skipped:
            click.echo(describe_skipped(result.skipped_by_kind()) + "（确要加入请用 --force）", err=True)
    if result.failed:
        sys.exit(1)


add.help = inspect.cleandoc(add.help or "") + "\n\n可读格式（按后缀，单独指定的文件也按内容识别）：" + " ".join(READABLE_SUFFIXES) + "。"


def add_summary(result, count: int, index_dir) -> str:
    """One line: what the run read and what it changed (re-adding unchanged files changes nothing)."""
    files = len(result.added) + len(result.failed) + len(result.skipped)
    parts = [f"新增 {len(result.new)} 份", f"更新 {len(result.updated)} 份", f"未变 {len(result.unchanged)} 份"]
    if result.merged:
        parts.append(f"{len(result.merged)} 个文件与其他文件合并为同一份报告")
    if result.skipped:
        parts.append(f"跳过 {len(result.skipped)} 个（不是年报）")
    parts.append(f"失败 {len(result.failed)} 个")
    return f"读取 {files} 个文件：{'，'.join(parts)}；索引 {index_dir} 中共 {count} 份报告"


@main.command()
@click.argument("report_id")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.pass_context
def show(ctx: click.Context, report_id: str, as_json: bool) -> None:
    """显示一份报告：元数据、章节、统计字段、解析提示和引用。"""
    from indexer.citation import citation
    from indexer.parse.tables.catalogue import field_label

    with _open(ctx, readonly=True) as lib:
        report = lib.get(report_id)
        if report is None:
            raise CliError(f"没有这份报告：{report_id}")
        original = lib.original(report_id)
        if as_json:
            _echo_json(lib.report_json(report_id))
            return
        keywords = (lib.keywords(report_id) or {}).get("keywords") or []
        illustrations = lib.illustrations(report_id)
    from indexer.export import METADATA_LABELS

    d = report.to_json()
    click.echo(click.style(report.title or "(无标题)", bold=True))
    meta = [[f"  {METADATA_LABELS[k]}", k, str(d[k])] for k in METADATA_LABELS if k != "title" and d[k] is not None]
    if keywords:
        meta.append(["  主题词", "keywords", " ".join(k["word"] for k in keywords)])
    meta.append(["  引用", "", citation(report, original[3] if original else None)])
    for il in illustrations:  # 图解 / 解读 pages about it: 图解：<标题> <网址>
        meta.append([f"  {'解读' if il['kind'] == '政策解读' else il['kind']}", "illustrations",
                     f"{il['title']} {il['source']}"])
    for line in table(meta):
        click.echo(line)
    click.echo("\n章节 (sections):")
    for line in table([["  " * s.level + f"#{s.anchor}", f"{s.number}{s.heading or '（前言）'}",
                        f"[{s.canonical}]", f"{len(s.text)} 字"] for s in report.sections]):
        click.echo(line)
    if report.fields:
        click.echo(f"\n统计字段 (fields, {len(report.fields)}):")
        for line in table([[f"  {key}", field_label(key), f"{report.fields[key]:,}"] for key in sorted(report.fields)]):
            click.echo(line)
    if report.warnings:
        click.echo(f"\n解析提示 (warnings, {len(report.warnings)}):")
        for w in report.warnings:
            click.echo(f"  [{w.code}] {w.message}")


@main.command()
@click.argument("report_id")
@click.argument("against_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="输出 /api/reports/ID/diff 的 JSON。")
@click.option("--all", "show_all", is_flag=True, help="也列出原样保留的句子（默认折叠）。")
@click.pass_context
def diff(ctx: click.Context, report_id: str, against_id: str | None, as_json: bool, show_all: bool) -> None:
    """与上年对比：REPORT_ID 相对 AGAINST_ID（默认同一机关的上一年度报告）各章节新增、删去、未变的句子，以及每个统计数字的变化。"""
    with _open(ctx, readonly=True) as lib, _search_errors():
        report = lib.get(report_id)
        against = lib.get(against_id) if against_id else None
        if report is None or (against_id and against is None):
            raise click.ClickException(f"没有编号为 {report_id if report is None else against_id} 的报告")
        against = against or lib.previous(report)
        if against is None:
            raise click.ClickException(f"没有找到 {report.issuer or report_id} 更早年度的报告；可指定另一份报告的编号对比")
        result = lib.diff(report, against)
    if as_json:
        _echo_json(result.to_json())
        return
    click.echo(click.style(f"{report.title or report.id}", bold=True) + f"  对比  {against.title or against.id}")
    click.echo(f"句子：新增 {result.count('new')}，删去 {result.count('dropped')}，未变 {result.count('kept')}")
    for sec in result.sections:
        click.echo(click.style(f"\n【{sec.label}】", bold=True)
                   + f" 新增 {sec.count('new')} · 删去 {sec.count('dropped')} · 未变 {sec.count('kept')}")
        kept = 0
        for c in sec.changes + [None]:
            if c is not None and c.op == "kept" and not show_all:
                kept += 1
                continue
            if kept:
                click.echo(click.style(f"    …（{kept} 句未变）", dim=True))
                kept = 0
            if c is None:
                break
            mark, color = {"new": ("+", "green"), "dropped": ("-", "red"), "kept": (" ", None)}[c.op]
            click.echo(click.style(f"  {mark} {c.text}", fg=color))
    moved = [f for f in result.fields if f.delta]
    if moved:
        click.echo(click.style(f"\n统计数字变化（{len(moved)} 项，变化最大的在前）", bold=True))
        for f in moved:
            pct = f"{f.pct:+.1f}%" if f.pct is not None else "新增"
            flag = " ⚠校验未通过" if f.old_check_failed or f.new_check_failed else ""
            click.echo(f"  {f.label}：{_num(f.old)} → {_num(f.new)}（{f.delta:+g}，{pct}）{flag}")


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每份报告一个对象，不含正文）。")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """列出索引中的报告。"""
    with _open(ctx, readonly=True) as lib:
        reports = sorted(lib.reports(), key=lambda r: (r.province or "", r.city or "", r.county or "",
                                                       r.year or 0, r.title or ""))
        _warn_pending(lib)
    if as_json:
        rows = []
        for r in reports:
            d = r.to_json()
            d["sections"] = [{k: s[k] for k in ("anchor", "number", "heading", "level", "canonical")}
                             for s in d["sections"]]
            rows.append(d)
        _echo_json(rows)
        return
    rows = [[r.id, str(r.year or "----"), " ".join(x for x in (r.province, r.city, r.county, r.township) if x),
             r.title or r.source or ""] for r in reports]
    for line in table(rows):
        click.echo(line)
    click.echo(f"共 {len(reports)} 份报告", err=True)


_MARK = re.compile(r"</?mark>")
_TERMINAL_HITS = 5  # section hits a result shows in the terminal

mode_option = click.option(
    "--mode", type=click.Choice(["exact", "words"]), default="exact", show_default=True,
    help="exact：每个词须原样出现（精确）；words：同一章节含其全部 jieba 分词、顺序不限（分词）。")


def _snippet_for_terminal(snippet: str) -> str:
    return html.unescape(_MARK.sub(lambda m: "】" if m.group(0) == "</mark>" else "【", snippet))


@main.command()
@click.argument("query", nargs=-1)
@filter_options
@click.option("--sort", default="relevance", show_default=True,
              help="排序：relevance（相关度）、year（新→旧）、year_asc（旧→新），或统计字段如 apply.new.total"
                   "（大→小）/ apply.new.total:asc（小→大）。")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="每页份数。")
@click.option("--offset", type=click.IntRange(0), default=0, help="跳过前若干份（翻页）。")
@click.option("--json", "as_json", is_flag=True, help="输出 /api/search 的 JSON。")
@mode_option
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], sort: str, limit: int, offset: int, as_json: bool,
           mode: str, **options) -> None:
    """检索：每个词须原样出现（--mode words：同一章节含其全部词语即可）；"短语"、OR、-排除、field:value 筛选
    （如 province:甘肃 apply.new.total:>100）。"""
    if sort == "year":
        sort = "year_desc"
    q = " ".join(query)
    with _open(ctx, readonly=True) as lib, _search_errors():
        # every listed hit's snippet in JSON (what scripts read); the five the terminal shows otherwise
        res = lib.search(q, filters=_filters(options), sort=sort, limit=limit, offset=offset, mode=mode,
                         snippets=MAX_HITS_PER_REPORT if as_json else _TERMINAL_HITS)
        _warn_pending(lib)
    if as_json:
        _echo_json(res)
        return
    if mode == "words":
        click.echo("分词匹配：" + " / ".join(res.get("words") or []))
    click.echo(search_summary(res))
    for n, r in enumerate(res["results"], start=offset + 1):
        region = " ".join(x for x in (r.get("province"), r.get("city"), r.get("county")) if x)
        click.echo(click.style(f"{n}. {r['title'] or r['source']}", bold=True) + f"  [{region} {r['year'] or ''}]  {r['id']}")
        for f in r.get("fields", []):
            click.echo(f"   = {f['label']}（{f['key']}）= {f['value']:,}")
        for h in r["hits"][:_TERMINAL_HITS]:
            label = h.get("heading") or CANONICAL_SECTIONS.get(h.get("canonical", ""), "")
            click.echo(f"   #{h['anchor']} {label}: {_snippet_for_terminal(h['snippet'])}")
    hint = page_hint(res["total"], offset, limit, len(res["results"]))
    if hint:
        click.echo(hint, err=True)


def search_summary(res: dict) -> str:
    """共 N 份报告命中（章节 and table-field matches, whichever there are）."""
    parts = [f"{res[k]} {unit}" for k, unit in (("total_sections", "个章节"), ("total_fields", "项统计数字"))
             if res.get(k)]
    detail = f"（{'、'.join(parts)}符合）" if parts else ""
    return f"共 {res['total']} 份报告命中{detail}，用时 {res['took_ms']} 毫秒"


def page_hint(total: int, offset: int, limit: int, shown: int) -> str | None:
    """How to see the next page, or where the last one starts when --offset ran past the end."""
    if shown and offset + shown < total:
        return f"显示第 {offset + 1}–{offset + shown} 份，共 {total} 份；下一页：加上 --offset {offset + limit}"
    if not shown and total and offset:
        return f"--offset {offset} 超出了结果数（共 {total} 份）；最后一页：--offset {(total - 1) // limit * limit}"
    return None


@main.command()
@click.argument("report_id")
@click.pass_context
def delete(ctx: click.Context, report_id: str) -> None:
    """从库和索引中删除一份报告。"""
    with _open(ctx, readonly=False) as lib:
        if not lib.delete(report_id):
            raise CliError(f"没有这份报告：{report_id}")
    click.echo(f"已删除 {report_id}", err=True)


@main.command()
@click.argument("query", nargs=-1)
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--labels", type=click.Choice(["zh", "key"]), default=None,
              help="列名：zh 中文（CSV 默认）或 key 字段键（见 docs/FIELDS.md；JSON 默认）。")
@click.option("--fields", "field_list", default="", help="只导出这些字段键，逗号分隔（默认全部）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入此文件（默认标准输出）。")
@mode_option
@click.pass_context
def export(ctx: click.Context, query: tuple[str, ...], fmt: str, labels: str | None, field_list: str,
           output: Path | None, mode: str, **options) -> None:
    """导出：每份符合条件的报告一行（元数据和全部统计字段），CSV（UTF-8 带 BOM，Excel/WPS 可直接打开）或 JSON。
    检索式和筛选与 `search` 相同；都不给则导出全部。"""
    from indexer.export import check_fields, export as write_export

    try:
        fields = check_fields([f.strip() for f in field_list.split(",") if f.strip()]) or None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--fields") from None
    q = " ".join(query)
    with _open(ctx, readonly=True) as lib:
        with _search_errors():
            reports = list(lib.matching_reports(q, filters=_filters(options), mode=mode))
        if output is None:
            n = write_export(reports, sys.stdout.buffer, fmt, labels, fields)
            sys.stdout.buffer.flush()
        else:
            tmp = output.with_name(output.name + ".part")
            with open(tmp, "wb") as out:
                n = write_export(reports, out, fmt, labels, fields)
            tmp.replace(output)  # a failed export never leaves half a file under the requested name
    click.echo(f"已导出 {n} 份报告", err=True)


# Commands that live with their own package (crawler, web server).
from scrapers.cli import crawl, reindex  # noqa: E402
from webui.cli import serve  # noqa: E402

for _cmd in (crawl, reindex, serve):
    main.add_command(_cmd)

# The usage line's placeholders in Chinese too.
main.options_metavar = "[选项]"
main.subcommand_metavar = "命令 [参数]..."
for _cmd in main.commands.values():
    _cmd.options_metavar = "[选项]"
