"""``client.collections``: the schema endpoints (``/v1/schema…``) and collection handles.

``create`` takes v4's keywords and returns a :class:`Collection` handle;
``use``/``get`` return a handle without any I/O; ``export_config`` returns
the definition as a :class:`CollectionConfig`.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.effects import Steps
from .._core.models import (
    Call,
    Request,
    Response,
    found,
    json_object,
    query_params,
    quote_segment,
)
from .._core.options import resolve, with_options
from .configure import (
    InvertedIndexConfig,
    MultiTenancyConfig,
    ReplicationConfig,
    vector_config_dict,
)
from .handle import HandleContext, SchemaCache
from .operation import Async, AsyncCall, M, Namespace, Plan, Sync, operation
from .schema import (
    CollectionConfig,
    Property,
    Shard,
    collection_config,
    collection_configs,
    deep_merge,
    definition,
    property_dict,
    shards,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.async_driver import AsyncPipeline
    from .._core.config import CallOverrides
    from .._core.sync_driver import SyncPipeline
    from .._query.results import DefaultProperties as Properties
    from .._query.results import P
    from .collection import AsyncCollection, Collection, CollectionOf

_NOT_FOUND = frozenset({404})
_SHARD_STATUSES = ("READY", "READONLY")


class CollectionsOf(Namespace[M]):
    """Inspect, change and drop collections: the operations both clients share.

    Written once (:mod:`.operation`): on ``wt.AsyncClient`` every method
    returns an awaitable. Absent collections: :meth:`exists` returns False,
    :meth:`shards` raises ``not_found``, :meth:`add_property` raises
    ``validation_error`` (Weaviate answers 422 "not found"); :meth:`delete`
    of an absent collection succeeds (the server treats it as done).
    """

    __slots__ = ("_pipeline", "_rpc", "_schemas", "_sync")

    def __init__(
        self,
        call: Call | AsyncCall,
        pipeline: SyncPipeline | AsyncPipeline,
        rpc: bool = False,
        sync: bool = True,
    ) -> None:
        super().__init__(call, run=pipeline.run)
        self._pipeline = pipeline
        self._rpc = rpc
        self._schemas = SchemaCache()
        # the sync client's call, for what runs on threads (a handle's batch); else None
        self._sync: Call | None = call if sync else None  # type: ignore[assignment]

    @staticmethod
    def _request(
        method: str,
        operation: str,
        name: str | None,
        suffix: str = "",
        template: str | None = None,
        **fields: Any,
    ) -> Request:
        """A request below ``/v1/schema[/{collection}]``; ``template`` names the suffix's slots."""
        if name is None:
            return Request(method, "/v1/schema", operation, path_template="/v1/schema", **fields)
        return Request(
            method,
            f"/v1/schema/{quote_segment(name)}{suffix}",
            operation,
            path_template="/v1/schema/{collection}" + (suffix if template is None else template),
            collection=name,
            **fields,
        )

    @operation
    def exists(
        self,
        /,
        name: str,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[bool]:
        """True when the collection exists (404 is an answer: False)."""
        name = v.collection_name(name)
        request = self._request("GET", "collections.exists", name, ok_statuses=_NOT_FOUND)
        return Plan(request, resolve(overrides), found)

    @operation
    def list(self, /, **overrides: Unpack[CallOverrides]) -> Plan[builtins.list[CollectionConfig]]:
        """Every collection's definition (``GET /v1/schema``)."""
        request = self._request("GET", "collections.list", None)
        return Plan(request, resolve(overrides), collection_configs)

    @operation
    def delete(
        self,
        /,
        name: str,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[None]:
        """Drop a collection and all its objects.

        Deleting a collection that does not exist is not an error (Weaviate
        answers 200), so the call is safe to repeat.
        """
        name = v.collection_name(name)
        request = self._request("DELETE", "collections.delete", name)
        schemas = self._schemas
        return Plan(request, resolve(overrides), lambda _: schemas.forget(name))

    @operation
    def add_property(
        self,
        /,
        name: str,
        prop: Property | Mapping[str, Any],
        **overrides: Unpack[CallOverrides],
    ) -> Plan[Property]:
        """Add one property to an existing collection; returns it as stored."""
        name = v.collection_name(name)
        body = property_dict(prop)
        request = self._request("POST", "collections.add_property", name, "/properties", body=body)
        schemas = self._schemas

        def stored(response: Response) -> Property:
            schemas.forget(name)
            return Property.from_dict(json_object(response))

        return Plan(request, resolve(overrides), stored)

    @operation
    def shards(
        self,
        /,
        name: str,
        *,
        tenant: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[builtins.list[Shard]]:
        """The collection's shards and their status (``READY``/``READONLY``/…)."""
        name = v.collection_name(name)
        tenant = v.optional_tenant(tenant)
        request = self._request(
            "GET",
            "collections.shards",
            name,
            "/shards",
            params=query_params(tenant=tenant),
            tenant=tenant,
        )
        return Plan(request, resolve(overrides), shards)

    @operation
    def update_shard(
        self,
        /,
        name: str,
        shard: str,
        status: str,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[str]:
        """Set a shard's status to ``READY`` or ``READONLY``; returns the new status."""
        name = v.collection_name(name)
        if not isinstance(shard, str) or not shard:
            raise v.invalid("shard", shard, "a shard name")
        status = v.choice(status, "status", _SHARD_STATUSES)
        request = self._request(
            "PUT",
            "collections.update_shard",
            name,
            f"/shards/{quote_segment(shard)}",
            "/shards/{shard}",
            body={"status": status},
        )
        return Plan(
            request,
            resolve(overrides),
            lambda response: str(json_object(response).get("status", status)),
        )

    @overload
    def create(
        self: CollectionsOf[Sync],
        name: str,
        *,
        description: str | None = None,
        properties: Sequence[Property | Mapping[str, Any]] | None = None,
        references: Sequence[Any] | None = None,
        vector_config: Any = None,
        multi_tenancy_config: MultiTenancyConfig | None = None,
        replication_config: ReplicationConfig | None = None,
        inverted_index_config: InvertedIndexConfig | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Collection[Properties]: ...
    @overload
    def create(
        self: CollectionsOf[Async],
        name: str,
        *,
        description: str | None = None,
        properties: Sequence[Property | Mapping[str, Any]] | None = None,
        references: Sequence[Any] | None = None,
        vector_config: Any = None,
        multi_tenancy_config: MultiTenancyConfig | None = None,
        replication_config: ReplicationConfig | None = None,
        inverted_index_config: InvertedIndexConfig | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AsyncCollection[Properties]]: ...
    def create(
        self,
        name: str,
        *,
        description: str | None = None,
        properties: Sequence[Property | Mapping[str, Any]] | None = None,
        references: Sequence[Any] | None = None,
        vector_config: Any = None,
        multi_tenancy_config: MultiTenancyConfig | None = None,
        replication_config: ReplicationConfig | None = None,
        inverted_index_config: InvertedIndexConfig | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Create a collection and return its handle (v4's keywords).

        ``properties`` are :class:`Property` values, ``references``
        :class:`ReferenceProperty` values; ``vector_config`` is one
        ``Configure.Vectors.*`` value or a list of named ones (omit it for
        a collection with one self-provided vector, as the server does).
        An existing name raises ``validation_error`` (Weaviate answers 422).

        Example::

            articles = client.collections.create(
                "Article",
                properties=[Property(name="title", data_type=DataType.TEXT)],
                vector_config=Configure.Vectors.self_provided(),
            )
        """
        body: dict[str, Any] = {"class": v.collection_name(name)}
        if description is not None:
            body["description"] = v.text(description, "description")
        props = [property_dict(p) for p in _sequence(properties, "properties")]
        props += [property_dict(r) for r in _sequence(references, "references")]
        body["properties"] = props
        if vector_config is not None:
            body.update(vector_config_dict(vector_config))
        for key, value, kind in (
            ("multiTenancyConfig", multi_tenancy_config, MultiTenancyConfig),
            ("replicationConfig", replication_config, ReplicationConfig),
        ):
            if value is not None:
                if not isinstance(value, kind):
                    raise v.invalid(key, value, f"a Configure value ({kind.__name__})")
                body[key] = value.to_dict()
        if inverted_index_config is not None:
            if not isinstance(inverted_index_config, InvertedIndexConfig):
                raise v.invalid(
                    "inverted_index_config", inverted_index_config, "Configure.inverted_index(...)"
                )
            body["invertedIndexConfig"] = dict(inverted_index_config.settings)
        return self._create(body, resolve(overrides))

    @overload
    def create_from_dict(
        self: CollectionsOf[Sync],
        config: Mapping[str, Any],
        **overrides: Unpack[CallOverrides],
    ) -> Collection[Properties]: ...
    @overload
    def create_from_dict(
        self: CollectionsOf[Async],
        config: Mapping[str, Any],
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AsyncCollection[Properties]]: ...
    def create_from_dict(
        self,
        config: Mapping[str, Any],
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Create a collection from Weaviate's class dict (e.g. one read from a backup)."""
        if not isinstance(config, Mapping):
            raise v.invalid("config", config, "a Weaviate class dict")
        return self._create(definition(config), resolve(overrides))

    @overload
    def create_from_config(
        self: CollectionsOf[Sync],
        config: CollectionConfig,
        **overrides: Unpack[CallOverrides],
    ) -> Collection[Properties]: ...
    @overload
    def create_from_config(
        self: CollectionsOf[Async],
        config: CollectionConfig,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AsyncCollection[Properties]]: ...
    def create_from_config(
        self,
        config: CollectionConfig,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Create a collection from a :class:`CollectionConfig` (e.g. ``export_config``'s)."""
        if not isinstance(config, CollectionConfig):
            raise v.invalid("config", config, "a CollectionConfig")
        return self._create(definition(config), resolve(overrides))

    def _create(self, body: dict[str, Any], opts: RequestOptions | None) -> Any:
        """Run the creation's steps on the client's driver."""
        assert self._run is not None
        return self._run(self._create_steps(body, opts))

    def _create_steps(
        self, body: dict[str, Any], opts: RequestOptions | None
    ) -> Steps[CollectionOf[Any, Any]]:
        request = Request(
            "POST",
            "/v1/schema",
            "collections.create",
            path_template="/v1/schema",
            body=body,
            collection=body["class"],
        )
        stored = yield from self._pipeline.call(with_options(request, opts), collection_config)
        self._schemas.put(stored)
        return self._handle(stored.name)

    @overload
    def use(
        self: CollectionsOf[Sync], name: str, data_model: None = None
    ) -> Collection[Properties]: ...
    @overload
    def use(self: CollectionsOf[Sync], name: str, data_model: type[P]) -> Collection[P]: ...
    @overload
    def use(
        self: CollectionsOf[Async], name: str, data_model: None = None
    ) -> AsyncCollection[Properties]: ...
    @overload
    def use(self: CollectionsOf[Async], name: str, data_model: type[P]) -> AsyncCollection[P]: ...
    def use(self, name: str, data_model: type[Any] | None = None) -> Any:
        """The handle of collection ``name`` (no request is sent; the collection may not exist).

        ``data_model`` (a ``TypedDict``, as in the official client) only types the
        results: ``obj.properties`` is then that ``TypedDict`` under mypy; nothing is
        checked at run time.

        Example::

            articles = client.collections.use("Article")
            articles.query.near_vector([0.1, 0.2], limit=3)
        """
        return self._handle(v.collection_name(name))

    def _handle(self, name: str) -> CollectionOf[Any, Any]:
        # the handle's modules load on first use (import cost)
        from .collection import AsyncCollection, Collection

        pipeline = self._pipeline
        ctx = HandleContext(
            pipeline, pipeline.run, name, self._schemas, rpc=self._rpc, call=self._sync
        )
        return Collection(ctx) if self._sync is not None else AsyncCollection(ctx)

    @overload
    def get(
        self: CollectionsOf[Sync], name: str, data_model: None = None
    ) -> Collection[Properties]: ...
    @overload
    def get(self: CollectionsOf[Sync], name: str, data_model: type[P]) -> Collection[P]: ...
    @overload
    def get(
        self: CollectionsOf[Async], name: str, data_model: None = None
    ) -> AsyncCollection[Properties]: ...
    @overload
    def get(self: CollectionsOf[Async], name: str, data_model: type[P]) -> AsyncCollection[P]: ...
    def get(self, name: str, data_model: type[Any] | None = None) -> Any:
        """The same as :meth:`use` (v4 accepts both); the schema is :meth:`export_config`."""
        return self.use(name, data_model)

    @operation
    def export_config(
        self,
        /,
        name: str,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[CollectionConfig]:
        """The collection's definition (``GET /v1/schema/{name}``); absent: ``not_found``."""
        pipeline = self._pipeline
        ctx = HandleContext(pipeline, pipeline.run, v.collection_name(name), self._schemas)
        return ctx.fetch_config(resolve(overrides), "collections.export_config")

    @operation
    def update(
        self,
        /,
        name: str,
        changes: Mapping[str, Any],
        **overrides: Unpack[CallOverrides],
    ) -> Steps[CollectionConfig]:
        """Change mutable settings: read the definition, deep-merge ``changes``, PUT it back.

        ``changes`` uses Weaviate's keys. Weaviate only accepts changes to
        mutable fields (description, inverted index bm25/stopwords,
        replication factor, vector index ef/… and multi-tenancy auto
        flags); anything else is rejected with ``validation_error``.
        A missing collection raises ``not_found``.

        Example::

            client.collections.update("Article", {"invertedIndexConfig": {"bm25": {"b": 0.7}}})
        """
        name = v.collection_name(name)
        if not isinstance(changes, Mapping) or not changes:
            raise v.invalid("changes", changes, "a non-empty mapping of Weaviate class fields")
        if "class" in changes and changes["class"] != name:
            raise v.invalid(
                "changes['class']", changes["class"], f"{name!r} (renaming is not supported)"
            )
        opts = resolve(overrides)
        call = self._pipeline.call
        read = self._request("GET", "collections.get", name)
        current = yield from call(with_options(read, opts), json_object)
        body = deep_merge(current, changes)
        request = self._request("PUT", "collections.update", name, body=body)
        result = yield from call(with_options(request, opts), collection_config)
        self._schemas.forget(name)
        return result


class Collections(CollectionsOf[Sync]):
    """Create, inspect, change and drop collections (``client.collections``).

    Besides the shared operations (:class:`CollectionsOf`): :meth:`create`
    and :meth:`use`/:meth:`get` return a :class:`Collection` handle,
    :meth:`export_config` and :meth:`update` raise ``not_found`` for an
    absent collection.
    """

    __slots__ = ()


#: ``client.collections`` of ``wt.AsyncClient``: the same operations and handles, awaited.
AsyncCollections = CollectionsOf[Async]


def _sequence(value: Any, name: str) -> builtins.list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise v.invalid(name, value, "a list")
    return list(value)
