"""Schema helpers in the official client v4's spelling: ``Configure``, ``DataType`` & co.

They only build Weaviate's class-definition JSON; ``client.collections.create``
sends it::

    from weaviate_telemetry import Configure, DataType, Property, ReferenceProperty

    client.collections.create(
        "Article",
        properties=[Property(name="title", data_type=DataType.TEXT)],
        references=[ReferenceProperty(name="writtenBy", target_collection="Author")],
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.DOT)
        ),
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._core import validate as v

DEFAULT_VECTOR = "default"
"""The name v4 (and the server) give a collection's one unnamed vector."""


class DataType(str, enum.Enum):
    """Weaviate's property data types (``DataType.TEXT == "text"``)."""

    TEXT = "text"
    TEXT_ARRAY = "text[]"
    INT = "int"
    INT_ARRAY = "int[]"
    BOOL = "boolean"
    BOOL_ARRAY = "boolean[]"
    NUMBER = "number"
    NUMBER_ARRAY = "number[]"
    DATE = "date"
    DATE_ARRAY = "date[]"
    UUID = "uuid"
    UUID_ARRAY = "uuid[]"
    GEO_COORDINATES = "geoCoordinates"
    BLOB = "blob"
    PHONE_NUMBER = "phoneNumber"
    OBJECT = "object"
    OBJECT_ARRAY = "object[]"

    def __str__(self) -> str:
        return self.value


class Tokenization(str, enum.Enum):
    """How a text property is split into tokens for filtering and BM25."""

    WORD = "word"
    LOWERCASE = "lowercase"
    WHITESPACE = "whitespace"
    FIELD = "field"
    TRIGRAM = "trigram"
    GSE = "gse"
    KAGOME_KR = "kagome_kr"
    KAGOME_JA = "kagome_ja"

    def __str__(self) -> str:
        return self.value


class VectorDistances(str, enum.Enum):
    """Distance metrics of a vector index."""

    COSINE = "cosine"
    DOT = "dot"
    L2_SQUARED = "l2-squared"
    HAMMING = "hamming"
    MANHATTAN = "manhattan"

    def __str__(self) -> str:
        return self.value


class ConsistencyLevel(str, enum.Enum):
    """How many replicas must answer (``collection.with_consistency_level(...)``)."""

    ONE = "ONE"
    QUORUM = "QUORUM"
    ALL = "ALL"

    def __str__(self) -> str:
        return self.value


class HybridFusion(str, enum.Enum):
    """How hybrid search fuses keyword and vector rankings."""

    RANKED = "rankedFusion"
    RELATIVE_SCORE = "relativeScoreFusion"

    def __str__(self) -> str:
        return self.value


class TenantActivityStatus(str, enum.Enum):
    """A tenant's activity status (``Tenant(name, activity_status=...)``)."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    OFFLOADED = "OFFLOADED"
    OFFLOADING = "OFFLOADING"
    ONLOADING = "ONLOADING"

    def __str__(self) -> str:
        return self.value


def plain(value: Any) -> Any:
    """An enum member as its value; anything else unchanged."""
    return value.value if isinstance(value, enum.Enum) else value


@dataclass(frozen=True, slots=True)
class ReferenceProperty:
    """A cross-reference property pointing at ``target_collection`` (one name or several)."""

    name: str
    target_collection: str | Sequence[str]
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The REST property dict (``dataType`` holds the target collection names)."""
        targets = (
            [self.target_collection]
            if isinstance(self.target_collection, str)
            else list(self.target_collection)
        )
        if not targets:
            raise v.invalid("ReferenceProperty.target_collection", targets, "a collection name")
        out: dict[str, Any] = {
            "name": v.property_name(self.name, "ReferenceProperty.name"),
            "dataType": [v.collection_name(t, "target_collection") for t in targets],
        }
        if self.description is not None:
            out["description"] = v.text(self.description, "description")
        return out


@dataclass(frozen=True, slots=True)
class VectorIndexConfig:
    """A vector index: ``hnsw`` or ``flat``, its distance metric and tuning (REST keys)."""

    index_type: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VectorConfig:
    """One vector space of a collection (``name`` None means the default vector)."""

    name: str | None = None
    vectorizer: str = "none"
    vectorizer_config: Mapping[str, Any] = field(default_factory=dict)
    vector_index_config: VectorIndexConfig | None = None

    def to_entry(self) -> dict[str, Any]:
        """The ``vectorConfig`` entry for this vector."""
        index = self.vector_index_config or VectorIndexConfig("hnsw")
        out: dict[str, Any] = {
            "vectorizer": {self.vectorizer: dict(self.vectorizer_config)},
            "vectorIndexType": index.index_type,
        }
        if index.settings:
            out["vectorIndexConfig"] = dict(index.settings)
        return out


@dataclass(frozen=True, slots=True)
class MultiTenancyConfig:
    """Multi-tenancy settings (``Configure.multi_tenancy``)."""

    enabled: bool = True
    auto_tenant_creation: bool | None = None
    auto_tenant_activation: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"enabled": v.boolean("multi_tenancy enabled", self.enabled)}
        if self.auto_tenant_creation is not None:
            out["autoTenantCreation"] = v.boolean("auto_tenant_creation", self.auto_tenant_creation)
        if self.auto_tenant_activation is not None:
            out["autoTenantActivation"] = v.boolean(
                "auto_tenant_activation", self.auto_tenant_activation
            )
        return out


