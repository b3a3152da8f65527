"""Filter helpers and query rendering: shapes, escaping and validation (no server needed)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry._core.models import Request, evolve
from weaviate_telemetry._query.builders import AggregateQuery, GetQuery, Query
from weaviate_telemetry.outputs.aggregate import AggregateReturn

F = wt.Filter
ID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"


def _client_free_get(name: str = "Article") -> GetQuery:
    # Builders only need a callable to send with; rendering never calls it.
    return Query(lambda request, options, parse: pytest.fail("no I/O expected")).get(name)


def _agg(name: str = "Article") -> AggregateQuery[AggregateReturn]:
    return Query(lambda request, options, parse: pytest.fail("no I/O expected")).aggregate(name)


def _invalid(match: str) -> pytest.RaisesExc[wt.ValidationError]:
    return pytest.raises(wt.ValidationError, match=match)


@pytest.mark.parametrize(
    ("filt", "graphql", "rest"),
    [
        (
            F.by_property("title").equal("x"),
            '{operator: Equal, path: ["title"], valueText: "x"}',
            {"operator": "Equal", "path": ["title"], "valueText": "x"},
        ),
        (
            F.by_property("year").not_equal(3),
            '{operator: NotEqual, path: ["year"], valueInt: 3}',
            {"operator": "NotEqual", "path": ["year"], "valueInt": 3},
        ),
        (
            F.by_property("price").less_than(2.5),
            '{operator: LessThan, path: ["price"], valueNumber: 2.5}',
            {"operator": "LessThan", "path": ["price"], "valueNumber": 2.5},
        ),
        (
            F.by_property("price").less_than_equal(1e-5),
            '{operator: LessThanEqual, path: ["price"], valueNumber: 1e-05}',
            {"operator": "LessThanEqual", "path": ["price"], "valueNumber": 1e-5},
        ),
        (
            F.by_property("n").greater_than(-7),
            '{operator: GreaterThan, path: ["n"], valueInt: -7}',
            {"operator": "GreaterThan", "path": ["n"], "valueInt": -7},
        ),
        (
            F.by_property("ok").equal(False),
            '{operator: Equal, path: ["ok"], valueBoolean: false}',
            {"operator": "Equal", "path": ["ok"], "valueBoolean": False},
        ),
        (
            F.by_property("when").greater_than_equal(datetime(2024, 1, 2, tzinfo=timezone.utc)),
            '{operator: GreaterThanEqual, path: ["when"], valueDate: "2024-01-02T00:00:00+00:00"}',
            {
                "operator": "GreaterThanEqual",
                "path": ["when"],
                "valueDate": "2024-01-02T00:00:00+00:00",
            },
        ),
        (
            F.by_property("ref").equal(uuid.UUID(ID)),
            f'{{operator: Equal, path: ["ref"], valueText: "{ID}"}}',
            {"operator": "Equal", "path": ["ref"], "valueText": ID},
        ),
        (
            F.by_property("title").like("vec*"),
            '{operator: Like, path: ["title"], valueText: "vec*"}',
            {"operator": "Like", "path": ["title"], "valueText": "vec*"},
        ),
        (
            F.by_property("title").is_null(),
            '{operator: IsNull, path: ["title"], valueBoolean: true}',
            {"operator": "IsNull", "path": ["title"], "valueBoolean": True},
        ),
        (
            F.by_property("tags").contains_any(["a", "b"]),
            '{operator: ContainsAny, path: ["tags"], valueText: ["a", "b"]}',
            {"operator": "ContainsAny", "path": ["tags"], "valueTextArray": ["a", "b"]},
        ),
        (
            F.by_property("nums").contains_all([1, 2.5]),
            '{operator: ContainsAll, path: ["nums"], valueNumber: [1.0, 2.5]}',
            {"operator": "ContainsAll", "path": ["nums"], "valueNumberArray": [1.0, 2.5]},
        ),
        (
            F.by_property("ints").contains_none([1, 2]),
            '{operator: ContainsNone, path: ["ints"], valueInt: [1, 2]}',
            {"operator": "ContainsNone", "path": ["ints"], "valueIntArray": [1, 2]},
        ),
        (
            F.by_property("loc").within_geo_range(52.3, 4.9, 1000),
            '{operator: WithinGeoRange, path: ["loc"], valueGeoRange: '
            "{geoCoordinates: {latitude: 52.3, longitude: 4.9}, distance: {max: 1000.0}}}",
            {
                "operator": "WithinGeoRange",
                "path": ["loc"],
                "valueGeoRange": {
                    "geoCoordinates": {"latitude": 52.3, "longitude": 4.9},
                    "distance": {"max": 1000.0},
                },
            },
        ),
        (
            F.by_property("title", length=True).greater_than(3),
            '{operator: GreaterThan, path: ["len(title)"], valueInt: 3}',
            {"operator": "GreaterThan", "path": ["len(title)"], "valueInt": 3},
        ),
        (
            F.by_id().equal(ID.upper()),
            f'{{operator: Equal, path: ["_id"], valueText: "{ID}"}}',
            {"operator": "Equal", "path": ["_id"], "valueText": ID},
        ),
        (
            F.by_creation_time().less_than(1700000000000),
            '{operator: LessThan, path: ["_creationTimeUnix"], valueText: "1700000000000"}',
            {"operator": "LessThan", "path": ["_creationTimeUnix"], "valueText": "1700000000000"},
        ),
        (
            F.by_update_time().greater_than(datetime(2024, 1, 1, tzinfo=timezone.utc)),
            '{operator: GreaterThan, path: ["_lastUpdateTimeUnix"], '
            'valueDate: "2024-01-01T00:00:00+00:00"}',
            {
                "operator": "GreaterThan",
                "path": ["_lastUpdateTimeUnix"],
                "valueDate": "2024-01-01T00:00:00+00:00",
            },
        ),
        (
            F.by_ref("writtenBy", "Author", "name").equal("Ada"),
            '{operator: Equal, path: ["writtenBy", "Author", "name"], valueText: "Ada"}',
            {"operator": "Equal", "path": ["writtenBy", "Author", "name"], "valueText": "Ada"},
        ),
    ],
)
def test_each_operator_renders_for_graphql_and_rest(
    filt: wt.Filter, graphql: str, rest: dict[str, object]
) -> None:
    assert filt.to_graphql() == graphql
    assert filt.to_rest() == rest
    assert str(filt) == graphql


def test_and_or_not_nest_and_flatten() -> None:
    a = F.by_property("a").equal(1)
    b = F.by_property("b").equal(2)
    c = F.by_property("c").equal(3)
    nested = F.any_of(F.all_of(a, b), F.not_(c))
    assert nested.to_rest() == {
        "operator": "Or",
        "operands": [
            {"operator": "And", "operands": [a.to_rest(), b.to_rest()]},
            {"operator": "Not", "operands": [c.to_rest()]},
        ],
    }
    assert nested.to_graphql() == (
        "{operator: Or, operands: [{operator: And, operands: ["
        + a.to_graphql()
        + ", "
        + b.to_graphql()
        + "]}, {operator: Not, operands: ["
        + c.to_graphql()
        + "]}]}"
    )
    # Operators compose; same-operator chains flatten into one level.
    assert (a & b & c).operands == (a, b, c)
    assert (a | b | c).operands == (a, b, c)
    assert (~a).operator == "Not"
    assert F.all_of([a, b]).operands == (a, b)
    assert F.all_of(a) is a


@pytest.mark.parametrize(
    "evil",
    [
        '"}) { __schema { types { name } } } #',
        "back\\slash\\",
        "new\nline\r\ttab\x00nul\x1f",
        "\u2028\u2029\ufeff",
        "emoji 😀 and 中文 and é",
        '\\"',
    ],
)
def test_strings_cannot_break_out_of_their_literal(evil: str) -> None:
    rendered = F.by_property("title").equal(evil).to_graphql()
    prefix = '{operator: Equal, path: ["title"], valueText: '
    assert rendered.startswith(prefix) and rendered.endswith("}")
    literal = rendered[len(prefix) : -1]
    # The literal is one JSON (and so GraphQL) string that decodes to the exact input.
    assert json.loads(literal) == evil
    assert not any(ord(ch) < 0x20 for ch in literal)
    q = _client_free_get().where(F.by_property("title").equal(evil)).bm25(evil)
    assert q.to_graphql().count(json.dumps(evil, ensure_ascii=False)) == 2


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: F.by_property("title").like(3), "Like on title needs a text pattern"),
        (lambda: F.by_property("title").is_null("yes"), "IsNull needs a boolean"),
        (lambda: F.by_id().is_null(), "IsNull cannot be used on _id"),
        (lambda: F.by_property("n").greater_than(True), "GreaterThan cannot compare booleans"),
        (lambda: F.by_property("n").equal([1, 2]), "Equal takes one value"),
        (lambda: F.by_property("n").equal(float("nan")), "expected a finite number"),
        (lambda: F.by_property("n").equal(2**64), "does not fit in a 64-bit integer"),
        (lambda: F.by_property("n").equal(object()), "unsupported Equal value"),
        (lambda: F.by_property("d").equal(datetime(2024, 1, 1)), "naive datetime"),
        (lambda: F.by_property("t").equal("bad \ud800 surrogate"), "lone surrogate"),
        (lambda: F.by_property("t").contains_any("abc"), "needs a list of values"),
        (lambda: F.by_property("t").contains_any([]), "at least one value"),
        (lambda: F.by_property("t").contains_any(["a", 1]), "must share one type"),
        (lambda: F.by_property("t", length=True).equal("x"), "property length filters need"),
        (lambda: F.by_property("t", length=True).equal(-1), "cannot be negative"),
        (lambda: F.by_property("loc").within_geo_range(91, 0, 10), "latitude must be within"),
        (lambda: F.by_property("loc").within_geo_range(0, 181, 10), "longitude must be within"),
        (lambda: F.by_property("loc").within_geo_range(0, 0, 0), "distance must be a positive"),
        (lambda: F.by_id().equal("not-a-uuid"), "expected a UUID"),
        (lambda: F.by_creation_time().equal("yesterday"), "aware datetime or Unix"),
        (lambda: F.by_property("1bad"), "expected a property name"),
        (lambda: F.by_property('a"]}'), "expected a property name"),
        (lambda: F.by_ref("r", "1lower", "x"), "expected a collection name"),
        (lambda: F.all_of(), "And needs at least one operand"),
        (lambda: F.any_of("x"), "Or operands must be Filters"),
        (lambda: F.not_({"operator": "Equal"}), "Filter.not_ needs a Filter"),
    ],
)
def test_bad_combinations_fail_before_io(build: object, message: str) -> None:
    with _invalid(message) as info:
        build()  # type: ignore[operator]
    assert info.value.kind is wt.ErrorKind.VALIDATION_ERROR
    assert info.value.attempts == 0


def test_geo_range_value_object() -> None:
    geo = wt.GeoRange(latitude=1, longitude=2, distance=3)
    assert (geo.latitude, geo.longitude, geo.distance) == (1.0, 2.0, 3.0)
    with _invalid("within_geo_range"):
        F.by_property("loc").equal(geo)


def test_offset_datetimes_keep_their_offset() -> None:
    when = datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert F.by_property("d").equal(when).to_rest()["valueDate"] == "2024-05-01T12:00:00+02:00"


# -- query rendering -------------------------------------------------------------------


def test_get_query_renders_every_option() -> None:
    q = (
        _client_free_get()
        .fields("title", {"location": ["latitude", "longitude"]})
        .fields({"writtenBy": {"... on Author": ["name"]}})
        .additional("id", "distance", vectors=["body"])
        .where(F.by_property("year").greater_than(2000))
        .near_vector([1, 0.5], distance=0.3, target_vector="body")
        .sort("year", ascending=False)
        .sort("title")
        .limit(5)
        .offset(2)
        .autocut(1)
        .tenant("tenant-A")
        .consistency_level("quorum")
    )
    assert q.to_graphql() == (
        "{ Get { Article("
        'where: {operator: GreaterThan, path: ["year"], valueInt: 2000}, '
        'nearVector: {vector: [1.0, 0.5], distance: 0.3, targetVectors: ["body"]}, '
        'sort: [{path: ["year"], order: desc}, {path: ["title"], order: asc}], '
        'limit: 5, offset: 2, autocut: 1, tenant: "tenant-A", consistencyLevel: QUORUM) '
        "{ title location { latitude longitude } writtenBy { ... on Author { name } } "
        "_additional { id distance vectors { body } } } } }"
    )


def test_get_query_searches_render() -> None:
    base = _client_free_get()
    assert base.to_graphql() == "{ Get { Article { _additional { id } } } }"
    assert 'bm25: {query: "a \\"b\\"", properties: ["title^2", "body"]}' in (
        base.bm25('a "b"', properties=["title^2", "body"]).to_graphql()
    )
    hybrid = base.hybrid(
        "q",
        alpha=0.25,
        vector=[0.1],
        fusion_type="relativeScoreFusion",
        properties=["title"],
        target_vector=["a", "b"],
        max_vector_distance=0.9,
    ).to_graphql()
    assert (
        'hybrid: {query: "q", alpha: 0.25, vector: [0.1], fusionType: relativeScoreFusion, '
        'properties: ["title"], targetVectors: ["a", "b"], maxVectorDistance: 0.9}'
    ) in hybrid
    assert f'nearObject: {{id: "{ID}", certainty: 0.8}}' in (
        base.near_object(uuid.UUID(ID), certainty=0.8).to_graphql()
    )
    assert 'nearText: {concepts: ["cats", "dogs"], distance: 0.5}' in (
        base.near_text(["cats", "dogs"], distance=0.5).to_graphql()
    )
    assert f'after: "{ID}"' in base.after(ID).limit(2).to_graphql()


def test_builders_are_immutable() -> None:
    base = _client_free_get().fields("title")
    limited = base.limit(3)
    assert "limit" not in base.to_graphql()
    assert "limit: 3" in limited.to_graphql()
    assert base.fields("x") is not base


@pytest.mark.parametrize("cls", [GetQuery, AggregateQuery, Request])
def test_evolve_copies_like_dataclasses_replace(cls: type) -> None:
    """The builders' fast copy is only sound for plain-field classes: hold them to it."""
    fields = dataclasses.fields(cls)
    assert tuple(f.name for f in fields) == cls.__slots__
    assert all(f.init for f in fields) and not hasattr(cls, "__post_init__")
    value = cls(*(object() for f in fields if f.default is dataclasses.MISSING))
    name = fields[-1].name
    assert evolve(value, **{name: 42}) == dataclasses.replace(value, **{name: 42})
    assert getattr(evolve(value, **{name: 42}), name) == 42
    assert getattr(value, name) != 42  # the original is untouched
    with pytest.raises(TypeError, match="has no field nonsense"):
        evolve(value, nonsense=1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda q: q.near_vector([1.0]).bm25("x"), "one search operator: nearVector"),
        (lambda q: q.near_vector([]), "expected a non-empty list of numbers"),
        (lambda q: q.near_vector("1,2"), "expected a non-empty list of numbers"),
        (lambda q: q.near_vector([1.0, float("inf")]), "list of finite numbers"),
        (lambda q: q.near_vector([1.0, True]), r"invalid vector=\[1.0, True\]"),
        (lambda q: q.near_vector([1.0], distance=1, certainty=0.5), "either distance or"),
        (lambda q: q.near_vector([1.0], certainty=2), "certainty must be within"),
        (lambda q: q.near_vector([1.0], target_vector="bad-name"), "target vector name"),
        (lambda q: q.near_object("x"), "invalid id='x': expected a UUID"),
        (lambda q: q.hybrid("x", alpha=1.5), "alpha must be within"),
        (lambda q: q.hybrid("x", fusion_type="magic"), "fusion_type must be one of"),
        (lambda q: q.hybrid("x", vector=[float("nan")]), "list of finite numbers"),
        (lambda q: q.bm25("x", properties=['a"']), "invalid search property="),
        (lambda q: q.bm25("x", properties=[]), "properties must not be empty"),
        (lambda q: q.bm25("\udc80"), "invalid bm25 query=.*lone surrogate"),
        (lambda q: q.fields("bad name"), "invalid field name="),
        (lambda q: q.fields({"loc": []}), "non-empty list of sub-fields"),
        (lambda q: q.fields(3), "a field must be a property name"),
        (lambda q: q.additional("secret"), "unknown _additional field"),
        (lambda q: q.where({"operator": "Equal"}), "where must be a weaviate_telemetry.Filter"),
        (lambda q: q.sort("a b"), "invalid sort property="),
        (lambda q: q.limit(0), "limit must be an integer in 1..2147483647"),
        (lambda q: q.offset(-1), "offset must be an integer in 0..2147483647"),
        (lambda q: q.autocut(True), "autocut must be an integer"),
        (lambda q: q.after("nope"), "invalid after=.*expected a UUID"),
        (lambda q: q.tenant('x" }'), "invalid tenant"),
        (lambda q: q.consistency_level("MOST"), "consistency_level"),
    ],
)
def test_get_query_validation(build: object, message: str) -> None:
    with _invalid(message):
        build(_client_free_get())  # type: ignore[operator]


