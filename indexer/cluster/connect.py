"""Joining a Ray cluster and opening a library's shards on it.

A library directory used with ``--cluster`` keeps its report store where it always is and its index in shards
under ``shards/`` (``shards/LAYOUT.json`` records how many, fixed by the first run: a report's shard is a hash of
its id modulo that number).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

DEFAULT_SHARDS = 3
DEFAULT_REPLICAS = 2
LAYOUT = "LAYOUT.json"

log = logging.getLogger(__name__)


def shards_root(index_dir: Path) -> Path:
    return Path(index_dir) / "shards"


def shard_count(index_dir: Path, wanted: int | None, *, readonly: bool) -> int:
    """The library's shard count: the one recorded, else ``wanted`` (recorded now, unless read-only)."""
    layout = shards_root(index_dir) / LAYOUT
    try:
        recorded = int(json.loads(layout.read_text(encoding="utf-8"))["shards"])
    except FileNotFoundError:
        recorded = None
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{layout} 无法读取（{e}）") from None
    if recorded is not None:
        if wanted is not None and wanted != recorded:
            raise ValueError(f"{index_dir} 的索引已分为 {recorded} 个分片，不能改为 {wanted} 个")
        return recorded
    n = wanted or DEFAULT_SHARDS
    if not readonly:
        layout.parent.mkdir(parents=True, exist_ok=True)
        layout.write_text(json.dumps({"shards": n}) + "\n", encoding="utf-8")
    return n


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` (host:port of its head, or "auto"), once per process."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, namespace="nianbao", logging_level=logging.WARNING, log_to_driver=False)


def open_cluster(address: str, index_dir: Path, *, readonly: bool, shards: int | None = None,
                 replicas: int = DEFAULT_REPLICAS, timeout: float = 30.0):
    """A ClusterBackend for the library in ``index_dir``, its shard actors started on the cluster at ``address``."""
    connect(address)
    from indexer.cluster.coordinator import ClusterBackend

    n = shard_count(Path(index_dir), shards, readonly=readonly)
    return ClusterBackend(shards_root(Path(index_dir)), shards=n, replicas=replicas, readonly=readonly,
                          timeout=timeout)


class ClusterUnreachable(RuntimeError):
    """The library cannot be opened on the cluster given: str(e) is one line for the user."""


def open_library(index_dir: Path, address: str, *, readonly: bool):
    """A Library whose index is sharded on the cluster at ``address`` and whose files are parsed by Ray tasks; the
    report store stays in ``index_dir`` on this machine.  Raises ClusterUnreachable."""
    try:
        import ray  # noqa: F401
    except ImportError:
        raise ClusterUnreachable("--cluster 需要 Ray：pip install 'nianbao[cluster]'") from None
    from indexer.cluster.ingest import parse_files
    from indexer.library import Library

    try:
        backend = open_cluster(address, Path(index_dir), readonly=readonly)
    except ConnectionError as e:
        raise ClusterUnreachable(f"无法连接 Ray 集群 {address}：{e}") from None
    except ValueError as e:  # the shard layout recorded in the index directory
        raise ClusterUnreachable(str(e)) from None
    return Library(index_dir, readonly=readonly, backend=backend, parse_files=parse_files)
