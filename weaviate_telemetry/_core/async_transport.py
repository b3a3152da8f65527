"""The only module that knows aiohttp: send one HTTP attempt from asyncio, map its failures.

The async twin of :mod:`.transport` in what it guarantees, not in code: one
connection pool per origin (aiohttp's connector, ``limit_per_host`` =
``pool_maxsize``), no retries or redirects of its own, the call's deadline
over the whole exchange (aiohttp's ``total`` timeout runs until the body is
read), the body refused past ``max_response_bytes``, no content decoding
(it asks for ``identity``), and the same error kinds as the sync transport
for the same failure. A connection whose exchange did not complete (a
failure, a cancelled task) is closed, never reused. The time an attempt waits
for a free connection of a full pool is measured (aiohttp's
``on_connection_queued_start/end``), for the same
``db.client.connection.wait_time`` as the sync pools.

aiohttp was measured against httpx for this (docs/async.md, "Why aiohttp").
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import aiohttp

from .config import Config
from .effects import PoolWait
from .errors import ErrorKind, WeaviateError
from .models import RawResponse
from .transport import PoolUse, declared_length, too_large

_CHUNK = 1 << 20


async def _queued_start(session: object, ctx: SimpleNamespace, params: object) -> None:
    wait = ctx.trace_request_ctx
    if isinstance(wait, PoolWait):
        wait.queued_at = time.monotonic()


async def _queued_end(session: object, ctx: SimpleNamespace, params: object) -> None:
    wait = ctx.trace_request_ctx
    if isinstance(wait, PoolWait):
        wait.end()


def _pool_tracing() -> aiohttp.TraceConfig:
    """Tell a request's :class:`PoolWait` when it queues for a connection and gets one."""
    tracing = aiohttp.TraceConfig()
    tracing.on_connection_queued_start.append(_queued_start)
    tracing.on_connection_queued_end.append(_queued_end)
    tracing.freeze()
    return tracing


def _failure(kind: ErrorKind, message: str, cause: BaseException) -> WeaviateError:
    err = WeaviateError.from_kind(kind, message)
    err.__cause__ = cause
    return err


