"""The async driver: performs a call's effects with aiohttp, ``grpc.aio`` and ``asyncio.sleep``.

:class:`AsyncPipeline` is the :class:`.pipeline.Pipeline` of
:class:`~weaviate_telemetry.AsyncClient`: :meth:`AsyncPipeline.execute`
awaits each effect of the call's steps in the caller's task (so the
caller's context, and its current span, is the call's parent across awaits
and ``asyncio.gather``). It decides nothing itself. A cancelled task is
thrown into the steps at the effect it was waiting for: the attempt and
the call end with an exception event (``error_kind`` ``cancelled``) and the
connection of an unfinished exchange is closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import events as _bus
from .config import Config
from .effects import (
    Acquire,
    HasChannel,
    OpenChannel,
    PoolWait,
    RpcHealth,
    Send,
    SendRpc,
    Sleep,
    Steps,
)
from .endpoints import Endpoint
from .errors import ConfigError, ErrorKind, WeaviateError
from .models import Request, Response, as_response
from .pipeline import Pipeline

if TYPE_CHECKING:
    from .async_transport import AiohttpTransport
    from .effects import Effect
    from .grpc_aio_transport import GrpcAioTransport
    from .transport import PoolUse

T = TypeVar("T")


class AsyncPipeline(Pipeline):
    """The pipeline of the async client: aiohttp for REST, ``grpc.aio`` for gRPC."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(config, clock, new_lock=asyncio.Lock)
        try:
            from .async_transport import AiohttpTransport
        except ImportError as exc:
            raise ConfigError(
                "AsyncClient needs aiohttp: pip install 'weaviate-telemetry[async]'"
            ) from exc
        self.transport: AiohttpTransport = AiohttpTransport(config)
        self._grpc: GrpcAioTransport | None = None
        _bus.register_state(self.telemetry_state)

    async def execute(
        self,
        request: Request,
        parse: Callable[[Response], T] = as_response,  # type: ignore[assignment]
        endpoint: Endpoint | None = None,
    ) -> T:
        """Run the call and return ``parse(response)``, or raise a WeaviateError."""
        return await self.run(self.call(request, parse, endpoint))

    async def run(self, steps: Steps[T]) -> T:
        """Run ``steps`` to their end, awaiting each effect (:func:`.effects.drive`, awaited)."""
        perform = self._perform
        try:
            effect = next(steps)
            while True:
                try:
                    outcome = await perform(effect)
                except BaseException as exc:  # CancelledError included: the steps decide
                    failure: BaseException | None = exc
                else:
                    effect = steps.send(outcome)
                    continue
                assert failure is not None
                effect, failure = steps.throw(failure), None
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    async def _perform(self, effect: Effect) -> Any:
        if type(effect) is Send:
            wait = PoolWait() if effect.timed else None
            try:
                return await self.transport.send(*effect.args, wait)
            finally:
                if wait is not None:
                    effect.pool_wait = wait.seconds
        if type(effect) is SendRpc:
            return await self._grpc_transport().call(
                effect.target, effect.rpc, effect.metadata, effect.timeout
            )
        if type(effect) is HasChannel:
            return self._grpc_transport().has_channel(effect.target)
        if type(effect) is OpenChannel:
            self._grpc_transport().open(effect.target, effect.secure, effect.max_message_size)
            return None
        if type(effect) is Sleep:
            await asyncio.sleep(effect.seconds)
            return None
        if type(effect) is RpcHealth:
            return await self._grpc_transport().health(effect.target, effect.timeout)
        if type(effect) is Acquire:
            lock: asyncio.Lock = effect.lock
            if not effect.blocking and lock.locked():
                return False
            return await lock.acquire()
        raise TypeError(f"unknown effect {effect!r}")

    def _grpc_transport(self) -> GrpcAioTransport:
        grpc_transport = self._grpc
        if grpc_transport is None:
            try:  # grpc is imported on the first gRPC call only
                from .grpc_aio_transport import GrpcAioTransport
            except ImportError as exc:
                raise WeaviateError.from_kind(
                    ErrorKind.VALIDATION_ERROR,
                    "grpc_port is set but grpcio is not installed: "
                    "pip install 'weaviate-telemetry[grpc]' (or unset grpc_port)",
                ) from exc
            grpc_transport = self._grpc = GrpcAioTransport(self.config)
        return grpc_transport

    def pool_use(self) -> list[PoolUse]:
        return self.transport.pool_use()

    async def aclose(self) -> None:
        """Release the pool and channels (idempotent); later calls fail with connection_error."""
        super().close()
        await self.transport.close()
        if self._grpc is not None:
            await self._grpc.close()
