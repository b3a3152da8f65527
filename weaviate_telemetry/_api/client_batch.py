"""``client.batch.dynamic()`` / ``fixed_size()``: v4's client-level import contexts.

::

    with client.batch.dynamic() as batch:
        batch.add_object(collection="Article", properties=row, vector=row_vector)
    failed = client.batch.failed_objects

The same import as ``collection.batch`` (see :mod:`.collection_batch`), with the
collection (and tenant) named per object: one collection batch per (collection,
tenant), all flushed together when the buffer is full and when the ``with`` block
ends, also on an exception.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._core import validate as v
from .._core.effects import Steps
from .._core.options import checked
from .batch import Batch, SendSteps
from .collection import Collection
from .collection_batch import AsyncBatchContext, BatchContext
from .collection_data import ErrorObject, ErrorReference

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

_DYNAMIC_SIZE = 100
_DYNAMIC_CONCURRENCY = 2


C = TypeVar("C", BatchContext, AsyncBatchContext)


class _PerCollection(Generic[C]):
    """One collection batch per (collection, tenant), made on first use; the results
    of all of them. Shared by :class:`ClientBatchContext` and :class:`AsyncClientBatchContext`."""

    def __init__(
        self,
        handle: Callable[[str], Any],
        batch_size: int,
        concurrency: int,
        overrides: CallOverrides,
        owner: _ClientSized[Any],
    ) -> None:
        self._handle = handle
        self._size = batch_size
        self._concurrency = concurrency
        self._overrides = overrides
        self._owner = owner
        self._batches: dict[tuple[str, str | None], C] = {}

    def _batch(self, collection: str, tenant: str | None) -> C:
        key = (v.collection_name(collection), tenant)
        found = self._batches.get(key)
        if found is not None:
            return found
        handle = self._handle(key[0])  # a Collection or an AsyncCollection
        if tenant is not None:
            handle = handle.with_tenant(tenant)
        made: C = handle.batch.fixed_size(self._size, self._concurrency, **self._overrides)
        self._batches[key] = made
        return made

    @property
    def failed_objects(self) -> list[ErrorObject]:
        """Objects not stored so far, of every collection."""
        return [e for b in self._batches.values() for e in b.failed_objects]

    @property
    def failed_references(self) -> list[ErrorReference]:
        """References not added so far."""
        return [e for b in self._batches.values() for e in b.failed_references]

    @property
    def results_uuids(self) -> list[_uuid.UUID]:
        """Uuids of the objects the server confirmed so far."""
        return [u for b in self._batches.values() for u in b.results_uuids]

    @property
    def number_errors(self) -> int:
        """How many objects and references failed so far."""
        return sum(b.number_errors for b in self._batches.values())


class ClientBatchContext(_PerCollection[BatchContext]):
    """The object ``with client.batch.dynamic() as batch`` gives you."""

    def add_object(
        self,
        collection: str,
        properties: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
        uuid: str | _uuid.UUID | None = None,
        vector: Sequence[float] | Mapping[str, Any] | None = None,
        tenant: str | None = None,
    ) -> _uuid.UUID:
        """Queue one object of ``collection``; returns its uuid (a re-send upserts)."""
        return self._batch(collection, tenant).add_object(properties, references, uuid, vector)

    def add_reference(
        self,
        from_uuid: str | _uuid.UUID,
        from_collection: str,
        from_property: str,
        to: str | _uuid.UUID | Sequence[str | _uuid.UUID],
        tenant: str | None = None,
    ) -> None:
        """Queue a reference from an object of ``from_collection``."""
        self._batch(from_collection, tenant).add_reference(from_uuid, from_property, to)

    def flush(self) -> None:
        """Send everything queued now (the ``with`` block's end does this too)."""
        for batch in self._batches.values():
            batch.flush()
        self._owner._publish(self)

    def __enter__(self) -> ClientBatchContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.flush()


class AsyncClientBatchContext(_PerCollection[AsyncBatchContext]):
    """The object ``async with client.batch.dynamic() as batch`` gives you
    (``wt.AsyncClient``): each collection's :class:`AsyncBatchContext`, awaited."""

    async def add_object(
        self,
        collection: str,
        properties: Mapping[str, Any] | None = None,
        references: Mapping[str, Any] | None = None,
        uuid: str | _uuid.UUID | None = None,
        vector: Sequence[float] | Mapping[str, Any] | None = None,
        tenant: str | None = None,
    ) -> _uuid.UUID:
        """Queue one object of ``collection``; returns its uuid (a re-send upserts)."""
        batch = self._batch(collection, tenant)
        return await batch.add_object(properties, references, uuid, vector)

    async def add_reference(
        self,
        from_uuid: str | _uuid.UUID,
        from_collection: str,
        from_property: str,
        to: str | _uuid.UUID | Sequence[str | _uuid.UUID],
        tenant: str | None = None,
    ) -> None:
        """Queue a reference from an object of ``from_collection``."""
        await self._batch(from_collection, tenant).add_reference(from_uuid, from_property, to)

    async def flush(self) -> None:
        """Send everything queued and wait for it (the block's end does this too)."""
        for batch in self._batches.values():
            await batch.flush()
        self._owner._publish(self)

    async def __aenter__(self) -> AsyncClientBatchContext:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for batch in self._batches.values():  # each ends as a collection batch does
            await batch.__aexit__(exc_type, exc, tb)
        self._owner._publish(self)


X = TypeVar("X", ClientBatchContext, AsyncClientBatchContext)


class _ClientSized(Generic[X]):
    """``client.batch.dynamic()`` / ``fixed_size()`` for both clients, written once."""

    _context: type[X]

    def __init__(self, handle: Callable[[str], Any]) -> None:
        self._handle = handle
        self.failed_objects: list[ErrorObject] = []
        """The failed objects of the latest batch context (v4: read it after the ``with``)."""
        self.failed_references: list[ErrorReference] = []
        """The failed references of the latest batch context."""

    def _publish(self, batch: _PerCollection[Any]) -> None:
        self.failed_objects = batch.failed_objects
        self.failed_references = batch.failed_references

    def dynamic(self, **overrides: Unpack[CallOverrides]) -> X:
        """A batch with the SDK's default sizing (chunks of 100, 2 in flight); name the
        collection per object: ``batch.add_object(collection="Article", ...)``."""
        return self.fixed_size(_DYNAMIC_SIZE, _DYNAMIC_CONCURRENCY, **overrides)

    def fixed_size(
        self,
        batch_size: int = 100,
        concurrent_requests: int = 2,
        **overrides: Unpack[CallOverrides],
    ) -> X:
        """A batch sending chunks of ``batch_size`` objects, ``concurrent_requests`` at a time."""
        size = v.positive_int(batch_size, "batch_size", 10_000)
        concurrency = v.positive_int(concurrent_requests, "concurrent_requests", 64)
        keywords = checked(overrides)
        self.failed_objects = []
        self.failed_references = []
        return self._context(self._handle, size, concurrency, keywords, self)


class AsyncClientBatch(_ClientSized[AsyncClientBatchContext]):
    """``client.batch`` of ``wt.AsyncClient``: v4's ``dynamic()`` / ``fixed_size()`` import
    contexts with the collection per object (``async with``; docs/async.md)."""

    _context = AsyncClientBatchContext


class ClientBatch(Batch, _ClientSized[ClientBatchContext]):
    """``client.batch``: bulk import and deletes, and v4's ``dynamic()`` / ``fixed_size()``."""

    _context = ClientBatchContext

    def __init__(
        self,
        call: Any,
        *,
        rpc: bool,
        handle: Callable[[str], Collection[Any]],
        streams: Any = None,
        send: SendSteps | None = None,
        run: Callable[[Steps[Any]], Any] | None = None,
    ) -> None:
        Batch.__init__(self, call, rpc=rpc, streams=streams, send=send, run=run)
        _ClientSized.__init__(self, handle)
