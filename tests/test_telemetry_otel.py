"""OpenTelemetry bridge and loguru routing, with in-memory exporters and a real Weaviate."""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stamina
import urllib3
from loguru import logger
from opentelemetry import context as otel_context
from opentelemetry.context import _SUPPRESS_HTTP_INSTRUMENTATION_KEY
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer
from weaviate_telemetry._core import events
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port

try:
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
except ImportError:  # older SDKs
    from opentelemetry.sdk._logs.export import (  # type: ignore[attr-defined,no-redef]
        InMemoryLogExporter as InMemoryLogRecordExporter,
    )

META_BODY = b'{"version": "1.39.0", "hostname": "http://[::]:8080", "modules": {}}'


@dataclass
class Otel:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[Any]:
        data = self.metrics.get_metrics_data()
        found: list[Any] = []
        if data is None:
            return found
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == name:
                        found.extend(metric.data.data_points)
        return found


@contextlib.contextmanager
def _otel(attempt_spans: str) -> Iterator[Otel]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    inst = wt.telemetry.instrument_opentelemetry(
        tracer_provider, meter_provider, attempt_spans=attempt_spans
    )
    try:
        yield Otel(spans, reader, tracer_provider, meter_provider)
    finally:
        inst.uninstrument()
        tracer_provider.shutdown()
        meter_provider.shutdown()


@pytest.fixture
def otel() -> Iterator[Otel]:
    """A child span per attempt (``attempt_spans="always"``)."""
    with _otel("always") as o:
        yield o


@pytest.fixture
def otel_default() -> Iterator[Otel]:
    """The default: attempt spans only for calls that take more than one attempt."""
    with _otel("retries") as o:
        yield o


def _pair(spans: list[ReadableSpan]) -> tuple[ReadableSpan, list[ReadableSpan]]:
    logical = [s for s in spans if "db.system.name" in (s.attributes or {})]
    assert len(logical) == 1, [s.name for s in spans]
    call = logical[0]
    assert call.context is not None
    parent_id = call.context.span_id
    children = [s for s in spans if s.parent is not None and s.parent.span_id == parent_id]
    return call, children


def test_logical_span_with_attempt_child(client: wt.Client, otel: Otel) -> None:
    client.meta()
    call, children = _pair(otel.finished())
    assert call.name == "meta"
    assert call.kind is SpanKind.CLIENT
    attrs = dict(call.attributes or {})
    assert attrs["db.system.name"] == "weaviate"
    assert attrs["db.operation.name"] == "meta"
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["db.response.status_code"] == "200"
    assert "error.type" not in attrs
    assert call.status.status_code is StatusCode.UNSET
    assert len(children) == 1
    child = children[0]
    assert child.kind is SpanKind.CLIENT
    assert child.name == "GET /v1/meta"
    cattrs = dict(child.attributes or {})
    assert cattrs["http.request.method"] == "GET"
    assert str(cattrs["url.full"]).endswith("/v1/meta")
    assert cattrs["http.response.status_code"] == 200
    assert cattrs["server.port"] == attrs["server.port"]
    assert "http.request.resend_count" not in cattrs
    assert child.context is not None and call.context is not None
    assert child.context.trace_id == call.context.trace_id


def test_span_name_includes_collection_and_parent_is_current_span(
    weaviate_server: Any, otel: Otel
) -> None:
    tracer = otel.tracer_provider.get_tracer("test")
    with wt.Client(weaviate_server.url) as c, tracer.start_as_current_span("app") as app:
        with pytest.raises(wt.NotFoundError):
            # update reads the definition first: GET /v1/schema/{collection} → 404
            c.collections.update("NoSuchCollection", {"description": "x"})
    spans = otel.finished()
    call, children = _pair(spans)
    assert call.name == "collections.get NoSuchCollection"
    assert call.parent is not None and call.parent.span_id == app.get_span_context().span_id
    attrs = dict(call.attributes or {})
    assert attrs["db.collection.name"] == "NoSuchCollection"
    assert attrs["error.type"] == "not_found"
    assert attrs["db.response.status_code"] == "404"
    assert call.status.status_code is StatusCode.ERROR
    assert children[0].status.status_code is StatusCode.ERROR
    assert dict(children[0].attributes or {})["error.type"] == "404"
    assert children[0].name == "GET /v1/schema/{collection}"


