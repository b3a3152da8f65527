"""``client.query`` against the real Weaviate: every Get/Aggregate option, filters, graphql()."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry._core.config import RequestOptions
from weaviate_telemetry._core.models import Request, Response
from weaviate_telemetry._query.builders import Query
from weaviate_telemetry.classes.aggregate import Metrics
from weaviate_telemetry.embedded import EmbeddedWeaviate
from weaviate_telemetry.outputs.aggregate import (
    AggregateBoolean,
    AggregateDate,
    AggregateGroupByReturn,
    AggregateNumber,
    AggregateReturn,
    AggregateText,
    GroupedBy,
    TopOccurrence,
)

pytestmark = pytest.mark.integration

F = wt.Filter
N = 30
CATEGORIES = ("news", "blog", "paper")


def _vector_a(i: int) -> list[float]:
    # Three objects sit right next to [1, 0, 0, 0]; the rest are far away (for autocut).
    if i < 3:
        return [1.0, i * 0.001, 0.0, 0.0]
    return [0.0, 1.0, i / N, 0.0]


def _vector_b(i: int) -> list[float]:
    return [math.cos(i / 10), math.sin(i / 10), 0.5]


def _props(i: int) -> dict[str, Any]:
    props: dict[str, Any] = {
        "title": f"article {i} " + ("vector database" if i % 3 == 0 else "graph store"),
        "exact": f"E{i}",
        "year": 2000 + i,
        "price": i * 1.5,
        "published": i % 2 == 0,
        "tags": ["all", f"m{i % 3}"],
        "category": CATEGORIES[i % 3],
        "loc": {"latitude": 52.0 + i * 0.01, "longitude": 4.0},
        "when": f"{2000 + i}-01-01T00:00:00Z",
    }
    if i < 10:
        props["note"] = "has a note"
    return props


IDS = [str(uuid.UUID(int=i + 1)) for i in range(N)]


@pytest.fixture(scope="module")
def data(weaviate_server: EmbeddedWeaviate) -> Iterator[str]:
    """A collection of N objects with named vectors ``a`` (hnsw) and ``b`` (flat)."""
    name = "Q" + uuid.uuid4().hex[:10]
    with wt.Client(weaviate_server.url) as c:
        c.collections.create_from_dict(
            {
                "class": name,
                "invertedIndexConfig": {
                    "indexTimestamps": True,
                    "indexNullState": True,
                    "indexPropertyLength": True,
                },
                "properties": [
                    {"name": "title", "dataType": ["text"]},
                    {"name": "exact", "dataType": ["text"], "tokenization": "field"},
                    {"name": "year", "dataType": ["int"]},
                    {"name": "price", "dataType": ["number"]},
                    {"name": "published", "dataType": ["boolean"]},
                    {"name": "tags", "dataType": ["text[]"], "tokenization": "field"},
                    {"name": "category", "dataType": ["text"], "tokenization": "field"},
                    {"name": "note", "dataType": ["text"]},
                    {"name": "loc", "dataType": ["geoCoordinates"]},
                    {"name": "when", "dataType": ["date"]},
                ],
                "vectorConfig": {
                    "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
                    "b": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"},
                },
            }
        )
        result = c.batch.insert_objects(
            {
                "class": name,
                "id": IDS[i],
                "properties": _props(i),
                "vectors": {"a": _vector_a(i), "b": _vector_b(i)},
            }
            for i in range(N)
        )
        assert not result.failures and len(result.successful_ids) == N
        yield name
        c.collections.delete(name)


def _years(result: wt.QueryReturn[Any]) -> list[int]:
    return [o.properties["year"] for o in result]


def test_fields_additional_and_typed_result(client: wt.Client, data: str) -> None:
    result = (
        client.query.get(data)
        .fields("title", "year", "price", "published", "tags", {"loc": ["latitude", "longitude"]})
        .additional("id", "creationTimeUnix", "lastUpdateTimeUnix", vectors=["a", "b"])
        .where(F.by_id().equal(IDS[4]))
        .do()
    )
    assert isinstance(result, wt.QueryReturn) and len(result) == 1
    obj = result[0]
    assert isinstance(obj, wt.Object) and isinstance(obj.metadata, wt.MetadataReturn)
    assert str(obj.uuid) == IDS[4]
    assert obj.properties["year"] == 2004
    assert obj.properties["published"] is True
    assert obj.properties["loc"] == pytest.approx({"latitude": 52.04, "longitude": 4.0})
    assert obj.vector["a"] == pytest.approx(_vector_a(4))
    assert obj.vector["b"] == pytest.approx(_vector_b(4))
    assert isinstance(obj.metadata.creation_time, datetime)
    assert obj.metadata.creation_time.year >= 2024
    assert obj.metadata.last_update_time is not None
    # run() is do()
    assert len(client.query.get(data).limit(3).do()) == 3


def test_near_vector_on_named_vectors(client: wt.Client, data: str) -> None:
    q = client.query.get(data).fields("year").additional("id", "distance", "certainty")
    hits = q.near_vector(_vector_a(7), target_vector="a").limit(3).do()
    assert str(hits[0].uuid) == IDS[7]
    assert hits[0].metadata.distance == pytest.approx(0.0, abs=1e-5)
    distances = [h.metadata.distance for h in hits]
    assert distances == sorted(distances)  # type: ignore[type-var]
    flat = q.near_vector(_vector_b(12), target_vector="b", distance=0.001).do()
    assert [str(h.uuid) for h in flat] == [IDS[12]]
    by_certainty = q.near_vector(_vector_a(0), target_vector="a", certainty=0.99).do()
    assert sorted(str(h.uuid) for h in by_certainty) == sorted(IDS[:3])


def test_near_vector_accepts_every_float_spelling(client: wt.Client, data: str) -> None:
    """Exponents, tiny and huge magnitudes, negative zero and ints all render as GraphQL floats.

    Huge means up to float32's largest: Weaviate's vectors are float32 on every path
    (and gRPC carries float32), so a larger magnitude is refused before I/O.
    """
    q = client.query.get(data).fields("year").additional("id").limit(1)
    for vector in ([1e-7, -0.0, 3, 1e16], [5e-324, 3.4028234663852886e38, -2.5e-5, 0]):
        assert len(q.near_vector(vector, target_vector="a").do()) == 1
    with pytest.raises(wt.ValidationError, match="float32"):
        q.near_vector([5e-324, 1.7976931348623157e308, -2.5e-5, 0], target_vector="a")
    text = q.near_vector([1e-7, -0.0, 3, 0.1], target_vector="a").to_graphql()
    assert "vector: [1e-7, -0.0, 3.0, 0.1]" in text


def test_near_object_and_autocut(client: wt.Client, data: str) -> None:
    q = client.query.get(data).additional("id", "distance")
    near = q.near_object(IDS[1], target_vector="a").limit(5).do()
    assert str(near[0].uuid) == IDS[1]
    # Three objects are close to [1, 0, 0, 0], the rest far: autocut stops at the jump.
    cut = q.near_vector([1.0, 0.0, 0.0, 0.0], target_vector="a").limit(20).autocut(1).do()
    assert sorted(str(h.uuid) for h in cut) == sorted(IDS[:3])


def test_bm25_with_properties_and_score(client: wt.Client, data: str) -> None:
    hits = (
        client.query.get(data)
        .fields("title")
        .additional("id", "score", "explainScore")
        .bm25("vector", properties=["title^2", "note"])
        .limit(50)
        .do()
    )
    assert sorted(str(h.uuid) for h in hits) == sorted(IDS[i] for i in range(0, N, 3))
    assert all(h.metadata.score is not None and h.metadata.score > 0 for h in hits)
    assert all(h.metadata.explain_score for h in hits)


@pytest.mark.parametrize("fusion", ["rankedFusion", "relativeScoreFusion"])
def test_hybrid_alpha_and_fusion(client: wt.Client, data: str, fusion: str) -> None:
    q = client.query.get(data).fields("title").additional("id", "score").limit(3)
    keyword = q.hybrid(
        "E17",
        alpha=0.0,
        vector=_vector_a(20),
        target_vector="a",
        fusion_type=fusion,
        properties=["exact"],
    ).do()
    assert str(keyword[0].uuid) == IDS[17]
    vector = q.hybrid(
        "E17", alpha=1.0, vector=_vector_a(1), target_vector="a", fusion_type=fusion
    ).do()
    assert str(vector[0].uuid) == IDS[1]
    assert all(h.metadata.score is not None for h in vector)


def test_sort_limit_offset(client: wt.Client, data: str) -> None:
    q = client.query.get(data).fields("year", "category")
    assert _years(q.sort("year", ascending=False).limit(3).do()) == [2029, 2028, 2027]
    assert _years(q.sort("year").offset(2).limit(2).do()) == [2002, 2003]
    two_keys = q.sort("category").sort("year", ascending=False).limit(2).do()
    assert [(o.properties["category"], o.properties["year"]) for o in two_keys] == [
        ("blog", 2028),
        ("blog", 2025),
    ]
    by_time = q.sort("_creationTimeUnix").limit(N).do()
    assert len(by_time) == N


def test_after_cursor_walks_every_object(client: wt.Client, data: str) -> None:
    seen: list[str] = []
    page = client.query.get(data).additional("id").limit(7)
    cursor: str | None = None
    while True:
        q = page if cursor is None else page.after(cursor)
        ids = [str(o.uuid) for o in q.do()]
        if not ids:
            break
        seen += [i for i in ids if i is not None]
        cursor = seen[-1]
    assert seen == sorted(IDS)


def _matching(client: wt.Client, data: str, where: wt.Filter) -> list[int]:
    result = client.query.get(data).fields("year").where(where).limit(100).do()
    return sorted(y - 2000 for y in _years(result))


def test_where_every_operator(client: wt.Client, data: str) -> None:
    every = range(N)
    cases: list[tuple[wt.Filter, list[int]]] = [
        (F.by_property("exact").equal("E5"), [5]),
        (F.by_property("year").not_equal(2000), [i for i in every if i != 0]),
        (F.by_property("year").less_than(2003), [0, 1, 2]),
        (F.by_property("year").less_than_equal(2003), [0, 1, 2, 3]),
        (F.by_property("price").greater_than(40.0), [27, 28, 29]),
        (F.by_property("price").greater_than_equal(42.0), [28, 29]),
        (F.by_property("published").equal(True), [i for i in every if i % 2 == 0]),
        (F.by_property("exact").like("E2?"), list(range(20, 30))),
        (F.by_property("title").like("vect*"), [i for i in every if i % 3 == 0]),
        (F.by_property("tags").contains_any(["m1", "m2"]), [i for i in every if i % 3]),
        (F.by_property("tags").contains_all(["all", "m2"]), [i for i in every if i % 3 == 2]),
        (F.by_property("tags").contains_none(["m0", "m1"]), [i for i in every if i % 3 == 2]),
        (F.by_property("note").is_null(), list(range(10, N))),
        (F.by_property("note").is_null(False), list(range(10))),
        (F.by_property("loc").within_geo_range(52.0, 4.0, 2500), list(range(3))),
        (F.by_property("exact", length=True).equal(2), list(range(10))),
        (F.by_property("when").less_than(datetime(2002, 6, 1, tzinfo=timezone.utc)), [0, 1, 2]),
        (F.by_id().contains_any([IDS[3], IDS[9]]), [3, 9]),
        (F.by_creation_time().greater_than(0), list(every)),
        # Weaviate compares these timestamps as 13-digit strings: keep to dates after 2001.
        (F.by_creation_time().less_than(datetime(2020, 1, 1, tzinfo=timezone.utc)), []),
        (F.by_update_time().greater_than(datetime(2020, 1, 1, tzinfo=timezone.utc)), list(every)),
        (
            F.all_of(
                F.by_property("year").greater_than(2020), F.by_property("published").equal(False)
            ),
            [21, 23, 25, 27, 29],
        ),
        (F.by_property("year").less_than(2001) | F.by_property("year").greater_than(2028), [0, 29]),
        (F.not_(F.by_property("year").greater_than(2002)), [0, 1, 2]),
        (
            F.all_of(
                F.by_property("category").equal("news"),
                F.not_(
                    F.any_of(
                        F.by_property("year").less_than(2010),
                        F.by_property("published").equal(True),
                    )
                ),
            ),
            [i for i in every if i % 3 == 0 and i >= 10 and i % 2 == 1],
        ),
    ]
    for where, expected in cases:
        assert _matching(client, data, where) == expected, where.to_graphql()


def test_where_with_evil_strings_matches_nothing_and_never_breaks(
    client: wt.Client, data: str
) -> None:
    for evil in ['"}) { __typename } #', "E1\\", "E1\\n", "E1\tE2", "\u0000", "😀"]:
        assert _matching(client, data, F.by_property("exact").equal(evil)) == []
        client.query.get(data).bm25(evil).do()


def test_multi_tenant_query_and_aggregate(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_dict(
        {
            "class": collection_name,
            "multiTenancyConfig": {"enabled": True},
            "properties": [{"name": "title", "dataType": ["text"]}],
            "vectorizer": "none",
        }
    )
    try:
        client.tenants.add(collection_name, ["tenantA", "tenantB"])
        result = client.batch.insert_objects(
            [{"title": "a1"}, {"title": "a2"}], collection=collection_name, tenant="tenantA"
        )
        assert not result.failures
        client.batch.insert_objects([{"title": "b1"}], collection=collection_name, tenant="tenantB")
        a = client.query.get(collection_name).fields("title").tenant("tenantA").do()
        assert sorted(o.properties["title"] for o in a) == ["a1", "a2"]
        count = client.query.aggregate(collection_name).tenant("tenantB").do()
        assert count.total_count == 1
        with pytest.raises(wt.ValidationError, match="tenant"):  # as over gRPC
            client.query.get(collection_name).fields("title").do()
    finally:
        client.collections.delete(collection_name)


def test_server_only_options_surface_as_graphql_errors(client: wt.Client, data: str) -> None:
    # consistencyLevel exists only for replicated collections, nearText only with a
    # text vectorizer module; the server's own message comes back as graphql_error.
    with pytest.raises(wt.GraphQLError, match="consistencyLevel") as info:
        client.query.get(data).fields("year").consistency_level("ONE").do()
    assert info.value.status_code == 200
    assert info.value.operation == "query.get"
    with pytest.raises(wt.GraphQLError, match="nearText"):
        client.query.get(data).fields("year").near_text("cats").do()


def test_aggregate_meta_metrics_top_occurrences(client: wt.Client, data: str) -> None:
    result = (
        client.query.aggregate(data)
        .meta_count()
        .metrics("year", "count", "sum", "mean", "median", "mode", "maximum", "minimum")
        .metrics("price", "sum", "maximum")
        .metrics("published", "totalTrue", "totalFalse", "percentageTrue")
        .metrics("when", "minimum", "maximum")
        .top_occurrences("category", limit=2)
        .do()
    )
    # The handle's result family: the lower builder has no types of its own.
    assert isinstance(result, AggregateReturn)
    assert result.total_count == N
    year = result.properties["year"]
    assert isinstance(year, AggregateNumber)  # no schema read: numbers are floats
    assert year.count == N
    assert year.sum_ == sum(2000 + i for i in range(N))
    assert year.mean == pytest.approx(2014.5)
    assert year.median == pytest.approx(2014.5)
    assert (year.minimum, year.maximum) == (2000, 2029)
    price = result.properties["price"]
    assert isinstance(price, AggregateNumber) and price.maximum == pytest.approx(43.5)
    assert price.mean is None  # not asked for
    pub = result.properties["published"]
    assert isinstance(pub, AggregateBoolean)
    assert (pub.total_true, pub.total_false) == (15, 15)
    assert pub.percentage_true == pytest.approx(0.5)
    when = result.properties["when"]
    assert isinstance(when, AggregateDate)
    assert isinstance(when.minimum, str) and isinstance(when.maximum, str)
    assert when.minimum < when.maximum
    top = result.properties["category"]
    assert isinstance(top, AggregateText) and len(top.top_occurrences) == 2
    assert all(isinstance(o, TopOccurrence) and o.count == 10 for o in top.top_occurrences)


def test_aggregate_builder_equals_the_handle(client: wt.Client, data: str) -> None:
    """One family: the same aggregation through both layers gives equal values."""
    handle = client.collections.use(data)
    lower = (
        client.query.aggregate(data)
        .meta_count()
        .metrics("price", "count", "maximum", "minimum")
        .top_occurrences("category", limit=2)
        .do()
    )
    upper = handle.aggregate.over_all(
        total_count=True,
        return_metrics=[
            Metrics("price").number(count=True, maximum=True, minimum=True),
            Metrics("category").text(top_occurrences_count=True, top_occurrences_value=True,
                                     limit=2),
        ],
    )  # fmt: skip
    assert lower == upper
    lower_groups = client.query.aggregate(data).meta_count().group_by("category").do()
    upper_groups = handle.aggregate.over_all(total_count=True, group_by="category")
    assert isinstance(lower_groups, AggregateGroupByReturn)
    key = lambda g: str(g.grouped_by.value)  # noqa: E731
    assert sorted(lower_groups.groups, key=key) == sorted(upper_groups.groups, key=key)


def test_aggregate_group_by_where_near_vector(client: wt.Client, data: str) -> None:
    grouped = (
        client.query.aggregate(data)
        .meta_count()
        .metrics("year", "minimum")
        .group_by("category")
        .do()
    )
    assert isinstance(grouped, AggregateGroupByReturn)
    groups = {g.grouped_by.value: g for g in grouped.groups}
    assert set(groups) == set(CATEGORIES)
    assert all(g.total_count == 10 for g in groups.values())
    assert groups["blog"].properties["year"] == AggregateNumber(minimum=2001)
    assert groups["news"].grouped_by == GroupedBy("category", "news")

    filtered = client.query.aggregate(data).where(F.by_property("year").less_than(2005)).do()
    assert filtered.total_count == 5

    near = (
        client.query.aggregate(data)
        .meta_count()
        .near_vector([1.0, 0.0, 0.0, 0.0], target_vector="a")
        .object_limit(4)
        .do()
    )
    assert near.total_count == 4
    close = (
        client.query.aggregate(data)
        .near_vector([1.0, 0.0, 0.0, 0.0], target_vector="a", distance=0.01)
        .do()
    )
    assert close.total_count == 3


def test_graphql_passthrough_and_errors_keep_partial_data(client: wt.Client, data: str) -> None:
    ok = client.query.graphql(
        f'{{ Get {{ {data}(where: {{path: ["exact"], operator: Equal, valueText: "E3"}}) '
        "{ year } } }"
    )
    assert isinstance(ok, wt.GraphQLResult)
    assert ok.data == {"Get": {data: [{"year": 2003}]}}
    assert ok.raw["data"] is ok.data

    with pytest.raises(wt.GraphQLError) as syntax, wt.telemetry.capture() as events:
        client.query.graphql("{ Get { " + data + "(limit: ) { year } } }")
    # telemetry sees a failed call, not a successful 200
    assert events.of("request", "stop") == []
    [failed] = events.of("request", "exception")
    assert failed.metadata["error_kind"] == "graphql_error"
    assert failed.metadata["status_code"] == 200
    assert syntax.value.kind is wt.ErrorKind.GRAPHQL_ERROR
    assert syntax.value.status_code == 200
    assert "Syntax Error" in syntax.value.message

    # A resolver error leaves the rest of the answer in place: data and errors together.
    missing = str(uuid.UUID(int=999_999))
    with pytest.raises(wt.GraphQLError) as partial:
        client.query.graphql(
            f'{{ Get {{ {data}(nearObject: {{id: "{missing}", targetVectors: ["a"]}}) '
            "{ year } } }"
        )
    details = partial.value.details
    assert isinstance(details, dict) and details["errors"]
    assert "data" in details and "Get" in details["data"]
    assert partial.value.message == details["errors"][0]["message"]
    assert partial.value.method == "POST" and partial.value.path == "/v1/graphql"

    with pytest.raises(wt.GraphQLError, match="not found"):
        client.query.get(data).near_object(missing, target_vector="a").do()


def test_graphql_variables_are_sent(client: wt.Client, data: str) -> None:
    # Weaviate's GraphQL accepts (and here ignores) a variables object.
    r = client.query.graphql(
        f"{{ Aggregate {{ {data} {{ meta {{ count }} }} }} }}", variables={"unused": 1}
    )
    assert r.data["Aggregate"][data][0]["meta"]["count"] == N


def test_request_shape_and_idempotency() -> None:
    seen: list[tuple[Request, RequestOptions | None]] = []

    def call(request: Request, options: RequestOptions | None, parse: Any) -> Any:
        seen.append((request, options))
        body = {"data": {"Get": {"Article": [{"title": "x", "_additional": {"id": IDS[0]}}]}}}
        return parse(Response(200, {}, body, b"", "http://x/v1/graphql", 0.01))

    query = Query(call)
    result = query.get("Article").fields("title").tenant("t1").do(timeout=5, metadata={"k": 1})
    assert result[0].properties == {"title": "x"} and str(result[0].uuid) == IDS[0]
    request, options = seen[0]
    assert (request.method, request.path, request.path_template) == (
        "POST",
        "/v1/graphql",
        "/v1/graphql",
    )
    assert request.operation == "query.get"
    assert request.is_idempotent is True
    assert (request.collection, request.tenant) == ("Article", "t1")
    assert request.body == {"query": query.get("Article").fields("title").tenant("t1").to_graphql()}
    assert options is not None and options.metadata == {"k": 1}

    def not_json(request: Request, options: RequestOptions | None, parse: Any) -> Any:
        return parse(Response(200, {}, ["not", "an", "object"], b"", "u", 0.0))

    with pytest.raises(wt.ProtocolError):
        Query(not_json).graphql("{ x }")

    def no_data(request: Request, options: RequestOptions | None, parse: Any) -> Any:
        return parse(Response(200, {}, {"data": None}, b"", "u", 0.0))

    with pytest.raises(wt.ProtocolError, match="no 'data'"):
        Query(no_data).aggregate("Article").do()
    with pytest.raises(wt.ConfigError, match="unknown request option"):
        query.get("Article").do(bogus=1)


def test_query_calls_are_observable(client: wt.Client, data: str) -> None:
    with wt.telemetry.capture() as events:
        client.query.get(data).fields("year").limit(1).do(metadata={"job": "q"})
        client.query.aggregate(data).do()
        client.query.graphql("{ Get { " + data + "(limit: 1) { year } } }")
    stops = events.of("request", "stop")
    assert [e.metadata["operation"] for e in stops] == [
        "query.get",
        "query.aggregate",
        "query.graphql",
    ]
    assert {e.metadata["path_template"] for e in stops} == {"/v1/graphql"}
    assert {e.metadata["method"] for e in stops} == {"POST"}
    assert [e.metadata["collection"] for e in stops] == [data, data, None]
    assert stops[0].metadata["metadata"] == {"job": "q"}
