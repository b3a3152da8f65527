"""Server-side batching (``BatchStream``) against a real Weaviate: every object stored or
reported, a broken stream resumed without loss or duplicates, the unary fallback, lazy
input, one span per stream (docs/batch.md)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import weaviate_telemetry as wt
from tests.peers.toxiproxy import Toxiproxy
from weaviate_telemetry._api.stream_window import StreamWindow, Unsettled
from weaviate_telemetry._core import events
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port

DIM = 8


@pytest.fixture(scope="module")
def stream_client(weaviate_server: EmbeddedWeaviate) -> Iterator[wt.Client]:
    with weaviate_server.client() as c:
        assert c.config.grpc_port is not None
        yield c


@pytest.fixture
def docs(stream_client: wt.Client, collection_name: str) -> Iterator[str]:
    stream_client.collections.create_from_dict(
        {
            "class": collection_name,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "n", "dataType": ["int"]},
            ],
        }
    )
    yield collection_name
    stream_client.collections.delete(collection_name)


def rows(n: int, bad: frozenset[int] = frozenset()) -> Iterator[dict[str, Any]]:
    """n objects with deterministic ids; those in ``bad`` carry an invalid int."""
    for i in range(n):
        yield {
            "id": wt.generate_uuid5(i, "stream-test"),
            "properties": {"title": f"t{i}", "n": "not a number" if i in bad else i},
            "vector": [float(i % 7), 1.0, *([0.5] * (DIM - 2))],
        }


def _calls_in_flight() -> int:
    from weaviate_telemetry._core import grpc_transport

    return grpc_transport._in_flight._count


def stored_ids(client: wt.Client, collection: str) -> list[str]:
    return [o.id for o in client.objects.iterate(collection, page_size=1000)]


def expected_ids(n: int, skip: frozenset[int] = frozenset()) -> set[str]:
    return {wt.generate_uuid5(i, "stream-test") for i in range(n) if i not in skip}


@pytest.fixture
def pacing() -> Iterator[list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    seen: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def handler(name: Any, measurements: Any, meta: Any, _: Any) -> None:
        seen.append((meta["event"], dict(measurements), dict(meta)))

    events.attach("test-stream-pacing", [("weaviate", "stream", "pacing")], handler)
    try:
        yield seen
    finally:
        events.detach("test-stream-pacing")


def test_stream_import_stores_every_object_with_its_id(
    stream_client: wt.Client, docs: str, pacing: list[Any]
) -> None:
    n = 3000
    result = stream_client.batch.stream_objects(rows(n), collection=docs, max_in_flight=500)
    assert result.ok and result.succeeded == n
    assert set(result.successful_ids) == expected_ids(n)
    ids = stored_ids(stream_client, docs)
    assert len(ids) == n and set(ids) == expected_ids(n)
    assert next(e for e, _, _ in pacing) == "started"
    assert "fallback" not in [e for e, _, _ in pacing]
    # The stream counted as a gRPC call in flight (a fork waits for it) and is no more.
    assert _calls_in_flight() == 0


def test_per_object_failures_are_reported_and_never_stored(
    stream_client: wt.Client, docs: str
) -> None:
    n, bad = 1200, frozenset({3, 500, 1199})

    def mixed() -> Iterator[dict[str, Any]]:
        for i, row in enumerate(rows(n, bad)):
            if i == 700:  # a vector of another length than the collection's
                row = {**row, "vector": [1.0, 2.0]}
            yield row

    result = stream_client.batch.stream_objects(mixed(), collection=docs)
    failed = {f.index: f for f in result.failures}
    assert set(failed) == {*bad, 700}
    for i in bad:
        assert failed[i].id == wt.generate_uuid5(i, "stream-test")
        assert "not a number" in failed[i].message or "integer" in failed[i].message
    assert "length" in failed[700].message
    assert result.succeeded == n - 4 and result.total == n
    assert not set(result.successful_ids) & {f.id for f in result.failures}
    assert set(stored_ids(stream_client, docs)) == expected_ids(n, frozenset({*bad, 700}))


def test_input_is_consumed_lazily_within_the_window(stream_client: wt.Client, docs: str) -> None:
    pulled = 0
    ahead: list[int] = []

    def source() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in rows(4000):
            pulled += 1
            yield row

    def progress(p: Any) -> None:
        ahead.append(pulled - p.processed)

    result = stream_client.batch.stream_objects(
        source(), collection=docs, max_in_flight=300, on_progress=progress, keep_ids=False
    )
    assert result.succeeded == 4000 and result.successful_ids == ()
    # Never more than the window ahead of what the server settled (+1: the pull that
    # found the window full is the next one's).
    assert ahead and max(ahead) <= 300


def test_keep_ids_false_counts_for_unary_batches_too(stream_client: wt.Client, docs: str) -> None:
    result = stream_client.batch.insert_objects(
        rows(700, frozenset({9})), collection=docs, keep_ids=False
    )
    assert result.succeeded == 699 and result.successful_ids == () and result.failed == 1


def test_broken_stream_is_resumed_without_loss_or_duplicates(
    toxiproxy: Toxiproxy, weaviate_server: EmbeddedWeaviate, docs: str, pacing: list[Any]
) -> None:
    """The gRPC connection is cut mid-import (toxiproxy disables the proxy for a second):
    a new stream resends only the objects without a result, with their ids."""
    assert weaviate_server.ports is not None
    name = "grpc_" + uuid.uuid4().hex[:8]
    proxy = toxiproxy.proxy(name, weaviate_server.ports.grpc)
    port = int(proxy.rsplit(":", 1)[1])
    cut = threading.Event()

    def progress(p: Any) -> None:
        if p.processed >= 1500 and not cut.is_set():
            cut.set()
            toxiproxy.set_enabled(name, False)  # drops the open connection
            threading.Timer(1.0, toxiproxy.set_enabled, (name, True)).start()

    n, window = 5000, 400
    try:
        with wt.Client(weaviate_server.url, grpc_port=port) as c:
            result = c.batch.stream_objects(
                rows(n), collection=docs, max_in_flight=window, on_progress=progress
            )
    finally:
        toxiproxy.call("DELETE", f"/proxies/{name}")
    assert cut.is_set()
    assert _calls_in_flight() == 0  # the broken stream and its successor both released
    reconnects = [m for e, m, _ in pacing if e == "reconnect"]
    assert reconnects, [e for e, _, _ in pacing]
    # Only what had no result was sent again: never more than the window.
    assert 0 < reconnects[0]["resent"] <= window
    assert "fallback" not in [e for e, _, _ in pacing]
    assert result.ok and result.succeeded == n
    assert sorted(result.successful_ids) == sorted(expected_ids(n))  # each once
    with wt.Client(weaviate_server.url) as c:
        ids = stored_ids(c, docs)
    assert len(ids) == n and set(ids) == expected_ids(n)


class _NoBatchStream:
    """A gRPC server without ``BatchStream`` (it answers UNIMPLEMENTED, as Weaviate < 1.36
    does) that forwards ``BatchObjects`` to the real Weaviate."""

    def __init__(self, upstream: int) -> None:
        self.port = free_port()
        self._upstream = grpc.insecure_channel(f"127.0.0.1:{upstream}")
        self.batch_objects = 0
        forward = self._upstream.unary_unary("/weaviate.v1.Weaviate/BatchObjects")

        def batch_objects(request: bytes, context: grpc.ServicerContext) -> bytes:
            self.batch_objects += 1
            meta = [(m.key, m.value) for m in context.invocation_metadata()]
            reply: bytes = forward(request, metadata=meta, timeout=30)
            return reply

        handler = grpc.method_handlers_generic_handler(
            "weaviate.v1.Weaviate",
            {"BatchObjects": grpc.unary_unary_rpc_method_handler(batch_objects)},
        )
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        self.server.add_generic_rpc_handlers((handler,))
        self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()

    def stop(self) -> None:
        self.server.stop(None).wait(5)
        self._upstream.close()


def test_server_without_batch_stream_gets_unary_batches(
    weaviate_server: EmbeddedWeaviate, docs: str, pacing: list[Any]
) -> None:
    assert weaviate_server.ports is not None
    fake = _NoBatchStream(weaviate_server.ports.grpc)
    try:
        with wt.Client(weaviate_server.url, grpc_port=fake.port) as c:
            result = c.batch.stream_objects(rows(900, frozenset({5})), collection=docs)
    finally:
        fake.stop()
    fallbacks = [(m, meta) for e, m, meta in pacing if e == "fallback"]
    assert len(fallbacks) == 1 and "no BatchStream" in fallbacks[0][1]["reason"]
    assert fake.batch_objects >= 900 // 200
    assert result.succeeded == 899 and [f.index for f in result.failures] == [5]
    with wt.Client(weaviate_server.url) as c:
        assert set(stored_ids(c, docs)) == expected_ids(900, frozenset({5}))


def test_a_refused_stream_is_not_retried_and_every_object_is_reported(
    weaviate_auth_server: EmbeddedWeaviate, pacing: list[Any]
) -> None:
    """A wrong API key: no reconnect waits; the unary fallback reports each object."""
    assert weaviate_auth_server.ports is not None
    with wt.Client(
        weaviate_auth_server.url, grpc_port=weaviate_auth_server.ports.grpc, api_key="wrong"
    ) as c:
        result = c.batch.stream_objects(rows(250), collection="Anything")
    assert result.succeeded == 0 and result.failed == 250
    assert {f.kind for f in result.failures} == {wt.ErrorKind.UNAUTHORIZED}
    assert [f.index for f in result.failures] == list(range(250))
    events_seen = [e for e, _, _ in pacing]
    assert "reconnect" not in events_seen
    assert [meta["error_kind"] for e, _, meta in pacing if e == "fallback"] == ["unauthorized"]


def test_one_span_per_stream_and_outcomes_in_the_batch_metric(
    stream_client: wt.Client, docs: str
) -> None:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    inst = wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider)
    try:
        result = stream_client.batch.stream_objects(
            rows(1500, frozenset({10, 20})), collection=docs
        )
        data = reader.get_metrics_data()
    finally:
        inst.uninstrument()
        tracer_provider.shutdown()
        meter_provider.shutdown()
    assert result.succeeded == 1498
    finished = spans.get_finished_spans()
    assert [s.name for s in finished] == [f"batch.stream_objects {docs}"]
    span = finished[0]
    names = [e.name for e in span.events]
    assert names[0] == "batch.stream.started"
    assert data is not None
    points: dict[str, int] = {}
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == "weaviate.client.batch.objects":
                    for p in metric.data.data_points:
                        if p.attributes.get("db.operation.name") == "batch.stream_objects":
                            points[str(p.attributes["outcome"])] = int(p.value)
    assert points == {"succeeded": 1498, "failed": 2}


def test_collection_batch_stream_context(stream_client: wt.Client, docs: str) -> None:
    articles = stream_client.collections.use(docs)
    with articles.batch.stream() as batch:
        for row in rows(800, frozenset({42})):
            batch.add_object(properties=row["properties"], uuid=row["id"], vector=row["vector"])
    failed = articles.batch.failed_objects
    assert [str(f.original_uuid) for f in failed] == [wt.generate_uuid5(42, "stream-test")]
    assert failed[0].object_.properties == {"title": "t42", "n": "not a number"}
    assert len(batch.results_uuids) == 799
    assert len(stored_ids(stream_client, docs)) == 799


class _Properties(dict[str, Any]):
    """A properties dict a weak reference can follow (to see who still holds it)."""


def test_collection_batch_stream_context_lets_go_of_stored_objects(
    stream_client: wt.Client, docs: str
) -> None:
    """The context keeps only the objects still on their way (and the failed ones), so a
    large import's memory is bounded by the queue and the window, not by its size."""
    import gc
    import weakref

    articles = stream_client.collections.use(docs)
    alive: list[weakref.ref[_Properties]] = []
    n, window = 5000, 200
    with articles.batch.stream(max_in_flight=window) as batch:
        for row in rows(n, frozenset({7})):
            properties = _Properties(row["properties"])
            alive.append(weakref.ref(properties))
            batch.add_object(properties=properties, uuid=row["id"], vector=row["vector"])
        gc.collect()
        held = sum(1 for r in alive if r() is not None)
    # At most the queue (1,000) and the window are held; before, every object was.
    assert held <= 1000 + window + 10, held
    assert [str(f.original_uuid) for f in articles.batch.failed_objects] == [
        wt.generate_uuid5(7, "stream-test")
    ]
    assert articles.batch.failed_objects[0].object_.properties == {
        "title": "t7",
        "n": "not a number",
    }
    assert len(batch.results_uuids) == n - 1
    assert len(stored_ids(stream_client, docs)) == n - 1


