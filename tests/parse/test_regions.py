"""Region resolution: the hand-read labels, the full division history, and the cases the rules are about."""

from __future__ import annotations

import collections
import csv
import json
from pathlib import Path

import pytest

from indexer.parse.regions import Region, issuer_from_title, resolve_region, settle_by_site, site_support

ROOT = Path(__file__).resolve().parents[2]
LABELS = sorted((ROOT / "tests" / "labels").glob("labels-*.json"))
SAMPLES = [ROOT / "samples" / "real", ROOT / "samples" / "seeds"]
AREACODES = ROOT.parent / "shared" / "gazetteer" / "areacodes_result.csv"
REGION_KEYS = ("province", "city", "county", "level", "body_type")


def _labelled() -> list[tuple[str, dict]]:
    out = []
    for path in LABELS:
        for name, label in json.loads(path.read_text("utf-8")).items():
            if not name.startswith("_") and any(k in label for k in REGION_KEYS):
                out.append((name, label))
    return out


def _sample_text(name: str) -> str:
    for folder in SAMPLES:
        path = folder / name
        if path.exists():
            return path.read_bytes().decode("utf-8", errors="replace")
    raise FileNotFoundError(name)


@pytest.mark.parametrize(("name", "label"), _labelled(), ids=[n for n, _ in _labelled()])
def test_labels(name: str, label: dict) -> None:
    # as the pipeline calls it: issuer where the label states one, else the title; the year; the whole text as context
    region = resolve_region(label.get("issuer"), title=label["title"], year=label.get("year"), text=_sample_text(name))
    got = {k: getattr(region, k) for k in REGION_KEYS if k in label}
    assert got == {k: label[k] for k in REGION_KEYS if k in label}
    assert region.confident and not region.candidates  # nothing left for the site's other reports to settle
    # the same from the title alone, without the report text
    alone = resolve_region(issuer_from_title(label["title"]), year=label.get("year"))
    assert {k: getattr(alone, k) for k in got} == got


# --- the whole division history ------------------------------------------------------------------------------------

FIRST_REPORT_YEAR, LAST_LIST_YEAR = 2008, 2024  # reports exist from 2008 (条例 in force); the CSV's lists end in 2024


def _report_years(row: dict) -> list[int]:
    start = int(row["启用时间"])
    end = int(row["变更/弃用时间"]) if row["变更/弃用时间"] else LAST_LIST_YEAR + 1
    years = range(max(start, FIRST_REPORT_YEAR), min(end, LAST_LIST_YEAR + 1))
    return sorted({years[0], years[-1]}) if years else []


def _expected(row: dict) -> tuple[str, str | None]:
    return row["一级行政区"], None if row["二级行政区"] == "直辖" else row["二级行政区"]


def _not_confidently_wrong(got: Region, province: str, city: str | None) -> bool:
    right = (got.province, got.city) == (province, city)
    return right or (not got.confident and got.province in (None, province) and got.city in (None, city))


@pytest.mark.skipif(not AREACODES.exists(), reason="../shared/gazetteer/areacodes_result.csv not present")
def test_every_county_name_against_areacodes() -> None:
    """Every county-level name of 1981–2024 valid in a report year ≥ 2008, in its first and last such year.

    Forms: '<county>人民政府' (bare) and '<city><county>人民政府' ('<province><county>' for 直辖 units); for names that
    several divisions share that year, the bare form also with the parent city named in the text; names in use today
    also without a year. Figures: ≥ 99 % right; an ambiguous name is never resolved confidently to the wrong place.
    """
    with AREACODES.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["级别"] == "县级"]
    holders: dict[tuple[str, int], set[tuple[str, str]]] = collections.defaultdict(set)
    for r in rows:
        start = int(r["启用时间"])
        end = int(r["变更/弃用时间"]) if r["变更/弃用时间"] else LAST_LIST_YEAR + 1
        for y in range(max(start, FIRST_REPORT_YEAR), min(end, LAST_LIST_YEAR + 1)):
            holders[(r["名称"], y)].add((r["一级行政区"], r["二级行政区"]))

    n = collections.Counter()
    ok = collections.Counter()
    confidently_wrong: list[str] = []
    for r in rows:
        province, city = _expected(r)
        for year in _report_years(r):
            ambiguous = len(holders[(r["名称"], year)]) > 1
            forms = {
                "bare": (f"{r['名称']}人民政府", None),
                "with parent": (f"{city or province}{r['名称']}人民政府", None),
            }
            if ambiguous:
                forms["bare + text"] = (f"{r['名称']}人民政府", f"……{city or province}{r['名称']}位于……")
            for form, (issuer, text) in forms.items():
                key = f"{form}{' (ambiguous)' if ambiguous else ''}"
                got = resolve_region(issuer, year=year, text=text)
                n[key] += 1
                ok[key] += (got.province, got.city) == (province, city)
                if ambiguous and form == "bare" and not _not_confidently_wrong(got, province, city):
                    confidently_wrong.append(f"{year} {issuer}: {got}")

            if not r["变更/弃用时间"] and year == LAST_LIST_YEAR:  # in use today: also without a year
                key = f"no year{' (ambiguous)' if ambiguous else ''}"
                got = resolve_region(f"{r['名称']}人民政府")
                n[key] += 1
                ok[key] += (got.province, got.city) == (province, city)
                if not _not_confidently_wrong(got, province, city):
                    confidently_wrong.append(f"(no year) {r['名称']}: {got}")

    figures = {k: f"{ok[k]}/{n[k]} = {ok[k] / n[k]:.2%}" for k in sorted(n)}
    print("\nregion resolution vs areacodes_result.csv:", json.dumps(figures, ensure_ascii=False, indent=1))
    for key in ("bare", "with parent", "with parent (ambiguous)", "bare + text (ambiguous)", "no year"):
        assert ok[key] / n[key] >= 0.99, (key, figures)
    assert n["bare (ambiguous)"] > 100
    assert not confidently_wrong, confidently_wrong[:20]


