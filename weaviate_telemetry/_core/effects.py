"""What a call asks its driver to do: the only I/O in the life of one call.

The pipeline (:mod:`.pipeline`) runs a call as a generator that yields these
values and receives their outcomes; it never touches a socket or a clock's
sleep. A driver performs them: :mod:`.sync_driver` with urllib3, grpcio and
``time.sleep``, :mod:`.async_driver` with aiohttp, ``grpc.aio`` and
``asyncio.sleep``. Everything else (events, deadline, retries, endpoint
choice, decoding, error mapping, the shape check) is decided once, in the
pipeline, for both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from .models import RpcCall

T = TypeVar("T")

#: Weaviate's default ``GRPC_MAX_MESSAGE_SIZE``, used when ``/v1/meta`` does not say.
DEFAULT_MAX_MESSAGE_SIZE = 104_858_000


@dataclass(slots=True)
class Send:
    """Send one HTTP attempt; the outcome is a ``RawResponse`` (or a raised WeaviateError).

    ``connect``/``read`` None keep the transport's configured timeouts;
    ``deadline`` (``time.monotonic()``) bounds the whole exchange. When
    ``timed`` (the attempt is observed), the driver writes ``pool_wait``
    (seconds waited for a pooled connection) before it returns or raises.
    """

    method: str
    url: str
    body: bytes | None
    headers: Mapping[str, str]
    connect: float | None
    read: float | None
    pool: float
    deadline: float
    timed: bool = False
    pool_wait: float = 0.0

    @property
    def args(
        self,
    ) -> tuple[str, str, bytes | None, Mapping[str, str], float | None, float | None, float, float]:
        """The transports' ``send`` arguments, in their order (one place for both drivers)."""
        return (
            self.method,
            self.url,
            self.body,
            self.headers,
            self.connect,
            self.read,
            self.pool,
            self.deadline,
        )


class PoolWait:
    """The time one attempt waited in its origin's queue for a pooled connection
    (the async transport's measure; the sync one times urllib3's pool itself)."""

    __slots__ = ("queued_at", "seconds")

    def __init__(self) -> None:
        self.queued_at: float | None = None
        self.seconds = 0.0

    def end(self) -> None:
        """The wait is over (a connection came, or the attempt ended while it waited)."""
        if self.queued_at is not None:
            self.seconds += time.monotonic() - self.queued_at
            self.queued_at = None


@dataclass(frozen=True, slots=True)
class SendRpc:
    """Send one unary RPC on ``target``'s channel; the outcome is the decoded reply."""

    target: str
    rpc: RpcCall
    metadata: Sequence[tuple[str, str]]
    timeout: float


@dataclass(frozen=True, slots=True)
class HasChannel:
    """Whether ``target``'s gRPC channel exists in this process (the outcome, a bool)."""

    target: str


@dataclass(frozen=True, slots=True)
class OpenChannel:
    """Create ``target``'s gRPC channel (idempotent), sized to ``max_message_size``."""

    target: str
    secure: bool
    max_message_size: int


@dataclass(frozen=True, slots=True)
class RpcHealth:
    """``grpc.health.v1.Health/Check`` on ``target``; the outcome is the status name."""

    target: str
    timeout: float


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds`` (a retry's backoff, a readiness poll); cancellable in the async driver."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Acquire:
    """Take ``lock`` (a ``threading.Lock`` for the sync driver, an ``asyncio.Lock`` for the
    async one), waiting unless ``blocking`` is False; the outcome says whether it was taken.
    The steps release it themselves (``lock.release()`` is the same for both)."""

    lock: Any
    blocking: bool = True


Effect: TypeAlias = Send | SendRpc | HasChannel | OpenChannel | RpcHealth | Sleep | Acquire
#: A call (or a part of one) as the pipeline writes it: effects out, outcomes in, ``T`` at the end.
Steps: TypeAlias = Generator[Effect, Any, T]


def drive(steps: Steps[T], perform: Callable[[Effect], Any]) -> T:
    """Run ``steps`` to their end, answering each effect with ``perform(effect)``.

    A failure of ``perform`` is thrown into the steps at the effect that
    asked for it (outside this ``except``: no ``__context__`` chain). The
    async driver's loop is the same with ``await perform(effect)``.
    """
    try:
        effect = next(steps)
        while True:
            try:
                outcome = perform(effect)
            except BaseException as exc:  # the steps decide; KeyboardInterrupt included
                failure: BaseException | None = exc
            else:
                effect = steps.send(outcome)
                continue
            assert failure is not None
            effect, failure = steps.throw(failure), None
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def perform_locks(effect: Effect) -> Any:
    """Answer the effects of steps that only take thread locks (a token source used directly)."""
    if type(effect) is Acquire:
        return effect.lock.acquire(effect.blocking)
    raise TypeError(f"{effect!r} needs a driver")
