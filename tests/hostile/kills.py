"""SIGKILL during `nianbao add`, then a rerun: shared by tests/hostile (a few kills) and bench/hostile.py (20).

A kill lands at a seeded random moment of the run; afterwards no process of the killed run may be left (its
process group is checked), and a rerun of the same `add` must leave exactly the reports a clean run leaves, every
one of them searchable (the index holds the store, nothing pending).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer.library import Library

ROOT = Path(__file__).resolve().parents[2]


def inputs(directory: Path, copies: int = 4) -> Path:
    """The sample reports, each also in ``copies`` variants (a line added) so that a run lasts a few seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "samples").rglob("*")):
        if path.suffix in (".txt", ".html", ".pdf", ".md"):
            shutil.copy(path, directory / path.name)
            if path.suffix == ".txt":
                text = path.read_text(encoding="utf-8")
                for n in range(copies):
                    (directory / f"{path.stem}-v{n}.txt").write_text(text + f"\n附注第{n}版。\n", encoding="utf-8")
    return directory


def _add(index: Path, source: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "indexer", "--index", str(index), "add", "--quiet", str(source)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                            start_new_session=True)  # its own process group: what is left of it can be found


def _group_alive(pgid: int, wait: float = 5.0) -> bool:
    """Whether a process of group ``pgid`` still runs ``wait`` seconds on (zombies, dead but not yet reaped by
    init, do not count: they hold no memory or files).  Linux /proc."""
    deadline = time.monotonic() + wait
    while True:
        running = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended while we looked
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                running = True
                break
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.1)


def state(index: Path) -> tuple[set[str], int, int]:
    """(stored ids, searchable reports, pending)."""
    with Library(index, readonly=True) as lib:
        return {r.id for r in lib.reports()}, lib.search("", limit=1)["total"], lib.pending()


@dataclass
class KillResult:
    kills: int = 0
    consistent: int = 0
    leftovers: int = 0  # runs that left a process behind
    failures: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # when each kill landed


def _judge(out: KillResult, index: Path, reference: tuple[set[str], int, int], what: str, rerun: str = "") -> None:
    """Count the rerun index as consistent when it holds exactly the reference's reports, all searchable, none
    pending; else record why not."""
    expected, searchable, _ = reference
    ids, found, pending = state(index)
    if ids == expected and found == searchable == len(expected) and pending == 0:
        out.consistent += 1
    else:
        out.failures.append(f"{what}: {len(ids)} stored of {len(expected)}, {found} searchable, {pending} pending"
                            + (f"; {rerun}" if rerun else ""))


def _kill_at(proc: subprocess.Popen, at: float, out: KillResult) -> None:
    """SIGKILL ``proc``'s whole group after ``at`` seconds (as an OOM killer or a power cut would); count it, and
    count a process of the group still running 5 s later."""
    time.sleep(at)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    out.kills += 1
    out.seconds.append(round(at, 2))
    if _group_alive(proc.pid):
        out.leftovers += 1
        os.killpg(proc.pid, signal.SIGKILL)


def kill_add(work: Path, kills: int, seed: int = 15) -> KillResult:
    source = inputs(work / "in")
    reference = work / "reference"
    subprocess.run([sys.executable, "-m", "indexer", "--index", str(reference), "add", "--quiet", str(source)],
                   cwd=ROOT, capture_output=True, timeout=900)
    reference_state = state(reference)
    t0 = time.monotonic()
    _add(work / "timing", source).wait(timeout=900)
    full = time.monotonic() - t0
    rnd = random.Random(seed)
    out = KillResult()
    for n in range(kills):
        index = work / f"kill-{n}"
        if n % 2:  # every other kill lands on an index that already holds part of the reports
            shutil.copytree(work / f"kill-{n - 1}", index)
        at = rnd.uniform(0.05, 0.95) * full
        _kill_at(_add(index, source), at, out)
        rerun = subprocess.run([sys.executable, "-m", "indexer", "--index", str(index), "add", "--quiet",
                                str(source)], cwd=ROOT, capture_output=True, text=True, timeout=900)
        _judge(out, index, reference_state, f"kill {n} at {at:.2f} s",
               f"rerun exit {rerun.returncode}: {rerun.stderr.strip()[-200:]}")
    return out


def kill_parent_only(work: Path, source: Path) -> bool:
    """SIGKILL of the `add` process alone (not its group): its parse workers must end too.  True when none is
    left 2 s later."""
    proc = _add(work / "parent-only", source)
    time.sleep(1.5)  # workers started
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    alive = _group_alive(proc.pid, wait=2.0)
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    return not alive


def _crawl(index: Path, config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scrapers.cli", "crawl", str(config), "--index", str(index), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)


def kill_crawl(work: Path, kills: int, seed: int = 15) -> KillResult:
    """SIGKILL during `nianbao crawl` of the local test portals, each then rerun to the end: the same reports as a
    clean crawl, all searchable, no process left."""
    from scrapers.testsite import config_toml, start_test_sites

    sites = start_test_sites()
    out = KillResult()
    try:
        config = work / "sites.toml"
        config.write_text(config_toml(sites, delay=0.05), encoding="utf-8")
        t0 = time.monotonic()
        _crawl(work / "reference", config).wait(timeout=900)
        full = time.monotonic() - t0
        reference_state = state(work / "reference")
        rnd = random.Random(seed)
        for n in range(kills):
            index = work / f"crawl-kill-{n}"
            at = rnd.uniform(0.05, 0.95) * full
            _kill_at(_crawl(index, config), at, out)
            _crawl(index, config).wait(timeout=900)
            _judge(out, index, reference_state, f"crawl kill {n} at {at:.2f} s")
    finally:
        sites.stop()
    return out
