"""One trace from the client into Weaviate: the server's spans under the SDK's attempt span.

Weaviate v1.39 exports its own spans over OTLP when started with
``EXPERIMENTAL_OTEL_ENABLED=true`` (``usecases/telemetry/opentelemetry``):
gRPC to ``EXPERIMENTAL_OTEL_EXPORTER_OTLP_ENDPOINT`` (``host:port``) by
default, a parent-based sampler (so a sampled ``traceparent`` from the client
is always continued), one SERVER span per REST request named
``<METHOD> <path>``. The SDK injects the attempt span's ``traceparent``. With
both exporting to one collector, the file exporter holds the whole tree.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

import weaviate_telemetry as wt
from tests.peers.otel_collector import Collector
from tests.support.otlp_files import ancestors, read_spans
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

CLIENT_SERVICE = "wt-trace-client"
SERVER_SERVICE = "weaviate-under-test"
SERVER_KIND = (2, "SPAN_KIND_SERVER")
CLIENT_KIND = (3, "SPAN_KIND_CLIENT")


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    with Collector() as running:
        yield running


@pytest.fixture(scope="module")
def traced_weaviate(collector: Collector) -> Iterator[EmbeddedWeaviate]:
    """A Weaviate exporting its spans to the collector (what a user sets, see the docs)."""
    env = {
        "EXPERIMENTAL_OTEL_ENABLED": "true",
        "EXPERIMENTAL_OTEL_EXPORTER_OTLP_ENDPOINT": f"127.0.0.1:{collector.ports.grpc}",
        "EXPERIMENTAL_OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "EXPERIMENTAL_OTEL_SERVICE_NAME": SERVER_SERVICE,
        # the batch span processor's delay; the default 5s only slows the test down
        "EXPERIMENTAL_OTEL_BSP_EXPORT_TIMEOUT": "200ms",
    }
    with EmbeddedWeaviate(env=env) as server:
        yield server


def _wait_for_spans(
    collector: Collector, ready: Any, what: str, timeout: float = 30.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        spans = read_spans(collector.traces_path)
        if ready(spans):
            return spans
        if time.monotonic() >= deadline:
            names = sorted({(s["resource"].get("service.name"), s["name"]) for s in spans})
            raise AssertionError(f"timed out waiting for {what}; have {names}")
        time.sleep(0.2)


def test_weaviate_server_spans_descend_from_the_sdk_attempt_span(
    traced_weaviate: EmbeddedWeaviate, collector: Collector
) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": CLIENT_SERVICE}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{collector.otlp_http}/v1/traces"))
    )
    collection = "Traced" + uuid.uuid4().hex[:10]
    object_id = str(uuid.uuid4())
    try:
        with wt.telemetry.instrument_opentelemetry(
            tracer_provider=provider, attempt_spans="always"
        ):
            with wt.Client(traced_weaviate.url) as client:
                client.collections.create_from_dict(
                    {
                        "class": collection,
                        "vectorizer": "none",
                        "properties": [{"name": "title", "dataType": ["text"]}],
                    }
                )
                client.objects.insert(collection, {"title": "traced"}, id=object_id, vector=[1, 0])
                found = client.query.get(collection).fields("title").limit(1).do()
                assert [o.properties["title"] for o in found] == ["traced"]
        provider.force_flush()
    finally:
        provider.shutdown()

    def complete(spans: list[dict[str, Any]]) -> bool:
        server = [s for s in spans if s["resource"].get("service.name") == SERVER_SERVICE]
        names = {s["name"] for s in server}
        return {"POST /v1/objects", "POST /v1/graphql"} <= names

    spans = _wait_for_spans(collector, complete, "Weaviate's spans for the insert and the query")
    for operation, server_name in (
        (f"objects.insert {collection}", "POST /v1/objects"),
        (f"query.get {collection}", "POST /v1/graphql"),
    ):
        logical = next(s for s in spans if s["name"] == operation)
        assert logical["resource"]["service.name"] == CLIENT_SERVICE
        server = [
            s
            for s in spans
            if s["resource"].get("service.name") == SERVER_SERVICE
            and s["name"] == server_name
            and s["traceId"] == logical["traceId"]
        ]
        assert len(server) == 1, f"{server_name}: {len(server)} server spans in the call's trace"
        span = server[0]
        assert span["kind"] in SERVER_KIND
        assert span["attrs"]["http.status_code"] == 200
        chain = ancestors(span, spans)
        # server span -> the SDK's attempt span -> the SDK's logical call span (the root)
        assert [s["spanId"] for s in chain] == [chain[0]["spanId"], logical["spanId"]]
        attempt = chain[0]
        assert attempt["kind"] in CLIENT_KIND
        assert attempt["name"] == server_name  # "<METHOD> <url.template>" on the client side
        assert attempt["resource"]["service.name"] == CLIENT_SERVICE
        assert "parentSpanId" not in logical or not logical["parentSpanId"]
        # Weaviate's span lies inside the attempt that carried its traceparent
        assert int(attempt["startTimeUnixNano"]) <= int(span["startTimeUnixNano"])
        assert int(span["endTimeUnixNano"]) <= int(attempt["endTimeUnixNano"])


def test_traceparent_sent_over_grpc_reaches_weaviate(
    traced_weaviate: EmbeddedWeaviate, collector: Collector
) -> None:
    """The gRPC attempt span's traceparent travels as metadata; Weaviate continues it."""
    provider = TracerProvider(resource=Resource.create({"service.name": CLIENT_SERVICE}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{collector.otlp_http}/v1/traces"))
    )
    collection = "TracedRpc" + uuid.uuid4().hex[:8]
    try:
        with wt.telemetry.instrument_opentelemetry(tracer_provider=provider):
            with traced_weaviate.client() as client:  # knows the gRPC port
                client.collections.create_from_dict({"class": collection, "vectorizer": "none"})
                result = client.batch.insert_objects([{"title": "traced"}], collection=collection)
                assert result.ok
                found = client.query.get(collection).fields("title").limit(1).do()
                assert [o.properties["title"] for o in found] == ["traced"]
        provider.force_flush()
    finally:
        provider.shutdown()

    def server_rpc_spans(spans: list[dict[str, Any]], method: str) -> list[dict[str, Any]]:
        return [
            s
            for s in spans
            if s["resource"].get("service.name") == SERVER_SERVICE and method in s["name"]
        ]

    def complete(spans: list[dict[str, Any]]) -> bool:
        return bool(server_rpc_spans(spans, "Search")) and bool(
            server_rpc_spans(spans, "BatchObjects")
        )

    spans = _wait_for_spans(collector, complete, "Weaviate's spans for the gRPC calls")
    for operation, method in (
        (f"query.get {collection}", "Search"),
        (f"batch.insert_objects {collection}", "BatchObjects"),
    ):
        logical = next(s for s in spans if s["name"] == operation)
        server = [s for s in server_rpc_spans(spans, method) if s["traceId"] == logical["traceId"]]
        assert server, f"no Weaviate span for {method} in the call's trace"
        chain = ancestors(server[0], spans)
        attempt = chain[0]
        assert attempt["name"] == f"weaviate.v1.Weaviate/{method}"
        assert attempt["kind"] in CLIENT_KIND
        assert attempt["attrs"]["rpc.system"] == "grpc"
        assert attempt["attrs"]["rpc.method"] == f"weaviate.v1.Weaviate/{method}"
        assert attempt["attrs"]["rpc.grpc.status_code"] == 0
        assert chain[-1]["spanId"] == logical["spanId"]
