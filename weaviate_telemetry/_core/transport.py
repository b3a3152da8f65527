"""The only module that knows urllib3: send one HTTP attempt, map its failures.

It knows nothing about telemetry, retries or the Weaviate API; it turns
urllib3's exceptions into :class:`WeaviateError` kinds and hands back
status, headers and bytes.
"""

from __future__ import annotations

import contextlib
import os
import socket
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
from .models import RawResponse

__all__ = ["PoolUse", "RawResponse", "Urllib3Transport", "map_exception", "split_origin"]


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


class _Watch:
    """One exchange under the watchdog: its deadline and (once taken) its connection."""

    __slots__ = ("conn", "deadline", "fired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.conn: Any = None
        self.fired = False


class _Watchdog:
    """Ends exchanges that outlive their call's deadline, whatever phase they are in.

    Socket timeouts bound each read, not an exchange: headers or a body
    trickling one byte a second never trip them. One daemon thread per
    process (started on first use, again in a forked child) shuts down the
    socket of any exchange past its deadline, so the blocked read returns and
    the attempt fails as ``timeout``. Registering costs a dict insert; the
    thread sleeps while nothing is watched and otherwise wakes every
    ``_TICK`` seconds, so a deadline is enforced within that much.
    """

    _TICK = 0.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[int, _Watch] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def watch(self, deadline: float, pid: int) -> _Watch:
        if pid != self._pid:  # forked without Python's at-fork hooks: no thread here
            self.reset()
        entry = _Watch(deadline)
        with self._lock:
            idle = not self._active  # only then may the thread be asleep
            self._active[id(entry)] = entry
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="weaviate-telemetry-deadlines", daemon=True
                )
                self._thread.start()
        if idle:
            self._wake.set()
        return entry

    def done(self, entry: _Watch) -> None:
        with self._lock:
            self._active.pop(id(entry), None)

    def _run(self) -> None:
        while True:
            if not self._active:
                self._wake.clear()
                if not self._active:
                    self._wake.wait()
            time.sleep(self._TICK)
            now = time.monotonic()
            with self._lock:
                expired = [e for e in self._active.values() if e.deadline <= now]
                for entry in expired:
                    del self._active[id(entry)]
                    entry.fired = True
                    sock = getattr(entry.conn, "sock", None)
                    if sock is not None:
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)

    def reset(self) -> None:
        """In a forked child: no thread runs yet, nothing is watched."""
        self._lock = threading.Lock()
        self._active = {}
        self._wake = threading.Event()
        self._thread = None
        self._pid = os.getpid()


_watchdog = _Watchdog()
fork.after_fork_in_child(_watchdog.reset)

#: Bytes read per step of a streamed body (the cap is checked between steps).
_CHUNK = 1 << 20


