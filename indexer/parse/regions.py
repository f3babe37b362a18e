"""Resolve the issuer of a report to its administrative region, level and kind of body.

    resolve_region("国家税务总局武威市税务局", year=2019)
    → Region(province='甘肃省', city='武威市', county=None, township=None, region_code='620600',
             level='地级', body_type='部门', confident=True)

How:
- Every division name and its short forms (宁夏, 武威, 甘南州, 互助县 …) are found in the issuer; the chosen reading is
  the best chain in which each next name lies under the one before (陇南市 then 武都区), longest names first. County
  short forms (武都) and townships count only under a named parent; special units that are not divisions (平潭综合实验区,
  新疆生产建设兵团 and its 师, 雄安新区, national new areas) are names too, tied to the division that holds them.
- Names as valid in the report year (襄樊市 for 2009, 襄阳市 for 2015; region_code of that time). A name used after its
  code was replaced (平安县 in a 2020 report) goes to the successor (平安区). Without a year: the names of the latest
  report year (2024), i.e. today's names.
- A name shared by several divisions (鼓楼区, 城区, 朝阳区) is never guessed: the hint, the issuer, the title and the
  text are searched for a parent (福州市鼓楼区, 福州市, 福建); failing that only the common ancestor is kept and
  confident=False.
- No issuer: the issuer part of the title (武威市2019年政府信息公开工作年度报告 → 武威市). No place at all: central
  bodies (国务院办公厅, 国家XX局) are 中央; otherwise the crawl hint's region, else nothing (confident=False).
- level is the issuer's own level: the level of the deepest division named (国家税务总局武威市税务局 → 地级), or the
  special unit's (平潭综合实验区 → 地级 though it holds 平潭县; 兵团 → 省级, 师 → 地级, 团 → 县级). A development zone
  or new area inside a division that is not in the special list counts one level below that division.
- body_type: 政府 for a people's government, its 办公厅/办公室, a 管委会, 行政公署, 街道办事处, or a bare place name;
  部门 for anything else after the place name (局, 委员会, 厅, 中心 …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.parse.gazetteer import (
    COUNTY,
    CURRENT_YEAR,
    PREFECTURE,
    PROVINCE,
    TOWNSHIP,
    Division,
    Gazetteer,
    conventional_forms,
    load,
    short_forms,
)
from indexer.normalize import normalize

LEVEL_NAMES = {PROVINCE: "省级", PREFECTURE: "地级", COUNTY: "县级", TOWNSHIP: "乡级"}
CENTRAL = "中央"


@dataclass
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    region_code: str | None = None  # 6 digits, 9 for a township: the most specific region resolved
    level: str | None = None  # 中央 / 省级 / 地级 / 县级 / 乡级: the issuer's own level
    body_type: str | None = None  # 政府 / 部门
    confident: bool = False
    # when the report's own text leaves the place open: the division codes it may be (鼓楼区 of four cities, a
    # township named without its county); the reports of the same site can choose (``settle_by_site``)
    candidates: tuple[str, ...] = ()


# Units that are not divisions: name → (division code that holds it, level of the unit).
# 新疆生产建设兵团's 师 are tied to the county-level city each runs (师市合一); 第十一师/第十二师 run none.
_XPCC_DIVISIONS = {
    "第一师": "659002", "第二师": "659006", "第三师": "659003", "第四师": "659008", "第五师": "659007",
    "第六师": "659004", "第七师": "659010", "第八师": "659001", "第九师": "659012", "第十师": "659005",
    "第十一师": "650000", "第十二师": "650000", "第十三师": "659011", "第十四师": "659009",
}  # fmt: skip
SPECIAL_UNITS: dict[str, tuple[str, int]] = {
    "平潭综合实验区": ("350128", PREFECTURE),
    "平潭实验区": ("350128", PREFECTURE),
    "新疆生产建设兵团": ("650000", PROVINCE),
    "兵团": ("650000", PROVINCE),
    **{name: (code, PREFECTURE) for name, code in _XPCC_DIVISIONS.items()},
    "雄安新区": ("130600", PREFECTURE),  # 雄县, 容城县, 安新县 of 保定市
    "两江新区": ("500000", PREFECTURE),
    "舟山群岛新区": ("330900", PREFECTURE),
    "兰州新区": ("620100", PREFECTURE),
    "南沙新区": ("440115", COUNTY),
    "西咸新区": ("610000", PREFECTURE),  # 西安市 and 咸阳市
    "贵安新区": ("520000", PREFECTURE),  # 贵阳市 and 安顺市
    "西海岸新区": ("370211", COUNTY),  # 青岛市黄岛区
    "金普新区": ("210200", PREFECTURE),
    "天府新区": ("510100", PREFECTURE),
    "湘江新区": ("430100", PREFECTURE),
    "江北新区": ("320100", PREFECTURE),
    "福州新区": ("350100", PREFECTURE),
    "滇中新区": ("530100", PREFECTURE),
    "哈尔滨新区": ("230100", PREFECTURE),
    "长春新区": ("220100", PREFECTURE),
    "赣江新区": ("360000", PREFECTURE),  # 南昌市 and 九江市
    "横琴粤澳深度合作区": ("440400", PREFECTURE),
}

_ZONE = re.compile(
    r"^[^局委厅办]{0,12}?(经济技术开发区|高新技术产业开发区|经济开发区|高新区|开发区|工业园区|产业园区|新区|"
    r"保税区|综合保税区|自由贸易试验区|自贸区|试验区|实验区|示范区|度假区)"
)
_GOVERNMENT_TAIL = re.compile(r"[省市县区旗州盟镇乡]?(人民)?政府(办公厅|办公室|办)?")
_GOVERNMENT_END = re.compile(r"(^管理委员会|管委会|行政公署|公署|街道办事处|^办事处)$")
_GOVERNMENT_AT_END = re.compile(r"(人民政府|政府)(办公厅|办公室|办)?$")
_DEPARTMENT_WORD = re.compile(r"[局厅委部署院所站队处]|中心|协会|学会|公司")
_UNIT_BEFORE_GOVERNMENT = re.compile(r"(自治区|省|州|盟|县|区|旗|镇|乡|街道)(人民政府|政府|办事处)$")
_TOWNSHIP_TAIL = re.compile(r"^([\u4e00-\u9fff]{1,10}?(镇|乡|街道|苏木))(人民政府|政府|办事处)")
_AFTER_SHORT = re.compile(r"(人民政府|政府|[县区市旗]委|人大|政协|纪委)")
_REGIMENT = re.compile(r"^[一二三四五六七八九十〇零百\d]+团")
_CENTRAL = re.compile(r"^(国务院|国家|中华人民共和国|中国|中共中央|中央|全国|最高人民|海关总署|审计署)|^[^省市县区镇乡]{1,10}部$")
_TITLE_CUT = re.compile(r"\d{4}年|关于|(人民政府|政府)?信息公开|政务公开|年度报告|工作报告|工作年度")
_ISSUER_CUT = re.compile(r"关于|\d{4}年")  # an issuer given with a document name after it
_MAX_ISSUER = 120  # an issuer is a name; anything longer is a misparse, and only its start names the place
_LEADING_YEAR = re.compile(r"^\d{4}年度?")
_LEVEL_PREFIX = {"省": PROVINCE, "市": PREFECTURE, "州": PREFECTURE, "盟": PREFECTURE, "县": COUNTY, "区": COUNTY,
                 "旗": COUNTY, "镇": TOWNSHIP, "乡": TOWNSHIP}  # fmt: skip
_UNIT_LEVEL = {"省": PROVINCE, "自治区": PROVINCE, "州": PREFECTURE, "盟": PREFECTURE, "县": COUNTY, "区": COUNTY,
               "旗": COUNTY, "镇": TOWNSHIP, "乡": TOWNSHIP, "街道": TOWNSHIP}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    record: Division
    full: bool  # the name as written in full (not a short form)
    special_level: int | None = None  # set for a special unit
    stale: bool = False  # the record is of another year than the report's
    penalty: float = 0.0  # short forms and other years' names weigh less than the name as written


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a place string: the chain of matches, deepest last."""

    chain: tuple[_Match, ...]
    score: float


