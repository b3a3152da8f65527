"""``collection.data``: write, delete and reference objects in the official client v4's shape.

Each method is one logical call named ``collection.data.<method>``; it is
built on the REST object and batch endpoints (and their guarantees: every
object of ``insert_many`` is either confirmed stored or listed in
``errors``).
"""

from __future__ import annotations

import time
import uuid as _uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal

from .._core import validate as v
from .._core.effects import Steps
from .._core.errors import ErrorKind, WeaviateError
from .._core.models import Request, Response, beacon, evolve
from .._core.options import resolve
from .._core.results import JsonResult
from .._query.filters import Filter
from .._query.results import P
from .batch import Batch, BatchDeleteResult, BatchFailure, BatchReference, BatchResult
from .handle import HandleContext
from .objects import Objects, WeaviateObject
from .operation import M, Namespace, operation

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides, RequestOptions

Vector = Sequence[float] | Mapping[str, Any]
UUID = str | _uuid.UUID


@dataclass(frozen=True, slots=True)
class DataObject:
    """One object for ``insert_many`` (a plain dict of properties works too)."""

    properties: Mapping[str, Any] | None = None
    uuid: UUID | None = None
    vector: Vector | None = None
    references: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DataReference:
    """One cross-reference for ``reference_add_many``: ``from_uuid.from_property → to_uuid``."""

    from_property: str
    from_uuid: UUID
    to_uuid: UUID | Sequence[UUID]


@dataclass(frozen=True, slots=True)
class ErrorObject(JsonResult):
    """An object that was not stored: the server's (or the SDK's) ``message``, the object.

    ``kind`` is None when the server rejected just this object, or the error
    kind when it never reached the server or its whole chunk failed.
    """

    message: str
    object_: DataObject
    original_uuid: _uuid.UUID | None = None
    kind: ErrorKind | None = None


@dataclass(frozen=True, slots=True)
class ErrorReference(JsonResult):
    """A reference that was not added, with the reason."""

    message: str
    reference: DataReference
    kind: ErrorKind | None = None


@dataclass(frozen=True, slots=True)
class BatchObjectReturn(JsonResult):
    """What ``insert_many`` did: ``uuids`` and ``errors`` by input index."""

    uuids: Mapping[int, _uuid.UUID]
    errors: Mapping[int, ErrorObject]
    elapsed_seconds: float
    all_responses: tuple[_uuid.UUID | ErrorObject, ...] = field(default=(), repr=False)

    @property
    def has_errors(self) -> bool:
        """True when at least one object was not stored."""
        return bool(self.errors)


@dataclass(frozen=True, slots=True)
class BatchReferenceReturn(JsonResult):
    """What ``reference_add_many`` did: ``errors`` by input index."""

    errors: Mapping[int, ErrorReference]
    elapsed_seconds: float

    @property
    def has_errors(self) -> bool:
        """True when at least one reference was not added."""
        return bool(self.errors)


def _targets(to: Any, name: str) -> list[str]:
    items = [to] if isinstance(to, (str, _uuid.UUID)) else to
    if not isinstance(items, (list, tuple)) or not items:
        raise v.invalid(name, to, "a UUID or a list of UUIDs")
    return [v.object_id(t, name) for t in items]


def with_references(properties: Any, references: Any) -> dict[str, Any]:
    """Properties with ``references`` ({property: uuid or [uuids]}) added as beacons."""
    props = v.properties(properties)
    if references is None:
        return props
    if not isinstance(references, Mapping):
        raise v.invalid("references", references, "a mapping of property to UUID(s)")
    for prop, to in references.items():
        v.property_name(prop, "reference property")
        props[prop] = [{"beacon": beacon(None, t)} for t in _targets(to, f"references[{prop!r}]")]
    return props


def vector_fields(vector: Any) -> tuple[Any, Any]:
    """``vector=`` as (unnamed vector, named vectors): a list, or a dict of named vectors."""
    if vector is None:
        return None, None
    if isinstance(vector, Mapping):
        return None, vector
    return vector, None


