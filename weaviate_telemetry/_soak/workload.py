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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._client import Client
from .._core.errors import ErrorKind, WeaviateError
from .._query.filters import Filter

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
#: The operations the workload runs, as Prometheus names them (``db_operation_name``).
OPERATIONS = (
    "batch.insert_objects",
    "objects.update",
    "objects.delete",
    "objects.get",
    "query.get",
    "query.aggregate",
)
#: The searches ``query.get`` runs.
SEARCHES = ("near_vector", "bm25", "hybrid")
#: What Weaviate says when its call to another replica failed mid-way (the node holding it
#: was killed): ``rpc error: code = Canceled desc = grpc: the client connection is closing``.
#: It answers that with 422 (a validation error), though nothing was wrong with the request.
_REPLICA_RPC_FAILURE = "rpc error: code ="
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
    """Counts, error kinds and a latency reservoir of one operation.

    The reservoir is allocated in full up front (8 bytes a slot), so filling
    it during a long run does not show up as RSS growth.
    """

    calls: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    durations: array.array[float] = field(
        default_factory=lambda: array.array("d", bytes(8 * _RESERVOIR))
    )
    kept: int = 0

    def add(self, seconds: float, error: str | None, rng: random.Random) -> None:
        self.calls += 1
        if error is not None:
            self.errors[error] += 1
        if self.kept < _RESERVOIR:
            self.durations[self.kept] = seconds
            self.kept += 1
        else:
            slot = rng.randrange(self.calls)
            if slot < _RESERVOIR:
                self.durations[slot] = seconds

    def sample(self) -> list[float]:
        """The latencies kept (all of them up to the reservoir's size)."""
        return list(self.durations[: self.kept])

    def summary(self, seconds: float, extra: list[float] | None = None) -> dict[str, Any]:
        return summarize(self.calls, self.errors, self.sample() + (extra or []), seconds)

    @staticmethod
    def merged(stats: list[OpStats], seconds: float) -> dict[str, Any]:
        """One summary over several processes' stats of the same operation.

        The latency quantiles are over the union of the reservoirs (each a
        uniform sample of its process's calls).
        """
        errors: collections.Counter[str] = collections.Counter()
        durations: list[float] = []
        for one in stats:
            errors.update(one.errors)
            durations += one.sample()
        return summarize(sum(s.calls for s in stats), errors, durations, seconds)


def summarize(
    calls: int, errors: collections.Counter[str], durations: list[float], seconds: float
) -> dict[str, Any]:
    """Calls, rate, errors by kind and latency quantiles (ms) of one operation."""
    ordered = sorted(durations)

    def q(p: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {
        "calls": calls,
        "per_second": round(calls / seconds, 2) if seconds else 0.0,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(sorted(errors.items())),
        "p50_ms": q(0.50),
        "p95_ms": q(0.95),
        "p99_ms": q(0.99),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
    }


def object_id(space: str, writer: int, serial: int) -> str:
    """The id of a writer's ``serial``-th object in ``space``: derived, so nothing keeps it."""
    text = f"{space}/{writer}/{serial}".encode()
    digest = bytearray(hashlib.blake2b(text, digest_size=16).digest())
    digest[6] = (digest[6] & 0x0F) | 0x40  # a version-4 UUID
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


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
    #: The level of the read-back by id (None: the cursor alone decides).
    consistency: str | None = None
    consistent_found: int = 0
    cursor_missing: int = 0

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
            "consistency": self.consistency,
            "found_at_consistency": self.consistent_found if self.consistency else None,
            "expected_missing_from_cursor": self.cursor_missing,
            "examples": {
                "lost": self.lost[:10],
                "duplicated": self.duplicated[:10],
                "resurrected": self.resurrected[:10],
                "unknown_ids_found": self.strangers[:10],
            },
        }


