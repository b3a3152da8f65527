"""The only module that knows grpcio: send one RPC attempt, map its status to a kind.

Like :mod:`.transport` for HTTP, it knows nothing about telemetry, retries
or the Weaviate API beyond the method path: one channel per gRPC target
(created on first use, HTTP/2 multiplexed, keepalive on), a unary call with
metadata and a timeout, and the mapping of gRPC status codes, and of
Weaviate's messages sent as ``UNKNOWN``, onto the SDK's error kinds.

It is imported by the pipeline on the first gRPC call, so ``import
weaviate_telemetry`` never imports grpc.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import grpc

from . import fork
from .config import Config
from .errors import Cause, ErrorKind, WeaviateError
from .models import RpcCall

# Keepalive pings only while calls are open, no more often than Go's gRPC
# servers accept by default (5 minutes), so the server never answers
# "too_many_pings".
_KEEPALIVE = (
    ("grpc.keepalive_time_ms", 300_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 0),
    ("grpc.http2.max_pings_without_data", 0),
)

_STATUS_KINDS: dict[grpc.StatusCode, ErrorKind] = {
    grpc.StatusCode.UNAVAILABLE: ErrorKind.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: ErrorKind.TIMEOUT,
    grpc.StatusCode.UNAUTHENTICATED: ErrorKind.UNAUTHORIZED,
    grpc.StatusCode.PERMISSION_DENIED: ErrorKind.FORBIDDEN,
    grpc.StatusCode.NOT_FOUND: ErrorKind.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT: ErrorKind.VALIDATION_ERROR,
    grpc.StatusCode.OUT_OF_RANGE: ErrorKind.VALIDATION_ERROR,
    grpc.StatusCode.FAILED_PRECONDITION: ErrorKind.BAD_REQUEST,
    grpc.StatusCode.ALREADY_EXISTS: ErrorKind.CONFLICT,
    grpc.StatusCode.ABORTED: ErrorKind.CONFLICT,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ErrorKind.RATE_LIMITED,
    grpc.StatusCode.CANCELLED: ErrorKind.CONNECTION_ERROR,
    grpc.StatusCode.UNIMPLEMENTED: ErrorKind.PROTOCOL_ERROR,
    grpc.StatusCode.INTERNAL: ErrorKind.SERVER_ERROR,
    grpc.StatusCode.DATA_LOSS: ErrorKind.SERVER_ERROR,
    grpc.StatusCode.UNKNOWN: ErrorKind.SERVER_ERROR,
}

# Weaviate sends most failures as UNKNOWN with a message; these fragments
# (lower-cased) say what the message means. First match wins.
_MESSAGE_KINDS: tuple[tuple[ErrorKind, tuple[str, ...]], ...] = (
    (
        ErrorKind.UNAUTHORIZED,
        (
            "invalid api key",
            "unauthorized",
            "unauthenticated",
            "anonymous access not enabled",
            "extract auth",
        ),
    ),
    (ErrorKind.FORBIDDEN, ("forbidden", "permission denied")),
    (
        ErrorKind.VALIDATION_ERROR,
        (
            "no such prop",
            "vector lengths don't match",
            "vector length",
            "has a vector with length",
            "could not parse",
            "expected an integer",
            "invalid integer",
            "invalid number",
            "invalid text",
            "invalid boolean",
            "invalid date",
            "invalid uuid",
            "invalid pagination",
            "maximum results exceeded",
            "multi-tenancy enabled",
            "multi-tenancy disabled",
            "has multiple vectors",
            "target vector",
            "data type",
            "invalid filter",
            "invalid argument",
        ),
    ),
    (
        ErrorKind.NOT_FOUND,
        ("could not find class", "class not found", "tenant not found", "vector not found"),
    ),
)


def classify_message(message: str, default: ErrorKind = ErrorKind.SERVER_ERROR) -> ErrorKind:
    """The error kind a Weaviate error message (sent as gRPC ``UNKNOWN``) stands for."""
    lowered = message.lower()
    for kind, fragments in _MESSAGE_KINDS:
        if any(f in lowered for f in fragments):
            return kind
    return default


def map_rpc_error(exc: grpc.RpcError) -> WeaviateError:
    """Classify a failed RPC as one of our error kinds, keeping the server's message."""
    # A sync call's error is a grpc.Call; grpc.aio's AioRpcError has the same two methods.
    has_status = isinstance(exc, grpc.Call) or callable(getattr(exc, "code", None))
    code = exc.code() if has_status else grpc.StatusCode.UNKNOWN
    message = (exc.details() if has_status else None) or str(exc) or code.name
    kind = _STATUS_KINDS.get(code, ErrorKind.SERVER_ERROR)
    lowered = message.lower()
    request_sent: bool | None = None
    if code is grpc.StatusCode.UNKNOWN:
        kind = classify_message(message)
    elif code is grpc.StatusCode.UNAVAILABLE and (
        "failed to connect" in lowered or "connection refused" in lowered
    ):
        # The channel could not connect: like a refused HTTP connection.
        kind, request_sent = ErrorKind.CONNECTION_ERROR, False
    elif code is grpc.StatusCode.RESOURCE_EXHAUSTED and "larger than max" in lowered:
        # gRPC's own message-size limit, not the server's rate limiting.
        kind = ErrorKind.VALIDATION_ERROR if "sent message" in lowered else ErrorKind.PROTOCOL_ERROR
    err = WeaviateError.from_kind(kind, message, details={"grpc_status": code.name})
    err.rpc_status = code.name
    err.request_sent = request_sent
    # grpc's exception text repeats the server's message (which may echo a
    # credential) and debug details: the chain keeps a redacted stand-in.
    err.__cause__ = Cause(exc)
    return err