def issuer_from_title(title: str) -> str:
    """The issuer part of a report title: '2019年上海市人民政府办公厅政府信息公开工作年度报告' → '上海市人民政府办公厅'."""
    t = _LEADING_YEAR.sub("", normalize(title).removeprefix("关于"))
    m = _TITLE_CUT.search(t)
    return t[: m.start()] if m else t


def _by_year(gz: Gazetteer, records: list[Division], year: int) -> list[Division]:
    """The records of one name that fit the year: valid in it, else the nearest in time."""
    exact = [r for r in records if r.valid_in(year)]
    if len(exact) > 1:
        exact = [r for r in exact if not gz.superseded(r, year)] or exact
    if exact:
        return exact
    best = min(r.distance(year) for r in records)
    return [r for r in records if r.distance(year) == best]


def _find_matches(s: str, gz: Gazetteer, year: int) -> list[_Match]:
    out: list[_Match] = []
    n = len(s)
    for i in range(n):
        for j in range(i + 2, min(n, i + max(gz.max_name_len, 12)) + 1):
            sub = s[i:j]
            special = SPECIAL_UNITS.get(sub)
            if special and not any(r.valid_in(year) for r in gz.by_name.get(sub, ())):
                # (a unit the official table lists in that year, like 两江新区 since 2020, is taken from the table)
                rec = gz.at(special[0], year)
                if rec is not None and not rec.valid_in(year):
                    rec = gz.at(rec.code[:2] + "0000", year)  # the city of that 师 did not exist yet
                if rec is not None:
                    out.append(_Match(i, j, rec, True, special[1]))
            for records, full, penalty in (
                (gz.by_name.get(sub), True, 0.0),
                (gz.by_conventional.get(sub), True, 0.25),
                (gz.by_short.get(sub), False, 0.5),
            ):
                if not records:
                    continue
                fit = _by_year(gz, records, year)
                out.extend(_Match(i, j, r, full, penalty=penalty) for r in fit)
                # names of other years count only where they complete a chain (济南市钢城区 in 2018, before
                # the lists moved 钢城区 from 莱芜市 to 济南市)
                out.extend(_Match(i, j, r, full, stale=True, penalty=penalty + 0.75) for r in records if r not in fit)
    return out


