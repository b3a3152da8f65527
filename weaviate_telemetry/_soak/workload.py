"""The soak's mixed, bounded workload and the end-of-run check of every written id.

Writers import batches with client-assigned ids, then update and delete a few
of *their own* objects (so no two threads race on one id); readers run
near-vector, bm25 and hybrid queries, gets of recently written ids and
aggregate counts. Everything goes through the public client API, so the
SDK's telemetry sees every call.

Ids are derived from (collection, writer, serial), so the books hold one
byte per object, not its id, and do not blur the RSS growth the soak
measures. States: ``confirmed`` — the server said stored; ``unconfirmed``
— the import of that item failed (it may or may not be stored: a reset
after the server wrote it); ``deleted`` — a delete succeeded;
``delete_unknown`` — a delete failed (either state is right). At the end
every confirmed, not-deleted id must be present exactly once and every
deleted id absent.
"""

from __future__ import annotations

import array
import collections
import hashlib
import random
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .._client import Client
from .._core.errors import ErrorKind, WeaviateError

#: Error kinds a fault (a reset, a refused connection, added latency, a 503) can cause.
TRANSIENT = frozenset(
    {
        ErrorKind.CONNECTION_ERROR,
        ErrorKind.TIMEOUT,
        ErrorKind.UNAVAILABLE,
        ErrorKind.RATE_LIMITED,
        ErrorKind.SERVER_ERROR,
    }
)
_RESERVOIR = 20_000
# The state of one object in a writer's books.
_UNCONFIRMED, _CONFIRMED, _DELETED, _DELETE_UNKNOWN = 0, 1, 2, 3
_WORDS = tuple(
    [
        "amber",
        "basil",
        "cedar",
        "delta",
        "ember",
        "fjord",
        "garnet",
        "harbor",
        "indigo",
        "juniper",
        "kelp",
        "lumen",
        "meadow",
        "nectar",
        "onyx",
        "prism",
        "quartz",
        "raven",
        "sierra",
        "tundra",
        "umber",
        "velvet",
        "willow",
        "xenon",
        "yarrow",
        "zephyr",
    ]
)