def test_connection_error_span_and_metrics(otel: Otel) -> None:
    with wt.Client(f"http://127.0.0.1:{free_port()}") as c, pytest.raises(wt.WeaviateError):
        c.meta()
    call, children = _pair(otel.finished())
    assert dict(call.attributes or {})["error.type"] == "connection_error"
    assert "db.response.status_code" not in dict(call.attributes or {})
    assert dict(children[0].attributes or {})["error.type"] == "connection_error"
    errors = otel.points("weaviate.client.errors")
    assert [p.attributes["error.type"] for p in errors] == ["connection_error"]
    durations = otel.points("db.client.operation.duration")
    assert durations and durations[0].attributes["error.type"] == "connection_error"


def test_default_one_span_per_call_carries_the_attempts_http_attributes(
    client: wt.Client, otel_default: Otel
) -> None:
    client.meta()
    call, children = _pair(otel_default.finished())
    assert children == []
    attrs = dict(call.attributes or {})
    assert call.name == "meta"
    assert attrs["db.operation.name"] == "meta"
    assert attrs["db.response.status_code"] == "200"
    assert attrs["http.request.method"] == "GET"
    assert str(attrs["url.full"]).endswith("/v1/meta")
    assert attrs["http.response.status_code"] == 200
    http = otel_default.points("http.client.request.duration")
    assert [p.attributes["http.response.status_code"] for p in http] == [200]


def test_default_failed_single_attempt_keeps_the_db_error_type(otel_default: Otel) -> None:
    with ScriptedHTTPServer([Canned(404, b'{"error": [{"message": "no"}]}')]) as server:
        with wt.Client(server.url) as c, pytest.raises(wt.NotFoundError):
            c.raw.request("GET", "/v1/objects/x")
    call, children = _pair(otel_default.finished())
    assert children == []
    attrs = dict(call.attributes or {})
    assert attrs["error.type"] == "not_found"  # the call's kind, not the HTTP "404"
    assert attrs["http.response.status_code"] == 404
    assert call.status.status_code is StatusCode.ERROR
    # the traceparent sent names the logical span
    trace_id, span_id = server.requests[0].headers["traceparent"].split("-")[1:3]
    assert call.context is not None
    assert (int(trace_id, 16), int(span_id, 16)) == (call.context.trace_id, call.context.span_id)


def test_default_retried_call_gets_a_span_per_attempt_first_included(otel_default: Otel) -> None:
    script = [(503, b"{}"), (200, META_BODY)]
    with (
        stamina.set_testing(True, attempts=3, cap=True),
        ScriptedHTTPServer([Canned(st, b) for st, b in script]) as server,
        wt.Client(server.url, retry=wt.RetryPolicy(enabled=True, max_attempts=3)) as c,
    ):
        c.raw.request("GET", "/v1/meta")
    call, children = _pair(otel_default.finished())
    children.sort(key=lambda s: s.start_time or 0)
    assert [s.name for s in children] == ["GET /v1/meta", "GET /v1/meta"]
    attrs = [dict(s.attributes or {}) for s in children]
    assert [a["http.response.status_code"] for a in attrs] == [503, 200]
    assert [a.get("http.request.resend_count") for a in attrs] == [None, 1]
    assert attrs[0]["error.type"] == "503"
    assert children[0].status.status_code is StatusCode.ERROR
    first, second = children
    assert first.end_time is not None and second.start_time is not None
    assert first.end_time <= second.start_time  # the first attempt keeps its real times
    assert "http.response.status_code" not in dict(call.attributes or {})
    # attempt 1 went out before anyone knew it would be retried: its traceparent names
    # the logical span; attempt 2's names its own span.
    parents = [r.headers["traceparent"].split("-")[2] for r in server.requests]
    assert call.context is not None and second.context is not None
    assert [int(p, 16) for p in parents] == [call.context.span_id, second.context.span_id]


def test_attempt_spans_option_is_validated() -> None:
    with pytest.raises(wt.ConfigError, match="attempt_spans"):
        wt.telemetry.instrument_opentelemetry(attempt_spans="sometimes")


