"""The reports of one site settle a region their own texts leave open (indexer/sites.py), in whatever order they
arrive: a township report that names no county takes the county that the site's other reports are of."""

from __future__ import annotations

import pytest

from indexer.library import Library

_TEXT = """{title}
本报告由{who}编制。
一、总体情况
2020年，{who}认真贯彻落实政务公开工作要点，持续推进决策、执行、管理、服务、结果公开。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
本年度未收到政府信息公开申请。
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
六、其他需要报告的事项
无。
{sign}
2021年1月20日
"""
COUNTY = _TEXT.format(title="利川市2020年政府信息公开工作年度报告", who="利川市人民政府办公室",
                      sign="利川市人民政府办公室").encode()
TOWN = _TEXT.format(title="团堡镇2020年政府信息公开工作年度报告", who="本镇", sign="团堡镇人民政府").encode()
REGION = ("province", "city", "county", "township", "region_code", "level", "body_type", "issuer", "issuer_id")
SETTLED = {"province": "湖北省", "city": "恩施土家族苗族自治州", "county": "利川市", "township": "团堡镇",
           "region_code": "422802105", "level": "乡级", "body_type": "政府", "issuer": "团堡镇人民政府",
           "issuer_id": "422802105/政府"}


def _town(lib: Library):
    return next(r for r in lib.reports() if r.title.startswith("团堡镇"))


def _region(report) -> dict:
    return {k: getattr(report, k) for k in REGION}


@pytest.mark.parametrize("order", ["county first", "township first"])
def test_the_township_takes_its_county_from_the_site_in_either_order(tmp_path, order):
    docs = [(COUNTY, "county.html", "http://www.lichuan.gov.cn/zwgk/county.html"),
            (TOWN, "town.html", "http://lichuan.gov.cn/zwgk/town.html")]  # one site, with and without www.
    if order == "township first":
        docs.reverse()
    with Library(tmp_path / "idx") as lib:
        for data, name, url in docs:
            lib.add_bytes(data, name, content_type="text/plain", source=url, meta={"url": url})
        town = _town(lib)
        assert _region(town) == SETTLED
        codes = [w.code for w in town.warnings if w.code.startswith("region")]
        assert codes == ["region.site"] and "利川市" in town.warnings[0].message
        # searchable under its county at once, nothing left for a later sync
        assert lib.search("团堡镇", filters={"county": ["利川市"]})["total"] == 1
        assert lib.pending() == 0
        # a re-parse of the stored documents (reindex --from-store) gives the same, whatever it meets first
        before = {r.id: r.to_json() for r in lib.reports()}
        lib.reparse_all()
        assert {r.id: r.to_json() for r in lib.reports()} == before


def test_another_site_or_no_site_settles_nothing(tmp_path):
    with Library(tmp_path / "idx") as lib:
        lib.add_bytes(COUNTY, "county.html", content_type="text/plain", source="http://www.lichuan.gov.cn/a.html",
                      meta={"url": "http://www.lichuan.gov.cn/a.html"})
        lib.add_bytes(TOWN, "town.txt", content_type="text/plain", source="town.txt")  # no address, no directory
        lib.add_bytes(TOWN.replace("2020年".encode(), "2021年".encode(), 1), "town.html", content_type="text/plain",
                      source="http://www.enshi.gov.cn/b.html", meta={"url": "http://www.enshi.gov.cn/b.html"})
        towns = [r for r in lib.reports() if r.title.startswith("团堡镇")]
        assert len(towns) == 2
        for town in towns:
            assert town.province is None and any(w.code == "region.unresolved" for w in town.warnings)


def test_local_files_of_one_directory_are_one_site(tmp_path):
    site, other = tmp_path / "lichuan", tmp_path / "elsewhere"
    site.mkdir()
    other.mkdir()
    (site / "a-town.txt").write_bytes(TOWN)  # added before the county report of its directory
    (site / "b-county.txt").write_bytes(COUNTY)
    (other / "town-2021.txt").write_bytes(TOWN.replace("2020年".encode(), "2021年".encode(), 1))
    with Library(tmp_path / "idx") as lib:
        result = lib.add_paths([site, other], workers=1)
        assert not result.failed and len(result.added) == 3
        towns = {r.year: r for r in lib.reports() if r.title.startswith("团堡镇")}
        assert _region(towns[2020]) == SETTLED
        assert towns[2021].province is None
        assert lib.pending() == 0
        assert lib.search("团堡镇", filters={"county": ["利川市"]})["total"] == 1
