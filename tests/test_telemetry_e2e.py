"""End to end: the SDK exports over OTLP to a real OpenTelemetry Collector.

The collector (built by ``tests/peers/otel_collector.py``) writes traces and
logs to files and serves metrics on a Prometheus endpoint; Weaviate is
reached through a recording proxy so the ``traceparent`` it receives can be
compared with the exported spans.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from loguru import logger

import weaviate_telemetry as wt
from tests.peers.otel_collector import Collector
from tests.support.servers import RecordingProxy
from weaviate_telemetry.embedded import EmbeddedWeaviate

from conftest import API_KEY

T = TypeVar("T")


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    with Collector() as running:
        yield running


def _wait_for(probe: Callable[[], T | None], what: str, timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _value(v: dict[str, Any]) -> Any:
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    return v


def _spans(collector: Collector) -> list[dict[str, Any]]:
    spans = []
    for batch in _read_jsonl(collector.traces_path):
        for rs in batch.get("resourceSpans", []):
            resource = {a["key"]: _value(a["value"]) for a in rs["resource"].get("attributes", [])}
            for ss in rs.get("scopeSpans", []):
                for span in ss.get("spans", []):
                    span["attrs"] = {
                        a["key"]: _value(a["value"]) for a in span.get("attributes", [])
                    }
                    span["resource"] = resource
                    spans.append(span)
    return spans


@pytest.fixture
def otlp(collector: Collector) -> Iterator[wt.telemetry.OtlpSetup]:
    setup = wt.telemetry.configure_otlp(
        service_name="wt-e2e",
        endpoint=collector.otlp_http,
        set_global=False,
        attempt_spans="always",
    )
    try:
        yield setup
    finally:
        setup.shutdown()


def test_spans_and_metrics_reach_the_collector(
    weaviate_server: EmbeddedWeaviate, collector: Collector, otlp: wt.telemetry.OtlpSetup
) -> None:
    with RecordingProxy(weaviate_server.url) as proxy, wt.Client(proxy.url) as client:
        with wt.telemetry.metadata(job="e2e"):
            client.meta()
        with pytest.raises(wt.NotFoundError):
            client.raw.request("GET", "/v1/schema/E2eMissing")
    otlp.force_flush()

    def complete() -> list[dict[str, Any]] | None:
        spans = _spans(collector)
        return spans if len(spans) >= 4 else None

    spans = _wait_for(complete, "4 spans in the collector's file exporter")
    meta_call = next(s for s in spans if s["name"] == "meta")
    assert meta_call["kind"] in (3, "SPAN_KIND_CLIENT")
    assert meta_call["resource"]["service.name"] == "wt-e2e"
    assert meta_call["attrs"]["db.system.name"] == "weaviate"
    assert meta_call["attrs"]["db.operation.name"] == "meta"
    assert meta_call["attrs"]["db.response.status_code"] == "200"
    assert meta_call["attrs"]["server.address"] == "127.0.0.1"
    children = [s for s in spans if s.get("parentSpanId") == meta_call["spanId"]]
    assert len(children) == 1
    attempt = children[0]
    assert attempt["traceId"] == meta_call["traceId"]
    assert attempt["name"] == "GET /v1/meta"
    assert attempt["attrs"]["http.request.method"] == "GET"
    assert attempt["attrs"]["http.response.status_code"] == 200
    assert attempt["attrs"]["url.full"] == f"{proxy.url}/v1/meta"

    failed = next(s for s in spans if s["name"] == "raw")
    assert failed["attrs"]["error.type"] == "not_found"
    assert failed["status"].get("code") in (2, "STATUS_CODE_ERROR")
    failed_attempt = next(s for s in spans if s.get("parentSpanId") == failed["spanId"])
    assert failed_attempt["attrs"]["error.type"] == "404"

    # the trace context reached Weaviate's side of the wire
    seen = {path: headers for _, path, headers in proxy.requests}
    traceparent = seen["/v1/meta"]["traceparent"]
    version, trace_id, parent_id, flags = traceparent.split("-")
    assert version == "00" and int(flags, 16) & 1  # sampled
    assert trace_id == meta_call["traceId"]
    assert parent_id == attempt["spanId"]

    def histograms() -> str | None:
        text = collector.scrape()
        wanted = ("db_client_operation_duration_seconds_bucket", 'error_type="not_found"')
        return text if all(w in text for w in wanted) else None

    text = _wait_for(histograms, "duration histograms on the collector's Prometheus endpoint")
    db_lines = [ln for ln in text.splitlines() if ln.startswith("db_client_operation_duration")]
    assert any('db_operation_name="meta"' in ln for ln in db_lines)
    assert any(
        'db_operation_name="raw"' in ln and 'error_type="not_found"' in ln for ln in db_lines
    )
    assert any(
        ln.startswith("http_client_request_duration_seconds_bucket") for ln in text.splitlines()
    )
    assert re.search(r'weaviate_client_errors\w*\{[^}]*error_type="not_found"', text)


def test_nothing_exported_contains_the_api_key(
    weaviate_auth_server: EmbeddedWeaviate, collector: Collector, otlp: wt.telemetry.OtlpSetup
) -> None:
    other_secret = "sk-module-secret-" + API_KEY[-6:] + "zz"
    lines: list[str] = []
    errors: list[str] = []
    events: list[str] = []
    sink_ids = [
        logger.add(lambda m: lines.append(str(m) + repr(m.record["extra"])), level="DEBUG"),
        logger.add(wt.telemetry.otel_log_sink(otlp.logger_provider), level="DEBUG"),
    ]
    routing = wt.telemetry.log_to_loguru(attempts=True)
    try:
        with wt.telemetry.capture() as cap:
            headers = {"X-Openai-Api-Key": other_secret}
            with wt.Client(
                weaviate_auth_server.url, api_key=API_KEY, default_headers=headers
            ) as good:
                good.meta()
                good.raw.request("GET", "/v1/meta", params={"api_key": API_KEY, "limit": 1})
                try:
                    good.raw.request("GET", "/v1/schema/RedactMissing")
                except wt.WeaviateError as err:
                    errors += [str(err), repr(err), err.url or "", err.message]
            with wt.Client(weaviate_auth_server.url, api_key="wrong-" + API_KEY) as bad:
                try:
                    bad.meta()
                except wt.UnauthorizedError as err:
                    errors += [str(err), repr(err), err.url or "", err.message, repr(err.details)]
                else:
                    raise AssertionError("a wrong key must be rejected")
        events = [f"{e.name} {e.measurements} {e.metadata}" for e in cap.events]
    finally:
        routing.detach()
        for sink_id in sink_ids:
            logger.remove(sink_id)
    otlp.force_flush()
    assert len(errors) == 9
    assert any("401" in e for e in errors)

    def exported() -> tuple[str, str, str] | None:
        traces = collector.traces_path.read_text() if collector.traces_path.exists() else ""
        logs = collector.logs_path.read_text() if collector.logs_path.exists() else ""
        metrics = collector.scrape()
        done = "RedactMissing" in traces and "401" in logs
        return (traces, logs, metrics) if done and 'status_code="401"' in metrics else None

    traces, logs, metrics = _wait_for(exported, "the auth workload in the collector's outputs")
    everything = {
        "spans": traces,
        "logs": logs,
        "metrics": metrics,
        "log lines": "\n".join(lines),
        "errors": "\n".join(errors),
        "events": "\n".join(events),
    }
    assert lines and events
    for where, text in everything.items():
        for secret in (API_KEY, other_secret, API_KEY[len("wt-test-key-") :]):
            assert secret not in text, f"secret leaked into {where}"
        assert "Bearer wt-" not in text, where


@pytest.mark.integration
def test_shipped_collector_config_is_valid() -> None:
    import subprocess

    from tests.peers.otel_collector import ensure_collector

    config = Path(__file__).resolve().parent.parent / "otel-collector.yaml"
    result = subprocess.run(
        [str(ensure_collector()), "validate", f"--config={config}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = config.read_text()
    for needle in ("4317", "4318", "prometheus", "batch", "traces:", "level: none"):
        assert needle in text


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_configure_otlp_honours_otel_environment(
    protocol: str,
    weaviate_server: EmbeddedWeaviate,
    collector: Collector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = f"env-service-{protocol.split('/')[0]}"
    endpoint = collector.otlp_grpc if protocol == "grpc" else collector.otlp_http
    monkeypatch.setenv("OTEL_SERVICE_NAME", service)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
    setup = wt.telemetry.configure_otlp(set_global=False)
    try:
        with wt.Client(weaviate_server.url) as client:
            client.meta()
        setup.force_flush()
    finally:
        setup.shutdown()

    def mine() -> list[dict[str, Any]] | None:
        found = [s for s in _spans(collector) if s["resource"].get("service.name") == service]
        return found if found else None

    spans = _wait_for(mine, f"spans of {service}")
    # the default attempt_spans="retries": one span, the attempt's HTTP facts on it
    assert [s["name"] for s in spans] == ["meta"]
    assert spans[0]["attrs"]["http.response.status_code"] == 200
    assert spans[0]["resource"]["deployment.environment.name"] == "test"


def test_log_lines_reach_the_collector_correlated_with_spans(
    weaviate_server: EmbeddedWeaviate, collector: Collector, otlp: wt.telemetry.OtlpSetup
) -> None:
    sink_id = logger.add(wt.telemetry.otel_log_sink(otlp.logger_provider), level="DEBUG")
    try:
        with (
            wt.telemetry.log_to_loguru(),
            wt.Client(weaviate_server.url) as client,
            wt.telemetry.metadata(job="log-e2e"),
        ):
            client.raw.request("GET", "/v1/meta")
    finally:
        logger.remove(sink_id)
    otlp.force_flush()

    def records() -> list[dict[str, Any]] | None:
        found = []
        for batch in _read_jsonl(collector.logs_path):
            for rl in batch.get("resourceLogs", []):
                for sl in rl.get("scopeLogs", []):
                    for rec in sl.get("logRecords", []):
                        attrs = {a["key"]: _value(a["value"]) for a in rec.get("attributes", [])}
                        if attrs.get("weaviate.metadata.job") == "log-e2e":
                            found.append({**rec, "attrs": attrs})
        return found or None

    (record,) = _wait_for(records, "the log record in the collector's file exporter")
    assert record["body"]["stringValue"].startswith("raw -> 200 in ")
    assert record["severityText"] == "DEBUG"
    assert record["attrs"]["weaviate.operation"] == "raw"
    span = _wait_for(
        lambda: next((s for s in _spans(collector) if s["spanId"] == record["spanId"]), None),
        "the span the log line points at",
    )
    assert span["name"] == "raw"
    assert span["traceId"] == record["traceId"]
