"""weaviate_telemetry: a Weaviate client in which every request is observable.

The public API is what this module exports; everything in underscore
modules is private.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import telemetry
from ._api.collections import CollectionConfig, NamedVector, Property, Shard
from ._api.health import EndpointHealth, HealthReport
from ._api.info import Meta, NodeStatus, ShardStatus
from ._api.objects import ObjectPage, WeaviateObject
from ._api.tenants import Tenant
from ._client import Client
from ._core.config import Config, InsecureTransportWarning, RequestOptions, RetryPolicy, Timeouts
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
    from ._api.batch import (
        BatchDeleteItem,
        BatchDeleteResult,
        BatchFailure,
        BatchObject,
        BatchProgress,
        BatchReference,
        BatchResult,
    )
    from ._query.builders import (
        AggregateGroup,
        AggregateQuery,
        AggregateResult,
        GetQuery,
        GraphQLResult,
        GroupedBy,
        Occurrence,
        PropertyMetrics,
        QueryMetadata,
        QueryObject,
        QueryResult,
    )
    from ._query.filters import Filter, FilterOn, GeoRange

# Imported on first use (the batch and query modules are the heaviest of the package).
_LAZY = {
    **dict.fromkeys(
        (
            "BatchDeleteItem",
            "BatchDeleteResult",
            "BatchFailure",
            "BatchObject",
            "BatchProgress",
            "BatchReference",
            "BatchResult",
        ),
        "._api.batch",
    ),
    **dict.fromkeys(
        (
            "AggregateGroup",
            "AggregateQuery",
            "AggregateResult",
            "GetQuery",
            "GraphQLResult",
            "GroupedBy",
            "Occurrence",
            "PropertyMetrics",
            "QueryMetadata",
            "QueryObject",
            "QueryResult",
        ),
        "._query.builders",
    ),
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
    "AggregateGroup",
    "AggregateQuery",
    "AggregateResult",
    "BadRequestError",
    "BatchDeleteItem",
    "BatchDeleteResult",
    "BatchFailure",
    "BatchObject",
    "BatchProgress",
    "BatchReference",
    "BatchResult",
    "Client",
    "CollectionConfig",
    "Config",
    "ConfigError",
    "ConflictError",
    "EndpointHealth",
    "ErrorKind",
    "Filter",
    "FilterOn",
    "ForbiddenError",
    "GeoRange",
    "GetQuery",
    "GraphQLError",
    "GraphQLResult",
    "GroupedBy",
    "HealthReport",
    "InsecureTransportWarning",
    "Meta",
    "NamedVector",
    "NodeStatus",
    "NotFoundError",
    "ObjectPage",
    "Occurrence",
    "Property",
    "PropertyMetrics",
    "ProtocolError",
    "QueryMetadata",
    "QueryObject",
    "QueryResult",
    "RateLimitedError",
    "RequestOptions",
    "Response",
    "RetryPolicy",
    "ServerError",
    "Shard",
    "ShardStatus",
    "Tenant",
    "Timeouts",
    "UnauthorizedError",
    "UnavailableError",
    "ValidationError",
    "WeaviateConnectionError",
    "WeaviateError",
    "WeaviateObject",
    "WeaviateTimeoutError",
    "__version__",
    "generate_uuid5",
    "telemetry",
]
