"""The SQLite report store: the source of truth the index is derived from."""

from __future__ import annotations

import pytest

from indexer.model import Report, Section, Warning
from indexer.store import ReportStore


def _report(rid: str, title: str = "某县2020年政府信息公开工作年度报告") -> Report:
    return Report(id=rid, title=title, year=2020, source="a.txt",
                  sections=[Section("s1", "一、", "总体情况", 1, "overview", "正文")],
                  fields={"apply.new.total": 3}, warnings=[Warning("check.x", "msg", "apply.new.total")])


def test_put_get_roundtrip_and_versions(tmp_path):
    store = ReportStore(tmp_path)
    v1 = store.put(_report("a"), data=b"raw-a", name="a.txt", content_type="text/plain")
    got = store.get("a")
    assert got.to_json() == _report("a").to_json()
    assert store.versions() == {"a": v1}
    # same id again updates, never duplicates; a changed report gets a new version
    v2 = store.put(_report("a", title="某县2020年度政府信息公开工作年度报告"), data=b"raw-a2", name="a.txt",
                   content_type=None)
    assert store.count() == 1 and v2 != v1
    assert store.get("a").title.endswith("年度政府信息公开工作年度报告")


def test_documents_keep_raw_bytes_meta_and_hints(tmp_path):
    store = ReportStore(tmp_path)
    store.put(_report("a"), data=b"\xff\x00raw", name="a.pdf", content_type="application/pdf",
              meta={"url": "http://x/a.pdf"}, hints={"region": "甘肃省"})
    [(rid, doc)] = list(store.documents())
    assert rid == "a" and doc.data == b"\xff\x00raw" and doc.meta == {"url": "http://x/a.pdf"}
    assert doc.hints == {"region": "甘肃省"} and store.ids_for_document(b"\xff\x00raw") == ["a"]


def test_delete_drops_unreferenced_raw(tmp_path):
    store = ReportStore(tmp_path)
    store.put(_report("a"), data=b"x", name="a.txt", content_type=None)
    assert store.delete("a") and not store.delete("a")
    assert store.get("a") is None and list(store.documents()) == []


def test_readonly_needs_an_existing_store(tmp_path):
    with pytest.raises(FileNotFoundError):
        ReportStore(tmp_path / "missing", readonly=True)
    ReportStore(tmp_path).put(_report("a"), data=b"x", name="a.txt", content_type=None)
    ro = ReportStore(tmp_path, readonly=True)
    assert ro.get("a").id == "a"


def test_unchanged_reports_are_never_indexed_again(tmp_path):
    """The store's versions and the index's agree: reopening the library, or adding the same files again, writes
    no index generation; changing one report re-indexes that one only."""
    from pathlib import Path

    from indexer.library import Library

    seeds = Path(__file__).resolve().parents[1] / "samples" / "seeds"
    with Library(tmp_path) as lib:
        lib.add_paths([seeds], workers=1)
        generation = lib.index.current_generation()
    with Library(tmp_path) as lib:
        assert lib.sync_index() == (0, 0)
        lib.add_paths([seeds], workers=1)
        assert lib.index.current_generation() == generation
        report = next(lib.reports())
        report.title = "改过的标题"
        lib.store.put(report, data=b"changed", name="x.txt", content_type=None)
        assert lib.sync_index() == (1, 0)
        assert lib.index.current_generation() != generation
        assert lib.search("改过的标题")["total"] == 1


def _old_layout_index(index_dir, monkeypatch) -> None:
    """A library whose search index an older nianbao wrote (without the warnings column), holding the seeds."""
    from pathlib import Path

    import indexer.engine.index as index_module
    from indexer.library import Library
    from indexer.engine.schema import build_schema

    seeds = Path(__file__).resolve().parents[1] / "samples" / "seeds"
    real_document = index_module.report_document

    def old_schema():
        schema = build_schema()
        schema.remove("warnings")
        return schema

    def old_document(report, version=None):
        doc = real_document(report, version)
        doc.pop("warnings", None)
        return doc

    with monkeypatch.context() as m:
        m.setattr(index_module, "build_schema", old_schema)
        m.setattr(index_module, "report_document", old_document)
        m.setattr(index_module, "SCHEMA_VERSION", "old")
        with Library(index_dir) as lib:
            lib.add_paths([seeds], workers=1)
            assert lib.search("政务新媒体")["total"] == 4


