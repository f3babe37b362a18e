"""The WARC archive and the crawl state on their own: torn records cut off on restart, documents rebuilt from the
WARC alone, documents archived before a crash added on the next run without fetching them again."""

from __future__ import annotations

import gzip

import pytest

from scrapers.archive import ArchiveWriter, iter_report_documents, read_body, repair, warc_files
from scrapers.config import Politeness, parse_config
from scrapers.crawl import Crawler
from scrapers.fetch import Fetcher
from scrapers.state import CrawlState
from scrapers.testsite import PortalServer, Resource

RULES = Politeness(delay=0, timeout=5, retries=0)


@pytest.fixture(scope="module")
def server():
    routes = {f"/doc{i}.html": Resource(f"<html><body>第{i}号 政府信息公开</body></html>".encode("utf-8") * 50,
                                        "text/html; charset=utf-8") for i in range(3)}
    with PortalServer(routes) as s:
        yield s


def test_exchanges_read_back_and_torn_tail_is_cut(server, tmp_path):
    fetcher = Fetcher()
    writer = ArchiveWriter(tmp_path)
    positions = []
    for i in range(3):
        response = fetcher.fetch(f"{server.url}/doc{i}.html", RULES).final
        position, record_id = writer.write_exchange(response)
        writer.write_document_note(response.url, record_id, {"name": f"doc{i}.html", "meta": {"n": str(i)}})
        positions.append((position, response.body))
    writer.close()
    for position, body in positions:
        assert read_body(tmp_path, position) == body
    path = warc_files(tmp_path)[0]
    with gzip.open(path, "rb") as f:  # a standard WARC: any gzip/WARC tool reads it
        assert f.read(7) == b"WARC/1."
    size = path.stat().st_size
    with path.open("r+b") as f:  # a crawl killed in the middle of its last record
        f.truncate(size - 25)
    writer = ArchiveWriter(tmp_path)  # repairs the last file, then starts a new one
    assert path.stat().st_size < size - 25 and repair(path) == 0
    assert writer.path.name == "crawl-00002.warc.gz"
    documents = list(iter_report_documents(tmp_path))
    assert [d.note["name"] for d in documents] == ["doc0.html", "doc1.html"]  # the third note was torn off
    assert documents[0].body == positions[0][1] and documents[1].note["meta"] == {"n": "1"}


def test_state_sessions_resume_only_what_was_killed(tmp_path):
    state = CrawlState(tmp_path / "state.sqlite")
    session, resumed = state.begin_session(["a", "b"])
    assert not resumed
    assert state.begin_site("a", ["http://a.test/"], session) == (1, False)
    state.finish_site("a")
    assert state.begin_site("b", ["http://b.test/"], session) == (1, False)
    # killed here; the same command again resumes: a is skipped, b goes on
    session2, resumed = state.begin_session(["b", "a"])
    assert (session2, resumed) == (session, True)
    assert state.begin_site("a", ["http://a.test/"], session) is None
    assert state.begin_site("b", ["http://b.test/"], session) == (1, True)
    state.finish_site("b")
    state.finish_session(session)
    # the next command is a new run: what answered is revisited
    session3, resumed = state.begin_session(["a", "b"])
    assert not resumed and session3 != session
    assert state.begin_site("a", ["http://a.test/"], session3) == (2, False)
    state.close()


class _CrashingLibrary:
    """Stands in for a parser that dies: the crawl must keep the archived document for the next run."""

    def add_bytes(self, *args, **kwargs):
        raise RuntimeError("parser crashed")

    def close(self):
        pass


def test_documents_archived_before_a_crash_are_added_without_refetching(server, tmp_path):
    pytest.importorskip("indexer.library")
    title = "某县2020年政府信息公开工作年度报告"
    body = "<p>" + "根据《中华人民共和国政府信息公开条例》，现公布本县2020年政府信息公开工作年度报告。" * 60 + "</p>"
    server.routes["/nb/index.html"] = Resource(
        f"<html><body><ul><li><a href='/nb/t1.htm'>{title}</a></li></ul></body></html>".encode("utf-8"),
        "text/html; charset=utf-8")
    server.routes["/nb/t1.htm"] = Resource(
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode("utf-8"),
        "text/html; charset=utf-8")
    config = parse_config({"politeness": {"delay": 0, "timeout": 5},
                           "site": [{"name": "x", "start_urls": [server.url + "/nb/index.html"]}]})
    crawler = Crawler(config, tmp_path / "index", library=_CrashingLibrary())
    stats = crawler.run()
    crawler.close()
    assert stats[0].reports_new == 0 and stats[0].errors == 1
    before = len(server.hits_for("/nb/t1.htm"))
    crawler = Crawler(config, tmp_path / "index")  # the real library this time
    stats = crawler.run()
    reports = list(crawler.library.reports())
    crawler.close()
    assert stats[0].reports_new == 1 and [r.source for r in reports] == [server.url + "/nb/t1.htm"]
    new_hits = server.hits_for("/nb/t1.htm")[before:]
    assert all(h.conditional and h.status == 304 for h in new_hits)  # taken from the archive, not fetched again
    assert (tmp_path / "index" / "crawl" / "failures.log").read_text(encoding="utf-8").count("parser crashed") == 1