def test_collection_names_are_validated() -> None:
    query = Query(lambda request, options, parse: pytest.fail("no I/O expected"))
    for bad in ("1article", "Art-icle", "Art { x }", "", 3):
        with _invalid("expected a collection name"):
            query.get(bad)  # type: ignore[arg-type]
        with _invalid("expected a collection name"):
            query.aggregate(bad)  # type: ignore[arg-type]
    # One rule everywhere: a lowercase first letter is accepted and capitalised,
    # as by the REST endpoints (and the server itself).
    assert query.get("article").collection == "Article"
    assert "Aggregate { Article" in query.aggregate("article").to_graphql()
    with _invalid("query must not be empty"):
        query.graphql("   ")
    with _invalid("lone surrogate"):
        query.graphql("{ Get { A(where: \ud800) } }")
    with _invalid("variables must be a mapping"):
        query.graphql("{ x }", variables=[1])  # type: ignore[arg-type]


def test_aggregate_renders_every_option() -> None:
    q = (
        _agg()
        .meta_count()
        .metrics("year", "sum", "mean", "minimum")
        .metrics("year", "mean", "maximum")
        .metrics("ok", "percentageTrue")
        .top_occurrences("tag", limit=3)
        .group_by("category")
        .where(F.by_property("year").less_than(2020))
        .near_vector([0.5], target_vector="v")
        .object_limit(50)
        .limit(10)
        .tenant("t1")
    )
    assert q.to_graphql() == (
        "{ Aggregate { Article("
        'where: {operator: LessThan, path: ["year"], valueInt: 2020}, groupBy: ["category"], '
        'nearVector: {vector: [0.5], targetVectors: ["v"]}, objectLimit: 50, limit: 10, '
        'tenant: "t1") '
        "{ meta { count } groupedBy { path value } year { sum mean minimum maximum } "
        "ok { percentageTrue } tag { topOccurrences(limit: 3) { value occurs } } } } }"
    )
    assert _agg().to_graphql() == "{ Aggregate { Article { meta { count } } } }"
    assert "meta" not in _agg().top_occurrences("tag").to_graphql()


