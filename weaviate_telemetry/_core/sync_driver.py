"""The sync driver: performs a call's effects with urllib3, grpcio and ``time.sleep``.

:class:`SyncPipeline` is the :class:`.pipeline.Pipeline` of the sync
:class:`~weaviate_telemetry.Client`: :meth:`SyncPipeline.execute` runs the
call's steps to the end in the caller's thread. It decides nothing itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from . import events as _bus
from . import fork
from .config import Config
from .effects import (
    Acquire,
    HasChannel,
    OpenChannel,
    RpcHealth,
    Send,
    SendRpc,
    Sleep,
    Steps,
    drive,
)
from .endpoints import Endpoint
from .errors import ErrorKind, WeaviateError
from .models import Request, Response, RpcCall, as_response
from .pipeline import Pipeline
from .transport import PoolUse, Urllib3Transport

if TYPE_CHECKING:
    from .effects import Effect
    from .grpc_transport import GrpcTransport, ReplyStream

T = TypeVar("T")


class SyncPipeline(Pipeline):
    """The pipeline of the sync client: urllib3 for REST, grpcio for gRPC, blocking sleeps."""

    def __init__(
        self,
        config: Config,
        transport: Urllib3Transport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config, clock, new_lock=fork.lock)
        self.transport = transport or Urllib3Transport(config)
        self._grpc: GrpcTransport | None = None
        self._grpc_lock = fork.lock()
        _bus.register_state(self.telemetry_state)

    def execute(
        self,
        request: Request,
        parse: Callable[[Response], T] = as_response,  # type: ignore[assignment]
        endpoint: Endpoint | None = None,
    ) -> T:
        """Run the call and return ``parse(response)``, or raise a WeaviateError."""
        return drive(self.call(request, parse, endpoint), self._perform)

    def run(self, steps: Steps[T]) -> T:
        """Run any steps of the pipeline (a logical call, a gRPC health check)."""
        return drive(steps, self._perform)

    def _perform(self, effect: Effect) -> Any:
        if type(effect) is Send:
            transport = self.transport
            try:
                raw = transport.send(*effect.args)
            except WeaviateError:
                if effect.timed:
                    effect.pool_wait = transport.last_pool_wait()
                raise
            if effect.timed:
                effect.pool_wait = transport.last_pool_wait()
            return raw
        if type(effect) is SendRpc:
            return self._grpc_transport().call(
                effect.target, effect.rpc, effect.metadata, effect.timeout
            )
        if type(effect) is HasChannel:
            return self._grpc_transport().has_channel(effect.target)
        if type(effect) is OpenChannel:
            self._grpc_transport().open(effect.target, effect.secure, effect.max_message_size)
            return None
        if type(effect) is Sleep:
            time.sleep(effect.seconds)
            return None
        if type(effect) is RpcHealth:
            return self._grpc_transport().health(effect.target, effect.timeout)
        if type(effect) is Acquire:
            return effect.lock.acquire(effect.blocking)
        raise TypeError(f"unknown effect {effect!r}")

    def _grpc_transport(self) -> GrpcTransport:
        grpc_transport = self._grpc
        if grpc_transport is None:
            with self._grpc_lock:
                if self._grpc is None:
                    try:  # grpc is imported on the first gRPC call only
                        from .grpc_transport import GrpcTransport
                    except ImportError as exc:
                        raise WeaviateError.from_kind(
                            ErrorKind.VALIDATION_ERROR,
                            "grpc_port is set but grpcio is not installed: "
                            "pip install 'weaviate-telemetry[grpc]' (or unset grpc_port)",
                        ) from exc
                    self._grpc = GrpcTransport(self.config)
                grpc_transport = self._grpc
        return grpc_transport

    def open_stream(
        self, rpc: RpcCall, requests: Iterator[Any], avoid: int | None = None
    ) -> tuple[ReplyStream, int]:
        """Open the bidirectional gRPC stream ``rpc.method`` on the endpoint the core
        chooses (:meth:`Pipeline.stream_target`): its reply stream and the endpoint's index."""
        target, metadata, index = self.run(self.stream_target(rpc, avoid))
        replies = self._grpc_transport().open_stream(
            target, rpc.method, requests, rpc.reply, metadata
        )
        return replies, index

    def pool_use(self) -> list[PoolUse]:
        return self.transport.pool_use()

    def close(self) -> None:
        """Release the pool and channels; later calls fail with connection_error."""
        super().close()
        self.transport.close()
        if self._grpc is not None:
            self._grpc.close()