def test_retries_make_attempt_children_and_count(otel: Otel) -> None:
    script = [(503, b"{}"), (502, b"{}"), (200, META_BODY)]
    with (
        stamina.set_testing(True, attempts=3, cap=True),
        ScriptedHTTPServer([Canned(st, b) for st, b in script]) as server,
        wt.Client(server.url, retry=wt.RetryPolicy(enabled=True, max_attempts=3)) as c,
    ):
        c.raw.request("GET", "/v1/meta")
    call, children = _pair(otel.finished())
    children.sort(key=lambda s: s.start_time or 0)
    assert [dict(s.attributes or {}).get("http.request.resend_count") for s in children] == [
        None,
        1,
        2,
    ]
    assert [dict(s.attributes or {})["http.response.status_code"] for s in children] == [
        503,
        502,
        200,
    ]
    assert [e.name for e in call.events] == ["retry", "retry"]
    assert dict(call.attributes or {})["weaviate.attempts"] == 3
    retries = otel.points("weaviate.client.retries")
    assert sum(p.value for p in retries) == 2
    # traceparent carries the attempt span's context, per attempt
    for recorded, child in zip(server.requests, children, strict=True):
        assert child.context is not None
        trace_id, span_id = recorded.headers["traceparent"].split("-")[1:3]
        assert int(trace_id, 16) == child.context.trace_id
        assert int(span_id, 16) == child.context.span_id


def test_duration_histograms_use_advised_buckets(client: wt.Client, otel: Otel) -> None:
    client.meta()
    db = otel.points("db.client.operation.duration")
    http = otel.points("http.client.request.duration")
    wait = otel.points("db.client.connection.wait_time")
    assert db and http and wait
    assert isinstance(db[0], HistogramDataPoint)
    # Each histogram's buckets fit what it measures: calls and attempts from 0.5 ms with
    # boundaries at most 1.5x apart up to a second; pool waits from 10 microseconds.
    for points in (db, http):
        bounds = tuple(points[0].explicit_bounds)
        assert bounds[0] == 0.0005 and bounds[-1] == 60
        assert all(b / a <= 2 for a, b in itertools.pairwise(bounds) if b <= 1)
    assert tuple(wait[0].explicit_bounds)[:3] == (0.00001, 0.000025, 0.00005)
    assert wait[0].count == 1 and wait[0].sum < 0.01
    assert db[0].attributes["db.operation.name"] == "meta"
    assert http[0].attributes["http.response.status_code"] == 200
    active = otel.points("weaviate.client.active_requests")
    assert active and all(p.value == 0 for p in active)


def test_latency_points_carry_exemplars_of_the_calls_trace(
    client: wt.Client, otel_default: Otel
) -> None:
    """A latency panel can jump to the trace of a slow call: exemplars name its span."""
    client.meta()
    (span,) = otel_default.finished()
    assert span.context is not None
    data = otel_default.metrics.get_metrics_data()  # once: a collection resets exemplars
    assert data is not None
    points = {
        metric.name: metric.data.data_points
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
    }
    for name in ("db.client.operation.duration", "http.client.request.duration"):
        (point,) = points[name]
        (exemplar,) = point.exemplars
        assert exemplar.trace_id == span.context.trace_id, name
        assert exemplar.span_id == span.context.span_id, name


def test_batch_objects_counter_reads_batch_keys(otel: Otel) -> None:
    meta = {
        "ref": "batch-1",
        "operation": "batch.objects",
        "collection": "Article",
        "server_address": "127.0.0.1",
        "server_port": 8080,
        "trace": {},
    }
    events.execute(("weaviate", "request", "start"), {"system_time": 0.0}, meta)
    events.execute(
        ("weaviate", "request", "stop"),
        {"duration": 0.01},
        {**meta, "status_code": 200, "batch_size": 10, "objects_failed": 3, "error_kind": None},
    )
    counted = otel.points("weaviate.client.batch.objects")
    points = {p.attributes["outcome"]: p.value for p in counted}
    assert points == {"succeeded": 7, "failed": 3}


def test_attempt_runs_with_http_instrumentation_suppressed(client: wt.Client, otel: Otel) -> None:
    seen: list[Any] = []

    def probe(name: Any, measurements: Any, metadata: Any, config: Any) -> None:
        seen.append(otel_context.get_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY))

    # attached after the bridge, so it runs while the attempt context is attached
    wt.telemetry.attach("test.probe", [("weaviate", "attempt", "start")], probe)
    try:
        client.meta()
    finally:
        wt.telemetry.detach("test.probe")
    assert seen == [True]
    assert otel_context.get_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY) is None  # restored