def _needs_parent(m: _Match) -> bool:
    """County short forms and townships are too ambiguous to stand alone."""
    return m.special_level is None and (m.record.level == TOWNSHIP or (m.record.level == COUNTY and not m.full))


def _links(gz: Gazetteer, upper: _Match, lower: _Match) -> bool:
    if upper.end > lower.start:
        return False
    if upper.record.code == lower.record.code:  # the same place restated (第八师石河子市)
        return True
    return gz.is_ancestor(upper.record.code, lower.record)


def _readings(s: str, gz: Gazetteer, year: int) -> list[_Reading]:
    """All best-scoring chains of names in ``s`` (several when the deepest name is ambiguous)."""
    matches = sorted(_find_matches(s, gz, year), key=lambda m: (m.start, m.end))
    starts = {m.start for m in matches}
    best: list[tuple[float, tuple[_Match, ...]]] = []
    for m in matches:
        if m.record.level == COUNTY and not m.full and m.special_level is None:
            # a county short form must end the place: 荆州市公安局 is the city's police, not 公安县;
            # 桂林市自然资源局 is no 资源县
            if not (m.end == len(s) or m.end in starts or _AFTER_SHORT.match(s, m.end)):
                continue
        weight = (m.end - m.start) - m.penalty
        prev = [b for b in best if _links(gz, b[1][-1], m)]
        if prev:
            top = max(p[0] for p in prev)
            chain = next(p[1] for p in prev if p[0] == top)
            best.append((top + weight, chain + (m,)))
        elif not _needs_parent(m) and not m.stale:
            best.append((weight, (m,)))
    if not best:
        return []
    top = max(b[0] for b in best)
    return [_Reading(chain, score) for score, chain in best if score == top]


def _project(gz: Gazetteer, record: Division, year: int) -> Division:
    """The record to report: the same code in the report year, or its successor if it had been re-coded by then."""
    code = gz.current_code(record.code, year)
    if code == record.code and record.valid_in(year):
        return record
    return gz.at(code, year) or record


def _fields(gz: Gazetteer, record: Division, year: int) -> dict[str, str | None]:
    out: dict[str, str | None] = {"province": None, "city": None, "county": None, "township": None}
    for r in gz.ancestors(record, year):
        out[("province", "city", "county", "township")[r.level - 1]] = r.name
    out["region_code"] = record.code
    return out


