"""The `nianbao` command line."""

from __future__ import annotations

import html
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from indexer.library import Library, default_index_dir
from indexer.model import CANONICAL_SECTIONS
from indexer.engine.query import FILTER_KEYS



def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _open(ctx: click.Context, *, readonly: bool) -> Library:
    index_dir: Path = ctx.obj["index"]
    try:
        return Library(index_dir, readonly=readonly)
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None


@contextmanager
def _search_errors() -> Iterator[None]:
    """A malformed query or an index that needs rebuilding: a message, not a traceback."""
    from indexer.engine.errors import IndexOutdated, QueryError

    try:
        yield
    except QueryError as e:
        raise click.ClickException(f"查询有误: {e}") from None
    except IndexOutdated as e:
        raise click.ClickException(str(e)) from None


def _filters(options: dict) -> dict[str, list[str]]:
    return {k: list(options[k]) for k in FILTER_KEYS if options.get(k)}


def filter_options(f):
    """--province/--city/… options shared by search and export (each may be given several times: OR)."""
    for key in reversed(FILTER_KEYS):
        flag = "--" + key.replace("_", "-")
        f = click.option(flag, key, multiple=True, help=f"Filter on {key} (repeat for OR).")(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index directory (default: $NIANBAO_INDEX or ./index).")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None, verbose: bool) -> None:
    """nianbao 年报检索 — search Chinese government information-disclosure annual reports."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["index"] = index_dir or default_index_dir()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--region", help="Region hint for these files, e.g. 福建省福州市平潭县.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def add(ctx: click.Context, paths: tuple[Path, ...], region: str | None, quiet: bool) -> None:
    """Add report files or directories (txt, md, html, pdf, docx); adding a report again updates it."""
    from tqdm import tqdm

    hints = {"region": region} if region else None
    with _open(ctx, readonly=False) as lib:
        bar = tqdm(desc="parsing", unit="file", disable=quiet, file=sys.stderr)

        def progress(n: int, total: int) -> None:
            bar.total = total
            bar.update(n)

        def on_error(path: str, reason: str) -> None:
            bar.write(f"error: {path}: {reason}", file=sys.stderr)

        result = lib.add_paths(paths, hints=hints, progress=progress, on_error=on_error)
        bar.close()
        skipped = f"; {len(result.skipped)} skipped (not annual reports)" if result.skipped else ""
        click.echo(f"added {len(set(result.added))} report(s) from {len(result.added)} file(s); "
                   f"{len(result.failed)} failed{skipped}; {lib.count()} in {lib.index_dir}", err=True)
    if result.failed:
        sys.exit(1)


@main.command()
@click.argument("report_id")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def show(ctx: click.Context, report_id: str, as_json: bool) -> None:
    """Show one report: metadata, sections, table fields and warnings."""
    with _open(ctx, readonly=True) as lib:
        report = lib.get(report_id)
        if report is None:
            raise click.ClickException(f"no report with id {report_id}")
        if as_json:
            _echo_json(lib.report_json(report_id))
            return
        keywords = (lib.keywords(report_id) or {}).get("keywords") or []
    d = report.to_json()
    click.echo(click.style(report.title or "(无标题)", bold=True))
    for key in ("id", "issuer", "province", "city", "county", "township", "region_code", "level", "body_type",
                "year", "published", "template", "source"):
        if d[key] is not None:
            click.echo(f"  {key:12} {d[key]}")
    if keywords:
        click.echo("  keywords     " + " ".join(k["word"] for k in keywords))
    click.echo("\nsections:")
    for s in report.sections:
        indent = "  " * s.level
        click.echo(f"{indent}#{s.anchor:8} {s.number}{s.heading or '（前言）'}  [{s.canonical}] "
                   f"{len(s.text)} chars")
    if report.fields:
        click.echo(f"\nfields ({len(report.fields)}):")
        for key in sorted(report.fields):
            click.echo(f"  {key:45} {report.fields[key]}")
    if report.warnings:
        click.echo(f"\nwarnings ({len(report.warnings)}):")
        for w in report.warnings:
            click.echo(f"  [{w.code}] {w.message}")


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per report, without text).")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the reports in the index."""
    with _open(ctx, readonly=True) as lib:
        reports = sorted(lib.reports(), key=lambda r: (r.province or "", r.city or "", r.county or "",
                                                       r.year or 0, r.title or ""))
    if as_json:
        rows = []
        for r in reports:
            d = r.to_json()
            d["sections"] = [{k: s[k] for k in ("anchor", "number", "heading", "level", "canonical")}
                             for s in d["sections"]]
            rows.append(d)
        _echo_json(rows)
        return
    for r in reports:
        region = " ".join(x for x in (r.province, r.city, r.county, r.township) if x)
        click.echo(f"{r.id}  {r.year or '----'}  {region:24}  {r.title or r.source}")
    click.echo(f"{len(reports)} report(s)", err=True)


_MARK = re.compile(r"</?mark>")

mode_option = click.option(
    "--mode", type=click.Choice(["exact", "words"]), default="exact", show_default=True,
    help="exact: each term is an exact substring (精确); words: a section holds every jieba word of each term, "
         "in any order (分词).")


def _snippet_for_terminal(snippet: str) -> str:
    return html.unescape(_MARK.sub(lambda m: "】" if m.group(0) == "</mark>" else "【", snippet))


@main.command()
@click.argument("query", nargs=-1)
@filter_options
@click.option("--sort", default="relevance", show_default=True,
              help="relevance, year (newest first), year_asc, or a table field such as apply.new.total "
                   "(largest first) / apply.new.total:asc.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of /api/search.")
@mode_option
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], sort: str, limit: int, offset: int, as_json: bool,
           mode: str, **options) -> None:
    """Search: terms are exact substrings (or with --mode words, words of one section), all required;
    "phrases", OR, -term, field:value filters."""
    if sort == "year":
        sort = "year_desc"
    q = " ".join(query)
    with _open(ctx, readonly=True) as lib, _search_errors():
        res = lib.search(q, filters=_filters(options), sort=sort, limit=limit, offset=offset, mode=mode)
    if as_json:
        _echo_json(res)
        return
    if mode == "words":
        click.echo("分词匹配：" + " / ".join(res.get("words") or []))
    click.echo(f"共 {res['total']} 份报告、{res.get('total_sections', 0)} 个章节匹配（{res['took_ms']} ms）")
    for n, r in enumerate(res["results"], start=offset + 1):
        region = " ".join(x for x in (r.get("province"), r.get("city"), r.get("county")) if x)
        click.echo(click.style(f"{n}. {r['title'] or r['source']}", bold=True) + f"  [{region} {r['year'] or ''}]  {r['id']}")
        for h in r["hits"][:5]:
            label = h.get("heading") or CANONICAL_SECTIONS.get(h.get("canonical", ""), "")
            click.echo(f"   #{h['anchor']} {label}: {_snippet_for_terminal(h['snippet'])}")


