"""Ingest on a local Ray cluster: the synthetic set (bench/synth.py) added with the cluster backend over 1 and 2
worker nodes (1 CPU each; the head has none and only coordinates), against the embedded library with a process
pool of 1 and 2 in the same run.

Each run starts from an empty index directory; a cluster is started before its timed run and stopped after it
(a cluster is long-lived in use, so its start is not ingest time).  Figures: reports/s of the whole add (parse as
Ray tasks → store → index by the owning shard, 3 shards), and of the parse half alone.  Everything is written
under bench/out/ (Ray's own files under a /tmp/cluster-bench-* directory, removed afterwards).

Usage: python -m bench.cluster_ingest [N]   (default 1000)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# the local cluster on 127.0.0.1 only, as the tests' (tests/conftest.py); read when ray is first imported
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

from bench.synth import OUT, generate
from indexer.library import Library, iter_report_files

_MB = 1 << 20


def _fresh(name: str) -> Path:
    path = OUT / "cluster-ingest" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def embedded(files: Path, workers: int) -> float:
    lib = Library(_fresh(f"embedded-{workers}"))
    t0 = time.perf_counter()
    result = lib.add_paths([files], workers=workers)
    took = time.perf_counter() - t0
    lib.close()
    return len(result.added) / took


def on_cluster(files: Path, workers: int) -> tuple[float, float]:
    """(reports/s of the add, reports/s of parsing alone) with ``workers`` 1-CPU worker nodes."""
    import ray
    from ray.cluster_utils import Cluster

    from indexer.cluster.connect import open_library
    from indexer.cluster.ingest import parse_files

    temp = tempfile.mkdtemp(prefix="cluster-bench-", dir="/tmp")
    os.environ["RAY_TMPDIR"] = temp
    node = {"object_store_memory": 100 * _MB}
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False, **node})
    try:
        for _ in range(workers):
            c.add_node(num_cpus=1, **node)
        c.wait_for_nodes()
        ray.init(address=c.address, namespace="nianbao", log_to_driver=False)
        names = [str(f) for f in iter_report_files([files])]
        list(parse_files(names[:8]))  # workers started and the parser imported, as in a running cluster
        t0 = time.perf_counter()
        n = sum(1 for _ in parse_files(names))
        parse_rate = n / (time.perf_counter() - t0)
        lib = open_library(_fresh(f"cluster-{workers}"), c.address, readonly=False)
        lib.index.versions()  # shard actors up
        t0 = time.perf_counter()
        result = lib.add_paths([files])
        add_rate = len(result.added) / (time.perf_counter() - t0)
        lib.close()
        return add_rate, parse_rate
    finally:
        ray.shutdown()
        c.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def main(n: int) -> None:
    generate(n)
    files = OUT / f"synth-{n}-txt"
    print(f"{n} synthetic reports, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    rows = []

    def row(name: str, rate: float, parse_rate: float | None) -> None:
        rows.append((name, rate, parse_rate))
        shown = f"{parse_rate:>16.1f}" if parse_rate is not None else f"{'':>16}"
        print(f"{name:<44} {rate:>14.1f} {shown}   (load {os.getloadavg()[0]:.1f})", flush=True)

    print(f"{'system':<44} {'add reports/s':>14} {'parse reports/s':>16}", flush=True)
    for workers in (1, 2):
        row(f"Ray, {workers} worker node(s) × 1 CPU, 3 shards", *on_cluster(files, workers))
    print(f"Ray 2 workers / 1 worker: add {rows[1][1] / rows[0][1]:.2f}×, parse {rows[1][2] / rows[0][2]:.2f}×",
          flush=True)
    for workers in (1, 2):
        row(f"embedded, process pool of {workers}", embedded(files, workers), None)
    print(f"embedded pool 2 / 1: {rows[3][1] / rows[2][1]:.2f}×; load average {os.getloadavg()[0]:.1f} at end")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
