"""weaviate_telemetry: a Weaviate client in which every request is observable.

The public API is what this module exports (the client, its configuration, the
errors, telemetry) and the namespaces ``weaviate_telemetry.classes`` (inputs:
``classes.config``, ``classes.query`` …) and ``weaviate_telemetry.outputs``
(results), which mirror the official client's; everything in underscore
modules is private.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import telemetry
from ._api.health import EndpointHealth, HealthReport
from ._api.info import Meta
from ._client import Client
from ._core.config import Config, InsecureTransportWarning, RetryPolicy, Timeouts
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
    from . import classes, outputs
    from ._api.collection import AsyncCollection, Collection
    from ._api.progress import ImportProgress
    from ._async_client import AsyncClient

# Loaded on first use: the handles and the data-plane types are most of the package, and
# an application that only probes health should not pay for them (docs/performance.md).
# AsyncClient imports asyncio (and aiohttp on first use): only when asked for.
_LAZY = {
    "AsyncClient": "._async_client",
    "AsyncCollection": "._api.collection",
    "Collection": "._api.collection",
    "ImportProgress": "._api.progress",
    "classes": ".classes",
    "outputs": ".outputs",
}
# The data-plane types live in namespaces that mirror the official client's
# (docs/migrating-from-weaviate-client.md). Their earlier flat names (``wt.Filter``) still
# resolve, from these namespaces, for programs written before; they are not in __all__.
_MOVED_TO = (
    "classes.config",
    "classes.query",
    "classes.aggregate",
    "classes.data",
    "classes.tenants",
    "outputs.query",
    "outputs.aggregate",
    "outputs.data",
    "outputs.batch",
    "outputs.config",
    "outputs.cluster",
)


_REMOVED = {
    "RequestOptions": (
        ": per-call options are keywords on every call, e.g. client.meta(timeout=5);"
        " they are timeout=, retry=, headers=, idempotent=, metadata= (docs/configuration.md)"
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        found = importlib.import_module(module, __name__)
        value = found if module.endswith(name) else getattr(found, name)
    else:
        for namespace in _MOVED_TO:
            found = importlib.import_module("." + namespace, __name__)
            if name in found.__all__:
                value = getattr(found, name)
                break
        else:
            hint = _REMOVED.get(name, "")
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}{hint}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# A library stays quiet until the application opts in (see docs/telemetry.md): loguru is
# imported on first use, by _core.events.library_logger, which disables this package's records.

__all__ = [
    "AsyncClient",
    "AsyncCollection",
    "Auth",
    "BadRequestError",
    "Client",
    "Collection",
    "Config",
    "ConfigError",
    "ConflictError",
    "EndpointHealth",
    "ErrorKind",
    "ForbiddenError",
    "GraphQLError",
    "HealthReport",
    "ImportProgress",
    "InsecureTransportWarning",
    "Meta",
    "NotFoundError",
    "ProtocolError",
    "RateLimitedError",
    "Response",
    "RetryPolicy",
    "ServerError",
    "Timeouts",
    "UnauthorizedError",
    "UnavailableError",
    "ValidationError",
    "WeaviateConnectionError",
    "WeaviateError",
    "WeaviateTimeoutError",
    "__version__",
    "classes",
    "generate_uuid5",
    "outputs",
    "telemetry",
]