def test_two_instrumentations_leave_the_callers_context_as_it_was(
    client: wt.Client, otel: Otel, otel_default: Otel
) -> None:
    """Each bridge attaches its own context at the start of a call; they are detached in
    nesting order, so nothing stays attached in the calling thread afterwards."""
    before = otel_context.get_current()
    client.meta()
    with pytest.raises(wt.NotFoundError):
        client.raw.request("GET", "/v1/schema/NoSuchCollectionHere")
    assert otel_context.get_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY) is None
    assert otel_context.get_current() == before
    for bridge in (otel, otel_default):  # both bridges saw both calls
        logical = [s.name for s in bridge.finished() if "db.system.name" in (s.attributes or {})]
        assert logical == ["meta", "raw"]


def test_no_double_spans_with_urllib3_auto_instrumentation(
    client: wt.Client, otel: Otel, weaviate_server: EmbeddedWeaviate
) -> None:
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    instrumentor = URLLib3Instrumentor()
    instrumentor.instrument(tracer_provider=otel.tracer_provider)
    try:
        # The instrumentation is live: plain urllib3 use gets its span ...
        urllib3.PoolManager().request("GET", f"{weaviate_server.url}/v1/meta")
        assert len(otel.finished()) == 1
        otel.spans.clear()
        # ... while an SDK call yields exactly its own two spans.
        client.meta()
    finally:
        instrumentor.uninstrument()
    spans = otel.finished()
    assert sorted(s.name for s in spans) == ["GET /v1/meta", "meta"]
    call, children = _pair(spans)
    assert len(children) == 1 and children[0].parent.span_id == call.context.span_id


def test_uninstrument_stops_spans(client: wt.Client, otel: Otel) -> None:
    inst = wt.telemetry.instrument_opentelemetry(otel.tracer_provider, otel.meter_provider)
    inst.uninstrument()
    inst.uninstrument()  # idempotent
    client.meta()
    assert len(otel.finished()) == 2  # only the fixture's bridge


