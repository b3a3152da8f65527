"""Hostile servers: nothing unbounded, untyped or leaked (docs/configuration.md#limits).

Every case here used to hang past ``timeouts.total``, grow memory with what the server
sent, decode what the SDK never asked for, poison a pooled connection, or repeat a
credential the server echoed.
"""

from __future__ import annotations

import json
import resource
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from loguru import logger
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import weaviate_telemetry as wt
from tests.support.hostile import OK_BODY, GrpcEchoServer, HostileServer
from weaviate_telemetry._core.events import capture

MiB = 1 << 20


def _peak_rss() -> int:
    """The process's peak resident set so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize("mode", ["slow_headers", "slow_body"])
def test_total_bounds_a_trickling_answer(mode: str, client_cls: Any) -> None:
    # One byte every 0.5 s: no socket read ever times out (read=30), only the deadline can.
    with HostileServer(mode, size=1000, interval=0.5) as server:
        with client_cls(server.url, timeouts=wt.Timeouts(total=2, read=30)) as client:
            started = time.monotonic()
            with pytest.raises(wt.WeaviateTimeoutError, match="deadline"):
                client.meta()
            assert time.monotonic() - started < 2 + 2


@pytest.mark.parametrize(
    ("mode", "size"),
    [
        ("endless", 0),
        ("oversize", 2 * MiB),  # announced: refused before the body is read
        ("oversize", 64 * MiB),
    ],
)
def test_an_answer_past_max_response_bytes_is_refused(
    mode: str, size: int, client_cls: Any
) -> None:
    before = _peak_rss()
    with HostileServer(mode, size=size) as server:
        with client_cls(server.url, max_response_bytes=MiB) as client:
            with pytest.raises(wt.ProtocolError, match="max_response_bytes=1048576"):
                client.meta()
            assert client.config.max_response_bytes == MiB
    assert _peak_rss() - before < 32 * MiB


@pytest.mark.parametrize("mode", ["gzip_bomb", "deflate_bomb"])
def test_a_compression_bomb_is_never_decoded(mode: str, client_cls: Any) -> None:
    before = _peak_rss()
    with HostileServer(mode, size=256 * MiB) as server, client_cls(server.url) as client:
        with pytest.raises(wt.ProtocolError, match="Content-Encoding"):
            client.meta()
        assert "accept-encoding" in server.requests[0]["headers"]
        assert server.requests[0]["headers"]["accept-encoding"] == "identity"
    assert _peak_rss() - before < 32 * MiB


@pytest.mark.parametrize("size", [512 * 1024, 8 * MiB])
def test_a_huge_error_message_is_capped(size: int, client_cls: Any) -> None:
    before = _peak_rss()
    with HostileServer("huge_error", size=size) as server, client_cls(server.url) as client:
        with pytest.raises(wt.ServerError) as info:
            client.meta()
    err = info.value
    assert err.status_code == 500 and len(err.message) < 8192 + 100
    if size < MiB:  # decoded: the server's message, cut
        assert err.message.startswith("EEEE") and "more characters cut" in err.message
    else:  # not decoded: the start of the answer as text
        assert err.message.startswith('{"error": [{"message": "EEEE')
    assert len(str(err)) < 8192 + 300
    assert len(json.dumps(err.details)) < 8192
    # the body itself (and the test server's copy of it), not a multiple of it
    assert _peak_rss() - before < 3 * size + 32 * MiB


def test_a_connection_whose_answer_was_cut_short_is_not_reused(client_cls: Any) -> None:
    # The first answer stops half-way (the deadline ends it): were that connection put
    # back in the pool, the next call would read the rest of it as its own answer.
    with HostileServer("ok", size=100, interval=1.0) as server:
        server.then = ["slow_body"]
        with client_cls(server.url, timeouts=wt.Timeouts(total=1.5)) as client:
            with pytest.raises(wt.WeaviateTimeoutError):
                client.meta()
            assert client.meta().version == "1.39.0"
            assert client.meta().version == "1.39.0"
        assert server.connections == 2  # a new one after the cut, then kept alive


@pytest.mark.parametrize(
    "name",
    [
        "Content-Length",
        "content-length",
        "Transfer-Encoding",
        "Connection",
        "Host",
        "Keep-Alive",
        "Upgrade",
        "TE",
        "Trailer",
        "Proxy-Connection",
        "Expect",
        "Accept-Encoding",
        "grpc-timeout",
        "x-trace-bin",
    ],
)
def test_headers_the_transport_owns_are_refused(name: str) -> None:
    with HostileServer("ok") as server, wt.Client(server.url) as client:
        with pytest.raises(wt.ValidationError, match="transport does not own"):
            client.meta(headers={name: "5"})
        with pytest.raises(wt.ValidationError, match="transport does not own"):
            client.raw.request("GET", "/v1/meta", headers={name: "5"})
        assert client.meta().version == "1.39.0"  # the next call is not disturbed
        assert server.requests and all(
            name.lower() not in r["headers"] or name.lower() in ("host", "accept-encoding")
            for r in server.requests
        )
    with pytest.raises(wt.ConfigError, match="transport does not own"):
        wt.Config(base_url="http://127.0.0.1:9", default_headers={name: "0"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Name\n", "v"),
        ("X-Name", "v\n"),
        ("X-Name", "caf\u00e9"),  # latin-1 over HTTP, but not gRPC metadata
        ("X-Name", "\u2603"),
        ("X-Name", "tab\there"),
        ("X-N\u00e4me", "v"),
        ("", "v"),
    ],
)
def test_headers_neither_transport_can_carry_are_refused(name: str, value: str) -> None:
    with HostileServer("ok") as server, wt.Client(server.url) as client:
        with pytest.raises(wt.ValidationError):
            client.meta(headers={name: value})
        assert server.requests == []


def test_raw_never_echoes_a_query_string() -> None:
    with HostileServer("ok") as server, wt.Client(server.url) as client:
        with pytest.raises(wt.ValidationError) as info:
            client.raw.request("GET", "/v1/meta?api_key=sk-raw-path-secret-123")
        assert "sk-raw-path-secret" not in str(info.value) + repr(info.value)
        for method in ("GET\n", "get\n", "G\u0130T"):
            with pytest.raises(wt.ValidationError, match="invalid method"):
                client.raw.request(method, "/v1/meta")
        assert server.requests == []


# -- secrets a server echoes back ------------------------------------------------------


class Artifacts:
    """Every text a user or an operator could see: collected, then scanned for secrets."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, value: Any) -> None:
        if isinstance(value, BaseException):
            self.texts.append((f"{where}: str", str(value)))
            self.texts.append((f"{where}: repr", repr(value)))
            self.texts.append((f"{where}: traceback", "".join(traceback.format_exception(value))))
            if isinstance(value, wt.WeaviateError):
                self.texts.append((f"{where}: message", value.message))
                self.texts.append((f"{where}: details", json.dumps(value.details, default=str)))
                self.texts.append((f"{where}: request_id", str(value.request_id)))
                for i, earlier in enumerate(value.errors):
                    self.add(f"{where}: errors[{i}]", earlier)
            return
        self.texts.append((where, value if isinstance(value, str) else repr(value)))

    def hits(self, secrets: list[str]) -> list[tuple[str, str]]:
        return [(where, s) for where, text in self.texts for s in secrets if s in text]


