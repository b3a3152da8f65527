"""The OpenTelemetry bridge: event handlers that make spans, metrics and logs.

This is the only module that imports OpenTelemetry, and it is imported
lazily (``import weaviate_telemetry`` stays light). It listens to the
lifecycle events of :mod:`.._core.events` like any other handler:

- ``request.start`` opens the logical CLIENT span ``{db.operation.name}
  {db.collection.name}``; ``request.stop`` / ``request.exception`` end it and
  record ``db.client.operation.duration``.
- ``attempt.start`` opens a child CLIENT span per HTTP attempt (stable HTTP
  semantic conventions), injects its context as W3C ``traceparent`` through
  the metadata's ``propagation_headers`` and, while the attempt runs, marks
  the context so urllib3 auto-instrumentation does not add a second span;
  ``attempt.stop`` / ``attempt.exception`` end it and record
  ``http.client.request.duration``.
- ``request.retry`` adds a span event and counts the retry.

Start and stop events are paired by the ``ref`` in their metadata.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry import metrics as _metrics_api  # configure_otlp has a metrics= argument
from opentelemetry._logs import LoggerProvider, SeverityNumber, get_logger_provider
from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    TracerProvider,
)

from .._core import events as _bus
from .._core import fork
from .._core.redact import redact_text
from .._version import __version__

try:  # the key urllib3/requests/httpx instrumentations check before making a span
    from opentelemetry.context import _SUPPRESS_HTTP_INSTRUMENTATION_KEY as _SUPPRESS_HTTP
except ImportError:  # pragma: no cover - older opentelemetry-api
    _SUPPRESS_HTTP = otel_context.create_key("suppress_http_instrumentation")

SCOPE = "weaviate_telemetry"

# Bucket boundaries advised for each histogram when it is aggregated with explicit buckets
# (the OpenTelemetry default). Each fits what it measures, with boundaries at most ~1.5x
# apart where the values usually fall, so ``histogram_quantile`` is off by at most one such
# bucket. Exponential (base-2) aggregation ignores them: ``configure_otlp(histograms=
# "exponential")`` and docs/telemetry.md ("Histograms").

#: ``db.client.operation.duration``: whole calls, 0.5 ms (a local read) to a minute
#: (retries and backoff included).
OPERATION_BUCKETS = (
    0.0005,
    0.001,
    0.0015,
    0.002,
    0.003,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.03,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.5,
    0.75,
    1.0,
    1.5,
    2.0,
    3.0,
    5.0,
    10.0,
    20.0,
    60.0,
)
#: ``http.client.request.duration``: one attempt (HTTP request or gRPC call); the same
#: range, as an attempt is a call without its retries.
ATTEMPT_BUCKETS = OPERATION_BUCKETS
#: ``db.client.connection.wait_time``: waiting for a pooled connection is microseconds
#: when one is idle and up to the pool timeout when the pool is exhausted.
CONNECTION_WAIT_BUCKETS = (
    0.00001,
    0.000025,
    0.00005,
    0.000075,
    0.0001,
    0.00015,
    0.0002,
    0.0003,
    0.0005,
    0.00075,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)
#: ``weaviate.client.retry.wait``: backoff and Retry-After, 10 ms to a minute.
WAIT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
#: The batch sizes a server-side batch stream is asked for (objects per message).
STREAM_BATCH_BUCKETS = (1, 10, 25, 50, 100, 200, 500, 1000, 2000, 5000, 10000)

_seq = itertools.count(1)
# Attribute dicts are built once per (operation, collection, endpoint) and outcome; a
# workload with more distinct shapes than this builds the rest per call (still correct).
_MAX_SHAPES = 4096


def metadata_attributes(metadata: Any) -> dict[str, Any]:
    """The caller's correlation metadata as span/log attributes: ``weaviate.metadata.<key>``.

    Namespaced, so ``request_id`` or ``user`` never collide with the SDK's own
    attributes (``weaviate.request_id`` is the server's request id).
    """
    if not metadata:
        return {}
    return {f"weaviate.metadata.{key}": _attr_value(value) for key, value in metadata.items()}


def _db_attributes(meta: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "db.system.name": "weaviate",
        "db.operation.name": meta.get("operation") or "unknown",
        "server.address": meta.get("server_address") or "",
        "server.port": meta.get("server_port") or 0,
    }
    collection = meta.get("collection")
    if collection:
        attrs["db.collection.name"] = collection
    transport = meta.get("transport")
    if transport:
        attrs["weaviate.transport"] = transport
    return attrs


@dataclass(slots=True)
class _Shape:
    """What every call to one (operation, collection, endpoint) shares, built once."""

    name: str
    span_attrs: dict[str, Any]
    metric_attrs: dict[str, Any]
    http_metric_attrs: dict[str, Any]
    in_flight_key: tuple[str, str]
    pool_attrs: dict[str, Any]
    outcomes: dict[tuple[str, Any, str | None], dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class _Call:
    span: trace.Span
    shape: _Shape
    token: object
    context: Any
    # The first attempt of a call has no span of its own in "retries" mode: its facts
    # wait here, become the logical span's HTTP attributes, or (when the call is
    # retried) a span of their own after the fact.
    first: tuple[int, int, dict[str, Any], str | None, str] | None = None


@dataclass(slots=True)
class _Attempt:
    span: trace.Span | None
    started_ns: int
    url: str


@dataclass
class OpenTelemetryInstrumentation:
    """What :func:`instrument_opentelemetry` attached; :meth:`uninstrument` undoes it.

    Usable as a context manager (uninstruments on exit).
    """

    handler_id: str
    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider | None
    attempt_spans: str = "retries"
    _calls: dict[Any, _Call] = field(default_factory=dict, repr=False)
    _attempts: dict[Any, _Attempt] = field(default_factory=dict, repr=False)

    def uninstrument(self) -> None:
        """Detach the handlers; spans still open are ended. Idempotent."""
        _bus.detach(self.handler_id)
        for attempt in list(self._attempts.values()):
            if attempt.span is not None:
                attempt.span.end()
        for call in list(self._calls.values()):
            call.span.end()
        self._attempts.clear()
        self._calls.clear()

    def __enter__(self) -> OpenTelemetryInstrumentation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstrument()


class _Bridge:
    """The handler state: instruments, open spans, dispatch table."""

    def __init__(
        self,
        handle: OpenTelemetryInstrumentation,
        prefix: tuple[str, ...],
        tracer_provider: TracerProvider | None,
        meter_provider: MeterProvider | None,
    ) -> None:
        self.calls = handle._calls
        self.attempts = handle._attempts
        self.always = handle.attempt_spans == "always"
        self.shapes: dict[tuple[Any, ...], _Shape] = {}
        self.tracer = trace.get_tracer(SCOPE, __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(SCOPE, __version__, meter_provider=meter_provider)
        self.db_duration = meter.create_histogram(
            "db.client.operation.duration",
            unit="s",
            description="Duration of Weaviate client operations (logical calls, incl. retries).",
            explicit_bucket_boundaries_advisory=OPERATION_BUCKETS,
        )
        self.http_duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP requests (one per attempt).",
            explicit_bucket_boundaries_advisory=ATTEMPT_BUCKETS,
        )
        self.retries = meter.create_counter(
            "weaviate.client.retries", unit="{retry}", description="Retries scheduled."
        )
        self.errors = meter.create_counter(
            "weaviate.client.errors",
            unit="{error}",
            description="Failed logical calls, by error.type.",
        )
        # In-flight calls are counted in plain ints and observed at collection
        # time: two synchronous measurements per call would cost more than the rest.
        self.in_flight: dict[tuple[str, str], int] = {}
        self.in_flight_lock = fork.lock()
        meter.create_observable_up_down_counter(
            "weaviate.client.active_requests",
            callbacks=[self._observe_in_flight],
            unit="{request}",
            description="Logical calls in flight.",
        )
        self.batch_objects = meter.create_counter(
            "weaviate.client.batch.objects",
            unit="{object}",
            description="Objects sent in batches, by outcome (succeeded/failed).",
        )
        self.stream_pacing = meter.create_counter(
            "weaviate.client.batch.stream.pacing",
            unit="{message}",
            description="Server-side batching: streams started, the server's pacing messages "
            "and the client's answers, by event (started, backoff, out_of_memory, "
            "shutting_down, reconnect, fallback).",
        )
        self.stream_batch_size = meter.create_histogram(
            "weaviate.client.batch.stream.batch_size",
            unit="{object}",
            description="Server-side batching: the batch size the server asked for (backpressure: "
            "smaller means the server is busier).",
            explicit_bucket_boundaries_advisory=STREAM_BATCH_BUCKETS,
        )
        self.budget_refusals = meter.create_counter(
            "weaviate.client.retry.budget.refusals",
            unit="{retry}",
            description="Retries that were due but refused because the retry budget was empty.",
        )
        self.retry_wait = meter.create_histogram(
            "weaviate.client.retry.wait",
            unit="s",
            description="Waits before a retry, by source (the server's retry_after, or backoff).",
            explicit_bucket_boundaries_advisory=WAIT_BUCKETS,
        )
        self.connection_wait = meter.create_histogram(
            "db.client.connection.wait_time",
            unit="s",
            description="Time an attempt waited for a free pooled connection.",
            explicit_bucket_boundaries_advisory=CONNECTION_WAIT_BUCKETS,
        )
        # Pool use and resting endpoints are states: sampled from the clients
        # (via the event bus' state registry) when the reader collects.
        meter.create_observable_up_down_counter(
            "http.client.open_connections",
            callbacks=[_observe_open_connections],
            unit="{connection}",
            description="Open HTTP connections, by state (active/idle).",
        )
        meter.create_observable_up_down_counter(
            "db.client.connection.count",
            callbacks=[_observe_connection_count],
            unit="{connection}",
            description="Pooled connections, by state (used/idle).",
        )
        meter.create_observable_up_down_counter(
            "db.client.connection.max",
            callbacks=[_observe_connection_max],
            unit="{connection}",
            description="The most connections a pool may hold (Config.pool_maxsize).",
        )
        meter.create_observable_gauge(
            "weaviate.client.endpoint.resting",
            callbacks=[_observe_resting],
            unit="{endpoint}",
            description="1 while an endpoint rests after failures (fallback endpoints), else 0.",
        )
        meter.create_observable_gauge(
            "weaviate.client.auth.token.expires_in",
            callbacks=[_observe_token_expiry],
            unit="s",
            description="Seconds until the OIDC access token expires (renewed before it does).",
        )
        self.dispatch = {
            (*prefix, "request", "start"): self.request_start,
            (*prefix, "request", "stop"): self.request_stop,
            (*prefix, "request", "exception"): self.request_stop,
            (*prefix, "request", "retry"): self.retry,
            (*prefix, "attempt", "start"): self.attempt_start,
            (*prefix, "attempt", "stop"): self.attempt_stop,
            (*prefix, "attempt", "exception"): self.attempt_stop,
            (*prefix, "stream", "pacing"): self.stream_event,
            (*prefix, "stream", "results"): self.stream_results,
        }

    def _observe_in_flight(self, options: CallbackOptions) -> Iterable[Observation]:
        for (operation, address), count in list(self.in_flight.items()):
            yield Observation(
                count,
                {
                    "db.system.name": "weaviate",
                    "db.operation.name": operation,
                    "server.address": address,
                },
            )

    def __call__(
        self,
        name: _bus.EventName,
        measurements: Mapping[str, float],
        meta: Mapping[str, Any],
        config: Any,
    ) -> None:
        self.dispatch[name](measurements, meta)

    # -- logical call ------------------------------------------------------------------

    def _shape(self, meta: Mapping[str, Any]) -> _Shape:
        key = (
            meta.get("operation"),
            meta.get("collection"),
            meta.get("server_address"),
            meta.get("server_port"),
            meta.get("method"),
            meta.get("transport"),
        )
        shape = self.shapes.get(key)
        if shape is None:
            attrs = _db_attributes(meta)
            operation = attrs["db.operation.name"]
            collection = attrs.get("db.collection.name")
            shape = _Shape(
                f"{operation} {collection}" if collection else operation,
                attrs,
                attrs,
                {
                    "http.request.method": meta.get("method") or "GET",
                    "server.address": attrs["server.address"],
                    "server.port": attrs["server.port"],
                    "weaviate.transport": "http",
                },
                (operation, attrs["server.address"]),
                {
                    "db.client.connection.pool.name": (
                        f"{attrs['server.address']}:{attrs['server.port']}"
                    )
                },
            )
            if len(self.shapes) < _MAX_SHAPES:  # user-chosen collection names: stay bounded
                self.shapes[key] = shape
        return shape

    @staticmethod
    def _with(
        shape: _Shape, base: dict[str, Any], status: Any, error_type: str | None, key: str
    ) -> dict[str, Any]:
        """``base`` plus a status and an error type: one shared dict per outcome."""
        if status is None and error_type is None:
            return base
        cache_key = (key, status, error_type)
        attrs = shape.outcomes.get(cache_key)
        if attrs is None:
            attrs = dict(base)
            if status is not None:
                attrs[key] = str(status) if key == "db.response.status_code" else status
            if error_type is not None:
                attrs["error.type"] = error_type
            if len(shape.outcomes) < _MAX_SHAPES:
                shape.outcomes[cache_key] = attrs
        return attrs

    def request_start(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        shape = self._shape(meta)
        system_time = measurements.get("system_time")
        span = self.tracer.start_span(
            shape.name,
            kind=SpanKind.CLIENT,
            attributes=shape.span_attrs,
            start_time=int(system_time * 1e9) if system_time is not None else None,
        )
        # One context per call: the logical span, with HTTP instrumentation suppressed
        # (urllib3 auto-instrumentation would add a second span for each request).
        caller = meta.get("metadata")
        if caller and span.is_recording():
            span.set_attributes(metadata_attributes(caller))
        ctx = otel_context.set_value(_SUPPRESS_HTTP, True, trace.set_span_in_context(span))
        token = otel_context.attach(ctx)
        self.calls[meta["ref"]] = _Call(span, shape, token, ctx)
        ids = meta.get("trace")
        if isinstance(ids, dict):
            span_ctx = span.get_span_context()
            if span_ctx.is_valid:
                ids["trace_id"] = format(span_ctx.trace_id, "032x")
                ids["span_id"] = format(span_ctx.span_id, "016x")
        key = shape.in_flight_key
        with self.in_flight_lock:
            self.in_flight[key] = self.in_flight.get(key, 0) + 1

    def request_stop(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        call = self.calls.pop(meta["ref"], None)
        if call is None:  # attached mid-call
            return
        with contextlib.suppress(Exception):  # a token from another context
            otel_context.detach(call.token)  # type: ignore[arg-type]
        span, shape = call.span, call.shape
        key = shape.in_flight_key
        with self.in_flight_lock:
            self.in_flight[key] = self.in_flight.get(key, 1) - 1
        status = meta.get("status_code")
        error_kind = meta.get("error_kind") or None
        attrs = self._with(shape, shape.metric_attrs, status, error_kind, "db.response.status_code")
        recording = span.is_recording()
        if error_kind:
            if recording:
                span.set_status(Status(StatusCode.ERROR, _error_text(meta)))
            self.errors.add(1, attrs)
            if meta.get("retry_refused") == "budget":
                self.budget_refusals.add(1, attrs)
        if recording:
            extra: dict[str, Any] = {}
            if status is not None:
                extra["db.response.status_code"] = str(status)
            if error_kind:
                extra["error.type"] = error_kind
            attempts = meta.get("attempt")
            if attempts:
                extra["weaviate.attempts"] = attempts
            request_id = meta.get("request_id")
            if request_id:
                extra["weaviate.request_id"] = request_id
            first = call.first
            if first is not None:  # one attempt, no span of its own: its HTTP facts go here
                outcome = first[2]
                extra["http.request.method"] = outcome["http.request.method"]
                extra["url.full"] = first[4]
                if "http.response.status_code" in outcome:
                    extra["http.response.status_code"] = outcome["http.response.status_code"]
            span.set_attributes(extra)
        # In the call's context, so a sampled call leaves an exemplar (latency -> trace).
        self.db_duration.record(measurements.get("duration", 0.0), attrs, call.context)
        if "batch_size" in meta:
            self._batch(meta)
        span.end()

    def _batch(self, meta: Mapping[str, Any]) -> None:
        size = meta.get("batch_size")
        if not isinstance(size, int) or size <= 0:
            return
        failed = meta.get("objects_failed")
        failed = failed if isinstance(failed, int) and failed >= 0 else 0
        if meta.get("error_kind"):
            failed = size
        operation = meta.get("operation") or "unknown"
        base = {"db.operation.name": operation}
        if meta.get("collection"):
            base["db.collection.name"] = meta["collection"]
        if size - failed:
            self.batch_objects.add(size - failed, {**base, "outcome": "succeeded"})
        if failed:
            self.batch_objects.add(failed, {**base, "outcome": "failed"})

    def stream_event(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        """A pacing message of a server-side batch stream: an event on the import's one
        span, a count by event, the server's batch size (docs/batch.md)."""
        event = str(meta.get("event") or "unknown")
        call = self.calls.get(meta["ref"])
        if call is not None and call.span.is_recording():
            attrs: dict[str, Any] = {
                f"weaviate.batch.{k}": v for k, v in measurements.items() if v is not None
            }
            for key in ("reason", "error_kind"):
                if meta.get(key):
                    attrs[f"weaviate.batch.{key}"] = meta[key]
            call.span.add_event(f"batch.stream.{event}", attrs)
        base = {"db.operation.name": meta.get("operation") or "unknown"}
        self.stream_pacing.add(1, {**base, "weaviate.batch.event": event})
        size = measurements.get("batch_size")
        if size is not None and event in ("started", "backoff"):
            self.stream_batch_size.record(size, base)

    def stream_results(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        """Objects a server-side batch stream settled, by outcome (the batch metric)."""
        base = {"db.operation.name": meta.get("operation") or "unknown"}
        if meta.get("collection"):
            base["db.collection.name"] = meta["collection"]
        for outcome in ("succeeded", "failed"):
            count = int(measurements.get(outcome) or 0)
            if count:
                self.batch_objects.add(count, {**base, "outcome": outcome})

    def retry(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        call = self.calls.get(meta["ref"])
        error_kind = meta.get("error_kind") or "unknown"
        if call is not None:
            self._first_attempt_span(call, meta)
            if call.span.is_recording():
                call.span.add_event(
                    "retry",
                    {
                        "weaviate.attempt": meta.get("attempt") or 0,
                        "weaviate.retry.wait": measurements.get("wait", 0.0),
                        "error.type": error_kind,
                    },
                )
            attrs = {**call.shape.metric_attrs, "error.type": error_kind}
        else:
            attrs = {**_db_attributes(meta), "error.type": error_kind}
        self.retries.add(1, attrs)
        self.retry_wait.record(
            measurements.get("wait", 0.0),
            {
                "db.operation.name": attrs["db.operation.name"],
                "weaviate.retry.source": meta.get("wait_source") or "backoff",
            },
        )

    def _first_attempt_span(self, call: _Call, meta: Mapping[str, Any]) -> None:
        """The call is retried: its first attempt becomes a span after all (its real times)."""
        first, call.first = call.first, None
        if first is None or not call.span.is_recording():
            return
        started_ns, ended_ns, outcome, error_text, url = first
        method = meta.get("method") or "GET"
        template = meta.get("path_template")
        attrs = {
            **self._attempt_attrs(meta, method, template, url, 1),
            **outcome,
            **metadata_attributes(meta.get("metadata")),
        }
        span = self.tracer.start_span(
            f"{method} {template}" if template else method,
            context=call.context,
            kind=SpanKind.CLIENT,
            attributes=attrs,
            start_time=started_ns,
        )
        if error_text is not None:
            span.set_status(Status(StatusCode.ERROR, error_text))
        span.end(end_time=ended_ns)

    # -- one HTTP attempt ----------------------------------------------------------------

    @staticmethod
    def _attempt_attrs(
        meta: Mapping[str, Any], method: str, template: str | None, url: str, number: int
    ) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "http.request.method": method,
            "server.address": meta.get("server_address") or "",
            "server.port": meta.get("server_port") or 0,
            "url.full": url,  # redacted by the pipeline
        }
        if template:
            attrs["url.template"] = template
        if number > 1:
            attrs["http.request.resend_count"] = number - 1
        return attrs

    def attempt_start(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        call = self.calls.get(meta["ref"])
        if call is None:  # attached mid-call
            return
        number = meta.get("attempt") or 1
        if meta.get("transport") == "grpc":
            self._rpc_attempt_start(meta, call, number)
            return
        url = meta.get("url") or ""
        system_time = measurements.get("system_time")
        started_ns = int(system_time * 1e9) if system_time is not None else time.time_ns()
        span = None
        ctx = call.context
        if number > 1 or self.always or not call.span.is_recording():
            if call.first is not None:  # the first attempt's span, if not made yet
                self._first_attempt_span(call, meta)
            if call.span.is_recording():
                method = meta.get("method") or "GET"
                template = meta.get("path_template")
                span = self.tracer.start_span(
                    f"{method} {template}" if template else method,
                    context=ctx,
                    kind=SpanKind.CLIENT,
                    attributes={
                        **self._attempt_attrs(meta, method, template, url, number),
                        **metadata_attributes(meta.get("metadata")),
                    },
                    start_time=started_ns,
                )
                ctx = trace.set_span_in_context(span, ctx)
        carrier = meta.get("propagation_headers")
        if isinstance(carrier, dict):
            propagate.inject(carrier, context=ctx)
        self.attempts[(meta["ref"], number)] = _Attempt(span, started_ns, url)

    def attempt_stop(self, measurements: Mapping[str, float], meta: Mapping[str, Any]) -> None:
        number = meta.get("attempt") or 1
        attempt = self.attempts.pop((meta["ref"], number), None)
        if attempt is None:
            return
        call = self.calls.get(meta["ref"])
        if meta.get("transport") == "grpc":
            self._rpc_attempt_stop(measurements, meta, attempt)
            return
        status = meta.get("status_code")
        error_type = None
        error_text = None
        if meta.get("error_kind"):
            # HTTP conventions: the status code when there is one, else the failure kind.
            error_type = str(status) if status is not None else meta["error_kind"]
            error_text = _error_text(meta)
        if call is not None:
            shape = call.shape
            attrs = self._with(
                shape, shape.http_metric_attrs, status, error_type, "http.response.status_code"
            )
        else:
            attrs = {"http.request.method": meta.get("method") or "GET"}
        duration = measurements.get("duration", 0.0)
        self.http_duration.record(duration, attrs)
        pool_wait = measurements.get("pool_wait")
        if pool_wait is not None and call is not None:
            self.connection_wait.record(pool_wait, call.shape.pool_attrs)
        span = attempt.span
        if span is not None:
            outcome: dict[str, Any] = {}
            if status is not None:
                outcome["http.response.status_code"] = status
            if error_type is not None:
                outcome["error.type"] = error_type
                span.set_status(Status(StatusCode.ERROR, error_text))
            if outcome:
                span.set_attributes(outcome)
            span.end()
        elif call is not None and call.span.is_recording():
            outcome = {"http.request.method": attrs.get("http.request.method", "GET")}
            if status is not None:
                outcome["http.response.status_code"] = status
            if error_type is not None:
                outcome["error.type"] = error_type
            ended_ns = attempt.started_ns + int(duration * 1e9)
            call.first = (attempt.started_ns, ended_ns, outcome, error_text, attempt.url)

    # -- one gRPC attempt (always a span of its own) ------------------------------------

    def _rpc_attempt_start(self, meta: Mapping[str, Any], call: _Call, number: int) -> None:
        """One gRPC attempt: a CLIENT span per the RPC semantic conventions."""
        full = meta.get("rpc_method") or "weaviate.v1.Weaviate/unknown"
        service = full.rpartition("/")[0]
        attrs: dict[str, Any] = {
            "rpc.system": "grpc",
            "rpc.system.name": "grpc",
            "rpc.service": service,
            "rpc.method": full,
            "server.address": meta.get("server_address") or "",
            "server.port": meta.get("server_port") or 0,
        }
        if number > 1:
            attrs["weaviate.attempt"] = number
        attrs.update(metadata_attributes(meta.get("metadata")))
        span = self.tracer.start_span(
            full, context=call.context, kind=SpanKind.CLIENT, attributes=attrs
        )
        ctx = trace.set_span_in_context(span, call.context)
        carrier = meta.get("propagation_headers")
        if isinstance(carrier, dict):
            propagate.inject(carrier, context=ctx)
        self.attempts[(meta["ref"], number)] = _Attempt(span, 0, full)

    def _rpc_attempt_stop(
        self, measurements: Mapping[str, float], meta: Mapping[str, Any], attempt: _Attempt
    ) -> None:
        span = attempt.span
        attrs: dict[str, Any] = {
            "rpc.system.name": "grpc",
            "rpc.method": attempt.url,
            "server.address": meta.get("server_address") or "",
            "server.port": meta.get("server_port") or 0,
            "weaviate.transport": "grpc",
        }
        status = meta.get("rpc_status")
        code = _GRPC_CODES.get(status) if isinstance(status, str) else None
        outcome: dict[str, Any] = {}
        if code is not None:
            attrs["rpc.grpc.status_code"] = outcome["rpc.grpc.status_code"] = code
        if meta.get("error_kind"):
            error_type = status or meta["error_kind"]
            attrs["error.type"] = outcome["error.type"] = error_type
            outcome["weaviate.error.kind"] = meta["error_kind"]
        # The same attempt-duration metric as HTTP, told apart by weaviate.transport.
        self.http_duration.record(measurements.get("duration", 0.0), attrs)
        if span is not None:
            if outcome:
                span.set_attributes(outcome)
            if meta.get("error_kind"):
                span.set_status(Status(StatusCode.ERROR, _error_text(meta)))
            span.end()


_GRPC_CODES = {
    name: code
    for code, name in enumerate(
        (
            "OK",
            "CANCELLED",
            "UNKNOWN",
            "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED",
            "NOT_FOUND",
            "ALREADY_EXISTS",
            "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION",
            "ABORTED",
            "OUT_OF_RANGE",
            "UNIMPLEMENTED",
            "INTERNAL",
            "UNAVAILABLE",
            "DATA_LOSS",
            "UNAUTHENTICATED",
        )
    )
}


def _pools() -> dict[tuple[str, int], list[int]]:
    """idle, in use, max per host, summed over live clients."""
    totals: dict[tuple[str, int], list[int]] = {}
    for state in _bus.states():
        for use in state.get("connections", ()):
            entry = totals.setdefault((use.server_address, use.server_port), [0, 0, 0])
            entry[0] += use.idle
            entry[1] += use.in_use
            entry[2] += use.max
    return totals


def _observe_open_connections(options: CallbackOptions) -> Iterable[Observation]:
    for (address, port), (idle, in_use, _) in _pools().items():
        for state, value in (("active", in_use), ("idle", idle)):
            yield Observation(
                value,
                {"server.address": address, "server.port": port, "http.connection.state": state},
            )


def _observe_connection_count(options: CallbackOptions) -> Iterable[Observation]:
    for (address, port), (idle, in_use, _) in _pools().items():
        name = {"db.client.connection.pool.name": f"{address}:{port}"}
        yield Observation(in_use, {**name, "db.client.connection.state": "used"})
        yield Observation(idle, {**name, "db.client.connection.state": "idle"})


def _observe_connection_max(options: CallbackOptions) -> Iterable[Observation]:
    for (address, port), (_, _, most) in _pools().items():
        yield Observation(most, {"db.client.connection.pool.name": f"{address}:{port}"})


def _observe_resting(options: CallbackOptions) -> Iterable[Observation]:
    resting: dict[tuple[str, int], int] = {}
    for state in _bus.states():
        for address, port, rests in state.get("endpoints", ()):
            resting[(address, port)] = max(resting.get((address, port), 0), int(rests))
    for (address, port), value in resting.items():
        yield Observation(value, {"server.address": address, "server.port": port})


def _observe_token_expiry(options: CallbackOptions) -> Iterable[Observation]:
    soonest: dict[str, float] = {}
    for state in _bus.states():
        for issuer, seconds in state.get("auth_tokens", ()):
            soonest[issuer] = min(seconds, soonest.get(issuer, seconds))
    for issuer, seconds in soonest.items():
        yield Observation(seconds, {"weaviate.auth.issuer": issuer})


def _error_text(meta: Mapping[str, Any]) -> str:
    err = meta.get("error")
    return redact_text(str(err)) if err is not None else str(meta.get("error_kind") or "")


def instrument_opentelemetry(
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    prefix: tuple[str, ...] = ("weaviate",),
    *,
    attempt_spans: str = "retries",
) -> OpenTelemetryInstrumentation:
    """Emit OpenTelemetry spans and metrics for every SDK call.

    Uses the global providers unless given explicit ones. Returns a handle
    whose ``uninstrument()`` detaches the handlers again.

    ``attempt_spans`` chooses the spans per HTTP attempt (``docs/telemetry.md``):

    - ``"retries"`` (default): a call answered by its first attempt is one span,
      carrying the HTTP attributes of that attempt (``http.request.method``,
      ``url.full``, ``http.response.status_code``); a call that takes more
      attempts gets a child span for every attempt, the first included.
    - ``"always"``: a child span for every attempt, retried or not.

    Example::

        inst = wt.telemetry.instrument_opentelemetry()
        client.meta()          # -> span "meta" (with the HTTP attributes)
        inst.uninstrument()
    """
    if attempt_spans not in ("retries", "always"):
        from .._core.errors import ConfigError

        raise ConfigError(
            f"invalid attempt_spans {attempt_spans!r}: expected 'retries' or 'always'"
        )
    handle = OpenTelemetryInstrumentation(
        f"weaviate_telemetry.opentelemetry.{next(_seq)}",
        tracer_provider,
        meter_provider,
        attempt_spans,
    )
    bridge = _Bridge(handle, tuple(prefix), tracer_provider, meter_provider)
    _bus.attach(handle.handler_id, list(bridge.dispatch), bridge)
    return handle


# -- one-call OTLP setup -------------------------------------------------------------------

#: The loggers of the OTLP exporters (HTTP and gRPC) whose export failures are condensed.
_EXPORTER_LOGGERS = (
    "opentelemetry.exporter.otlp.common.http",
    "opentelemetry.exporter.otlp.proto.http._common",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    "opentelemetry.exporter.otlp.proto.http._log_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.metric_exporter",
    "opentelemetry.exporter.otlp.proto.grpc._log_exporter",
)
#: The SDK's export processors: an exporter that raises (older exporters do when the
#: collector refuses the connection) is logged there with its traceback. Only those
#: lines are condensed; the processors' other warnings pass.
_PROCESSOR_LOGGERS = (
    "opentelemetry.sdk._shared_internal",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.sdk.metrics._internal.export",
    "opentelemetry.sdk._logs._internal",
    "opentelemetry.sdk._logs._internal.export",
)
#: After one export-failure line, further ones are dropped for this long.
EXPORT_WARNING_INTERVAL = 300.0
_SIGNALS = ("traces", "metrics", "logs")
_HISTOGRAMS = {
    "explicit": "explicit",
    "explicit_bucket_histogram": "explicit",
    "exponential": "exponential",
    "base2_exponential_bucket_histogram": "exponential",
}


class _ExportFailureFilter:
    """Condenses the OTLP exporters' retry and failure lines to one line per interval.

    With the collector down the SDK logs every retry of every signal ("Transient error
    ... retrying in 1.00s", then "Failed to export ... batch"); a program sees one line
    naming the endpoint and the reason, and the rest are dropped.
    """

    def __init__(self, interval: float = EXPORT_WARNING_INTERVAL) -> None:
        self.interval = interval
        self.last: float | None = None
        self.dropped = 0
        self.lock = threading.Lock()

    def filter(self, record: Any) -> bool:
        import logging

        if record.levelno < logging.WARNING:
            return True
        if record.name in _PROCESSOR_LOGGERS and not str(record.msg).startswith(
            "Exception while exporting"
        ):
            return True
        now = time.monotonic()
        with self.lock:
            if self.last is not None and now - self.last < self.interval:
                self.dropped += 1
                return False
            self.last = now
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            # One line, not a traceback: the reason is the exception's own message.
            text = f"{text} {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            record.exc_info, record.exc_text = None, None
        text = redact_text(text)
        record.msg = (
            "OpenTelemetry export failed: %s (weaviate_telemetry: further export errors "
            "are not logged for %d s)"
        )
        record.args = (text, int(self.interval))
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_export_filter = _ExportFailureFilter()


def _condense_export_logs() -> None:
    import logging

    for name in (*_EXPORTER_LOGGERS, *_PROCESSOR_LOGGERS):
        log = logging.getLogger(name)
        if _export_filter not in log.filters:
            log.addFilter(_export_filter)


def _exporter_names(signal: str) -> list[str]:
    """``OTEL_<SIGNAL>_EXPORTER``: ``otlp`` (default), ``console`` or ``none``."""
    raw = os.environ.get(f"OTEL_{signal.upper()}_EXPORTER", "otlp")
    names = [n.strip().lower() for n in raw.split(",") if n.strip()] or ["otlp"]
    if "none" in names:
        return []
    unknown = [n for n in names if n not in ("otlp", "console")]
    if unknown:
        from .._core.errors import ConfigError

        raise ConfigError(
            f"invalid OTEL_{signal.upper()}_EXPORTER {raw!r}: expected otlp, console or none"
        )
    return names


@dataclass
class OtlpSetup:
    """Providers built by :func:`configure_otlp`; ``shutdown()`` flushes and stops them.

    A signal turned off (``OTEL_TRACES_EXPORTER=none``, ``logs=False`` …) has no
    provider: its attribute is ``None``.
    """

    tracer_provider: Any
    meter_provider: Any
    logger_provider: Any
    instrumentation: OpenTelemetryInstrumentation | None
    shutdown_timeout: float = 1.0
    exporters: list[Any] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=fork.lock, repr=False)
    _done: bool = field(default=False, repr=False)

    def _providers(self) -> list[Any]:
        return [
            p
            for p in (self.tracer_provider, self.meter_provider, self.logger_provider)
            if p is not None
        ]

    def force_flush(self, timeout_millis: int = 10_000) -> None:
        """Export everything buffered so far."""
        for provider in self._providers():
            provider.force_flush(timeout_millis)

    def _in_forked_child(self) -> None:
        """Label what a forked child exports with its own ``process.pid``.

        opentelemetry-sdk >= 1.44 also gives the child a new ``service.instance.id``
        (and restarts its export threads); older versions keep the parent's.
        """
        from opentelemetry.sdk.resources import Resource

        child = Resource({"process.pid": os.getpid()})
        for provider in (self.tracer_provider, self.meter_provider, self.logger_provider):
            update = getattr(provider, "_update_resource", None)  # SDK >= 1.44
            if update is not None:
                update(child)

    def shutdown(self, timeout: float | None = None) -> None:
        """Uninstrument, flush and shut the providers down, in ``timeout`` seconds at most.

        ``timeout`` defaults to ``shutdown_timeout`` (1 s). What cannot be exported by
        then (the collector is down or slow) is dropped: the exporters are stopped, so
        their retries end and the program exits. Idempotent; runs at interpreter exit.
        """
        with self._lock:
            if self._done:
                return
            self._done = True
        import atexit

        atexit.unregister(self.shutdown)
        if self.instrumentation is not None:
            self.instrumentation.uninstrument()
        budget = self.shutdown_timeout if timeout is None else timeout
        deadline = time.monotonic() + budget
        # At the deadline every exporter is stopped: a retry waiting out its backoff
        # returns at once, and the flush and shutdown below stop waiting for it.
        stopper = threading.Timer(budget, self._stop_exporters)
        stopper.daemon = True
        stopper.start()
        try:
            for provider in self._providers():
                left = max(deadline - time.monotonic(), 0.0)
                with contextlib.suppress(Exception):
                    provider.force_flush(int(left * 1000))
            for provider in self._providers():
                with contextlib.suppress(Exception):
                    provider.shutdown()
        finally:
            stopper.cancel()

    def _stop_exporters(self) -> None:
        for exporter in self.exporters:
            with contextlib.suppress(Exception):
                exporter.shutdown()


def configure_otlp(
    service_name: str | None = None,
    *,
    endpoint: str | None = None,
    protocol: str | None = None,
    headers: Mapping[str, str] | None = None,
    logs: bool = True,
    traces: bool = True,
    metrics: bool = True,
    histograms: str | None = None,
    set_global: bool = True,
    instrument: bool = True,
    prefix: tuple[str, ...] = ("weaviate",),
    attempt_spans: str = "retries",
    shutdown_timeout: float = 1.0,
) -> OtlpSetup:
    """Build tracer, meter and logger providers exporting over OTLP, and instrument the SDK.

    Unset arguments come from the standard variables: ``OTEL_SERVICE_NAME``,
    ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` /
    ``OTEL_LOGS_EXPORTER`` (``otlp`` default, ``console``, or ``none`` to turn a signal
    off), ``OTEL_EXPORTER_OTLP_ENDPOINT`` (and the per-signal
    ``..._TRACES_/METRICS_/LOGS_ENDPOINT``, used as given),
    ``OTEL_EXPORTER_OTLP_PROTOCOL`` (``http/protobuf`` default, or ``grpc``; per signal
    ``..._TRACES_PROTOCOL`` …), ``OTEL_EXPORTER_OTLP_HEADERS``, ``..._TIMEOUT``,
    ``OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION``,
    ``OTEL_METRIC_EXPORT_INTERVAL``, ``OTEL_BSP_*``.

    ``endpoint`` is the collector's base URL (e.g. ``http://127.0.0.1:4318``; the
    per-signal paths are added for HTTP) and wins over the variables. ``traces``,
    ``metrics`` and ``logs`` set to ``False`` turn a signal off like ``none`` does.
    ``histograms`` is ``"explicit"`` (default: buckets fitted to each histogram) or
    ``"exponential"`` (base-2 exponential histograms, which Prometheus stores as
    native histograms); see docs/telemetry.md. ``attempt_spans`` is passed to
    :func:`instrument_opentelemetry`. Export failures are logged as one warning per
    five minutes, and :meth:`OtlpSetup.shutdown` (also run at exit) takes at most
    ``shutdown_timeout`` seconds.

    Example::

        otel = wt.telemetry.configure_otlp(service_name="search-api")
        ...
        otel.shutdown()  # at exit: flush and stop
    """
    import atexit

    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    wanted = {"traces": traces, "metrics": metrics, "logs": logs}
    kinds = {s: _exporter_names(s) if wanted[s] else [] for s in _SIGNALS}
    histogram_kind = _histogram_kind(histograms)
    attributes: dict[str, str | int] = {"process.pid": os.getpid()}
    if service_name:
        attributes[SERVICE_NAME] = service_name
    resource = Resource.create(attributes)
    exporters: list[Any] = []

    def build(signal: str) -> list[Any]:
        made = []
        for kind in kinds[signal]:
            if kind == "console":
                made.append(_console_exporter(signal))
            else:
                made.append(
                    _otlp_exporter(
                        signal,
                        _signal_protocol(signal, protocol),
                        endpoint,
                        headers,
                        histogram_kind,
                    )
                )
        exporters.extend(made)
        return made

    _condense_export_logs()
    tracer_provider = meter_provider = logger_provider = None
    span_exporters = build("traces")
    if span_exporters:
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        tracer_provider = SdkTracerProvider(resource=resource, shutdown_on_exit=False)
        for span_exporter in span_exporters:
            tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
    metric_exporters = build("metrics")
    if metric_exporters:
        from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        meter_provider = SdkMeterProvider(
            resource=resource,
            metric_readers=[PeriodicExportingMetricReader(e) for e in metric_exporters],
            shutdown_on_exit=False,
        )
    log_exporters = build("logs")
    if log_exporters:
        from opentelemetry.sdk._logs import LoggerProvider as SdkLoggerProvider
        from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

        logger_provider = SdkLoggerProvider(resource=resource, shutdown_on_exit=False)
        for log_exporter in log_exporters:
            logger_provider.add_log_record_processor(BatchLogRecordProcessor(log_exporter))
    if set_global:
        from opentelemetry import _logs

        if tracer_provider is not None:
            trace.set_tracer_provider(tracer_provider)
        if meter_provider is not None:
            _metrics_api.set_meter_provider(meter_provider)
        if logger_provider is not None:
            _logs.set_logger_provider(logger_provider)
    instrumentation = None
    if instrument:
        # A signal turned off stays off here too (not the global provider's).
        instrumentation = instrument_opentelemetry(
            tracer_provider or trace.NoOpTracerProvider(),
            meter_provider or _metrics_api.NoOpMeterProvider(),
            prefix,
            attempt_spans=attempt_spans,
        )
    setup = OtlpSetup(
        tracer_provider,
        meter_provider,
        logger_provider,
        instrumentation,
        shutdown_timeout,
        exporters,
    )
    atexit.register(setup.shutdown)
    fork.after_fork_in_child(setup._in_forked_child)
    return setup


def _histogram_kind(histograms: str | None) -> str | None:
    """``"explicit"``, ``"exponential"``, or ``None`` (the variable or the SDK decides)."""
    if histograms is None:
        raw = os.environ.get("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION")
        if not raw:
            return None
        histograms = raw
    kind = _HISTOGRAMS.get(histograms.strip().lower())
    if kind is None:
        from .._core.errors import ConfigError

        raise ConfigError(
            f"invalid histograms {histograms!r}: expected 'explicit' or 'exponential' "
            "(or explicit_bucket_histogram / base2_exponential_bucket_histogram)"
        )
    return kind


def _signal_protocol(signal: str, protocol: str | None) -> str:
    chosen = (
        protocol
        or os.environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
        or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    ).lower()
    if chosen not in ("http/protobuf", "http", "grpc"):
        from .._core.errors import ConfigError

        raise ConfigError(f"invalid OTLP protocol {chosen!r}: expected 'http/protobuf' or 'grpc'")
    return chosen


def _console_exporter(signal: str) -> Any:
    if signal == "traces":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if signal == "metrics":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter()
    from opentelemetry.sdk._logs import export as log_export

    # Named ConsoleLogExporter before opentelemetry-sdk 1.39 (the declared floor is 1.38).
    exporter = getattr(log_export, "ConsoleLogRecordExporter", None)
    return (exporter or log_export.ConsoleLogExporter)()


def _otlp_exporter(
    signal: str,
    protocol: str,
    endpoint: str | None,
    headers: Mapping[str, str] | None,
    histograms: str | None,
) -> Any:
    kwargs: dict[str, Any] = {}
    if headers:
        kwargs["headers"] = dict(headers)
    if signal == "metrics" and histograms is not None:
        from opentelemetry.sdk.metrics import Histogram
        from opentelemetry.sdk.metrics.view import (
            ExplicitBucketHistogramAggregation,
            ExponentialBucketHistogramAggregation,
        )

        aggregation = (
            ExponentialBucketHistogramAggregation()
            if histograms == "exponential"
            else ExplicitBucketHistogramAggregation()
        )
        kwargs["preferred_aggregation"] = {Histogram: aggregation}
    if protocol == "grpc":
        if endpoint:
            kwargs["endpoint"] = endpoint
            kwargs["insecure"] = endpoint.startswith("http://")
        if signal == "traces":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            return OTLPSpanExporter(**kwargs)
        if signal == "metrics":
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
                OTLPMetricExporter,
            )

            return OTLPMetricExporter(**kwargs)
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

        return OTLPLogExporter(**kwargs)
    if endpoint:
        kwargs["endpoint"] = endpoint.rstrip("/") + f"/v1/{signal}"
    if signal == "traces":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as HttpSpanExporter,
        )

        return HttpSpanExporter(**kwargs)
    if signal == "metrics":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
            OTLPMetricExporter as HttpMetricExporter,
        )

        return HttpMetricExporter(**kwargs)
    from opentelemetry.exporter.otlp.proto.http._log_exporter import (
        OTLPLogExporter as HttpLogExporter,
    )

    return HttpLogExporter(**kwargs)


