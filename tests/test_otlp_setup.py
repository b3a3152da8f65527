"""``configure_otlp`` as a program meets it: the standard OTEL_* variables, and no collector.

- ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` / ``OTEL_LOGS_EXPORTER`` (``none``
  turns a signal off: metrics only is a supported setup) and the per-signal endpoints;
- with nothing listening where the collector should be, a program prints one warning
  and exits promptly (the exporters' retries end at shutdown).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer, closed_port

#: A program that makes one call (a span, metrics) and logs one line through the OTel sink.
PROGRAM = textwrap.dedent(
    """
    import sys, time
    from loguru import logger
    import weaviate_telemetry as wt

    otel = wt.telemetry.configure_otlp(service_name="collector-down")
    logger.remove()
    if otel.logger_provider is not None:
        logger.add(wt.telemetry.otel_log_sink(otel.logger_provider), level="INFO")
    with wt.Client(sys.argv[1]) as client:
        client.raw.request("GET", "/v1/meta")
    logger.info("one log record")
    print(f"done {time.time()}", flush=True)
    """
)


@pytest.fixture
def weaviate_stand_in() -> Iterator[ScriptedHTTPServer]:
    with ScriptedHTTPServer([Canned(200, b'{"version": "1.39.0"}')]) as server:
        yield server


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_with_the_collector_down_a_program_warns_once_and_exits_promptly(
    protocol: str, weaviate_stand_in: ScriptedHTTPServer
) -> None:
    with closed_port() as port:
        env = {
            "PATH": "/usr/bin:/bin",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        }
        run = subprocess.run(
            [sys.executable, "-W", "error", "-c", PROGRAM, weaviate_stand_in.url],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        exited = time.time()
    assert run.returncode == 0, run.stderr
    done = float(run.stdout.split()[-1])
    assert exited - done < 2.0, f"exit took {exited - done:.1f} s"
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("OpenTelemetry export failed:")
    assert str(port) in lines[0]


def test_metrics_only_sends_nothing_else_to_a_per_signal_endpoint(
    monkeypatch: pytest.MonkeyPatch, weaviate_stand_in: ScriptedHTTPServer
) -> None:
    """What pointing the SDK at Prometheus' OTLP receiver needs: metrics, and no spans."""
    with ScriptedHTTPServer([Canned(200, b"", {"Content-Type": "application/x-protobuf"})]) as sink:
        monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
        monkeypatch.setenv("OTEL_LOGS_EXPORTER", "none")
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # not used
        monkeypatch.setenv(
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", f"{sink.url}/api/v1/otlp/v1/metrics"
        )
        setup = wt.telemetry.configure_otlp(service_name="metrics-only", set_global=False)
        assert setup.tracer_provider is None and setup.logger_provider is None
        with wt.Client(weaviate_stand_in.url) as client:
            client.raw.request("GET", "/v1/meta")
        setup.shutdown()
    assert {(r.method, r.path) for r in sink.requests} == {("POST", "/api/v1/otlp/v1/metrics")}


def test_per_signal_variables_pick_each_signals_exporter(
    monkeypatch: pytest.MonkeyPatch, weaviate_stand_in: ScriptedHTTPServer
) -> None:
    with ScriptedHTTPServer([Canned(200, b"", {"Content-Type": "application/x-protobuf"})]) as sink:
        monkeypatch.setenv("OTEL_METRICS_EXPORTER", "none")
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{sink.url}/spans-here")
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", f"{sink.url}/logs-here")
        setup = wt.telemetry.configure_otlp(service_name="per-signal", set_global=False)
        assert setup.meter_provider is None
        with wt.Client(weaviate_stand_in.url) as client:
            client.raw.request("GET", "/v1/meta")
        setup.logger_provider.get_logger("test").emit(body="a record")
        setup.shutdown()
    assert {r.path for r in sink.requests} == {"/spans-here", "/logs-here"}


def test_an_unknown_exporter_name_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger")
    with pytest.raises(wt.ConfigError, match="OTEL_TRACES_EXPORTER 'jaeger'"):
        wt.telemetry.configure_otlp(set_global=False)
