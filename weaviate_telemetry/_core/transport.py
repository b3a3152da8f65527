"""The only module that knows urllib3: send one HTTP attempt, map its failures.

It knows nothing about telemetry, retries or the Weaviate API; it turns
urllib3's exceptions into :class:`WeaviateError` kinds and hands back
status, headers and bytes.
"""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3 import exceptions as u3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import fork
from .config import Config
from .errors import ErrorKind, WeaviateError


@dataclass(frozen=True, slots=True)
class RawResponse:
    """Bytes as received, before decoding."""

    status: int
    headers: Mapping[str, str]
    data: bytes


def _failure(kind: ErrorKind, message: str, cause: BaseException) -> WeaviateError:
    err = WeaviateError.from_kind(kind, message)
    err.__cause__ = cause
    return err


def map_exception(exc: BaseException) -> WeaviateError:
    """Classify a urllib3/socket/ssl exception as one of our error kinds."""
    # Order matters: in urllib3 2.x NewConnectionError subclasses ConnectTimeoutError.
    if isinstance(exc, u3.NameResolutionError):
        err = _failure(ErrorKind.CONNECTION_ERROR, "name resolution failed", exc)
        err.request_sent = False
        return err
    if isinstance(exc, u3.NewConnectionError):
        reason = str(exc).rsplit(":", 1)[-1].strip() or "connection failed"
        err = _failure(ErrorKind.CONNECTION_ERROR, f"cannot connect: {reason}", exc)
        err.request_sent = False  # refused before any byte left: safe to repeat
        return err
    if isinstance(exc, u3.ConnectTimeoutError):
        return _failure(ErrorKind.TIMEOUT, "connect timed out", exc)
    if isinstance(exc, u3.ReadTimeoutError):
        return _failure(ErrorKind.TIMEOUT, "read timed out", exc)
    if isinstance(exc, u3.EmptyPoolError):
        return _failure(ErrorKind.TIMEOUT, "timed out waiting for a free pooled connection", exc)
    if isinstance(exc, u3.ClosedPoolError):
        return _failure(ErrorKind.CONNECTION_ERROR, "the connection pool is closed", exc)
    if isinstance(exc, (u3.SSLError, ssl.SSLError)):
        return _failure(ErrorKind.CONNECTION_ERROR, f"TLS failure: {exc}", exc)
    if isinstance(exc, u3.TimeoutError | TimeoutError):
        return _failure(ErrorKind.TIMEOUT, "timed out", exc)
    if isinstance(exc, u3.ProtocolError):
        detail = exc.args[0] if exc.args else "connection broken"
        return _failure(ErrorKind.CONNECTION_ERROR, f"connection broken: {detail}", exc)
    if isinstance(exc, (u3.HTTPError, OSError)):
        return _failure(ErrorKind.CONNECTION_ERROR, f"{type(exc).__name__}: {exc}", exc)
    return _failure(ErrorKind.PROTOCOL_ERROR, f"{type(exc).__name__}: {exc}", exc)


_attempt_state = threading.local()


