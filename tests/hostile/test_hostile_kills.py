"""SIGKILL during `add` (seeded moments): nothing lost, everything searchable after a rerun, no process left.
bench/hostile.py kills 20 times."""

from __future__ import annotations

from hostile.kills import inputs, kill_add, kill_crawl, kill_parent_only


def test_killed_adds_lose_nothing_and_leave_no_process(tmp_path):
    result = kill_add(tmp_path, kills=3)
    assert result.failures == []
    assert result.consistent == result.kills == 3 and result.leftovers == 0


def test_workers_die_with_a_killed_parent(tmp_path):
    assert kill_parent_only(tmp_path, inputs(tmp_path / "in"))


def test_a_killed_crawl_loses_nothing_and_leaves_no_process(tmp_path):
    result = kill_crawl(tmp_path, kills=2)
    assert result.failures == []
    assert result.consistent == result.kills == 2 and result.leftovers == 0
