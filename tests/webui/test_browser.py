"""The README path in a real browser (Debian chromium, headless, via Playwright) against a real server on loopback:
search 政务新媒体, tick 甘肃省, follow a result, land on the section with the highlight in view; the compare page
draws its chart and its CSV downloads."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")

from webui import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CHROMIUM = os.environ.get("NIANBAO_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def base_url(samples_index):
    import waitress.server

    server = waitress.server.create_server(create_app(samples_index), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    # a CSP violation or a script error shows up here
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def test_search_tick_a_province_follow_a_result_and_see_the_highlight(page, base_url, tmp_path):
    expect = playwright_sync.expect
    page.goto(base_url + "/")
    page.get_by_label("检索式").fill("政务新媒体")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    expect(page.locator("li.report").first).to_be_visible()
    total_all = int(page.locator(".summary strong").first.inner_text())

    # tick 甘肃省: the form submits itself, the URL carries the filter, a chip appears
    page.get_by_role("checkbox", name="甘肃省").check()
    page.wait_for_url("**province=*")
    expect(page.locator("a.chip").first).to_contain_text("甘肃省")
    total_gansu = int(page.locator(".summary strong").first.inner_text())
    assert 0 < total_gansu < total_all
    for meta in page.locator("li.report .meta").all_inner_texts():
        assert "甘肃省" in meta
    page.screenshot(path=str(tmp_path / "search.png"))

    # follow the first matching section
    link = page.locator("ul.sections a.sec").first
    href = link.get_attribute("href")
    anchor = href.split("#", 1)[1]
    link.click()
    page.wait_for_url("**/report/**")
    assert page.evaluate("location.hash") == "#" + anchor
    current = page.locator(".fulltext mark.current")
    expect(current).to_have_count(1)
    expect(current).to_be_in_viewport()
    assert current.inner_text().replace(" ", "").replace("\n", "") == "政务新媒体"
    # the highlighted match is in the section the result pointed to
    assert page.evaluate(f"document.getElementById({anchor!r}).contains(document.querySelector('mark.current'))")
    page.screenshot(path=str(tmp_path / "report.png"))

    # the back button returns to the filtered results
    page.go_back()
    page.wait_for_url("**province=*")
    expect(page.get_by_role("checkbox", name="甘肃省")).to_be_checked()
    assert not page.errors, page.errors


def test_compare_page_draws_its_chart_and_downloads_a_csv(page, base_url, tmp_path):
    page.goto(base_url + "/compare?field=series.applications")
    chart = page.locator("figure.chart-box svg")
    playwright_sync.expect(chart).to_be_visible()
    marks = page.locator("svg circle.point, svg rect.bar")
    assert marks.count() > 0
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").click()
    path = info.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("发布机关,省份,城市,区县,")
    assert "人民政府" in text
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    assert not page.errors, page.errors


def test_phone_layout_fits_and_keyboard_reaches_the_search_box(browser, base_url, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "/?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.evaluate("document.getElementById('facet-panel').open") is False  # facets folded, results first
    playwright_sync.expect(page.locator("li.report").first).to_be_in_viewport()
    page.screenshot(path=str(tmp_path / "phone.png"))
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.get_by_label("检索式").focus()
    page.keyboard.type("政务公开")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    assert page.locator("li.report").count() > 0
    context.close()


def test_year_over_year_diff_marks_new_and_dropped_sentences(page, base_url, tmp_path):
    """From a sample report's page, 与上年对比 opens the diff: new sentences green with +, dropped ones red with −,
    long unchanged runs folded, the figures table below."""
    expect = playwright_sync.expect
    page.goto(base_url + "/?q=" + "洪泽区")
    page.locator("li.report a", has_text="2024").first.click()
    page.get_by_role("link", name="与上年对比").first.click()
    page.wait_for_url("**/diff")
    expect(page.locator("ol.diff-lines li.new").first).to_be_visible()
    expect(page.locator("ol.diff-lines li.dropped").first).to_be_visible()
    assert page.locator("ol.diff-lines li.folded").count() > 0
    new_bg = page.locator("ol.diff-lines li.new").first.evaluate("e => getComputedStyle(e).backgroundColor")
    dropped_bg = page.locator("ol.diff-lines li.dropped").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert new_bg != dropped_bg and "0, 0, 0, 0" not in new_bg + dropped_bg
    assert page.locator("li.new .mark").first.inner_text() == "+"
    expect(page.locator("table.diff-fields tbody tr").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=False)
    assert not page.errors, page.errors


def test_a_malformed_hash_leaves_the_report_page_working(page, base_url, tmp_path):
    page.goto(base_url + "/?q=" + "政务新媒体")
    href = page.locator("ul.sections a.sec").first.get_attribute("href")
    page.goto(base_url + href.split("#", 1)[0].removeprefix(base_url) + "#%E0%A4%A")  # "%A" is no escape
    current = page.locator(".fulltext mark.current")
    playwright_sync.expect(current).to_have_count(1)
    expect_visible = page.locator(".hitnav").first
    playwright_sync.expect(expect_visible).to_be_visible()
    page.screenshot(path=str(tmp_path / "malformed-hash.png"))
    assert not page.errors, page.errors


def test_issue_14_page_walk_sort_page_export_field_hit_and_citation(browser, base_url, tmp_path):
    """Search, tick a province, sort by a table field, page forward, export CSV, open a field-matched report on its
    marked cell, copy the citation.  Screenshots also go to $NIANBAO_SHOTS when set, for a person to look at."""
    import csv
    import io
    from urllib.parse import parse_qs, urlsplit

    expect = playwright_sync.expect
    shots = Path(os.environ.get("NIANBAO_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(base_url + "/?limit=2")
    page.get_by_label("检索式").fill("政务公开")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    page.get_by_role("checkbox", name="甘肃省").check()
    page.wait_for_url("**province=*")
    page.locator("#sort").select_option("series.applications")
    page.wait_for_url("**sort=series.applications*")
    total = int(page.locator(".summary strong").first.inner_text())
    assert total == 3
    page.screenshot(path=str(shots / "walk-1-sorted.png"), full_page=True)

    page.get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2*")
    args = parse_qs(urlsplit(page.url).query)
    assert args["limit"] == ["2"] and args["sort"] == ["series.applications"] and args["province"] == ["甘肃省"]
    assert page.locator("li.report").count() == 1
    page.screenshot(path=str(shots / "walk-2-page2.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == total and {r["省级"] for r in rows} == {"甘肃省"}

    page.get_by_role("link", name="清除全部").click()
    page.wait_for_url(lambda url: "province" not in url)
    page.get_by_label("检索式").fill("apply.new.total:>100")
    page.keyboard.press("Enter")
    page.wait_for_url("**apply.new.total*")
    hit = page.locator("ul.field-hits a").first
    expect(hit).to_contain_text("本年新收政府信息公开申请数量")
    page.screenshot(path=str(shots / "walk-3-field-hits.png"), full_page=True)
    hit.click()
    page.wait_for_url("**/report/**#f-apply.new.total")
    cell = page.locator("td.field-hit")
    expect(cell).to_have_count(1)
    expect(cell).to_be_in_viewport()
    page.screenshot(path=str(shots / "walk-4-field-cell.png"))

    page.get_by_role("button", name="复制引用").click()
    expect(page.locator(".cite .copied")).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#nb-cite").inner_text() and "[EB/OL]" in copied
    page.locator("#nb-cite").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "walk-5-citation.png"))
    assert not errors, errors
    context.close()


def test_words_mode_toggle_and_the_fallback_notice(page, base_url, tmp_path):
    """A phrase no report holds as one string: the page says so and shows what words mode finds; the 分词 toggle
    then searches in words mode, its words marked in the snippets."""
    expect = playwright_sync.expect
    page.goto(base_url + "/?q=政务新媒体建设情况")
    notice = page.locator("#words-fallback")
    expect(notice).to_contain_text("没有精确匹配“政务新媒体建设情况”，以下为分词匹配")
    expect(page.locator("li.report").first).to_be_visible()
    page.screenshot(path=str(os.environ.get("NIANBAO_SHOTS", tmp_path)) + "/fallback.png", full_page=False)
    page.get_by_label("分词").check()
    page.wait_for_url("**mode=words*")
    expect(page.locator("#words-note")).to_contain_text("政务新媒体 / 建设 / 情况")
    marks = set(page.locator("p.snippet mark").all_inner_texts())
    assert {"政务新媒体", "建设", "情况"} <= marks
    expect(page.locator("#words-fallback")).to_have_count(0)
    assert not page.errors, page.errors


def test_report_page_shows_keywords_and_similar_reports(page, base_url, tmp_path):
    """Keywords link to the 主题词 filter; similar reports list the same issuer's other year first (洪泽区)."""
    expect = playwright_sync.expect
    page.goto(base_url + "/?q=洪泽区2023")
    page.locator("li.report a").first.click()
    page.wait_for_url("**/report/*")
    keywords = page.locator("#nb-keywords li a")
    expect(keywords.first).to_be_visible()
    assert keywords.count() >= 5
    similar = page.locator("#nb-similar li")
    expect(similar.first).to_contain_text("同一机关")
    expect(similar.first).to_contain_text("2024")
    page.screenshot(path=str(os.environ.get("NIANBAO_SHOTS", tmp_path)) + "/report.png", full_page=True)
    word = keywords.first.inner_text()
    keywords.first.click()
    page.wait_for_url("**keyword=*")
    expect(page.locator("a.chip").first).to_contain_text(f"主题词：{word}")
    assert int(page.locator(".summary strong").first.inner_text()) >= 1
    assert not page.errors, page.errors