@main.command()
@click.argument("report_id")
@click.pass_context
def delete(ctx: click.Context, report_id: str) -> None:
    """Delete a report from the store and the index."""
    with _open(ctx, readonly=False) as lib:
        if not lib.delete(report_id):
            raise click.ClickException(f"no report with id {report_id}")
    click.echo(f"deleted {report_id}", err=True)


@main.command()
@click.argument("query", nargs=-1)
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--labels", type=click.Choice(["zh", "key"]), default=None,
              help="Column names: Chinese labels (CSV default) or FIELDS.md keys (JSON default).")
@click.option("--fields", "field_list", default="", help="Only these field keys, comma-separated (default: all).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@mode_option
@click.pass_context
def export(ctx: click.Context, query: tuple[str, ...], fmt: str, labels: str | None, field_list: str,
           output: Path | None, mode: str, **options) -> None:
    """Export one row per matching report — metadata and every table field — as CSV (UTF-8 with BOM, opens in
    Excel) or JSON.  QUERY and filters select reports as in `search`; none exports everything."""
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
    click.echo(f"exported {n} report(s)", err=True)


# Commands that live with their own package (crawler, web server).
from scrapers.cli import crawl, reindex  # noqa: E402
from webui.cli import serve  # noqa: E402

for _cmd in (crawl, reindex, serve):
    main.add_command(_cmd)