def test_aggregate_validation() -> None:
    with _invalid("unknown metric 'avg'"):
        _agg().metrics("year", "avg")
    with _invalid("needs at least one metric"):
        _agg().metrics("year")
    with _invalid("invalid group_by property"):
        _agg().group_by("a.b")
    with _invalid("object_limit must be"):
        _agg().object_limit(0)
    with _invalid("limit must be"):
        _agg().top_occurrences("tag", limit=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operator": "Equal} evil: {x"}, "unknown filter operator"),
        ({"operator": "Equal", "path": ("a",), "value_type": "raw", "value": "x"}, "value type"),
        ({"operator": "Equal", "path": ("a",), "value_type": "int", "value": "1}"}, "not a int"),
        ({"operator": "Equal", "path": (), "value_type": "text", "value": "x"}, "path strings"),
        ({"operator": "Equal", "path": ("a",), "value_type": "number", "value": 1}, "number"),
        ({"operator": "Not", "operands": ()}, "exactly one operand"),
        ({"operator": "And", "operands": ({"operator": "Equal"},)}, "tuple of Filters"),
        ({"operator": "Or", "path": ("a",)}, "operands only"),
    ],
)
def test_direct_construction_is_validated_too(kwargs: dict[str, object], message: str) -> None:
    with _invalid(message):
        wt.Filter(**kwargs)  # type: ignore[arg-type]


def test_direct_construction_of_a_valid_node_renders() -> None:
    node = wt.Filter("Equal", ("a",), "text", 'x"')
    assert node == F.by_property("a").equal('x"')
    assert node.to_graphql() == '{operator: Equal, path: ["a"], valueText: "x\\""}'


@pytest.mark.parametrize("concepts", [1, None, 3.5, object()])
def test_near_text_rejects_non_text_concepts(concepts: object) -> None:
    with pytest.raises(wt.ValidationError, match="near_text"):
        wt.Client("http://127.0.0.1:9").query.get("Article").near_text(concepts)  # type: ignore[arg-type]
