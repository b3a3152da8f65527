"""Lifecycle events: order, measurements and metadata for every outcome of a call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stamina

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer, StallingServer
from weaviate_telemetry.embedded import free_port

REQ_START = ("weaviate", "request", "start")
REQ_STOP = ("weaviate", "request", "stop")
REQ_EXC = ("weaviate", "request", "exception")
REQ_RETRY = ("weaviate", "request", "retry")
ATT_START = ("weaviate", "attempt", "start")
ATT_STOP = ("weaviate", "attempt", "stop")
ATT_EXC = ("weaviate", "attempt", "exception")

COMMON_KEYS = {
    "ref",
    "operation",
    "method",
    "path_template",
    "collection",
    "tenant",
    "server_address",
    "server_port",
    "url",
    "metadata",
}

META_BODY = b'{"version": "1.39.0", "hostname": "http://[::]:8080", "modules": {}}'


@pytest.fixture
def stamina_testing() -> Iterator[None]:
    """Retries without sleeping, at most 3 attempts; reset afterwards."""
    stamina.set_testing(True, attempts=3, cap=True)
    try:
        yield
    finally:
        stamina.set_testing(False)


@pytest.fixture(autouse=True)
def no_leftover_handlers() -> Iterator[None]:
    yield
    assert not [h for h in wt.telemetry.list_handlers() if "capture" in h.handler_id]


def _one_ref(events: list[Any]) -> None:
    assert len({e.metadata["ref"] for e in events}) == 1


def test_success_emits_start_attempt_stop_in_order(client: wt.Client) -> None:
    with wt.telemetry.capture() as cap:
        client.meta()
    assert cap.names() == [REQ_START, ATT_START, ATT_STOP, REQ_STOP]
    _one_ref(cap.events)
    start, att_start, att_stop, stop = cap.events
    assert set(start.measurements) == {"system_time"}
    assert set(att_start.measurements) == {"system_time"}
    assert stop.measurements["duration"] >= att_stop.measurements["duration"] > 0
    for event in cap.events:
        assert set(event.metadata) >= COMMON_KEYS
        assert event.metadata["operation"] == "meta"
        assert event.metadata["method"] == "GET"
        assert event.metadata["path_template"] == "/v1/meta"
        assert event.metadata["server_address"] == "127.0.0.1"
        assert event.metadata["url"].endswith("/v1/meta")
    assert att_start.metadata["attempt"] == 1
    assert att_stop.metadata["status_code"] == 200
    assert stop.metadata["status_code"] == 200
    assert stop.metadata["attempt"] == 1
    assert stop.metadata["error_kind"] is None
    assert "request_id" in stop.metadata


def test_http_error_emits_exception_events(client: wt.Client) -> None:
    with wt.telemetry.capture() as cap, pytest.raises(wt.NotFoundError) as info:
        client.raw.request("GET", "/v1/schema/DoesNotExist12345")
    assert cap.names() == [REQ_START, ATT_START, ATT_EXC, REQ_EXC]
    _one_ref(cap.events)
    att_exc, exc = cap.events[2], cap.events[3]
    assert att_exc.metadata["status_code"] == 404
    assert att_exc.metadata["error_kind"] == "not_found"
    assert exc.metadata["status_code"] == 404
    assert exc.metadata["error_kind"] == "not_found"
    assert exc.metadata["operation"] == "raw"
    assert exc.metadata["error"] is info.value
    assert exc.measurements["duration"] > 0


def test_connection_error_to_closed_port() -> None:
    with (
        wt.Client(f"http://127.0.0.1:{free_port()}") as c,
        wt.telemetry.capture() as cap,
        pytest.raises(wt.WeaviateConnectionError),
    ):
        c.meta()
    assert cap.names() == [REQ_START, ATT_START, ATT_EXC, REQ_EXC]
    exc = cap.events[-1]
    assert exc.metadata["status_code"] is None
    assert exc.metadata["error_kind"] == "connection_error"
    assert exc.metadata["attempt"] == 1


def test_timeout_against_a_stalling_server() -> None:
    with (
        StallingServer() as stall,
        wt.Client(stall.url, timeouts=wt.Timeouts(connect=1.0, read=0.2, total=2.0)) as c,
        wt.telemetry.capture() as cap,
        pytest.raises(wt.WeaviateTimeoutError),
    ):
        c.meta()
    assert cap.names() == [REQ_START, ATT_START, ATT_EXC, REQ_EXC]
    assert cap.events[-1].metadata["error_kind"] == "timeout"
    assert cap.events[-1].measurements["duration"] >= 0.2


def test_retry_503_then_200(stamina_testing: None) -> None:
    script = [(503, b'{"error": [{"message": "busy"}]}'), (200, META_BODY)]
    with (
        ScriptedHTTPServer([Canned(st, b) for st, b in script]) as server,
        wt.Client(server.url, retry=wt.RetryPolicy(enabled=True, max_attempts=3)) as c,
        wt.telemetry.capture() as cap,
    ):
        response = c.raw.request("GET", "/v1/meta")
    assert response.status == 200
    assert cap.names() == [
        REQ_START,
        ATT_START,
        ATT_EXC,
        REQ_RETRY,
        ATT_START,
        ATT_STOP,
        REQ_STOP,
    ]
    _one_ref(cap.events)
    retry = cap.of("request", "retry")[0]
    assert set(retry.measurements) == {"wait"}
    assert retry.metadata["attempt"] == 1
    assert retry.metadata["status_code"] == 503
    assert retry.metadata["error_kind"] == "unavailable"
    assert [e.metadata["attempt"] for e in cap.of("attempt", "start")] == [1, 2]
    assert cap.events[2].metadata["status_code"] == 503
    stop = cap.events[-1]
    assert stop.metadata["status_code"] == 200
    assert stop.metadata["attempt"] == 2


def test_caller_metadata_from_context_and_options(client: wt.Client) -> None:
    with wt.telemetry.capture() as cap, wt.telemetry.metadata(job="nightly", shard=3):
        client.meta(metadata={"correlation_id": "abc-1"})
    for event in cap.events:
        assert event.metadata["metadata"] == {
            "job": "nightly",
            "shard": 3,
            "correlation_id": "abc-1",
        }


def test_failing_handler_is_detached_and_the_request_succeeds(client: wt.Client) -> None:
    calls: list[tuple[str, ...]] = []

    def broken(name: Any, measurements: Any, metadata: Any, config: Any) -> None:
        calls.append(name)
        raise RuntimeError("handler bug")

    wt.telemetry.attach("test.broken", [REQ_START, REQ_STOP], broken)
    try:
        with wt.telemetry.capture() as cap:
            assert client.meta().version
            assert client.meta().version
        assert calls == [REQ_START]  # detached after its first failure
        assert "test.broken" not in {h.handler_id for h in wt.telemetry.list_handlers()}
        assert cap.names().count(REQ_STOP) == 2
    finally:
        wt.telemetry.detach("test.broken")


def test_no_handlers_means_no_events_built(client: wt.Client) -> None:
    assert wt.telemetry.list_handlers() == []
    with wt.telemetry.capture() as cap:
        client.meta()
    assert cap.names() == [REQ_START, ATT_START, ATT_STOP, REQ_STOP]
    client.meta()  # the fast path: nothing attached any more, nothing recorded
    assert len(cap.events) == 4
    assert wt.telemetry.list_handlers() == []


def test_attach_rejects_duplicates_and_lists_handlers() -> None:
    def noop(*args: Any) -> None:
        return None

    wt.telemetry.attach("test.noop", "weaviate.request.stop", noop, config={"k": 1})
    try:
        with pytest.raises(wt.ConfigError):
            wt.telemetry.attach("test.noop", [REQ_STOP], noop)
        infos = wt.telemetry.list_handlers(("weaviate", "request"))
        info = next(i for i in infos if i.handler_id == "test.noop")
        assert info.event_names == (REQ_STOP,)
        assert info.config == {"k": 1}
    finally:
        assert wt.telemetry.detach("test.noop")
    assert not wt.telemetry.detach("test.noop")


def test_custom_prefix(weaviate_server: Any) -> None:
    prefix = ("myapp", "wv")
    with (
        wt.Client(weaviate_server.url, telemetry_prefix=prefix) as c,
        wt.telemetry.capture(prefix=prefix) as mine,
        wt.telemetry.capture() as default,
    ):
        c.meta()
    assert [n[:2] for n in mine.names()] == [prefix] * 4
    assert default.events == []


def test_failing_handler_is_logged_once_when_logging_is_enabled(client: wt.Client) -> None:
    from loguru import logger

    records: list[Any] = []
    sink = logger.add(lambda m: records.append(m.record), level="ERROR")
    logger.enable("weaviate_telemetry")

    def broken(*args: Any) -> None:
        raise ValueError("boom")

    try:
        wt.telemetry.attach("test.broken-logged", [REQ_STOP, ATT_STOP], broken)
        client.meta()
        client.meta()
    finally:
        logger.disable("weaviate_telemetry")
        logger.remove(sink)
        wt.telemetry.detach("test.broken-logged")
    assert len(records) == 1
    assert "test.broken-logged" in records[0]["message"]
    assert records[0]["exception"] is not None


def test_interrupt_mid_call_still_ends_the_call_and_attempt_events() -> None:
    """A KeyboardInterrupt raised inside the transport closes both events (no leaked spans)."""
    client = wt.Client("http://127.0.0.1:9")

    class InterruptedTransport:
        def send(self, *args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        def close(self) -> None:
            pass

    client._pipeline.transport = InterruptedTransport()  # type: ignore[assignment]
    with wt.telemetry.capture() as events, pytest.raises(KeyboardInterrupt):
        client.meta()
    client.close()
    assert [e.name[1:] for e in events.events] == [
        ("request", "start"),
        ("attempt", "start"),
        ("attempt", "exception"),
        ("request", "exception"),
    ]
    assert events.events[-1].metadata["error_kind"] == "KeyboardInterrupt"