@pytest.fixture
def tracing() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    inst = wt.telemetry.instrument_opentelemetry(provider, attempt_spans="always")
    try:
        yield spans
    finally:
        inst.uninstrument()
        provider.shutdown()


SECRET_API_KEY = "sk-apikey-7f3a9c2e51"
SECRET_DEFAULT_TOKEN = "tok-default-4b8d0e6f"
SECRET_MODULE_KEY = "sk-module-9e1c3a5b7d"
SECRET_CALL_BEARER = "tok-bearer-2c4e6a8f0b"
SECRET_CALL_TOKEN = "tok-scheme-5d7f9b1c3e"
SECRET_SESSION = "sess-marked-8a6c4e2f0d"
SECRETS = [
    SECRET_SESSION,
    SECRET_API_KEY,
    SECRET_DEFAULT_TOKEN,
    SECRET_MODULE_KEY,
    SECRET_CALL_BEARER,
    SECRET_CALL_TOKEN,
]


def test_echoed_secrets_are_scrubbed_everywhere(tracing: InMemorySpanExporter) -> None:
    artifacts = Artifacts()
    log_lines: list[str] = []
    sink = logger.add(lambda m: log_lines.append(str(m) + repr(m.record["extra"])), level="DEBUG")
    try:
        with (
            HostileServer("echo") as server,
            GrpcEchoServer() as grpc_server,
            capture() as events,
            wt.telemetry.log_to_loguru(),
        ):
            with wt.Client(
                server.url,
                api_key=SECRET_API_KEY,
                grpc_port=grpc_server.port,
                default_headers={
                    "X-Openai-Api-Key": SECRET_MODULE_KEY,
                    "X-Session": SECRET_SESSION,
                },
                secret_headers=("x-session",),
            ) as client:
                for headers in (
                    None,
                    {"Authorization": f"Bearer {SECRET_CALL_BEARER}"},
                    {"Authorization": f"Token {SECRET_CALL_TOKEN}"},
                ):
                    with pytest.raises(wt.UnauthorizedError) as rest:
                        client.meta(headers=headers)
                    artifacts.add("REST meta", rest.value)
                    with pytest.raises(wt.WeaviateError) as rpc:
                        client.query.get("Article").fields("title").do(headers=headers)
                    artifacts.add("gRPC search", rpc.value)
                    for transport in ("rest", "grpc"):
                        result = client.batch.insert_objects(
                            [{"title": "a"}, {"title": "b"}],
                            collection="Article",
                            transport=transport,
                            headers=headers,
                        )
                        assert result.failed == 2
                        for failure in result.failures:
                            artifacts.add(f"{transport} batch failure", failure.message)
                            artifacts.add(f"{transport} batch failure json", failure.to_json())
                artifacts.add("client repr", repr(client))
                artifacts.add("config repr", repr(client.config))
            with wt.Client(
                server.url, default_headers={"Authorization": f"Token {SECRET_DEFAULT_TOKEN}"}
            ) as other:
                with pytest.raises(wt.UnauthorizedError) as default:
                    other.meta()
                artifacts.add("REST meta, default Token header", default.value)
    finally:
        logger.remove(sink)
    for i, event in enumerate(events.events):
        meta = dict(event.metadata)
        error = meta.pop("error", None)
        if error is not None:
            artifacts.add(f"event {i} error", error)
        artifacts.add(f"event {i}", json.dumps(meta, default=str))
    for line in log_lines:
        artifacts.add("log line", line)
    for span in tracing.get_finished_spans():
        artifacts.add("span", span.to_json())
    # The servers did see (and echo) the bare secrets: the scan is not vacuous.
    echoed = json.dumps([r["headers"] for r in server.requests])
    assert all(s in echoed for s in SECRETS)
    assert len(artifacts.texts) > 100 and len(tracing.get_finished_spans()) > 10
    assert artifacts.hits(SECRETS) == []
    print(f"secret scan: {len(artifacts.texts)} artifacts, {len(artifacts.hits(SECRETS))} hits")


