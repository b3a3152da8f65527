"""The gRPC data path against the real Weaviate: every query kind and batch import run
over both transports and give the same typed results; errors map to the same kinds."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port

pytestmark = pytest.mark.integration

F = wt.Filter
N = 24
IDS = [str(uuid.UUID(int=0xABC000 + i)) for i in range(N)]


def _va(i: int) -> list[float]:
    return [1.0, i / N, (i % 5) / 5, 0.25]


def _vb(i: int) -> list[float]:
    return [(i % 7) / 7, 1.0, i / N]


def _props(i: int) -> dict[str, Any]:
    props: dict[str, Any] = {
        "title": f"item {i} " + ("vector search" if i % 3 == 0 else "graph store"),
        "year": 2000 + i,
        "price": i * 1.25,
        "published": i % 2 == 0,
        "tags": ["all", f"m{i % 3}"],
        "scores": [i, i + 1],
        "ratios": [i / 3, 0.5],
        "loc": {"latitude": 52.0 + i * 0.01, "longitude": 4.0},
        "when": f"{2000 + i}-01-01T00:00:00Z",
        "meta": {"source": f"s{i % 2}", "rank": i},
    }
    if i < 8:
        props["note"] = "has a note"
    return props


@pytest.fixture(scope="module")
def grpc_client(weaviate_server: EmbeddedWeaviate) -> Iterator[wt.Client]:
    with weaviate_server.client() as c:
        assert c.config.grpc_port == weaviate_server.ports.grpc  # type: ignore[union-attr]
        yield c


@pytest.fixture(scope="module")
def data(grpc_client: wt.Client) -> Iterator[str]:
    name = "G" + uuid.uuid4().hex[:10]
    grpc_client.collections.create_from_dict(
        {
            "class": name,
            "invertedIndexConfig": {"indexTimestamps": True, "indexNullState": True},
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "year", "dataType": ["int"]},
                {"name": "price", "dataType": ["number"]},
                {"name": "published", "dataType": ["boolean"]},
                {"name": "tags", "dataType": ["text[]"], "tokenization": "field"},
                {"name": "scores", "dataType": ["int[]"]},
                {"name": "ratios", "dataType": ["number[]"]},
                {"name": "note", "dataType": ["text"]},
                {"name": "loc", "dataType": ["geoCoordinates"]},
                {"name": "when", "dataType": ["date"]},
                {
                    "name": "meta",
                    "dataType": ["object"],
                    "nestedProperties": [
                        {"name": "source", "dataType": ["text"]},
                        {"name": "rank", "dataType": ["int"]},
                    ],
                },
            ],
            "vectorConfig": {
                "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
                "b": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"},
            },
        }
    )
    result = grpc_client.batch.insert_objects(
        {
            "class": name,
            "id": IDS[i],
            "properties": _props(i),
            "vectors": {"a": _va(i), "b": _vb(i)},
        }
        for i in range(N)
    )
    assert result.ok and result.succeeded == N
    yield name
    grpc_client.collections.delete(name)


FIELDS: tuple[Any, ...] = (
    "title",
    "year",
    "price",
    "published",
    "tags",
    "scores",
    "ratios",
    "note",
    {"loc": ["latitude", "longitude"]},
    "when",
    {"meta": ["source", "rank"]},
)

QUERIES: dict[str, Callable[[wt.Client, str], Any]] = {
    "fetch all fields, ids, times, named vectors": lambda c, n: (
        c.query.get(n)
        .fields(*FIELDS)
        .additional("id", "creationTimeUnix", "lastUpdateTimeUnix", vectors=["a", "b"])
        .sort("year")
    ),
    "fetch, no selection (ids only)": lambda c, n: c.query.get(n).sort("year").limit(5),
    "where tree, sort desc, offset": lambda c, n: (
        c.query.get(n)
        .fields("year", "tags")
        .where(
            (F.by_property("year").greater_than(2003) & F.by_property("published").equal(True))
            | F.by_property("tags").contains_any(["m1"])
        )
        .sort("year", ascending=False)
        .offset(2)
        .limit(6)
    ),
    "where not, like, is_null, id": lambda c, n: (
        c.query.get(n)
        .fields("title", "note")
        .where(
            ~F.by_property("title").like("*vector*")
            & F.by_property("note").is_null(False)
            & F.by_id().not_equal(IDS[1])
        )
        .sort("year")
    ),
    "where numbers, dates, geo, arrays": lambda c, n: (
        c.query.get(n)
        .fields("year", {"loc": ["latitude"]})
        .where(
            F.all_of(
                F.by_property("price").less_than_equal(20.0),
                F.by_property("when").greater_than_equal(datetime(2002, 1, 1, tzinfo=timezone.utc)),
                F.by_property("loc").within_geo_range(52.05, 4.0, 20_000),
                F.by_property("scores").contains_all([4, 5]) | F.by_property("year").equal(2003),
            )
        )
        .sort("year")
    ),
    "cursor after": lambda c, n: c.query.get(n).fields("year").after(IDS[3]).limit(4),
    "near_vector a, distance/certainty": lambda c, n: (
        c.query.get(n)
        .fields("year")
        .additional("id", "distance", "certainty")
        .near_vector(_va(7), target_vector="a")
        .limit(5)
    ),
    "near_vector b with where and distance cap": lambda c, n: (
        c.query.get(n)
        .fields("year")
        .additional("distance")
        .near_vector(_vb(3), target_vector="b", distance=0.2)
        .where(F.by_property("year").less_than(2015))
    ),
    "near_vector autocut": lambda c, n: (
        c.query.get(n)
        .additional("id", "distance")
        .near_vector(_va(0), target_vector="a")
        .autocut(1)
    ),
    "near_object": lambda c, n: (
        c.query.get(n)
        .fields("title")
        .additional("id", "distance")
        .near_object(IDS[5], target_vector="a")
        .limit(4)
    ),
    "bm25 with properties": lambda c, n: (
        c.query.get(n)
        .fields("title", "year")
        .additional("id", "score")
        .bm25("vector", properties=["title"])
        .limit(5)
    ),
    "hybrid alpha + vector + fusion": lambda c, n: (
        c.query.get(n)
        .fields("year")
        .additional("id", "score")
        .hybrid(
            "vector search",
            alpha=0.5,
            vector=_va(3),
            target_vector="a",
            fusion_type="rankedFusion",
        )
        .limit(6)
    ),
    "hybrid default alpha, keyword side": lambda c, n: (
        c.query.get(n)
        .fields("year")
        .additional("id")
        .hybrid("graph", vector=_vb(2), target_vector="b")
        .where(F.by_property("year").greater_than(2005))
        .limit(5)
    ),
    "vector of the default fetch (vectors a)": lambda c, n: (
        c.query.get(n).additional("id", vectors=["a"]).where(F.by_id().equal(IDS[9]))
    ),
}


def _comparable(result: wt.QueryReturn[Any]) -> list[tuple[Any, ...]]:
    return [(o.uuid, o.properties, o.metadata, o.vector, o.collection) for o in result]


@pytest.mark.parametrize("case", list(QUERIES))
def test_query_same_result_over_grpc_and_graphql(
    grpc_client: wt.Client, data: str, case: str
) -> None:
    query = QUERIES[case](grpc_client, data)
    assert query.grpc_unsupported() is None
    with wt.telemetry.capture() as events:
        over_grpc = query.do()  # the default with a grpc_port
    transports = {e.metadata.get("transport") for e in events.of("request", "stop")}
    assert transports == {"grpc"}
    over_graphql = query.do(transport="graphql")
    assert len(over_grpc) > 0
    assert _comparable(over_grpc) == _comparable(over_graphql)
    assert {o.collection for o in over_grpc} == {data}
    assert over_grpc == over_graphql


def test_typed_values_over_grpc(grpc_client: wt.Client, data: str) -> None:
    hit = QUERIES["fetch all fields, ids, times, named vectors"](grpc_client, data).do()[4]
    assert str(hit.uuid) == IDS[4]
    p = hit.properties
    assert p["year"] == 2004 and isinstance(p["year"], int)
    assert p["scores"] == [4, 5] and all(isinstance(x, int) for x in p["scores"])
    assert p["ratios"] == [4 / 3, 0.5]
    assert p["when"] == "2004-01-01T00:00:00Z"
    assert p["loc"] == {"latitude": 52.04, "longitude": 4.0}
    assert p["meta"] == {"source": "s0", "rank": 4}
    assert p["note"] == "has a note" and p["published"] is True
    assert hit.vector == {"a": pytest.approx(_va(4)), "b": pytest.approx(_vb(4))}
    assert isinstance(hit.metadata.creation_time, datetime)


def test_graphql_only_queries_and_forcing(grpc_client: wt.Client, data: str) -> None:
    text = grpc_client.query.get(data).near_text("x")
    assert text.grpc_unsupported() == "nearText is sent over GraphQL only"
    with pytest.raises(wt.ValidationError, match="cannot be sent over gRPC"):
        text.do(transport="grpc")
    with pytest.raises(wt.ValidationError, match="transport"):
        grpc_client.query.get(data).do(transport="rest")
    with wt.Client(grpc_client.config.base_url) as plain:  # no grpc_port: GraphQL
        with wt.telemetry.capture() as events:
            result = plain.query.get(data).fields("year").sort("year").limit(2).do()
        assert [o.properties["year"] for o in result] == [2000, 2001]
        assert {e.metadata["transport"] for e in events.events} == {"http"}
        with pytest.raises(wt.ValidationError, match="no grpc_port"):
            plain.query.get(data).do(transport="grpc")


# -- batch ---------------------------------------------------------------------------------


def _batch_items(name: str, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "class": name,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tag}{i}")),
            "properties": {**_props(i), "title": f"{tag} {i}"},
            "vectors": {"a": _va(i), "b": _vb(i)},
        }
        for i in range(10)
    ] + [
        # bad: wrong type for an int property, wrong vector dimension, not stored
        {"class": name, "properties": {"year": "not a year"}, "vectors": {"a": _va(0)}},
        {"class": name, "properties": {"title": "short"}, "vectors": {"a": [1.0, 2.0]}},
    ]


def test_batch_same_result_over_grpc_and_rest(grpc_client: wt.Client, data: str) -> None:
    outcomes = {}
    for transport in ("grpc", "rest"):
        items = _batch_items(data, transport)
        with wt.telemetry.capture() as events:
            result = grpc_client.batch.insert_objects(items, batch_size=5, transport=transport)
        sent = {e.metadata["transport"] for e in events.of("request", "stop")}
        assert sent == {"grpc" if transport == "grpc" else "http"}
        assert result.succeeded == 10 and result.failed == 2
        assert [f.index for f in result.failures] == [10, 11]
        assert all(f.kind is None and f.id for f in result.failures)
        assert "year" in result.failures[0].message
        assert "length" in result.failures[1].message
        stored = (
            grpc_client.query.get(data)
            .fields("title", "year", "tags", "scores", "ratios", {"loc": ["latitude"]}, "when")
            .fields({"meta": ["source", "rank"]})
            .additional("id", vectors=["a"])
            .where(F.by_property("title").like(f"{transport}*"))
            .sort("year")
            .do()
        )
        assert [str(o.uuid) for o in stored] == list(result.successful_ids)
        outcomes[transport] = [
            ({k: v for k, v in o.properties.items() if k != "title"}, o.vector) for o in stored
        ]
        for f in result.failures:
            assert grpc_client.objects.exists(data, f.id) is False  # type: ignore[arg-type]
    assert outcomes["grpc"] == outcomes["rest"]


def test_batch_with_reference_value_goes_over_rest(grpc_client: wt.Client, data: str) -> None:
    with wt.telemetry.capture() as events:
        result = grpc_client.batch.insert_objects(
            [{"title": "big int", "year": 2**60}], collection=data
        )
    assert result.ok
    assert {e.metadata["transport"] for e in events.of("request", "stop")} == {"http"}
    stored = (
        grpc_client.query.get(data)
        .fields("year")
        .where(F.by_id().equal(result.successful_ids[0]))
        .do()
    )
    assert stored[0].properties["year"] == 2**60


# -- errors ------------------------------------------------------------------------------


def _kinds(query: Any) -> tuple[wt.ErrorKind, ...]:
    kinds = []
    for transport in ("grpc", "graphql"):
        with pytest.raises(wt.WeaviateError) as info:
            query.do(transport=transport)
        kinds.append(info.value.kind)
        if transport == "grpc":
            assert info.value.rpc_status == "UNKNOWN" and info.value.message
    return tuple(kinds)


def test_grpc_error_kinds(grpc_client: wt.Client, data: str) -> None:
    # One mistake, one kind, whichever transport the query takes (docs/errors.md).
    bad_filter = grpc_client.query.get(data).where(F.by_property("nope").equal(1))
    assert _kinds(bad_filter) == (wt.ErrorKind.VALIDATION_ERROR, wt.ErrorKind.VALIDATION_ERROR)
    unknown = grpc_client.query.get("Nope" + uuid.uuid4().hex[:6])
    assert _kinds(unknown) == (wt.ErrorKind.NOT_FOUND, wt.ErrorKind.NOT_FOUND)
    wrong_dim = grpc_client.query.get(data).near_vector([1.0, 2.0], target_vector="a")
    assert _kinds(wrong_dim) == (wt.ErrorKind.VALIDATION_ERROR, wt.ErrorKind.VALIDATION_ERROR)


def test_unauthorized_over_grpc_like_rest(weaviate_auth_server: EmbeddedWeaviate) -> None:
    with weaviate_auth_server.client(api_key="wrong-key-123") as c:
        with pytest.raises(wt.UnauthorizedError) as over_grpc:
            c.query.get("Anything").do()
        with pytest.raises(wt.UnauthorizedError):
            c.meta()
        result = c.batch.insert_objects([{"x": 1}], collection="Anything")
        assert result.failures[0].kind is wt.ErrorKind.UNAUTHORIZED
    assert "wrong-key-123" not in str(over_grpc.value)
    with weaviate_auth_server.client() as good:  # the right key travels as bearer metadata
        with pytest.raises(wt.NotFoundError):
            good.query.get("Anything").do(transport="grpc")


def test_a_per_call_authorization_replaces_the_clients_over_grpc_as_over_rest(
    weaviate_auth_server: EmbeddedWeaviate,
) -> None:
    """Per-call headers override the client's on both transports: one ``authorization``
    reaches the server, never the client's key beside the caller's."""
    from conftest import API_KEY  # as pytest loaded it (the server's key)

    name = "PerCallAuth"
    with weaviate_auth_server.client() as good:  # the right key, overridden by a wrong one
        good.collections.create(name, properties=[wt.Property(name="title", data_type="text")])
        try:
            # Header names are case-insensitive: either spelling replaces the client's.
            for key in ("Authorization", "authorization"):
                wrong = {key: "Bearer wrong-key-456"}
                right = {key: f"Bearer {API_KEY}"}
                for transport in ("graphql", "grpc"):
                    with pytest.raises(wt.UnauthorizedError):
                        good.query.get(name).do(transport=transport, headers=wrong)
                with weaviate_auth_server.client(api_key="wrong-key-789") as bad:  # the reverse
                    for transport in ("graphql", "grpc"):
                        found = bad.query.get(name).do(transport=transport, headers=right)
                        assert len(found) == 0
        finally:
            good.collections.delete(name)


def test_server_down_is_connection_error_and_retried(weaviate_server: EmbeddedWeaviate) -> None:
    closed = free_port()
    policy = wt.RetryPolicy(enabled=True, max_attempts=3, initial_backoff=0.01, max_backoff=0.02)
    with wt.Client(weaviate_server.url, grpc_port=closed, retry=policy) as c:
        with pytest.raises(wt.WeaviateConnectionError) as info:
            c.query.get("Anything").do()
        assert info.value.attempts == 3 and info.value.rpc_status == "UNAVAILABLE"
    with wt.Client("http://127.0.0.1:9") as rest:
        with pytest.raises(wt.WeaviateConnectionError):
            rest.query.get("Anything").do()


def test_deadline_over_grpc_is_timeout(weaviate_server: EmbeddedWeaviate, data: str) -> None:
    from tests.peers.toxiproxy import Toxiproxy

    with Toxiproxy() as proxy:
        grpc_port = weaviate_server.ports.grpc  # type: ignore[union-attr]
        listen = int(proxy.proxy("wgrpc", grpc_port).rsplit(":", 1)[1])
        policy = wt.RetryPolicy(enabled=True, max_attempts=2, initial_backoff=0.01)
        with wt.Client(
            weaviate_server.url, grpc_port=listen, timeouts={"read": 0.3}, retry=policy
        ) as c:
            assert len(c.query.get(data).limit(1).do()) == 1
            proxy.toxic("wgrpc", "latency", latency=1500)
            with pytest.raises(wt.WeaviateTimeoutError) as info:
                c.query.get(data).limit(1).do()
            assert info.value.rpc_status == "DEADLINE_EXCEEDED"
            assert info.value.attempts == 2  # a read: DEADLINE_EXCEEDED is retried
            result = c.batch.insert_objects([{"title": "slow"}], collection=data)
            assert result.failures[0].kind is wt.ErrorKind.TIMEOUT
            assert result.succeeded == 0


def test_import_does_not_import_grpc() -> None:
    code = (
        "import sys, weaviate_telemetry as wt\n"
        "c = wt.Client('http://127.0.0.1:9', grpc_port=1)\n"
        "q = c.query.get('A').limit(1)\n"
        "assert 'grpc' not in sys.modules, 'grpc imported'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr


# -- telemetry, doctor -------------------------------------------------------------------


def test_otel_attempt_span_follows_rpc_conventions(grpc_client: wt.Client, data: str) -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    with wt.telemetry.instrument_opentelemetry(
        tracer_provider, meter_provider, attempt_spans="always"
    ):
        grpc_client.query.get(data).limit(1).do()
        with pytest.raises(wt.NotFoundError):
            grpc_client.query.get("Missing" + uuid.uuid4().hex[:6]).do()
        grpc_client.query.get(data).limit(1).do(transport="graphql")
    finished = {s.name: s for s in spans.get_finished_spans()}
    ok = [s for s in spans.get_finished_spans() if s.name == "weaviate.v1.Weaviate/Search"]
    assert len(ok) == 2
    good, bad = sorted(ok, key=lambda s: s.start_time or 0)
    attrs = dict(good.attributes or {})
    assert attrs["rpc.system"] == attrs["rpc.system.name"] == "grpc"
    assert attrs["rpc.method"] == "weaviate.v1.Weaviate/Search"
    assert attrs["rpc.grpc.status_code"] == 0
    assert attrs["server.port"] == grpc_client.config.grpc_port
    assert good.parent is not None and finished[f"query.get {data}"].context is not None
    bad_attrs = dict(bad.attributes or {})
    assert bad_attrs["rpc.grpc.status_code"] == 2 and bad_attrs["error.type"] == "UNKNOWN"
    assert bad_attrs["weaviate.error.kind"] == "not_found"
    assert "POST /v1/graphql" in finished
    tracer_provider.shutdown()
    data_points = {}
    metrics = reader.get_metrics_data()
    assert metrics is not None
    for rm in metrics.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                for point in metric.data.data_points:  # type: ignore[attr-defined]
                    labels = dict(point.attributes or {})
                    data_points.setdefault(metric.name, []).append(labels)
    attempts = data_points["http.client.request.duration"]
    assert {a.get("weaviate.transport") for a in attempts} == {"grpc", "http"}
    calls = data_points["db.client.operation.duration"]
    assert {a.get("weaviate.transport") for a in calls} == {"grpc", "http"}
    meter_provider.shutdown()


def _doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WEAVIATE_", "OTEL_"))}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "weaviate_telemetry", "doctor", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_doctor_checks_grpc_health(weaviate_server: EmbeddedWeaviate) -> None:
    port = str(weaviate_server.ports.grpc)  # type: ignore[union-attr]
    healthy = _doctor("--url", weaviate_server.url, WEAVIATE_GRPC_PORT=port)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "grpc health" in healthy.stdout and f"port {port}: SERVING" in healthy.stdout
    down = _doctor("--url", weaviate_server.url, WEAVIATE_GRPC_PORT=str(free_port()))
    assert down.returncode == 1, down.stdout
    assert "grpc health" in down.stdout and "connection_error" in down.stdout
    plain = _doctor("--url", weaviate_server.url)
    assert "grpc health" not in plain.stdout


def test_handle_without_return_properties_reads_no_schema_over_grpc(
    grpc_client: wt.Client, data: str
) -> None:
    """gRPC returns every non-reference property unnamed: no schema read first, and the
    objects are the ones the GraphQL path (which must name them) gives."""
    ours = F.by_id().contains_any(IDS)  # other tests of this module add objects too
    with wt.Client(grpc_client.config.base_url) as plain:  # no grpc_port: GraphQL
        over_graphql = plain.collections.use(data).query.fetch_objects(
            filters=ours, sort=wt.Sort.by_property("year"), return_metadata=["creation_time"]
        )
    fresh = wt.Client(grpc_client.config.base_url, grpc_port=grpc_client.config.grpc_port)
    with fresh, wt.telemetry.capture() as events:
        over_grpc = fresh.collections.use(data).query.fetch_objects(
            filters=ours, sort=wt.Sort.by_property("year"), return_metadata=["creation_time"]
        )
    stops = events.of("request", "stop")
    assert [(e.metadata["transport"], e.metadata["operation"]) for e in stops] == [
        ("grpc", "collection.query.fetch_objects")
    ]
    assert len(over_grpc.objects) == N
    assert over_grpc == over_graphql
    by_id = {str(o.uuid): o.properties for o in over_grpc}
    assert by_id[IDS[4]] == {**_props(4), "loc": pytest.approx(_props(4)["loc"])}
    assert by_id[IDS[12]]["note"] is None  # not stored: None either way


def test_every_property_over_grpc_reads_as_the_graphql_selection_of_the_schema(
    grpc_client: wt.Client,
) -> None:
    """Without return_properties, gRPC returns every non-reference property unnamed; blobs
    are left out and phone numbers cut to the sub-fields GraphQL selects, as the schema's
    GraphQL selection (the path without gRPC) reads them."""
    name = "P" + uuid.uuid4().hex[:10]
    grpc_client.collections.create_from_dict(
        {
            "class": name,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "phone", "dataType": ["phoneNumber"]},
                {"name": "data", "dataType": ["blob"]},
            ],
        }
    )
    try:
        grpc_client.collections.use(name).data.insert(
            {
                "title": "a",
                "phone": {"input": "020 1234567", "defaultCountry": "nl"},
                "data": "aGVsbG8=",
            },
            uuid=IDS[0],
        )
        with wt.Client(grpc_client.config.base_url) as plain:  # no grpc_port: GraphQL
            over_graphql = plain.collections.use(name).query.fetch_objects()
        with wt.telemetry.capture() as events:
            over_grpc = grpc_client.collections.use(name).query.fetch_objects()
        assert {e.metadata["transport"] for e in events.of("request", "stop")} == {"grpc"}
        assert over_grpc == over_graphql
        props = over_grpc.objects[0].properties
        assert set(props) == {"title", "phone"}  # the blob is not returned
        assert set(props["phone"]) == {
            "input", "internationalFormatted", "countryCode", "national", "nationalFormatted"
        }  # fmt: skip
        assert props["phone"]["countryCode"] == 31
    finally:
        grpc_client.collections.delete(name)
