"""Discovery on its own: report titles, pagination in the CMS forms, Hanweb datastores, page decisions."""

from scrapers.discover import (analyse_page, is_column_title, is_report_title, list_targets, may_be_report_title,
                               normalise_date, page_is_report, report_attachments)

BASE = "http://portal.test/zwgk/zfxxgknb/index.html"


def test_report_titles():
    for t in ["平潭综合实验区2021年度政府信息公开工作年度报告", "2019年上海市人民政府办公厅政府信息公开工作年度报告",
              "淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "某某区教育局2020年度政府信息公开年报",
              "青 铜 峡 市 2020年政府信息公开工作年度报告", "某县二〇一九年政府信息公开工作年度报告",
              "某市2018年政务公开工作年度报告"]:
        assert is_report_title(t), t
    for t in ["关于做好2020年度政府信息公开工作年度报告编制发布工作的通知", "2020年度政府信息公开工作年度报告解读",
              "关于开展2021年度企业年报公示工作的提醒", "一图读懂平潭综合实验区2020年度政府信息公开工作年度报告",
              "政府信息公开年报", "某市2022年法治政府建设年度报告", "2021年度部门决算", "新闻动态", "",
              "某县政府信息公开工作年度报告"]:  # no year: a column, not one report
        assert not is_report_title(t), t


def test_truncated_and_column_titles():
    assert may_be_report_title("平潭综合实验区2021年度政府信息公开...")
    assert not may_be_report_title("平潭综合实验区2021年度政府信息公开工作年度报告")
    assert is_column_title("政府信息公开年报") and is_column_title("2022年度") and is_column_title("部门年报")
    assert not is_column_title("政府信息公开指南") and not is_column_title("关于开展年报公示的通知")


def test_dates():
    assert normalise_date("2022-02-08 16:34") == "2022-02-08"
    assert normalise_date("发布日期：2023年3月1日") == "2023-03-01"
    assert normalise_date("2021/3/5") == "2021-03-05"
    assert normalise_date("第2021号") is None


def test_trs_create_page_html_forms():
    classic = """<html><body><script>var currentPage = 0;//所在页从0开始
    var countPage = 4//共多少页
    createPageHTML(countPage, currentPage, "index", "html");</script></body></html>"""
    page = analyse_page(classic, BASE)
    assert page.pagination == [f"http://portal.test/zwgk/zfxxgknb/index_{i}.html" for i in (1, 2, 3)]
    newer = """<html><body><div id="page_div"></div>
    <script>createPageHTML('page_div', 3, 1, 'list', 'shtml', 45);</script></body></html>"""
    page = analyse_page(newer, "http://portal.test/a/b/list_1.shtml")
    assert set(page.pagination) == {"http://portal.test/a/b/list.shtml", "http://portal.test/a/b/list_2.shtml"}


def test_hanweb_datastore_records_and_nextgroup():
    html = """<html><head><title>政府信息公开年报</title></head><body><div id="1001">
    <script type="text/xml"><datastore>
    <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=2&columnid=1001"></a>]]></nextgroup>
    <recordset><record><![CDATA[
    <li><a href="/art/2024/1/20/art_1001_5001.html" title="洪泽区人民政府2023年政府信息公开工作年度报告">洪泽区人民政府2023年政府信息公开工作...</a></li>
    ]]></record><record><![CDATA[<li><a href='/art/2024/2/1/art_1001_6001.html'>洪泽区2023年政府信息公开工作年度报告图解</a></li>]]></record>
    </recordset><totalrecord>2</totalrecord></datastore></script></div></body></html>"""
    page = analyse_page(html, "http://hz.test/col/col1001/index.html")
    reports, columns, pages = list_targets(page)
    assert [r.url for r in reports] == ["http://hz.test/art/2024/1/20/art_1001_5001.html"]
    assert reports[0].text == "洪泽区人民政府2023年政府信息公开工作年度报告"  # the title attribute, not the shortened text
    assert pages == ["http://hz.test/module/web/jpage/dataproxy.jsp?page=2&columnid=1001"]
    # the data proxy answers with bare XML: its records are found the same way
    xml = """<?xml version="1.0" encoding="UTF-8"?><datastore><recordset><record><![CDATA[
    <a href="/art/2021/3/3/art_1001_5006.html">武威市2020年度政府信息公开工作年度报告</a>]]></record></recordset></datastore>"""
    reports, _, _ = list_targets(analyse_page(xml, pages[0]))
    assert [r.url for r in reports] == ["http://hz.test/art/2021/3/3/art_1001_5006.html"]