def test_rerunning_an_import_with_deterministic_ids_is_idempotent(
    stream_client: wt.Client, docs: str
) -> None:
    first = stream_client.batch.stream_objects(rows(600), collection=docs, keep_ids=False)
    again = stream_client.batch.stream_objects(rows(600), collection=docs, keep_ids=False)
    assert first.succeeded == again.succeeded == 600
    assert len(stored_ids(stream_client, docs)) == 600


def test_stream_needs_a_grpc_port(client: wt.Client) -> None:
    with pytest.raises(wt.ValidationError, match="grpc_port"):
        client.batch.stream_objects([], collection="Article")


# -- the window's decisions (pure, no server) ------------------------------------------


def _window(n: int, max_unsettled: int = 100, batch_size: int = 4) -> StreamWindow:
    w = StreamWindow(max_unsettled, batch_size)
    for i in range(n):
        w.add(Unsettled(i, f"id{i}", None))
    return w


def test_window_sends_at_most_the_servers_batch_size_unacknowledged() -> None:
    w = _window(10)
    assert [u.index for u in w.take()] == [0, 1, 2, 3]
    assert w.take() == []
    w.acked(["id0", "id1"])
    assert [u.index for u in w.take()] == [4, 5]
    assert w.backoff(1)
    w.acked(["id2", "id3", "id4", "id5"])
    assert [u.index for u in w.take()] == [6]


