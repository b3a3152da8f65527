"""A user's program, checked by ``mypy --strict`` (tests/test_typing.py): every handle
search, fetch, aggregate and batch call has a concrete result type, and a ``data_model``
(a TypedDict) types the properties. Never run: the calls only need to type-check."""

from __future__ import annotations

import uuid
from typing import Any, TypedDict

from typing_extensions import assert_type

import weaviate_telemetry as wt
from weaviate_telemetry.classes.aggregate import GroupByAggregate, Metrics
from weaviate_telemetry.classes.data import DataObject
from weaviate_telemetry.classes.init import CallOverrides
from weaviate_telemetry.classes.query import Filter, GroupBy, MetadataQuery, Sort
from weaviate_telemetry.outputs.aggregate import AggregateGroupByReturn, AggregateReturn
from weaviate_telemetry.outputs.batch import BatchContext, BatchProgress, BatchResult
from weaviate_telemetry.outputs.data import BatchObjectReturn
from weaviate_telemetry.outputs.query import GroupByReturn, Object, QueryReturn


class Article(TypedDict):
    title: str
    year: int


def typed(client: wt.Client) -> None:
    articles = client.collections.use("Article", data_model=Article)
    assert_type(articles, wt.Collection[Article])
    hits = articles.query.near_vector(
        [0.1, 0.2], limit=3, return_metadata=MetadataQuery(distance=True)
    )
    assert_type(hits, QueryReturn[Article])
    for obj in hits.objects:
        assert_type(obj, Object[Article])
        assert_type(obj.properties["title"], str)
        assert_type(obj.properties["year"], int)
        assert_type(obj.uuid, uuid.UUID)
        assert_type(obj.metadata.distance, float | None)
    grouped = articles.query.near_vector([0.1], group_by=GroupBy("year", 2, 3))
    assert_type(grouped, GroupByReturn[Article])
    assert_type(grouped.groups["2020"].objects[0].properties["title"], str)
    assert_type(
        articles.query.bm25("x", filters=Filter.by_property("year").equal(1)), QueryReturn[Article]
    )
    assert_type(articles.query.hybrid("x", alpha=0.5), QueryReturn[Article])
    assert_type(articles.query.near_object(uuid.uuid4()), QueryReturn[Article])
    assert_type(articles.query.near_text("x"), QueryReturn[Article])
    assert_type(articles.query.fetch_objects(sort=Sort.by_property("year")), QueryReturn[Article])
    assert_type(articles.query.fetch_object_by_id(uuid.uuid4()), Object[Article] | None)
    for each in articles.iterator():
        assert_type(each.properties["year"], int)
    assert_type(articles.with_tenant("t1"), wt.Collection[Article])
    # writes take the data model too
    assert_type(articles.data.insert({"title": "x", "year": 2020}), uuid.UUID)
    assert_type(
        articles.data.insert_many([{"title": "x", "year": 1}, DataObject({"title": "y"})]),
        BatchObjectReturn,
    )
    articles.data.replace(uuid.uuid4(), {"title": "x", "year": 2021})
    articles.data.update(uuid.uuid4(), {"title": "y", "year": 2022})
    # per-call keywords are typed (CallOverrides): timeout, retry, headers, idempotent, metadata
    articles.query.near_vector([0.1], timeout=5, metadata={"request": "r1"}, headers={"X-A": "1"})
    articles.data.delete_by_id(uuid.uuid4(), retry=wt.RetryPolicy(enabled=True), idempotent=True)


def untyped(client: wt.Client) -> None:
    articles = client.collections.use("Article")
    assert_type(articles, wt.Collection[dict[str, Any]])
    hits = articles.query.fetch_objects(limit=2)
    assert_type(hits, QueryReturn[dict[str, Any]])
    assert_type(hits.objects[0].properties, dict[str, Any])
    stats = articles.aggregate.over_all(return_metrics=[Metrics("year").integer(mean=True)])
    assert_type(stats, AggregateReturn)
    assert_type(stats.total_count, int | None)
    by_year = articles.aggregate.over_all(group_by=GroupByAggregate(prop="year"))
    assert_type(by_year, AggregateGroupByReturn)
    assert_type(articles.aggregate.near_vector([0.1], object_limit=5), AggregateReturn)
    assert_type(articles.data.insert({"title": "x"}), uuid.UUID)
    assert_type(articles.data.insert_many([DataObject({"title": "x"})]), BatchObjectReturn)
    with articles.batch.dynamic() as batch:
        assert_type(batch, BatchContext)
    assert_type(client.query.get("Article").limit(1).do(), QueryReturn[Any] | GroupByReturn[Any])
    # the lower GraphQL builder returns the handle's aggregate family, typed by group_by
    lower = client.query.aggregate("Article").meta_count().metrics("year", "mean").do()
    assert_type(lower, AggregateReturn)
    assert_type(lower.total_count, int | None)
    assert_type(client.query.aggregate("Article").group_by("year").do(), AggregateGroupByReturn)
    # per-call keywords are the one way: a prepared set is a CallOverrides dict
    steady: CallOverrides = {"timeout": 10, "idempotent": True}
    assert_type(client.meta(**steady), wt.Meta)
    client.raw.request("GET", "/v1/meta", headers={"X-A": "1"}, timeout=2)
    with client.batch.dynamic(timeout=30) as many:
        many.add_object("Article", {"title": "x"})
    # the lower layer's imports name their results too (outputs.batch)
    seen: list[BatchProgress] = []
    rows = ({"title": str(i)} for i in range(3))
    imported = client.batch.stream_objects(rows, collection="Article", on_progress=seen.append)
    assert_type(imported, BatchResult)
    assert_type(client.batch.insert_objects([], collection="Article"), BatchResult)
