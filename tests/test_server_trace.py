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

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

import weaviate_telemetry as wt
from tests.peers.otel_collector import Collector
from tests.support.otlp_files import ancestors, read_spans
from weaviate_telemetry.classes.config import DataType, Property
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


APP_SERVICE = "wt-fastapi-app"


def render_trace(root: dict[str, Any], spans: list[dict[str, Any]]) -> str:
    """The trace under ``root`` as an indented tree: service, kind, name."""
    kinds: dict[Any, str] = {1: "internal", 2: "server", 3: "client"}
    kinds.update({f"SPAN_KIND_{k.upper()}": k for k in kinds.values()})
    in_trace = sorted(
        (s for s in spans if s["traceId"] == root["traceId"]),
        key=lambda s: int(s["startTimeUnixNano"]),
    )
    lines: list[str] = []

    def walk(span: dict[str, Any], depth: int) -> None:
        kind = kinds.get(span["kind"], str(span["kind"]))
        lines.append(f"{'  ' * depth}{span['resource']['service.name']}  {kind}  {span['name']}")
        for child in in_trace:
            if child.get("parentSpanId") == span["spanId"]:
                walk(child, depth + 1)

    walk(root, 0)
    return "\n".join(lines)


def test_fastapi_request_trace_reaches_weaviate(
    traced_weaviate: EmbeddedWeaviate, collector: Collector
) -> None:
    """One FastAPI request: app server span -> SDK call -> gRPC attempt -> Weaviate's span.

    The app is docs/async.md's (a lifespan-managed AsyncClient, a route doing a
    near_vector search), instrumented with opentelemetry-instrumentation-fastapi.
    """
    # Imported here: the range runs of docs/testing.md collect this module without the
    # dev extra's FastAPI.
    import httpx
    from fastapi import FastAPI
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    assert traced_weaviate.ports is not None
    grpc_port = traced_weaviate.ports.grpc
    collection = "TracedApp" + uuid.uuid4().hex[:8]
    provider = TracerProvider(resource=Resource.create({"service.name": APP_SERVICE}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{collector.otlp_http}/v1/traces"))
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        async with wt.AsyncClient(traced_weaviate.url, grpc_port=grpc_port) as client:
            app.state.weaviate = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/search")
    async def search(x: float, y: float) -> list[str]:
        client: wt.AsyncClient = app.state.weaviate
        hits = await client.collections.use(collection).query.near_vector([x, y], limit=1)
        return [str(o.properties["name"]) for o in hits.objects]

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)

    async def serve() -> tuple[int, Any]:
        async with app.router.lifespan_context(app):
            client: wt.AsyncClient = app.state.weaviate
            places = await client.collections.create(
                collection, properties=[Property(name="name", data_type=DataType.TEXT)]
            )
            await places.data.insert({"name": "harbour"}, vector=[1.0, 0.0])
            await places.data.insert({"name": "hill"}, vector=[0.0, 1.0])
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
                with wt.telemetry.instrument_opentelemetry(tracer_provider=provider):
                    answer = await http.get("/search", params={"x": 0.1, "y": 0.9})
            await client.collections.delete(collection)
            return answer.status_code, answer.json()

    try:
        assert asyncio.run(serve()) == (200, ["hill"])
        provider.force_flush()
    finally:
        FastAPIInstrumentor.uninstrument_app(app)
        provider.shutdown()

    def complete(spans: list[dict[str, Any]]) -> bool:
        apps = [s for s in spans if s["name"] == "GET /search" and s["kind"] in SERVER_KIND]
        if not apps:
            return False
        return any(
            s["resource"].get("service.name") == SERVER_SERVICE and "Search" in s["name"]
            for s in spans
            if s["traceId"] == apps[0]["traceId"]
        )

    spans = _wait_for_spans(collector, complete, "the request's spans from the app and Weaviate")
    app_span = next(s for s in spans if s["name"] == "GET /search" and s["kind"] in SERVER_KIND)
    assert app_span["resource"]["service.name"] == APP_SERVICE
    assert not app_span.get("parentSpanId")  # the request's root
    server = next(
        s
        for s in spans
        if s["traceId"] == app_span["traceId"]
        and s["resource"].get("service.name") == SERVER_SERVICE
        and "Search" in s["name"]
    )
    assert server["kind"] in SERVER_KIND
    chain = ancestors(server, spans)  # nearest first
    attempt, call, top = chain[0], chain[1], chain[-1]
    assert len(chain) == 3, [s["name"] for s in chain]
    assert attempt["name"] == "weaviate.v1.Weaviate/Search"
    assert attempt["kind"] in CLIENT_KIND
    assert attempt["resource"]["service.name"] == APP_SERVICE
    assert call["name"] == f"collection.query.near_vector {collection}"
    assert top["spanId"] == app_span["spanId"]
    # Weaviate's span lies inside the attempt whose traceparent it continued
    assert int(attempt["startTimeUnixNano"]) <= int(server["startTimeUnixNano"])
    assert int(server["endTimeUnixNano"]) <= int(attempt["endTimeUnixNano"])
    print(render_trace(app_span, spans))