def batch_item(ctx: HandleContext, obj: Any) -> tuple[DataObject, dict[str, Any]]:
    """An ``insert_many``/batch input as (DataObject, REST object with an id)."""
    if isinstance(obj, Mapping):
        obj = DataObject(properties=obj)
    if not isinstance(obj, DataObject):
        raise v.invalid("object", obj, "a DataObject or a dict of properties")
    unnamed, named = vector_fields(obj.vector)
    body: dict[str, Any] = {
        "class": ctx.name,
        "properties": with_references(obj.properties, obj.references),
        "id": v.object_id(_uuid.uuid4() if obj.uuid is None else obj.uuid, "uuid"),
    }
    if unnamed is not None:
        body["vector"] = v.vector(unnamed)
    if named is not None:
        body["vectors"] = v.named_vectors(named)
    if ctx.tenant is not None:
        body["tenant"] = ctx.tenant
    return obj, body


def object_outcome(
    inputs: Sequence[DataObject], bodies: Sequence[Mapping[str, Any]], result: BatchResult
) -> BatchObjectReturn:
    """A :class:`BatchResult` of ``inputs`` in v4's shape (indices into ``inputs``)."""
    errors = {f.index: _error_object(f, inputs[f.index]) for f in result.failures}
    stored = [i for i in range(len(inputs)) if i not in errors]
    uuids = {i: _uuid.UUID(str(bodies[i]["id"])) for i in stored}
    responses = tuple(errors[i] if i in errors else uuids[i] for i in range(len(inputs)))
    return BatchObjectReturn(uuids, errors, result.duration, responses)


def _error_object(failure: BatchFailure, obj: DataObject) -> ErrorObject:
    original = None if failure.id is None else _uuid.UUID(failure.id)
    return ErrorObject(failure.message, obj, original, failure.kind)


def reference_items(
    ctx: HandleContext, refs: Sequence[DataReference]
) -> tuple[list[DataReference], list[BatchReference]]:
    """One :class:`BatchReference` per target (a multi-target reference expands)."""
    owners: list[DataReference] = []
    items: list[BatchReference] = []
    for ref in refs:
        if not isinstance(ref, DataReference):
            raise v.invalid("reference", ref, "a DataReference")
        for target in _targets(ref.to_uuid, "to_uuid"):
            owners.append(ref)
            items.append(
                BatchReference(ctx.name, ref.from_uuid, ref.from_property, target, None, ctx.tenant)
            )
    return owners, items