def map_exception(exc: BaseException, deadline_passed: bool = False) -> WeaviateError:
    """Classify an aiohttp/asyncio/socket exception as the sync transport would."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return _failure(ErrorKind.CONNECTION_ERROR, f"TLS failure: {exc}", exc)
    dns = getattr(aiohttp, "ClientConnectorDNSError", None)
    if dns is not None and isinstance(exc, dns):
        err = _failure(ErrorKind.CONNECTION_ERROR, "name resolution failed", exc)
        err.request_sent = False
        return err
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.strerror or str(exc.os_error) or "connection failed"
        err = _failure(ErrorKind.CONNECTION_ERROR, f"cannot connect: {reason}", exc)
        err.request_sent = False  # refused before any byte left: safe to repeat
        return err
    if isinstance(exc, aiohttp.ServerTimeoutError | asyncio.TimeoutError | TimeoutError):
        if deadline_passed:
            return _failure(
                ErrorKind.TIMEOUT,
                "the call's total deadline passed while the answer was arriving",
                exc,
            )
        text = str(exc).lower()
        if "connect" in text:
            return _failure(ErrorKind.TIMEOUT, "connect timed out", exc)
        if "read" in text:
            return _failure(ErrorKind.TIMEOUT, "read timed out", exc)
        return _failure(ErrorKind.TIMEOUT, "timed out", exc)
    if isinstance(exc, ssl.SSLError):
        return _failure(ErrorKind.CONNECTION_ERROR, f"TLS failure: {exc}", exc)
    if isinstance(
        exc,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientOSError,
    ):
        return _failure(ErrorKind.CONNECTION_ERROR, f"connection broken: {exc}", exc)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return _failure(ErrorKind.CONNECTION_ERROR, f"{type(exc).__name__}: {exc}", exc)
    return _failure(ErrorKind.PROTOCOL_ERROR, f"{type(exc).__name__}: {exc}", exc)


class AiohttpTransport:
    """One aiohttp session per client and process: a bounded pool per origin.

    The session is made on the first call, in the running loop, and belongs to
    that loop: a call from another loop gets a session of its own. A forked
    child drops the parent's session without closing it (its sockets are the
    parent's) and makes its own on first use, like the sync transport.
    """

    def __init__(self, config: Config) -> None:
        self._config = config
        self._max_bytes = config.max_response_bytes
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = os.getpid()
        self._closed = False
        self._ssl: ssl.SSLContext | bool | None = None
        if any(u.startswith("https:") for u in config.all_urls):
            if not config.verify_tls:
                self._ssl = False
            else:
                self._ssl = ssl.create_default_context(cafile=config.ca_certs or None)

    def _session_here(self) -> aiohttp.ClientSession:
        if self._closed:
            raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
        if self._pid != os.getpid():  # forked: the parent's sockets are not ours
            self._session, self._pid = None, os.getpid()
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A session belongs to one event loop (asyncio.run twice, a loop per thread):
            # the old loop's connections are left to it, this loop gets its own.
            self._session, self._loop = None, loop
        session = self._session
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(
                limit=0,  # bounded per origin only, as the sync pools
                limit_per_host=self._config.pool_maxsize,
                ssl=self._ssl if self._ssl is not None else True,
                enable_cleanup_closed=False,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                trace_configs=[_pool_tracing()],
            )
        return session

    async def send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        connect: float | None,
        read: float | None,
        pool_timeout: float,
        deadline: float,
        pool_wait: PoolWait | None = None,
    ) -> RawResponse:
        """Send one attempt; raise a WeaviateError (cause set) on any failure.

        ``pool_wait``, when given, gets the time this attempt waited for a free
        connection of its origin's pool (0 when one was free).
        """
        timeouts = self._config.timeouts
        connect = timeouts.connect if connect is None else connect
        read = timeouts.read if read is None else read
        remaining = max(deadline - time.monotonic(), 0.001)
        timeout = aiohttp.ClientTimeout(
            total=remaining, connect=pool_timeout + connect, sock_connect=connect, sock_read=read
        )
        session = self._session_here()
        resp: aiohttp.ClientResponse | None = None
        try:
            resp = await session.request(
                method,
                url,
                data=body,
                headers={**headers, "Accept-Encoding": "identity"},
                timeout=timeout,
                allow_redirects=False,
                max_redirects=0,
                trace_request_ctx=pool_wait,
            )
            data = await self._read_body(resp)
        except WeaviateError:
            if resp is not None:
                resp.close()
            raise
        except BaseException as exc:  # a cancelled task too: the connection is not reused
            if pool_wait is not None:
                pool_wait.end()  # cut while it waited: the wait so far
            if resp is not None:
                resp.close()
            if isinstance(exc, Exception):
                failure = map_exception(exc, time.monotonic() >= deadline)
            else:
                raise
        else:
            resp.release()
            return RawResponse(resp.status, resp.headers, data)
        raise failure  # outside the handler: no __context__ chain

    async def _read_body(self, resp: aiohttp.ClientResponse) -> bytes:
        cap = self._max_bytes
        length = declared_length(resp.headers, resp.status, cap)
        if length is not None:
            return await resp.content.readexactly(length) if length else b""
        parts: list[bytes] = []
        size = 0
        while True:
            part = await resp.content.read(min(_CHUNK, cap + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
            if size > cap:
                raise too_large(cap, resp.status, "the body went on past it")
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def pool_use(self) -> list[PoolUse]:
        """Connections per origin right now (idle and in use), for the pool gauges."""
        session = self._session
        if session is None or session.closed:
            return []
        connector: Any = session.connector
        cap = self._config.pool_maxsize
        idle: dict[tuple[str, int], int] = {}
        busy: dict[tuple[str, int], int] = {}
        # aiohttp keeps no public per-host counts: its pool's own tables.
        for key, conns in dict(getattr(connector, "_conns", {})).items():
            idle[(key.host, key.port)] = idle.get((key.host, key.port), 0) + len(conns)
        for key, held in dict(getattr(connector, "_acquired_per_host", {})).items():
            busy[(key.host, key.port)] = busy.get((key.host, key.port), 0) + len(held)
        return [
            PoolUse(host, int(port or 0), idle.get((host, port), 0), busy.get((host, port), 0), cap)
            for host, port in sorted(set(idle) | set(busy))
        ]

    async def close(self) -> None:
        """Close every pooled connection (idempotent)."""
        self._closed = True
        session, self._session = self._session, None
        here = self._pid == os.getpid() and self._loop is asyncio.get_running_loop()
        if session is not None and not session.closed and here:
            await session.close()