def test_query_pagination_and_page_links():
    html = """<html><body><ul><li><a href="detail?id=7">某县2020年政府信息公开工作年度报告</a></li></ul>
    <div class="pager"><a href="list?cat=9&page=2">2</a><a href="list?cat=9&page=3">下一页</a>
    <a href="list?cat=8&page=1">其他栏目</a><a href="/index.html">首页</a></div></body></html>"""
    page = analyse_page(html, "http://x.test/list?cat=9&page=1")
    assert set(page.pagination) == {"http://x.test/list?cat=9&page=2", "http://x.test/list?cat=9&page=3"}


def _article(title: str, body: str, extra: str = "") -> str:
    return (f"<html><head><meta name='ArticleTitle' content='{title}'><meta name='PubDate' content='2021-03-05 10:00'>"
            f"<title>{title}_某县人民政府</title></head><body><div class='nav'><a href='/'>首页</a></div>"
            f"<h1>{title}</h1><div>来源：某县人民政府办公室 时间：2021-03-05</div><div id='zoom'>{body}</div>{extra}"
            f"<div class='foot'>主办：某县人民政府 网站标识码：3501280001</div></body></html>")


def test_report_page_with_its_own_text():
    title = "某县2020年政府信息公开工作年度报告"
    body = "<p>" + "根据《中华人民共和国政府信息公开条例》要求，现公布本县2020年政府信息公开工作年度报告。" * 40 + "</p>"
    related = "<div>上一篇：<a href='/a/2.htm'>某县2019年政府信息公开工作年度报告</a></div>"
    page = analyse_page(_article(title, body, related), "http://x.test/a/1.htm")
    assert page.title == title and page.published == "2021-03-05" and page.issuer == "某县人民政府办公室"
    assert page_is_report(page, title)
    assert report_attachments(page) == []  # the page itself is the report


def test_attachment_only_report_page():
    title = "某县2020年政府信息公开工作年度报告"
    body = (f"<p>现将《{title}》予以公布，详见附件。</p><p>附件：<a href='/u/W0201.pdf'>{title}.pdf</a>"
            f"<a href='/u/W0202.xls'>统计表.xls</a></p>")
    page = analyse_page(_article(title, body), "http://x.test/a/1.htm")
    assert page_is_report(page, title)
    assert [a.url for a in report_attachments(page)] == ["http://x.test/u/W0201.pdf"]


def test_year_column_titled_like_a_report_is_a_list():
    title = "2020年度政府信息公开工作年度报告"
    items = "".join(f"<li><a href='/a/{i}.htm'>某县{name}2020年政府信息公开工作年度报告</a></li>"
                    for i, name in enumerate(["教育局", "财政局", "民政局", "卫健委"]))
    page = analyse_page(f"<html><head><title>{title}</title></head><body><h3>{title}</h3><ul>{items}</ul></body></html>",
                        "http://x.test/nb/2020/index.html")
    assert not page_is_report(page, title)
    assert len(list_targets(page)[0]) == 4


def test_notice_mentioning_annual_report_is_not_a_report():
    title = "关于做好2020年度政府信息公开工作年度报告编制发布工作的通知"
    page = analyse_page(_article(title, "<p>各单位：请按时编制年报。</p>"), "http://x.test/a/9.htm")
    assert not page_is_report(page, title)
    assert not page_is_report(page, "某县2020年政府信息公开工作年度报告")  # a misleading link text does not win


