"""Crash safety of the index: SIGKILL at random moments, stale write locks, searching while a build runs.

A real writer runs in a subprocess on a real index directory; it prints each report id after ``update()`` returned
(that is what "committed" means).  After every kill the index must open and search, hold every committed report,
and a ``sync()`` must complete it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.engine.index import IndexBusy, SearchIndex
from indexer.store import report_version
from indexer.model import Report

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import json, sys
from indexer.engine.index import SearchIndex
from indexer.model import Report
path, data, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
reports = [Report.from_json(d) for d in json.load(open(data, encoding="utf-8"))]
ix = SearchIndex(path)
have = ix.versions()
todo = [r for r in reports if r.id not in have]
for i in range(0, len(todo), batch):
    chunk = todo[i:i + batch]
    ix.update(chunk)
    for r in chunk:
        print("committed", r.id, flush=True)
print("done", flush=True)
"""

LOCKER = r"""
import sys, time
from indexer.engine.index import SearchIndex
ix = SearchIndex(sys.argv[1])
with ix._lock():
    print("locked", flush=True)
    time.sleep(60)
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    from test_search import sample_reports

    base = sample_reports()
    out = []
    for k in range(4):  # four copies with their own ids: enough reports for batches run on both cores
        for r in base:
            d = r.to_json()
            d["id"] = f"{r.id}-{k}"
            d["title"] = f"{r.title or ''}（副本{k}）"
            out.append(Report.from_json(d))
    return out


@pytest.fixture()
def data_file(tmp_path, reports) -> Path:
    p = tmp_path / "reports.json"
    p.write_text(json.dumps([r.to_json() for r in reports], ensure_ascii=False), encoding="utf-8")
    return p


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env(), start_new_session=True)


def _kill(proc: subprocess.Popen) -> list[str]:
    """SIGKILL the writer and its Whoosh worker processes; return the ids it reported committed."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, _ = proc.communicate(timeout=30)
    return [line.split()[1] for line in out.splitlines() if line.startswith("committed ")]


def _check(path: Path, committed: set[str]) -> None:
    ix = SearchIndex(path, readonly=True)
    try:
        have = set(ix.versions())
        assert committed <= have, f"lost committed reports: {sorted(committed - have)[:5]}"
        res = ix.search("公开", limit=5)
        assert res["total"] == len(have)
        assert ix.search("", limit=1)["total"] == len(have)
    finally:
        ix.close()


@pytest.mark.parametrize("batch", [1, 45])  # 45: runs on the parallel writer
def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path, data_file, reports, batch):
    path = tmp_path / "ix"
    rng = random.Random(batch)
    committed: set[str] = set()
    for delay in [rng.uniform(0.5, 3.0) for _ in range(3)]:
        proc = _start(WRITER, path, data_file, batch)
        time.sleep(delay)
        committed |= set(_kill(proc))
        if path.exists():
            _check(path, committed)
    # the next run completes the index
    ix = SearchIndex(path)
    by_id = {r.id: r for r in reports}
    added, deleted = ix.sync({r.id: report_version(r) for r in reports}, by_id.__getitem__)
    assert deleted == 0
    assert set(ix.versions()) == set(by_id)
    assert ix.search("", limit=1)["total"] == len(reports)
    # half-built generations of the killed writers are gone; a few published ones are kept
    gens = [p for p in path.iterdir() if p.is_dir()]
    assert 1 <= len(gens) <= 3
    ix.close()


def test_stale_lock_of_a_killed_writer_is_recovered(tmp_path, reports):
    path = tmp_path / "ix"
    SearchIndex(path).update(reports[:1])
    proc = _start(LOCKER, path)
    assert proc.stdout.readline().strip() == "locked"
    busy = SearchIndex(path)
    busy.lock_timeout = 0.3
    with pytest.raises(IndexBusy) as e:  # a live holder: refused, with its pid named
        busy.update(reports[1:2])
    assert str(proc.pid) in str(e.value)
    _kill(proc)
    assert (path / "WRITE.lock").read_text().strip() == str(proc.pid)  # the dead holder's lock file is still there
    ix = SearchIndex(path)
    ix.lock_timeout = 2
    assert ix.update(reports[1:3]) == 2
    assert set(ix.versions()) == {r.id for r in reports[:3]}
    ix.close()


def test_search_keeps_working_while_a_build_runs(tmp_path, data_file, reports):
    path = tmp_path / "ix"
    SearchIndex(path).update(reports[:1])
    proc = _start(WRITER, path, data_file, 2)
    reader = SearchIndex(path, readonly=True)
    seen, searches = [], 0
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            res = reader.search("公开", limit=3)
            assert res["total"] >= (seen[-1] if seen else 1)  # committed reports never disappear
            seen.append(res["total"])
            searches += 1
    finally:
        out, err = proc.communicate(timeout=60)
    assert "done" in out, err[-2000:]
    assert searches > 3 and len(set(seen)) > 1  # searched during the build and saw it grow
    assert reader.search("公开")["total"] == len(reports)
    reader.close()
