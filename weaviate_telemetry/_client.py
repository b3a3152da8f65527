"""The :class:`Client`: one validated config, one pool, the API namespaces."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ._api.collections import Collections
from ._api.health import Health
from ._api.info import META_REQUEST, Meta, NodeStatus, nodes_request, parse_meta, parse_nodes
from ._api.objects import Objects
from ._api.raw import Raw
from ._api.tenants import Tenants
from ._core.config import Config, RequestOptions
from ._core.models import Request, Response
from ._core.options import resolve, with_options
from ._core.sync_driver import SyncPipeline

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._api.client_batch import ClientBatch
    from ._core.config import CallOverrides
    from ._query.builders import Query


T = TypeVar("T")


class Client:
    """A Weaviate client whose every call is observable.

    Example::

        import weaviate_telemetry as wt

        with wt.Client("http://127.0.0.1:8080") as client:
            client.health.wait_until_ready(timeout=30)
            print(client.meta().version)

    Keywords mirror :class:`Config` fields; pass ``config=`` instead to reuse
    one. ``close()`` releases the connection pool and is idempotent.
    Credentials: ``api_key=``, or ``auth=`` with a :class:`Auth` value (API key,
    OIDC client credentials, password or bearer token; docs/authentication.md).
    """

    def __init__(
        self, base_url: str | None = None, *, config: Config | None = None, **kwargs: Any
    ) -> None:
        config = Config.for_client(base_url, config, kwargs)
        self._config = config
        self._pipeline = SyncPipeline(config)
        self.health = Health(self._pipeline)
        """Liveness/readiness probes (:class:`Health`)."""
        self.raw = Raw(self._call)
        """The raw-request escape hatch (:class:`Raw`)."""
        self.collections = Collections(self._call, self._pipeline, rpc=config.grpc_port is not None)
        """Collections: schema, and handles for data and queries (:class:`Collections`)."""
        # The REST/GraphQL namespaces (docs/data-plane.md) the collection handles are made of.
        # The handle (``client.collections.use(name)``) is the documented way to work
        # with data; these stay public for the contract and as lower-level escape hatches.
        self.tenants = Tenants(self._call)
        """Tenants of multi-tenant collections (:class:`Tenants`)."""
        self.objects = Objects(self._call)
        """Single-object CRUD, listing, validation and references (:class:`Objects`)."""

    # The query and batch namespaces are imported when first used, so ``import
    # weaviate_telemetry`` stays light (docs/performance.md).

    @cached_property
    def query(self) -> Query:
        """Raw GraphQL and the ``Get``/``Aggregate`` builders under the handles (:class:`Query`)."""
        from ._query.builders import Query

        return Query(self._call, rpc=self._config.grpc_port is not None)

    @cached_property
    def batch(self) -> ClientBatch:
        """Bulk import, bulk references and delete-by-filter (:class:`Batch`), and v4's
        ``dynamic()`` / ``fixed_size()`` import contexts with the collection per object."""
        from ._api.client_batch import ClientBatch

        pipeline = self._pipeline
        return ClientBatch(
            self._call,
            rpc=self._config.grpc_port is not None,
            handle=self.collections.get,
            streams=pipeline,
            # chunks are pipeline steps, run on this client's driver (as on AsyncClient)
            send=lambda request, options, parse: pipeline.call(
                with_options(request, options), parse
            ),
            run=pipeline.run,
        )

    def is_ready(self, timeout: float = 2.0) -> bool:
        """True when the server is ready to serve requests (v4's name for ``health.ready``)."""
        return self.health.ready(timeout)

    def is_live(self, timeout: float = 2.0) -> bool:
        """True when the server process is alive (v4's name for ``health.live``)."""
        return self.health.live(timeout)

    @classmethod
    def from_env(cls, **overrides: Any) -> Client:
        """Build from ``WEAVIATE_URL``, ``WEAVIATE_API_KEY`` and the other ``WEAVIATE_*`` vars."""
        return cls(config=Config.from_env(**overrides))

    @property
    def config(self) -> Config:
        """The validated configuration (secrets hidden in its repr)."""
        return self._config

    def _call(
        self, request: Request, options: RequestOptions | None, parse: Callable[[Response], T]
    ) -> T:
        """Run a namespace's request with the caller's per-call options (a :class:`Call`)."""
        return self._pipeline.execute(with_options(request, options), parse)

    def meta(self, **overrides: Unpack[CallOverrides]) -> Meta:
        """Server version, hostname and modules (``GET /v1/meta``)."""
        return self._call(META_REQUEST, resolve(overrides), parse_meta)

    def nodes(
        self,
        output: str = "minimal",
        collection: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> list[NodeStatus]:
        """Cluster nodes and (with ``output="verbose"``) their shards (``GET /v1/nodes``)."""
        request = nodes_request(output, collection)
        return self._call(request, resolve(overrides), parse_nodes)

    def close(self) -> None:
        """Release pooled connections; later calls raise ``connection_error``. Idempotent."""
        self._pipeline.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._pipeline.closed

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<weaviate_telemetry.Client {self._config.base_url} ({state})>"
