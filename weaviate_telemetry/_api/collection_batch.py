"""``collection.batch``: v4's import context managers, on the SDK's batch import.

::

    with articles.batch.dynamic() as batch:
        for row in rows:
            batch.add_object(properties=row, vector=row_vector)
    failed = articles.batch.failed_objects

Objects are buffered and sent through ``Batch.insert_objects`` (chunks
of ``batch_size``, ``concurrent_requests`` in flight) whenever the buffer
holds ``batch_size * concurrent_requests`` objects, and once more when the
``with`` block ends — also when it ends with an exception, so nothing
added is silently dropped. Every object is either confirmed stored by the
server or listed in ``failed_objects`` with the reason; references added
with ``add_reference`` are sent after the objects of the same flush.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.options import checked, resolve
from .batch import Batch, BatchResult, Import, TaskWindow, arun_import, run_import
from .collection_data import (
    DataObject,
    DataReference,
    ErrorObject,
    ErrorReference,
    batch_item,
    handle_batch,
    object_outcome,
    reference_items,
    reference_return,
)
from .handle import HandleContext

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

_DYNAMIC_SIZE = 100
_DYNAMIC_CONCURRENCY = 2


class _Buffer:
    """What a batch context queues and what it learned, for either driver: the objects
    and references added since the last flush, and each flush's imports (:class:`Import`,
    chunk steps written once in ``Batch``) with what to do with their results."""

    def __init__(
        self,
        ctx: HandleContext,
        batch_size: int,
        concurrency: int,
        opts: RequestOptions | None,
        owner: _Publisher,
    ) -> None:
        self._ctx = ctx
        self._size = batch_size
        self._concurrency = concurrency
        self._opts = opts
        self._owner = owner
        self._objects: list[tuple[DataObject, dict[str, Any]]] = []
        self._references: list[DataReference] = []
        self.failed_objects: list[ErrorObject] = []
        """Objects not stored so far (message, the object, its uuid)."""
        self.failed_references: list[ErrorReference] = []
        """References not added so far."""
        self.results_uuids: list[_uuid.UUID] = []
        """Uuids of the objects the server confirmed so far."""

    @property
    def number_errors(self) -> int:
        """How many objects and references failed so far."""
        return len(self.failed_objects) + len(self.failed_references)

    def _queue_object(
        self,
        properties: Mapping[str, Any] | None,
        references: Mapping[str, Any] | None,
        uuid: str | _uuid.UUID | None,
        vector: Sequence[float] | Mapping[str, Any] | None,
    ) -> tuple[_uuid.UUID, bool]:
        """Check and queue one object: its uuid, and whether the buffer is full."""
        obj, body = batch_item(self._ctx, DataObject(properties, uuid, vector, references))
        self._objects.append((obj, body))
        return _uuid.UUID(body["id"]), len(self._objects) >= self._size * self._concurrency

    def _queue_reference(
        self,
        from_uuid: str | _uuid.UUID,
        from_property: str,
        to: str | _uuid.UUID | Sequence[str | _uuid.UUID],
    ) -> bool:
        """Check and queue one reference: whether the buffer is full."""
        ref = DataReference(from_property, from_uuid, to)
        reference_items(self._ctx, [ref])  # validate now
        self._references.append(ref)
        return len(self._references) >= self._size * self._concurrency

    def _take(self) -> list[tuple[Import, Callable[[BatchResult], None]]]:
        """Empty the buffer: the imports to run now (objects before references), each with
        the function that records its result."""
        objects, self._objects = self._objects, []
        references, self._references = self._references, []
        work = [self._objects_work(objects, self._concurrency)] if objects else []
        if references:
            work.append(self._references_work(references))
        return work

    def _objects_work(
        self, objects: list[tuple[DataObject, dict[str, Any]]], concurrency: int
    ) -> tuple[Import, Callable[[BatchResult], None]]:
        """The import of ``objects`` and the function that records its result."""
        ctx = self._ctx
        bodies = [body for _, body in objects]

        def done(result: BatchResult) -> None:
            outcome = object_outcome([o for o, _ in objects], bodies, result)
            self.failed_objects += outcome.errors.values()
            self.results_uuids += outcome.uuids.values()

        plan = handle_batch(ctx, "batch.add_object").objects_import(
            bodies,
            collection=ctx.name,
            tenant=ctx.tenant,
            batch_size=self._size,
            concurrency=concurrency,
            consistency_level=ctx.consistency_level,
            options=self._opts,
            checked=True,  # by batch_item, when each object was added
        )
        return plan, done

    def _references_work(
        self, references: list[DataReference]
    ) -> tuple[Import, Callable[[BatchResult], None]]:
        """The import of ``references`` and the function that records its result."""
        ctx = self._ctx
        owners, items = reference_items(ctx, references)

        def done(result: BatchResult) -> None:
            self.failed_references += reference_return(owners, result).errors.values()

        plan = handle_batch(ctx, "batch.add_reference").references_import(
            items,
            batch_size=self._size,
            concurrency=self._concurrency,
            consistency_level=ctx.consistency_level,
            options=self._opts,
        )
        return plan, done


class BatchContext(_Buffer):
    """The object ``with collection.batch.dynamic() as batch`` gives you."""

    def add_object(
        self,
        properties: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
        uuid: str | _uuid.UUID | None = None,
        vector: Sequence[float] | Mapping[str, Any] | None = None,
    ) -> _uuid.UUID:
        """Queue one object; returns its uuid (assigned now, so a re-send upserts).

        A bad argument (e.g. a non-numeric vector) raises ``validation_error``
        here, before anything is queued.
        """
        uid, full = self._queue_object(properties, references, uuid, vector)
        if full:
            self.flush()
        return uid

    def add_reference(
        self,
        from_uuid: str | _uuid.UUID,
        from_property: str,
        to: str | _uuid.UUID | Sequence[str | _uuid.UUID],
    ) -> None:
        """Queue a reference (sent after the objects queued before it)."""
        if self._queue_reference(from_uuid, from_property, to):
            self.flush()

    def flush(self) -> None:
        """Send everything queued now (the ``with`` block's end does this too)."""
        for plan, done in self._take():
            done(run_import(plan, self._ctx.run))  # worker threads send the chunks
        self._owner._publish(self)

    def __enter__(self) -> BatchContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.flush()


class AsyncBatchContext(_Buffer):
    """The object ``async with collection.batch.dynamic() as batch`` gives you
    (``wt.AsyncClient``): :class:`BatchContext`'s rules, with awaited adds.

    Each full chunk of ``batch_size`` objects starts as a task at once, at
    most ``concurrent_requests`` in flight; ``add_object`` waits while that
    many are, so the import goes at the server's pace and at most
    ``batch_size * (concurrent_requests + 1)`` objects are queued or in flight. References are
    sent after the objects added before them. The block's end sends the rest
    and waits for it, also on an exception, except a cancellation
    (``asyncio.timeout``, ``task.cancel()``): then the chunks in flight are
    cancelled and what is queued is not sent, since waiting would defeat it.
    """

    @cached_property
    def _window(self) -> TaskWindow:
        """The chunks in flight, at most ``concurrent_requests``."""
        return TaskWindow(self._concurrency)

    async def add_object(
        self,
        properties: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
        uuid: str | _uuid.UUID | None = None,
        vector: Sequence[float] | Mapping[str, Any] | None = None,
    ) -> _uuid.UUID:
        """Queue one object; returns its uuid (assigned now, so a re-send upserts).
        A bad argument raises ``validation_error`` here, before anything is queued."""
        uid, _ = self._queue_object(properties, references, uuid, vector)
        if len(self._objects) >= self._size:
            await self._send_chunk()
        return uid

    async def add_reference(
        self,
        from_uuid: str | _uuid.UUID,
        from_property: str,
        to: str | _uuid.UUID | Sequence[str | _uuid.UUID],
    ) -> None:
        """Queue a reference (sent after the objects queued before it)."""
        if self._queue_reference(from_uuid, from_property, to):
            await self.flush()

    async def _send_chunk(self) -> None:
        objects, self._objects = self._objects, []
        plan, done = self._objects_work(objects, 1)
        await self._window.start(partial(self._ctx.run, plan.steps()), done)

    async def flush(self) -> None:
        """Send everything queued and wait for it (the ``async with`` block's end does this)."""
        if self._objects:
            await self._send_chunk()
        await self._window.drain()
        references, self._references = self._references, []
        if references:
            plan, done = self._references_work(references)
            done(await arun_import(plan, self._ctx.run))
        self._owner._publish(self)

    async def __aenter__(self) -> AsyncBatchContext:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        import asyncio  # loaded with the event loop already

        if exc_type is not None and issubclass(exc_type, asyncio.CancelledError):
            await self._window.cancel()
            self._owner._publish(self)
            return
        try:
            await self.flush()
        finally:
            await self._window.cancel()  # nothing left unless the flush itself failed


_STREAM_QUEUE = 1000
_DONE = object()


class StreamBatchContext:
    """The object ``with collection.batch.stream() as batch`` gives you.

    ``add_object`` hands the object to a background thread that runs one
    server-paced ``BatchStream`` import (:meth:`Batch.stream_objects`); it
    blocks while the server's window and a short queue are full, so the
    server sets the pace of your loop. Results are read after the ``with``
    block (``failed_objects``, ``results_uuids``). An object is let go as soon
    as the server reports it stored; only those still on their way and the
    failed ones (reported with the object, as v4 does) are kept, so memory
    grows only by the stored objects' uuids (``results_uuids``, as v4 keeps
    them; ``client.batch.stream_objects(generator, keep_ids=False)`` keeps not
    even those: docs/batch.md).
    """

    def __init__(
        self,
        ctx: HandleContext,
        max_in_flight: int,
        overrides: CallOverrides,
        owner: _Publisher,
    ) -> None:
        import queue
        import threading

        self._ctx = ctx
        self._owner = owner
        # Added objects by input index, until the server reports each stored.
        self._pending: dict[int, DataObject] = {}
        self._added = 0
        self._bodies: queue.Queue[Any] = queue.Queue(maxsize=_STREAM_QUEUE)
        self._error: BaseException | None = None
        self._result: BatchResult | None = None
        self.failed_objects: list[ErrorObject] = []
        """Objects not stored (filled when the ``with`` block ends)."""
        self.failed_references: list[ErrorReference] = []
        """Always empty: references go through ``dynamic()`` / ``fixed_size()``."""
        self.results_uuids: list[_uuid.UUID] = []
        """Uuids of the objects the server confirmed (filled when the block ends)."""
        batch = Batch(
            ctx.op("batch.stream"),
            rpc=ctx.rpc,
            streams=ctx.streams,
            stream_operation="collection.batch.stream",
            on_stored=self._stored,
        )

        def bodies() -> Any:
            while True:
                body = self._bodies.get()
                if body is _DONE:
                    return
                yield body

        def run() -> None:
            try:
                self._result = batch.stream_objects(
                    bodies(),
                    tenant=ctx.tenant,
                    max_in_flight=max_in_flight,
                    consistency_level=ctx.consistency_level,
                    **overrides,
                )
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
                while self._bodies.get() is not _DONE:  # never leave add_object blocked
                    pass

        if ctx.streams is None or not ctx.rpc:
            raise v.invalid("grpc_port", None, "a client with a grpc_port for batch.stream()")
        self._thread = threading.Thread(target=run, name="weaviate-batch-stream", daemon=True)
        self._thread.start()

    def _stored(self, index: int) -> None:
        # Called from the stream's thread; one dict operation, atomic under the GIL.
        self._pending.pop(index, None)

    @property
    def number_errors(self) -> int:
        """How many objects failed (known when the ``with`` block ends)."""
        return len(self.failed_objects)

    def add_object(
        self,
        properties: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
        uuid: str | _uuid.UUID | None = None,
        vector: Sequence[float] | Mapping[str, Any] | None = None,
    ) -> _uuid.UUID:
        """Queue one object; returns its uuid. Blocks while the server's window is full."""
        if self._error is not None:
            raise self._error
        obj, body = batch_item(self._ctx, DataObject(properties, uuid, vector, references))
        self._pending[self._added] = obj  # before the stream can see it (the queue)
        self._added += 1
        self._bodies.put(body)
        return _uuid.UUID(body["id"])

    def __enter__(self) -> StreamBatchContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bodies.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        result = self._result
        assert result is not None
        errors = {f.index: f for f in result.failures}
        self.failed_objects = [
            ErrorObject(f.message, self._pending[i], _uuid.UUID(f.id) if f.id else None, f.kind)
            for i, f in sorted(errors.items())
        ]
        self.results_uuids = [_uuid.UUID(i) for i in result.successful_ids]
        self._pending = {}
        self._owner._publish(self)


C = TypeVar("C", "BatchContext", "AsyncBatchContext")


class _Publisher:
    """``collection.batch``'s v4 results: the latest batch context's failures."""

    def __init__(self, ctx: HandleContext) -> None:
        self._ctx = ctx
        self.failed_objects: list[ErrorObject] = []
        """The failed objects of the latest batch context (v4: read it after the ``with``)."""
        self.failed_references: list[ErrorReference] = []
        """The failed references of the latest batch context."""

    def _publish(self, batch: _Buffer | StreamBatchContext) -> None:
        self.failed_objects = list(batch.failed_objects)
        self.failed_references = list(batch.failed_references)


class _Sized(_Publisher, Generic[C]):
    """``dynamic()`` and ``fixed_size()``, written once for both clients' handles: the
    context is :class:`BatchContext` (``with``) or :class:`AsyncBatchContext` (``async with``)."""

    _context: type[C]

    def dynamic(self, **overrides: Unpack[CallOverrides]) -> C:
        """A batch with the SDK's default sizing (chunks of 100, 2 in flight)."""
        return self.fixed_size(_DYNAMIC_SIZE, _DYNAMIC_CONCURRENCY, **overrides)

    def fixed_size(
        self,
        batch_size: int = 100,
        concurrent_requests: int = 2,
        **overrides: Unpack[CallOverrides],
    ) -> C:
        """A batch sending chunks of ``batch_size`` objects, at most ``concurrent_requests``
        of them in flight (threads on ``wt.Client``, tasks on ``wt.AsyncClient``).

        Give the client a ``pool_maxsize`` of at least ``concurrent_requests``.
        """
        size = v.positive_int(batch_size, "batch_size", 10_000)
        concurrency = v.positive_int(concurrent_requests, "concurrent_requests", 64)
        opts = resolve(overrides)  # once, for every chunk of the batch
        self.failed_objects = []
        self.failed_references = []
        return self._context(self._ctx, size, concurrency, opts, self)


class _BatchCollection(_Sized["BatchContext"]):
    """``collection.batch``: ``dynamic()``, ``fixed_size()`` and ``stream()`` import contexts."""

    _context = BatchContext

    def stream(
        self,
        max_in_flight: int = 2000,
        **overrides: Unpack[CallOverrides],
    ) -> StreamBatchContext:
        """A server-paced import over one ``BatchStream`` (Weaviate >= 1.36; docs/batch.md).

        The server says how fast to send; a broken stream is reopened and only
        the objects without a result are sent again (with their ids: no
        duplicates); a server without the method gets unary batches. Needs a
        client with a ``grpc_port``.
        """
        window = v.positive_int(max_in_flight, "max_in_flight", 1_000_000)
        self.failed_objects = []
        self.failed_references = []
        return StreamBatchContext(self._ctx, window, checked(overrides), self)


class AsyncBatchCollection(_Sized["AsyncBatchContext"]):
    """``collection.batch`` of ``wt.AsyncClient``: ``async with`` import contexts::

    async with articles.batch.fixed_size(batch_size=100, concurrent_requests=8) as batch:
        for row in rows:
            await batch.add_object(properties=row)
    failed = articles.batch.failed_objects
    """

    _context = AsyncBatchContext
