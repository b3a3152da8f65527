"""The :class:`Client`: one validated config, one pool, the API namespaces."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from ._api.batch import Batch
from ._api.collections import Collections
from ._api.health import Health
from ._api.info import Meta, NodeStatus
from ._api.objects import Objects
from ._api.raw import Raw
from ._api.tenants import Tenants
from ._core.config import Config, RequestOptions, _fail
from ._core.errors import ConfigError, ErrorKind, WeaviateError
from ._core.models import Request, Response
from ._core.options import resolve, with_options
from ._core.pipeline import Executor, quote_segment
from ._query.builders import Query


def expect_mapping(response: Response, what: str) -> Mapping[str, Any]:
    """The response body as a JSON object, or a ``protocol_error``."""
    body = response.body
    if not isinstance(body, Mapping):
        raise WeaviateError.from_kind(
            ErrorKind.PROTOCOL_ERROR,
            f"expected a JSON object for {what}, got {type(body).__name__}",
            status_code=response.status,
            details=body,
        )
    return body


class Client:
    """A Weaviate client whose every call is observable.

    Example::

        import weaviate_telemetry as wt

        with wt.Client("http://127.0.0.1:8080") as client:
            client.health.wait_until_ready(timeout=30)
            print(client.meta().version)

    Keywords mirror :class:`Config` fields; pass ``config=`` instead to reuse
    one. ``close()`` releases the connection pool and is idempotent.
    """

    def __init__(
        self, base_url: str | None = None, *, config: Config | None = None, **kwargs: Any
    ) -> None:
        if config is not None:
            if base_url is not None or kwargs:
                raise ConfigError("pass either config= or base_url/keyword fields, not both")
            if not isinstance(config, Config):
                raise _fail("config", config, "a weaviate_telemetry.Config")
        else:
            if base_url is not None:
                kwargs["base_url"] = base_url
            config = Config.build(**kwargs)
        config.warn_if_insecure()
        self._config = config
        self._executor = Executor(config)
        self.health = Health(self._executor)
        """Liveness/readiness probes (:class:`Health`)."""
        self.raw = Raw(self._executor)
        """The raw-request escape hatch (:class:`Raw`)."""
        self.collections = Collections(self.call)
        """Schema: create, inspect, change and drop collections (:class:`Collections`)."""
        self.tenants = Tenants(self.call)
        """Tenants of multi-tenant collections (:class:`Tenants`)."""
        self.objects = Objects(self.call)
        """Single-object CRUD, listing, validation and references (:class:`Objects`)."""
        self.batch = Batch(self.call)
        """Bulk import, bulk references and delete-by-filter (:class:`Batch`)."""
        self.query = Query(self.call)
        """GraphQL ``Get``/``Aggregate`` builders and raw GraphQL (:class:`Query`)."""

    @classmethod
    def from_env(cls, **overrides: Any) -> Client:
        """Build from ``WEAVIATE_URL``, ``WEAVIATE_API_KEY`` and the other ``WEAVIATE_*`` vars."""
        return cls(config=Config.from_env(**overrides))

    @property
    def config(self) -> Config:
        """The validated configuration (secrets hidden in its repr)."""
        return self._config

    def call(self, request: Request, options: RequestOptions | None = None) -> Response:
        """Run a prepared :class:`Request` (used by the API namespaces)."""
        return self._executor.execute(with_options(request, options))

    def meta(self, *, options: RequestOptions | None = None, **overrides: Any) -> Meta:
        """Server version, hostname and modules (``GET /v1/meta``)."""
        response = self.call(Request("GET", "/v1/meta", "meta"), resolve(options, overrides))
        return Meta.from_dict(expect_mapping(response, "meta"))

    def nodes(
        self,
        output: str = "minimal",
        collection: str | None = None,
        *,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> list[NodeStatus]:
        """Cluster nodes and (with ``output="verbose"``) their shards (``GET /v1/nodes``)."""
        if output not in ("minimal", "verbose"):
            raise _fail("output", output, "'minimal' or 'verbose'")
        path, template = "/v1/nodes", "/v1/nodes"
        if collection is not None:
            if not isinstance(collection, str) or not collection:
                raise _fail("collection", collection, "a collection name")
            path, template = f"/v1/nodes/{quote_segment(collection)}", "/v1/nodes/{collection}"
        request = Request(
            "GET",
            path,
            "nodes",
            path_template=template,
            params={"output": output},
            collection=collection,
        )
        body = expect_mapping(self.call(request, resolve(options, overrides)), "nodes")
        nodes = body.get("nodes")
        if not isinstance(nodes, list):
            raise WeaviateError.from_kind(
                ErrorKind.PROTOCOL_ERROR, "nodes answer has no 'nodes' list", details=body
            )
        return [NodeStatus.from_dict(n) for n in nodes if isinstance(n, Mapping)]

    def close(self) -> None:
        """Release pooled connections; later calls raise ``connection_error``. Idempotent."""
        self._executor.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._executor.closed

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
