"""Collection handles (docs/data-plane.md) against a real Weaviate: every part of the surface,
checked against what the server stored (read back over REST, not through the handle)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry import (
    Configure,
    DataObject,
    DataReference,
    DataType,
    Filter,
    GroupBy,
    GroupByAggregate,
    MetadataQuery,
    Metrics,
    Property,
    ReferenceProperty,
    Sort,
    Tenant,
    TenantActivityStatus,
    VectorDistances,
)
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

ROWS = [
    {"title": f"article {i}", "year": 2010 + i, "score": i / 2, "draft": i % 3 == 0}
    for i in range(12)
]


def vec(i: int) -> list[float]:
    return [1.0, i / 10, 0.5]


def cosine_distance(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return 1 - dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


@pytest.fixture
def articles(client: wt.Client, collection_name: str) -> Iterator[wt.Collection]:
    handle = client.collections.create(
        collection_name,
        properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="year", data_type=DataType.INT),
            Property(name="score", data_type=DataType.NUMBER),
            Property(name="draft", data_type=DataType.BOOL),
        ],
        references=[ReferenceProperty(name="related", target_collection=collection_name)],
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE)
        ),
        inverted_index_config=Configure.inverted_index(index_timestamps=True),
        replication_config=Configure.replication(factor=1),
    )
    try:
        yield handle
    finally:
        client.collections.delete(collection_name)


@pytest.fixture
def handle(
    articles: wt.Collection, client_cls: Any, weaviate_server: EmbeddedWeaviate
) -> Iterator[Any]:
    """``articles``' collection through the handle of ``wt.Client`` or of ``wt.AsyncClient``
    (its calls awaited behind the sync surface, tests/support/drivers.py): the same
    assertions hold for both. (``len()``/``iterator()`` stay on ``articles``: the async
    handle has ``length()`` and an async iterator; its ``batch`` contexts are ``async with``,
    used with ``with`` behind the sync surface.)"""
    with client_cls(weaviate_server.url) as c:
        yield c.collections.use(articles.name)


def fill(articles: wt.Collection) -> list[uuid.UUID]:
    ids = [wt.generate_uuid5(r["title"]) for r in ROWS]
    result = articles.data.insert_many(
        [
            DataObject(properties=r, uuid=i, vector=vec(n))
            for n, (r, i) in enumerate(zip(ROWS, ids, strict=True))
        ]
    )
    assert not result.has_errors
    return [uuid.UUID(i) for i in ids]


def test_create_returns_a_handle_and_the_schema_is_in_config(
    client: wt.Client, articles: wt.Collection, collection_name: str
) -> None:
    assert isinstance(articles, wt.Collection)
    assert articles.name == collection_name
    assert client.collections.use(collection_name).name == collection_name
    assert client.collections.get(collection_name.lower()).name == collection_name
    config = articles.config.get()
    assert config == client.collections.export_config(collection_name)
    by_name = {p.name: p for p in config.properties}
    assert by_name["title"].data_type == DataType.TEXT
    assert by_name["year"].data_type == DataType.INT
    assert by_name["related"].data_type == collection_name  # the reference's target
    assert config.vectors is not None
    assert config.vectors["default"].vector_index_type == "hnsw"
    assert (config.vectors["default"].vector_index_config or {})["distance"] == "cosine"
    assert (config.inverted_index_config or {})["indexTimestamps"] is True
    assert articles.exists() is True
    assert client.collections.use(collection_name + "Nope").exists() is False
    articles.config.add_property(Property(name="extra", data_type=DataType.TEXT_ARRAY))
    assert "extra" in articles.config.get().property_names


def test_data_insert_replace_update_delete_match_the_server(client: wt.Client, handle: Any) -> None:
    uid = handle.data.insert({"title": "hello", "year": 2020}, vector=[0.1, 0.2, 0.3])
    assert isinstance(uid, uuid.UUID)
    stored = client.objects.get(handle.name, uid, include_vector=True)
    assert stored is not None
    assert stored.properties == {"title": "hello", "year": 2020}
    assert stored.vectors == {"default": [0.1, 0.2, 0.3]}
    assert handle.data.exists(uid) is True
    with pytest.raises(wt.ValidationError):
        handle.data.insert({"title": "again"}, uuid=uid)  # an existing id is not overwritten

    handle.data.update(uid, {"year": 2021})
    stored = client.objects.get(handle.name, uid)
    assert stored is not None and stored.properties == {"title": "hello", "year": 2021}
    handle.data.replace(uid, {"title": "replaced"}, vector=[0.3, 0.2, 0.1])
    fetched = handle.query.fetch_object_by_id(uid, include_vector=True)
    assert fetched is not None
    assert fetched.uuid == uid
    assert fetched.properties == {"title": "replaced"}  # replace drops what it does not give
    assert fetched.vector == {"default": [0.3, 0.2, 0.1]}
    assert fetched.collection == handle.name
    assert fetched.metadata.creation_time is not None
    assert fetched.metadata.last_update_time is not None
    assert fetched.metadata.last_update_time >= fetched.metadata.creation_time
    with pytest.raises(wt.NotFoundError):
        handle.data.replace(uuid.uuid4(), {"title": "nobody"})

    handle.data.delete_by_id(uid)
    assert handle.data.exists(uid) is False
    assert handle.query.fetch_object_by_id(uid) is None
    handle.data.delete_by_id(uid)  # deleting again is not an error


def test_insert_many_lists_exactly_the_objects_the_server_rejected(
    client: wt.Client, articles: wt.Collection, handle: Any
) -> None:
    result = handle.data.insert_many(
        [
            {"title": "a", "year": 1},
            {"title": "b", "year": "not an int"},
            DataObject({"title": "c"}),
        ]
    )
    assert result.has_errors
    assert set(result.errors) == {1}
    assert result.errors[1].object_.properties == {"title": "b", "year": "not an int"}
    assert "year" in result.errors[1].message
    assert set(result.uuids) == {0, 2}
    for uid in result.uuids.values():
        assert client.objects.exists(articles.name, uid)
    assert result.errors[1].original_uuid is not None
    assert not client.objects.exists(articles.name, result.errors[1].original_uuid)
    assert len(articles) == 2


def test_delete_many_with_filters(articles: wt.Collection, handle: Any) -> None:
    fill(articles)
    old = Filter.by_property("year").less_than(2015)
    dry = handle.data.delete_many(old, dry_run=True)
    assert (dry.matches, dry.successful, dry.dry_run) == (5, 0, True)
    assert handle.length() == 12
    done = handle.data.delete_many(old, verbose=True)
    assert (done.matches, done.successful, done.failed) == (5, 5, 0)
    assert len(done.objects) == 5
    assert handle.length() == 7
    remaining = handle.query.fetch_objects(limit=100, return_properties=["year"])
    assert sorted(o.properties["year"] for o in remaining.objects) == list(range(2015, 2022))


def test_references_add_delete_and_add_many(
    client: wt.Client, articles: wt.Collection, handle: Any
) -> None:
    a, b, c = fill(articles)[:3]

    def targets(of: uuid.UUID) -> list[str]:
        stored = client.objects.get(articles.name, of)
        assert stored is not None
        return sorted(r["beacon"].rsplit("/", 1)[-1] for r in stored.properties.get("related", []))

    handle.data.reference_add(from_uuid=a, from_property="related", to=b)
    assert targets(a) == [str(b)]
    handle.data.reference_add(from_uuid=a, from_property="related", to=[c])
    assert targets(a) == sorted([str(b), str(c)])
    handle.data.reference_delete(from_uuid=a, from_property="related", to=b)
    assert targets(a) == [str(c)]
    outcome = handle.data.reference_add_many(
        [DataReference(from_property="related", from_uuid=b, to_uuid=[a, c])]
    )
    assert not outcome.has_errors
    assert targets(b) == sorted([str(a), str(c)])
    # references are not properties in query results (as in v4)
    hit = handle.query.fetch_object_by_id(b)
    assert hit is not None and "related" not in hit.properties


def test_queries_return_v4_shaped_objects_matching_the_server(
    articles: wt.Collection, handle: Any
) -> None:
    ids = fill(articles)
    query_vector = [1.0, 0.15, 0.5]
    response = handle.query.near_vector(
        query_vector,
        limit=4,
        filters=Filter.by_property("year").greater_than(2012),
        return_metadata=MetadataQuery(distance=True),
        include_vector=True,
    )
    expected = sorted(
        (cosine_distance(query_vector, vec(i)), i) for i, r in enumerate(ROWS) if r["year"] > 2012
    )[:4]
    assert [o.uuid for o in response.objects] == [ids[i] for _, i in expected]
    for obj, (distance, i) in zip(response.objects, expected, strict=True):
        assert obj.properties == ROWS[i] | {"score": pytest.approx(ROWS[i]["score"])}
        assert obj.metadata.distance == pytest.approx(distance, abs=1e-5)
        assert obj.metadata.score is None  # not asked for
        assert obj.vector == {"default": pytest.approx(vec(i))}
        assert obj.collection == articles.name
    assert response.to_dict()["objects"][0]["metadata"]["distance"] == pytest.approx(
        expected[0][0], abs=1e-5
    )
    assert str(ids[expected[0][1]]) in response.to_json()

    # near_object: the object itself first, at distance 0
    near = handle.query.near_object(ids[3], limit=2, return_metadata=["distance"])
    assert near.objects[0].uuid == ids[3]
    assert near.objects[0].metadata.distance == pytest.approx(0.0, abs=1e-6)

    # keyword and hybrid searches
    bm25 = handle.query.bm25("article", query_properties=["title"], return_metadata=["score"])
    assert len(bm25.objects) == 12 and all(o.metadata.score is not None for o in bm25.objects)
    hybrid = handle.query.hybrid(
        "article 7", vector=vec(7), alpha=0.5, limit=3, return_properties=["title"]
    )
    assert hybrid.objects[0].uuid == ids[7]
    assert hybrid.objects[0].properties == {"title": "article 7"}

    # fetch: offset, sort, filters; after-cursor paging covers everything once
    by_year = handle.query.fetch_objects(
        limit=3, offset=2, sort=Sort.by_property("year", ascending=False), return_properties="year"
    )
    assert [o.properties["year"] for o in by_year.objects] == [2019, 2018, 2017]
    drafts = handle.query.fetch_objects(filters=Filter.by_property("draft").equal(True))
    assert {o.uuid for o in drafts.objects} == {ids[i] for i in (0, 3, 6, 9)}
    page1 = handle.query.fetch_objects(limit=5)
    page2 = handle.query.fetch_objects(limit=5, after=page1.objects[-1].uuid)
    assert not {o.uuid for o in page1.objects} & {o.uuid for o in page2.objects}
    assert [o.uuid for o in page1.objects] == sorted(ids, key=str)[:5]

    # auto_limit cuts at the first jump in distance
    cut = handle.query.near_vector(vec(0), auto_limit=1, return_metadata=["distance"])
    assert 1 <= len(cut.objects) < 12

    # near_text needs a vectorizer module, which this server does not have
    with pytest.raises(wt.GraphQLError):
        handle.query.near_text("anything")


def test_group_by_groups_like_v4(articles: wt.Collection, handle: Any) -> None:
    ids = fill(articles)
    grouped = handle.query.near_vector(
        vec(0),
        group_by=GroupBy(prop="draft", objects_per_group=2, number_of_groups=2),
        return_metadata=MetadataQuery(distance=True),
    )
    assert set(grouped.groups) == {"true", "false"}
    assert [o.uuid for o in grouped.groups["true"].objects] == [ids[0], ids[3]]
    assert [o.uuid for o in grouped.groups["false"].objects] == [ids[1], ids[2]]
    assert all(o.belongs_to_group == "false" for o in grouped.groups["false"].objects)
    assert grouped.groups["true"].min_distance == pytest.approx(0.0, abs=1e-6)
    assert len(grouped.objects) == 4


def test_aggregate_metrics_match_the_stored_values(articles: wt.Collection, handle: Any) -> None:
    fill(articles)
    years = [r["year"] for r in ROWS]
    scores = [r["score"] for r in ROWS]
    stats = handle.aggregate.over_all(
        total_count=True,
        return_metrics=[
            Metrics("year").integer(minimum=True, maximum=True, mean=True, sum_=True),
            Metrics("score").number(maximum=True),
            Metrics("draft").boolean(total_true=True),
            Metrics("title").text(top_occurrences_count=True, top_occurrences_value=True, limit=3),
        ],
    )
    assert stats.total_count == 12
    year = stats.properties["year"]
    assert isinstance(year, wt.AggregateInteger)
    assert (year.minimum, year.maximum, year.sum_) == (min(years), max(years), sum(years))
    assert year.mean == pytest.approx(sum(years) / 12)
    assert year.median is None  # not asked for
    assert stats.properties["score"].maximum == pytest.approx(max(scores))  # type: ignore[union-attr]
    assert stats.properties["draft"].total_true == 4  # type: ignore[union-attr]
    text = stats.properties["title"]
    assert isinstance(text, wt.AggregateText) and len(text.top_occurrences) == 3

    filtered = handle.aggregate.over_all(filters=Filter.by_property("year").greater_than(2015))
    assert filtered.total_count == 6
    grouped = handle.aggregate.over_all(group_by=GroupByAggregate(prop="draft"))
    counts = {g.grouped_by.value: g.total_count for g in grouped.groups}
    assert counts == {"true": 4, "false": 8}
    assert {g.grouped_by.prop for g in grouped.groups} == {"draft"}
    near = handle.aggregate.near_vector(vec(0), object_limit=5, total_count=True)
    assert near.total_count == 5
    assert handle.length() == 12


def test_iterator_walks_every_object_once(articles: wt.Collection, handle: Any) -> None:
    ids = fill(articles)
    seen = [o.uuid for o in handle.iterator(cache_size=5, include_vector=True)]
    assert sorted(seen, key=str) == sorted(ids, key=str)
    first = next(iter(handle.iterator(include_vector=True)))
    assert first.vector["default"]
    with wt.telemetry.capture() as events:
        list(handle.iterator(cache_size=5))
    pages = [
        e for e in events.of("request", "stop") if e.metadata["operation"] == "collection.iterator"
    ]
    assert len(pages) == 3  # 5 + 5 + 2


def test_batch_context_stores_everything_or_reports_it(
    client: wt.Client, articles: wt.Collection, handle: Any
) -> None:
    with handle.batch.fixed_size(batch_size=4, concurrent_requests=2) as batch:
        added = [
            batch.add_object(properties={"title": f"b{i}", "year": i}, vector=vec(i))
            for i in range(9)
        ]
        bad = batch.add_object(properties={"title": "bad", "year": "x"}, vector=vec(1))
        batch.add_reference(from_uuid=added[0], from_property="related", to=added[1])
    assert [f.original_uuid for f in handle.batch.failed_objects] == [bad]
    (failed,) = batch.failed_objects
    assert "year" in failed.message and failed.object_.properties["title"] == "bad"
    assert batch.number_errors == 1 and batch.failed_references == []
    assert bad not in batch.results_uuids and len(batch.results_uuids) == 9
    assert len(articles) == 9
    for uid in added:
        assert client.objects.exists(articles.name, uid)
    first = client.objects.get(articles.name, added[0])
    assert first is not None and first.properties["related"][0]["beacon"].endswith(str(added[1]))

    # an exception in the with-block still sends what was added (nothing silently dropped)
    with pytest.raises(RuntimeError), handle.batch.dynamic() as batch:
        late = batch.add_object(properties={"title": "late"})
        raise RuntimeError("boom")
    assert client.objects.exists(articles.name, late)
    assert handle.batch.failed_objects == []
    with pytest.raises(wt.ValidationError):
        handle.batch.dynamic().add_object(vector=["not", "numbers"])


def test_multi_tenant_collection(client: wt.Client, collection_name: str) -> None:
    docs = client.collections.create(
        collection_name,
        properties=[Property(name="title", data_type=DataType.TEXT)],
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    try:
        docs.tenants.create([Tenant(name="acme"), "globex"])
        assert set(docs.tenants.get()) == {"acme", "globex"}
        assert docs.tenants.exists("acme") and not docs.tenants.exists("initech")
        acme, globex = docs.with_tenant("acme"), docs.with_tenant(Tenant(name="globex"))
        assert acme.tenant == "acme" and docs.tenant is None
        uid = acme.data.insert({"title": "for acme"}, vector=[1.0, 0.0])
        with acme.batch.dynamic() as batch:
            batch.add_object(properties={"title": "also acme"}, vector=[0.9, 0.1])
        globex.data.insert({"title": "for globex"}, vector=[1.0, 0.0])
        stored = client.objects.get(collection_name, uid, tenant="acme")
        assert stored is not None and stored.tenant == "acme"
        assert (len(acme), len(globex)) == (2, 1)
        hits = acme.query.near_vector([1.0, 0.0], return_properties=["title"])
        assert sorted(o.properties["title"] for o in hits.objects) == ["also acme", "for acme"]
        assert acme.aggregate.over_all().total_count == 2
        assert globex.query.fetch_object_by_id(uid) is None
        with pytest.raises(wt.WeaviateError):
            docs.query.fetch_objects()  # a multi-tenant collection needs a tenant

        docs.tenants.update(Tenant(name="globex", activity_status=TenantActivityStatus.INACTIVE))
        got = docs.tenants.get_by_name("globex")
        assert got is not None and got.activity_status == TenantActivityStatus.INACTIVE
        with pytest.raises(wt.WeaviateError):
            globex.query.fetch_objects()  # an inactive tenant cannot be read
        docs.tenants.remove(["globex"])
        assert docs.tenants.get_by_name("globex") is None
        assert [t.name for t in client.tenants.list(collection_name)] == ["acme"]
    finally:
        client.collections.delete(collection_name)


def test_named_vectors(client: wt.Client, collection_name: str) -> None:
    docs = client.collections.create(
        collection_name,
        properties=[Property(name="title", data_type=DataType.TEXT)],
        vector_config=[
            Configure.Vectors.self_provided(name="title_vec"),
            Configure.Vectors.self_provided(
                name="body_vec",
                vector_index_config=Configure.VectorIndex.flat(distance_metric=VectorDistances.DOT),
            ),
        ],
    )
    try:
        config = docs.config.get()
        assert config.vectors is not None
        assert config.vectors["body_vec"].vector_index_type == "flat"
        a = docs.data.insert(
            {"title": "a"}, vector={"title_vec": [1.0, 0.0], "body_vec": [0.0, 1.0]}
        )
        b = docs.data.insert(
            {"title": "b"}, vector={"title_vec": [0.0, 1.0], "body_vec": [1.0, 0.0]}
        )
        stored = client.objects.get(collection_name, a, include_vector=True)
        assert stored is not None and stored.vectors == {"title_vec": [1, 0], "body_vec": [0, 1]}
        by_title = docs.query.near_vector(
            [1.0, 0.0], target_vector="title_vec", include_vector=True
        )
        assert [o.uuid for o in by_title.objects] == [a, b]
        assert by_title.objects[0].vector == {"title_vec": [1, 0], "body_vec": [0, 1]}
        by_body = docs.query.near_vector([1.0, 0.0], target_vector="body_vec", limit=1)
        assert by_body.objects[0].uuid == b
        only = docs.query.fetch_objects(include_vector="body_vec", limit=1)
        assert set(only.objects[0].vector) == {"body_vec"}
        fetched = docs.query.fetch_object_by_id(b, include_vector=True)
        assert fetched is not None and fetched.vector == {"title_vec": [0, 1], "body_vec": [1, 0]}
    finally:
        client.collections.delete(collection_name)


def test_each_handle_call_is_one_named_operation_with_overrides(handle: Any) -> None:
    acme_meta = {"job": "handles-test"}
    with wt.telemetry.capture() as events:
        uid = handle.data.insert({"title": "x"}, vector=[1.0, 0.0, 0.0], metadata=acme_meta)
        handle.query.near_vector([1.0, 0.0, 0.0], limit=1, return_properties=["title"], timeout=5)
        handle.query.fetch_object_by_id(uid)
        handle.aggregate.over_all(total_count=True)
        handle.data.delete_by_id(uid)
    stops = events.of("request", "stop")
    assert [e.metadata["operation"] for e in stops] == [
        "collection.data.insert",
        "collection.query.near_vector",
        "collection.query.fetch_object_by_id",
        "collection.aggregate.over_all",
        "collection.data.delete_by_id",
    ]
    assert all(e.metadata["collection"] == handle.name for e in stops)
    assert stops[0].metadata["metadata"]["job"] == "handles-test"
    assert not events.of("request", "exception")


def test_with_consistency_level_reads_and_writes(handle: Any) -> None:
    quorum = handle.with_consistency_level(wt.ConsistencyLevel.QUORUM)
    assert quorum.consistency_level == "QUORUM" and handle.consistency_level is None
    uid = quorum.data.insert({"title": "q"}, vector=[1.0, 0.0, 0.0])
    assert quorum.query.fetch_object_by_id(uid) is not None
    assert [o.uuid for o in quorum.query.fetch_objects().objects] == [uid]


BAD_CALLS: list[tuple[Any, str]] = [
    (lambda h: h.data.insert({"bad key": 1}), "properties key"),
    (lambda h: h.data.insert({}, vector=[float("nan")]), "vector"),
    (lambda h: h.data.insert({}, uuid="nope"), "UUID"),
    (lambda h: h.data.insert_many("title"), "objects"),
    (lambda h: h.data.delete_many({"not": "a filter"}), "where"),
    (lambda h: h.query.near_vector([]), "vector"),
    (lambda h: h.query.fetch_objects(limit=0, return_properties=["t"]), "limit"),
    (lambda h: h.query.fetch_objects(return_metadata=["bogus"], return_properties=[]), "bogus"),
    (lambda h: h.query.fetch_objects(sort="year", return_properties=[]), "Sort"),
    (lambda h: h.query.near_vector([1.0], group_by="draft", return_properties=[]), "GroupBy"),
    (lambda h: h.aggregate.over_all(return_metrics=["year"]), "return_metrics"),
    (lambda h: h.with_tenant("bad tenant"), "tenant"),
    (lambda h: h.with_consistency_level("SOME"), "consistency_level"),
    (lambda h: h.batch.fixed_size(batch_size=0), "batch_size"),
    (lambda h: h.data.insert({}, timeout=-1), "timeout"),
]


@pytest.mark.parametrize(("call", "needle"), BAD_CALLS)
def test_bad_arguments_fail_before_any_io(offline: wt.Client, call: Any, needle: str) -> None:
    handle = offline.collections.use("Article")
    with wt.telemetry.capture() as events, pytest.raises(wt.ValidationError) as info:
        call(handle)
    assert needle in str(info.value)
    assert events.events == []