def test_an_index_written_by_an_older_layout_is_rebuilt_not_crashed(tmp_path, monkeypatch):
    """After an upgrade that changes the index layout (new fields), opening the library re-indexes every stored
    report into a fresh index instead of failing on the old one."""
    from indexer.library import Library

    _old_layout_index(tmp_path, monkeypatch)
    with Library(tmp_path) as lib:
        assert not lib.index.schema_current()
        assert lib.sync_index() == (5, 0)
        assert lib.index.schema_current()
        assert lib.search("政务新媒体")["total"] == 4
        flagged = {r.id for r in lib.reports() if any(w.code.startswith("check.") for w in r.warnings)}
        assert {r["id"] for r in lib.search("warning:check", limit=10)["results"]} == flagged


def test_read_only_opens_refuse_an_old_index_and_say_how_to_rebuild_it(tmp_path, monkeypatch):
    """Read-only opens cannot rebuild an index of another layout, and reading it with this layout's search would
    give wrong answers: the library raises IndexOutdated, the CLI prints the command that rebuilds it, the web
    answers 503; that command then makes the index searchable again."""
    import subprocess
    import sys

    from indexer.engine.errors import IndexOutdated
    from indexer.library import Library
    from webui.app import create_app

    _old_layout_index(tmp_path, monkeypatch)
    with Library(tmp_path, readonly=True) as lib:
        with pytest.raises(IndexOutdated, match="reindex --index-only"):
            lib.search("政务新媒体")

    def nianbao(*args):
        return subprocess.run([sys.executable, "-m", "indexer", "--index", str(tmp_path), *args],
                              capture_output=True, text=True, timeout=120)

    proc = nianbao("search", "政务新媒体")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"nianbao --index {tmp_path} reindex --index-only" in proc.stderr
    client = create_app(tmp_path).test_client()
    page = client.get("/?q=政务新媒体")
    assert page.status_code == 503 and "索引需要重建" in page.get_data(as_text=True)
    api = client.get("/api/search?q=政务新媒体")
    assert api.status_code == 503 and "索引需要重建" in api.get_json()["error"]

    proc = nianbao("reindex", "--index-only")
    assert proc.returncode == 0 and "编入索引 5 份" in proc.stdout, proc.stderr
    assert nianbao("search", "政务新媒体").returncode == 0
    with Library(tmp_path, readonly=True) as lib:
        assert lib.search("政务新媒体")["total"] == 4


def test_reuse_figures_live_in_the_reuse_table_not_in_the_report_json(tmp_path):
    """A report reads its reuse.* fields from the reuse table, so a figure that moves changes no report version (the
    index would re-index it); a store of an older nianbao, which kept them in the JSON too, is rewritten once."""
    import json
    import sqlite3

    from indexer.store import report_json, report_version

    store = ReportStore(tmp_path)
    r = _report("a")
    r.fields["reuse.others"] = 0.5
    v = store.put(r, data=b"x", name="a.txt", content_type=None)
    assert v == report_version(_report("a")) and "reuse." not in report_json(r)
    assert "reuse.others" not in store.get("a").fields  # no figures computed yet
    store.put_reuse("a", {"sentences": 4, "standard": 0, "previous": None, "others": 0.25, "sources": []})
    assert store.get("a").fields == {"apply.new.total": 3, "reuse.others": 0.25}
    assert [x.fields for x in store.reports()] == [store.get("a").fields] and store.versions() == {"a": v}
    assert store.reuse_fields() == {"a": {"reuse.others": 0.25}}
    store.close()
    old = json.dumps({**_report("a").to_json(), "fields": {"apply.new.total": 3, "reuse.others": 0.5}},
                     ensure_ascii=False, sort_keys=True)
    with sqlite3.connect(tmp_path / ReportStore.FILENAME) as db:  # as an older nianbao left it
        db.execute("UPDATE reports SET json = ?, version = 'old'", (old,))
        db.execute("PRAGMA user_version = 0")
    db.close()
    ro = ReportStore(tmp_path, readonly=True)
    assert ro.get("a").fields["reuse.others"] == 0.25 and ro.versions() == {"a": "old"}  # read as it is
    ro.close()
    store = ReportStore(tmp_path)
    assert store.versions() == {"a": v} and store.get("a").fields["reuse.others"] == 0.25
