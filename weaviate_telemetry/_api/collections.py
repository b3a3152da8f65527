"""``client.collections``: the schema endpoints (``/v1/schema…``).

Typed values describe a collection both ways: build a :class:`CollectionConfig`
(or pass Weaviate's own class dict) to create one, and get the same type
back from the server with the full definition kept in ``raw``.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.models import (
    Call,
    Request,
    Response,
    found,
    ignore,
    json_list,
    json_object,
    query_params,
    quote_segment,
    unexpected,
)
from .._core.options import resolve
from .._core.results import JsonResult

_NOT_FOUND = frozenset({404})
_SHARD_STATUSES = ("READY", "READONLY")
_TOKENIZATIONS = (
    "word",
    "lowercase",
    "whitespace",
    "field",
    "trigram",
    "gse",
    "gse_ch",
    "kagome_kr",
    "kagome_ja",
)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class Property:
    """One property of a collection.

    ``data_type`` is Weaviate's type name (``"text"``, ``"int"``,
    ``"number[]"``, ``"geoCoordinates"`` …) or, for a cross-reference, the
    target collection name(s). ``raw`` holds the server's full definition
    when the value came from the server.

    Example::

        wt.Property("title", "text", tokenization="word", index_filterable=True)
        wt.Property("author", ["Person"])  # a cross-reference
    """

    name: str
    data_type: str | Sequence[str]
    description: str | None = None
    tokenization: str | None = None
    index_filterable: bool | None = None
    index_searchable: bool | None = None
    index_range_filters: bool | None = None
    nested_properties: Sequence[Property] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def data_types(self) -> tuple[str, ...]:
        """``data_type`` as a tuple (one entry unless a multi-target reference)."""
        if isinstance(self.data_type, str):
            return (self.data_type,)
        return tuple(self.data_type)

    def to_dict(self) -> dict[str, Any]:
        """The REST form (``dataType``, ``indexFilterable`` …), validated."""
        v.property_name(self.name, "Property.name")
        types = self.data_types
        if not types or not all(isinstance(t, str) and t for t in types):
            raise v.invalid("Property.data_type", self.data_type, "a data type name or names")
        out: dict[str, Any] = {"name": self.name, "dataType": list(types)}
        if self.description is not None:
            out["description"] = self.description
        if self.tokenization is not None:
            out["tokenization"] = v.choice(
                self.tokenization, "Property.tokenization", _TOKENIZATIONS
            )
        for key, value in (
            ("indexFilterable", self.index_filterable),
            ("indexSearchable", self.index_searchable),
            ("indexRangeFilters", self.index_range_filters),
        ):
            if value is not None:
                if not isinstance(value, bool):
                    raise v.invalid(f"Property.{key}", value, "True, False or None")
                out[key] = value
        if self.nested_properties:
            out["nestedProperties"] = [p.to_dict() for p in self.nested_properties]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Property:
        """Build from Weaviate's property dict (unknown keys stay in ``raw``)."""
        types = data.get("dataType") or []
        data_type: str | tuple[str, ...] = (
            types[0] if len(types) == 1 else tuple(str(t) for t in types)
        )
        return cls(
            name=str(data.get("name", "")),
            data_type=data_type,
            description=data.get("description"),
            tokenization=data.get("tokenization"),
            index_filterable=data.get("indexFilterable"),
            index_searchable=data.get("indexSearchable"),
            index_range_filters=data.get("indexRangeFilters"),
            nested_properties=tuple(
                cls.from_dict(p)
                for p in data.get("nestedProperties") or ()
                if isinstance(p, Mapping)
            ),
            raw=data,
        )


def _property_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Property):
        return value.to_dict()
    if isinstance(value, Mapping):
        v.property_name(value.get("name"), "property name")
        if not value.get("dataType"):
            raise v.invalid("property", value, "a Property or a dict with 'name' and 'dataType'")
        return dict(value)
    raise v.invalid("property", value, "a Property or a dict with 'name' and 'dataType'")