def test_tick_an_issuer_and_see_only_that_bodys_reports_of_every_year(page, base_url, tmp_path):
    expect = playwright_sync.expect
    page.goto(base_url + "/")
    facet = page.locator('fieldset.facet[data-key="issuer"]')
    expect(facet.locator("legend")).to_have_text("发布机关")
    # one body of two years (…2019年… and …2020年度… in their titles) is one value, shown by its name
    wuwei = facet.locator("label.fv", has_text="武威市人民政府")
    expect(wuwei).to_have_count(1)
    expect(wuwei.locator(".count")).to_have_text("2")
    wuwei.get_by_role("checkbox").check()
    page.wait_for_url("**issuer=*")
    assert "issuer=620600%2F" in page.url  # the key is submitted, the name shown
    expect(page.locator("a.chip").first).to_contain_text("发布机关：武威市人民政府")
    assert page.locator(".summary strong").first.inner_text() == "2"
    metas = page.locator("li.report .meta").all_inner_texts()
    assert len(metas) == 2 and all("武威市人民政府" in m for m in metas)
    assert sorted(m for meta in metas for m in ("2019", "2020") if m in meta) == ["2019", "2020"]
    page.screenshot(path=str(tmp_path / "issuer.png"), full_page=True)
    # unticking brings every body back
    # click, not uncheck(): uncheck() re-reads the box after the page it submits has replaced it, and this locator
    # (a ticked value) then finds nothing
    page.locator('fieldset.facet[data-key="issuer"] label.fv.on').get_by_role("checkbox").click()
    page.wait_for_url(lambda url: "issuer=" not in url)
    assert int(page.locator(".summary strong").first.inner_text()) > 2
    assert not page.errors, page.errors


