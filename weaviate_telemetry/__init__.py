"""weaviate_telemetry: a Weaviate client in which every request is observable.

The public API is what this module exports; everything in underscore
modules is private.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import telemetry
from ._api.configure import (
    Configure,
    ConsistencyLevel,
    DataType,
    HybridFusion,
    ReferenceProperty,
    TenantActivityStatus,
    Tokenization,
    VectorDistances,
)
from ._api.health import EndpointHealth, HealthReport
from ._api.info import Meta, NodeStatus, ShardStatus
from ._api.schema import CollectionConfig, NamedVector, Property, Shard
from ._api.tenants import Tenant
from ._client import Client
from ._core.config import Config, InsecureTransportWarning, RequestOptions, RetryPolicy, Timeouts
from ._core.credentials import Auth
from ._core.errors import (
    BadRequestError,
    ConfigError,
    ConflictError,
    ErrorKind,
    ForbiddenError,
    GraphQLError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
    UnavailableError,
    ValidationError,
    WeaviateConnectionError,
    WeaviateError,
    WeaviateTimeoutError,
)
from ._core.ids import generate_uuid5
from ._core.models import Response
from ._version import __version__

if TYPE_CHECKING:
    from ._api.batch import BatchDeleteItem, BatchDeleteResult
    from ._api.collection import Collection
    from ._api.collection_aggregate import (
        AggregateBoolean,
        AggregateDate,
        AggregateGroup,
        AggregateGroupByReturn,
        AggregateInteger,
        AggregateNumber,
        AggregateReturn,
        AggregateText,
        GroupByAggregate,
        GroupedBy,
        Metrics,
        TopOccurrence,
    )
    from ._api.collection_batch import BatchContext
    from ._api.collection_data import (
        BatchObjectReturn,
        BatchReferenceReturn,
        DataObject,
        DataReference,
        ErrorObject,
        ErrorReference,
    )
    from ._api.collection_query import (
        Group,
        GroupBy,
        GroupByObject,
        GroupByReturn,
        MetadataQuery,
        MetadataReturn,
        Object,
        QueryReturn,
        Sort,
    )
    from ._async_client import AsyncClient
    from ._query.builders import GraphQLResult
    from ._query.filters import Filter, FilterOn, GeoRange

# The data-plane modules (handles, queries, batches) are imported on first use: they are
# most of the package, and an application that only probes health should not pay for them.
_LAZY = {
    # AsyncClient imports asyncio (and aiohttp on first use): only when asked for.
    **dict.fromkeys(("AsyncClient",), "._async_client"),
    **dict.fromkeys(("BatchDeleteItem", "BatchDeleteResult"), "._api.batch"),
    **dict.fromkeys(("Collection",), "._api.collection"),
    **dict.fromkeys(
        (
            "AggregateBoolean",
            "AggregateDate",
            "AggregateGroup",
            "AggregateGroupByReturn",
            "AggregateInteger",
            "AggregateNumber",
            "AggregateReturn",
            "AggregateText",
            "GroupByAggregate",
            "GroupedBy",
            "Metrics",
            "TopOccurrence",
        ),
        "._api.collection_aggregate",
    ),
    **dict.fromkeys(("BatchContext",), "._api.collection_batch"),
    **dict.fromkeys(
        (
            "BatchObjectReturn",
            "BatchReferenceReturn",
            "DataObject",
            "DataReference",
            "ErrorObject",
            "ErrorReference",
        ),
        "._api.collection_data",
    ),
    **dict.fromkeys(
        (
            "Group",
            "GroupBy",
            "GroupByObject",
            "GroupByReturn",
            "MetadataQuery",
            "MetadataReturn",
            "Object",
            "QueryReturn",
            "Sort",
        ),
        "._api.collection_query",
    ),
    **dict.fromkeys(("GraphQLResult",), "._query.builders"),
    **dict.fromkeys(("Filter", "FilterOn", "GeoRange"), "._query.filters"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# A library stays quiet until the application opts in (see docs/telemetry.md): loguru is
# imported on first use, by _core.events.library_logger, which disables this package's records.

__all__ = [
    "AggregateBoolean",
    "AggregateDate",
    "AggregateGroup",
    "AggregateGroupByReturn",
    "AggregateInteger",
    "AggregateNumber",
    "AggregateReturn",
    "AggregateText",
    "AsyncClient",
    "Auth",
    "BadRequestError",
    "BatchContext",
    "BatchDeleteItem",
    "BatchDeleteResult",
    "BatchObjectReturn",
    "BatchReferenceReturn",
    "Client",
    "Collection",
    "CollectionConfig",
    "Config",
    "ConfigError",
    "Configure",
    "ConflictError",
    "ConsistencyLevel",
    "DataObject",
    "DataReference",
    "DataType",
    "EndpointHealth",
    "ErrorKind",
    "ErrorObject",
    "ErrorReference",
    "Filter",
    "FilterOn",
    "ForbiddenError",
    "GeoRange",
    "GraphQLError",
    "GraphQLResult",
    "Group",
    "GroupBy",
    "GroupByAggregate",
    "GroupByObject",
    "GroupByReturn",
    "GroupedBy",
    "HealthReport",
    "HybridFusion",
    "InsecureTransportWarning",
    "Meta",
    "MetadataQuery",
    "MetadataReturn",
    "Metrics",
    "NamedVector",
    "NodeStatus",
    "NotFoundError",
    "Object",
    "Property",
    "ProtocolError",
    "QueryReturn",
    "RateLimitedError",
    "ReferenceProperty",
    "RequestOptions",
    "Response",
    "RetryPolicy",
    "ServerError",
    "Shard",
    "ShardStatus",
    "Sort",
    "Tenant",
    "TenantActivityStatus",
    "Timeouts",
    "Tokenization",
    "TopOccurrence",
    "UnauthorizedError",
    "UnavailableError",
    "ValidationError",
    "VectorDistances",
    "WeaviateConnectionError",
    "WeaviateError",
    "WeaviateTimeoutError",
    "__version__",
    "generate_uuid5",
    "telemetry",
]