@pytest.mark.skipif(not AREACODES.exists(), reason="../shared/gazetteer/areacodes_result.csv not present")
def test_every_prefecture_name_against_areacodes() -> None:
    with AREACODES.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["级别"] == "地级"]
    n = ok = 0
    for r in rows:
        for year in _report_years(r):
            got = resolve_region(f"{r['名称']}人民政府", year=year)
            n += 1
            ok += (got.province, got.city, got.level) == (r["一级行政区"], r["名称"], "地级")
    print(f"\nprefecture names: {ok}/{n} = {ok / n:.2%}")
    assert n > 600 and ok / n >= 0.99


# --- hand cases ------------------------------------------------------------------------------------------------------


def _fields(region: Region, *keys: str) -> tuple:
    return tuple(getattr(region, k) for k in keys)


def test_old_and_new_names_by_year() -> None:
    old = resolve_region("襄樊市人民政府", year=2009)
    assert _fields(old, "province", "city", "region_code", "level") == ("湖北省", "襄樊市", "420600", "地级")
    new = resolve_region("襄阳市人民政府", year=2015)
    assert _fields(new, "city", "region_code") == ("襄阳市", "420600")
    # the old name in a later year: the same code, reported under the name of that year
    assert resolve_region("襄樊市人民政府", year=2015).city == "襄阳市"
    # a county under the old city name
    assert _fields(resolve_region("襄樊市南漳县", year=2009), "city", "county") == ("襄樊市", "南漳县")


def test_recoded_county_follows_its_successor() -> None:
    before = resolve_region("平安县人民政府", year=2012)
    assert _fields(before, "province", "city", "county") == ("青海省", "海东地区", "平安县")
    after = resolve_region("平安县人民政府", year=2020)
    assert _fields(after, "province", "city", "county", "region_code") == ("青海省", "海东市", "平安区", "630203")
    assert resolve_region("平安县人民政府").county == "平安区"  # no year: today's names


def test_ambiguous_name_is_never_guessed() -> None:
    alone = resolve_region("鼓楼区人民政府", year=2020)
    assert not alone.confident
    assert (alone.province, alone.city, alone.county) == (None, None, None)
    assert alone.level == "县级"
    named = resolve_region("福州市鼓楼区人民政府", year=2020)
    assert _fields(named, "province", "city", "county", "confident") == ("福建省", "福州市", "鼓楼区", True)
    by_text = resolve_region("鼓楼区人民政府", year=2020, text="本区地处福州市中心……")
    assert _fields(by_text, "city", "county", "region_code") == ("福州市", "鼓楼区", "350102")
    by_hint = resolve_region("鼓楼区人民政府", year=2020, hint="江苏省徐州市")
    assert _fields(by_hint, "city", "region_code", "confident") == ("徐州市", "320302", True)
    # all candidates in one province: keep the province only
    shanxi = resolve_region("城区人民政府", year=2012)
    assert not shanxi.confident and shanxi.city is None


def test_short_forms() -> None:
    assert _fields(resolve_region("宁夏"), "province", "level") == ("宁夏回族自治区", "省级")
    assert resolve_region("广西", year=2019).province == "广西壮族自治区"
    assert _fields(resolve_region("内蒙古自治区人民政府"), "province", "body_type") == ("内蒙古自治区", "政府")
    assert resolve_region("甘南州人民政府").city == "甘南藏族自治州"
    assert _fields(resolve_region("互助县人民政府", year=2016), "city", "county") == ("海东市", "互助土族自治县")
    assert _fields(resolve_region("甘肃武威凉州区"), "city", "county") == ("武威市", "凉州区")


