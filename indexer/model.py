"""The report model: what every stage after reading passes along.

The JSON form (``Report.to_json``) is the public contract of docs/FIELDS.md: the API, the CLI's ``--json``
and the exports use exactly these keys.  Reader output (``Document``) is internal: text plus whatever table
structure the file format kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Metadata keys in FIELDS.md order.
METADATA_KEYS = (
    "id", "title", "issuer", "issuer_id", "province", "city", "county", "township", "region_code",
    "level", "body_type", "year", "published", "template", "source",
)

LEVELS = ("中央", "省级", "地级", "县级", "乡级")
BODY_TYPES = ("政府", "部门")
TEMPLATES = ("2021", "2019", "pre2019")

# canonical section name -> Chinese facet label (FIELDS.md "Sections")
CANONICAL_SECTIONS = {
    "preamble": "前言",
    "overview": "总体情况",
    "proactive": "主动公开",
    "requests": "依申请公开",
    "fees": "收费减免",
    "appeals": "复议诉讼",
    "problems": "问题改进",
    "other": "其他事项",
    "statistics": "统计表",
    "unclassified": "其他章节",
}


# ---------------------------------------------------------------------------------------------------------------
# Reader output


@dataclass
class Cell:
    """One cell of a table as the source laid it out (spans not expanded)."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    """A table whose cell structure the file format kept (HTML ``<table>``, DOCX table, PDF ruling lines).

    ``rows`` is the source's row list; ``grid()`` expands spans so that every row has the same width.
    """

    rows: list[list[Cell]]
    page: int | None = None  # 1-based page for PDFs

    def grid(self) -> list[list[Cell | None]]:
        """Rows with spans expanded: a spanned slot holds the same Cell object as its origin, missing slots None."""
        out: list[list[Cell | None]] = []
        pending: dict[tuple[int, int], Cell] = {}  # (row, col) -> cell carried down by rowspan
        for r, row in enumerate(self.rows):
            line: list[Cell | None] = []
            col = 0
            cells = iter(row)
            while True:
                if (r, col) in pending:
                    line.append(pending.pop((r, col)))
                    col += 1
                    continue
                cell = next(cells, None)
                if cell is None:
                    break
                for dc in range(max(cell.colspan, 1)):
                    line.append(cell)
                    for dr in range(1, max(cell.rowspan, 1)):
                        pending[(r + dr, col + dc)] = cell
                col += max(cell.colspan, 1)
            # rowspans reaching past the last real cell of this row
            while (r, col) in pending:
                line.append(pending.pop((r, col)))
                col += 1
            out.append(line)
        width = max((len(line) for line in out), default=0)
        return [line + [None] * (width - len(line)) for line in out]

    def text_rows(self) -> list[list[str]]:
        """The expanded grid as strings ('' for missing slots)."""
        return [[c.text if c else "" for c in line] for line in self.grid()]


@dataclass
class Document:
    """What a reader got out of one file, before any understanding of reports.

    ``text`` is the whole document in reading order; each table also appears in it, one row per line with cells
    joined by a tab, so that search finds table text too.  ``meta`` holds what the container itself said
    (HTML ``<title>``/``<meta>``, PDF/DOCX document properties, crawler page metadata): keys such as ``title``,
    ``published``, ``issuer``, ``url``.
    """

    text: str
    source: str
    format: str  # txt | html | pdf | docx | doc
    tables: list[Table] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # src of the images inside the content of a web page (statistics tables printed as pictures): a fetcher may
    # get them and add their OCR text (indexer.read.ocr.add_image_text)
    images: list[str] = field(default_factory=list)
    # src → the line of ``text`` the image stands before (its OCR text goes there, into the section it belongs to)
    image_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class PageImage:
    """One image a web page shows inside its content, as its collector got it (the crawler through the same polite
    fetcher as the page, ``add`` from beside the page's file): its bytes, or why there are none."""

    src: str  # as the page writes it (an entry of Document.images)
    data: bytes | None = None
    content_type: str | None = None
    error: str | None = None  # why it could not be had: HTTP 404, not an image, too large …


class ReadError(Exception):
    """A file that cannot be read at all; the message is one line a user can act on."""


class NotAReport(Exception):
    """An input that is not an annual report (政策解读, 图解, 通知公告, 列表页, 其他): skipped, with its reason."""

    def __init__(self, report: "Report"):
        self.report = report
        self.kind = report.kind
        self.reason = report.kind_reason
        super().__init__(f"不是年度报告（{report.kind}）：{report.kind_reason}")


# ---------------------------------------------------------------------------------------------------------------
# The report


@dataclass
class Section:
    anchor: str  # stable within the report, [a-z0-9-]+, usable as a URL fragment
    number: str  # as written: 一、 / （一） / 1.   ('' for the preamble)
    heading: str  # as written, without the number
    level: int  # 1, 2, 3 (the preamble is level 1)
    canonical: str  # a key of CANONICAL_SECTIONS
    text: str  # display text of this section's own body (not its sub-sections')

    def to_json(self) -> dict[str, Any]:
        return {
            "anchor": self.anchor, "number": self.number, "heading": self.heading,
            "level": self.level, "canonical": self.canonical, "text": self.text,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Section":
        return cls(**{k: d[k] for k in ("anchor", "number", "heading", "level", "canonical", "text")})


@dataclass
class Warning:
    """A named problem with a report: a broken check rule, an unreadable table, a note on a figure."""

    code: str  # e.g. check.apply.row_total, table.ambiguous, field.note
    message: str  # one line in Chinese or English a user understands
    field: str | None = None  # the field key concerned, if any

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            d["field"] = self.field
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Warning":
        return cls(code=d["code"], message=d["message"], field=d.get("field"))


@dataclass
class Report:
    id: str
    title: str | None = None
    issuer: str | None = None  # the body's formal name (晋城市人民政府 for a title that says 晋城市)
    issuer_id: str | None = None  # stable key of the body across years and title variants (indexer/parse/issuer.py)
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    region_code: str | None = None
    level: str | None = None
    body_type: str | None = None
    year: int | None = None
    published: str | None = None
    template: str | None = None
    source: str | None = None
    sections: list[Section] = field(default_factory=list)
    fields: dict[str, int | float] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)
    # What the input is (indexer/parse/classify.py): only 年度报告 is stored unless forced; not part of the JSON.
    kind: str = "年度报告"
    kind_reason: str = ""
    illustrates: str | None = None  # a 图解 / 解读 page: the title of the report it is about
    # Division codes the report's own text leaves open (regions.Region.candidates): the library lets the other
    # reports of the same site choose (indexer/sites.py); not part of the JSON.
    region_candidates: tuple[str, ...] = ()
    kind_title: str | None = None  # the page's own title that told its kind (a 图解's 一图读懂… line)

    @property
    def is_report(self) -> bool:
        return self.kind == "年度报告"

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: getattr(self, k) for k in METADATA_KEYS}
        d["sections"] = [s.to_json() for s in self.sections]
        d["fields"] = dict(self.fields)
        d["warnings"] = [w.to_json() for w in self.warnings]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Report":
        return cls(
            **{k: d.get(k) for k in METADATA_KEYS},
            sections=[Section.from_json(s) for s in d.get("sections", [])],
            fields=dict(d.get("fields", {})),
            warnings=[Warning.from_json(w) for w in d.get("warnings", [])],
        )

    @property
    def text(self) -> str:
        """Full display text, sections in order with their headings."""
        parts = []
        for s in self.sections:
            head = f"{s.number}{s.heading}".strip()
            parts.append(f"{head}\n{s.text}" if head else s.text)
        return "\n".join(parts)
