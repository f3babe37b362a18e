"""Who issued a report: the body's formal name, the fullest writing of its place, and a stable key for the body.

- ``signature_of``: the 落款, the body named on its own line at the end of the report (利川市团堡镇人民政府), usually
  just before the signing date.
- ``place_in_full``: a title that names only part of the place (团堡镇2020年…, 长安区2020年…) takes its parents from the
  signature, the page's 发布机构 line or the compiler sentence, where one of them restates the same name in full
  (利川市团堡镇人民政府 → 利川市团堡镇).  Nothing else is searched: a site-name line above the title is never a source.
- ``formal_issuer``: a government report whose title names only the place (晋城市2019年…) is issued by that place's
  人民政府 — or the 管理委员会 / 行政公署 / 街道办事处 the signature names, or that a 地区 / 街道 / zone always has;
  a department keeps its name as written (国家税务总局武威市税务局).
- ``issuer_id``: ``<division code>/<政府|部门>[/<name>]``, e.g. ``140500/政府``, ``620600/部门/国家税务总局税务局``,
  ``中央/部门/国家统计局``, ``350128/政府/综合实验区`` (a unit inside the place: a zone's 管委会 is not the county).  The division code is today's code of the place (a place re-coded since, 平安县 → 平安区,
  gets its successor's), so one body's reports of all years share it; the department is the name with the place
  names, spaces and brackets removed and common short forms spelt out (卫健委 → 卫生健康委员会), so 合肥市教育局 and
  市教育局 of the same city agree.  A government and its 办公室/办公厅 are one body (their reports are the
  government's).  None when the place is unknown: no key is better than a key that merges strangers.
"""

from __future__ import annotations

import re

from indexer.parse.cleaning import CJK, HEADING_START, fold_variants
from indexer.parse.gazetteer import conventional_forms, load, short_forms
from indexer.parse.regions import Region

# What a body's name ends with (a signature line names a body, not a place or a sentence).
_BODY_END = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|管理委员会|管委会|行政公署|办事处|委员会|[局厅委署院部处所站队办]|中心|支行|分行|公司)$"
)
_DATE_TAIL = re.compile(r"\s*(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零O０一二三四五六七八九]{4}\s*年.{1,6}日)\s*$")
_SIGNATURE_LINES = 12  # how far from the end a signature stands (the signing date and a contact line may follow)
_MAX_SIGNATURE = 40

# A government as written after its place: what is cut off to find the place core.
_GOVERNMENT_FORM = re.compile(r"(?:人民政府|政府)(?:办公厅|办公室)?$|管理委员会$|管委会$|行政公署$|街道办事处$|办事处$")
# Short forms of department names that reports and titles use for the same body.
_SHORT_NAMES = (
    ("卫健委", "卫生健康委员会"), ("卫健局", "卫生健康局"), ("发改委", "发展和改革委员会"), ("发改局", "发展和改革局"),
    ("住建局", "住房和城乡建设局"), ("住建委", "住房和城乡建设委员会"), ("人社局", "人力资源和社会保障局"),
    ("人社厅", "人力资源和社会保障厅"), ("市场监管局", "市场监督管理局"),
    ("交通局", "交通运输局"), ("工信局", "工业和信息化局"), ("工信厅", "工业和信息化厅"), ("民宗局", "民族宗教事务局"),
    ("应急局", "应急管理局"),
    ("医保局", "医疗保障局"), ("退役军人局", "退役军人事务局"), ("文旅局", "文化和旅游局"), ("文广旅局", "文化广电和旅游局"),
    ("教体局", "教育和体育局"), ("科技局", "科学技术局"),
)
_NON_NAME = re.compile(rf"[^{CJK}]")


def signature_of(body_lines: list[str]) -> str | None:
    """The body named in the 落款: a short line ending in a body's name among the last lines (a date may follow it
    on the same line).  The last such line wins: a contact line or table note above it is not a signature."""
    for line in reversed(body_lines[-_SIGNATURE_LINES:]):
        s = _DATE_TAIL.sub("", re.split(r"[。！？；]", line.strip())[-1])  # a one-line dump signs after its last sentence
        s = re.sub(r"\s+", "", s)
        if not s or len(s) > _MAX_SIGNATURE or "\t" in line or HEADING_START.match(s):
            continue
        if re.search(r"[。，；：:、！？\d]", s) or not _BODY_END.search(fold_variants(s)):
            continue
        return s
    return None


