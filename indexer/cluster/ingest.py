"""Parsing as Ray tasks: the CPU-heavy half of ingest (PDF text, OCR, tables) spread over the cluster's CPUs.

Files are read by the task on the node that runs it, so their paths must be reachable there (a local disk on a
one-machine cluster, shared storage beyond it).  Results come back in the order the files were given, a bounded
number of tasks in flight, so memory stays flat however many files a run adds.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator

from indexer.library import parse_file
from indexer.model import PageImage, Report

log = logging.getLogger(__name__)

_FILES_PER_TASK = 4  # ~5 ms of Ray overhead per task against 20–100 ms to parse a report: a guess, not measured
_TASKS_PER_CPU = 2  # queued work per CPU, so a CPU that finishes never waits for the driver


def _parse_chunk(paths: list[str], hints: dict[str, str] | None) -> list[tuple[str, Report | None, bytes | None,
                                                                             str | None, list[PageImage]]]:
    return [parse_file(p, hints) for p in paths]


def parse_files(files: list[str], hints: dict[str, str] | None = None) -> Iterator[tuple]:
    """(path, report, raw bytes, error, pictures read from beside it) for each file, in order, parsed by Ray tasks
    (one CPU each)."""
    import ray
    from ray.exceptions import RayError

    task = ray.remote(num_cpus=1, max_retries=2)(_parse_chunk)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    chunks = deque(files[i:i + _FILES_PER_TASK] for i in range(0, len(files), _FILES_PER_TASK))
    hints_ref = ray.put(hints)
    in_flight: deque = deque()
    while chunks or in_flight:
        while chunks and len(in_flight) < cpus * _TASKS_PER_CPU:
            chunk = chunks.popleft()
            in_flight.append((chunk, task.remote(chunk, hints_ref)))
        chunk, ref = in_flight.popleft()
        try:
            yield from ray.get(ref)
        except RayError as e:  # the task failed after its retries (its node lost): these files, not the run
            log.warning("parse task for %d files failed: %s", len(chunk), type(e).__name__)
            yield from ((p, None, None, f"解析任务失败（{type(e).__name__}），请重试") for p in chunk)
