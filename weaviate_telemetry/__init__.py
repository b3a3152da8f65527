"""weaviate_telemetry: a Weaviate client in which every request is observable.

The public API is what this module exports; everything in underscore
modules is private.
"""

from . import telemetry
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
from ._query.builders import GraphQLResult
from ._query.filters import Filter, FilterOn, GeoRange
from ._version import __version__

__all__ = [
    "AggregateBoolean",
    "AggregateDate",
    "AggregateGroup",
    "AggregateGroupByReturn",
    "AggregateInteger",
    "AggregateNumber",
    "AggregateReturn",
    "AggregateText",
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