def test_crawl_and_reindex_commands(server, tmp_path):
    """`nianbao --index DIR crawl CONFIG --site NAME`, then `nianbao --index NEW reindex --archive DIR/crawl`."""
    pytest.importorskip("indexer.library")
    from click.testing import CliRunner

    from indexer.cli import main

    title = "某县2021年政府信息公开工作年度报告"
    body = "<p>" + "根据《中华人民共和国政府信息公开条例》，现公布本县2021年政府信息公开工作年度报告。" * 60 + "</p>"
    server.routes["/cli/index.html"] = Resource(
        f"<html><body><a href='/cli/t2.htm'>{title}</a></body></html>".encode("utf-8"), "text/html; charset=utf-8")
    server.routes["/cli/t2.htm"] = Resource(
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode("utf-8"),
        "text/html; charset=utf-8")
    config = tmp_path / "sites.toml"
    config.write_text(f'[politeness]\ndelay = 0\n\n[[site]]\nname = "cli"\nregion = "福建省福州市平潭县"\n'
                      f'start_urls = ["{server.url}/cli/index.html"]\n'
                      f'\n[[site]]\nname = "other"\nstart_urls = ["{server.url}/nothing.html"]\n', encoding="utf-8")
    runner = CliRunner()
    index = tmp_path / "index"
    result = runner.invoke(main, ["--index", str(index), "crawl", str(config), "--site", "cli", "-q"])
    assert result.exit_code == 0, result.output
    assert "cli（第 1 次运行）：新增 1 份" in result.output and "other" not in result.output
    assert not any(h.path == "/nothing.html" for h in server.hits)
    from indexer.library import Library

    with Library(index) as lib:  # the site's region hint travels with the document for every later re-parse
        assert [doc.hints for _, doc in lib.store.documents()] == [{"region": "福建省福州市平潭县"}]
    bad = runner.invoke(main, ["--index", str(index), "crawl", str(config), "--site", "nope"])
    assert bad.exit_code != 0 and "采集配置有误：没有名为 nope 的站点（配置中有：" in bad.output
    rebuilt = tmp_path / "rebuilt"
    result = runner.invoke(main, ["--index", str(rebuilt), "reindex", "--archive", str(index / "crawl")])
    assert result.exit_code == 0, result.output
    assert "重新建立 1 个文件" in result.output and "共 1 份报告" in result.output


def test_a_page_and_the_links_it_led_to_are_recorded_together(tmp_path, monkeypatch):
    """record_response is one transaction: if storing the discovered links fails (or the process dies) midway,
    the page is still queued — never 'done' with its report attachment forgotten."""
    state = CrawlState(tmp_path / "state.sqlite")
    state.enqueue("http://a/page.htm", site="s", kind="report", depth=1)
    real_enqueue = state.enqueue

    def enqueue_then_die(url, **kw):
        if url.endswith("b.pdf"):
            raise KeyboardInterrupt  # stands in for a kill between two statements
        return real_enqueue(url, **kw)

    monkeypatch.setattr(state, "enqueue", enqueue_then_die)
    with pytest.raises(KeyboardInterrupt):
        state.record_response("http://a/page.htm", status="done", http_status=200, etag=None, last_modified=None,
                              sha256=None, position=None,
                              discovered=[dict(url="http://a/a.pdf", site="s", kind="attachment", depth=2),
                                          dict(url="http://a/b.pdf", site="s", kind="attachment", depth=2)])
    assert state.status("http://a/page.htm") == "queued"
    assert state.status("http://a/a.pdf") is None
    monkeypatch.setattr(state, "enqueue", real_enqueue)
    state.record_response("http://a/page.htm", status="done", http_status=200, etag=None, last_modified=None,
                          sha256=None, position=None,
                          discovered=[dict(url="http://a/b.pdf", site="s", kind="attachment", depth=2)])
    assert state.status("http://a/page.htm") == "done" and state.status("http://a/b.pdf") == "queued"
    state.close()
