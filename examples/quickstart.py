"""Quick start: a small real workload, then what the SDK's telemetry saw.

Uses ``$WEAVIATE_URL`` (and ``$WEAVIATE_API_KEY``) when set; otherwise starts
a local server with ``weaviate_telemetry.embedded`` (built once with Go, then
cached) and stops it at the end. A tiny local proxy in front of the server
fails the first query once so you see a retry happen: over HTTP with ``503``,
or — with ``$WEAVIATE_GRPC_PORT`` set, when searches go over gRPC — with
``UNAVAILABLE`` from a gRPC proxy in front of that port. Spans and metrics
go to in-memory readers printed at the end, and also over OTLP to your
collector when ``$OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

    python examples/quickstart.py
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from loguru import logger
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import weaviate_telemetry as wt
import weaviate_telemetry.classes as wvc
from weaviate_telemetry.embedded import EmbeddedWeaviate

DIM = 8
TITLES = [
    f"{adj} {noun}"
    for adj in ("quiet", "bright", "hidden", "frozen")
    for noun in ("harbor", "forest", "signal", "engine", "garden")
] * 10  # 200 objects


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    if os.environ.get("WEAVIATE_URL"):
        yield os.environ["WEAVIATE_URL"]
        return
    print("starting a local Weaviate (the first run builds it with Go: a few minutes)...")
    with EmbeddedWeaviate() as server:
        yield server.url


@contextlib.contextmanager
def one_503_proxy(upstream: str) -> Iterator[str]:
    """Forward HTTP to ``upstream``, but answer the first GraphQL query with 503."""
    target = urlsplit(upstream)
    Connection = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    failed = threading.Event()

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/v1/graphql") and not failed.is_set():
                failed.set()
                status, headers, data = 503, {}, b'{"error":"injected by the quickstart"}'
            else:
                upstream_conn = Connection(target.netloc, timeout=30)
                headers_out = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream_conn.request(self.command, self.path, body or None, headers_out)
                answer = upstream_conn.getresponse()
                status, data = answer.status, answer.read()
                headers = {
                    k: v
                    for k, v in answer.getheaders()
                    if k.lower() not in ("transfer-encoding", "connection", "content-length")
                }
                upstream_conn.close()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()


@contextlib.contextmanager
def one_unavailable_grpc_proxy(upstream: str) -> Iterator[int]:
    """Forward gRPC to ``upstream`` (``host:port``), but fail the first search with
    ``UNAVAILABLE``; yields the proxy's port."""
    from concurrent import futures

    import grpc

    failed = threading.Event()
    channel = grpc.insecure_channel(upstream)

    class Forward(grpc.GenericRpcHandler):
        def service(self, details: Any) -> Any:
            method = details.method
            upstream_call = channel.unary_unary(method)  # raw bytes both ways

            def handle(request: bytes, context: Any) -> bytes:
                if method.endswith("/Search") and not failed.is_set():
                    failed.set()
                    context.abort(grpc.StatusCode.UNAVAILABLE, "injected by the quickstart")
                metadata = [
                    (k, v)
                    for k, v in context.invocation_metadata()
                    if k != "user-agent" and not k.startswith("grpc-")
                ]
                try:
                    return upstream_call(
                        request, metadata=metadata, timeout=context.time_remaining()
                    )
                except grpc.RpcError as err:
                    context.abort(err.code(), err.details() or "")
                    raise

            return grpc.unary_unary_rpc_method_handler(handle)

    server = grpc.server(futures.ThreadPoolExecutor(4))
    server.add_generic_rpc_handlers((Forward(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port
    finally:
        server.stop(None)
        channel.close()


@contextlib.contextmanager
def faulty_client(url: str, retry: wt.RetryPolicy) -> Iterator[tuple[wt.Client, str]]:
    """A client whose first query fails once, on the transport that query takes.

    Yields the client and what the injected failure looks like (``503`` or
    ``UNAVAILABLE``)."""
    config = wt.Config.from_env(base_url=url)
    with contextlib.ExitStack() as stack:
        if config.grpc_port is None:  # searches go over HTTP (GraphQL)
            proxied = stack.enter_context(one_503_proxy(url))
            client = wt.Client.from_env(base_url=proxied, retry=retry)
            fault = "503"
        else:  # searches go over gRPC (not through an HTTP proxy): fail them on their way
            host = config.grpc_host or urlsplit(url).hostname or "127.0.0.1"
            port = stack.enter_context(one_unavailable_grpc_proxy(f"{host}:{config.grpc_port}"))
            client = wt.Client.from_env(
                base_url=url, retry=retry, grpc_host="127.0.0.1", grpc_port=port
            )
            fault = "UNAVAILABLE"
        with client:
            yield client, fault


def telemetry() -> tuple[InMemorySpanExporter, InMemoryMetricReader, list[Any]]:
    """Spans and metrics into memory (and over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set)."""
    spans, metrics = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    readers: list[Any] = [metrics]
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    meter_provider = MeterProvider(metric_readers=readers)
    wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider)
    logger.remove()
    logger.add(sys.stdout, level="INFO", format="  log  {time:HH:mm:ss.SSS} {level: <7} {message}")
    # Answers at DEBUG (hidden here), retries and caller mistakes WARNING, failures ERROR.
    wt.telemetry.log_to_loguru()
    return spans, metrics, [tracer_provider, meter_provider]


def workload(client: wt.Client, fault: str) -> None:
    name = "Quickstart" + uuid.uuid4().hex[:6]
    rng = random.Random(1)
    client.collections.create(
        name,
        properties=[wvc.config.Property(name="title", data_type=wvc.config.DataType.TEXT)],
        vector_config=wvc.config.Configure.Vectors.self_provided(),
    )
    try:

        def progress(p: wt.BatchProgress) -> None:
            bar = "#" * (20 * p.processed // len(TITLES))
            end = "\n" if p.processed == len(TITLES) else ""
            print(f"\r  import [{bar:<20}] {p.processed}/{len(TITLES)}", end=end, flush=True)

        objects = [
            {"properties": {"title": t}, "vector": [rng.random() for _ in range(DIM)]}
            for t in TITLES
        ]
        result = client.batch.insert_objects(
            objects, collection=name, batch_size=50, on_progress=progress
        )
        print(f"  batch: {result.succeeded} stored, {result.failed} failed")
        hits = client.query.get(name).fields("title").near_vector([0.5] * DIM).limit(3).do()
        print(
            f"  near_vector: {[h.properties['title'] for h in hits.objects]}"
            f"  (first try got {fault})"
        )
        hits = client.query.get(name).fields("title").bm25("frozen signal").limit(2).do()
        print(f"  bm25 'frozen signal': {[h.properties['title'] for h in hits.objects]}")
        count = client.query.aggregate(name).meta_count().do().total_count
        print(f"  aggregate: count={count}")
        try:
            client.raw.request("GET", f"/v1/schema/{name}Missing")
        except wt.NotFoundError as err:
            print(f"  typed error: kind={err.kind.value}")
    finally:
        client.collections.delete(name)


def print_trace(spans: list[ReadableSpan], operation: str) -> None:
    """The span tree of the first call of ``operation``: logical span → attempt spans."""
    call = next(s for s in spans if s.name.startswith(operation) and s.parent is None)
    children = sorted(
        (s for s in spans if s.parent and s.parent.span_id == call.context.span_id),
        key=lambda s: s.start_time or 0,
    )

    def ms(s: ReadableSpan) -> float:
        return ((s.end_time or 0) - (s.start_time or 0)) / 1e6

    print(
        f"  {call.name}  {ms(call):.1f} ms  {call.status.status_code.name}"
        f"  trace {call.context.trace_id:032x}"
    )
    for event in call.events:
        print(
            f"  │  event {event.name}: wait {event.attributes.get('weaviate.retry.wait', 0):.3f}s"
            f" after {event.attributes.get('error.type')}"
        )
    for i, span in enumerate(children):
        branch = "└─" if i == len(children) - 1 else "├─"
        attrs = span.attributes or {}
        outcome = attrs.get("http.response.status_code") or attrs.get("error.type")
        if outcome is None and "rpc.grpc.status_code" in attrs:  # a gRPC call that succeeded
            outcome = "OK"
        number = int(
            attrs.get("weaviate.attempt") or int(attrs.get("http.request.resend_count", 0)) + 1
        )
        print(f"  {branch} attempt {number}: {span.name}  {ms(span):.1f} ms  → {outcome}")


def print_metrics(reader: InMemoryMetricReader) -> None:
    """Per-operation calls, errors and latency from db.client.operation.duration."""
    rows: dict[str, list[float]] = {}
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else []:
        for scope in rm.scope_metrics:
            for metric in scope.metrics:
                if metric.name != "db.client.operation.duration":
                    continue
                for point in metric.data.data_points:
                    op = str(point.attributes.get("db.operation.name"))
                    row = rows.setdefault(op, [0, 0, 0.0, 0.0])
                    row[0] += point.count
                    row[1] += point.count if point.attributes.get("error.type") else 0
                    row[2] += point.sum
                    row[3] = max(row[3], point.max)
    print(f"  {'operation':<22}{'calls':>6}{'errors':>7}{'avg ms':>9}{'max ms':>9}")
    for op, (calls, errors, total, top) in sorted(rows.items()):
        print(
            f"  {op:<22}{calls:>6.0f}{errors:>7.0f}{total / calls * 1000:>9.1f}{top * 1000:>9.1f}"
        )


def main() -> int:
    spans, metrics, providers = telemetry()
    retry = wt.RetryPolicy(enabled=True, initial_backoff=0.05)
    with server_url() as url, faulty_client(url, retry) as (client, fault):
        client.health.wait_until_ready(timeout=60)
        print(f"Weaviate {client.meta().version} at {url} (through a proxy that fails once)")
        print("workload:")
        workload(client, fault)
    print("trace of the retried query (in-memory span exporter):")
    print_trace(list(spans.get_finished_spans()), "query.get")
    print("per-operation summary (OpenTelemetry metrics, in-memory reader):")
    print_metrics(metrics)
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    for provider in providers:
        provider.shutdown()  # flushes the OTLP exporters too
    if endpoint:
        print(f"the same spans and metrics were exported over OTLP to {endpoint}")
    else:
        print("set OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 to export them to a collector")
    return 0


if __name__ == "__main__":
    sys.exit(main())