# -- loguru → OpenTelemetry logs -----------------------------------------------------------

_SEVERITY = {
    "TRACE": SeverityNumber.TRACE,
    "DEBUG": SeverityNumber.DEBUG,
    "INFO": SeverityNumber.INFO,
    "SUCCESS": SeverityNumber.INFO2,
    "WARNING": SeverityNumber.WARN,
    "ERROR": SeverityNumber.ERROR,
    "CRITICAL": SeverityNumber.FATAL,
}


def _attr_value(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        return value
    return redact_text(str(value))


def otel_log_sink(logger_provider: LoggerProvider | None = None) -> Any:
    """A loguru sink that forwards each record to OpenTelemetry logs.

    Records keep trace correlation: the ``trace_id``/``span_id`` in the
    record's ``extra`` (set by :func:`log_to_loguru`) win, else the current
    span is used. Text is redacted.

    Example::

        from loguru import logger
        logger.add(wt.telemetry.otel_log_sink(), level="DEBUG")
    """
    provider = logger_provider or get_logger_provider()
    otel_logger = provider.get_logger(SCOPE, __version__)

    def sink(message: Any) -> None:
        record = message.record
        level = record["level"].name
        extra = record["extra"]
        attributes: dict[str, Any] = {
            "code.function.name": record["function"],
            "code.line.number": record["line"],
            "code.file.path": record["file"].path,
            "logger.name": record["name"] or "",
        }
        for key, value in extra.items():
            if key == "metadata" and isinstance(value, Mapping):  # log_to_loguru's caller keys
                attributes.update(metadata_attributes(value))
            elif value is not None and key not in ("trace_id", "span_id"):
                attributes[f"weaviate.{key}" if "." not in key else key] = _attr_value(value)
        ctx = None
        trace_id, span_id = extra.get("trace_id"), extra.get("span_id")
        if trace_id and span_id:
            span_ctx = SpanContext(
                int(trace_id, 16), int(span_id, 16), False, TraceFlags(TraceFlags.SAMPLED)
            )
            ctx = trace.set_span_in_context(NonRecordingSpan(span_ctx))
        exception = record["exception"]
        if exception is not None and exception.value is not None:
            attributes["exception.type"] = type(exception.value).__name__
            attributes["exception.message"] = redact_text(str(exception.value))
        otel_logger.emit(
            timestamp=int(record["time"].timestamp() * 1e9),
            context=ctx,
            severity_number=_SEVERITY.get(level, SeverityNumber.INFO),
            severity_text=level,
            body=redact_text(str(record["message"])),
            attributes=attributes,
        )

    return sink
