"""Issue 14 through Flask's test client on the bundled samples: no silent zero, table-field hits shown, paging that
keeps every parameter, export of what the page shows, traditional characters."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, quote, urlsplit

from pathlib import Path

import pytest

from webui import create_app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

FIELD_QUERY = "apply.new.total:>100"


def html(resp) -> str:
    return resp.get_data(as_text=True)


@pytest.fixture(scope="module")
def index_dir(samples_index):
    return samples_index


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app(index_dir).test_client()


@pytest.mark.parametrize("typed, meant", [("provnce:甘肃", "province"), ("apply.new.totl:>100", "apply.new.total")])
def test_an_unknown_key_is_an_error_naming_the_nearest_keys_on_the_page_and_in_the_api(client, typed, meant):
    page = client.get("/?q=" + quote(typed))
    assert page.status_code == 400
    assert "您是不是要找" in html(page) and meant in html(page)
    assert "引号、括号" not in html(page)  # a name that names nothing: no hint about the query's syntax
    for url in ("/api/search?q=", "/api/export?q=", "/api/facets?q="):
        api = client.get(url + quote(typed))
        assert api.status_code == 400 and meant in api.get_json()["error"]


def test_an_unknown_issuer_names_the_nearest_bodies_and_a_broken_query_gets_the_syntax_hint(client):
    page = html(client.get("/?q=" + quote("政务新媒体") + "&issuer=" + quote("武威市政府")))
    assert "没有这个发布机关：武威市政府" in page and "武威市人民政府" in page and "引号、括号" not in page
    assert "引号、括号" in html(client.get("/?q=" + quote('"政务新媒体')))


def test_a_field_matched_result_shows_the_field_and_opens_on_its_cell(client):
    page = html(client.get("/?q=" + quote(FIELD_QUERY)))
    summary = re.search(r'<div class="summary">(.*?)</p>', page, re.S).group(1)
    assert "项统计数字" in summary and "0 个章节" not in summary
    first = page[page.index('<li class="report">'):]
    first = first[:first.index("</li>\n        \n")] if "</li>\n        \n" in first else first[:3000]
    assert "依申请·本年新收政府信息公开申请数量·总计" in first and "3,119" in first
    link = re.search(r'href="(/report/[^"#]+#f-apply\.new\.total)"', page).group(1).replace("&amp;", "&")
    report = html(client.get(link))
    assert re.search(r'<td id="f-apply\.new\.total" class="field-hit"[^>]*>3,119<', report)
    assert "分词" not in report and "统计数字符合条件" in report


def test_the_report_page_never_blames_word_segmentation(client):
    rid = re.search(r'href="/report/([0-9a-f]+)', html(client.get("/?q=" + quote("武威")))).group(1)
    for q in ("武威", "武威 OR 不会出现的词", "-不会出现的词"):
        assert "分词" not in html(client.get(f"/report/{rid}?q={quote(q)}"))


def test_every_page_link_keeps_limit_sort_and_filters(client):
    page = html(client.get("/?q=&limit=2&sort=year_asc&level=" + quote("县级")))
    links = [a.replace("&amp;", "&") for a in re.findall(r'<nav class="pager".*?</nav>', page, re.S)[0].split('href="')[1:]]
    assert links
    for link in links:
        args = parse_qs(urlsplit(link.split('"')[0]).query)
        assert args["limit"] == ["2"] and args["sort"] == ["year_asc"] and args["level"] == ["县级"]


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client):
    page = html(client.get("/?limit=5&page=99"))
    assert "没有第 99 页" in page and "没有找到符合条件的报告" not in page
    assert 'aria-current="page">3<' in page  # 14 sample reports, 5 a page


def test_the_sort_menu_offers_the_field_sorts(client):
    page = html(client.get("/?q=" + quote(FIELD_QUERY)))
    menu = re.search(r'<select name="sort".*?</select>', page, re.S).group(0)
    assert 'value="apply.new.total"' in menu and 'value="series.applications"' in menu
    assert "依申请·本年新收政府信息公开申请数量·总计（大→小）" in menu
    sorted_page = html(client.get("/?q=" + quote(FIELD_QUERY) + "&sort=apply.new.total"))
    values = [int(v.replace(",", "")) for v in re.findall(r"= <strong>([\d,]+)</strong>", sorted_page)]
    assert values == sorted(values, reverse=True) and len(values) == 3


def test_the_results_page_downloads_csv_and_json_of_the_query_and_filters(client):
    page = html(client.get("/?q=" + quote("政务公开") + "&province=" + quote("甘肃省")))
    total = int(re.search(r"共 <strong>(\d+)</strong>", page).group(1))
    csv_link = re.search(r'href="(/api/export\?[^"]*format=csv)"', page).group(1).replace("&amp;", "&")
    json_link = re.search(r'href="(/api/export\?[^"]*format=json)"', page).group(1).replace("&amp;", "&")
    data = client.get(csv_link).get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel and WPS read UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编号", "标题"]
    assert len(rows) - 1 == total and all("甘肃省" in r for r in rows[1:])
    assert client.get(json_link).get_json()["total"] == total


def test_a_traditional_query_finds_and_marks_simplified_text(client):
    simplified = html(client.get("/?q=" + quote("政务新媒体")))
    traditional = html(client.get("/?q=" + quote("政務新媒體")))
    count = re.search(r"共 <strong>(\d+)</strong>", simplified).group(1)
    assert int(count) > 0 and re.search(r"共 <strong>(\d+)</strong>", traditional).group(1) == count
    assert "<mark>政务新媒体</mark>" in traditional


def _report_id(client, title: str) -> str:
    page = html(client.get("/?q=" + quote(f'"{title}"')))
    return re.search(r'href="/report/([0-9a-f]+)', page).group(1)


def test_a_report_shows_its_original_address_and_a_citation_and_serves_its_original(client):
    rid = _report_id(client, "平潭县人民政府2011年政府信息公开工作年度报告")
    page = html(client.get(f"/report/{rid}"))
    url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201204/t20120418_80716.htm"  # its 原文链接 header
    assert f'<dt>原文链接</dt><dd class="source"><a href="{url}"' in page
    cite = re.search(r'<span id="nb-cite">([^<]*)</span>', page).group(1)
    assert cite.startswith("平潭县人民政府. 平潭县人民政府2011年政府信息公开工作年度报告[EB/OL]. (2012-04-18)[")
    assert cite.endswith(f"]. {url}.")
    original = client.get(f"/report/{rid}/original")
    assert original.status_code == 200 and "attachment" in original.headers["Content-Disposition"]
    assert original.data == (SAMPLES / "real" / "pingtan-001.txt").read_bytes()
    assert client.get(f"/api/reports/{rid}").get_json()["source"] == url
    assert client.get("/report/nosuchreport/original").status_code == 404


def test_a_pdf_report_without_an_address_cites_its_file_and_serves_the_pdf(client):
    rid = _report_id(client, "淮安市人民政府2024年政府信息公开工作年度报告")
    page = html(client.get(f"/report/{rid}"))
    assert "本地文件：017_szfgs2024.pdf" in page and "未知原文网址" in page
    original = client.get(f"/report/{rid}/original")
    assert original.mimetype == "application/pdf" and original.data.startswith(b"%PDF")


def test_years_sit_at_their_real_distance_and_a_missing_year_is_a_gap():
    from webui.charts import chart

    svg = str(chart([2015, 2019, 2020], [("甲", {2015: 10, 2019: 20, 2020: 30})]))
    xs = [float(x) for x in re.findall(r'<circle class="point" cx="([\d.]+)"', svg)]
    assert abs((xs[1] - xs[0]) - 4 * (xs[2] - xs[1])) < 0.5  # 2015→2019 is four times 2019→2020
    assert svg.count('class="gap"') == 3 and "2017：无数据" in svg
    lines = re.findall(r'<polyline class="line" points="([^"]+)"', svg)
    assert len(lines) == 1 and len(lines[0].split()) == 2  # 2019–2020 only: no line across the missing years


def test_the_compare_field_menu_is_grouped_by_table_without_raw_keys(client):
    page = html(client.get("/compare?field=apply.new.total"))
    menu = re.search(r'<select name="field".*?</select>', page, re.S).group(0)
    assert '<optgroup label="三、收到和处理政府信息公开申请情况">' in menu
    visible = re.sub(r"<[^>]+>", " ", menu)
    assert "apply.new.total" not in visible and "本年新收政府信息公开申请数量·总计" in visible


def test_the_statistics_table_keeps_its_group_row(client):
    rid = _report_id(client, "淮安市人民政府2024年政府信息公开工作年度报告")
    page = html(client.get(f"/report/{rid}"))
    rows = re.findall(r'<tr class="i\d"><th scope="row">([^<]+)</th>', page)
    i = rows.index("三、本年度办理结果")
    assert rows[i - 1].startswith("二、") and rows[i + 1] == "（一）予以公开"


def test_an_unknown_url_parameter_names_the_nearest_one(client):
    # ?provnce=甘肃省 would otherwise list every report as if filtered
    page = client.get("/?provnce=" + quote("甘肃省"))
    assert page.status_code == 400 and "provnce" in html(page) and "province" in html(page)
    api = client.get("/api/search?q=x&provnce=" + quote("甘肃省"))
    assert api.status_code == 400 and "province" in api.get_json()["error"]
    assert client.get("/api/search?q=x&_=1").status_code == 200
