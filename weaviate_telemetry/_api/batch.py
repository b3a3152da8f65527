"""``client.batch`` (the REST layer ``collection.batch``/``.data`` are built on): ``/v1/batch/…``.

Bulk import, bulk references and delete-by-filter.

Import flow: items are pulled lazily from any iterable, validated and
given an id (so a re-sent chunk upserts instead of duplicating), grouped
into chunks of ``batch_size`` and sent by at most ``concurrency`` worker
threads over the client's connection pool. At most ``concurrency`` chunks
are in flight, so a generator is never materialised. Each chunk's answer
is read item by item: an object counts as stored only when the server
listed it without errors.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.effects import Steps, drive, perform_locks
from .._core.errors import MESSAGE_CAP, ErrorKind, WeaviateError, cap_text
from .._core.models import (
    Call,
    Request,
    Response,
    RpcCall,
    beacon,
    json_list,
    json_object,
    query_params,
    unexpected,
)
from .._core.options import resolve
from .._core.results import JsonResult
from .objects import object_body

if TYPE_CHECKING:
    from concurrent.futures import Future

    from typing_extensions import Unpack

    from .._core.config import CallOverrides
    from .._core.sync_driver import SyncPipeline

#: How a batch builds the steps of one call: ``(request, options, parse) -> Steps[T]``.
SendSteps = Callable[[Request, "RequestOptions | None", Callable[[Response], Any]], Steps[Any]]

T = TypeVar("T")

_OBJECT_KEYS = frozenset({"class", "collection", "properties", "id", "vector", "vectors", "tenant"})
_DELETE_OUTPUTS = ("minimal", "verbose")
_MAX_BATCH_SIZE = 10_000
_MAX_CONCURRENCY = 64
_RPC_BATCH = "/weaviate.v1.Weaviate/BatchObjects"


@dataclass(frozen=True, slots=True)
class BatchObject:
    """One object to import (a dict with the same keys works too)."""

    collection: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    id: str | uuid.UUID | None = None
    vector: Sequence[float] | None = None
    vectors: Mapping[str, Any] | None = None
    tenant: str | None = None


@dataclass(frozen=True, slots=True)
class BatchReference:
    """One cross-reference to add: ``from_collection/from_id.from_property → to_id``."""

    from_collection: str
    from_id: str | uuid.UUID
    from_property: str
    to_id: str | uuid.UUID
    to_collection: str | None = None
    tenant: str | None = None


@dataclass(frozen=True, slots=True)
class BatchFailure(JsonResult):
    """An item that was not stored.

    ``index`` is its position in the input, ``id`` the object id (the
    source object's id for references), ``message`` the server's own
    message. ``kind`` is None when the server rejected just this item, or
    the error kind when the item was never accepted as a whole (client-side
    validation, or the chunk's request failed, e.g. ``timeout``).
    """

    index: int
    id: str | None
    message: str
    kind: ErrorKind | None = None

    def __post_init__(self) -> None:
        # The server's text may echo a credential, or be megabytes long.
        object.__setattr__(self, "message", cap_text(self.message, MESSAGE_CAP))


@dataclass(frozen=True, slots=True)
class BatchProgress(JsonResult):
    """Passed to ``on_progress`` after each chunk: running totals so far."""

    processed: int
    succeeded: int
    failed: int
    chunks: int


@dataclass(frozen=True, slots=True)
class BatchResult(JsonResult):
    """What a batch import did.

    ``successful_ids`` (input order) were confirmed stored by the server;
    ``failures`` lists every other item, so ``succeeded + failed == total``
    always holds. For references the ids are the source objects' ids.
    """

    successful_ids: tuple[str, ...]
    failures: tuple[BatchFailure, ...]
    duration: float
    stored: int | None = None
    """How many were stored, when the ids were not kept (``keep_ids=False``)."""

    @property
    def succeeded(self) -> int:
        """How many items the server confirmed."""
        return len(self.successful_ids) if self.stored is None else self.stored

    @property
    def failed(self) -> int:
        """How many items were not stored."""
        return len(self.failures)

    @property
    def total(self) -> int:
        """How many items were read from the input."""
        return self.succeeded + self.failed

    @property
    def ok(self) -> bool:
        """True when every item was stored."""
        return not self.failures


@dataclass(frozen=True, slots=True)
class BatchDeleteItem(JsonResult):
    """One matched object of a delete (listed with ``output="verbose"`` or on error)."""

    id: str
    status: str
    message: str | None = None

    def __post_init__(self) -> None:
        if self.message is not None:
            object.__setattr__(self, "message", cap_text(self.message, MESSAGE_CAP))


@dataclass(frozen=True, slots=True)
class BatchDeleteResult(JsonResult):
    """Summary of :meth:`Batch.delete_objects`.

    ``matches`` objects matched the filter; ``successful``/``failed`` were
    (or, in a dry run, would be — then ``successful`` is 0) deleted.
    ``limit`` is the most one call deletes (the server's
    ``QUERY_MAXIMUM_RESULTS``); repeat the call while ``matches > limit``.
    """

    matches: int
    successful: int
    failed: int
    limit: int | None
    dry_run: bool
    objects: tuple[BatchDeleteItem, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class _Item:
    index: int
    id: str | None
    body: dict[str, Any]


_Outcome = tuple[list[tuple[int, str]], list[BatchFailure]]


def _messages(item: Mapping[str, Any]) -> str | None:
    """The error text of one batch answer item, or None when it succeeded."""
    result = item.get("result")
    if not isinstance(result, Mapping):
        return None
    errors = result.get("errors")
    texts: list[str] = []
    if isinstance(errors, Mapping) and isinstance(errors.get("error"), list):
        texts = [
            str(e.get("message"))
            for e in errors["error"]
            if isinstance(e, Mapping) and e.get("message")
        ]
    if texts:
        return "; ".join(texts)
    if errors or result.get("status") == "FAILED":
        return "the server reported this item as failed without a message"
    return None


def _outcome_facts(size: int) -> Callable[[Any], Mapping[str, Any]]:
    """Telemetry facts of one chunk from the outcome the caller gets: its size and
    how many items failed (all of them when the call failed as a whole)."""

    def facts(outcome: _Outcome | None) -> Mapping[str, Any]:
        failed = size if outcome is None else len(outcome[1])
        return {"batch_size": size, "objects_failed": failed}

    return facts


def _match_objects(chunk: list[_Item], answer: list[Any]) -> _Outcome:
    """Each object's fate from a batch answer, matched by id (the server may reorder)."""
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for entry in answer:
        if isinstance(entry, Mapping):
            by_id.setdefault(str(entry.get("id", "")).lower(), []).append(entry)
    ok: list[tuple[int, str]] = []
    failed: list[BatchFailure] = []
    for item in chunk:
        assert item.id is not None
        matches = by_id.get(item.id)
        if not matches:
            failed.append(_unmentioned(item, "object"))
            continue
        message = _messages(matches.pop(0))
        if message is None:
            ok.append((item.index, item.id))
        else:
            failed.append(BatchFailure(item.index, item.id, message))
    return ok, failed


def _match_references(chunk: list[_Item], answer: list[Any]) -> _Outcome:
    """Each reference's fate from a batch answer, matched by position."""
    ok: list[tuple[int, str]] = []
    failed: list[BatchFailure] = []
    for position, item in enumerate(chunk):
        assert item.id is not None
        entry = answer[position] if position < len(answer) else None
        if not isinstance(entry, Mapping):
            failed.append(_unmentioned(item, "reference"))
            continue
        message = _messages(entry)
        if message is None:
            ok.append((item.index, item.id))
        else:
            failed.append(BatchFailure(item.index, item.id, message))
    return ok, failed


def _unmentioned(item: _Item, what: str) -> BatchFailure:
    assert item.id is not None
    return BatchFailure(
        item.index,
        item.id,
        f"the server's answer does not mention this {what}",
        ErrorKind.PROTOCOL_ERROR,
    )


def _encodable(chunk: list[_Item]) -> tuple[list[_Item], list[BatchFailure]]:
    """The chunk's objects that encode as JSON, and a failure for each one that does not."""
    from .._core.pipeline import encode_body  # only after a chunk failed to encode

    sendable: list[_Item] = []
    refused: list[BatchFailure] = []
    for item in chunk:
        try:
            encode_body(item.body)
        except WeaviateError as err:
            refused.append(BatchFailure(item.index, item.id, err.message, err.kind))
        else:
            sendable.append(item)
    return sendable, refused


def _chunk_failed(chunk: Sequence[_Item], err: WeaviateError) -> _Outcome:
    return [], [BatchFailure(i.index, i.id, err.message, err.kind) for i in chunk]


class Import:
    """One import, as both drivers run it: the input, how each item is prepared, the
    steps that send one chunk (written once, for either driver), and the running tally.

    A driver's loop only takes :meth:`chunks`, runs ``send(chunk)`` with at most
    ``concurrency`` chunks in flight (threads on ``wt.Client``, tasks on
    ``wt.AsyncClient``), hands each outcome to :meth:`record` and returns
    :meth:`result`. With ``concurrency`` 1, :meth:`steps` is the whole import as steps.
    """

    def __init__(
        self,
        items: Iterable[Any],
        prepare: Callable[[int, Any], _Item],
        send: Callable[[list[_Item]], Steps[_Outcome]],
        batch_size: int,
        concurrency: int,
        on_progress: Callable[[BatchProgress], object] | None,
        keep_ids: bool = True,
    ) -> None:
        self.items = items
        self.prepare = prepare
        self.send = send
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.on_progress = on_progress
        self.keep_ids = keep_ids
        self.started = time.monotonic()
        self.successes: list[tuple[int, str]] = []
        self.failures: list[BatchFailure] = []
        self.chunks_done = 0
        self.reported = 0
        self.stored = 0

    def _report(self) -> None:
        self.reported = self.stored + len(self.failures)
        if self.on_progress is not None:
            self.on_progress(
                BatchProgress(self.reported, self.stored, len(self.failures), self.chunks_done)
            )

    def record(self, outcome: _Outcome) -> None:
        """Count one chunk's outcome (in the caller's thread or task) and report progress."""
        self.chunks_done += 1
        self.stored += len(outcome[0])
        if self.keep_ids:  # else only counted: memory stays flat over any input size
            self.successes.extend(outcome[0])
        self.failures.extend(outcome[1])
        self._report()

    def chunks(self) -> Iterator[list[_Item]]:
        """The input read lazily in chunks of ``batch_size`` prepared items; an item that
        fails client-side validation is a failure and is not sent."""
        chunk: list[_Item] = []
        for index, raw in enumerate(self.items):
            try:
                chunk.append(self.prepare(index, raw))
            except WeaviateError as err:
                self.failures.append(BatchFailure(index, _given_id(raw), err.message, err.kind))
                continue
            if len(chunk) >= self.batch_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def steps(self) -> Steps[BatchResult]:
        """The whole import, one chunk at a time, as steps either driver runs."""
        for chunk in self.chunks():
            self.record((yield from self.send(chunk)))
        return self.result()

    def result(self) -> BatchResult:
        """The :class:`BatchResult` once every chunk is recorded."""
        if self.reported != self.stored + len(self.failures):
            self._report()  # items rejected client-side after the last chunk
        self.successes.sort()
        self.failures.sort(key=lambda f: f.index)
        return BatchResult(
            tuple(i for _, i in self.successes),
            tuple(self.failures),
            time.monotonic() - self.started,
            None if self.keep_ids else self.stored,
        )


def run_import(plan: Import, run: Callable[[Steps[Any]], Any]) -> BatchResult:
    """Run ``plan`` on the sync driver: ``concurrency`` worker threads send the chunks
    (with one, the caller's thread runs :meth:`Import.steps`)."""
    if plan.concurrency == 1:
        result: BatchResult = run(plan.steps())
        return result
    # Imported here so that `import weaviate_telemetry` does not pay for it.
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=plan.concurrency, thread_name_prefix="weaviate-batch")
    pending: set[Future[_Outcome]] = set()

    def drain(at_most: int) -> None:
        nonlocal pending
        while len(pending) > at_most:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                plan.record(future.result())

    try:
        for chunk in plan.chunks():
            drain(plan.concurrency - 1)
            # Each chunk runs in a copy of the caller's context so telemetry
            # metadata and the current span follow it into the worker thread.
            context = contextvars.copy_context()
            pending.add(pool.submit(context.run, run, plan.send(chunk)))
        drain(0)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return plan.result()


class TaskWindow:
    """At most ``limit`` chunks in flight as asyncio tasks (the async driver's batch loop);
    each finished chunk's outcome goes to the ``done`` it was started with, in the
    caller's task."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._tasks: dict[Any, Callable[[Any], None]] = {}

    async def start(self, work: Callable[[], Awaitable[T]], done: Callable[[T], None]) -> None:
        """Start ``work()`` as a task once fewer than ``limit`` are in flight. The task
        runs in a copy of the caller's context, so the current span is its parent."""
        import asyncio

        while len(self._tasks) >= self._limit:
            await self._settle()
        self._tasks[asyncio.ensure_future(work())] = done

    async def _settle(self) -> None:
        import asyncio

        finished, _ = await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
        for task in finished:
            self._tasks.pop(task)(task.result())

    async def drain(self) -> None:
        """Wait for every chunk in flight and hand each its outcome."""
        while self._tasks:
            await self._settle()

    async def cancel(self) -> None:
        """Cancel the chunks still in flight (each ends with its exception event)."""
        import asyncio

        tasks, self._tasks = list(self._tasks), {}
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def arun_import(plan: Import, run: Callable[[Steps[Any]], Awaitable[Any]]) -> BatchResult:
    """Run ``plan`` on the async driver: each chunk's steps are one task, at most
    ``concurrency`` of them in flight; a cancelled import cancels its chunks."""
    window = TaskWindow(plan.concurrency)
    try:
        for chunk in plan.chunks():
            await window.start(partial(run, plan.send(chunk)), plan.record)
        await window.drain()
    finally:
        await window.cancel()  # nothing left after drain(); on an exception, the rest
    return plan.result()


def _steps_of_call(call: Call) -> SendSteps:
    """Steps for a plain :class:`Call` (one that runs its own pipeline): no effects of
    their own, so any driver runs them (a ``Batch`` built on a call alone)."""

    def steps(
        request: Request, options: RequestOptions | None, parse: Callable[[Response], Any]
    ) -> Steps[Any]:
        return call(request, options, parse)
        yield  # a generator: the call above is its whole body

    return steps


def _run_plain(steps: Steps[Any]) -> Any:
    return drive(steps, perform_locks)


class Batch:
    """Bulk operations (``client.batch``; the layer under the collection handles).

    Each chunk is sent as pipeline steps built by ``send`` (the client's
    ``pipeline.call`` with the caller's options) and run by ``run`` (the
    client's driver), so the chunk building, answer matching and telemetry
    are the same on ``wt.Client`` and ``wt.AsyncClient``.
    """

    def __init__(
        self,
        call: Call | None,
        rpc: bool = False,
        streams: SyncPipeline | None = None,
        stream_operation: str = "batch.stream_objects",
        *,
        send: SendSteps | None = None,
        run: Callable[[Steps[Any]], Any] | None = None,
        on_stored: Callable[[int], object] | None = None,
    ) -> None:
        self._call = call
        # stream_objects tells it each input index the server stored, as it learns it
        # (collection.batch.stream() lets go of those objects: its memory stays flat).
        self._on_stored = on_stored
        self._rpc = rpc
        # The pipeline opens BatchStream streams (stream_objects); None: not offered.
        self._streams = streams
        self._stream_operation = stream_operation
        if send is None:
            assert call is not None
            send, run = _steps_of_call(call), _run_plain
        assert run is not None
        self._send = send
        self._run = run

    # -- objects ----------------------------------------------------------------------

    def insert_objects(
        self,
        objects: Iterable[BatchObject | Mapping[str, Any]],
        *,
        collection: str | None = None,
        tenant: str | None = None,
        batch_size: int = 100,
        concurrency: int = 2,
        on_progress: Callable[[BatchProgress], object] | None = None,
        consistency_level: str | None = None,
        transport: str | None = None,
        keep_ids: bool = True,
        **overrides: Unpack[CallOverrides],
    ) -> BatchResult:
        """Import many objects; returns a :class:`BatchResult` and raises only for bad arguments.

        ``objects`` is any iterable (a generator is fine) of
        :class:`BatchObject` or dicts. A dict with a ``"properties"`` key
        uses the REST object keys (``class``/``collection``, ``id``,
        ``vector``, ``vectors``, ``tenant``); any other dict is taken as
        the properties themselves. ``collection`` and ``tenant`` fill in
        items that do not name their own. Objects without an id get a
        random UUID before they are sent, so re-sending the same chunk
        (a retry) overwrites instead of duplicating; pass ids from
        :func:`generate_uuid5` to make re-running a whole import upsert.

        Items that fail client-side validation, that the server rejects,
        or whose chunk request fails (after any enabled retries) are
        listed in ``failures`` with the reason; the rest of the import
        goes on. ``on_progress`` is called in the calling thread after
        every chunk. Set the client's ``pool_maxsize`` >= ``concurrency``.

        Chunks go over gRPC (``BatchObjects``) when the client has a
        ``grpc_port``, else over REST (``POST /v1/batch/objects``); a chunk
        with a value gRPC cannot carry exactly (a reference, an int beyond
        2**53, a mixed list) goes over REST. ``transport="rest"`` forces
        REST, ``transport="grpc"`` gRPC where possible.

        The input is read lazily (at most ``batch_size * concurrency``
        objects are held); ``keep_ids=False`` keeps only the count of stored
        objects (``result.succeeded``), not their ids, so memory stays flat
        for any input size (failures are always kept).

        Example::

            result = client.batch.insert_objects(
                ({"title": t} for t in titles), collection="Article", batch_size=500
            )
            for f in result.failures:
                print(f.index, f.id, f.message)
        """
        plan = self.objects_import(
            objects,
            collection=collection,
            tenant=tenant,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            consistency_level=consistency_level,
            transport=transport,
            keep_ids=keep_ids,
            options=resolve(overrides),
        )
        return run_import(plan, self._run)

    def objects_import(
        self,
        objects: Iterable[BatchObject | Mapping[str, Any]],
        *,
        collection: str | None,
        tenant: str | None,
        batch_size: int,
        concurrency: int,
        consistency_level: str | None,
        options: RequestOptions | None,
        on_progress: Callable[[BatchProgress], object] | None = None,
        transport: str | None = None,
        keep_ids: bool = True,
        checked: bool = False,
    ) -> Import:
        """:meth:`insert_objects` checked and planned, for either driver to run
        (:func:`run_import`, :func:`arun_import`); bad arguments raise here.

        ``checked``: the items are REST bodies a handle already built and validated
        (``batch_item``: id, class, tenant, vectors and properties), not checked again.
        """
        default_collection = None if collection is None else v.collection_name(collection)
        default_tenant = v.optional_tenant(tenant)
        size = v.positive_int(batch_size, "batch_size", _MAX_BATCH_SIZE)
        workers = v.positive_int(concurrency, "concurrency", _MAX_CONCURRENCY)
        level = v.consistency(consistency_level)
        _check_items(objects, "objects")
        _check_callback(on_progress)
        if transport is not None and transport not in ("grpc", "rest"):
            raise v.invalid("transport", transport, "None, 'grpc' or 'rest'")
        if not isinstance(keep_ids, bool):
            raise v.invalid("keep_ids", keep_ids, "True or False")
        opts = options
        rpc = transport == "grpc" or (transport is None and self._rpc)

        def prepare(index: int, item: Any) -> _Item:
            body = item if checked else _object_from(item, default_collection, default_tenant)
            return _Item(index, body["id"], body)

        def send(chunk: list[_Item]) -> Steps[_Outcome]:
            if rpc:
                outcome = yield from self._send_objects_rpc(chunk, level, opts)
                if outcome is not None:
                    return outcome
            return (yield from self._send_objects(chunk, level, opts))

        return Import(objects, prepare, send, size, workers, on_progress, keep_ids)

    def stream_objects(
        self,
        objects: Iterable[BatchObject | Mapping[str, Any]],
        *,
        collection: str | None = None,
        tenant: str | None = None,
        max_in_flight: int = 2000,
        on_progress: Callable[[BatchProgress], object] | None = None,
        consistency_level: str | None = None,
        keep_ids: bool = True,
        **overrides: Unpack[CallOverrides],
    ) -> BatchResult:
        """Import many objects over one server-paced ``BatchStream`` (Weaviate >= 1.36).

        Same input, result and failure rules as :meth:`insert_objects`
        (``failures`` lists index, id and the server's message; an object is
        in ``successful_ids`` only when the server reported it stored), but
        the server sets the pace: it says how many objects may be on the
        wire (``Backoff``), acknowledges and reports each object, and the
        client never holds more than ``max_in_flight`` objects, whatever the
        input's size. A stream that breaks is reopened and the objects
        without a result are sent again with their ids (an overwrite, never a
        duplicate). A server without ``BatchStream`` (or a stream that keeps
        breaking) gets the rest as unary ``BatchObjects`` calls. Needs a
        client with a ``grpc_port``. See docs/batch.md.

        Example::

            result = client.batch.stream_objects(rows(), collection="Article", keep_ids=False)
            print(result.succeeded, result.failures[:3])
        """
        from .batch_stream import StreamImport

        default_collection = None if collection is None else v.collection_name(collection)
        default_tenant = v.optional_tenant(tenant)
        window = v.positive_int(max_in_flight, "max_in_flight", 1_000_000)
        level = v.consistency(consistency_level)
        _check_items(objects, "objects")
        _check_callback(on_progress)
        if not isinstance(keep_ids, bool):
            raise v.invalid("keep_ids", keep_ids, "True or False")
        opts = resolve(overrides)
        if self._streams is None or not self._rpc:
            raise v.invalid("grpc_port", None, "a client with a grpc_port for stream_objects")

        def prepare(index: int, item: Any) -> _Item:
            body = _object_from(item, default_collection, default_tenant)
            return _Item(index, body["id"], body)

        def unary(chunk: list[_Item]) -> Steps[_Outcome]:
            outcome = yield from self._send_objects_rpc(chunk, level, opts)
            if outcome is None:
                outcome = yield from self._send_objects(chunk, level, opts)
            return outcome

        def send_unary(chunk: list[_Item]) -> _Outcome:
            outcome: _Outcome = self._run(unary(chunk))
            return outcome

        def send_messages(chunk: list[Any]) -> _Outcome:
            outcome: _Outcome = self._run(
                self._send_rpc_messages(
                    [(i.index, i.id) for i in chunk], [i.message for i in chunk], [], level, opts
                )
            )
            return outcome

        progress = (
            None
            if on_progress is None
            else lambda done, ok, failed, n: on_progress(BatchProgress(done, ok, failed, n))
        )
        successes, failures, stored, duration = StreamImport(
            self._streams,
            prepare,
            send_unary,
            send_messages,
            BatchFailure,
            _given_id,
            level=level,
            operation=self._stream_operation,
            collection=default_collection,
            max_in_flight=window,
            on_progress=progress,
            keep_ids=keep_ids,
            on_stored=self._on_stored,
        ).run(objects)
        return BatchResult(
            tuple(i for _, i in successes),
            tuple(failures),
            duration,
            None if keep_ids else stored,
        )

    def _post_chunk(
        self,
        request: Request,
        opts: RequestOptions | None,
        chunk: list[_Item],
        match: Callable[[list[_Item], list[Any]], _Outcome],
    ) -> Steps[_Outcome]:
        """Send one chunk; the answer is matched to its items inside the call's telemetry,
        so the events count exactly the failures the caller gets."""
        try:
            outcome: _Outcome = yield from self._send(
                request, opts, lambda response: match(chunk, json_list(response))
            )
        except WeaviateError as err:
            return _chunk_failed(chunk, err)
        return outcome

    def _send_objects(
        self, chunk: list[_Item], level: str | None, opts: RequestOptions | None
    ) -> Steps[_Outcome]:
        collections = {i.body["class"] for i in chunk}
        tenants = {i.body.get("tenant") for i in chunk}
        request = Request(
            "POST",
            "/v1/batch/objects",
            "batch.insert_objects",
            path_template="/v1/batch/objects",
            params=query_params(consistency_level=level),
            body={"fields": ["ALL"], "objects": [i.body for i in chunk]},
            collection=next(iter(collections)) if len(collections) == 1 else None,
            tenant=next(iter(tenants)) if len(tenants) == 1 else None,
            # Every object carries an id by now, so sending the chunk again upserts.
            idempotent=True,
            outcome_facts=_outcome_facts(len(chunk)),
        )
        ok, failed = yield from self._post_chunk(request, opts, chunk, _match_objects)
        first = failed[0] if failed and not ok else None
        if (
            first is not None
            and len(chunk) > 1
            and first.kind is ErrorKind.VALIDATION_ERROR
            and first.message.startswith("request body is not JSON-serialisable")
        ):
            # One object the encoder refuses fails alone; the others are sent.
            sendable, refused = _encodable(chunk)
            if sendable and refused:
                ok, failed = yield from self._send_objects(sendable, level, opts)
                return ok, [*refused, *failed]
        return ok, failed

    def _send_objects_rpc(
        self, chunk: list[_Item], level: str | None, opts: RequestOptions | None
    ) -> Steps[_Outcome | None]:
        """Send one chunk as ``BatchObjects``; None when it must go over REST."""
        from . import grpc_batch  # protobuf is imported on first use

        rpc, sent_positions, refused_positions = grpc_batch.batch_call(
            [i.body for i in chunk], level
        )
        refused = [
            BatchFailure(chunk[p].index, chunk[p].id, message, ErrorKind.VALIDATION_ERROR)
            for p, message in refused_positions.items()
        ]
        if rpc is None:
            return ([], refused) if refused and not sent_positions else None
        sent = [(chunk[p].index, chunk[p].id or "") for p in sent_positions]
        outcome: _Outcome = yield from self._send_rpc_messages(
            sent, list(rpc.message.objects), refused, level, opts
        )
        return outcome

    def _send_rpc_messages(
        self,
        sent: list[tuple[int, str]],
        messages: list[Any],
        refused: list[BatchFailure],
        level: str | None,
        opts: RequestOptions | None,
    ) -> Steps[_Outcome]:
        """One ``BatchObjects`` call for encoded objects (``sent``: their index and id)."""
        from .._core.grpc_stubs.v1 import batch_pb2
        from . import grpc_batch

        req = batch_pb2.BatchObjectsRequest(objects=messages)
        if level is not None:
            req.consistency_level = grpc_batch._CONSISTENCY[level]
        rpc = RpcCall("BatchObjects", req, batch_pb2.BatchObjectsReply, False)
        collections = {m.collection for m in messages}
        tenants = {m.tenant or None for m in messages}
        size = len(sent)

        def parse(response: Response) -> _Outcome:
            if not isinstance(response.body, rpc.reply):
                raise unexpected("gRPC answer is not a BatchObjectsReply", response)
            failed = grpc_batch.failures(response.body)
            if any(not 0 <= position < size for position in failed):
                raise unexpected("the server's answer names an object outside the chunk")
            ok: list[tuple[int, str]] = []
            bad: list[BatchFailure] = list(refused)
            for position, (index, id_) in enumerate(sent):
                message = failed.get(position)
                if message is None:
                    ok.append((index, id_))
                else:
                    bad.append(BatchFailure(index, id_, message))
            return ok, bad

        request = Request(
            "POST",
            _RPC_BATCH,
            "batch.insert_objects",
            path_template=_RPC_BATCH,
            collection=next(iter(collections)) if len(collections) == 1 else None,
            tenant=next(iter(tenants)) if len(tenants) == 1 else None,
            # Every object carries an id by now, so sending the chunk again upserts.
            idempotent=True,
            outcome_facts=_outcome_facts(size + len(refused)),
            rpc=rpc,
        )
        try:
            outcome: _Outcome = yield from self._send(request, opts, parse)
        except WeaviateError as err:
            failed = [BatchFailure(index, id_, err.message, err.kind) for index, id_ in sent]
            return [], [*refused, *failed]
        return outcome

    # -- references -------------------------------------------------------------------

    def insert_references(
        self,
        references: Iterable[BatchReference | Mapping[str, Any]],
        *,
        batch_size: int = 100,
        concurrency: int = 2,
        on_progress: Callable[[BatchProgress], object] | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> BatchResult:
        """Add many cross-references; same chunking, progress and result rules as objects.

        Items are :class:`BatchReference` values or dicts with its field
        names. The result's ids are the source objects' ids.
        """
        plan = self.references_import(
            references,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            consistency_level=consistency_level,
            options=resolve(overrides),
        )
        return run_import(plan, self._run)

    def references_import(
        self,
        references: Iterable[BatchReference | Mapping[str, Any]],
        *,
        batch_size: int,
        concurrency: int,
        consistency_level: str | None,
        options: RequestOptions | None,
        on_progress: Callable[[BatchProgress], object] | None = None,
    ) -> Import:
        """:meth:`insert_references` checked and planned, for either driver to run."""
        size = v.positive_int(batch_size, "batch_size", _MAX_BATCH_SIZE)
        workers = v.positive_int(concurrency, "concurrency", _MAX_CONCURRENCY)
        level = v.consistency(consistency_level)
        _check_items(references, "references")
        _check_callback(on_progress)

        def send(chunk: list[_Item]) -> Steps[_Outcome]:
            return self._send_references(chunk, level, options)

        return Import(references, _reference_from, send, size, workers, on_progress)

    def _send_references(
        self, chunk: list[_Item], level: str | None, opts: RequestOptions | None
    ) -> Steps[_Outcome]:
        collections = {i.body["from"].split("/")[3] for i in chunk}
        request = Request(
            "POST",
            "/v1/batch/references",
            "batch.insert_references",
            path_template="/v1/batch/references",
            params=query_params(consistency_level=level),
            body=[i.body for i in chunk],
            collection=next(iter(collections)) if len(collections) == 1 else None,
            # Adding the same reference twice is rejected or ignored, never duplicated.
            idempotent=True,
            outcome_facts=_outcome_facts(len(chunk)),
        )
        return self._post_chunk(request, opts, chunk, _match_references)

    # -- delete by filter ---------------------------------------------------------------

    def delete_objects(
        self,
        collection: str,
        where: Any,
        *,
        dry_run: bool = False,
        output: str = "minimal",
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> BatchDeleteResult:
        """Delete every object of ``collection`` matching ``where`` (``DELETE /v1/batch/objects``).

        ``where`` is a REST filter dict, e.g.
        ``{"path": ["year"], "operator": "LessThan", "valueInt": 2000}``,
        or a filter object from ``client.query`` (anything with
        ``to_rest()``). ``dry_run=True`` only counts the matches;
        ``output="verbose"`` lists each matched object.

        Example::

            r = client.batch.delete_objects("Article", where, dry_run=True)
            print(r.matches)
        """
        collection = v.collection_name(collection)
        where_dict = v.where_filter(where)
        if not isinstance(dry_run, bool):
            raise v.invalid("dry_run", dry_run, "True or False")
        output = v.choice(output, "output", _DELETE_OUTPUTS)
        tenant = v.optional_tenant(tenant)
        level = v.consistency(consistency_level)
        request = Request(
            "DELETE",
            "/v1/batch/objects",
            "batch.delete_objects",
            path_template="/v1/batch/objects",
            params=query_params(tenant=tenant, consistency_level=level),
            body={
                "match": {"class": collection, "where": where_dict},
                "dryRun": dry_run,
                "output": output,
            },
            collection=collection,
            tenant=tenant,
        )
        assert self._call is not None  # a handle deletes through its own plan
        return self._call(
            request,
            resolve(overrides),
            lambda response: _delete_result(response, dry_run),
        )


def _delete_result(response: Response, dry_run: bool) -> BatchDeleteResult:
    body = json_object(response)
    results = body.get("results")
    if not isinstance(results, Mapping):
        raise unexpected("delete answer has no 'results' object", response)
    items = []
    for entry in results.get("objects") or ():
        if isinstance(entry, Mapping):
            errors = entry.get("errors")
            message = None
            if isinstance(errors, Mapping):
                message = _messages({"result": {"errors": errors}})
            items.append(
                BatchDeleteItem(str(entry.get("id", "")), str(entry.get("status", "")), message)
            )
    limit = results.get("limit")
    return BatchDeleteResult(
        matches=_count(results.get("matches")),
        successful=_count(results.get("successful")),
        failed=_count(results.get("failed")),
        limit=None if limit is None else _count(limit),
        dry_run=bool(body.get("dryRun", dry_run)),
        objects=tuple(items),
        raw=body,
    )


def _count(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _check_items(items: Any, name: str) -> None:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise v.invalid(name, items, "an iterable (list, generator …) of items")


def _check_callback(on_progress: Any) -> None:
    if on_progress is not None and not callable(on_progress):
        raise v.invalid("on_progress", on_progress, "a callable taking a BatchProgress, or None")


def _given_id(item: Any) -> str | None:
    """The id an input item names (for reporting a failure), if any."""
    value: Any = None
    if isinstance(item, BatchReference):
        value = item.from_id
    elif isinstance(item, BatchObject):
        value = item.id
    elif isinstance(item, Mapping):
        value = item.get("id", item.get("from_id"))
    return None if value is None else str(value)


def _object_from(item: Any, collection: str | None, tenant: str | None) -> dict[str, Any]:
    if isinstance(item, BatchObject):
        fields: Mapping[str, Any] = {
            "class": item.collection,
            "properties": item.properties,
            "id": item.id,
            "vector": item.vector,
            "vectors": item.vectors,
            "tenant": item.tenant,
        }
    elif isinstance(item, Mapping) and "properties" in item:
        unknown = set(item) - _OBJECT_KEYS
        if unknown:
            raise v.invalid(
                "object keys", sorted(unknown), "only " + ", ".join(sorted(_OBJECT_KEYS))
            )
        fields = item
    elif isinstance(item, Mapping):
        fields = {"properties": item}
    else:
        raise v.invalid("object", item, "a BatchObject or a dict")
    name = fields.get("class") or fields.get("collection") or collection
    if name is None:
        raise v.invalid("collection", None, "a collection on the item or collection= on the call")
    given = fields.get("id")
    return object_body(
        name,
        fields.get("properties"),
        uuid.uuid4() if given is None else given,
        fields.get("vector"),
        fields.get("vectors"),
        fields.get("tenant") or tenant,
    )


def _reference_from(index: int, item: Any) -> _Item:
    if isinstance(item, Mapping):
        try:
            item = BatchReference(**item)
        except TypeError:
            raise v.invalid("reference", item, "a BatchReference or a dict of its fields") from None
    if not isinstance(item, BatchReference):
        raise v.invalid("reference", item, "a BatchReference or a dict of its fields")
    source = v.collection_name(item.from_collection, "from_collection")
    source_id = v.object_id(item.from_id, "from_id")
    prop = v.property_name(item.from_property, "from_property")
    target = v.object_id(item.to_id, "to_id")
    target_collection = (
        None
        if item.to_collection is None
        else v.collection_name(item.to_collection, "to_collection")
    )
    body: dict[str, Any] = {
        "from": f"weaviate://localhost/{source}/{source_id}/{prop}",
        "to": beacon(target_collection, target),
    }
    if item.tenant is not None:
        body["tenant"] = v.tenant_name(item.tenant)
    return _Item(index, source_id, body)
