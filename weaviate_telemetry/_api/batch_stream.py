"""Server-side batching: objects over one ``BatchStream`` gRPC stream (Weaviate >= 1.36).

The decisions are :class:`.stream_window.StreamWindow`'s; this module is the
I/O around it, for the sync client: it pulls the input lazily (never more
than the window holds), writes ``Data`` messages to the stream, reads the
server's replies, and opens a new stream when one breaks (resending only the
objects without a result, which carry their ids, so nothing is duplicated).
A server without the method (``UNIMPLEMENTED``), or a stream that keeps
breaking, hands the rest to unary ``BatchObjects`` calls.

Telemetry: one ``request.*`` span per import (``batch.stream_objects``), and
``stream.pacing`` / ``stream.results`` events on it (docs/batch.md).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .._core import events as _bus
from .._core.errors import ErrorKind, WeaviateError
from .._core.models import Request, RpcCall
from .stream_window import RECONNECT_WAITS, Settled, StreamWindow, Unsettled

if TYPE_CHECKING:
    from .._core.sync_driver import SyncPipeline

# The batch module's values (BatchFailure, _Item, the unary outcome), kept opaque
# here so that this module does not import it back (no cycle): the caller passes
# the factories.
_Item = Any
_Outcome = tuple[list[tuple[int, str]], list[Any]]
Failure = Callable[[int, "str | None", str, "ErrorKind | None"], Any]

_METHOD = "/weaviate.v1.Weaviate/BatchStream"
#: A ``Data`` message stays under this many bytes (the server's limit is ~100 MB).
_MESSAGE_BYTES = 8 << 20
#: Stream failures a new stream may heal (a reset, a restarting node, a cancelled idle
#: stream, the server's ABORTED on shutdown); any other kind falls back at once.
_TRANSIENT = frozenset(
    {
        ErrorKind.UNAVAILABLE,
        ErrorKind.CONNECTION_ERROR,
        ErrorKind.TIMEOUT,
        ErrorKind.SERVER_ERROR,
        ErrorKind.RATE_LIMITED,
        ErrorKind.CONFLICT,
    }
)
#: Objects handed to unary batches at a time (fallback, REST-only objects).
_UNARY_CHUNK = 200


class StreamImport:
    """One import over ``BatchStream``: run it once with :meth:`run`."""

    def __init__(
        self,
        pipeline: SyncPipeline,
        prepare: Callable[[int, Any], _Item],
        send_unary: Callable[[list[_Item]], _Outcome],
        send_messages: Callable[[list[Unsettled]], _Outcome],
        failure: Failure,
        given_id: Callable[[Any], str | None],
        *,
        level: str | None,
        operation: str,
        collection: str | None,
        max_in_flight: int,
        on_progress: Callable[[int, int, int, int], object] | None,
        keep_ids: bool,
        on_stored: Callable[[int], object] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._prepare = prepare
        self._send_unary = send_unary
        self._send_messages = send_messages
        self._failure = failure
        self._given_id = given_id
        self._level = level
        self._operation = operation
        self._collection = collection
        self._on_progress = on_progress
        self._keep_ids = keep_ids
        self._on_stored = on_stored
        self._idle = pipeline.config.timeouts.read
        self.window = StreamWindow(max_in_flight)
        self._successes: list[tuple[int, str]] = []
        self._succeeded = 0
        self._failures: list[Any] = []
        self._results = 0
        self._rest_side: list[_Item] = []
        self._source: Iterator[tuple[int, Any]] = iter(())
        self._exhausted = False
        self._meta: dict[str, Any] | None = None
        self._prefix = pipeline.config.telemetry_prefix
        self.streams = 0
        self.mode = "stream"

    # -- the whole import ---------------------------------------------------------------

    def run(self, items: Iterable[Any]) -> tuple[list[tuple[int, str]], list[Any], int, float]:
        """Import ``items``; every object ends stored or in ``failures`` (docs/batch.md).

        Returns the stored (index, id) pairs (empty unless ``keep_ids``), the
        failures in input order, how many were stored, and the duration.
        """
        started = time.monotonic()
        self._source = enumerate(items)
        self._open_span()
        try:
            self._streams()
            if self.mode == "unary":
                self._unary_rest()
            self._flush_rest_side()
        except BaseException as exc:
            self._close_span(started, exc)
            raise
        self._close_span(started, None)
        self._failures.sort(key=lambda f: f.index)
        if self._keep_ids:
            self._successes.sort()
        return self._successes, self._failures, self._succeeded, time.monotonic() - started

    def _streams(self) -> None:
        window = self.window
        avoid: int | None = None
        while True:
            try:
                avoid = self._one_stream(avoid)
                broken: WeaviateError | None = None
            except WeaviateError as err:
                broken = err
                if err.rpc_status == "UNIMPLEMENTED":
                    self._fallback("the server has no BatchStream method", err)
                    return
                if err.kind not in _TRANSIENT:
                    # Not a break another stream heals (e.g. unauthorized): the unary
                    # calls report it per object, with the client's retry policy.
                    self._fallback(f"the stream failed: {err.kind.value}", err)
                    return
            resent = window.stream_ended()
            if self._exhausted and window.idle():
                return
            wait = window.reconnect_wait()
            reason = "broken" if broken is not None else "closed by the server"
            if wait is None:
                self._fallback(f"the stream was {reason} {len(RECONNECT_WAITS) + 1} times", broken)
                return
            self._pacing(
                "reconnect",
                {"wait": wait, "resent": resent},
                {"reason": reason, "error_kind": broken.kind.value if broken else None},
            )
            time.sleep(wait)

    # -- one stream -------------------------------------------------------------------

    def _one_stream(self, avoid: int | None) -> int:
        """Run one stream until the server closes it; returns its endpoint's index."""
        from .._core.grpc_stubs.v1 import batch_pb2

        window = self.window
        outbox: queue.Queue[Any] = queue.Queue()
        start = batch_pb2.BatchStreamRequest(start=batch_pb2.BatchStreamRequest.Start())
        if self._level is not None:
            from .grpc_batch import _CONSISTENCY

            start.start.consistency_level = _CONSISTENCY[self._level]

        def requests() -> Iterator[Any]:
            yield start
            while True:
                message = outbox.get()
                if message is None:
                    return
                yield message
                if message.HasField("stop"):
                    return

        rpc = RpcCall("BatchStream", None, batch_pb2.BatchStreamReply, False)
        replies, index = self._pipeline.open_stream(rpc, requests(), avoid)
        self.streams += 1
        stop_sent = False
        last = [time.monotonic()]
        done = threading.Event()

        def watchdog() -> None:
            # A stream that holds objects but hears nothing for the read timeout is
            # cancelled; its objects are resent on a new one.
            while not done.wait(min(1.0, self._idle)):
                if window.in_flight and time.monotonic() - last[0] > self._idle:
                    replies.cancel()
                    return

        guard = threading.Thread(target=watchdog, name="weaviate-stream-watchdog", daemon=True)
        guard.start()

        def pump() -> None:
            nonlocal stop_sent
            self._fill()
            while True:
                batch = window.take()
                if not batch:
                    break
                for message in _messages(batch_pb2, batch):
                    outbox.put(message)
            if self._exhausted and not window.queued and not stop_sent and not window.paused:
                outbox.put(batch_pb2.BatchStreamRequest(stop=batch_pb2.BatchStreamRequest.Stop()))
                stop_sent = True

        try:
            pump()
            for reply in replies:
                last[0] = time.monotonic()
                self._reply(reply)
                pump()
        finally:
            done.set()
            outbox.put(None)
            replies.cancel()
            guard.join()
        return index

    def _reply(self, reply: Any) -> None:
        window = self.window
        which = reply.WhichOneof("message")
        if which == "acks":
            window.acked(reply.acks.uuids)
        elif which == "results":
            settled = window.results(
                [s.uuid for s in reply.results.successes if s.uuid],
                [(e.uuid, e.error) for e in reply.results.errors if e.uuid],
            )
            self._record(settled)
        elif which == "backoff":
            if window.backoff(reply.backoff.batch_size):
                self._pacing("backoff", {"batch_size": window.batch_size}, {})
        elif which == "out_of_memory":
            back = window.out_of_memory(list(reply.out_of_memory.uuids))
            self._pacing(
                "out_of_memory", {"wait": reply.out_of_memory.wait_time, "resent": back}, {}
            )
        elif which == "shutting_down":
            window.shutting_down()
            self._pacing("shutting_down", {}, {})
        elif which == "started":
            self._pacing("started", {"batch_size": window.batch_size}, {})

    def _fill(self) -> None:
        """Pull input objects while the window has room (the input is read lazily)."""
        from . import grpc_batch

        window = self.window
        while not self._exhausted and window.room():
            try:
                index, raw = next(self._source)
            except StopIteration:
                self._exhausted = True
                return
            try:
                item = self._prepare(index, raw)
            except WeaviateError as err:
                self._fail(self._failure(index, self._given_id(raw), err.message, err.kind))
                continue
            assert item.id is not None
            try:
                message = grpc_batch._object(item.body)
            except grpc_batch.Unsupported:
                # A value only REST carries exactly (a reference, an int beyond 2**53 …).
                self._rest_side.append(item)
                if len(self._rest_side) >= _UNARY_CHUNK:
                    self._flush_rest_side()
                continue
            except (ValueError, TypeError, OverflowError) as exc:
                text = f"cannot encode this object for gRPC: {type(exc).__name__}: {exc}"
                self._fail(self._failure(index, item.id, text, ErrorKind.VALIDATION_ERROR))
                continue
            window.add(Unsettled(index, item.id, message))

    # -- fallback: unary batches ----------------------------------------------------------

    def _fallback(self, why: str, err: WeaviateError | None) -> None:
        self.mode = "unary"
        self._pacing(
            "fallback",
            {"resent": self.window.queued + self.window.in_flight},
            {"reason": why, "error_kind": err.kind.value if err else None},
        )

    def _unary_rest(self) -> None:
        """Send what the streams did not settle, then the rest of the input, as unary calls."""
        pending = self.window.drain()
        for start in range(0, len(pending), _UNARY_CHUNK):
            self._outcome(self._send_messages(pending[start : start + _UNARY_CHUNK]))
        chunk: list[_Item] = []
        for index, raw in self._source:
            try:
                chunk.append(self._prepare(index, raw))
            except WeaviateError as err:
                self._fail(self._failure(index, self._given_id(raw), err.message, err.kind))
                continue
            if len(chunk) >= _UNARY_CHUNK:
                self._outcome(self._send_unary(chunk))
                chunk = []
        if chunk:
            self._outcome(self._send_unary(chunk))
        self._exhausted = True

    def _flush_rest_side(self) -> None:
        chunk, self._rest_side = self._rest_side, []
        if chunk:
            self._outcome(self._send_unary(chunk))

    # -- results, progress, telemetry -------------------------------------------------------

    def _record(self, settled: list[Settled]) -> None:
        ok = 0
        failed = 0
        for s in settled:
            if s.error is None:
                ok += 1
                if self._keep_ids:
                    self._successes.append((s.index, s.id))
                if self._on_stored is not None:
                    self._on_stored(s.index)
            else:
                failed += 1
                self._failures.append(self._failure(s.index, s.id, s.error, None))
        self._succeeded += ok
        self._counted(ok, failed)

    def _outcome(self, outcome: _Outcome) -> None:
        """A unary call's outcome (its own request events counted it already)."""
        ok, failed = outcome
        if self._on_stored is not None:
            for index, _ in ok:
                self._on_stored(index)
        self._succeeded += len(ok)
        if self._keep_ids:
            self._successes += ok
        self._failures += failed
        self._results += 1
        self._progress()

    def _fail(self, failure: Any) -> None:
        self._failures.append(failure)
        self._counted(0, 1)

    def _counted(self, ok: int, failed: int) -> None:
        self._results += 1
        if self._meta is not None and (ok or failed):
            _bus.execute(
                (*self._prefix, "stream", "results"),
                {"succeeded": ok, "failed": failed},
                self._meta,
            )
        self._progress()

    def _progress(self) -> None:
        if self._on_progress is not None:
            failed = len(self._failures)
            self._on_progress(self._succeeded + failed, self._succeeded, failed, self._results)

    def _pacing(self, name: str, measurements: dict[str, float], facts: dict[str, Any]) -> None:
        if self._meta is None:
            return
        _bus.execute(
            (*self._prefix, "stream", "pacing"),
            {**measurements, "in_flight": self.window.in_flight, "queued": self.window.queued},
            {**self._meta, "event": name, **facts},
        )

    def _open_span(self) -> None:
        if not _bus.has_handlers():
            return
        from .._core.grpc_stubs.v1 import batch_pb2

        request = Request(
            "POST",
            _METHOD,
            self._operation,
            path_template=_METHOD,
            collection=self._collection,
            rpc=RpcCall("BatchStream", None, batch_pb2.BatchStreamReply, False),
        )
        meta = self._pipeline.call_metadata(request, self._pipeline.endpoints[0])
        self._meta = meta
        _bus.execute(self._pipeline.ev_request[0], {"system_time": time.time()}, meta)

    def _close_span(self, started: float, exc: BaseException | None) -> None:
        meta = self._meta
        if meta is None:
            return
        facts = {
            "stream_mode": self.mode,
            "streams": self.streams,
            "objects_succeeded": self._succeeded,
            "objects_failed": len(self._failures),
        }
        if exc is None:
            _bus.execute(
                self._pipeline.ev_request[1],
                {"duration": time.monotonic() - started},
                {**meta, **facts, "status_code": None, "error_kind": None},
            )
            return
        kind = exc.kind.value if isinstance(exc, WeaviateError) else type(exc).__name__
        _bus.execute(
            self._pipeline.ev_request[2],
            {"duration": time.monotonic() - started},
            {**meta, **facts, "status_code": None, "error_kind": kind, "error": exc},
        )


def _messages(batch_pb2: Any, batch: list[Unsettled]) -> Iterator[Any]:
    """``Data`` messages carrying ``batch``, each under :data:`_MESSAGE_BYTES`."""
    request = batch_pb2.BatchStreamRequest()
    size = 0
    for item in batch:
        item_size = item.message.ByteSize() + 8
        if size and size + item_size > _MESSAGE_BYTES:
            yield request
            request = batch_pb2.BatchStreamRequest()
            size = 0
        request.data.objects.values.append(item.message)
        size += item_size
    if size:
        yield request
