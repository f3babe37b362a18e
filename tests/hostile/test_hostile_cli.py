"""Clean failures of the command line: a full disk is one line and an exit code, a failed file is one line, and
after a write killed between store and index, `list` and `search` say how many reports are not yet searchable
while `serve` indexes them itself when it may write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from indexer.library import Library
from test_cli import ROOT, SAMPLES, nianbao
from webui.cli import _index_pending


def _tmpfs(size: str):
    """A tmpfs of ``size`` (needs the right to mount; skipped without it)."""
    mount = Path(f"/tmp/harden-fs-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)
    mount.rmdir()


@pytest.fixture()
def small_disk():
    yield from _tmpfs("600k")


@pytest.fixture()
def own_disk():
    yield from _tmpfs("256m")


def test_a_full_disk_is_one_line_and_keeps_what_was_stored(small_disk):
    proc = nianbao(small_disk / "index", "add", "--quiet", str(SAMPLES), check=False)
    assert proc.returncode == 74
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [
        f"错误：磁盘已满，无法写入 {small_disk / 'index'}：腾出空间后重新运行（已保存的报告不会丢失）"]
    listed = nianbao(small_disk / "index", "list")  # what was stored before the disk filled is still there
    assert "尚未编入索引" in listed.stderr or listed.stdout.count("\n") >= 1


def test_each_failed_file_is_one_line(tmp_path):
    (tmp_path / "junk.html").write_bytes(bytes(range(256)) * 64)
    good = next(SAMPLES.rglob("*.html"))
    proc = nianbao(tmp_path / "index", "add", "--quiet", str(tmp_path / "junk.html"), str(good), check=False)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "junk.html" in line]
    assert lines == [f"失败：{tmp_path / 'junk.html'}：不支持的文件类型：文件名是 .html，内容却是二进制数据，"
                     "不是任何编码的文本"]


def test_reports_stored_but_not_indexed_are_announced_then_indexed_by_serve(tmp_path):
    index = tmp_path / "index"
    with Library(index) as lib:  # what a kill between store and index leaves: stored, not searchable
        for path in sorted(SAMPLES.rglob("*.txt"))[:3]:
            lib.add_bytes(path.read_bytes(), path.name, index_now=False)
    listed = nianbao(index, "list")
    assert "有 3 份已保存的报告尚未编入索引" in listed.stderr and "reindex --index-only" in listed.stderr
    assert "尚未编入索引" in nianbao(index, "search", "政府").stderr
    _index_pending(index)
    with Library(index, readonly=True) as lib:
        assert lib.pending() == 0 and lib.search("")["total"] == 3
    assert "尚未编入索引" not in nianbao(index, "list").stderr


def _without_root_powers() -> list[str]:
    """A prefix that makes a command meet file permissions as an ordinary user does: root keeps its uid (the
    interpreter lives under /root) but loses the capabilities that override permissions."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to drop root's permission override")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _not_mine(path: Path) -> None:
    """Readable, not writable for the commands _without_root_powers() runs: nobody's (root) or read-only (others)."""
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)  # modes stay 755/644
    else:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _run(prefix: list[str], index: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "indexer", "--index", str(index), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env=dict(os.environ, PYTHONIOENCODING="utf-8", **env))


