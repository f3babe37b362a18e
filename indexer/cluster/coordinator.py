"""The coordinator: a SearchBackend over shards held by Ray actors.

Writes go to the shard that owns each report (shard.shard_of); reads fan out to every shard at once and merge:
facet counts summed (a report lives in one shard, so sums are exact), relevance from collection-wide statistics
(ranking.CollectionStats: a first round asks each shard its slot count, section lengths and the terms' document
frequencies, so a shard scores exactly as one index of everything would), the shards' top offset+limit pages
merged by their sort keys, and snippets made by the shard that holds the report.  Words mode sums the words'
slot counts instead of the terms' document frequencies.

The word view's TF-IDF (keywords.py: keywords, the 主题词 facet and ``keyword:`` filter, similar reports) takes
its IDF from the whole collection too.  A report's keywords ask the shards only for the df of that report's words;
the rest need every word's: the coordinator gathers each shard's word counts when its generation changes, sums
them (keywords.merge_word_counts), puts them in Ray's object store, and every shard weighs its word table with
them once per change — so a report's 主题词 and its vector are those of one index holding everything.  Similar
reports: the owning shard sends the report's vector, every shard answers its nearest, merged by score.  The
主题词 facet: each shard lists its first values and the first count it left out; when those cannot settle the
collection's first values (keywords.merge_topic_counts), the shards that cut their lists are asked for all.

Each shard has replicas: actors on the same directory (one writes, all read; the directory must be reachable from
every node — a local disk for a one-machine cluster, shared storage beyond it).  Reads go to the replicas in turn;
a replica that fails or does not answer in time is passed over for the next.  Ray restarts a killed actor from its
directory (max_restarts); one that died for good is started again by the coordinator.  When every replica of a
shard fails, the answer says so — ``partial: true`` and the shard numbers in ``missing_shards`` — and never just
comes back with fewer results.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import ray
from ray.exceptions import ActorDiedError, GetTimeoutError, RayActorError, RayTaskError

from indexer.cluster.shard import Shard, shard_dir, shard_of
from indexer.engine.errors import IndexBusy, IndexOutdated, QueryError, ShardsUnavailable, UnknownName
from indexer.engine.evaluate import check_mode
from indexer.engine.facets import cut_facets, empty_facets, merge_facets
from indexer.engine.results import SNIPPETS
from indexer.engine.index import indexed_version, loaded_batches, moved_values
from indexer.engine.keywords import FACET_TOPICS, collection_idf, merge_topic_counts, merge_word_counts
from indexer.engine.query import filter_values, parse_filters, parse_query, texts
from indexer.engine.ranking import CollectionStats, parse_field_sort
from indexer.model import Report

log = logging.getLogger(__name__)

_USER_ERRORS = (QueryError, IndexOutdated, IndexBusy)  # a shard's answer the user must see, not a shard failure
TOPIC_PAGE = 200  # 主题词 facet values a shard lists first (all of them only when these cannot settle the facet)


class ClusterBackend:
    def __init__(self, root: Path, *, shards: int, replicas: int = 2, readonly: bool = False,
                 timeout: float = 30.0):
        self.root = Path(root)
        self.n_shards = shards
        self.readonly = readonly
        self.timeout = timeout  # seconds a replica may take to answer before the next one is asked
        self._actor = ray.remote(Shard).options(num_cpus=0, max_restarts=-1, max_task_retries=0,
                                                scheduling_strategy="SPREAD")
        self.replicas: list[list] = [[self._start(s) for _ in range(max(1, replicas))] for s in range(shards)]
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.topic_page = TOPIC_PAGE
        self._word_parts: dict[int, dict] = {}  # shard → its last word_counts()
        self._words: tuple | None = None  # (key: the parts' generations, [ref of their sum in the object store])
        self._words_lock = threading.Lock()

    def _start(self, shard: int):
        return self._actor.remote(str(shard_dir(self.root, shard)), self.readonly)

    # -- asking the shards ----------------------------------------------------------------------------------------

    def _ask(self, method: str, args: Callable[[int], tuple] | tuple = (), *, shards: Iterable[int] | None = None,
             rotate: bool = True, wait: bool = False) -> tuple[dict[int, object], list[int]]:
        """Call ``method`` on one replica of each shard, all at once; ({shard: answer}, shards that no replica
        answered).  ``args`` is the arguments, or a function of the shard number giving them.  With ``wait``
        (writes: a commit of a big batch takes minutes on a busy node, and another replica would only wait for the
        same write lock), a replica is passed over only when it dies, never for being slow."""
        shards = range(self.n_shards) if shards is None else list(shards)
        first = next(self._turn) if rotate else 0
        arg_of = args if callable(args) else (lambda s: args)
        tried = {s: 0 for s in shards}

        def submit(s: int):
            replicas = self.replicas[s]
            actor = replicas[(first + tried[s]) % len(replicas)]
            return getattr(actor, method).remote(*arg_of(s))

        pending = {s: submit(s) for s in shards}
        answers: dict[int, object] = {}
        missing: list[int] = []
        deadline = time.monotonic() + self.timeout
        for s in shards:
            while True:
                replica = (first + tried[s]) % len(self.replicas[s])
                try:
                    answers[s] = ray.get(pending[s], timeout=None if wait else max(0.1, deadline - time.monotonic()))
                    break
                except RayTaskError as e:
                    if isinstance(e.cause, _USER_ERRORS):
                        raise e.cause from None
                    log.error("shard %d failed on %s: %s", s, method, e)  # a bug in the shard: named, not hidden
                    missing.append(s)
                    break
                except (RayActorError, GetTimeoutError) as e:
                    log.warning("shard %d replica %d did not answer %s: %s", s, replica, method, type(e).__name__)
                    if isinstance(e, ActorDiedError):
                        self._revive_if_dead(s, replica)
                tried[s] += 1
                if tried[s] >= len(self.replicas[s]):
                    missing.append(s)
                    break
                deadline = max(deadline, time.monotonic() + self.timeout / 2)
                pending[s] = submit(s)
        return answers, missing

    def _revive_if_dead(self, shard: int, replica: int) -> None:
        """A replica that died for good (killed without restart, or Ray gave up restarting it): a new actor on the
        shard's directory.  One that Ray is restarting is left to Ray."""
        actor = self.replicas[shard][replica]
        try:  # the GCS actor table: Ray's only public-enough word on DEAD vs RESTARTING without the dashboard
            state = ray._private.state.actors(actor._actor_id.hex()).get("State")
        except Exception:
            return
        if state != "DEAD":
            return
        with self._lock:
            if self.replicas[shard][replica] is not actor:
                return
            log.warning("shard %d replica %d is gone; starting it again from %s", shard, replica,
                        shard_dir(self.root, shard))
            self.replicas[shard][replica] = self._start(shard)

    def _write(self, method: str, args: Callable[[int], tuple], shards: Iterable[int]) -> dict[int, object]:
        """A write on each of these shards, by its first live replica (the index's write lock keeps two writers
        of one directory apart)."""
        answers, missing = self._ask(method, args, shards=shards, rotate=False, wait=True)
        if missing:
            raise ShardsUnavailable(f"分片 {', '.join(map(str, missing))} 暂不可用：报告已存入报告库，"
                                    "下次写入或 reindex 时补建索引")
        return answers

    # -- SearchBackend: writing ------------------------------------------------------------------------------------

    def _by_shard(self, ids: Iterable[str]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for rid in ids:
            out.setdefault(shard_of(rid, self.n_shards), []).append(rid)
        return out

    def update(self, reports: Iterable[Report], *, workers: int = 2,
               values: dict[str, dict[str, float]] | None = None) -> int:
        unique = {r.id: r for r in reports}
        values = values or {}
        groups = self._by_shard(dict.fromkeys([*unique, *values]))
        answers = self._write("update", lambda s: ([unique[rid] for rid in groups[s] if rid in unique],
                                                   {rid: values[rid] for rid in groups[s] if rid in values}), groups)
        return sum(answers.values())

    def values(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for values in self._write("values", lambda s: (), range(self.n_shards)).values():
            out.update(values)
        return out

    def delete(self, ids: Iterable[str]) -> int:
        groups = self._by_shard(dict.fromkeys(ids))
        return sum(self._write("delete", lambda s: (groups[s],), groups).values()) if groups else 0

    def versions(self) -> dict[str, str]:
        answers = self._write("versions", lambda s: (), range(self.n_shards))
        out: dict[str, str] = {}
        for versions in answers.values():
            out.update(versions)
        return out

    def sync(self, versions: dict[str, str], load: Callable[[str], Report], *, workers: int = 2,
             progress: Callable[[int, int], None] | None = None,
             values: dict[str, dict[str, float]] | None = None) -> tuple[int, int]:
        """As SearchIndex.sync, over the shards: also removes a report from a shard that does not own it."""
        held = self._write("versions", lambda s: (), range(self.n_shards))
        extra = {s: sorted(rid for rid in have if rid not in versions or shard_of(rid, self.n_shards) != s)
                 for s, have in held.items()}
        extra = {s: ids for s, ids in extra.items() if ids}
        if extra:
            self._write("delete", lambda s: (extra[s],), extra)
        owner_has = {rid: v for s, have in held.items() for rid, v in have.items()
                     if shard_of(rid, self.n_shards) == s and rid in versions}
        todo = [rid for rid, v in versions.items() if owner_has.get(rid) != indexed_version(v)]
        added = 0
        for batch in loaded_batches(todo, load):
            self.update(batch)
            added += len(batch)
            if progress:
                progress(added, len(todo))
        if values is not None:  # each shard exactly the values of the reports it owns
            owned = self._by_shard(values)
            self._write("set_values", lambda s: ({rid: values[rid] for rid in owned.get(s, ())}, True),
                        range(self.n_shards))
        return added, sum(map(len, extra.values()))

    # -- SearchBackend: reading ------------------------------------------------------------------------------------

    def search(self, query: str = "", *, filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               limit: int = 20, offset: int = 0, mode: str = "exact", facet_size: int | None = None,
               snippets: int = SNIPPETS) -> dict:
        t0 = time.perf_counter()
        check_mode(mode)
        if sort == "year":
            sort = "year_desc"
        parse_field_sort(sort)  # errors the user must fix are found here, before asking any shard
        tree = parse_query(query)
        self._check_issuers(tree, parse_filters(filters))
        terms = list(dict.fromkeys(texts(tree))) if tree is not None else []
        limit, offset = max(0, int(limit)), max(0, int(offset))
        words, missing = self._collection_words()
        stats = CollectionStats(1, 1.0, {})  # no text: every score is 0, only the sort keys are wanted
        if terms:
            parts, lost = self._ask("statistics", (terms, mode))
            missing.update(lost)
            stats = CollectionStats.merge(list(parts.values()))
        # a shard missing from the statistics stays out of this answer, even if it is back already: its reports
        # would be scored without their share of the statistics
        asked = [s for s in range(self.n_shards) if s not in missing]
        pages, lost = self._ask("search", (query, filters, sort, offset + limit, stats, mode, words, snippets),
                                shards=asked)
        missing.update(lost)
        results = [(tuple(r.pop("sort_key")), s, i, r) for s, page in pages.items()
                   for i, r in enumerate(page["results"])]
        results.sort(key=lambda t: t[:3])  # equal keys: by shard, then the shard's own order
        out = {"query": query, "total": sum(p["total"] for p in pages.values()),
               "total_sections": sum(p["total_sections"] for p in pages.values()),
               "total_fields": sum(p.get("total_fields", 0) for p in pages.values()), "took_ms": 0, "mode": mode,
               "facets": self._merge_facets({s: p["facets"] for s, p in pages.items()}, query, filters, mode, words,
                                            missing),
               "results": [r for *_, r in results[offset:offset + limit]], "limit": limit, "offset": offset,
               "sort": sort, **self._completeness(missing)}
        more: dict[str, int] = {}  # the shards counted every value: the sums are exact, then cut as one index does
        cut_facets(out["facets"], facet_size, set(parse_filters(filters)), more)
        if more:
            out["facets_more"] = more
        if mode == "words":  # the words each term was cut into (the same from every shard)
            out["words"] = next(iter(pages.values()))["words"] if pages else _query_words(terms)
        out["took_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return out

    def facets(self, query: str = "", *, filters: dict[str, list[str]] | None = None,
               mode: str = "exact") -> dict[str, list[dict]]:
        check_mode(mode)
        self._check_issuers(parse_query(query), parse_filters(filters))
        words, missing = self._collection_words()
        asked = [s for s in range(self.n_shards) if s not in missing]
        parts, lost = self._ask("facets", (query, filters, mode, words), shards=asked)
        missing.update(lost)
        if missing:
            log.warning("facets without shards %s", sorted(missing))
        return self._merge_facets(parts, query, filters, mode, words, missing)

    def _merge_facets(self, parts: dict[int, dict], query: str, filters: dict | None, mode: str, words: tuple,
                      missing: set[int]) -> dict[str, list[dict]]:
        """merge_facets, and the 主题词 facet from the shards' first values — or, when those cannot settle it,
        from every value of the shards that cut their lists."""
        if not parts:
            return empty_facets()
        topics = {s: p.pop("keyword", []) for s, p in parts.items()}
        out = merge_facets(list(parts.values()))
        shards = sorted(topics)
        merged = merge_topic_counts([topics[s] for s in shards], FACET_TOPICS)
        if merged is None:
            cut = [s for s in shards if topics[s] and topics[s][-1]["value"] is None]
            full, lost = self._ask("topic_counts", (query, filters, mode, words), shards=cut)
            missing.update(lost)
            topics.update(full)
            merged = merge_topic_counts([topics[s] for s in shards if s not in lost], FACET_TOPICS) or []
        out["keyword"] = merged
        return out

    def ids(self, query: str = "", *, filters: dict[str, list[str]] | None = None, mode: str = "exact") -> list[str]:
        """Every match, oldest first — from every shard, or an error naming the missing ones (an export must not
        silently lack reports)."""
        check_mode(mode)
        tree, parsed = parse_query(query), parse_filters(filters)
        self._check_issuers(tree, parsed)
        words, missing = (None, set())
        if parsed.get("keyword") or filter_values(tree, "keyword"):  # 主题词 of the collection's TF-IDF
            words, missing = self._collection_words()
        asked = [s for s in range(self.n_shards) if s not in missing]
        parts, lost = self._ask("ids", (query, filters, mode, words), shards=asked)
        missing.update(lost)
        if missing:
            raise ShardsUnavailable(f"分片 {', '.join(map(str, sorted(missing)))} 暂不可用，结果不完整，请稍后再试")
        merged = heapq.merge(*(parts[s] for s in sorted(parts)), key=lambda t: t[0])
        return [rid for _, rid in merged]

    def _collection_words(self) -> tuple[tuple, set[int]]:
        """The collection's word statistics as shards take them — (key, [object ref], 主题词 values a shard lists
        first) — gathered anew from the shards whose generation changed; and the shards that did not answer
        (left out of the sum: the answer that uses it must leave them out too)."""
        gens, missing = self._ask("generation")
        with self._words_lock:
            changed = [s for s, g in gens.items()
                       if s not in self._word_parts or self._word_parts[s]["generation"] != g]
            if changed:
                parts, lost = self._ask("word_counts", shards=changed)
                missing += lost
                self._word_parts.update(parts)
            present = [s for s in range(self.n_shards) if s in self._word_parts and s not in missing]
            key = tuple(self._word_parts[s]["generation"] if s in present else None for s in range(self.n_shards))
            if self._words is None or self._words[0] != key:
                self._words = (key, [ray.put(merge_word_counts([self._word_parts[s] for s in present]))])
            key, refs = self._words
        return (key, refs, self.topic_page), set(missing)

    def _check_issuers(self, tree, filters: dict[str, list]) -> None:
        """An issuer filter naming a body no shard holds is the error the embedded index gives (a shard alone
        cannot tell: another may hold the body)."""
        values = list(dict.fromkeys(filter_values(tree, "issuer") + [n.value for n in filters.get("issuer", [])]))
        if not values:
            return
        answers, _ = self._ask("unknown_issuers", (values,))
        if not answers:
            return  # no shard answers: the search itself says which are missing
        unknown = [v for v in values if all(v in a for a in answers.values())]
        if unknown:
            raise UnknownName(next(iter(answers.values()))[unknown[0]])

    def pending(self, versions: dict[str, str], values: dict[str, dict[str, float]] | None = None) -> int:
        """How many reports a sync to ``versions`` (and ``values``) would index, remove or give other values."""
        have = self.versions()
        stale = {rid for rid, v in versions.items() if have.get(rid) != indexed_version(v)}
        moved = moved_values(self.values(), values, complete=True) if values is not None else {}
        return len(stale | (set(have) - set(versions)) | set(moved))

    def _owner(self, method: str, args: tuple, report_id: str):
        owner = shard_of(report_id, self.n_shards)
        answers, missing = self._ask(method, args, shards=[owner])
        if missing:
            raise ShardsUnavailable(f"分片 {owner} 暂不可用，请稍后再试")
        return answers[owner]

    def keywords(self, report_id: str) -> dict | None:
        """The report's keywords, by its shard, with the IDF of its words over the collection: N and their df
        summed over every shard."""
        words = self._owner("report_words", (report_id,), report_id)
        if words is None:
            return None
        parts, missing = self._ask("word_df", (words,))
        if missing:  # (keywords weighed without a shard's share would differ from the collection's)
            raise ShardsUnavailable(f"分片 {', '.join(map(str, sorted(missing)))} 暂不可用，请稍后再试")
        df = {w: sum(p["df"][w] for p in parts.values()) for w in words}
        idf = collection_idf(sum(p["n"] for p in parts.values()), df)
        return self._owner("keywords", (report_id, idf), report_id)

    def similar(self, report_id: str, limit: int = 10) -> list[dict] | None:
        """The reports nearest in wording over every shard: the report's vector (collection-wide TF-IDF) from its
        shard, each shard's nearest to it, merged by similarity."""
        words, missing = self._collection_words()
        if missing:
            raise ShardsUnavailable(f"分片 {', '.join(map(str, sorted(missing)))} 暂不可用，请稍后再试")
        vector = self._owner("report_vector", (report_id, words), report_id)
        if vector is None:
            return None
        if not len(vector["codes"]):
            return []
        parts, missing = self._ask("similar_to", (vector, report_id, max(0, int(limit)), words))
        if missing:
            raise ShardsUnavailable(f"分片 {', '.join(map(str, sorted(missing)))} 暂不可用，请稍后再试")
        rows = sorted(((-r.pop("similarity"), s, i, r) for s, part in parts.items() for i, r in enumerate(part)),
                      key=lambda t: t[:3])
        return [r for *_, r in rows[:max(0, int(limit))]]

    def completeness(self) -> dict:
        """Which shards answer now (a health check: {"partial": bool, "missing_shards": [...]})."""
        _, missing = self._ask("generation")
        return self._completeness(set(missing))

    @staticmethod
    def _completeness(missing: set[int]) -> dict:
        return {"partial": bool(missing), "missing_shards": sorted(missing)}

    def current_generation(self) -> str | None:
        """The shards' generations together: changes whenever any shard commits."""
        answers, missing = self._ask("generation")
        gens = [answers.get(s) for s in range(self.n_shards)]
        if missing or all(g is None for g in gens):
            return None if not missing else f"partial-{time.monotonic_ns()}"
        return "|".join(g or "-" for g in gens)

    def where(self) -> list[list[tuple[str, int]]]:
        """(node id, pid) of every replica of every shard."""
        return [[ray.get(a.where.remote(), timeout=self.timeout) for a in replicas] for replicas in self.replicas]

    def close(self) -> None:
        for replicas in self.replicas:
            for actor in replicas:
                try:
                    ray.kill(actor, no_restart=True)
                except Exception:  # already gone
                    pass
        self.replicas = []


def _query_words(terms: list[str]) -> list[str]:
    from indexer.engine.segmenter import query_words

    return list(dict.fromkeys(w for t in terms for w in query_words(t)))
