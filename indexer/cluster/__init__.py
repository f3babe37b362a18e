"""The engine past one machine, on Ray: the same index in shards, each a Ray actor on its own directory, behind a
coordinator that is a ``SearchBackend`` like the embedded engine; and parsing as Ray tasks over the cluster.

``shard`` (one shard: the embedded ``SearchIndex`` on a directory, and which shard owns a report), ``coordinator``
(fan-out, failover to replicas, merging: facet counts summed, relevance with collection-wide statistics, top-k
merged, snippets from the owning shard), ``ingest`` (parsing files as Ray tasks), ``connect`` (joining a cluster
and opening a library's shards).  Ray is imported only here, so the embedded engine never loads it.
"""

from indexer.cluster.connect import open_cluster

__all__ = ["open_cluster"]