def test_importing_the_package_does_not_import_opentelemetry() -> None:
    code = (
        "import sys, weaviate_telemetry as wt\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'eager otel'\n"
        "wt.telemetry.instrument_opentelemetry\n"
        "assert 'opentelemetry.trace' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- loguru -----------------------------------------------------------------------------


@pytest.fixture
def log_records() -> Iterator[list[Any]]:
    records: list[Any] = []
    sink_id = logger.add(lambda m: records.append(m.record), level="DEBUG")
    try:
        yield records
    finally:
        logger.remove(sink_id)


def test_library_is_silent_until_enabled(client: wt.Client, log_records: list[Any]) -> None:
    client.meta()
    assert not [r for r in log_records if r["name"].startswith("weaviate_telemetry")]


def test_loguru_routing_levels_and_extra(
    weaviate_server: Any, otel: Otel, log_records: list[Any]
) -> None:
    with wt.Client(weaviate_server.url) as c, wt.telemetry.log_to_loguru():
        c.meta()
        with pytest.raises(wt.NotFoundError):
            c.raw.request("GET", "/v1/schema/Missing12345")
    ours = [r for r in log_records if r["name"].startswith("weaviate_telemetry")]
    assert [r["level"].name for r in ours] == [
        "DEBUG",
        "WARNING",
    ]  # a 404 the caller sees: client_error
    ok, bad = ours
    assert ok["message"].startswith("meta -> 200 in ")
    assert ok["extra"]["operation"] == "meta"
    assert ok["extra"]["status"] == 200
    assert ok["extra"]["duration_ms"] > 0
    assert ok["extra"]["attempt"] == 1
    assert ok["extra"]["error_kind"] is None
    call, _ = _pair([s for s in otel.finished() if s.name == "meta"])
    assert call.context is not None
    assert ok["extra"]["trace_id"] == format(call.context.trace_id, "032x")
    assert ok["extra"]["span_id"] == format(call.context.span_id, "016x")
    assert bad["extra"]["error_kind"] == "not_found"
    assert "404" in bad["message"]
    # detached again: silent
    log_records.clear()
    with wt.Client(weaviate_server.url) as c:
        c.meta()
    assert not [r for r in log_records if r["name"].startswith("weaviate_telemetry")]


def test_loguru_retry_is_a_warning(log_records: list[Any]) -> None:
    script = [(503, b"{}"), (200, META_BODY)]
    with (
        stamina.set_testing(True, attempts=3, cap=True),
        ScriptedHTTPServer([Canned(st, b) for st, b in script]) as server,
        wt.Client(server.url, retry=wt.RetryPolicy(enabled=True)) as c,
        wt.telemetry.log_to_loguru(levels={"stop": "INFO"}),
    ):
        c.raw.request("GET", "/v1/meta")
    ours = [r for r in log_records if r["name"].startswith("weaviate_telemetry")]
    assert [r["level"].name for r in ours] == ["WARNING", "INFO"]
    assert "retrying" in ours[0]["message"]
    assert ours[1]["extra"]["attempt"] == 2


def test_loguru_sink_forwards_to_otel_logs_with_trace_ids(client: wt.Client, otel: Otel) -> None:
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    sink_id = logger.add(wt.telemetry.otel_log_sink(provider), level="DEBUG")
    try:
        with wt.telemetry.log_to_loguru():
            client.meta()
    finally:
        logger.remove(sink_id)
        provider.shutdown()
    logs = [d.log_record for d in exporter.get_finished_logs()]
    assert len(logs) == 1
    record = logs[0]
    call, _ = _pair([s for s in otel.finished() if s.name == "meta"])
    assert call.context is not None
    assert record.trace_id == call.context.trace_id
    assert record.span_id == call.context.span_id
    assert record.severity_text == "DEBUG"
    assert str(record.body).startswith("meta -> 200")
    assert (record.attributes or {})["weaviate.operation"] == "meta"


def test_real_batch_insert_counts_objects_by_outcome(
    client: wt.Client, collection_name: str, otel: Otel
) -> None:
    client.collections.create_from_dict(
        {
            "class": collection_name,
            "vectorizer": "none",
            "properties": [{"name": "n", "dataType": ["int"]}],
        }
    )
    try:
        with wt.telemetry.capture() as cap:
            result = client.batch.insert_objects(
                [{"n": 1}, {"n": "not a number"}, {"n": 3}], collection=collection_name
            )
        assert len(result.failures) == 1
        stops = [
            e for e in cap.of("request", "stop") if e.metadata["operation"].startswith("batch")
        ]
        assert [(e.metadata["batch_size"], e.metadata["objects_failed"]) for e in stops] == [(3, 1)]
        counted = otel.points("weaviate.client.batch.objects")
        points = {p.attributes["outcome"]: p.value for p in counted}
        assert points == {"succeeded": 2, "failed": 1}
    finally:
        client.raw.request("DELETE", f"/v1/schema/{collection_name}")


def test_async_spans_parent_is_the_callers_span_across_gather_and_cancel_is_an_error(
    weaviate_server: Any, otel: Otel
) -> None:
    """AsyncClient: each call's span is a child of the span current in its task (across
    awaits and asyncio.gather), its attempt a child of it, the traceparent names the
    attempt; a cancelled call's span ends with status error and error.type cancelled."""
    import asyncio

    tracer = otel.tracer_provider.get_tracer("test")

    async def main() -> tuple[int, int, int]:
        async with wt.AsyncClient(weaviate_server.url) as client:

            async def handler(name: str) -> int:
                with tracer.start_as_current_span(name) as span:
                    await asyncio.sleep(0)
                    await client.meta()
                    await client.health.ready()  # a probe: another call, same parent
                    return span.get_span_context().span_id

            first, second = await asyncio.gather(handler("app-1"), handler("app-2"))
            with tracer.start_as_current_span("app-3") as third:
                task = asyncio.ensure_future(client.meta())
                await asyncio.sleep(0)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            return first, second, third.get_span_context().span_id

    first, second, third = asyncio.run(main())
    spans = otel.finished()
    calls = [s for s in spans if "db.system.name" in (s.attributes or {})]
    by_parent: dict[int, list[str]] = {}
    for span in calls:
        assert span.parent is not None
        by_parent.setdefault(span.parent.span_id, []).append(span.name)
    assert sorted(by_parent[first]) == sorted(by_parent[second]) == ["health.ready", "meta"]
    assert by_parent[third] == ["meta"]
    cancelled = next(s for s in calls if s.parent is not None and s.parent.span_id == third)
    assert cancelled.status.status_code is StatusCode.ERROR
    assert dict(cancelled.attributes or {})["error.type"] == "cancelled"
    for call in calls:
        assert call.context is not None
        attempts = [s for s in spans if s.parent is not None
                    and s.parent.span_id == call.context.span_id]  # fmt: skip
        assert len(attempts) == 1, call.name