def _chain_codes(gz: Gazetteer, record: Division, year: int) -> list[str]:
    return [r.code for r in gz.ancestors(record, year)]


@lru_cache(maxsize=4096)
def _resolve_place(s: str, year: int) -> tuple[_Reading, ...]:
    return tuple(_readings(s, load(), year))


def _context_pick(gz: Gazetteer, cands: list[Division], year: int, contexts: list[str],
                  hint_codes: list[str], written: set[str]) -> tuple[list[Division], bool]:
    """Narrow ambiguous candidates with the hint, then with parents named in the issuer, title or text.

    Each candidate scores 4 when written together with its parent (福州市鼓楼区), 2 when its direct parent is
    named (福州, 北京市), 1 when only a higher ancestor is (福建); ties go to the parent named more often. Returns
    the remaining candidates and whether the evidence is strong (hint, or a parent named; not a province alone).
    """
    if hint_codes:
        fit = [c for c in cands if hint_codes[-1] in _chain_codes(gz, c, year) or c.code in hint_codes]
        if len(fit) == 1:
            return fit, True
        cands = fit or cands
    raw = "|".join(c for c in contexts if c)
    text = raw
    for w in sorted(written, key=len, reverse=True):
        text = text.replace(w, "|")  # the ambiguous name itself says nothing about its parent (吉林 → 吉林省?)

    def names(r: Division) -> list[str]:
        return [r.name, *conventional_forms(r.name, r.level), *short_forms(r.name, r.level)]

    def score(c: Division) -> tuple[int, int]:
        above = gz.ancestors(c, year)[:-1]
        if not above:
            return 0, 0
        together = any(p + w in raw for p in names(above[-1]) for w in written)
        mentions = sum(text.count(p) for p in names(above[-1]))
        higher = any(p in text for a in above[:-1] for p in names(a))
        return 4 * together + 2 * (mentions > 0) + higher, mentions

    scores = {c.code: score(c) for c in cands}
    top = max(scores.values())
    if top[0] == 0:
        return cands, False
    return [c for c in cands if scores[c.code] == top], top[0] >= 2


def _common(gz: Gazetteer, cands: list[Division], year: int) -> Division | None:
    chains = [gz.ancestors(c, year) for c in cands]
    common: Division | None = None
    for level_records in zip(*chains):
        if len({r.code for r in level_records}) == 1:
            common = level_records[0]
        else:
            break
    return common


def _body_type(tail: str) -> str:
    """政府 for the government itself or its general office (人民政府办公厅), a 管委会 …; 部门 for anything else."""
    if not tail or _GOVERNMENT_TAIL.fullmatch(tail) or _GOVERNMENT_END.search(tail):
        return "政府"
    if re.fullmatch(r"(国务院|国务院办公厅|中央人民政府)", tail):
        return "政府"
    if _GOVERNMENT_AT_END.search(tail) and not _DEPARTMENT_WORD.search(tail):
        return "政府"  # a place we could not resolve before it: XX县XX镇人民政府
    return "部门"


def _central(s: str) -> Region | None:
    if not _CENTRAL.match(s):
        return None
    body = "政府" if re.fullmatch(r"(国务院|中央人民政府)(办公厅)?", s) else "部门"
    return Region(level=CENTRAL, body_type=body, confident=True)


def resolve_region(
    issuer: str | None,
    *,
    title: str | None = None,
    text: str | None = None,
    year: int | None = None,
    hint: str | None = None,
) -> Region:
    """Resolve the issuing body to its region (names and code as valid in ``year``), level and body type."""
    gz = load()
    if year is None:
        # the latest report year: today's names, and names that the 2025 table dropped (江北区 of 重庆市) still count
        year = CURRENT_YEAR - 1
    sources = [_ISSUER_CUT.split(normalize(issuer), 1)[0][:_MAX_ISSUER]] if issuer else []
    if title:
        sources.append(issuer_from_title(title)[:_MAX_ISSUER])
    hint_readings = _resolve_place(normalize(hint), year) if hint else ()
    hint_codes: list[str] = []
    if len(hint_readings) == 1:
        hint_codes = _chain_codes(gz, _project(gz, hint_readings[0].chain[-1].record, year), year)

    for s in sources:
        if not s:
            continue
        readings = _resolve_place(s, year)
        if readings:
            return _from_readings(gz, s, readings, year, [s, normalize(title or ""), normalize(text or "")],
                                  hint_codes)
    for s in sources:
        central = _central(s) if s else None
        if central:
            return central
    if hint_readings:
        return _from_hint(gz, sources[0] if sources else "", hint_readings, year)
    if not sources:
        return Region()
    # a place not in the gazetteer (XX县XX镇人民政府): the level its suffix states, where unambiguous (not 市)
    unit = _UNIT_BEFORE_GOVERNMENT.search(sources[0])
    level = _UNIT_LEVEL[unit.group(1)] if unit else None
    return Region(level=LEVEL_NAMES.get(level), body_type=_body_type(sources[0]), confident=False,
                  candidates=_bare_township(sources, gz, year))