def _timed(base: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """A pool class that times this thread's wait for a connection."""

    class TimedPool(base):  # type: ignore[valid-type,misc]
        def _get_conn(self, timeout: float | None = None) -> Any:
            started = time.monotonic()
            try:
                return super()._get_conn(timeout)
            finally:
                _attempt_state.pool_wait = time.monotonic() - started

    TimedPool.__name__ = TimedPool.__qualname__ = f"Timed{base.__name__}"
    return TimedPool


_POOL_CLASSES = {"http": _timed(HTTPConnectionPool), "https": _timed(HTTPSConnectionPool)}


def _release_queue_lock(pool: HTTPConnectionPool) -> None:
    """Unlock an inherited pool's queue: its finalizer takes the lock to close the sockets.

    Another thread of the parent may have held it at the moment of the fork;
    in the child nobody would ever release it.
    """
    if pool.pool is not None:
        fork.release_in_child(pool.pool.mutex)  # its conditions share this lock


@dataclass(frozen=True, slots=True)
class PoolUse:
    """One host's connection pool at a moment: connections idle, in use, and the cap."""

    server_address: str
    server_port: int
    idle: int
    in_use: int
    max: int


def split_origin(url: str) -> tuple[str, str]:
    """``("http://host:port", "/path?query")`` of an absolute URL, without parsing it all."""
    start = url.find("//") + 2
    cut = url.find("/", start)
    if cut < 0:
        return url, "/"
    return url[:cut], url[cut:]


class Urllib3Transport:
    """One pool manager per client: bounded, blocking pools, no urllib3 retries.

    Each origin's connection pool is looked up once and kept: a request goes
    straight to its pool's ``urlopen``, skipping the pool manager's URL parsing
    and pool-key building on every call (about 6 % of a loopback call).

    The pools belong to the process that made them: in a forked child they are
    dropped and rebuilt on first use (:mod:`.fork`), so a child never reads an
    answer from a socket its parent is using.
    """

    __slots__ = ("__weakref__", "_by_origin", "_default_timeout", "_kwargs", "_pid", "_pool")

    def __init__(self, config: Config) -> None:
        kwargs: dict[str, Any] = {
            "num_pools": max(10, len(config.all_urls) * 2),
            "maxsize": config.pool_maxsize,
            # Block (up to the pool timeout) instead of opening throw-away
            # connections: no "Connection pool is full" warnings, bounded sockets.
            "block": True,
            "retries": False,
            "timeout": urllib3.Timeout(connect=config.timeouts.connect, read=config.timeouts.read),
        }
        if any(u.startswith("https:") for u in config.all_urls):
            kwargs["cert_reqs"] = "CERT_REQUIRED" if config.verify_tls else "CERT_NONE"
            if config.ca_certs:
                kwargs["ca_certs"] = config.ca_certs
        self._kwargs = kwargs
        self._default_timeout = kwargs["timeout"]
        self._pid = 0
        self._pool: urllib3.PoolManager
        # origin -> its pool. The pool manager holds at least ten pools and a client
        # has a handful of origins, so a pool kept here is never evicted and closed.
        self._by_origin: dict[str, HTTPConnectionPool] = {}
        self._new_pools()
        fork.after_fork_in_child(self._new_pools)

    def _new_pools(self) -> None:
        """Start with no connections, owned by this process (at start and after a fork).

        The old pools are dropped, not closed: when garbage-collected they close
        this process's copies of the sockets, which leaves the parent's
        connections open and untouched.
        """
        for pool in self._by_origin.values():
            _release_queue_lock(pool)
        self._pool = urllib3.PoolManager(**self._kwargs)
        self._pool.pool_classes_by_scheme = _POOL_CLASSES
        self._by_origin = {}
        self._pid = os.getpid()

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        connect: float | None = None,
        read: float | None = None,
        pool_timeout: float | None = None,
    ) -> RawResponse:
        """Send one attempt; raise a WeaviateError (cause set) on any failure.

        ``connect``/``read`` override the configured timeouts for this attempt
        (the pipeline caps them by the call's remaining time); None keeps them.
        """
        timeout = (
            self._default_timeout
            if connect is None and read is None
            else urllib3.Timeout(connect=connect, read=read)
        )
        origin, target = split_origin(url)
        if self._pid != os.getpid():  # forked without Python's at-fork hooks
            self._new_pools()
        try:
            pool = self._by_origin.get(origin)
            if pool is None:
                pool = self._by_origin[origin] = self._pool.connection_from_url(origin)
            resp = pool.urlopen(
                method,
                target,
                body=body,
                headers=headers,
                timeout=timeout,
                pool_timeout=pool_timeout,  # type: ignore[arg-type]  # typed int, takes float
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=True,
            )
        except Exception as exc:
            raise map_exception(exc) from exc
        return RawResponse(resp.status, resp.headers, resp.data)

    @staticmethod
    def last_pool_wait() -> float:
        """Seconds this thread's last attempt waited for a pooled connection."""
        return float(getattr(_attempt_state, "pool_wait", 0.0))

    def pool_use(self) -> list[PoolUse]:
        """Connections per host right now (for the connection-pool gauges)."""
        out = []
        for key in list(self._pool.pools.keys()):
            pool = self._pool.pools.get(key)
            if pool is None or pool.pool is None:
                continue
            # The queue starts with maxsize placeholders: whatever is not in it is in use.
            queued = list(pool.pool.queue)
            idle = sum(1 for conn in queued if conn is not None)
            size = int(pool.pool.maxsize)
            out.append(
                PoolUse(pool.host, int(pool.port or 0), idle, max(0, size - len(queued)), size)
            )
        return out

    def close(self) -> None:
        """Close every pooled connection."""
        self._by_origin.clear()
        self._pool.clear()