@dataclass
class OpStats:
    """Counts, error kinds and a latency reservoir of one operation."""

    calls: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    durations: list[float] = field(default_factory=list)

    def add(self, seconds: float, error: str | None, rng: random.Random) -> None:
        self.calls += 1
        if error is not None:
            self.errors[error] += 1
        if len(self.durations) < _RESERVOIR:
            self.durations.append(seconds)
        else:
            slot = rng.randrange(self.calls)
            if slot < _RESERVOIR:
                self.durations[slot] = seconds

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.durations)

        def q(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

        return {
            "calls": self.calls,
            "per_second": round(self.calls / seconds, 2) if seconds else 0.0,
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(sorted(self.errors.items())),
            "p50_ms": q(0.50),
            "p95_ms": q(0.95),
            "p99_ms": q(0.99),
            "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
        }


@dataclass
class Verification:
    """What the end-of-run check found."""

    confirmed: int = 0
    deleted: int = 0
    expected_present: int = 0
    found: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    resurrected: list[str] = field(default_factory=list)
    strangers: list[str] = field(default_factory=list)
    unconfirmed_stored: int = 0
    unconfirmed_absent: int = 0
    delete_unknown: int = 0
    aggregate_count: int | None = None
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not (
            self.lost or self.duplicated or self.resurrected or self.strangers
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "confirmed_written": self.confirmed,
            "deleted": self.deleted,
            "expected_present": self.expected_present,
            "found": self.found,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "resurrected": len(self.resurrected),
            "unknown_ids_found": len(self.strangers),
            "unconfirmed_writes_stored": self.unconfirmed_stored,
            "unconfirmed_writes_absent": self.unconfirmed_absent,
            "deletes_with_unknown_outcome": self.delete_unknown,
            "aggregate_count": self.aggregate_count,
            "seconds": round(self.seconds, 2),
            "error": self.error,
            "examples": {
                "lost": self.lost[:10],
                "duplicated": self.duplicated[:10],
                "resurrected": self.resurrected[:10],
                "unknown_ids_found": self.strangers[:10],
            },
        }


class Workload:
    """Writers and readers against one fresh collection until a deadline."""

    def __init__(
        self,
        client: Client,
        collection: str,
        *,
        writers: int,
        readers: int,
        batch_size: int,
        dimensions: int,
        think_time: float = 0.0,
        seed: int = 8,
        on_written: Callable[[int], object] = lambda n: None,
    ) -> None:
        self.client = client
        self.collection = collection
        self.writers = writers
        self.readers = readers
        self.batch_size = batch_size
        self.dimensions = dimensions
        self.think_time = think_time
        self.seed = seed
        self.on_written = on_written
        #: Per SDK operation, named as Prometheus shows it (``db_operation_name``).
        self.ops: dict[str, OpStats] = collections.defaultdict(OpStats)
        #: The ``query.get`` calls again, per kind of search.
        self.searches: dict[str, OpStats] = collections.defaultdict(OpStats)
        self.unexpected: list[str] = []
        self._lock = threading.Lock()
        # One byte per object a writer sent, indexed by its serial (see _id): the
        # bookkeeping of 100 000 objects costs 100 kB, so it does not blur RSS growth.
        self._status = [bytearray() for _ in range(writers)]
        self._recent: collections.deque[str] = collections.deque(maxlen=2000)
        self._stop = threading.Event()
        self._written = 0
        self._rng = random.Random(seed)
        self.batch_failures: collections.Counter[str] = collections.Counter()

    # -- counters read by the sampler and the progress display ----------------------------

    def counters(self) -> tuple[int, int, int]:
        """(objects written, calls, errors) so far."""
        with self._lock:
            calls = sum(s.calls for s in self.ops.values())
            errors = sum(sum(s.errors.values()) for s in self.ops.values())
            return self._written, calls, errors

    @property
    def written(self) -> int:
        return self._written

    # -- schema -----------------------------------------------------------------------------

    def create_collection(self) -> None:
        self.client.collections.create_from_dict(
            {
                "class": self.collection,
                "description": "weaviate-telemetry soak run",
                "vectorizer": "none",
                "properties": [
                    {"name": "title", "dataType": ["text"]},
                    {"name": "writer", "dataType": ["int"]},
                    {"name": "rev", "dataType": ["int"]},
                ],
            }
        )

    # -- running ----------------------------------------------------------------------------

    def run(self, seconds: float) -> None:
        """Run every thread until ``seconds`` have passed (or :meth:`stop`); joins them."""
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=self._guard, args=(self._writer, i, deadline), name=f"soak-writer-{i}"
            )
            for i in range(self.writers)
        ] + [
            threading.Thread(
                target=self._guard, args=(self._reader, i, deadline), name=f"soak-reader-{i}"
            )
            for i in range(self.readers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def stop(self) -> None:
        self._stop.set()

    def _guard(self, body: Callable[[int, float], None], index: int, deadline: float) -> None:
        try:
            body(index, deadline)
        except Exception:
            with self._lock:
                self.unexpected.append(traceback.format_exc(limit=8))

    def _running(self, deadline: float) -> bool:
        return not self._stop.is_set() and time.monotonic() < deadline

    def _pause(self) -> None:
        if self.think_time:
            self._stop.wait(self.think_time)

    def _timed(
        self,
        op: str,
        rng: random.Random,
        fn: Callable[..., Any],
        *args: Any,
        search: str | None = None,
        **kwargs: Any,
    ) -> tuple[bool, Any]:
        """Run ``fn(*args, **kwargs)``; record its time and outcome.

        ``op`` is the SDK operation, the ``db_operation_name`` Prometheus shows (all
        searches are ``query.get``); ``search`` (near_vector, bm25, hybrid) also counts
        the call in :attr:`searches`. Errors of a kind a fault can cause are counted; any
        other error is unexpected.
        """
        began = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except WeaviateError as err:
            seconds = time.perf_counter() - began
            with self._lock:
                self.ops[op].add(seconds, err.kind.value, rng)
                if search is not None:
                    self.searches[search].add(seconds, err.kind.value, rng)
                if err.kind not in TRANSIENT:
                    self.unexpected.append(f"{op} {search or ''}: {err}")
            return False, err
        seconds = time.perf_counter() - began
        with self._lock:
            self.ops[op].add(seconds, None, rng)
            if search is not None:
                self.searches[search].add(seconds, None, rng)
        return True, value

    def _vector(self, rng: random.Random) -> list[float]:
        return [rng.uniform(-1.0, 1.0) for _ in range(self.dimensions)]

    def _id(self, writer: int, serial: int) -> str:
        """The id of a writer's ``serial``-th object: derived, so nothing has to keep it."""
        text = f"{self.collection}/{writer}/{serial}".encode()
        digest = bytearray(hashlib.blake2b(text, digest_size=16).digest())
        digest[6] = (digest[6] & 0x0F) | 0x40  # a version-4 UUID
        digest[8] = (digest[8] & 0x3F) | 0x80
        return str(uuid.UUID(bytes=bytes(digest)))

    def _writer(self, index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 1000 + index)
        status = self._status[index]
        live = array.array("L")  # serials confirmed and not deleted
        while self._running(deadline):
            objects: list[dict[str, Any]] = []
            serials: dict[str, int] = {}
            for _ in range(self.batch_size):
                serial = len(status)
                status.append(_UNCONFIRMED)
                oid = self._id(index, serial)
                serials[oid] = serial
                words = " ".join(rng.choice(_WORDS) for _ in range(4))
                objects.append(
                    {
                        "class": self.collection,
                        "id": oid,
                        "properties": {"title": f"{words} {serial}", "writer": index, "rev": 0},
                        "vector": self._vector(rng),
                    }
                )
            ok, result = self._timed(
                "batch.insert_objects",
                rng,
                self.client.batch.insert_objects,
                objects,
                batch_size=self.batch_size,
            )
            if not ok:  # only bad arguments raise; a failed chunk is in result.failures
                continue
            stored = list(result.successful_ids)
            for oid in stored:
                status[serials[oid]] = _CONFIRMED
                live.append(serials[oid])
            with self._lock:
                for failure in result.failures:
                    self.batch_failures[failure.kind.value if failure.kind else "rejected"] += 1
                    if failure.kind is None or failure.kind not in TRANSIENT:
                        self.unexpected.append(f"batch item {failure.id}: {failure.message}")
                self._recent.extend(stored)
                self._written += len(stored)
            if stored:
                self.on_written(len(stored))
            self._pause()
            for _ in range(max(1, self.batch_size // 20)):
                if not live or not self._running(deadline):
                    break
                self._timed(
                    "objects.update",
                    rng,
                    self.client.objects.update,
                    self.collection,
                    self._id(index, live[rng.randrange(len(live))]),
                    {"rev": len(status)},
                )
                self._pause()
            for _ in range(max(1, self.batch_size // 50)):
                if not live or not self._running(deadline):
                    break
                serial = live.pop(rng.randrange(len(live)))
                ok, _ = self._timed(
                    "objects.delete",
                    rng,
                    self.client.objects.delete,
                    self.collection,
                    self._id(index, serial),
                )
                status[serial] = _DELETED if ok else _DELETE_UNKNOWN
                self._pause()

    def _recent_id(self, rng: random.Random) -> str | None:
        with self._lock:
            if not self._recent:
                return None
            return self._recent[rng.randrange(len(self._recent))]

    def _reader(self, index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 2000 + index)
        name = self.collection
        while self._running(deadline):
            choice = rng.randrange(6)
            if choice == 0:
                query = self.client.query.get(name).fields("title", "rev")
                query = query.near_vector(self._vector(rng)).limit(10)
                self._timed("query.get", rng, query.do, search="near_vector")
            elif choice == 1:
                query = self.client.query.get(name).fields("title").bm25(rng.choice(_WORDS))
                self._timed("query.get", rng, query.limit(10).do, search="bm25")
            elif choice == 2:
                query = self.client.query.get(name).fields("title")
                query = query.hybrid(rng.choice(_WORDS), alpha=0.5, vector=self._vector(rng))
                self._timed("query.get", rng, query.limit(10).do, search="hybrid")
            elif choice in (3, 4):
                oid = self._recent_id(rng)
                if oid is not None:
                    self._timed("objects.get", rng, self.client.objects.get, name, oid)
            else:
                aggregate = self.client.query.aggregate(name).meta_count()
                self._timed("query.aggregate", rng, aggregate.do)
            self._pause()

    # -- the end-of-run check -----------------------------------------------------------

    def verify(self) -> Verification:
        """Read every object back (cursor over the collection) and compare with the books."""
        began = time.monotonic()
        check = Verification()
        books: dict[int, set[str]] = collections.defaultdict(set)
        for writer, status in enumerate(self._status):
            for serial, state in enumerate(status):
                books[state].add(self._id(writer, serial))
        deleted, delete_unknown = books[_DELETED], books[_DELETE_UNKNOWN]
        unconfirmed = books[_UNCONFIRMED]
        confirmed = books[_CONFIRMED] | deleted | delete_unknown
        expected = confirmed - deleted - delete_unknown
        check.confirmed, check.deleted = len(confirmed), len(deleted)
        check.delete_unknown, check.expected_present = len(delete_unknown), len(expected)
        seen: collections.Counter[str] = collections.Counter()
        try:
            for obj in self._every_object():
                seen[str(obj).lower()] += 1
            aggregate = self.client.query.aggregate(self.collection).meta_count().do()
            check.aggregate_count = aggregate.count
        except WeaviateError as err:
            check.error = f"reading the collection back failed: {err}"
            check.seconds = time.monotonic() - began
            return check
        check.found = sum(seen.values())
        check.lost = sorted(expected - seen.keys())
        check.duplicated = sorted(i for i, n in seen.items() if n > 1)
        check.resurrected = sorted(deleted & seen.keys())
        known = confirmed | unconfirmed
        check.strangers = sorted(seen.keys() - known)
        check.unconfirmed_stored = len(unconfirmed & seen.keys())
        check.unconfirmed_absent = len(unconfirmed - seen.keys())
        check.seconds = time.monotonic() - began
        return check

    def _every_object(self) -> Iterator[str]:
        for obj in self.client.objects.iterate(self.collection, page_size=1000):
            yield str(obj.id)
