"""weaviate_telemetry: a Weaviate client in which every request is observable.

The public API is what this module exports; everything in underscore
modules is private.
"""

from loguru import logger as _logger

from . import telemetry
from ._batch import (
    BatchDeleteItem,
    BatchDeleteResult,
    BatchFailure,
    BatchObject,
    BatchProgress,
    BatchReference,
    BatchResult,
)
from ._client import Client
from ._collections import CollectionConfig, NamedVector, Property, Shard
from ._config import Config, InsecureTransportWarning, RequestOptions, RetryPolicy, Timeouts
from ._errors import (
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
from ._filters import Filter, FilterOn, GeoRange
from ._health import EndpointHealth, HealthReport
from ._info import Meta, NodeStatus, ShardStatus
from ._models import Request, Response
from ._objects import ObjectPage, WeaviateObject
from ._query import (
    AggregateGroup,
    AggregateQuery,
    AggregateResult,
    GetQuery,
    GraphQLResult,
    GroupedBy,
    Occurrence,
    PropertyMetrics,
    Query,
    QueryMetadata,
    QueryObject,
    QueryResult,
)
from ._tenants import Tenant
from ._uuid import generate_uuid5
from ._version import __version__

# A library stays quiet until the application opts in (see docs/telemetry.md).
_logger.disable("weaviate_telemetry")

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
    "Query",
    "QueryMetadata",
    "QueryObject",
    "QueryResult",
    "RateLimitedError",
    "Request",
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
