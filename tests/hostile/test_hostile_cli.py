"""Clean failures of the command line: a full disk is one line and an exit code, a failed file is one line, and
after a write killed between store and index, `list` and `search` say how many reports are not yet searchable
while `serve` indexes them itself when it may write."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from indexer.library import Library
from test_cli import SAMPLES, nianbao
from webui.cli import _index_pending


@pytest.fixture()
def small_disk():
    """A 600 KB tmpfs (needs the right to mount; skipped without it)."""
    mount = Path(f"/tmp/harden-full-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a small tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)
    mount.rmdir()


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
