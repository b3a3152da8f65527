"""The async gRPC transport: one ``grpc.aio`` channel per target, unary calls with deadlines.

Channel settings and the status → error-kind mapping are the sync
transport's (:mod:`.grpc_transport`); only the call is awaited. A
``grpc.aio`` channel belongs to the event loop and process that made it: a
forked child, or a call from another loop, drops them unclosed and opens its
own.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any

import grpc
import grpc.aio

from .config import Config
from .errors import Cause, ErrorKind, WeaviateError
from .grpc_transport import channel_settings, health_stub, map_rpc_error, unary_stub
from .models import RpcCall

_inherited: list[Any] = []


class GrpcAioTransport:
    """One ``grpc.aio`` channel per gRPC target for one async client."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._channels: dict[str, Any] = {}
        self._callables: dict[tuple[str, str], Any] = {}
        self._closed = False
        self._pid = os.getpid()
        self._loop: asyncio.AbstractEventLoop | None = None

    def has_channel(self, target: str) -> bool:
        """True once :meth:`open` made the channel for ``target`` in this process."""
        loop = asyncio.get_running_loop()
        if self._pid != os.getpid() or loop is not self._loop:
            # Another process (forked) or another event loop: these channels are not usable
            # here; they are kept referenced, never closed from here.
            _inherited.extend(self._channels.values())
            self._channels, self._callables = {}, {}
            self._pid, self._loop = os.getpid(), loop
        return target in self._channels

    def open(self, target: str, secure: bool, max_message_size: int) -> None:
        """Create the channel for ``target`` (idempotent; it connects on the first call)."""
        if target in self._channels:
            return
        if self._closed:
            raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
        options, creds = channel_settings(self._config, secure, max_message_size)
        if creds is not None:
            channel = grpc.aio.secure_channel(target, creds, options=options)
        else:
            channel = grpc.aio.insecure_channel(target, options=options)
        self._channels[target] = channel

    async def call(
        self, target: str, rpc: RpcCall, metadata: Sequence[tuple[str, str]], timeout: float
    ) -> Any:
        """Send one unary RPC; return the decoded reply or raise a WeaviateError (cause set)."""
        stub = unary_stub(self._channels, self._callables, target, rpc)
        try:
            return await stub(rpc.message, timeout=timeout, metadata=tuple(metadata))
        except grpc.RpcError as exc:
            failure = map_rpc_error(exc)
        except (ValueError, RuntimeError) as exc:  # a closed channel
            failure = WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, f"gRPC channel: {exc}")
            failure.__cause__ = Cause(exc)
        raise failure

    async def health(self, target: str, timeout: float) -> str:
        """The standard ``grpc.health.v1.Health/Check`` status name."""
        check = health_stub(self._channels, target)
        try:
            status: str = await check(None, timeout=timeout)
        except grpc.RpcError as exc:
            failure = map_rpc_error(exc)
        else:
            return status
        raise failure

    async def close(self) -> None:
        """Close every channel (idempotent); later calls fail with ``connection_error``."""
        self._closed = True
        channels, self._channels = self._channels, {}
        self._callables.clear()
        if self._pid == os.getpid() and self._loop is asyncio.get_running_loop():
            for channel in channels.values():
                await channel.close()
