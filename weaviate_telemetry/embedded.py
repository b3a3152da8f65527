"""Run a real Weaviate server locally, from Python, for development and tests.

The server binary is built once with ``go install`` into a cache keyed by
version (``~/.cache/weaviate-telemetry/bin/weaviate-<version>/``, or
``$WEAVIATE_TELEMETRY_CACHE``) and reused afterwards. Each server gets
free loopback ports and a fresh data directory, and is stopped cleanly:
by :meth:`EmbeddedWeaviate.stop`, at interpreter exit, and — on Linux —
by the kernel if the Python process dies.

Example::

    from weaviate_telemetry.embedded import EmbeddedWeaviate

    with EmbeddedWeaviate() as server:
        client = server.client()
        print(client.meta().version)
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ._errors import WeaviateConnectionError

#: The Weaviate release the SDK is tested against; the single place it is pinned.
WEAVIATE_VERSION = "v1.39.0"
WEAVIATE_MODULE = "github.com/weaviate/weaviate/cmd/weaviate-server"


class EmbeddedServerError(WeaviateConnectionError):
    """A local server could not be built or started; the message says what is missing."""

    def __init__(self, message: str, **fields: Any) -> None:
        fields.setdefault("hint", "")  # the message already says what to do
        super().__init__(message, **fields)


def cache_dir() -> Path:
    """Where built binaries are kept (outside any repository)."""
    root = os.environ.get("WEAVIATE_TELEMETRY_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "weaviate-telemetry"


@contextlib.contextmanager
def _build_lock(name: str) -> Iterator[None]:
    lock_path = cache_dir() / "locks" / f"{name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def go_install(
    module: str, version: str, binary: str, key: str, env: Mapping[str, str] | None = None
) -> Path:
    """``go install module@version`` into ``cache/bin/<key>/``; returns the binary path.

    Reuses the cached binary when present; builds into a temporary folder
    and renames it so an interrupted build never leaves a broken binary.
    """
    target_dir = cache_dir() / "bin" / key
    target = target_dir / binary
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None:
        raise EmbeddedServerError(
            f"no cached {binary} at {target} and no Go toolchain on PATH to build it; "
            f"install Go (https://go.dev/dl) or place a {binary} binary there"
        )
    with _build_lock(key):
        if target.exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=cache_dir()))
        try:
            build_env = {**os.environ, "CGO_ENABLED": "0", "GOBIN": str(staging), **(env or {})}
            log = cache_dir() / "logs" / f"{key}-build.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "wb") as out:
                proc = subprocess.run(
                    [go, "install", f"{module}@{version}"],
                    env=build_env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=staging,
                    check=False,
                )
            if proc.returncode != 0 or not (staging / binary).exists():
                tail = log.read_text(errors="replace")[-2000:]
                raise EmbeddedServerError(
                    f"go install {module}@{version} failed (exit {proc.returncode}); "
                    f"log {log}:\n{tail}"
                )
            target_dir.mkdir(parents=True, exist_ok=True)
            os.replace(staging / binary, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def ensure_weaviate(version: str = WEAVIATE_VERSION) -> Path:
    """Path to a ``weaviate-server`` binary of ``version``, building it if needed.

    ``$WEAVIATE_SERVER_BINARY`` points at a binary to use instead.
    """
    explicit = os.environ.get("WEAVIATE_SERVER_BINARY")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise EmbeddedServerError(f"WEAVIATE_SERVER_BINARY={explicit} is not an executable")
        return Path(explicit)
    return go_install(WEAVIATE_MODULE, version, "weaviate-server", f"weaviate-{version}")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_ports(count: int, host: str = "127.0.0.1", consecutive_pair: bool = False) -> list[int]:
    """``count`` distinct free ports; with ``consecutive_pair`` the last two are p, p+1."""
    held: list[socket.socket] = []
    try:
        ports: list[int] = []
        while len(ports) < count - (2 if consecutive_pair else 0):
            sock = socket.socket()
            sock.bind((host, 0))
            held.append(sock)
            ports.append(sock.getsockname()[1])
        while consecutive_pair:
            first = socket.socket()
            first.bind((host, 0))
            port = first.getsockname()[1]
            second = socket.socket()
            try:
                second.bind((host, port + 1))
            except OSError:
                first.close()
                second.close()
                continue
            held += [first, second]
            ports += [port, port + 1]
            break
        return ports
    finally:
        for sock in held:
            sock.close()


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    os.setsid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_running: set[ManagedProcess] = set()
_running_lock = threading.Lock()


class ManagedProcess:
    """A child server process in its own session, stopped with its whole group."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        log_path: Path,
        cwd: Path,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self.log_path = log_path
        self._cleanup = cleanup
        self._log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            argv,
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            preexec_fn=_die_with_parent,
        )
        with _running_lock:
            _running.add(self)

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None

    def log_tail(self, size: int = 3000) -> str:
        """The end of the process's output, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the group, SIGKILL after ``grace`` seconds, then run ``cleanup``. Idempotent."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()
        with _running_lock:
            _running.discard(self)
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None


@atexit.register
def _stop_all() -> None:
    for proc in list(_running):
        proc.stop(grace=5.0)


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
        """The environment the server process runs with (SPEC §10)."""
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
        """Poll readiness; raise with the server's log when it exits or never gets ready."""
        from ._client import Client
        from ._errors import WeaviateError

        deadline = time.monotonic() + (timeout or self.startup_timeout)
        with Client(self.url, api_key=next(iter(self.api_keys), None)) as client:
            while time.monotonic() < deadline:
                if self._proc is None or not self._proc.alive():
                    code = self._proc.process.returncode if self._proc else None
                    tail = self._proc.log_tail() if self._proc else ""
                    raise EmbeddedServerError(f"weaviate-server exited with {code}:\n{tail}")
                try:
                    client.health.wait_until_ready(timeout=1.0, interval=0.1)
                    return
                except WeaviateError:
                    continue
        tail = self._proc.log_tail() if self._proc else ""
        self.stop()
        raise EmbeddedServerError(f"weaviate-server not ready in time; log tail:\n{tail}")

    def client(self, **kwargs: Any) -> Any:
        """A :class:`weaviate_telemetry.Client` for this server (first API key by default)."""
        from ._client import Client

        if self.api_keys and "api_key" not in kwargs:
            kwargs["api_key"] = next(iter(self.api_keys))
        return Client(self.url, **kwargs)

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


def main(argv: list[str] | None = None) -> int:
    """``python -m weaviate_telemetry.embedded [--api-key KEY] [--build-only]``.

    Runs a local server until Ctrl-C, or only builds the cached binary.
    """
    import argparse

    parser = argparse.ArgumentParser(description="Run a local Weaviate on 127.0.0.1")
    parser.add_argument("--version", default=WEAVIATE_VERSION)
    parser.add_argument("--api-key", action="append", default=[])
    parser.add_argument(
        "--build-only", action="store_true", help="build/cache the binary, print its path, exit"
    )
    args = parser.parse_args(argv)
    if args.build_only:
        print(ensure_weaviate(args.version), flush=True)
        return 0
    keys = {k: f"user{i}" for i, k in enumerate(args.api_key)}
    with EmbeddedWeaviate(args.version, api_keys=keys) as server:
        print(f"Weaviate {args.version} ready at {server.url} (data {server.data_dir})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while server.running:
                time.sleep(0.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