def test_agency_and_township() -> None:
    tax = resolve_region("国家税务总局武威市税务局", year=2019)
    assert _fields(tax, "province", "city", "county", "level", "body_type") == ("甘肃省", "武威市", None, "地级", "部门")
    assert _fields(resolve_region("武威市税务局"), "city", "body_type") == ("武威市", "部门")
    town = resolve_region("平潭县金井镇人民政府", year=2020)
    assert _fields(town, "county", "township", "level", "body_type") == ("平潭县", "金井镇", "乡级", "政府")
    assert town.region_code.startswith("350128") and len(town.region_code) == 9
    # a township gone from today's table (潭城镇 was merged): kept as written, the county's code
    old = resolve_region("平潭县潭城镇人民政府", year=2011)
    assert _fields(old, "county", "township", "level", "region_code") == ("平潭县", "潭城镇", "乡级", "350128")
    street = resolve_region("福州市鼓楼区鼓东街道办事处", year=2020)
    assert _fields(street, "county", "township", "level", "body_type") == ("鼓楼区", "鼓东街道", "乡级", "政府")
    # a county's short form inside a department's name is not that county
    police = resolve_region("荆州市公安局", year=2020)
    assert _fields(police, "city", "county", "level", "body_type") == ("荆州市", None, "地级", "部门")
    assert resolve_region("荆州市公安县公安局", year=2020).county == "公安县"
    assert resolve_region("桂林市自然资源局", year=2020).county is None
    assert resolve_region("武威市人民政府国有资产监督管理委员会").body_type == "部门"
    assert resolve_region("武威市城市管理委员会").body_type == "部门"
    office = resolve_region("武威市人民政府办公室")
    assert _fields(office, "level", "body_type") == ("地级", "政府")


def test_special_units() -> None:
    zone = resolve_region("平潭综合实验区管委会", year=2021)
    assert _fields(zone, "province", "city", "county", "level", "body_type") == (
        "福建省", "福州市", "平潭县", "地级", "政府")  # fmt: skip
    county = resolve_region("平潭县人民政府", year=2011)
    assert _fields(county, "county", "level") == ("平潭县", "县级")
    corps = resolve_region("新疆生产建设兵团", year=2020)
    assert _fields(corps, "province", "level") == ("新疆维吾尔自治区", "省级")
    eighth = resolve_region("新疆生产建设兵团第八师", year=2020)
    assert _fields(eighth, "province", "county", "level") == ("新疆维吾尔自治区", "石河子市", "地级")
    regiment = resolve_region("新疆生产建设兵团第八师一二一团", year=2020)
    assert _fields(regiment, "county", "level", "body_type") == ("石河子市", "县级", "政府")
    assert _fields(resolve_region("兵团第十二师", year=2020), "province", "county", "level") == (
        "新疆维吾尔自治区", None, "地级")  # fmt: skip
    xiongan = resolve_region("雄安新区管委会", year=2020)
    assert _fields(xiongan, "province", "city", "level", "body_type") == ("河北省", "保定市", "地级", "政府")
    assert _fields(resolve_region("雄安新区雄县", year=2020), "city", "county", "level") == ("保定市", "雄县", "县级")
    zone = resolve_region("武威市经济技术开发区管委会", year=2020)  # a zone inside a city: one level below it
    assert _fields(zone, "city", "level", "body_type") == ("武威市", "县级", "政府")


def test_municipality_and_central() -> None:
    shanghai = resolve_region("上海市人民政府办公厅", year=2019)
    assert _fields(shanghai, "province", "city", "level", "body_type") == ("上海市", None, "省级", "政府")
    district = resolve_region("上海市浦东新区人民政府")
    assert _fields(district, "province", "city", "county", "level") == ("上海市", None, "浦东新区", "县级")
    state = resolve_region("国务院办公厅")
    assert _fields(state, "province", "level", "body_type") == (None, "中央", "政府")
    assert _fields(resolve_region("国家统计局"), "level", "body_type") == ("中央", "部门")
    assert _fields(resolve_region("教育部"), "level", "body_type") == ("中央", "部门")