# Channels a forked child inherited: kept referenced and never used or closed in the
# child, since grpcio's core is not usable there for the parent's channels.
_inherited: list[Any] = []

#: How long a fork waits for the RPCs in flight to end (s); then it forks anyway.
FORK_WAIT = 10.0


class _RpcsInFlight:
    """Counts the RPCs in flight, so that a fork can wait for them.

    grpcio's core prepares itself for a fork only when no thread is inside a
    call; otherwise it skips its fork handlers, and a gRPC call in the child
    (on any channel, new ones too) can hang forever. So a fork waits here
    until the calls in flight end (bounded by their deadlines, at most
    :data:`FORK_WAIT`), and new calls wait for the fork to be done.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition(fork.lock())
        self._count = 0
        self._forking = False

    def __enter__(self) -> None:
        with self._changed:
            while self._forking:
                self._changed.wait()
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._count -= 1
            if not self._count:
                self._changed.notify_all()

    def before_fork(self) -> None:
        with self._changed:
            self._forking = True
            self._changed.wait_for(lambda: not self._count, timeout=FORK_WAIT)

    def after_fork_in_parent(self) -> None:
        with self._changed:
            self._forking = False
            self._changed.notify_all()

    def after_fork_in_child(self) -> None:
        # The calls counted were other threads of the parent: none is in this process.
        self._count = 0
        self._forking = False


_in_flight = _RpcsInFlight()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_in_flight.before_fork,
        after_in_parent=_in_flight.after_fork_in_parent,
        after_in_child=_in_flight.after_fork_in_child,
    )


def channel_settings(
    config: Config, secure: bool, max_message_size: int
) -> tuple[list[tuple[str, Any]], grpc.ChannelCredentials | None]:
    """A channel's options and (for TLS) credentials: the same for sync and grpc.aio channels."""
    options: list[tuple[str, Any]] = [
        *_KEEPALIVE,
        ("grpc.max_send_message_length", max_message_size),
        # Answers are bounded like REST's: never above max_response_bytes.
        ("grpc.max_receive_message_length", min(max_message_size, config.max_response_bytes)),
        ("grpc.primary_user_agent", config.user_agent),
    ]
    if not secure:
        return options, None
    roots = None
    if config.ca_certs:
        try:
            with open(config.ca_certs, "rb") as f:
                roots = f.read()
        except OSError as exc:
            raise WeaviateError.from_kind(
                ErrorKind.CONNECTION_ERROR,
                f"cannot read ca_certs for the gRPC channel: {exc}",
            ) from exc
    return options, grpc.ssl_channel_credentials(root_certificates=roots)


def unary_stub(
    channels: dict[str, Any], stubs: dict[tuple[str, str], Any], target: str, rpc: RpcCall
) -> Any:
    """The callable of ``rpc`` on ``target``'s channel (sync or grpc.aio), made once."""
    key = (target, rpc.method)
    stub = stubs.get(key)
    if stub is None:
        channel = channels.get(target)
        if channel is None:
            raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
        stub = stubs[key] = channel.unary_unary(
            f"/weaviate.v1.Weaviate/{rpc.method}",
            request_serializer=type(rpc.message).SerializeToString,
            response_deserializer=rpc.reply.FromString,
        )
    return stub


def health_stub(channels: dict[str, Any], target: str) -> Any:
    """``grpc.health.v1.Health/Check`` on ``target``'s channel (sync or grpc.aio); the
    messages are encoded by hand (one enum field), so no health stubs are needed."""
    channel = channels.get(target)
    if channel is None:
        raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "no channel for " + target)
    return channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda _: b"",
        response_deserializer=_health_status,
    )