def _timed(base: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """A pool class that times this thread's wait for a connection (and hands the
    connection to the watchdog entry of this thread's exchange)."""

    class TimedPool(base):  # type: ignore[valid-type,misc]
        def _get_conn(self, timeout: float | None = None) -> Any:
            started = time.monotonic()
            try:
                conn = super()._get_conn(timeout)
            finally:
                _attempt_state.pool_wait = time.monotonic() - started
            entry = getattr(_attempt_state, "watch", None)
            if entry is not None:
                entry.conn = conn
            return conn

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


def _discard(resp: Any) -> None:
    """Close the connection of an exchange that did not complete, and give its pool
    slot back: a half-read answer must never be read by the next call."""
    if resp is None:
        return  # urlopen failed: urllib3 closed the connection and released the slot
    try:
        resp.close()
    finally:
        resp.release_conn()


def _past_deadline(cause: BaseException | None) -> WeaviateError:
    err = WeaviateError.from_kind(
        ErrorKind.TIMEOUT, "the call's total deadline passed while the answer was arriving"
    )
    err.__cause__ = cause
    return err


def declared_length(headers: Mapping[str, str], status: int, cap: int) -> int | None:
    """The body length an answer announces (None: read to the end), after refusing an
    encoded body (the SDK asks for ``identity``) or one announced past ``cap``."""
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise WeaviateError.from_kind(
            ErrorKind.PROTOCOL_ERROR,
            f"the server sent Content-Encoding: {encoding[:40]!r}, which the SDK did not ask "
            "for (it sends Accept-Encoding: identity); the body was not read",
            status_code=status,
        )
    declared = headers.get("content-length", "")
    if not declared.isdigit():
        return None
    length = int(declared)
    if length > cap:
        raise too_large(cap, status, f"it announced {length} bytes")
    return length


def too_large(cap: int, status: int, how: str) -> WeaviateError:
    return WeaviateError.from_kind(
        ErrorKind.PROTOCOL_ERROR,
        f"the response is larger than max_response_bytes={cap} ({how}); the connection was closed",
        status_code=status,
    )


class Urllib3Transport:
    """One pool manager per client: bounded, blocking pools, no urllib3 retries.

    Each origin's connection pool is looked up once and kept: a request goes
    straight to its pool's ``urlopen``, skipping the pool manager's URL parsing
    and pool-key building on every call (about 6 % of a loopback call).

    The pools belong to the process that made them: in a forked child they are
    dropped and rebuilt on first use (:mod:`.fork`), so a child never reads an
    answer from a socket its parent is using.
    """

    __slots__ = (
        "__weakref__",
        "_by_origin",
        "_default_timeout",
        "_kwargs",
        "_max_bytes",
        "_pid",
        "_pool",
    )

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
        self._max_bytes = config.max_response_bytes
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
        deadline: float | None = None,
    ) -> RawResponse:
        """Send one attempt; raise a WeaviateError (cause set) on any failure.

        ``connect``/``read`` override the configured timeouts for this attempt
        (the pipeline caps them by the call's remaining time); None keeps them.
        ``deadline`` (a ``time.monotonic()`` value) bounds the whole exchange,
        slow headers and slow bodies included. The body is read in steps and
        refused past ``max_response_bytes``; it is returned as sent (no content
        decoding: the SDK asks for ``identity``). A connection whose exchange
        did not complete is closed, never reused.
        """
        timeout = (
            self._default_timeout
            if connect is None and read is None
            else urllib3.Timeout(connect=connect, read=read)
        )
        origin, target = split_origin(url)
        if self._pid != os.getpid():  # forked without Python's at-fork hooks
            self._new_pools()
        entry = None if deadline is None else _watchdog.watch(deadline, self._pid)
        _attempt_state.watch = entry
        resp: Any = None
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
                preload_content=False,
                decode_content=False,
            )
            data = self._read_body(resp)
        except WeaviateError:
            _discard(resp)
            raise
        except BaseException as exc:
            _discard(resp)
            if entry is not None and entry.fired:
                raise _past_deadline(exc) from exc
            if isinstance(exc, Exception):
                raise map_exception(exc) from exc
            raise
        finally:
            _attempt_state.watch = None
            if entry is not None:
                _watchdog.done(entry)
        if entry is not None and entry.fired:  # the body may look complete when cut short
            _discard(resp)
            raise _past_deadline(None)
        resp.release_conn()
        return RawResponse(resp.status, resp.headers, data)

    def _read_body(self, resp: Any) -> bytes:
        """The whole body, read in steps, refused past ``max_response_bytes``."""
        cap = self._max_bytes
        length = declared_length(resp.headers, resp.status, cap)
        if length is not None:
            # One read into one buffer (no copy to join); a body cut short raises
            # urllib3's IncompleteRead, a trickling one is ended by the watchdog.
            return resp.read(length) if length else b""
        parts: list[bytes] = []
        size = 0
        while True:
            part = resp.read(min(_CHUNK, cap + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
            if size > cap:
                raise too_large(cap, resp.status, "the body went on past it")
            if resp.length_remaining == 0:
                break
        return parts[0] if len(parts) == 1 else b"".join(parts)

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