def _from_readings(gz: Gazetteer, s: str, readings: tuple[_Reading, ...], year: int, contexts: list[str],
                   hint_codes: list[str]) -> Region:
    by_code: dict[str, tuple[Division, _Match]] = {}
    for r in readings:
        m = r.chain[-1]
        rec = _project(gz, m.record, year)
        by_code.setdefault(rec.code, (rec, m))
    cands = [v[0] for v in by_code.values()]
    confident = True
    if len(cands) > 1:
        # the issuer names the place only partly: look for its parent elsewhere
        written = {s[v[1].start : v[1].end] for v in by_code.values()}
        cands, confident = _context_pick(gz, cands, year, contexts, hint_codes, written)
    if len(cands) == 1:
        rec, m = by_code[cands[0].code]
        fields = _fields(gz, rec, year)
        level = m.special_level or rec.level
    else:
        confident = False  # only the common ancestor is certain
        matches = [by_code[c.code][1] for c in cands]
        common = _common(gz, cands, year)
        fields = _fields(gz, common, year) if common else {"region_code": None}
        levels = {mm.special_level or by_code[c.code][0].level for c, mm in zip(cands, matches)}
        level = levels.pop() if len(levels) == 1 else None
        m = matches[0]
    tail = s[m.end :]
    township = _TOWNSHIP_TAIL.match(tail)
    if township and level in (COUNTY, PREFECTURE) and fields.get("region_code"):
        # a township missing from today's table (renamed or merged since): keep it as written
        fields["township"] = township.group(1)
        level = TOWNSHIP
        tail = tail[township.end(1) :]
    elif m.special_level == PREFECTURE and m.record.code.startswith("65"):
        regiment = _REGIMENT.match(tail)
        if regiment:
            level = COUNTY
            tail = tail[regiment.end() :]
    zone = _ZONE.match(tail)
    if zone and m.special_level is None and level is not None and level < TOWNSHIP:
        level += 1  # a development zone or new area inside the division named
        tail = tail[zone.end() :]
    return Region(
        province=fields.get("province"),
        city=fields.get("city"),
        county=fields.get("county"),
        township=fields.get("township"),
        region_code=fields.get("region_code"),
        level=LEVEL_NAMES.get(level) if level else None,
        body_type=_body_type(tail),
        confident=confident,
        candidates=tuple(c.code for c in cands) if len(cands) > 1 else (),
    )


def _from_hint(gz: Gazetteer, s: str, hint_readings: tuple[_Reading, ...], year: int) -> Region:
    """No place in the issuer ('县教育局'): the crawl hint's region."""
    region = _from_readings(gz, "", hint_readings, year, [], [])
    prefix_level = _LEVEL_PREFIX.get(s[:1]) if s else None
    deepest = region.level
    if prefix_level is not None and LEVEL_NAMES[prefix_level] != deepest:
        region.confident = False
        region.level = LEVEL_NAMES[prefix_level]
    region.body_type = (_body_type(s[1:] if prefix_level else s)) if s else None  # no issuer: no body type
    return region


def _bare_township(sources: list[str], gz: Gazetteer, year: int) -> tuple[str, ...]:
    """A township written without its county (团堡镇人民政府, 团堡镇2020年…): the townships of that name.

    Only a name at the very start of the issuer (or of the title's issuer part) counts, written in full."""
    for s in sources:
        for j in range(min(len(s), gz.max_name_len), 1, -1):
            records = [r for r in gz.by_name.get(s[:j], ()) if r.level == TOWNSHIP]
            if records:
                return tuple(sorted({r.code for r in _by_year(gz, records, year)}))
    return ()


