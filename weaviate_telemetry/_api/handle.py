"""What every part of a collection handle shares: the call, the names, the schema cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .._core import fork
from .._core.config import RequestOptions
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
        config = self.call(request, options, collection_config)
        self.schemas.put(config)
        return config

    def config(self, options: RequestOptions | None) -> CollectionConfig:
        """The cached definition, read once when missing."""
        cached = self.schemas.peek(self.name)
        return cached if cached is not None else self.fetch_config(options)