class Workload:
    """Writers and readers against one fresh collection until a deadline."""

    #: The operations this workload's threads run (their latency reservoirs are made up front).
    operations: tuple[str, ...] = OPERATIONS

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
        id_space: str | None = None,
        phase: Callable[[], str] | None = None,
        phase_names: Sequence[str] = (),
        node_faults: bool = False,
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
        #: Ids are derived from (id_space, writer, serial); worker processes of one run
        #: each have their own space.
        self.id_space = id_space or collection
        #: The run's phase now (before/during/after a node loss); calls are also
        #: counted per phase when given.
        self.phase = phase
        #: With node faults, a 422 that reports a failed call to another replica is caused
        #: by the fault (counted in :attr:`replica_rpc_errors`), not by the request.
        self.node_faults = node_faults
        self.replica_rpc_errors: list[str] = []
        self.phases: dict[str, dict[str, OpStats]] = collections.defaultdict(
            lambda: collections.defaultdict(OpStats)
        )
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
        if phase_names:
            # Every latency reservoir up front (160 KiB each): made on a phase's first call
            # instead, each phase change showed up as ~1 MiB of RSS growth per process.
            for stats in (self.ops, *(self.phases[name] for name in phase_names)):
                for op in self.operations:
                    stats[op] = OpStats()
            for search in SEARCHES:
                self.searches[search] = OpStats()
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

    def create_collection(self, replication_factor: int | None = None) -> None:
        """The soak collection; replicated with ``replication_factor`` > 1.

        A replicated one repairs a restarted node asynchronously and lets a
        delete win over a replica that missed it (``DeleteOnConflict``), so a
        node that was down while objects were deleted does not bring them back.
        """
        extra: dict[str, Any] = {}
        if replication_factor is not None:
            extra["replicationConfig"] = {"factor": replication_factor}
            if replication_factor > 1:
                extra["replicationConfig"].update(
                    asyncEnabled=True, deletionStrategy="DeleteOnConflict"
                )
        self.client.collections.create_from_dict(
            {
                **extra,
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
        other error is unexpected. A call counts in the phase it *began* in.
        """
        phase = self.phase() if self.phase is not None else None
        began = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except WeaviateError as err:
            self._record(op, rng, phase, time.perf_counter() - began, err, search)
            return False, err
        self._record(op, rng, phase, time.perf_counter() - began, None, search)
        return True, value

    def _record(
        self,
        op: str,
        rng: random.Random,
        phase: str | None,
        seconds: float,
        err: WeaviateError | None,
        search: str | None,
    ) -> None:
        """Count one call (see :meth:`_timed`)."""
        kind = None if err is None else err.kind.value
        with self._lock:
            self.ops[op].add(seconds, kind, rng)
            if phase is not None:
                self.phases[phase][op].add(seconds, kind, rng)
            if search is not None:
                self.searches[search].add(seconds, kind, rng)
            if err is None:
                return
            if self._replica_failure(err.kind, str(err)):
                self.replica_rpc_errors.append(f"{op} {search or ''}: {err}")
            elif err.kind not in TRANSIENT:
                self.unexpected.append(f"{op} {search or ''}: {err}")

    def _replica_failure(self, kind: ErrorKind | None, message: str) -> bool:
        """A 4xx that only reports a failed call to a replica, during a node fault run."""
        return (
            self.node_faults
            and kind in (ErrorKind.VALIDATION_ERROR, ErrorKind.BAD_REQUEST, ErrorKind.GRAPHQL_ERROR)
            and _REPLICA_RPC_FAILURE in str(message)
        )

    def _vector(self, rng: random.Random) -> list[float]:
        return [rng.uniform(-1.0, 1.0) for _ in range(self.dimensions)]

    def _id(self, writer: int, serial: int) -> str:
        """The id of a writer's ``serial``-th object: derived, so nothing has to keep it."""
        return object_id(self.id_space, writer, serial)

    def books(self) -> list[bytes]:
        """Each writer's state of every object it sent, indexed by serial (see the module doc)."""
        return [bytes(status) for status in self._status]

    def _writer(self, index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 1000 + index)
        status = self._status[index]
        live = array.array("I")  # serials confirmed and not deleted
        while self._running(deadline):
            objects, serials = self._new_objects(index, status, rng)
            ok, result = self._timed(
                "batch.insert_objects",
                rng,
                self.client.batch.insert_objects,
                objects,
                batch_size=self.batch_size,
            )
            if not ok:  # only bad arguments raise; a failed chunk is in result.failures
                continue
            with self._lock:
                for failure in result.failures:
                    self.batch_failures[failure.kind.value if failure.kind else "rejected"] += 1
                    text = f"batch item {failure.id}: {failure.message}"
                    if self._replica_failure(failure.kind, failure.message):
                        self.replica_rpc_errors.append(text)
                    elif failure.kind is None or failure.kind not in TRANSIENT:
                        self.unexpected.append(text)
            self._confirm(list(result.successful_ids), serials, status, live)
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

    def _new_objects(
        self, index: int, status: bytearray, rng: random.Random
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Writer ``index``'s next batch (booked as unconfirmed) and each id's serial."""
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
        return objects, serials

    def _confirm(
        self, stored: list[str], serials: dict[str, int], status: bytearray, live: array.array[int]
    ) -> None:
        """Book the ids the server said it stored."""
        for oid in stored:
            status[serials[oid]] = _CONFIRMED
            live.append(serials[oid])
        with self._lock:
            self._recent.extend(stored)
            self._written += len(stored)
        if stored:
            self.on_written(len(stored))

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
        books = [(self.id_space, w, status) for w, status in enumerate(self._status)]
        return check_books(self.client, self.collection, books)


#: Ids per read-back query of :func:`check_books` at a consistency level.
_CHECK_CHUNK = 500


def check_books(
    client: Client,
    collection: str,
    books: Iterable[tuple[str, int, bytes | bytearray]],
    consistency: str | None = None,
) -> Verification:
    """Compare the collection with the writers' books ``(id space, writer, states)``.

    A cursor over the collection finds duplicates and ids nobody wrote; with
    ``consistency`` (``ALL``/``QUORUM``) every acknowledged and every deleted
    id is also read back by id at that level, and that read decides what is
    lost (the cursor reads one node's replicas only).
    """
    began = time.monotonic()
    check = Verification(consistency=consistency)
    states: dict[int, set[str]] = collections.defaultdict(set)
    for space, writer, status in books:
        for serial, state in enumerate(status):
            states[state].add(object_id(space, writer, serial))
    deleted, delete_unknown = states[_DELETED], states[_DELETE_UNKNOWN]
    unconfirmed = states[_UNCONFIRMED]
    confirmed = states[_CONFIRMED] | deleted | delete_unknown
    expected = confirmed - deleted - delete_unknown
    check.confirmed, check.deleted = len(confirmed), len(deleted)
    check.delete_unknown, check.expected_present = len(delete_unknown), len(expected)
    seen: collections.Counter[str] = collections.Counter()
    consistent: set[str] = set()
    try:
        for obj in client.objects.iterate(collection, page_size=1000):
            seen[str(obj.id).lower()] += 1
        if consistency is not None:
            handle = client.collections.get(collection).with_consistency_level(consistency)
            wanted = sorted(expected | deleted)
            for at in range(0, len(wanted), _CHECK_CHUNK):
                chunk = wanted[at : at + _CHECK_CHUNK]
                answer = handle.query.fetch_objects(
                    filters=Filter.by_id().contains_any(chunk),
                    limit=len(chunk),
                    return_properties=["rev"],
                )
                consistent.update(str(o.uuid).lower() for o in answer.objects)
        aggregate = client.query.aggregate(collection).meta_count().do()
        check.aggregate_count = aggregate.total_count
    except WeaviateError as err:
        check.error = f"reading the collection back failed: {err}"
        check.seconds = time.monotonic() - began
        return check
    check.found = sum(seen.values())
    present = consistent if consistency is not None else set(seen)
    check.lost = sorted(expected - present)
    check.cursor_missing = len(expected - seen.keys())
    check.consistent_found = len(consistent)
    check.duplicated = sorted(i for i, n in seen.items() if n > 1)
    check.resurrected = sorted(deleted & (seen.keys() | consistent))
    known = confirmed | unconfirmed
    check.strangers = sorted(seen.keys() - known)
    check.unconfirmed_stored = len(unconfirmed & seen.keys())
    check.unconfirmed_absent = len(unconfirmed - seen.keys())
    check.seconds = time.monotonic() - began
    return check
