"""The SDK's metrics in a real Prometheus 3.16, next to Weaviate's own server metrics.

SDK --OTLP--> OpenTelemetry Collector --(Prometheus exporter, scraped)--> Prometheus,
and Prometheus scraping the same Weaviate's ``/metrics`` (see ``support/stack.py``).
Everything below is asked of Prometheus with PromQL, as a dashboard would.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

import weaviate_telemetry as wt
from tests.peers.prometheus import PrometheusError
from tests.support.stack import WEAVIATE_JOB, MetricsStack
from weaviate_telemetry.telemetry._otel import OPERATION_BUCKETS

pytestmark = pytest.mark.integration

SERVICE = "wt-metrics-stack-" + uuid.uuid4().hex[:6]
DIM = 16
OBJECTS = 40
DB = "db_client_operation_duration_seconds"
#: The operation histogram's advised buckets (explicit aggregation, the default).
ADVISED = OPERATION_BUCKETS


@pytest.fixture(scope="module")
def workload(metrics_stack: MetricsStack) -> Iterator[str]:
    """A small workload, its OTLP providers built for this module only; yields the collection."""
    setup = wt.telemetry.configure_otlp(
        service_name=SERVICE,
        endpoint=metrics_stack.collector.otlp_http,
        logs=False,
        set_global=False,
    )
    collection = "Metrics" + uuid.uuid4().hex[:10]
    try:
        with wt.Client(metrics_stack.weaviate.url) as client:
            client.collections.create_from_dict(
                {
                    "class": collection,
                    "vectorizer": "none",
                    "properties": [{"name": "n", "dataType": ["int"]}],
                }
            )
            for i in range(OBJECTS):
                vector = [float((i * 7 + d) % 13) / 13.0 + 0.01 for d in range(DIM)]
                client.objects.insert(collection, {"n": i}, vector=vector)
            for _ in range(5):
                client.query.get(collection).fields("n").limit(5).do()
            with pytest.raises(wt.NotFoundError):
                client.raw.request("GET", f"/v1/schema/{collection}Missing")
        setup.force_flush()
    finally:
        setup.shutdown()
    yield collection


def _value(result: list[dict[str, object]]) -> float:
    assert len(result) == 1, result
    value = result[0]["value"]
    assert isinstance(value, list)
    return float(value[1])


def test_client_histograms_reach_prometheus_with_their_labels(
    metrics_stack: MetricsStack, workload: str
) -> None:
    prom = metrics_stack.prometheus
    selector = f'job="{SERVICE}", db_collection_name="{workload}"'
    count = f"db_client_operation_duration_seconds_count{{{selector}}}"
    prom.wait_for(f"{count} >= {OBJECTS}", timeout=30)

    series = prom.query(f"db_client_operation_duration_seconds_bucket{{{selector}}}")
    labels = {k: {s["metric"][k] for s in series} for k in ("db_operation_name", "le")}
    assert "objects.insert" in labels["db_operation_name"]
    assert labels["le"] == {str(b) for b in ADVISED} | {"+Inf"}  # advised buckets
    first = series[0]["metric"]
    assert first["db_system_name"] == "weaviate"
    assert first["server_address"] == "127.0.0.1"
    assert first["job"] == SERVICE  # service.name: what a dashboard's service variable picks

    # a dashboard's service variable lists this service
    services = prom.api("GET", "label/job/values")
    assert SERVICE in services and WEAVIATE_JOB in services

    inserts = f'{selector}, db_operation_name="objects.insert"'
    assert _value(prom.query(f"db_client_operation_duration_seconds_count{{{inserts}}}")) == (
        OBJECTS
    )
    total = _value(prom.query(f'{DB}_bucket{{{inserts}, le="+Inf"}}'))
    first_bucket = _value(prom.query(f'{DB}_bucket{{{inserts}, le="0.0005"}}'))
    assert first_bucket < total, "every insert fell into the first bucket"

    # Quantiles read from the buckets are local-call latencies, not the ~2.5 s / ~5 s a
    # seconds histogram with millisecond default buckets would show.
    for q in (0.5, 0.95, 0.99):
        expr = (
            f"histogram_quantile({q}, sum by (le) "
            f"(db_client_operation_duration_seconds_bucket{{{inserts}}}))"
        )
        latency = _value(prom.query(expr))
        assert 0.0 < latency < 1.0, (q, latency)

    attempts = prom.query(
        "sum by (http_request_method) "
        f'(http_client_request_duration_seconds_count{{job="{SERVICE}"}})'
    )
    by_method = {s["metric"]["http_request_method"]: float(s["value"][1]) for s in attempts}
    assert by_method.get("POST", 0) >= OBJECTS


def test_errors_and_operations_are_countable_per_service(
    metrics_stack: MetricsStack, workload: str
) -> None:
    prom = metrics_stack.prometheus
    errors = prom.wait_for(
        f'weaviate_client_errors_total{{job="{SERVICE}", error_type="not_found"}}', timeout=30
    )
    assert [e["metric"]["db_operation_name"] for e in errors] == ["raw"]
    per_operation = prom.query(f'sum by (db_operation_name) ({DB}_count{{job="{SERVICE}"}})')
    operations = {s["metric"]["db_operation_name"] for s in per_operation}
    assert {"collections.create", "objects.insert", "query.get", "raw"} <= operations


def test_weaviate_server_metrics_sit_beside_the_clients(
    metrics_stack: MetricsStack, workload: str
) -> None:
    prom = metrics_stack.prometheus
    server = "weaviate_http_request_duration_seconds_count"
    inserts = f'{server}{{job="{WEAVIATE_JOB}", method="POST", route="/v1/objects"}}'
    # the server counted at least the inserts the client timed (scraped within seconds)
    prom.wait_for(f"sum({inserts}) >= {OBJECTS}", timeout=30)
    routes = prom.query(f'sum by (method, route) ({server}{{job="{WEAVIATE_JOB}"}})')
    seen = {(s["metric"]["method"], s["metric"]["route"]) for s in routes}
    assert {("POST", "/v1/objects"), ("POST", "/v1/graphql"), ("POST", "/v1/schema")} <= seen
    assert _value(prom.query(f'up{{job="{WEAVIATE_JOB}"}}')) == 1


def test_prometheus_is_3_16_and_checks_promql(metrics_stack: MetricsStack) -> None:
    prom = metrics_stack.prometheus
    assert prom.version_info()["version"] == "3.16.0"
    tree = prom.parse_query("rate(db_client_operation_duration_seconds_count[1m])")
    assert tree["type"] == "call"
    with pytest.raises(PrometheusError) as err:
        prom.parse_query("sum by (le (db_client_operation_duration_seconds_bucket)")
    assert err.value.error_type == "bad_data"


def test_otlp_straight_into_prometheus_gives_the_same_series(
    metrics_stack: MetricsStack,
) -> None:
    """The other wiring (docs/telemetry.md): the SDK's OTLP metrics into Prometheus's receiver."""
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    prom = metrics_stack.prometheus
    service = SERVICE + "-direct"
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=prom.otlp_metrics_url), export_interval_millis=60_000
    )
    provider = MeterProvider(
        resource=Resource.create({"service.name": service}), metric_readers=[reader]
    )
    try:
        with wt.telemetry.instrument_opentelemetry(meter_provider=provider):
            with wt.Client(metrics_stack.weaviate.url) as client:
                for _ in range(3):
                    client.meta()
        provider.force_flush()
    finally:
        provider.shutdown()
    (series,) = prom.wait_for(f'{DB}_count{{job="{service}", db_operation_name="meta"}}')
    assert series["value"][1] == "3"
    assert series["metric"]["db_system_name"] == "weaviate"
    buckets = prom.query(f'{DB}_bucket{{job="{service}", db_operation_name="meta"}}')
    # Same buckets; spelled le="1" here but le="1.0" when scraped (Prometheus 3 normalises
    # scraped classic histograms only), so never mix both wirings in one sum by (le).
    assert {float(s["metric"]["le"]) for s in buckets} == {*ADVISED, float("inf")}
    assert {s["metric"]["le"] for s in buckets} >= {"1", "5", "10", "60"}


def test_latency_exemplars_in_prometheus_name_the_calls_trace(
    metrics_stack: MetricsStack,
) -> None:
    """One click from a latency point to its trace: the exemplar Prometheus keeps is the call's."""
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    prom = metrics_stack.prometheus
    service = SERVICE + "-exemplars"
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=prom.otlp_metrics_url), export_interval_millis=60_000
    )
    provider = MeterProvider(
        resource=Resource.create({"service.name": service}), metric_readers=[reader]
    )
    started = time.time()
    try:
        with wt.telemetry.instrument_opentelemetry(tracer_provider, provider):
            with wt.Client(metrics_stack.weaviate.url) as client:
                client.meta()
        provider.force_flush()
    finally:
        provider.shutdown()
        tracer_provider.shutdown()
    (span,) = spans.get_finished_spans()
    assert span.context is not None
    query = f'{DB}_bucket{{job="{service}", db_operation_name="meta"}}'
    deadline = time.monotonic() + 20
    while True:
        window = {"query": query, "start": started - 60, "end": time.time() + 60}
        found = prom.api("GET", "query_exemplars", window)
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    exemplars = [e for series in found for e in series["exemplars"]]
    assert exemplars, f"no exemplar for {query}"
    assert {e["labels"]["trace_id"] for e in exemplars} == {format(span.context.trace_id, "032x")}
    assert {e["labels"]["span_id"] for e in exemplars} == {format(span.context.span_id, "016x")}


def test_metrics_only_into_prometheus_otlp_logs_nothing(metrics_stack: MetricsStack) -> None:
    """The documented metrics-only setup: no span or log exporter, so no 404 from a
    Prometheus that takes only metrics, and the program's metrics arrive."""
    import subprocess
    import sys

    prom = metrics_stack.prometheus
    service = SERVICE + "-metrics-only"
    program = (
        "import sys, weaviate_telemetry as wt\n"
        f"otel = wt.telemetry.configure_otlp(service_name={service!r})\n"
        "with wt.Client(sys.argv[1]) as client:\n"
        "    client.meta()\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "OTEL_TRACES_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": prom.otlp_metrics_url,
    }
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", program, metrics_stack.weaviate.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    # Nothing about exports. (With -W error the interpreter may still report the
    # exporter's pooled socket as unclosed when the at-exit shutdown closes requests'
    # session: a ResourceWarning that an explicit otel.shutdown() does not give.)
    assert "export" not in run.stderr.lower() and "404" not in run.stderr, run.stderr
    (series,) = prom.wait_for(f'{DB}_count{{job="{service}", db_operation_name="meta"}}')
    assert series["value"][1] == "1"
