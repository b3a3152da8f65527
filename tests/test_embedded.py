"""The embedded server tooling: clean stops, no orphans, clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry import embedded
from weaviate_telemetry.embedded import EmbeddedServerError, EmbeddedWeaviate

CHILD = """
import signal, sys, time
# Ctrl-C raises KeyboardInterrupt, as in a program started from a terminal, even when
# the test runs under a shell that started it in the background (SIGINT then arrives
# ignored, and Python keeps it ignored).
signal.signal(signal.SIGINT, signal.default_int_handler)
from weaviate_telemetry.embedded import EmbeddedWeaviate
server = EmbeddedWeaviate().start()
print(server._proc.process.pid, server.data_dir, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_server_does_not_outlive_a_killed_or_interrupted_python(sig: signal.Signals) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        pid_text, data_dir = child.stdout.readline().split()
        server_pid = int(pid_text)
        assert _alive(server_pid)
        child.send_signal(sig)
        child.wait(30)
        assert _wait_gone(server_pid, 20), f"weaviate-server {server_pid} outlived its parent"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    if sig is signal.SIGINT:  # a clean exit also removes the fresh data dir
        assert not Path(data_dir).exists()


@pytest.mark.integration
def test_stop_is_idempotent_and_removes_data_dir() -> None:
    server = EmbeddedWeaviate().start()
    data_dir = server.data_dir
    assert data_dir is not None and data_dir.exists()
    with server.client() as client:
        assert client.health.ready()
    server.stop()
    server.stop()
    assert not server.running and not data_dir.exists()


def test_missing_binary_and_no_go_names_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WEAVIATE_TELEMETRY_CACHE", str(tmp_path))
    monkeypatch.delenv("WEAVIATE_SERVER_BINARY", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `go` here
    with pytest.raises(EmbeddedServerError) as info:
        embedded.ensure_weaviate("v9.9.9")
    err = info.value
    assert isinstance(err, wt.WeaviateError)
    assert "no Go toolchain" in str(err) and "weaviate-server" in str(err)


def test_explicit_binary_must_be_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WEAVIATE_SERVER_BINARY", str(tmp_path / "nope"))
    with pytest.raises(EmbeddedServerError, match="not an executable"):
        embedded.ensure_weaviate()


def test_free_ports_are_distinct_with_a_consecutive_raft_pair() -> None:
    ports = embedded.free_ports(7, consecutive_pair=True)
    assert len(set(ports)) == 7
    assert ports[-1] == ports[-2] + 1


def test_a_server_that_exits_while_starting_is_reported_with_its_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The start-up wait watches the process: an exit ends it with the code and the log,
    not a wait for the whole ``startup_timeout``."""
    binary = tmp_path / "weaviate-server"
    binary.write_text("#!/bin/sh\necho 'invalid config: no such module' >&2\nexit 3\n")
    binary.chmod(0o755)
    monkeypatch.setenv("WEAVIATE_SERVER_BINARY", str(binary))
    server = EmbeddedWeaviate(startup_timeout=3600)
    with pytest.raises(EmbeddedServerError) as info:
        server.start()
    assert "weaviate-server exited with 3" in str(info.value)
    assert "invalid config: no such module" in str(info.value)
    server.stop()


@pytest.mark.integration
def test_a_successful_start_adds_nothing_to_the_applications_telemetry() -> None:
    """With the application's handlers attached (loguru lines, spans, metrics), starting a
    server logs no line, exports no span and counts no call: the start-up probes are the
    tooling's own. So a newcomer's first run shows no ERROR line while the server starts."""
    from loguru import logger
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    records: list[str] = []
    spans, metrics = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    meter_provider = MeterProvider(metric_readers=[metrics])

    def operations() -> set[str]:  # what any recorded measurement is about
        data = metrics.get_metrics_data()
        return {
            str((point.attributes or {}).get("db.operation.name", metric.name))
            for rm in (data.resource_metrics if data else [])
            for sm in rm.scope_metrics
            for metric in sm.metrics
            for point in metric.data.data_points
        }

    sink = logger.add(lambda m: records.append(f"{m.record['level'].name} {m}"), level="DEBUG")
    try:
        with (
            wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider),
            wt.telemetry.log_to_loguru(),
            EmbeddedWeaviate() as server,
        ):
            assert server.running
            assert (records, spans.get_finished_spans(), operations()) == ([], (), set())
            with server.client() as client:  # the handlers are live: the application's call
                client.meta()
            assert [s.name for s in spans.get_finished_spans()] == ["meta"]
            assert "meta" in operations()
            assert not {op for op in operations() if op.startswith("health")}
            assert records and not [r for r in records if not r.startswith("DEBUG")], records
    finally:
        logger.remove(sink)
        tracer_provider.shutdown()
        meter_provider.shutdown()
