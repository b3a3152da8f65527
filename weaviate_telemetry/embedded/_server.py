"""A real single-node Weaviate on loopback: free ports, fresh data dir, clean stop."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ._build import WEAVIATE_VERSION, EmbeddedServerError, ensure_weaviate
from ._process import ManagedProcess, free_ports

#: The event prefix of the start-up readiness probes (``Config.telemetry_prefix``): not
#: the application's ``("weaviate",)``, so they stay out of its logs, spans and metrics.
STARTUP_TELEMETRY_PREFIX = ("weaviate_telemetry", "embedded_startup")


@dataclass(frozen=True, slots=True)
class WeaviatePorts:
    """The loopback ports one embedded server listens on."""

    http: int
    grpc: int
    gossip: int
    data: int
    raft: int
    raft_rpc: int
    metrics: int


class EmbeddedWeaviate:
    """A local single-node Weaviate on 127.0.0.1 with free ports and a fresh data dir.

    ``api_keys`` maps key → user and switches anonymous access off;
    ``prometheus=True`` exposes server metrics on ``ports.metrics``;
    ``env`` adds or overrides server environment variables.
    """

    def __init__(
        self,
        version: str = WEAVIATE_VERSION,
        *,
        api_keys: Mapping[str, str] | None = None,
        prometheus: bool = False,
        data_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        self.version = version
        self.api_keys = dict(api_keys or {})
        self.prometheus = prometheus
        self._own_data_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else None
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.ports: WeaviatePorts | None = None
        self._proc: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """The server's base URL (valid after :meth:`start`)."""
        if self.ports is None:
            raise EmbeddedServerError("the embedded server is not started")
        return f"http://127.0.0.1:{self.ports.http}"

    def environment(self) -> dict[str, str]:
        """The environment the server process runs with (docs/testing.md)."""
        assert self.ports is not None and self.data_dir is not None
        p = self.ports
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "PERSISTENCE_DATA_PATH": str(self.data_dir / "data"),
            "DEFAULT_VECTORIZER_MODULE": "none",
            "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "true",
            "CLUSTER_HOSTNAME": "node0",
            "CLUSTER_BIND_ADDR": "127.0.0.1",
            "CLUSTER_ADVERTISE_ADDR": "127.0.0.1",
            "CLUSTER_IN_LOCALHOST": "true",
            "CLUSTER_GOSSIP_BIND_PORT": str(p.gossip),
            "CLUSTER_DATA_BIND_PORT": str(p.data),
            "RAFT_PORT": str(p.raft),
            "RAFT_INTERNAL_RPC_PORT": str(p.raft_rpc),
            "RAFT_JOIN": f"node0:{p.raft}",
            "RAFT_BOOTSTRAP_EXPECT": "1",
            "GRPC_PORT": str(p.grpc),
            "DISABLE_TELEMETRY": "true",
            "GO_PROFILING_DISABLE": "true",
            "LOG_LEVEL": "warning",
        }
        if self.api_keys:
            env.update(
                {
                    "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
                    "AUTHENTICATION_APIKEY_ENABLED": "true",
                    "AUTHENTICATION_APIKEY_ALLOWED_KEYS": ",".join(self.api_keys),
                    "AUTHENTICATION_APIKEY_USERS": ",".join(self.api_keys.values()),
                }
            )
        if self.prometheus:
            env.update(
                {
                    "PROMETHEUS_MONITORING_ENABLED": "true",
                    "PROMETHEUS_MONITORING_PORT": str(p.metrics),
                }
            )
        env.update(self.extra_env)
        return env

    def start(self, wait: bool = True) -> EmbeddedWeaviate:
        """Start the server (building the binary first if needed) and wait until ready."""
        if self._proc is not None and self._proc.alive():
            return self
        binary = ensure_weaviate(self.version)
        if self.data_dir is None or self._own_data_dir:
            self.data_dir = Path(tempfile.mkdtemp(prefix="weaviate-telemetry-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        http, grpc, gossip, data, metrics, raft, raft_rpc = free_ports(7, consecutive_pair=True)
        self.ports = WeaviatePorts(http, grpc, gossip, data, raft, raft_rpc, metrics)
        argv = [str(binary), "--host", "127.0.0.1", "--port", str(http), "--scheme", "http"]
        self._proc = ManagedProcess(
            argv,
            self.environment(),
            self.data_dir / "weaviate.log",
            self.data_dir,
            cleanup=self._remove_data_dir,
        )
        if wait:
            self.wait_until_ready()
        return self

    def wait_until_ready(self, timeout: float | None = None) -> None:
        """Wait until the server is ready; raise with its log when it exits or never gets ready.

        One wait for the whole ``timeout`` (``startup_timeout`` by default): a readiness
        probe every 0.1 s, the process checked before each. The probes are this tooling's
        own: their events go to :data:`STARTUP_TELEMETRY_PREFIX`, which the application's
        handlers do not listen to, so a start adds no log line, span or error count to the
        application's telemetry.
        """
        from .._client import Client

        deadline = time.monotonic() + (timeout or self.startup_timeout)
        api_key = next(iter(self.api_keys), None)
        with Client(self.url, api_key=api_key, telemetry_prefix=STARTUP_TELEMETRY_PREFIX) as client:
            while True:
                if self._proc is None or not self._proc.alive():
                    code = self._proc.process.returncode if self._proc else None
                    tail = self._proc.log_tail() if self._proc else ""
                    raise EmbeddedServerError(f"weaviate-server exited with {code}:\n{tail}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                if client.health.ready(timeout=min(1.0, remaining)):
                    return
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        tail = self._proc.log_tail() if self._proc else ""
        self.stop()
        raise EmbeddedServerError(f"weaviate-server not ready in time; log tail:\n{tail}")

    def client(self, **kwargs: Any) -> Any:
        """A :class:`weaviate_telemetry.Client` for this server (first API key by default).

        The client knows the server's gRPC port (``grpc_port``), so search and
        batch import use gRPC; pass ``grpc_port=None`` for GraphQL/REST only.
        """
        from .._client import Client

        return Client(self.url, **self._client_kwargs(kwargs))

    def async_client(self, **kwargs: Any) -> Any:
        """A :class:`weaviate_telemetry.AsyncClient` for this server, set up as :meth:`client`
        (``async with server.async_client() as client: ...``)."""
        from .._async_client import AsyncClient

        return AsyncClient(self.url, **self._client_kwargs(kwargs))

    def _client_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.api_keys and "api_key" not in kwargs:
            kwargs["api_key"] = next(iter(self.api_keys))
        if self.ports is not None and "grpc_port" not in kwargs:
            kwargs["grpc_port"] = self.ports.grpc
        return kwargs

    @property
    def running(self) -> bool:
        """True while the server process runs."""
        return self._proc is not None and self._proc.alive()

    def _remove_data_dir(self) -> None:
        if self._own_data_dir and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def stop(self) -> None:
        """Stop the server and remove its data dir when it created one. Idempotent.

        Also runs at interpreter exit for servers still running then.
        """
        if self._proc is not None:
            self._proc.stop()

    def __enter__(self) -> EmbeddedWeaviate:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self.ports else "not started"
        return f"<EmbeddedWeaviate {self.version} {where} running={self.running}>"
