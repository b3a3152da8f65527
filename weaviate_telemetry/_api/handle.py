"""What every part of a collection handle shares: the call, the names, the schema cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .._core import fork
from .._core.config import RequestOptions
from .._core.errors import COLLECTION_HINT, NotFoundError, WeaviateError
from .._core.models import Call, Request, Response, evolve, quote_segment
from .schema import CollectionConfig, collection_config

T = TypeVar("T")


class SchemaCache:
    """Definitions the handles have read, by collection name (shared by one client).

    A GraphQL query must name the properties and named vectors it returns,
    so a handle reads its collection's definition once, the first time a
    query needs it. Schema calls made through ``client.collections`` or
    ``collection.config`` drop the entry; after changing the schema from
    another process, call ``collection.config.get()`` to refresh it.
    """

    def __init__(self) -> None:
        self._lock = fork.lock()
        self._configs: dict[str, CollectionConfig] = {}

    def peek(self, name: str) -> CollectionConfig | None:
        with self._lock:
            return self._configs.get(name)

    def put(self, config: CollectionConfig) -> None:
        with self._lock:
            self._configs[config.name] = config

    def forget(self, name: str) -> None:
        with self._lock:
            self._configs.pop(name, None)


def named(call: Call, operation: str) -> Call:
    """``call`` with every request renamed to ``operation`` (its telemetry name)."""

    def run(request: Request, options: RequestOptions | None, parse: Callable[[Response], T]) -> T:
        return call(evolve(request, operation=operation), options, parse)

    return run


@dataclass(frozen=True, slots=True)
class HandleContext:
    """The collection a handle points at, with its tenant and consistency level."""

    call: Call = field(repr=False)
    name: str
    schemas: SchemaCache = field(repr=False, compare=False)
    tenant: str | None = None
    consistency_level: str | None = None
    # The client knows a gRPC port: searches and batch imports take the fast path.
    rpc: bool = False
    # The client's pipeline, which opens BatchStream streams (batch.stream()).
    streams: Any = field(default=None, repr=False, compare=False)

    def op(self, operation: str) -> Call:
        """The call, with requests named ``collection.<operation>``."""
        return named(self.call, "collection." + operation)

    def fetch_config(
        self, options: RequestOptions | None, operation: str = "collection.config.get"
    ) -> CollectionConfig:
        """Read the definition from the server (refreshing the cache); absent: ``not_found``."""
        request = Request(
            "GET",
            f"/v1/schema/{quote_segment(self.name)}",
            operation,
            path_template="/v1/schema/{collection}",
            collection=self.name,
        )
        try:
            config = self.call(request, options, collection_config)
        except NotFoundError as err:
            raise missing_collection(self.name, err, operation) from err
        self.schemas.put(config)
        return config

    def config(
        self, options: RequestOptions | None, operation: str | None = None
    ) -> CollectionConfig:
        """The cached definition, read once when missing. A collection that does not exist
        is ``not_found`` naming it and ``operation``, the call that needed it."""
        cached = self.schemas.peek(self.name)
        if cached is not None:
            return cached
        try:
            return self.fetch_config(options)
        except NotFoundError as err:
            if operation is None:
                raise
            raise missing_collection(self.name, err, operation) from err.__cause__


def missing_collection(name: str, err: WeaviateError, operation: str) -> NotFoundError:
    """The caller named a collection that does not exist, in ``operation``."""
    return NotFoundError(
        f"collection {name!r} does not exist (in {operation})",
        status_code=err.status_code,
        details=err.details,
        method=err.method,
        path=err.path,
        url=err.url,
        operation=operation,
        attempts=err.attempts,
        errors=err.errors,
        request_id=err.request_id,
        duration=err.duration,
        hint=COLLECTION_HINT,
    )