def _today(gz: Gazetteer, code: str) -> Division | None:
    return gz.at(gz.current_code(code, None), None)


def _support(gz: Gazetteer, chain: list[str], seen: set[str]) -> int:
    """How deep a candidate's chain of codes (province first) meets one site region's chain ``seen``."""
    if chain[-1] in seen:  # the site holds the place itself or a place under it
        return len(chain)
    return max((i + 1 for i, code in enumerate(chain[:-1]) if code in seen), default=0)


def _site_chains(gz: Gazetteer, site_codes) -> dict[str, set[str]]:
    out = {}
    for s in set(site_codes):
        rec = _today(gz, s)
        if rec is not None:
            out[s] = {r.code for r in gz.ancestors(rec, None)}
    return out


def settle_by_site(candidates: tuple[str, ...] | list[str], site_codes: set[str] | list[str]) -> str | None:
    """The one candidate division that the regions of the other reports of the same site point to, or None.

    ``candidates``: the division codes a report may be of (``Region.candidates``); ``site_codes``: the region codes
    that other reports of the same site (same host, or same directory) resolved from their own text.  A candidate
    is supported as deep as its chain of parents meets a site's region (利川市, or 汪营镇 under 利川市, supports
    利川市团堡镇 at the county); support must reach the candidate's parent, or for a township at least its city
    (a city's site holds its counties' townships).  Exactly one best-supported candidate wins; a tie (a site with
    reports of 福州市 and of 南京市, for 鼓楼区) or no support decides nothing, and so does a site whose reports
    lie in several provinces (a collection or a national portal, not one place's site).  Places are compared as
    they are today, so reports of other years (襄樊市 / 襄阳市) count.
    """
    gz = load()
    site_chains = _site_chains(gz, site_codes)
    if len({code[:2] for code in site_chains}) != 1:
        return None
    scores: dict[str, int] = {}
    for c in dict.fromkeys(candidates):
        rec = _today(gz, c)
        if rec is None:
            continue
        chain = [r.code for r in gz.ancestors(rec, None)]
        score = max(_support(gz, chain, seen) for seen in site_chains.values())
        if score >= max(1, min(len(chain) - 1, PREFECTURE)):
            scores[c] = score
    if not scores:
        return None
    top = max(scores.values())
    best = [c for c, v in scores.items() if v == top]
    return best[0] if len(best) == 1 else None


def site_support(chosen: str, site_codes: set[str] | list[str]) -> list[str]:
    """The names of the site regions that point to ``chosen`` most closely (for the note that says why)."""
    gz = load()
    rec = _today(gz, chosen)
    if rec is None:
        return []
    chain = [r.code for r in gz.ancestors(rec, None)]
    scored = {s: _support(gz, chain, seen) for s, seen in _site_chains(gz, site_codes).items()}
    top = max(scored.values(), default=0)
    return [_today(gz, s).name for s in sorted(scored) if top and scored[s] == top]  # type: ignore[union-attr]


def region_at(code: str, year: int | None) -> Region:
    """The names and code of a division for the report year (the level and body type are the caller's)."""
    gz = load()
    y = year if year is not None else CURRENT_YEAR - 1
    rec = gz.at(code, y)
    if rec is None:
        return Region()
    fields = _fields(gz, _project(gz, rec, y), y)
    return Region(province=fields["province"], city=fields["city"], county=fields["county"],
                  township=fields["township"], region_code=fields["region_code"], level=LEVEL_NAMES[rec.level],
                  confident=True)


def body_type_after(issuer: str, code: str, year: int | None) -> str | None:
    """The body type of an issuer that starts with the division ``code``'s name (团堡镇 → 政府, 团堡镇财政所 → 部门);
    None when it does not start with it."""
    gz = load()
    rec = gz.at(code, year if year is not None else CURRENT_YEAR - 1)
    s = _ISSUER_CUT.split(normalize(issuer), 1)[0]
    if rec is None:
        return None
    for name in sorted([rec.name, *conventional_forms(rec.name, rec.level), *short_forms(rec.name, rec.level)],
                       key=len, reverse=True):
        if s.startswith(name):
            return _body_type(s[len(name):])
    return None