@dataclass(frozen=True, slots=True)
class NamedVector:
    """One named vector space of a collection (Weaviate ``vectorConfig`` entry).

    ``vectorizer`` is a module name (``"none"`` when you bring your own
    vectors) and ``vectorizer_config`` its settings; ``vector_index_type``
    is ``"hnsw"``, ``"flat"`` or ``"dynamic"``.

    Example::

        vectors={"title": wt.NamedVector(), "body": wt.NamedVector(vector_index_type="flat")}
    """

    vectorizer: str = "none"
    vectorizer_config: Mapping[str, Any] | None = None
    vector_index_type: str = "hnsw"
    vector_index_config: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The REST ``vectorConfig`` entry."""
        if not isinstance(self.vectorizer, str) or not self.vectorizer:
            raise v.invalid("NamedVector.vectorizer", self.vectorizer, "a module name or 'none'")
        if not isinstance(self.vector_index_type, str) or not self.vector_index_type:
            raise v.invalid(
                "NamedVector.vector_index_type", self.vector_index_type, "hnsw, flat or dynamic"
            )
        out: dict[str, Any] = {
            "vectorizer": {self.vectorizer: dict(self.vectorizer_config or {})},
            "vectorIndexType": self.vector_index_type,
        }
        if self.vector_index_config is not None:
            out["vectorIndexConfig"] = dict(self.vector_index_config)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NamedVector:
        """Build from a ``vectorConfig`` entry as the server returns it."""
        vectorizer = _mapping(data.get("vectorizer"))
        name, settings = next(iter(vectorizer.items()), ("none", {}))
        return cls(
            vectorizer=str(name),
            vectorizer_config=_mapping(settings) or None,
            vector_index_type=str(data.get("vectorIndexType", "")),
            vector_index_config=_mapping(data.get("vectorIndexConfig")) or None,
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class CollectionConfig:
    """A collection definition: what you create and what ``get`` returns.

    Use either the single-vector fields (``vectorizer``,
    ``vector_index_type``, ``vector_index_config``) or ``vectors`` for
    named vectors. ``replication_config``, ``sharding_config``,
    ``inverted_index_config`` and ``module_config`` pass through to
    Weaviate unchanged (its camelCase keys). ``raw`` is the server's full
    definition when the value came from the server.

    Example::

        client.collections.create(wt.CollectionConfig(
            "Article",
            properties=[wt.Property("title", "text"), wt.Property("year", "int")],
            multi_tenancy=True,
        ))
    """

    name: str
    properties: Sequence[Property] = ()
    description: str | None = None
    vectorizer: str | None = "none"
    vector_index_type: str | None = None
    vector_index_config: Mapping[str, Any] | None = None
    vectors: Mapping[str, NamedVector] | None = None
    multi_tenancy: bool = False
    auto_tenant_creation: bool | None = None
    auto_tenant_activation: bool | None = None
    replication_config: Mapping[str, Any] | None = None
    sharding_config: Mapping[str, Any] | None = None
    inverted_index_config: Mapping[str, Any] | None = None
    module_config: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def property_names(self) -> tuple[str, ...]:
        """The names of the properties, in order."""
        return tuple(p.name for p in self.properties)

    def to_dict(self) -> dict[str, Any]:
        """Weaviate's class dict for ``POST /v1/schema``, validated."""
        v.collection_name(self.name, "CollectionConfig.name")
        out: dict[str, Any] = {
            "class": self.name,
            "properties": [_property_dict(p) for p in self.properties],
        }
        if self.description is not None:
            out["description"] = self.description
        if self.vectors:
            if not isinstance(self.vectors, Mapping):
                raise v.invalid("vectors", self.vectors, "a mapping of name to NamedVector")
            named: dict[str, Any] = {}
            for key, spec in self.vectors.items():
                v.property_name(key, "vector name")
                if isinstance(spec, NamedVector):
                    named[key] = spec.to_dict()
                elif isinstance(spec, Mapping):
                    named[key] = dict(spec)
                else:
                    raise v.invalid(f"vectors[{key!r}]", spec, "a NamedVector or a dict")
            out["vectorConfig"] = named
        else:
            if self.vectorizer is not None:
                out["vectorizer"] = self.vectorizer
            if self.vector_index_type is not None:
                out["vectorIndexType"] = self.vector_index_type
            if self.vector_index_config is not None:
                out["vectorIndexConfig"] = dict(self.vector_index_config)
        if not isinstance(self.multi_tenancy, bool):
            raise v.invalid("multi_tenancy", self.multi_tenancy, "True or False")
        if self.multi_tenancy:
            mt: dict[str, Any] = {"enabled": True}
            if self.auto_tenant_creation is not None:
                mt["autoTenantCreation"] = bool(self.auto_tenant_creation)
            if self.auto_tenant_activation is not None:
                mt["autoTenantActivation"] = bool(self.auto_tenant_activation)
            out["multiTenancyConfig"] = mt
        for key, value in (
            ("replicationConfig", self.replication_config),
            ("shardingConfig", self.sharding_config),
            ("invertedIndexConfig", self.inverted_index_config),
            ("moduleConfig", self.module_config),
        ):
            if value is not None:
                if not isinstance(value, Mapping):
                    raise v.invalid(key, value, "a mapping (Weaviate's camelCase keys)")
                out[key] = dict(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CollectionConfig:
        """Build from Weaviate's class dict; everything stays reachable via ``raw``."""
        mt = _mapping(data.get("multiTenancyConfig"))
        vectors = _mapping(data.get("vectorConfig"))
        return cls(
            name=str(data.get("class", "")),
            properties=tuple(
                Property.from_dict(p)
                for p in data.get("properties") or ()
                if isinstance(p, Mapping)
            ),
            description=data.get("description"),
            vectorizer=data.get("vectorizer"),
            vector_index_type=data.get("vectorIndexType"),
            vector_index_config=_mapping(data.get("vectorIndexConfig")) or None,
            vectors={k: NamedVector.from_dict(_mapping(s)) for k, s in vectors.items()} or None,
            multi_tenancy=bool(mt.get("enabled", False)),
            auto_tenant_creation=mt.get("autoTenantCreation"),
            auto_tenant_activation=mt.get("autoTenantActivation"),
            replication_config=_mapping(data.get("replicationConfig")) or None,
            sharding_config=_mapping(data.get("shardingConfig")) or None,
            inverted_index_config=_mapping(data.get("invertedIndexConfig")) or None,
            module_config=_mapping(data.get("moduleConfig")) or None,
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Shard(JsonResult):
    """One shard of a collection (``GET /v1/schema/{collection}/shards``)."""

    name: str
    status: str
    vector_queue_size: int
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shard:
        return cls(
            name=str(data.get("name", "")),
            status=str(data.get("status", "")),
            vector_queue_size=int(data.get("vectorQueueSize") or 0),
            raw=data,
        )


def _collection(response: Response) -> CollectionConfig:
    return CollectionConfig.from_dict(json_object(response))


def _collection_or_none(response: Response) -> CollectionConfig | None:
    return None if response.status == 404 else _collection(response)


def _collections(response: Response) -> list[CollectionConfig]:
    classes = json_object(response).get("classes") or []
    if not isinstance(classes, list):
        raise unexpected("schema answer has no 'classes' list", response)
    return [CollectionConfig.from_dict(c) for c in classes if isinstance(c, Mapping)]


def _shards(response: Response) -> list[Shard]:
    return [Shard.from_dict(s) for s in json_list(response) if isinstance(s, Mapping)]


def _deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        current = out.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = _deep_merge(current, value)
        else:
            out[key] = value
    return out


def _definition(config: Any) -> dict[str, Any]:
    if isinstance(config, CollectionConfig):
        return config.to_dict()
    if isinstance(config, Mapping):
        v.collection_name(config.get("class"), "collection 'class'")
        return dict(config)
    raise v.invalid("config", config, "a CollectionConfig or a Weaviate class dict")


class Collections:
    """Create, inspect, change and drop collections (``client.collections``).

    Absent collections: :meth:`get` returns None and :meth:`exists` False;
    :meth:`update` and :meth:`shards` raise ``not_found``;
    :meth:`add_property` raises ``validation_error`` (Weaviate answers 422
    "not found"); :meth:`delete` of an absent collection succeeds (the
    server treats it as done).
    """

    def __init__(self, call: Call) -> None:
        self._call = call

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

    def create(
        self,
        config: CollectionConfig | Mapping[str, Any],
        *,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> CollectionConfig:
        """Create a collection from a :class:`CollectionConfig` or Weaviate's class dict.

        Returns the definition as the server stored it (defaults filled in).
        An existing name raises ``validation_error`` (Weaviate answers 422).
        """
        body = _definition(config)
        request = Request(
            "POST",
            "/v1/schema",
            "collections.create",
            path_template="/v1/schema",
            body=body,
            collection=body["class"],
        )
        return self._call(request, resolve(options, overrides), _collection)

    def get(
        self, name: str, *, options: RequestOptions | None = None, **overrides: Any
    ) -> CollectionConfig | None:
        """The collection's definition, or None when it does not exist (404 is an answer)."""
        name = v.collection_name(name)
        request = self._request("GET", "collections.get", name, ok_statuses=_NOT_FOUND)
        return self._call(request, resolve(options, overrides), _collection_or_none)

    def exists(self, name: str, *, options: RequestOptions | None = None, **overrides: Any) -> bool:
        """True when the collection exists (404 is an answer: False)."""
        name = v.collection_name(name)
        request = self._request("GET", "collections.exists", name, ok_statuses=_NOT_FOUND)
        return self._call(request, resolve(options, overrides), found)

    def list(
        self, *, options: RequestOptions | None = None, **overrides: Any
    ) -> list[CollectionConfig]:
        """Every collection's definition (``GET /v1/schema``)."""
        request = self._request("GET", "collections.list", None)
        return self._call(request, resolve(options, overrides), _collections)

    def update(
        self,
        name: str,
        changes: Mapping[str, Any],
        *,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> CollectionConfig:
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
        opts = resolve(options, overrides)
        current = self._call(self._request("GET", "collections.get", name), opts, json_object)
        body = _deep_merge(current, changes)
        request = self._request("PUT", "collections.update", name, body=body)
        return self._call(request, opts, _collection)

    def delete(self, name: str, *, options: RequestOptions | None = None, **overrides: Any) -> None:
        """Drop a collection and all its objects.

        Deleting a collection that does not exist is not an error (Weaviate
        answers 200), so the call is safe to repeat.
        """
        name = v.collection_name(name)
        request = self._request("DELETE", "collections.delete", name)
        self._call(request, resolve(options, overrides), ignore)

    def add_property(
        self,
        name: str,
        prop: Property | Mapping[str, Any],
        *,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> Property:
        """Add one property to an existing collection; returns it as stored."""
        name = v.collection_name(name)
        body = _property_dict(prop)
        request = self._request("POST", "collections.add_property", name, "/properties", body=body)
        return self._call(
            request,
            resolve(options, overrides),
            lambda response: Property.from_dict(json_object(response)),
        )

    def shards(
        self,
        name: str,
        *,
        tenant: str | None = None,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> builtins.list[Shard]:
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
        return self._call(request, resolve(options, overrides), _shards)

    def update_shard(
        self,
        name: str,
        shard: str,
        status: str,
        *,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> str:
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
        return self._call(
            request,
            resolve(options, overrides),
            lambda response: str(json_object(response).get("status", status)),
        )
