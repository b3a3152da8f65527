"""Health checks: ready/live probes with short timeouts and fallbacks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._core import validate as v
from .._core.effects import Sleep, Steps
from .._core.errors import ErrorKind, WeaviateError
from .._core.models import Request, as_response
from .._core.redact import redact_url
from .._core.results import JsonResult
from .operation import Async, M, Namespace, Sync, operation

if TYPE_CHECKING:
    from .._core.async_driver import AsyncPipeline
    from .._core.endpoints import Endpoint
    from .._core.pipeline import Pipeline
    from .._core.sync_driver import SyncPipeline


@dataclass(frozen=True, slots=True)
class EndpointHealth(JsonResult):
    """What one endpoint answered to the probes."""

    url: str
    reachable: bool
    live: bool
    ready: bool
    status_code: int | None
    latency: float | None
    error_kind: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class HealthReport(JsonResult):
    """Per-endpoint results of :meth:`Health.check`."""

    endpoints: tuple[EndpointHealth, ...]

    @property
    def healthy(self) -> bool:
        """True when at least one endpoint is ready."""
        return any(e.ready for e in self.endpoints)


@dataclass(frozen=True, slots=True)
class _Probe:
    ok: bool
    status: int | None
    latency: float | None
    error: WeaviateError | None


class HealthOf(Namespace[M]):
    """``client.health``: liveness and readiness of the server(s).

    Probes try ``/v1/.well-known/{live,ready}`` first, then
    ``/.well-known/…`` when that answers 404, then each of the
    ``fallback_urls`` in order. ``ready()`` and ``live()`` never raise for
    an unreachable server; they return False within ``timeout`` seconds
    per endpoint. Written once as pipeline steps (:mod:`.operation`): on
    ``wt.AsyncClient`` every method returns an awaitable (its waits are
    ``asyncio.sleep``).
    """

    __slots__ = ("_pipeline",)

    def __init__(self, pipeline: SyncPipeline | AsyncPipeline) -> None:
        super().__init__(run=pipeline.run)
        self._pipeline: Pipeline = pipeline

    @operation
    def ready(self, /, timeout: float = 2.0) -> Steps[bool]:
        """True when some endpoint is ready to serve requests."""
        return self._any("ready", timeout)

    @operation
    def live(self, /, timeout: float = 2.0) -> Steps[bool]:
        """True when some endpoint's process is alive (it may still be starting)."""
        return self._any("live", timeout)

    @operation
    def check(self, /, timeout: float = 2.0) -> Steps[HealthReport]:
        """Probe every endpoint (live and ready) and report each one."""
        return self._check(timeout)

    @operation
    def grpc(self, /, timeout: float = 2.0) -> Steps[str | None]:
        """The gRPC server's standard health status (``SERVING``, ``NOT_SERVING`` …).

        ``grpc.health.v1.Health/Check`` on the primary endpoint's gRPC
        address; None when the client has no ``grpc_port``. Raises the mapped
        ``WeaviateError`` (e.g. ``connection_error``) when it cannot be asked.
        """
        return self._grpc(timeout)

    @operation
    def wait_until_ready(self, /, timeout: float = 60.0, interval: float = 0.5) -> Steps[float]:
        """Poll until ready (a startup probe); return seconds waited.

        Raises a ``timeout`` :class:`WeaviateError` carrying the last reason
        when the server is not ready within ``timeout`` seconds.
        """
        return self._wait_steps(timeout, interval)

    def _probe(self, endpoint: Endpoint, which: str, timeout: float) -> Steps[_Probe]:
        last_status: int | None = None
        started = time.monotonic()
        for path in (f"/v1/.well-known/{which}", f"/.well-known/{which}"):
            request = self._pipeline.probe_request(path, f"health.{which}", timeout)
            try:
                response = yield from self._pipeline.call(request, as_response, endpoint)
            except WeaviateError as err:
                return _Probe(False, None, None, err)
            last_status = response.status
            if response.status != 404:
                break
        latency = time.monotonic() - started
        ok = last_status is not None and 200 <= last_status < 300
        return _Probe(ok, last_status, latency, None)

    def _any(self, which: str, timeout: float) -> Steps[bool]:
        _check_timeout(timeout)
        for endpoint in self._pipeline.endpoints:
            if (yield from self._probe(endpoint, which, timeout)).ok:
                return True
        return False

    def _check(self, timeout: float) -> Steps[HealthReport]:
        _check_timeout(timeout)
        results = []
        for ep in self._pipeline.endpoints:
            live = yield from self._probe(ep, "live", timeout)
            ready = (yield from self._probe(ep, "ready", timeout)) if live.error is None else live
            err = live.error or ready.error
            results.append(
                EndpointHealth(
                    url=redact_url(ep.base_url),
                    reachable=err is None,
                    live=live.ok,
                    ready=ready.ok,
                    status_code=ready.status,
                    latency=ready.latency,
                    error_kind=err.kind.value if err else None,
                    error=str(err) if err else None,
                )
            )
        return HealthReport(tuple(results))

    def _grpc(self, timeout: float) -> Steps[str | None]:
        _check_timeout(timeout)
        endpoint = self._pipeline.endpoints[0]
        if endpoint.grpc_target is None:
            return None
        return (yield from self._pipeline.grpc_health(endpoint, timeout))

    def _wait_steps(self, timeout: float, interval: float) -> Steps[float]:
        _check_timeout(timeout)
        _check_timeout(interval, "interval")
        request = Request("GET", "/v1/.well-known/ready", "health.wait_until_ready", decode=False)
        return (yield from self._pipeline.observe(request, self._wait(timeout, interval)))

    def _wait(self, timeout: float, interval: float) -> Steps[float]:
        started = time.monotonic()
        deadline = started + timeout
        reason = "no probe completed"
        while True:
            remaining = deadline - time.monotonic()
            probe_timeout = max(0.05, min(2.0, remaining))
            for ep in self._pipeline.endpoints:
                probe = yield from self._probe(ep, "ready", probe_timeout)
                if probe.ok:
                    return time.monotonic() - started
                reason = (
                    f"{redact_url(ep.base_url)}: {probe.error.kind.value} {probe.error.message}"
                    if probe.error
                    else f"{redact_url(ep.base_url)}: HTTP {probe.status}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WeaviateError.from_kind(
                    ErrorKind.TIMEOUT,
                    f"server not ready after {timeout:g}s; last reason: {reason}",
                    operation="health.wait_until_ready",
                    duration=time.monotonic() - started,
                )
            yield Sleep(min(interval, remaining))


#: ``client.health`` of ``wt.Client``; ``AsyncHealth`` is the same class for ``wt.AsyncClient``.
Health = HealthOf[Sync]
AsyncHealth = HealthOf[Async]


def _check_timeout(value: float, name: str = "timeout") -> None:
    v.seconds(name, value)