def test_window_resends_only_unsettled_in_input_order_and_settles_once() -> None:
    w = _window(6, batch_size=6)
    w.take()
    settled = w.results(["id1", "id4"], [("id2", "bad")])
    assert sorted((s.index, s.error or "") for s in settled) == [(1, ""), (2, "bad"), (4, "")]
    assert w.stream_ended() == 3
    assert [u.index for u in w.take()] == [0, 3, 5]
    assert w.results(["id1"], []) == []  # already settled: not counted twice
    assert [s.index for s in w.results(["id0", "id3", "id5"], [])] == [0, 3, 5]
    assert w.idle()


def test_window_holds_a_repeated_id_until_the_first_is_settled() -> None:
    w = StreamWindow(10, 10)
    w.add(Unsettled(0, "same", None))
    w.add(Unsettled(1, "same", None))
    assert [u.index for u in w.take()] == [0]
    w.results(["same"], [])
    assert [u.index for u in w.take()] == [1]


def test_window_room_bounds_memory_and_pauses_on_server_messages() -> None:
    w = _window(8, max_unsettled=10, batch_size=8)
    assert w.room() == 2
    w.take()
    assert w.room() == 2
    assert w.out_of_memory(["id6", "id7"]) == 2
    assert w.take() == []  # paused until the next stream
    w.stream_ended()
    assert [u.index for u in w.take()] == [0, 1, 2, 3, 4, 5, 6, 7]
    w.shutting_down()
    assert w.take() == []


def test_window_gives_up_after_the_reconnect_waits() -> None:
    w = StreamWindow(10)
    waits = []
    while (wait := w.reconnect_wait()) is not None:
        waits.append(wait)
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0]
    w.results([], [])
    assert w.reconnect_wait() is None  # no result: no progress, still given up


def test_import_progress_shows_rate_eta_and_failures(stream_client: wt.Client, docs: str) -> None:
    import io

    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160, color_system=None)
    with wt.ImportProgress(total=500, description="articles", console=console) as progress:
        result = stream_client.batch.stream_objects(
            rows(500, frozenset({1, 2})), collection=docs, on_progress=progress
        )
    assert result.failed == 2
    text = out.getvalue()
    assert "articles" in text and "500/500" in text and "2 failed" in text
    assert "obj/s" in text and "ETA" in text
