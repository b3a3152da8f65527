"""Log levels that fit (docs/telemetry.md, "Log levels"): an answer is DEBUG, a mistake the
caller must fix is WARNING, a failing server/connection is ERROR, a retry is WARNING, and
health probes stay at DEBUG until a wait gives up. The same levels reach OpenTelemetry logs
through ``otel_log_sink`` as severities."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import stamina
from loguru import logger
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer, closed_port
from weaviate_telemetry import DataType, Property
from weaviate_telemetry.embedded import EmbeddedWeaviate

try:
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
except ImportError:  # older SDKs
    from opentelemetry.sdk._logs.export import (  # type: ignore[attr-defined,no-redef]
        InMemoryLogExporter as InMemoryLogRecordExporter,
    )

pytestmark = pytest.mark.integration

MISSING = "00000000-0000-0000-0000-00000000abcd"


class Lines:
    """loguru records of the SDK, and what the OTel log sink exported for them."""

    def __init__(self) -> None:
        self.records: list[Any] = []
        self.exporter = InMemoryLogRecordExporter()
        self.provider = LoggerProvider()
        self.provider.add_log_record_processor(SimpleLogRecordProcessor(self.exporter))

    def levels(self) -> list[tuple[str, str]]:
        return [(r["extra"]["operation"], r["level"].name) for r in self.records]

    def severities(self) -> list[tuple[str, str]]:
        out = []
        for data in self.exporter.get_finished_logs():
            rec = data.log_record
            attrs = dict(rec.attributes or {})
            assert rec.severity_number is not None
            out.append((str(attrs["weaviate.operation"]), rec.severity_number.name))
        return out


@pytest.fixture
def lines() -> Iterator[Lines]:
    found = Lines()

    def keep(message: Any) -> None:
        if message.record["name"].startswith("weaviate_telemetry"):
            found.records.append(message.record)

    sinks = [
        logger.add(keep, level="DEBUG"),
        logger.add(wt.telemetry.otel_log_sink(found.provider), level="DEBUG"),
    ]
    try:
        yield found
    finally:
        for sink in sinks:
            logger.remove(sink)
        found.provider.shutdown()


def test_answers_are_debug_mistakes_warnings_failures_errors(
    weaviate_server: EmbeddedWeaviate, lines: Lines
) -> None:
    name = f"Levels{uuid.uuid4().hex[:8]}"
    with wt.Client(weaviate_server.url) as client, wt.telemetry.log_to_loguru():
        books = client.collections.create(
            name, properties=[Property(name="year", data_type=DataType.INT)]
        )
        try:
            assert books.data.exists(MISSING) is False  # 404 is the answer: DEBUG
            assert books.query.fetch_object_by_id(MISSING) is None  # DEBUG
            with pytest.raises(wt.NotFoundError):  # a 404 the caller sees: WARNING
                client.raw.request("GET", f"/v1/schema/{name}Missing")
            with pytest.raises(wt.WeaviateError) as bad:  # the server rejects the value
                books.data.insert({"year": "not a number"})
            assert bad.value.kind.value in ("validation_error", "bad_request")
        finally:
            client.collections.delete(name)
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as down:
        with wt.telemetry.log_to_loguru(), pytest.raises(wt.WeaviateConnectionError):
            down.meta()  # connection refused: ERROR
    failing = [Canned(500, b'{"error": [{"message": "disk full"}]}')]
    with ScriptedHTTPServer(failing) as server, wt.Client(server.url) as broken:
        with wt.telemetry.log_to_loguru(), pytest.raises(wt.ServerError):
            broken.meta()  # server error: ERROR

    expected = [
        ("collections.create", "DEBUG"),
        ("objects.exists", "DEBUG"),
        ("query.fetch_object_by_id", "DEBUG"),
        ("raw", "WARNING"),
        ("objects.insert", "WARNING"),
        ("collections.delete", "DEBUG"),
        ("meta", "ERROR"),
        ("meta", "ERROR"),
    ]
    got = lines.levels()
    # Operation names below the handle are the SDK's; compare levels in order and the
    # operations that the policy singles out by name.
    assert [level for _, level in got] == [level for _, level in expected], got
    assert got[3][0] == "raw" and got[-1][0] == "meta" and got[0][0] == "collections.create"
    statuses = [r["extra"]["status"] for r in lines.records]
    assert statuses[1] == 404 and statuses[3] == 404  # same status, different meaning
    # The OpenTelemetry log sink carries the same policy as severities.
    severity = {"DEBUG": "DEBUG", "WARNING": "WARN", "ERROR": "ERROR"}
    assert [sev for _, sev in lines.severities()] == [severity[level] for _, level in got]


def test_retries_are_warnings_and_the_call_that_recovers_is_debug(lines: Lines) -> None:
    script = [Canned(503, b"{}"), Canned(200, b'{"version": "1.39.0"}')]
    with (
        stamina.set_testing(True, attempts=3, cap=True),
        ScriptedHTTPServer(script) as server,
        wt.Client(server.url, retry=wt.RetryPolicy(enabled=True)) as client,
        wt.telemetry.log_to_loguru(),
    ):
        client.meta()
    assert lines.levels() == [("meta", "WARNING"), ("meta", "DEBUG")]
    assert lines.severities() == [("meta", "WARN"), ("meta", "DEBUG")]


def test_wait_until_ready_probes_are_debug_until_the_wait_gives_up(lines: Lines) -> None:
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as client:
        with wt.telemetry.log_to_loguru(), pytest.raises(wt.WeaviateTimeoutError):
            client.health.wait_until_ready(timeout=0.6, interval=0.05)
    got = lines.levels()
    probes = [level for op, level in got if op == "health.ready"]
    assert len(probes) >= 3 and set(probes) == {"DEBUG"}
    assert got[-1] == ("health.wait_until_ready", "ERROR")  # the one line an operator needs
    assert [level for _, level in got].count("ERROR") == 1
    assert "not ready after 0.6s" in lines.records[-1]["message"]
    assert lines.severities()[-1] == ("health.wait_until_ready", "ERROR")


def test_a_wait_that_succeeds_logs_nothing_above_debug(
    weaviate_server: EmbeddedWeaviate, lines: Lines
) -> None:
    # The first endpoint refuses every probe; the fallback is ready.
    with (
        closed_port() as port,
        wt.Client(f"http://127.0.0.1:{port}", fallback_urls=[weaviate_server.url]) as client,
        wt.telemetry.log_to_loguru(),
    ):
        client.health.wait_until_ready(timeout=10, interval=0.05)
        assert client.health.ready(timeout=1)
    got = lines.levels()
    assert ("health.ready", "DEBUG") in got and ("health.wait_until_ready", "DEBUG") in got
    assert {level for _, level in got} == {"DEBUG"}


def test_levels_stay_configurable(lines: Lines) -> None:
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as client:
        levels = {"probe": "INFO", "exception": "CRITICAL", "stop": None}
        with wt.telemetry.log_to_loguru(levels=levels):
            assert client.health.ready(timeout=0.2) is False
            with pytest.raises(wt.WeaviateConnectionError):
                client.meta()
        with wt.telemetry.log_to_loguru(levels={"probe": None}):
            assert client.health.ready(timeout=0.2) is False  # muted
    assert lines.levels() == [("health.ready", "INFO"), ("meta", "CRITICAL")]
    with pytest.raises(wt.ConfigError, match="client_error"):
        wt.telemetry.log_to_loguru(levels={"warning": "INFO"})