def test_an_echoed_api_key_is_not_a_request_id(tracing: InMemorySpanExporter) -> None:
    with HostileServer("echo") as server, wt.Client(server.url, api_key=SECRET_API_KEY) as client:
        with pytest.raises(wt.UnauthorizedError) as info:
            client.meta()
    assert info.value.request_id is not None
    assert SECRET_API_KEY not in info.value.request_id
    for span in tracing.get_finished_spans():
        assert SECRET_API_KEY not in str((span.attributes or {}).get("weaviate.request_id"))


def test_a_good_server_still_answers_as_before(client_cls: Any) -> None:
    with HostileServer("ok") as server, client_cls(server.url) as client:
        response = client.raw.request("GET", "/v1/meta")
    assert response.raw == OK_BODY and response.json()["hostname"] == "hostile"


def test_numbers_and_text_no_wire_carries_are_refused_typed_before_io() -> None:
    with HostileServer("ok") as server, wt.Client(server.url, grpc_port=1) as client:
        handle = client.collections.get("Article")
        for call in (
            lambda: handle.query.near_vector([1.0], certainty=10**400),
            lambda: handle.query.near_vector([1.0], distance=10**400),
            lambda: handle.query.hybrid("q", alpha=10**400),
            lambda: handle.query.near_vector([10**400]),
            lambda: handle.query.fetch_objects(limit=2**32),
            lambda: client.meta(timeout=10**400),
            lambda: client.raw.request("GET", "/v1/meta", params={"a": "\udc80"}),
            lambda: client.raw.request("GET", "/v1/meta", params={"\udc80": "a"}),
            lambda: client.raw.request("GET", "/v1/meta", params={"a": object()}),
            lambda: handle.query.near_vector([1.0], target_vector=5),  # type: ignore[arg-type]
            lambda: handle.query.bm25("q", query_properties=5),  # type: ignore[arg-type]
            lambda: handle.query.hybrid("q", query_properties=1e39),  # type: ignore[arg-type]
        ):
            with pytest.raises(wt.ValidationError):
                call()
        assert server.requests == []


def test_grpc_answers_are_bounded_by_the_deadline_and_max_response_bytes() -> None:
    with HostileServer("ok") as rest, GrpcEchoServer("slow") as slow:
        with wt.Client(rest.url, grpc_port=slow.port, timeouts=wt.Timeouts(total=1.5)) as c:
            started = time.monotonic()
            with pytest.raises(wt.WeaviateTimeoutError):
                c.query.get("Article").fields("title").do()
            assert time.monotonic() - started < 1.5 + 2
    with HostileServer("ok") as rest, GrpcEchoServer("big", size=2 * MiB) as big:
        with wt.Client(rest.url, grpc_port=big.port, max_response_bytes=MiB) as c:
            with pytest.raises(wt.ProtocolError, match="larger than max"):
                c.query.get("Article").fields("title").do()