def test_sidebar_text_does_not_hide_an_attachment_only_page():
    title = "某县2022年政府信息公开工作年度报告"
    sidebar = "<div class='side'><p>" + "政府信息公开指南：本机关负责政府信息公开的日常工作。" * 40 + "</p></div>"
    body = "<p>详见附件。</p><p><a href='/u/a.docx'>附件下载</a></p>"
    page = analyse_page(_article(title, body, sidebar), "http://x.test/a/3.htm")
    assert page.body_chars < 100
    assert [a.url for a in report_attachments(page)] == ["http://x.test/u/a.docx"]


def test_pdf_shown_in_a_viewer_iframe_is_the_attachment():
    title = "某县2022年政府信息公开工作年度报告"
    body = "<iframe src='/pdfjs/web/viewer.html?file=/u/2022nb.pdf' width='100%'></iframe>"
    page = analyse_page(_article(title, body), "http://x.test/a/4.htm")
    assert [a.url for a in report_attachments(page)] == ["http://x.test/u/2022nb.pdf"]


def test_year_without_nian():
    assert is_report_title("某县政府信息公开工作年度报告（2022）")
    assert not is_report_title("某县政府信息公开工作年度报告（第12345号）")


def test_xhtml_with_xml_declaration():
    xhtml = ('<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
             "<title>年报</title></head><body><a href='/a/1.htm'>某县2020年政府信息公开工作年度报告</a></body></html>")
    page = analyse_page(xhtml, "http://x.test/nb/")
    assert [r.url for r in list_targets(page)[0]] == ["http://x.test/a/1.htm"]


def test_issuer_names_do_not_look_like_other_things():
    for t in ["某市审计局2022年政府信息公开工作年度报告", "某省新闻出版局2021年度政府信息公开工作年度报告",
              "某县工商行政管理局2016年政府信息公开工作年度报告", "某市职业技能培训中心2020年政府信息公开年报"]:
        assert is_report_title(t), t
    assert not is_report_title("某市2022年度企业年报公示政府信息公开提示")
    assert not is_report_title("某市2022年政府信息公开工作年度报告培训会召开")


def test_other_pagination_function_names():
    html = "<html><body><script>createPageHtml(3, 0, 'index', 'htm');</script></body></html>"
    page = analyse_page(html, "http://x.test/nb/index.htm")
    assert page.pagination == ["http://x.test/nb/index_1.htm", "http://x.test/nb/index_2.htm"]


def test_download_script_links_are_attachment_candidates():
    title = "某县2022年政府信息公开工作年度报告"
    body = "<p>详见附件。</p><p><a href='/servlet/Download?id=9981'>附件1</a> <a href='/nb/more.html'>更多下载</a></p>"
    page = analyse_page(_article(title, body), "http://x.test/a/5.htm")
    assert [a.url for a in report_attachments(page)] == ["http://x.test/servlet/Download?id=9981"]


def test_hanweb_later_groups_from_the_data_proxy():
    records = "".join(f"<record><![CDATA[<a href='/art/2024/1/{i}/art_7_{i}.html'>x</a>]]></record>" for i in range(1, 4))
    html = (f"<html><body><div id='7'><script type='text/xml'><datastore><nextgroup><![CDATA[<a href='/module/web/"
            f"jpage/dataproxy.jsp?page=1&webid=2&columnid=7'></a>]]></nextgroup><recordset>{records}</recordset>"
            f"<totalrecord>8</totalrecord></datastore></script><script>$('#7').jpage({{perPage: 3}});</script>"
            f"</div></body></html>")
    page = analyse_page(html, "http://hw.test/col/col7/index.html")
    proxy = "http://hw.test/module/web/jpage/dataproxy.jsp?"
    assert page.pagination == [proxy + "page=1&webid=2&columnid=7",
                               proxy + "startrecord=4&endrecord=6&perpage=3&webid=2&columnid=7",
                               proxy + "startrecord=7&endrecord=8&perpage=3&webid=2&columnid=7"]
    # a group answered by the proxy does not start the series again
    again = analyse_page(html, proxy + "startrecord=4&endrecord=6&perpage=3&webid=2&columnid=7")
    assert len(again.pagination) == 1
