"""Typed schema values: a collection's definition, its properties, vectors and shards.

:class:`CollectionConfig` is what ``collection.config.get()`` and
``client.collections.export_config(name)`` return (the server's full
definition kept in ``raw``); ``client.collections.create_from_config`` takes
one back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._core import validate as v
from .._core.models import (
    Response,
    json_list,
    json_object,
    unexpected,
)
from .._core.results import JsonResult
from .configure import DataType, ReferenceProperty, Tokenization, plain

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

    ``data_type`` is a :class:`DataType` (``DataType.TEXT``,
    ``DataType.INT_ARRAY`` …; it is a ``str`` equal to Weaviate's type
    name) or, in a definition read from the server, the target collection
    name(s) of a cross-reference (create those with
    :class:`ReferenceProperty`). ``raw`` holds the server's full definition
    when the value came from the server.

    Example::

        wt.Property(name="title", data_type=wt.DataType.TEXT, tokenization=wt.Tokenization.WORD)
    """

    name: str
    data_type: DataType | str | Sequence[str]
    description: str | None = None
    tokenization: Tokenization | str | None = None
    index_filterable: bool | None = None
    index_searchable: bool | None = None
    index_range_filters: bool | None = None
    nested_properties: Sequence[Property] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def data_types(self) -> tuple[str, ...]:
        """``data_type`` as a tuple (one entry unless a multi-target reference)."""
        if isinstance(self.data_type, str):
            return (str(plain(self.data_type)),)
        return tuple(str(plain(t)) for t in self.data_type)

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
                plain(self.tokenization), "Property.tokenization", _TOKENIZATIONS
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


def property_dict(value: Any) -> dict[str, Any]:
    """A :class:`Property`, :class:`ReferenceProperty` or REST dict → the REST property dict."""
    if isinstance(value, (Property, ReferenceProperty)):
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
    """A collection definition, as ``collection.config.get()`` returns it.

    Use either the single-vector fields (``vectorizer``,
    ``vector_index_type``, ``vector_index_config``) or ``vectors`` for
    named vectors. ``replication_config``, ``sharding_config``,
    ``inverted_index_config`` and ``module_config`` pass through to
    Weaviate unchanged (its camelCase keys). ``raw`` is the server's full
    definition when the value came from the server.

    Example::

        cfg = client.collections.export_config("Article")
        cfg.property_names, cfg.multi_tenancy, cfg.vectors["default"].vector_index_type
        client.collections.create_from_config(dataclasses.replace(cfg, name="ArticleCopy"))
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
            "properties": [property_dict(p) for p in self.properties],
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


def collection_config(response: Response) -> CollectionConfig:
    return CollectionConfig.from_dict(json_object(response))


def collection_configs(response: Response) -> list[CollectionConfig]:
    classes = json_object(response).get("classes") or []
    if not isinstance(classes, list):
        raise unexpected("schema answer has no 'classes' list", response)
    return [CollectionConfig.from_dict(c) for c in classes if isinstance(c, Mapping)]


def shards(response: Response) -> list[Shard]:
    return [Shard.from_dict(s) for s in json_list(response) if isinstance(s, Mapping)]


def deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        current = out.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out


def definition(config: Any) -> dict[str, Any]:
    """A :class:`CollectionConfig` or Weaviate's class dict → the validated class dict."""
    if isinstance(config, CollectionConfig):
        return config.to_dict()
    if isinstance(config, Mapping):
        v.collection_name(config.get("class"), "collection 'class'")
        return dict(config)
    raise v.invalid("config", config, "a CollectionConfig or a Weaviate class dict")