class GrpcTransport:
    """One channel per gRPC target for one client; unary calls with deadlines.

    The channels belong to the process that made them: a forked child drops
    them (:mod:`.fork`) and opens its own on its first call.
    """

    def __init__(self, config: Config) -> None:
        self._config = config
        self._channels: dict[str, Any] = {}
        self._callables: dict[tuple[str, str], Any] = {}
        self._lock = fork.lock()
        self._closed = False
        self._pid = os.getpid()
        fork.after_fork_in_child(self._drop_parent_channels)

    def _drop_parent_channels(self) -> None:
        _inherited.extend(self._channels.values())
        self._channels = {}
        self._callables = {}
        self._pid = os.getpid()

    def has_channel(self, target: str) -> bool:
        """True once :meth:`open` made the channel for ``target`` in this process."""
        if self._pid != os.getpid():  # forked without Python's at-fork hooks
            self._drop_parent_channels()
        return target in self._channels

    def open(self, target: str, secure: bool, max_message_size: int) -> None:
        """Create the channel for ``target`` (idempotent; connecting happens on first call)."""
        with self._lock:
            if target in self._channels:
                return
            if self._closed:
                raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
            options, creds = channel_settings(self._config, secure, max_message_size)
            if creds is not None:
                channel = grpc.secure_channel(target, creds, options=options)
            else:
                channel = grpc.insecure_channel(target, options=options)
            self._channels[target] = channel

    def call(
        self,
        target: str,
        rpc: RpcCall,
        metadata: Sequence[tuple[str, str]],
        timeout: float,
    ) -> Any:
        """Send one unary RPC; return the decoded reply or raise a WeaviateError (cause set)."""
        stub = unary_stub(self._channels, self._callables, target, rpc)
        try:
            with _in_flight:
                return stub(rpc.message, timeout=timeout, metadata=metadata)
        except grpc.RpcError as exc:
            failure = map_rpc_error(exc)
        except ValueError as exc:  # e.g. a closed channel
            failure = WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, f"gRPC channel: {exc}")
            failure.__cause__ = Cause(exc)
        # Raised outside the handler: no __context__ holding the unredacted original.
        raise failure

    def open_stream(
        self,
        target: str,
        method: str,
        requests: Iterator[Any],
        reply: Any,
        metadata: Sequence[tuple[str, str]],
    ) -> ReplyStream:
        """Open a bidirectional stream ``Weaviate/<method>``: ``requests`` is read by
        grpcio's own thread; the replies are read from the returned :class:`ReplyStream`.

        No deadline: the caller cancels an idle stream (a long import may take hours).
        An open stream counts as a call in flight: a fork waits for it (bounded).
        """
        channel = self._channels.get(target)
        if channel is None:
            raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
        stub = channel.stream_stream(
            f"/weaviate.v1.Weaviate/{method}",
            request_serializer=_serialize,
            response_deserializer=reply.FromString,
        )
        _in_flight.__enter__()
        try:
            call = stub(requests, metadata=metadata)
        except BaseException:
            _in_flight.__exit__()
            raise
        return ReplyStream(call)

    def health(self, target: str, timeout: float) -> str:
        """The standard ``grpc.health.v1.Health/Check`` status name (e.g. ``SERVING``).

        The messages are encoded by hand (one enum field), so no health stubs are needed.
        """
        check = health_stub(self._channels, target)
        try:
            with _in_flight:
                status: str = check(None, timeout=timeout)
        except grpc.RpcError as exc:
            failure = map_rpc_error(exc)
        else:
            return status
        raise failure

    def close(self) -> None:
        """Close every channel; later calls fail with ``connection_error``."""
        with self._lock:
            self._closed = True
            channels, self._channels = self._channels, {}
            self._callables.clear()
        for channel in channels.values():
            channel.close()


def _serialize(message: Any) -> bytes:
    data: bytes = message.SerializeToString()
    return data


class ReplyStream:
    """The replies of one open stream; a failed stream raises a :class:`WeaviateError`
    (``rpc_status`` set, e.g. ``UNIMPLEMENTED`` on a server without the method)."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self._open = True
        self._lock = fork.lock()

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._call)
        except StopIteration:
            self._ended()
            raise
        except grpc.RpcError as exc:
            failure = map_rpc_error(exc)
        self._ended()
        raise failure

    def cancel(self) -> None:
        """End the stream from this side (its reader then gets ``CANCELLED``)."""
        self._call.cancel()
        self._ended()

    def _ended(self) -> None:
        with self._lock:
            if not self._open:
                return
            self._open = False
        _in_flight.__exit__()


_HEALTH = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def _health_status(data: bytes) -> str:
    # HealthCheckResponse { ServingStatus status = 1; }: empty bytes = 0, else 0x08 <varint>.
    if not data:
        return _HEALTH[0]
    if data[0] != 0x08 or len(data) < 2:
        return "UNKNOWN"
    return _HEALTH.get(data[1], "UNKNOWN")
