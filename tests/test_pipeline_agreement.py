"""Telemetry and the caller agree on every failure, including a malformed answer.

The pipeline checks an answer's shape inside the call's events, so an
answer the SDK cannot use is recorded as the failure the caller sees: the
caller's error kind equals the ``request.exception`` event's ``error_kind``
and the OTel span's ``error.type``, and no ``request.stop`` is emitted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer

REQ_STOP = ("weaviate", "request", "stop")
REQ_EXC = ("weaviate", "request", "exception")

GRAPHQL_ERRORS = b'{"data": null, "errors": [{"message": "Syntax Error GraphQL request (1:3)"}]}'

CASES: list[tuple[str, Canned, Callable[[wt.Client], Any], wt.ErrorKind]] = [
    # (what, the server's answer, the call, the kind the caller must see)
    ("meta: a list", Canned(200, b"[1, 2]"), lambda c: c.meta(), wt.ErrorKind.PROTOCOL_ERROR),
    ("meta: not JSON", Canned(200, b"<html>"), lambda c: c.meta(), wt.ErrorKind.PROTOCOL_ERROR),
    (
        "nodes: no list",
        Canned(200, b'{"nodes": 3}'),
        lambda c: c.nodes(),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "objects.list: objects is a string",
        Canned(200, b'{"objects": "x"}'),
        lambda c: c.objects.list("Article"),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "collections.list: a number",
        Canned(200, b"7"),
        lambda c: c.collections.list(),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "tenants.list: an object",
        Canned(200, b'{"name": "t"}'),
        lambda c: c.tenants.list("Article"),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "batch.delete: no results",
        Canned(200, b"{}"),
        lambda c: c.batch.delete_objects(
            "Article", wt.Filter.by_property("title").equal("x"), dry_run=True
        ),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "query.get: no data",
        Canned(200, b'{"data": null}'),
        lambda c: c.query.get("Article").do(),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "query.get: rows not a list",
        Canned(200, b'{"data": {"Get": {"Article": 5}}}'),
        lambda c: c.query.get("Article").do(),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "collection handle: an id that is not a UUID",
        Canned(200, b'{"data": {"Get": {"Article": [{"t": "x", "_additional": {"id": "nope"}}]}}}'),
        lambda c: c.collections.use("Article").query.fetch_objects(return_properties=["t"]),
        wt.ErrorKind.PROTOCOL_ERROR,
    ),
    (
        "query.graphql: GraphQL errors in a 200",
        Canned(200, GRAPHQL_ERRORS),
        lambda c: c.query.graphql("{ Get { Article { nope } } }"),
        wt.ErrorKind.GRAPHQL_ERROR,
    ),
    (
        "objects.get: a 500",
        Canned(500, b'{"error": [{"message": "boom"}]}'),
        lambda c: c.objects.get("Article", "00000000-0000-0000-0000-000000000001"),
        wt.ErrorKind.SERVER_ERROR,
    ),
]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    inst = wt.telemetry.instrument_opentelemetry(tracer_provider=provider)
    try:
        yield exporter
    finally:
        inst.uninstrument()
        provider.shutdown()


@pytest.mark.parametrize(("what", "answer", "call", "kind"), CASES, ids=[c[0] for c in CASES])
def test_caller_event_and_span_agree(
    spans: InMemorySpanExporter,
    what: str,
    answer: Canned,
    call: Callable[[wt.Client], Any],
    kind: wt.ErrorKind,
) -> None:
    with (
        ScriptedHTTPServer([answer]) as server,
        wt.Client(server.url) as client,
        wt.telemetry.capture() as cap,
        pytest.raises(wt.WeaviateError) as caught,
    ):
        call(client)
    err = caught.value
    assert err.kind is kind, what
    assert err.operation and err.method and err.path  # decorated by the pipeline
    assert REQ_STOP not in cap.names()
    (exception,) = [e for e in cap.events if e.name == REQ_EXC]
    assert exception.metadata["error_kind"] == kind.value
    assert exception.metadata["operation"] == err.operation
    (logical,) = [s for s in spans.get_finished_spans() if s.attributes.get("db.system.name")]
    assert (logical.attributes or {})["error.type"] == kind.value
    assert logical.status.status_code.name == "ERROR"


def test_a_well_formed_answer_is_still_a_success(spans: InMemorySpanExporter) -> None:
    body = b'{"version": "1.39.0", "hostname": "http://[::]:8080", "modules": {}}'
    with (
        ScriptedHTTPServer([Canned(200, body)]) as server,
        wt.Client(server.url) as client,
        wt.telemetry.capture() as cap,
    ):
        assert client.meta().version == "1.39.0"
    assert REQ_STOP in cap.names() and REQ_EXC not in cap.names()
    (logical,) = [s for s in spans.get_finished_spans() if s.attributes.get("db.system.name")]
    assert "error.type" not in (logical.attributes or {})


def test_batch_telemetry_counts_the_failures_the_caller_gets() -> None:
    """An answer that leaves objects out fails them for the caller, and the call's
    event counts them as failed too (facts come from the matched outcome)."""
    ids = ["00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"]
    only_first = f'[{{"id": "{ids[0]}", "result": {{}}}}]'.encode()
    with (
        ScriptedHTTPServer([Canned(200, only_first)]) as server,
        wt.Client(server.url) as client,
        wt.telemetry.capture() as cap,
    ):
        result = client.batch.insert_objects(
            [{"class": "Article", "id": i, "properties": {"t": "x"}} for i in ids]
        )
    assert result.successful_ids == (ids[0],)
    (failure,) = result.failures
    assert failure.id == ids[1] and "does not mention" in failure.message
    (stop,) = [e for e in cap.events if e.name == REQ_STOP]
    assert (stop.metadata["batch_size"], stop.metadata["objects_failed"]) == (2, 1)
