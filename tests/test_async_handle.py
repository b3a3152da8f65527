"""The collection handle on ``wt.AsyncClient`` (docs/async.md): the same methods, awaited,
answering exactly what the sync client's handle answers on the same data, over GraphQL and gRPC."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry import (
    Configure,
    DataObject,
    DataType,
    Filter,
    GroupBy,
    MetadataQuery,
    Metrics,
    Property,
    VectorDistances,
)
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

ROWS = [{"title": f"article {i}", "year": 2010 + i, "draft": i % 3 == 0} for i in range(25)]


def vec(i: int) -> list[float]:
    return [1.0, i / 10, 0.5]


@pytest.fixture
def filled(weaviate_server: EmbeddedWeaviate, collection_name: str) -> Iterator[str]:
    """A collection of 25 objects, stored through the sync client."""
    with wt.Client(weaviate_server.url) as client:
        articles = client.collections.create(
            collection_name,
            properties=[
                Property(name="title", data_type=DataType.TEXT),
                Property(name="year", data_type=DataType.INT),
                Property(name="draft", data_type=DataType.BOOL),
            ],
            vector_config=Configure.Vectors.self_provided(
                vector_index_config=Configure.VectorIndex.hnsw(
                    distance_metric=VectorDistances.COSINE
                )
            ),
        )
        result = articles.data.insert_many(
            [
                DataObject(properties=r, uuid=wt.generate_uuid5(r["title"]), vector=vec(n))
                for n, r in enumerate(ROWS)
            ]
        )
        assert not result.has_errors
        try:
            yield collection_name
        finally:
            client.collections.delete(collection_name)


def searches(articles: Any) -> list[Any]:
    """The same calls for either handle: a list of results (or awaitables of them)."""
    recent = Filter.by_property("year").greater_than(2015)
    meta = MetadataQuery(distance=True)
    return [
        articles.query.fetch_objects(limit=5, filters=recent),
        articles.query.fetch_object_by_id(wt.generate_uuid5("article 3")),
        articles.query.near_vector(vec(4), limit=4, return_metadata=meta),
        articles.query.near_vector(
            vec(4),
            limit=10,
            group_by=GroupBy(prop="draft", objects_per_group=2, number_of_groups=2),
        ),
        articles.query.near_object(wt.generate_uuid5("article 7"), limit=3, return_metadata=meta),
        articles.query.bm25("article", limit=5, return_properties=["title", "year"]),
        articles.query.hybrid("article 2", vector=vec(2), alpha=0.5, limit=3),
        articles.aggregate.over_all(total_count=True),
        articles.aggregate.over_all(group_by="draft"),
        articles.aggregate.near_vector(
            vec(1), object_limit=5, return_metrics=Metrics("year").integer(sum_=True)
        ),
        articles.data.exists(wt.generate_uuid5("article 1")),
        articles.config.get(),
        articles.length(),
    ]


@pytest.mark.parametrize("transport", ["graphql", "grpc"])
def test_every_async_search_and_aggregate_equals_the_sync_clients(
    weaviate_server: EmbeddedWeaviate, filled: str, transport: str
) -> None:
    grpc = {"grpc_port": weaviate_server.ports.grpc} if transport == "grpc" else {}
    with wt.Client(weaviate_server.url, **grpc) as client:
        expected = searches(client.collections.use(filled))

    async def run() -> list[Any]:
        async with wt.AsyncClient(weaviate_server.url, **grpc) as aclient:
            return list(await asyncio.gather(*searches(aclient.collections.use(filled))))

    got = asyncio.run(run())
    assert len(got) == len(expected) == 13
    assert got[12] == 25
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs


def test_hundreds_of_concurrent_handle_calls_on_one_client_answer_right(
    weaviate_server: EmbeddedWeaviate, filled: str
) -> None:
    """300 tasks at once on one AsyncClient (GraphQL searches reading the schema once,
    REST gets): every answer is the one for its own arguments."""

    async def run() -> tuple[list[Any], list[Any]]:
        async with wt.AsyncClient(weaviate_server.url, pool_maxsize=32) as aclient:
            articles = aclient.collections.use(filled)
            by_id = [
                articles.query.fetch_object_by_id(wt.generate_uuid5(ROWS[i % 25]["title"]))
                for i in range(150)
            ]
            nearest = [articles.query.near_vector(vec(i % 25), limit=1) for i in range(150)]
            return list(await asyncio.gather(*by_id)), list(await asyncio.gather(*nearest))

    got, nearest = asyncio.run(run())
    wrong = [i for i, o in enumerate(got) if o is None or o.properties != ROWS[i % 25]]
    assert wrong == []
    # the nearest object to vec(i) is the object stored with vec(i) (distinct directions)
    titles = [r.objects[0].properties["title"] for r in nearest]
    assert titles == [ROWS[i % 25]["title"] for i in range(150)]


def test_async_iterator_visits_every_object_once(
    weaviate_server: EmbeddedWeaviate, filled: str
) -> None:
    async def run() -> list[Any]:
        async with wt.AsyncClient(weaviate_server.url) as aclient:
            return [o.uuid async for o in aclient.collections.use(filled).iterator(cache_size=7)]

    seen = asyncio.run(run())
    assert len(seen) == len(set(seen)) == 25
    assert {str(u) for u in seen} == {wt.generate_uuid5(r["title"]) for r in ROWS}


def test_async_handle_writes_with_tenant_and_consistency_level(
    weaviate_server: EmbeddedWeaviate, collection_name: str
) -> None:
    async def run() -> tuple[Any, ...]:
        async with wt.AsyncClient(weaviate_server.url) as aclient:
            docs = await aclient.collections.create(
                collection_name,
                properties=[Property(name="title", data_type=DataType.TEXT)],
                multi_tenancy_config=Configure.multi_tenancy(enabled=True),
            )
            assert isinstance(docs, wt.AsyncCollection)
            await docs.tenants.create(["acme", "globex"])
            acme = docs.with_tenant("acme").with_consistency_level("ONE")
            assert (acme.tenant, acme.consistency_level) == ("acme", "ONE")
            uid = await acme.data.insert({"title": "only acme"}, vector=[0.1, 0.2])
            await acme.data.update(uid, {"title": "still acme"})
            with wt.telemetry.capture() as events:
                assert await acme.data.exists(uid) is True
            (attempt,) = events.of("attempt", "stop")
            # the handle's tenant and consistency level went to the server with the call
            assert "tenant=acme" in attempt.metadata["url"]
            assert "consistency_level=ONE" in attempt.metadata["url"]
            assert attempt.metadata["operation"] == "collection.data.exists"
            got = await acme.query.fetch_object_by_id(uid)
            in_globex = await docs.with_tenant("globex").length()
            in_acme = await acme.length()
            tenants = sorted(await docs.tenants.get())
            await aclient.collections.update(collection_name, {"description": "async"})
            exported = await aclient.collections.export_config(collection_name)
            await aclient.collections.delete(collection_name)
            return uid, got, in_globex, in_acme, tenants, exported

    uid, got, in_globex, in_acme, tenants, exported = asyncio.run(run())
    assert got is not None and got.uuid == uid and got.properties == {"title": "still acme"}
    assert (in_acme, in_globex) == (1, 0)
    assert tenants == ["acme", "globex"]
    assert exported.name == collection_name and exported.multi_tenancy
    assert exported.description == "async"