def _serve_answers(prefix: list[str], index: Path, path: str) -> dict:
    """`nianbao serve` started as ``prefix`` would run it, asked ``path`` once it listens; its JSON answer."""
    import socket
    import time
    import urllib.parse
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*prefix, sys.executable, "-m", "indexer", "--index", str(index), "serve", "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&')}",
                                            timeout=10) as r:
                    return json.load(r)
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"serve did not answer: {proc.poll()} {proc.stderr.read() if proc.poll() is not None else ''}")
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(10)


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def _fingerprint(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("perm") / "index"
    nianbao(index, "add", "--quiet", str(SAMPLES))
    return index


def test_an_index_the_user_may_not_write_is_searched_and_refuses_adds_in_one_line(built, tmp_path):
    """Another user's index (or a shared copy): list, search and the web work; add says why not, changes nothing."""
    index = tmp_path / "theirs"
    shutil.copytree(built, index)
    prefix = _without_root_powers()
    for p in [index, *index.rglob("*")]:
        _not_mine(p)
    before = _fingerprint(index)

    added = _run(prefix, index, "add", "--quiet", str(next(SAMPLES.rglob("*.txt"))))
    assert added.returncode == 77 and _lines(added.stderr) == [
        f"错误：索引 {index} 是只读的（没有写权限）：只能检索；要添加请检查目录权限"], added.stderr
    listed = _run(prefix, index, "list")
    assert listed.returncode == 0 and "共 14 份报告" in listed.stderr, listed.stderr
    found = _run(prefix, index, "search", "政务新媒体", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] > 0, found.stderr
    assert _serve_answers(prefix, index, "/api/search?q=政务新媒体")["total"] == json.loads(found.stdout)["total"]
    assert _fingerprint(index) == before  # nothing written, nothing half-written

    nowhere = tmp_path / "locked-parent"
    nowhere.mkdir()
    _not_mine(nowhere)
    created = _run(prefix, nowhere / "index", "add", "--quiet", str(SAMPLES))
    assert created.returncode == 77 and _lines(created.stderr) == [
        f"错误：没有权限访问 {nowhere / 'index'}：检查目录权限，或用 --index 指定另一个目录"], created.stderr
    assert list(nowhere.iterdir()) == []


def test_an_index_on_a_read_only_filesystem_is_searched_and_refuses_adds_in_one_line(built, own_disk):
    index = own_disk / "index"
    shutil.copytree(built, index)
    if subprocess.run(["mount", "-o", "remount,ro", str(own_disk)], capture_output=True).returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only here")
    try:
        added = _run([], index, "add", "--quiet", str(next(SAMPLES.rglob("*.txt"))))
        assert added.returncode == 77 and len(_lines(added.stderr)) == 1, added.stderr
        assert "只读" in added.stderr and "只能检索" in added.stderr and "Traceback" not in added.stderr
        found = _run([], index, "search", "政务新媒体", "--json")
        assert found.returncode == 0 and json.loads(found.stdout)["total"] > 0, found.stderr
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(own_disk)], check=True)


def test_a_locked_index_is_one_line_naming_the_writer_after_the_wait(built, tmp_path):
    """Another live writer holds the index: a second add waits NIANBAO_LOCK_WAIT seconds, then says who holds it."""
    import fcntl

    index = tmp_path / "index"
    shutil.copytree(built, index)
    sample = next(SAMPLES.rglob("*.txt"))
    changed = tmp_path / "in" / sample.name  # the same report with one more sentence: a write is needed
    changed.parent.mkdir()
    changed.write_text(sample.read_text(encoding="utf-8") + "\n本报告另附一句说明。\n", encoding="utf-8")
    with open(index / "whoosh" / "WRITE.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.truncate(0)
        lock.write("4242")
        lock.flush()
        before = _fingerprint(index / "whoosh")
        added = _run([], index, "add", "--quiet", str(changed), NIANBAO_LOCK_WAIT="1")
        after = _fingerprint(index / "whoosh")
    assert added.returncode == 75 and _lines(added.stderr) == [
        "错误：索引正被另一个进程（pid 4242）写入，请稍后再试（等待时长可用环境变量 NIANBAO_LOCK_WAIT 设定，单位秒，默认 120）"
    ], added.stderr
    assert {k: v for k, v in after.items() if k != "WRITE.lock"} == {k: v for k, v in before.items() if k != "WRITE.lock"}
    # what was stored before the lock refused the index is kept, and announced until the next add indexes it
    rerun = _run([], index, "add", "--quiet", str(changed))
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(_run([], index, "search", "本报告另附一句说明", "--json").stdout)["total"] == 1
