"""The :class:`AsyncClient`: the client for asyncio services, on the sync client's pipeline.

Every request is built and every answer parsed by the same code as for
:class:`~weaviate_telemetry.Client`; the calls run on the async driver
(:mod:`._core.async_driver`: aiohttp, ``grpc.aio``, ``asyncio.sleep``). See
docs/async.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ._api.collections import AsyncCollections
from ._api.health import AsyncHealth
from ._api.info import META_REQUEST, Meta, NodeStatus, nodes_request, parse_meta, parse_nodes
from ._api.raw import AsyncRaw
from ._api.tenants import AsyncTenants
from ._core.async_driver import AsyncPipeline
from ._core.config import Config, RequestOptions
from ._core.models import Request, Response
from ._core.options import resolve, with_options

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._api.client_batch import AsyncClientBatch
    from ._core.config import CallOverrides

T = TypeVar("T")


class AsyncClient:
    """A Weaviate client for asyncio whose every call is observable.

    Example::

        import weaviate_telemetry as wt

        async with wt.AsyncClient("http://127.0.0.1:8080", grpc_port=50051) as client:
            await client.health.wait_until_ready(timeout=30)
            print((await client.meta()).version)

    Keywords mirror :class:`Config` fields, as for :class:`Client`. Make it
    once per process (e.g. in an application's lifespan) and share it across
    tasks; :meth:`close` (awaited) releases its pools and is idempotent.
    """

    def __init__(
        self, base_url: str | None = None, *, config: Config | None = None, **kwargs: Any
    ) -> None:
        config = Config.for_client(base_url, config, kwargs)
        self._config = config
        self._pipeline = AsyncPipeline(config)
        self.health = AsyncHealth(self._pipeline)
        """Liveness/readiness probes, awaited (:class:`AsyncHealth`)."""
        self.raw = AsyncRaw(self._call)
        """The raw-request escape hatch, awaited (:class:`AsyncRaw`)."""
        self.collections = AsyncCollections(
            self._call, self._pipeline, rpc=config.grpc_port is not None, sync=False
        )
        """Collections, awaited: the schema operations and :class:`AsyncCollection` handles
        (``use``/``get``/``create``), the sync client's classes run on this driver
        (docs/async.md, "Collection handles")."""
        self.tenants = AsyncTenants(self._call)
        """Tenants of multi-tenant collections: :class:`Tenants`' methods, awaited."""

    @cached_property
    def batch(self) -> AsyncClientBatch:
        """v4's ``dynamic()`` / ``fixed_size()`` import contexts with the collection per
        object (``async with``; each collection's chunks are tasks, docs/async.md)."""
        from ._api.client_batch import AsyncClientBatch

        return AsyncClientBatch(self.collections.get)

    @classmethod
    def from_env(cls, **overrides: Any) -> AsyncClient:
        """Build from ``WEAVIATE_URL``, ``WEAVIATE_API_KEY`` and the other ``WEAVIATE_*`` vars."""
        return cls(config=Config.from_env(**overrides))

    @property
    def config(self) -> Config:
        """The validated configuration (secrets hidden in its repr)."""
        return self._config

    async def _call(
        self, request: Request, options: RequestOptions | None, parse: Callable[[Response], T]
    ) -> T:
        return await self._pipeline.execute(with_options(request, options), parse)

    async def is_ready(self, timeout: float = 2.0) -> bool:
        """True when the server is ready to serve requests."""
        return await self.health.ready(timeout)

    async def is_live(self, timeout: float = 2.0) -> bool:
        """True when the server process is alive."""
        return await self.health.live(timeout)

    async def meta(self, **overrides: Unpack[CallOverrides]) -> Meta:
        """Server version, hostname and modules (``GET /v1/meta``)."""
        return await self._call(META_REQUEST, resolve(overrides), parse_meta)

    async def nodes(
        self,
        output: str = "minimal",
        collection: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> list[NodeStatus]:
        """Cluster nodes and (with ``output="verbose"``) their shards (``GET /v1/nodes``)."""
        request = nodes_request(output, collection)
        return await self._call(request, resolve(overrides), parse_nodes)

    async def close(self) -> None:
        """Release pooled connections and channels; later calls raise ``connection_error``.

        Idempotent."""
        await self._pipeline.aclose()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._pipeline.closed

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<weaviate_telemetry.AsyncClient {self._config.base_url} ({state})>"
