"""Document → Report: the pure pipeline that turns what a reader got out of a file into a structured report.

No I/O here; ``indexer.library`` reads files and stores results.  Each step is its own module:
metadata (title, issuer, year, published, template) → sections → region → issuer's formal name and key →
statistics tables → what the input is (an annual report, or a 解读 / 图解 / notice / list / other page).
"""

from __future__ import annotations

import dataclasses
import hashlib

from indexer.parse.classify import classify
from indexer.parse.issuer import formal_issuer, issuer_id, place_in_full
from indexer.parse.cleaning import strip_page_furniture
from indexer.parse.metadata import extract_metadata
from indexer.model import Document, Report, Warning
from indexer.normalize import normalize
from indexer.parse.regions import body_type_after, region_at, resolve_region
from indexer.parse.sections import split_sections
from indexer.parse.tables import extract_fields

# How much of the body region resolution may look at for context (the parent city named near the top).
_REGION_CONTEXT_CHARS = 3000


def report_id(title: str | None, issuer: str | None, year: int | None, body: str) -> str:
    """Stable id: the same report from another file or URL gets the same id, so re-adding it updates it.

    A report is identified by what it says it is (title, issuer, year); when it does not say, by its text.
    """
    if title and year:
        key = f"t|{normalize(title)}|{normalize(issuer or '')}|{year}"
    else:
        key = "b|" + normalize(body)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def parse_document(doc: Document, hints: dict[str, str] | None = None) -> Report:
    """Turn one read document into a Report.  ``hints`` may carry 'region' (a crawl config's region hint)."""
    hints = hints or {}
    # page numbers and running headers/footers go first: inside a table they would break its rows
    doc = dataclasses.replace(doc, text=strip_page_furniture(doc.text))
    meta, body = extract_metadata(doc)
    sections = split_sections(body)
    # a title that names part of the place (团堡镇…) takes its parents from the signature, 发布机构 line or compiler
    place = place_in_full(meta.issuer, [meta.signature, meta.publisher, meta.compiler])
    region = resolve_region(place, title=meta.title, text=body[:_REGION_CONTEXT_CHARS], year=meta.year,
                            hint=hints.get("region"))
    issuer = formal_issuer(meta.issuer, region, meta.signature)
    fields, table_warnings = extract_fields(doc, sections, meta.template, meta.year)

    warnings = [Warning(code="read", message=w) for w in doc.warnings]
    if doc.meta.get("ocr"):
        pages, images = doc.meta.get("ocr_pages"), doc.meta.get("ocr_images")
        what = f"第{pages}页" if pages else f"页面中 {images} 张图片的文字" if images else "全文"
        warnings.append(Warning(code="read.ocr", message=f"{what}由 OCR 从图像识别，文字可能有误；"
                                                           "统计数字只采用能通过表内合计校验的"))
    if not meta.title:
        warnings.append(Warning(code="meta.no_title", message="未识别出报告标题"))
    if meta.year is None:
        warnings.append(Warning(code="meta.no_year", message="未识别出报告年度"))
    if region.province is None and region.level != "中央":
        warnings.append(Warning(code="region.unresolved", message=f"未能确定发布机关所属地区：{issuer or '（无）'}"))
    elif not region.confident:
        warnings.append(Warning(code="region.uncertain",
                                message=f"地区只能确定到上级：{issuer or ''}"))
    warnings.extend(table_warnings)

    kind = classify(doc, meta, sections)
    if not kind.is_report:  # stored only when forced; then the report says what it is
        warnings.append(Warning(code="kind.not_report", message=f"不是年度报告（{kind.kind}）：{kind.reason}"))
    return Report(
        kind=kind.kind,
        kind_reason=kind.reason,
        illustrates=kind.illustrates,
        kind_title=kind.title,
        id=report_id(meta.title, meta.issuer, meta.year, body),
        title=meta.title,
        issuer=issuer,
        issuer_id=issuer_id(issuer, region),
        province=region.province,
        city=region.city,
        county=region.county,
        township=region.township,
        region_code=region.region_code,
        level=region.level,
        body_type=region.body_type,
        year=meta.year,
        published=meta.published,
        template=meta.template,
        # the crawled address, else the one the page's header gives, else the file name
        source=doc.meta.get("url") or meta.url or doc.source,
        sections=sections,
        fields=fields,
        warnings=warnings,
        region_candidates=region.candidates,
    )


_OPEN_REGION = ("region.unresolved", "region.uncertain")


def settle_region(report: Report, code: str, basis: str) -> None:
    """Give a report whose own text left its place open (``region_candidates``) the division ``code`` that the other
    reports of its site point to (``regions.settle_by_site``), as if its text had named the parents: names and code,
    level, body type, formal issuer and issuer_id follow; the region warnings give way to a ``region.site`` note
    naming ``basis`` (what the site's reports say).  In place; pure."""
    region = region_at(code, report.year)
    if region.region_code is None:
        return
    if report.township and region.township is None:
        region.township = report.township  # a township as written under a place the table knows (鼓楼区某街道)
    region.level = report.level or region.level
    region.body_type = body_type_after(report.issuer or "", code, report.year) or report.body_type
    issuer = report.issuer
    if issuer and region.body_type == "政府" and report.body_type != "政府":
        issuer = formal_issuer(issuer, region, None)
    place = "".join(n for n in (region.province, region.city, region.county, region.township) if n)
    report.province, report.city, report.county, report.township = (region.province, region.city, region.county,
                                                                    region.township)
    report.region_code, report.level, report.body_type = region.region_code, region.level, region.body_type
    report.issuer = issuer
    report.issuer_id = issuer_id(issuer, region)
    at = next((i for i, w in enumerate(report.warnings) if w.code in _OPEN_REGION), len(report.warnings))
    note = Warning(code="region.site", message=f"本报告未写明所属上级地区，按同一来源其他报告的地区（{basis}）定为{place}")
    report.warnings = [w for w in report.warnings[:at] if w.code not in _OPEN_REGION] + [note] + \
        [w for w in report.warnings[at:] if w.code not in _OPEN_REGION]