def test_report_page_links_its_tujie(browser, tmp_path):
    """A report whose 图解 page was seen before it: the report page names it, 图解：<标题>, linking to the page."""
    import waitress.server

    from indexer.library import Library
    from indexer.model import NotAReport

    title = "武威市2019年政府信息公开工作年度报告"
    url = "https://www.gswuwei.gov.cn/tj/t20200305_1.html"
    index = tmp_path / "index"
    with Library(index) as lib:
        tujie = (f"<html><head><meta charset='utf-8'><title>一图读懂{title}</title></head><body><h1>一图读懂{title}"
                 "</h1><div><p><img src='tj.jpg'></p></div></body></html>").encode("utf-8")
        with pytest.raises(NotAReport):
            lib.add_bytes(tujie, "t20200305_1.html", source=url)
        rid = lib.add_bytes((SAMPLES / "seeds" / "000_9cc224736a79167a.txt").read_bytes(), "000.txt").id
    server = waitress.server.create_server(create_app(index), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{server.effective_port}/report/{rid}")
        link = page.locator("dd.illustrations a")
        playwright_sync.expect(link).to_have_text(f"一图读懂{title}")
        assert link.get_attribute("href") == url
        playwright_sync.expect(page.locator("dd.illustrations li")).to_have_text(f"图解：一图读懂{title}")
        page.screenshot(path=str(Path(os.environ.get("NIANBAO_SHOTS") or tmp_path) / "report-tujie.png"))
        assert not errors, errors
    finally:
        context.close()
        server.close()