@dataclass(frozen=True, slots=True)
class ReplicationConfig:
    """Replication settings (``Configure.replication``)."""

    factor: int | None = None
    async_enabled: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.factor is not None:
            out["factor"] = v.positive_int(self.factor, "replication factor", 1000)
        if self.async_enabled is not None:
            out["asyncEnabled"] = v.boolean("async_enabled", self.async_enabled)
        return out


@dataclass(frozen=True, slots=True)
class InvertedIndexConfig:
    """Inverted index settings (``Configure.inverted_index``), REST keys in ``settings``."""

    settings: Mapping[str, Any]


def _distance(metric: Any) -> dict[str, Any]:
    if metric is None:
        return {}
    value = plain(metric)
    allowed = tuple(d.value for d in VectorDistances)
    return {"distance": v.choice(value, "distance_metric", allowed)}


def _opt_int(name: str, value: Any, low: int = -1) -> dict[str, Any]:
    if value is None:
        return {}
    return {name: v.int_in(name, value, low, 2**31 - 1)}


class _VectorIndex:
    """``Configure.VectorIndex``: the index behind a vector."""

    @staticmethod
    def hnsw(
        distance_metric: VectorDistances | str | None = None,
        ef: int | None = None,
        ef_construction: int | None = None,
        max_connections: int | None = None,
        flat_search_cutoff: int | None = None,
    ) -> VectorIndexConfig:
        """An HNSW graph index (the default)."""
        return VectorIndexConfig(
            "hnsw",
            {
                **_distance(distance_metric),
                **_opt_int("ef", ef),
                **_opt_int("efConstruction", ef_construction, 1),
                **_opt_int("maxConnections", max_connections, 1),
                **_opt_int("flatSearchCutoff", flat_search_cutoff, 0),
            },
        )

    @staticmethod
    def flat(distance_metric: VectorDistances | str | None = None) -> VectorIndexConfig:
        """A brute-force index: exact, for small collections or many tenants."""
        return VectorIndexConfig("flat", _distance(distance_metric))


class _Vectors:
    """``Configure.Vectors``: vector spaces of a collection."""

    @staticmethod
    def self_provided(
        name: str | None = None, *, vector_index_config: VectorIndexConfig | None = None
    ) -> VectorConfig:
        """A vector you bring yourself (no vectorizer module); ``name`` for a named vector.

        Without a name the vector is called ``"default"`` (as in v4), which is
        also where an object's unnamed ``vector=`` goes.
        """
        if name is not None:
            v.property_name(name, "vector name")
        if vector_index_config is not None and not isinstance(
            vector_index_config, VectorIndexConfig
        ):
            raise v.invalid(
                "vector_index_config", vector_index_config, "a Configure.VectorIndex.* value"
            )
        return VectorConfig(name=name, vector_index_config=vector_index_config)


class Configure:
    """Builders for ``client.collections.create(...)`` keywords, named as in the v4 client."""

    Vectors = _Vectors
    VectorIndex = _VectorIndex

    @staticmethod
    def multi_tenancy(
        enabled: bool = True,
        auto_tenant_creation: bool | None = None,
        auto_tenant_activation: bool | None = None,
    ) -> MultiTenancyConfig:
        """Give every tenant its own shard (``collection.with_tenant(name)`` to use one)."""
        return MultiTenancyConfig(enabled, auto_tenant_creation, auto_tenant_activation)

    @staticmethod
    def replication(
        factor: int | None = None, async_enabled: bool | None = None
    ) -> ReplicationConfig:
        """How many copies of each shard the cluster keeps."""
        return ReplicationConfig(factor, async_enabled)

    @staticmethod
    def inverted_index(
        bm25_b: float | None = None,
        bm25_k1: float | None = None,
        index_timestamps: bool | None = None,
        index_null_state: bool | None = None,
        index_property_length: bool | None = None,
    ) -> InvertedIndexConfig:
        """Keyword-index settings (``index_timestamps=True`` enables creation-time filters)."""
        settings: dict[str, Any] = {}
        bm25 = {
            k: v.number(val, f"bm25_{k}")
            for k, val in (("b", bm25_b), ("k1", bm25_k1))
            if val is not None
        }
        if bm25:
            settings["bm25"] = bm25
        for key, val in (
            ("indexTimestamps", index_timestamps),
            ("indexNullState", index_null_state),
            ("indexPropertyLength", index_property_length),
        ):
            if val is not None:
                settings[key] = v.boolean(key, val)
        return InvertedIndexConfig(settings)


def vector_config_dict(vector_config: Any) -> dict[str, Any]:
    """``vector_config=`` (one :class:`VectorConfig` or a list) → ``{"vectorConfig": …}``."""
    items = [vector_config] if isinstance(vector_config, VectorConfig) else vector_config
    if not isinstance(items, (list, tuple)) or not items:
        raise v.invalid(
            "vector_config", vector_config, "a Configure.Vectors.* value or a list of them"
        )
    named: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, VectorConfig):
            raise v.invalid("vector_config item", item, "a Configure.Vectors.* value")
        name = item.name or DEFAULT_VECTOR
        if name in named:
            raise v.invalid("vector_config", name, "distinct vector names")
        named[name] = item.to_entry()
    return {"vectorConfig": named}