def place_core(issuer: str) -> str:
    """The place part of a government's name: 团堡镇人民政府 → 团堡镇, 长安区 → 长安区, 某县教育局 → 某县教育局."""
    return _GOVERNMENT_FORM.sub("", issuer) or issuer


def place_in_full(issuer: str | None, sources: list[str | None]) -> str | None:
    """The issuer with the parents another line of the report writes before it (团堡镇 + 利川市团堡镇人民政府 → 利川市团堡镇).

    Only a source that contains the issuer's own name counts; the first that adds something wins."""
    if not issuer:
        return issuer
    core = place_core(re.sub(r"\s", "", issuer))
    for src in sources:
        if not src:
            continue
        src = re.sub(r"\s", "", src)
        pos = src.find(core)
        if pos > 0:
            return src[:pos] + issuer
    return issuer


def _government_kind(place: str, signature: str | None) -> str:
    """What a place's government is called: the signature's own form when it names this place, else by the place."""
    if signature and place_core(place) in signature:
        m = re.search(r"管理委员会|管委会|行政公署|街道办事处|办事处|人民政府", signature)
        if m:
            return m.group(0).removeprefix("街道") if place.endswith("街道") else m.group(0)
    if place.endswith("街道"):
        return "办事处"
    if place.endswith("地区"):
        return "行政公署"
    if re.search(r"(?:开发区|新区|园区|实验区|试验区|示范区|保税区|度假区)$", place):
        return "管理委员会"
    return "人民政府"


def formal_issuer(as_written: str | None, region: Region, signature: str | None) -> str | None:
    """The body's formal name: a bare place of a government report gets its government's name; the rest as written."""
    if not as_written:
        return signature
    name = re.sub(r"\s", "", as_written)
    if region.body_type == "政府" and not _BODY_END.search(fold_variants(name)) and region.level != "中央":
        return name + _government_kind(name, signature)
    return name


def _without_places(issuer: str, region: Region) -> str:
    """The issuer with the names of its region's chain (full, conventional and short forms) and non-name marks removed."""
    gz = load()
    name = _NON_NAME.sub("", fold_variants(issuer))
    names: set[str] = {n for n in (region.province, region.city, region.county, region.township) if n}
    rec = gz.at(region.region_code, None) if region.region_code else None
    for r in gz.ancestors(rec, None) if rec else []:
        names.update([r.name, *conventional_forms(r.name, r.level), *short_forms(r.name, r.level)])
    for n in sorted(names, key=len, reverse=True):
        name = name.replace(n, "")
    return name


_GOVERNMENT_REST = re.compile(r"(?:(?:人民)?政府(?:办公厅|办公室)?|办公厅|办公室|管理委员会|管委会|行政公署|街道办事处|办事处)$")


def _department(issuer: str, region: Region) -> str:
    """What names the body besides its place: the department (教育局), or a unit inside the place (综合实验区)."""
    name = _without_places(issuer, region)
    if region.body_type == "政府":
        name = _GOVERNMENT_REST.sub("", name)
        return "" if re.fullmatch(r"[省市县区旗州盟镇乡]?", name) else name
    name = re.sub(r"^(?:人民政府|政府)(?=.)", "", name)  # 某县人民政府教育局
    name = re.sub(r"^[省市县区旗州盟镇乡](?=.{2})", "", name)  # 市教育局 → 教育局 (the place said without its name)
    for short, full in _SHORT_NAMES:
        if name.endswith(short):
            name = name[: -len(short)] + full
    if len(name) > 4:
        name = re.sub(r"办公室$", "", name)  # a department's office reports for the department
    return name


def issuer_id(issuer: str | None, region: Region) -> str | None:
    """A stable key of the issuing body (see the module docstring for its form)."""
    if region.level == "中央":
        place = "中央"
    elif region.region_code:
        place = load().current_code(region.region_code, None)
    else:
        return None
    if region.body_type not in ("政府", "部门") or (region.body_type == "部门" and not issuer):
        return None
    dept = _department(issuer, region) if issuer else ""
    if region.body_type == "部门" and not dept:
        return None
    return f"{place}/{region.body_type}" + (f"/{dept}" if dept else "")
