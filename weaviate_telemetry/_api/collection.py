"""The collection handle: ``client.collections.use("Article")``, in the official client v4's shape.

A :class:`Collection` sends nothing when created; each of its calls is one
logical operation with its own telemetry name (``collection.query.near_vector``,
``collection.data.insert`` …), the client's retry policy and per-call
overrides (``options=`` or ``timeout=``, ``retry=``, ``headers=``,
``metadata=`` keywords), exactly like every other namespace::

    articles = client.collections.use("Article")
    uid = articles.data.insert({"title": "Hello"}, vector=[0.1, 0.2, 0.3])
    hits = articles.query.near_vector([0.1, 0.2, 0.3], limit=3, timeout=2)
    acme = articles.with_tenant("acme")          # a new handle; `articles` is unchanged
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.models import Call, Request, found, quote_segment
from .._core.options import resolve
from .._query.results import P
from .collection_aggregate import _AggregateCollection
from .collection_batch import _BatchCollection
from .collection_data import _DataCollection
from .collection_query import MetadataQuery, Object, _QueryCollection
from .configure import ReferenceProperty, TenantActivityStatus, plain
from .handle import HandleContext, SchemaCache
from .schema import CollectionConfig, Property, property_dict
from .tenants import Tenant, Tenants

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

__all__ = ["Collection", "SchemaCache"]


class _ConfigCollection:
    """``collection.config``: the collection's definition."""

    def __init__(self, ctx: HandleContext) -> None:
        self._ctx = ctx

    def get(
        self, *, options: RequestOptions | None = None, **overrides: Unpack[CallOverrides]
    ) -> CollectionConfig:
        """The definition as the server stores it (``not_found`` when absent)."""
        return self._ctx.fetch_config(resolve(options, overrides))

    def add_property(
        self,
        prop: Property,
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Add a property (existing objects have no value for it)."""
        self._add("add_property", prop, resolve(options, overrides))

    def add_reference(
        self,
        ref: ReferenceProperty,
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Add a cross-reference property."""
        self._add("add_reference", ref, resolve(options, overrides))

    def _add(self, operation: str, prop: Any, opts: RequestOptions | None) -> None:
        ctx = self._ctx
        request = Request(
            "POST",
            f"/v1/schema/{quote_segment(ctx.name)}/properties",
            "collection.config." + operation,
            path_template="/v1/schema/{collection}/properties",
            body=property_dict(prop),
            collection=ctx.name,
        )
        ctx.call(request, opts, lambda response: None)
        ctx.schemas.forget(ctx.name)


class _TenantsCollection:
    """``collection.tenants``: tenants of a multi-tenant collection (v4's names)."""

    def __init__(self, ctx: HandleContext) -> None:
        self._ctx = ctx

    def _tenants(self, operation: str) -> Tenants:
        return Tenants(self._ctx.op("tenants." + operation))

    def create(
        self,
        tenants: str | Tenant | Sequence[str | Tenant],
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Create tenants (names or :class:`Tenant` values; existing ones are left alone)."""
        self._tenants("create").add(self._ctx.name, tenants, options=options, **overrides)

    def remove(
        self,
        tenants: str | Tenant | Sequence[str | Tenant],
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Delete tenants and their data (unknown names are ignored)."""
        items = [tenants] if isinstance(tenants, (str, Tenant)) else list(tenants)
        names = [t.name if isinstance(t, Tenant) else t for t in items]
        self._tenants("remove").remove(self._ctx.name, names, options=options, **overrides)

    def get(
        self, *, options: RequestOptions | None = None, **overrides: Unpack[CallOverrides]
    ) -> dict[str, Tenant]:
        """Every tenant by name."""
        found_ = self._tenants("get").list(self._ctx.name, options=options, **overrides)
        return {t.name: _current(t) for t in found_}

    def get_by_name(
        self,
        tenant: str | Tenant,
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Tenant | None:
        """One tenant, or None when it does not exist."""
        name = tenant.name if isinstance(tenant, Tenant) else tenant
        got = self._tenants("get_by_name").get(self._ctx.name, name, options=options, **overrides)
        return None if got is None else _current(got)

    def update(
        self,
        tenants: Tenant | Sequence[Tenant],
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Change activity status: ``update(Tenant("t1", TenantActivityStatus.INACTIVE))``."""
        self._tenants("update").update(self._ctx.name, tenants, options=options, **overrides)

    def exists(
        self,
        tenant: str | Tenant,
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> bool:
        """True when the tenant exists."""
        name = tenant.name if isinstance(tenant, Tenant) else tenant
        return self._tenants("exists").exists(self._ctx.name, name, options=options, **overrides)


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


class Collection(Generic[P]):
    """One collection: ``data``, ``query``, ``aggregate``, ``batch``, ``tenants``, ``config``.

    Get one with ``client.collections.use(name)`` (or ``.get(name)``, or
    from ``create``). :meth:`with_tenant` and :meth:`with_consistency_level`
    return new handles; a handle is cheap and safe to share between threads.
    ``Collection[P]`` is generic in its properties: ``use(name, data_model=Article)``
    (a ``TypedDict``) types every result's ``properties`` as ``Article``.
    """

    def __init__(
        self,
        call: Call,
        name: str,
        schemas: SchemaCache,
        tenant: str | None = None,
        consistency_level: str | None = None,
        rpc: bool = False,
        streams: Any = None,
    ) -> None:
        ctx = HandleContext(call, name, schemas, tenant, consistency_level, rpc, streams)
        self._ctx = ctx
        self.data = _DataCollection(ctx)
        """Insert, replace, update, delete, exists, references."""
        self.query: _QueryCollection[P] = _QueryCollection(ctx)
        """fetch_objects, fetch_object_by_id, near_vector, near_object, near_text, bm25, hybrid."""
        self.aggregate = _AggregateCollection(ctx)
        """over_all, near_vector: counts and property metrics."""
        self.batch = _BatchCollection(ctx)
        """dynamic(), fixed_size(), stream(): import context managers."""
        self.tenants = _TenantsCollection(ctx)
        """create, get, get_by_name, update, remove, exists."""
        self.config = _ConfigCollection(ctx)
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

    def with_tenant(self, tenant: str | Tenant | None = None) -> Collection[P]:
        """The same collection, reading and writing ``tenant`` (None: no tenant)."""
        name = tenant.name if isinstance(tenant, Tenant) else tenant
        ctx = self._ctx
        return Collection(
            ctx.call,
            ctx.name,
            ctx.schemas,
            v.optional_tenant(name),
            ctx.consistency_level,
            ctx.rpc,
            ctx.streams,
        )

    def with_consistency_level(self, consistency_level: Any = None) -> Collection[P]:
        """The same collection at ``ConsistencyLevel.ONE``/``QUORUM``/``ALL`` (None: default)."""
        level = v.consistency(plain(consistency_level))
        ctx = self._ctx
        return Collection(ctx.call, ctx.name, ctx.schemas, ctx.tenant, level, ctx.rpc, ctx.streams)

    def exists(
        self, *, options: RequestOptions | None = None, **overrides: Unpack[CallOverrides]
    ) -> bool:
        """True when the collection exists."""
        request = Request(
            "GET",
            f"/v1/schema/{quote_segment(self.name)}",
            "collection.exists",
            path_template="/v1/schema/{collection}",
            collection=self.name,
            ok_statuses=frozenset({404}),
        )
        return self._ctx.call(request, resolve(options, overrides), found)

    def iterator(
        self,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        cache_size: int = 100,
        *,
        options: RequestOptions | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Iterator[Object[P]]:
        """Every object in id order, fetched ``cache_size`` at a time with the ``after`` cursor.

        Memory stays at one page; each page is one call (``collection.iterator``).
        """
        size = v.positive_int(cache_size, "cache_size", 10_000)
        return self.query.iterate(
            "iterator",
            size,
            include_vector,
            return_metadata,
            return_properties,
            resolve(options, overrides),
        )

    def __iter__(self) -> Iterator[Object[P]]:
        return self.iterator()

    def __len__(self) -> int:
        """How many objects are stored (of the handle's tenant): one aggregate call."""
        return self.aggregate.count(None)

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={val!r}"
            for k, val in (("tenant", self.tenant), ("consistency_level", self.consistency_level))
            if val is not None
        )
        return f"<Collection {self.name!r}{extra}>"
