"""What every part of a collection handle shares: the call, the names, the schema cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .._core import fork
from .._core.config import RequestOptions
from .._core.effects import Steps
from .._core.errors import COLLECTION_HINT, ErrorKind, NotFoundError, WeaviateError
from .._core.models import Call, Request, Response, evolve, quote_segment
from .._core.options import with_options
from .operation import Plan
from .schema import CollectionConfig, collection_config

if TYPE_CHECKING:
    from .._core.pipeline import Pipeline
    from .._core.sync_driver import SyncPipeline

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
    """The collection a handle points at, with its tenant and consistency level.

    A handle's method is written once as pipeline steps (:meth:`send` yields
    one call's effects); ``run`` is the client's driver, so the same method
    returns its result on ``wt.Client`` and an awaitable of it on
    ``wt.AsyncClient`` (docs/async.md).
    """

    pipeline: Pipeline = field(repr=False)
    run: Callable[[Steps[Any]], Any] = field(repr=False)
    name: str
    schemas: SchemaCache = field(repr=False, compare=False)
    tenant: str | None = None
    consistency_level: str | None = None
    # The client knows a gRPC port: searches and batch imports take the fast path.
    rpc: bool = False
    # The sync client's call (batch.stream(), which runs on a thread); None on AsyncClient.
    call: Call | None = field(default=None, repr=False)

    @property
    def streams(self) -> SyncPipeline | None:
        """The sync client's pipeline, which opens BatchStream streams (``batch.stream()``);
        None on AsyncClient."""
        return cast("SyncPipeline", self.pipeline) if self.call is not None else None

    def send(
        self, request: Request, options: RequestOptions | None, parse: Callable[[Response], T]
    ) -> Steps[T]:
        """The steps of one call: ``request`` with the caller's options, answer ``parse``d."""
        return self.pipeline.call(with_options(request, options), parse)

    def plan_of(self, operation: str, build: Callable[[Call], object]) -> Plan[Any]:
        """The one call that ``build`` makes through a lower-layer namespace (``Objects``,
        ``Tenants``, ``Batch``), captured as a :class:`Plan` named ``collection.<operation>``
        instead of being sent, so the handle's steps can send it on either driver."""
        plans: list[Plan[Any]] = []

        def capture(
            request: Request, options: RequestOptions | None, parse: Callable[[Response], Any]
        ) -> Any:
            plans.append(Plan(evolve(request, operation="collection." + operation), options, parse))
            return _CAPTURED

        build(capture)
        if len(plans) != 1:  # pragma: no cover - a namespace method is one call
            raise AssertionError(f"{operation}: expected one call, got {len(plans)}")
        return plans[0]

    def send_plan(self, plan: Plan[T]) -> Steps[T]:
        """The steps of a captured plan (:meth:`plan_of`)."""
        return self.send(plan.request, plan.options, plan.parse)

    def op(self, operation: str) -> Call:
        """The sync call, with requests named ``collection.<operation>`` (``batch.stream()``,
        whose ``BatchStream`` runs on a thread of the sync client)."""
        if self.call is None:
            raise WeaviateError.from_kind(
                ErrorKind.VALIDATION_ERROR,
                f"collection.{operation} is on wt.Client only; on wt.AsyncClient use "
                "batch.dynamic() / fixed_size() (docs/async.md)",
                operation="collection." + operation,
            )
        return named(self.call, "collection." + operation)

    def fetch_config(
        self, options: RequestOptions | None, operation: str = "collection.config.get"
    ) -> Steps[CollectionConfig]:
        """Read the definition from the server (refreshing the cache); absent: ``not_found``."""
        request = Request(
            "GET",
            f"/v1/schema/{quote_segment(self.name)}",
            operation,
            path_template="/v1/schema/{collection}",
            collection=self.name,
        )
        try:
            config = yield from self.send(request, options, collection_config)
        except NotFoundError as err:
            raise missing_collection(self.name, err, operation) from err
        self.schemas.put(config)
        return config

    def config(
        self, options: RequestOptions | None, operation: str | None = None
    ) -> Steps[CollectionConfig]:
        """The cached definition, read once when missing. A collection that does not exist
        is ``not_found`` naming it and ``operation``, the call that needed it."""
        cached = self.schemas.peek(self.name)
        if cached is not None:
            return cached
        try:
            return (yield from self.fetch_config(options))
        except NotFoundError as err:
            if operation is None:
                raise
            raise missing_collection(self.name, err, operation) from err.__cause__

    def but(self, **changes: Any) -> HandleContext:
        """This context with other ``tenant`` / ``consistency_level``."""
        return replace(self, **changes)


_CAPTURED: Any = object()


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
