"""weaviate_telemetry: a Weaviate client in which every request is observable.

The public API is what this module exports; everything in underscore
modules is private.
"""

from loguru import logger as _logger

from . import telemetry
from ._client import Client
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
from ._health import EndpointHealth, HealthReport
from ._info import Meta, NodeStatus, ShardStatus
from ._models import Request, Response
from ._uuid import generate_uuid5
from ._version import __version__

# A library stays quiet until the application opts in (see docs/telemetry.md).
_logger.disable("weaviate_telemetry")

__all__ = [
    "BadRequestError",
    "Client",
    "Config",
    "ConfigError",
    "ConflictError",
    "EndpointHealth",
    "ErrorKind",
    "ForbiddenError",
    "GraphQLError",
    "HealthReport",
    "InsecureTransportWarning",
    "Meta",
    "NodeStatus",
    "NotFoundError",
    "ProtocolError",
    "RateLimitedError",
    "Request",
    "RequestOptions",
    "Response",
    "RetryPolicy",
    "ServerError",
    "ShardStatus",
    "Timeouts",
    "UnauthorizedError",
    "UnavailableError",
    "ValidationError",
    "WeaviateConnectionError",
    "WeaviateError",
    "WeaviateTimeoutError",
    "__version__",
    "generate_uuid5",
    "telemetry",
]