class DataOf(Namespace[M], Generic[M, P]):
    """``collection.data``: insert, replace, update, delete, exists and references.

    Properties are typed by the collection's data model (``P``: the ``TypedDict`` of
    ``collections.use(name, data_model=...)``, else ``dict[str, Any]``), as in the
    official client, where ``update`` also takes ``P`` (typing has no partial
    ``TypedDict``; a ``cast`` or ``dict[str, Any]`` handle sends a subset).

    Written once (:mod:`.operation`): each method captures its one lower-layer
    call (``Objects``, ``Batch``) as a plan and sends it as steps, so on
    ``wt.AsyncClient`` it returns an awaitable (``insert_many`` and
    ``reference_add_many`` too: their chunks are the same steps, sent in turn).
    """

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(run=ctx.run)
        self._ctx = ctx

    def _send(self, operation: str, build: Callable[[Objects], object]) -> Steps[Any]:
        """The steps of the one ``Objects`` call ``build`` makes, named ``data.<operation>``."""
        planned = self._ctx.plan_of("data." + operation, lambda call: build(Objects(call)))
        return self._ctx.send_plan(planned)

    def _batch(self, operation: str) -> Batch:
        return handle_batch(self._ctx, "data." + operation)

    @operation
    def insert(
        self,
        /,
        properties: P | None = None,
        references: Mapping[str, Any] | None = None,
        uuid: UUID | None = None,
        vector: Vector | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[_uuid.UUID]:
        """Store one object and return its uuid (random unless given; an existing uuid
        raises ``validation_error`` — use :meth:`replace` to overwrite)."""
        v.something_to_store(properties, references, vector)
        ctx = self._ctx
        unnamed, named = vector_fields(vector)
        stored: WeaviateObject = yield from self._send(
            "insert",
            lambda objects: objects.insert(
                ctx.name,
                with_references(properties, references),
                id=uuid,
                vector=unnamed,
                vectors=named,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )
        return _uuid.UUID(stored.id)

    @operation
    def insert_many(
        self,
        /,
        objects: Sequence[DataObject | P],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[BatchObjectReturn]:
        """Store many objects in one request per 100 (never reported stored unless they are).

        The chunks are sent one after another, as the same steps on either
        client (``await articles.data.insert_many(...)`` on ``wt.AsyncClient``).

        Example::

            r = articles.data.insert_many([DataObject(properties={"title": "A"}, vector=[…])])
            if r.has_errors: print(r.errors)
        """
        if isinstance(objects, (str, bytes, Mapping)) or not isinstance(objects, Sequence):
            raise v.invalid("objects", objects, "a list of DataObject or property dicts")
        ctx = self._ctx
        pairs = [batch_item(ctx, o) for o in objects]
        inputs = [p[0] for p in pairs]
        bodies = [p[1] for p in pairs]
        started = time.monotonic()
        if not bodies:
            return BatchObjectReturn({}, {}, 0.0)
        plan = self._batch("insert_many").objects_import(
            bodies,
            collection=ctx.name,
            tenant=ctx.tenant,
            batch_size=100,
            concurrency=1,
            consistency_level=ctx.consistency_level,
            options=resolve(overrides),
            checked=True,  # by batch_item above
        )
        result = yield from plan.steps()
        outcome = object_outcome(inputs, bodies, result)
        return BatchObjectReturn(
            outcome.uuids, outcome.errors, time.monotonic() - started, outcome.all_responses
        )

    @operation
    def replace(
        self,
        /,
        uuid: UUID,
        properties: P | None = None,
        references: Mapping[str, Any] | None = None,
        vector: Vector | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Overwrite an object (properties not given are removed); missing: ``not_found``."""
        return self._rewrite("replace", uuid, properties, references, vector, overrides)

    @operation
    def update(
        self,
        /,
        uuid: UUID,
        properties: P | None = None,
        references: Mapping[str, Any] | None = None,
        vector: Vector | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Merge properties (and replace given vectors) into an object; missing: ``not_found``."""
        return self._rewrite("update", uuid, properties, references, vector, overrides)

    def _rewrite(
        self,
        verb: Literal["replace", "update"],
        uuid: UUID,
        properties: Mapping[str, Any] | None,
        references: Mapping[str, Any] | None,
        vector: Vector | None,
        overrides: CallOverrides,
    ) -> Steps[None]:
        """``replace`` (PUT) and ``update`` (PATCH): the same call, one verb apart."""
        ctx = self._ctx
        unnamed, named = vector_fields(vector)
        yield from self._send(
            verb,
            lambda objects: (objects.replace if verb == "replace" else objects.update)(
                ctx.name,
                uuid,
                with_references(properties, references),
                vector=unnamed,
                vectors=named,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )

    @operation
    def delete_by_id(
        self,
        /,
        uuid: UUID,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Delete one object; deleting one that does not exist is not an error.

        (v4 returns a bool; Weaviate's REST answer is the same whether the
        object existed or not, so this returns None — ask :meth:`exists` first.)
        """
        ctx = self._ctx
        yield from self._send(
            "delete_by_id",
            lambda objects: objects.delete(
                ctx.name,
                uuid,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )

    @operation
    def delete_many(
        self,
        /,
        where: Filter,
        *,
        verbose: bool = False,
        dry_run: bool = False,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[BatchDeleteResult]:
        """Delete every object matching ``where``; ``dry_run=True`` only counts them.

        ``verbose=True`` lists each matched object. One call deletes at most
        the server's ``QUERY_MAXIMUM_RESULTS`` objects (``result.limit``).
        """
        ctx = self._ctx
        output = "verbose" if v.boolean("verbose", verbose) else "minimal"
        planned = ctx.plan_of(
            "data.delete_many",
            lambda call: Batch(call, rpc=ctx.rpc).delete_objects(
                ctx.name,
                where,
                dry_run=dry_run,
                output=output,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )
        result: BatchDeleteResult = yield from ctx.send_plan(planned)
        return result

    @operation
    def exists(
        self,
        /,
        uuid: UUID,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[bool]:
        """True when the object exists."""
        ctx = self._ctx
        found: bool = yield from self._send(
            "exists",
            lambda objects: objects.exists(
                ctx.name,
                uuid,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )
        return found

    @operation
    def reference_add(
        self,
        /,
        from_uuid: UUID,
        from_property: str,
        to: UUID | Sequence[UUID],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Add a reference from ``from_uuid.from_property`` to ``to`` (one uuid or several)."""
        ctx = self._ctx
        targets = _targets(to, "to")
        if len(targets) == 1:
            yield from self._send(
                "reference_add",
                lambda objects: objects.add_reference(
                    ctx.name,
                    from_uuid,
                    from_property,
                    targets[0],
                    tenant=ctx.tenant,
                    consistency_level=ctx.consistency_level,
                    **overrides,
                ),
            )
            return
        result = yield from self._references(
            "reference_add", [DataReference(from_property, from_uuid, targets)], resolve(overrides)
        )
        if result.errors:
            first = next(iter(result.errors.values()))
            raise WeaviateError.from_kind(first.kind or ErrorKind.VALIDATION_ERROR, first.message)

    @operation
    def reference_delete(
        self,
        /,
        from_uuid: UUID,
        from_property: str,
        to: UUID,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Remove the reference from ``from_uuid.from_property`` to ``to``."""
        ctx = self._ctx
        yield from self._send(
            "reference_delete",
            lambda objects: objects.delete_reference(
                ctx.name,
                from_uuid,
                from_property,
                to,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )

    @operation
    def reference_add_many(
        self,
        /,
        refs: Sequence[DataReference],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[BatchReferenceReturn]:
        """Add many references (in chunks of 100); failures are listed, not raised."""
        if isinstance(refs, (str, bytes, Mapping)) or not isinstance(refs, Sequence):
            raise v.invalid("refs", refs, "a list of DataReference")
        return self._references("reference_add_many", refs, resolve(overrides))

    def _references(
        self, operation: str, refs: Sequence[DataReference], opts: RequestOptions | None
    ) -> Steps[BatchReferenceReturn]:
        owners, items = reference_items(self._ctx, refs)
        if not items:
            return BatchReferenceReturn({}, 0.0)
        plan = self._batch(operation).references_import(
            items,
            batch_size=100,
            concurrency=1,
            consistency_level=self._ctx.consistency_level,
            options=opts,
        )
        result = yield from plan.steps()
        return reference_return(owners, result)


def reference_return(owners: Sequence[DataReference], result: BatchResult) -> BatchReferenceReturn:
    """A references :class:`BatchResult` in v4's shape (errors by input index)."""
    errors = {f.index: ErrorReference(f.message, owners[f.index], f.kind) for f in result.failures}
    return BatchReferenceReturn(errors, result.duration)


def handle_batch(ctx: HandleContext, operation: str) -> Batch:
    """The batch layer under a handle: each chunk is the handle's steps, named
    ``collection.<operation>``, run on the client's driver (sync or async)."""

    def send(
        request: Request, options: RequestOptions | None, parse: Callable[[Response], Any]
    ) -> Steps[Any]:
        return ctx.send(evolve(request, operation="collection." + operation), options, parse)

    return Batch(ctx.call, rpc=ctx.rpc, send=send, run=ctx.run)
