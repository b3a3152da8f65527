"""The collection handle: ``client.collections.use("Article")``, in the official client v4's shape.

A :class:`Collection` sends nothing when created; each of its calls is one
logical operation with its own telemetry name (``collection.query.near_vector``,
``collection.data.insert`` …), the client's retry policy and per-call
overrides (``timeout=``, ``retry=``, ``headers=``, ``idempotent=``,
``metadata=`` keywords), exactly like every other namespace::

    articles = client.collections.use("Article")
    uid = articles.data.insert({"title": "Hello"}, vector=[0.1, 0.2, 0.3])
    hits = articles.query.near_vector([0.1, 0.2, 0.3], limit=3, timeout=2)
    acme = articles.with_tenant("acme")          # a new handle; `articles` is unchanged
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.effects import Steps
from .._core.models import Request, found, quote_segment
from .._core.options import resolve
from .._query.results import P, QueryReturn
from .collection_aggregate import AggregateOf
from .collection_batch import AsyncBatchCollection, _BatchCollection
from .collection_data import DataOf
from .collection_query import MetadataQuery, Object, QueryOf
from .configure import ReferenceProperty, TenantActivityStatus, plain
from .handle import HandleContext, SchemaCache
from .operation import Async, M, Namespace, Sync, operation
from .schema import CollectionConfig, Property, property_dict
from .tenants import Tenant, Tenants

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

    from .._core.config import CallOverrides

__all__ = ["AsyncCollection", "Collection", "CollectionOf", "SchemaCache"]


class ConfigOf(Namespace[M], Generic[M]):
    """``collection.config``: the collection's definition (awaitables on AsyncClient)."""

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(run=ctx.run)
        self._ctx = ctx

    @operation
    def get(self, /, **overrides: Unpack[CallOverrides]) -> Steps[CollectionConfig]:
        """The definition as the server stores it (``not_found`` when absent)."""
        return self._ctx.fetch_config(resolve(overrides))

    @operation
    def add_property(
        self,
        /,
        prop: Property,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Add a property (existing objects have no value for it)."""
        return self._add("add_property", prop, resolve(overrides))

    @operation
    def add_reference(
        self,
        /,
        ref: ReferenceProperty,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Add a cross-reference property."""
        return self._add("add_reference", ref, resolve(overrides))

    def _add(self, operation: str, prop: Any, opts: RequestOptions | None) -> Steps[None]:
        ctx = self._ctx
        request = Request(
            "POST",
            f"/v1/schema/{quote_segment(ctx.name)}/properties",
            "collection.config." + operation,
            path_template="/v1/schema/{collection}/properties",
            body=property_dict(prop),
            collection=ctx.name,
        )
        yield from ctx.send(request, opts, lambda response: None)
        ctx.schemas.forget(ctx.name)


class TenantsCollectionOf(Namespace[M], Generic[M]):
    """``collection.tenants``: tenants of a multi-tenant collection (v4's names).

    Each method is one ``client.tenants`` call (written once there) captured
    and sent as this handle's steps (awaitables on AsyncClient)."""

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(run=ctx.run)
        self._ctx = ctx

    def _send(self, operation: str, build: Callable[[Tenants], object]) -> Steps[Any]:
        planned = self._ctx.plan_of("tenants." + operation, lambda call: build(Tenants(call)))
        return self._ctx.send_plan(planned)

    @operation
    def create(
        self,
        /,
        tenants: str | Tenant | Sequence[str | Tenant],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Create tenants (names or :class:`Tenant` values; existing ones are left alone)."""
        name = self._ctx.name
        yield from self._send("create", lambda t: t.add(name, tenants, **overrides))

    @operation
    def remove(
        self,
        /,
        tenants: str | Tenant | Sequence[str | Tenant],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Delete tenants and their data (unknown names are ignored)."""
        items = [tenants] if isinstance(tenants, (str, Tenant)) else list(tenants)
        names = [t.name if isinstance(t, Tenant) else t for t in items]
        name = self._ctx.name
        yield from self._send("remove", lambda t: t.remove(name, names, **overrides))

    @operation
    def get(self, /, **overrides: Unpack[CallOverrides]) -> Steps[dict[str, Tenant]]:
        """Every tenant by name."""
        name = self._ctx.name
        found_: list[Tenant] = yield from self._send("get", lambda t: t.list(name, **overrides))
        return {t.name: _current(t) for t in found_}

    @operation
    def get_by_name(
        self,
        /,
        tenant: str | Tenant,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[Tenant | None]:
        """One tenant, or None when it does not exist."""
        wanted = tenant.name if isinstance(tenant, Tenant) else tenant
        name = self._ctx.name
        got: Tenant | None = yield from self._send(
            "get_by_name", lambda t: t.get(name, wanted, **overrides)
        )
        return None if got is None else _current(got)

    @operation
    def update(
        self,
        /,
        tenants: Tenant | Sequence[Tenant],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[None]:
        """Change activity status: ``update(Tenant("t1", TenantActivityStatus.INACTIVE))``."""
        name = self._ctx.name
        yield from self._send("update", lambda t: t.update(name, tenants, **overrides))

    @operation
    def exists(
        self,
        /,
        tenant: str | Tenant,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[bool]:
        """True when the tenant exists."""
        wanted = tenant.name if isinstance(tenant, Tenant) else tenant
        name = self._ctx.name
        found_: bool = yield from self._send(
            "exists", lambda t: t.exists(name, wanted, **overrides)
        )
        return found_


# Weaviate (v1.39 too) still answers with the pre-1.26 names; v4 shows the current ones.
_STATUS = {"HOT": "ACTIVE", "COLD": "INACTIVE", "FROZEN": "OFFLOADED"}


def _current(tenant: Tenant) -> Tenant:
    """The tenant with its activity status as a :class:`TenantActivityStatus` (current names)."""
    status = tenant.activity_status
    if status is None:
        return tenant
    name = _STATUS.get(status, status)
    if name in TenantActivityStatus.__members__:
        return Tenant(tenant.name, TenantActivityStatus(name), tenant.raw)
    return tenant


class CollectionOf(Namespace[M], Generic[M, P]):
    """One collection, for either client (:class:`Collection` / :class:`AsyncCollection`).

    Its parts (``data``, ``query``, ``aggregate``, ``tenants``, ``config``) are
    written once: each method builds its call(s) as pipeline steps and the
    client's driver runs them, so on ``wt.AsyncClient`` every method returns
    an awaitable of what it returns on ``wt.Client`` (docs/async.md).
    """

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(run=ctx.run)
        self._ctx = ctx
        self.data: DataOf[M, P] = DataOf(ctx)
        """Insert, replace, update, delete, exists, references."""
        self.query: QueryOf[M, P] = QueryOf(ctx)
        """fetch_objects, fetch_object_by_id, near_vector, near_object, near_text, bm25, hybrid."""
        self.aggregate: AggregateOf[M] = AggregateOf(ctx)
        """over_all, near_vector: counts and property metrics."""
        self.tenants: TenantsCollectionOf[M] = TenantsCollectionOf(ctx)
        """create, get, get_by_name, update, remove, exists."""
        self.config: ConfigOf[M] = ConfigOf(ctx)
        """get(), add_property(), add_reference()."""

    @property
    def name(self) -> str:
        """The collection's name (capitalised, as Weaviate stores it)."""
        return self._ctx.name

    @property
    def tenant(self) -> str | None:
        """The tenant this handle reads and writes, if any."""
        return self._ctx.tenant

    @property
    def consistency_level(self) -> str | None:
        """The consistency level of this handle's calls, if set."""
        return self._ctx.consistency_level

    def with_tenant(self, tenant: str | Tenant | None = None) -> Self:
        """The same collection, reading and writing ``tenant`` (None: no tenant)."""
        name = tenant.name if isinstance(tenant, Tenant) else tenant
        return type(self)(self._ctx.but(tenant=v.optional_tenant(name)))

    def with_consistency_level(self, consistency_level: Any = None) -> Self:
        """The same collection at ``ConsistencyLevel.ONE``/``QUORUM``/``ALL`` (None: default)."""
        level = v.consistency(plain(consistency_level))
        return type(self)(self._ctx.but(consistency_level=level))

    @operation
    def exists(self, /, **overrides: Unpack[CallOverrides]) -> Steps[bool]:
        """True when the collection exists."""
        request = Request(
            "GET",
            f"/v1/schema/{quote_segment(self.name)}",
            "collection.exists",
            path_template="/v1/schema/{collection}",
            collection=self.name,
            ok_statuses=frozenset({404}),
        )
        return self._ctx.send(request, resolve(overrides), found)

    @operation
    def length(self, /, **overrides: Unpack[CallOverrides]) -> Steps[int]:
        """How many objects are stored (of the handle's tenant): one aggregate call
        (``len(collection)`` on the sync client, ``await collection.length()`` on the async one)."""
        return self.aggregate.count(resolve(overrides))

    def _pages(
        self,
        include_vector: bool | str | Sequence[str],
        return_metadata: MetadataQuery | Sequence[str] | None,
        return_properties: str | Sequence[Any] | None,
        cache_size: int,
        opts: RequestOptions | None,
    ) -> tuple[int, Callable[[_uuid.UUID | None], Steps[QueryReturn[P]]]]:
        """The page size and the steps of one ``after``-cursor page (checked before any I/O)."""
        size = v.positive_int(cache_size, "cache_size", 10_000)
        query: QueryOf[Any, P] = self.query
        return size, lambda after: query.page(
            "iterator", size, after, include_vector, return_metadata, return_properties, opts
        )

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={val!r}"
            for k, val in (("tenant", self.tenant), ("consistency_level", self.consistency_level))
            if val is not None
        )
        return f"<{type(self).__name__} {self.name!r}{extra}>"


class Collection(CollectionOf[Sync, P]):
    """One collection: ``data``, ``query``, ``aggregate``, ``batch``, ``tenants``, ``config``.

    Get one with ``client.collections.use(name)`` (or ``.get(name)``, or
    from ``create``). :meth:`with_tenant` and :meth:`with_consistency_level`
    return new handles; a handle is cheap and safe to share between threads.
    ``Collection[P]`` is generic in its properties: ``use(name, data_model=Article)``
    (a ``TypedDict``) types every result's ``properties`` as ``Article``.
    """

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(ctx)
        self.batch = _BatchCollection(ctx)
        """dynamic(), fixed_size(), stream(): import context managers."""

    def iterator(
        self,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        cache_size: int = 100,
        **overrides: Unpack[CallOverrides],
    ) -> Iterator[Object[P]]:
        """Every object in id order, fetched ``cache_size`` at a time with the ``after`` cursor.

        Memory stays at one page; each page is one call (``collection.iterator``).
        """
        size, page = self._pages(
            include_vector, return_metadata, return_properties, cache_size,
            resolve(overrides),
        )  # fmt: skip
        return _objects(size, page, self._ctx.run)

    def __iter__(self) -> Iterator[Object[P]]:
        return self.iterator()

    def __len__(self) -> int:
        """How many objects are stored (of the handle's tenant): one aggregate call."""
        return self.length()


class AsyncCollection(CollectionOf[Async, P]):
    """One collection of ``wt.AsyncClient``: :class:`Collection`'s methods, awaited.

    ``await articles.query.near_vector([...])``, ``await articles.length()``
    (for ``len()``), ``async for obj in articles.iterator()``, and
    ``async with articles.batch.dynamic() as batch: await batch.add_object(...)``
    (docs/async.md).
    """

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(ctx)
        self.batch = AsyncBatchCollection(ctx)
        """dynamic(), fixed_size(): ``async with`` import contexts."""

    def iterator(
        self,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        cache_size: int = 100,
        **overrides: Unpack[CallOverrides],
    ) -> AsyncIterator[Object[P]]:
        """Every object in id order, ``cache_size`` at a time (``async for``), as
        :meth:`Collection.iterator` pages: the same page steps, awaited."""
        size, page = self._pages(
            include_vector, return_metadata, return_properties, cache_size,
            resolve(overrides),
        )  # fmt: skip
        return _aobjects(size, page, self._ctx.run)

    def __aiter__(self) -> AsyncIterator[Object[P]]:
        return self.iterator()


# The paging loop, once per driver (as effects.drive / AsyncPipeline.run): the same
# four lines with and without ``await``; each page's steps are written once (_pages).
def _objects(
    size: int,
    page: Callable[[_uuid.UUID | None], Steps[QueryReturn[P]]],
    run: Callable[[Steps[Any]], Any],
) -> Iterator[Object[P]]:
    after: _uuid.UUID | None = None
    while True:
        got: QueryReturn[P] = run(page(after))
        yield from got.objects
        if len(got.objects) < size:
            return
        after = got.objects[-1].uuid


async def _aobjects(
    size: int,
    page: Callable[[_uuid.UUID | None], Steps[QueryReturn[P]]],
    run: Callable[[Steps[Any]], Any],
) -> AsyncIterator[Object[P]]:
    after: _uuid.UUID | None = None
    while True:
        got: QueryReturn[P] = await run(page(after))
        for obj in got.objects:
            yield obj
        if len(got.objects) < size:
            return
        after = got.objects[-1].uuid