def test_title_and_hint_fallbacks() -> None:
    assert issuer_from_title("2019年上海市人民政府办公厅政府信息公开工作年度报告") == "上海市人民政府办公厅"
    assert issuer_from_title("青铜峡市2020年政府信息公开工作年度报告") == "青铜峡市"
    assert issuer_from_title("武威市人民政府信息公开年度报告") == "武威市"
    letter = resolve_region("武威市人民政府关于报送2020年度政府信息公开工作年度报告的函", year=2020)
    assert _fields(letter, "city", "body_type") == ("武威市", "政府")
    from_title = resolve_region(None, title="武威市2019年政府信息公开工作年度报告", year=2019)
    assert _fields(from_title, "city", "level", "body_type") == ("武威市", "地级", "政府")
    from_hint = resolve_region("县教育局", hint="福建省福州市平潭县", year=2015)
    assert _fields(from_hint, "county", "level", "body_type") == ("平潭县", "县级", "部门")
    unknown_town = resolve_region("XX县XX镇人民政府")
    assert _fields(unknown_town, "province", "level", "body_type", "confident") == (None, "乡级", "政府", False)
    site_only = resolve_region(None, hint="福建省福州市平潭县", year=2015)
    assert _fields(site_only, "county", "region_code", "body_type") == ("平潭县", "350128", None)
    nothing = resolve_region("办公室")
    assert not nothing.confident and nothing.province is None
    assert resolve_region(None) == Region()


# --- the reports of the same site settle what one report leaves open (indexer/sites.py calls these) -------------

GULOU = {"350102": "福州市", "320106": "南京市", "320302": "徐州市", "410204": "开封市"}


def test_open_places_carry_their_candidates() -> None:
    town = resolve_region("团堡镇人民政府", year=2020)  # a township needs its county: not resolved alone
    assert (town.province, town.confident, town.candidates) == (None, False, ("422802105",))
    titled = resolve_region("团堡镇", title="团堡镇2020年政府信息公开工作年度报告", year=2020)
    assert titled.candidates == ("422802105",)
    gulou = resolve_region("鼓楼区人民政府", year=2020)
    assert not gulou.confident and set(gulou.candidates) == set(GULOU)
    assert resolve_region("福州市鼓楼区人民政府", year=2020).candidates == ()  # decided: nothing open
    assert resolve_region("XX县XX镇人民政府").candidates == ()


def test_site_regions_choose_the_one_candidate_they_point_to() -> None:
    town = ("422802105",)
    assert settle_by_site(town, {"422802"}) == "422802105"  # the county's own report
    assert settle_by_site(town, {"422802102"}) == "422802105"  # another township of the county (汪营镇)
    assert settle_by_site(town, {"422800"}) == "422802105"  # the city's site: its counties' townships
    assert settle_by_site(town, {"420000"}) is None  # the province alone does not name the parent
    assert settle_by_site(town, set()) is None
    assert settle_by_site(town, {"350102"}) is None  # another province: nothing points to it
    gulou = tuple(GULOU)
    assert settle_by_site(gulou, {"350100"}) == "350102"
    assert settle_by_site(gulou, {"350102001", "350128"}) == "350102"  # a street of it; a county of its city
    assert settle_by_site(gulou, {"350000"}) is None
    assert settle_by_site(gulou, {"320100", "320300"}) is None  # 南京 and 徐州 both have a 鼓楼区: a tie
    assert settle_by_site(gulou, {"350100", "320100"}) is None  # a site of several provinces is a collection
    assert settle_by_site(gulou, {"420600"}) is None
    assert site_support("350102", {"350100", "350128", "350000"}) == ["福州市", "平潭县"]


def test_a_settled_report_reads_as_if_its_text_had_named_the_parent() -> None:
    from indexer.model import Document
    from indexer.parse import parse_document
    from indexer.parse.pipeline import settle_region

    text = ("团堡镇2020年政府信息公开工作年度报告\n本报告由本镇编制。\n一、总体情况\n2020年，我镇认真贯彻落实政务公开工作要点。\n"
            "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n本年度未收到政府信息公开申请。\n"
            "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n无。\n{}\n2021年1月20日\n")
    alone = parse_document(Document(text=text.format("团堡镇人民政府"), source="x", format="txt"))
    signed = parse_document(Document(text=text.format("利川市团堡镇人民政府"), source="x", format="txt"))
    assert alone.region_candidates == ("422802105",) and alone.province is None
    assert any(w.code == "region.unresolved" for w in alone.warnings)
    settle_region(alone, "422802105", "lichuan.gov.cn：利川市")
    keys = ("issuer", "issuer_id", "province", "city", "county", "township", "region_code", "level", "body_type")
    assert {k: getattr(alone, k) for k in keys} == {k: getattr(signed, k) for k in keys}
    assert [w.code for w in alone.warnings if w.code.startswith("region")] == ["region.site"]
    assert "利川市" in alone.warnings[0].message
