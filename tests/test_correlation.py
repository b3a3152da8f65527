"""Correlation keys never collide with the SDK's own fields (docs/telemetry.md).

The README's example, ``wt.telemetry.metadata(request_id="abc", user="u1")``, uses the
same name as the server's request id. Both survive: the caller's keys under ``metadata``
(events, loguru ``extra``) or ``weaviate.metadata.*`` (spans, OTel log records), the
server's id as ``request_id`` / ``weaviate.request_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stamina
from loguru import logger
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer

try:
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
except ImportError:  # older SDKs
    from opentelemetry.sdk._logs.export import (  # type: ignore[attr-defined,no-redef]
        InMemoryLogExporter as InMemoryLogRecordExporter,
    )

META = b'{"version": "1.39.0", "hostname": "h", "modules": {}}'
SERVER_ID = {"Content-Type": "application/json", "X-Request-Id": "srv-42"}


class Seen:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.logs = InMemoryLogRecordExporter()
        self.records: list[Any] = []


@pytest.fixture
def seen() -> Iterator[Seen]:
    out = Seen()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(out.spans))
    log_provider = LoggerProvider()
    log_provider.add_log_record_processor(SimpleLogRecordProcessor(out.logs))
    inst = wt.telemetry.instrument_opentelemetry(
        tracer_provider, MeterProvider(), attempt_spans="always"
    )
    sinks = [
        logger.add(lambda m: out.records.append(m.record), level="DEBUG"),
        logger.add(wt.telemetry.otel_log_sink(log_provider), level="DEBUG"),
    ]
    routing = wt.telemetry.log_to_loguru()
    try:
        yield out
    finally:
        routing.detach()
        for sink in sinks:
            logger.remove(sink)
        inst.uninstrument()
        log_provider.shutdown()
        tracer_provider.shutdown()


def test_readme_example_keeps_the_callers_request_id_and_the_servers(seen: Seen) -> None:
    script = [Canned(503, b"{}", SERVER_ID), Canned(200, META, SERVER_ID)]
    with (
        stamina.set_testing(True, attempts=3, cap=True),
        ScriptedHTTPServer(script) as server,
        wt.Client(server.url, retry=wt.RetryPolicy(enabled=True)) as client,
        wt.telemetry.capture() as events,
    ):
        with wt.telemetry.metadata(request_id="abc", user="u1"):  # the README's example
            client.meta()
    caller = {"request_id": "abc", "user": "u1"}

    # Events: every one of the call carries the caller's keys; stop has the server's id.
    assert len(events.events) == 7  # request start, 2 x (attempt start, end), retry, stop
    assert all(e.metadata["metadata"] == caller for e in events.events)
    (stop,) = events.of("request", "stop")
    assert stop.metadata["request_id"] == "srv-42"

    # Spans: the call's and both attempts' (namespaced attributes).
    spans = seen.spans.get_finished_spans()
    assert len(spans) == 3
    for span in spans:
        attrs = dict(span.attributes or {})
        assert attrs["weaviate.metadata.request_id"] == "abc", span.name
        assert attrs["weaviate.metadata.user"] == "u1"
    (call,) = [s for s in spans if s.name == "meta"]
    assert dict(call.attributes or {})["weaviate.request_id"] == "srv-42"

    # Log lines: the retry (WARNING) and the stop (DEBUG), caller keys under "metadata".
    ours = [r for r in seen.records if r["name"].startswith("weaviate_telemetry")]
    assert [r["level"].name for r in ours] == ["WARNING", "DEBUG"]
    for record in ours:
        assert record["extra"]["metadata"] == caller
    assert ours[-1]["extra"]["request_id"] == "srv-42"  # the server's slot, not overwritten

    # OpenTelemetry log records: both, side by side.
    logs = [d.log_record for d in seen.logs.get_finished_logs()]
    assert len(logs) == 2
    last = dict(logs[-1].attributes or {})
    assert last["weaviate.metadata.request_id"] == "abc"
    assert last["weaviate.metadata.user"] == "u1"
    assert last["weaviate.request_id"] == "srv-42"


def test_per_call_metadata_wins_over_the_context_and_reaches_the_same_places(
    seen: Seen,
) -> None:
    with ScriptedHTTPServer([Canned(200, META)]) as server, wt.Client(server.url) as client:
        with wt.telemetry.metadata(request_id="abc", user="u1"):
            client.meta(metadata={"request_id": "per-call"})
    (span,) = [s for s in seen.spans.get_finished_spans() if s.name == "meta"]
    attrs = dict(span.attributes or {})
    assert attrs["weaviate.metadata.request_id"] == "per-call"
    assert attrs["weaviate.metadata.user"] == "u1"
    assert "weaviate.request_id" not in attrs  # this server sent no id
    (record,) = [r for r in seen.records if r["name"].startswith("weaviate_telemetry")]
    assert record["extra"]["metadata"] == {"request_id": "per-call", "user": "u1"}
    assert record["extra"]["request_id"] is None
