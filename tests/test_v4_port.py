"""A realistic program written for the official client v4, ported: only the import and
connect lines change. The v4 text is kept verbatim (it was run against this server with
weaviate-client 4.24.1); our version runs for real and its output is checked."""

from __future__ import annotations

import contextlib
import difflib
import io
import re

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

V4_PROGRAM = """\
import weaviate
from weaviate.classes.config import Configure, DataType, Property, VectorDistances
from weaviate.classes.query import Filter, MetadataQuery, Metrics
from weaviate.classes.tenants import Tenant, TenantActivityStatus

with weaviate.connect_to_local() as client:
    articles = client.collections.create(
        "PortedArticle",
        properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="year", data_type=DataType.INT),
        ],
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE)
        ),
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    articles.tenants.create([Tenant(name="acme"), Tenant(name="globex")])
    acme = articles.with_tenant("acme")

    with acme.batch.dynamic() as batch:
        for i in range(200):
            batch.add_object(
                properties={"title": f"article {i}", "year": 2000 + i % 25},
                vector=[1.0, i / 200, 0.5],
            )
    assert len(acme.batch.failed_objects) == 0

    response = acme.query.near_vector(
        near_vector=[1.0, 0.1, 0.5],
        limit=5,
        filters=Filter.by_property("year").greater_than(2020),
        return_metadata=MetadataQuery(distance=True),
    )
    for obj in response.objects:
        print(obj.uuid, obj.properties["title"], obj.properties["year"], obj.metadata.distance)

    stats = acme.aggregate.over_all(
        total_count=True,
        return_metrics=[Metrics("year").integer(minimum=True, maximum=True, mean=True)],
    )
    print(stats.total_count, stats.properties["year"].minimum, stats.properties["year"].maximum)

    articles.tenants.update(Tenant(name="globex", activity_status=TenantActivityStatus.INACTIVE))
    tenants = articles.tenants.get()
    print(sorted(tenants), tenants["globex"].activity_status.value)
    articles.tenants.remove(["globex"])
    print(articles.tenants.exists("globex"))
    client.collections.delete("PortedArticle")
"""

OUR_PROGRAM = """\
import weaviate_telemetry as wt
from weaviate_telemetry.classes.config import Configure, DataType, Property, VectorDistances
from weaviate_telemetry.classes.query import Filter, MetadataQuery, Metrics
from weaviate_telemetry.classes.tenants import Tenant, TenantActivityStatus

with wt.Client(URL) as client:
    articles = client.collections.create(
        "PortedArticle",
        properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="year", data_type=DataType.INT),
        ],
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE)
        ),
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    articles.tenants.create([Tenant(name="acme"), Tenant(name="globex")])
    acme = articles.with_tenant("acme")

    with acme.batch.dynamic() as batch:
        for i in range(200):
            batch.add_object(
                properties={"title": f"article {i}", "year": 2000 + i % 25},
                vector=[1.0, i / 200, 0.5],
            )
    assert len(acme.batch.failed_objects) == 0

    response = acme.query.near_vector(
        near_vector=[1.0, 0.1, 0.5],
        limit=5,
        filters=Filter.by_property("year").greater_than(2020),
        return_metadata=MetadataQuery(distance=True),
    )
    for obj in response.objects:
        print(obj.uuid, obj.properties["title"], obj.properties["year"], obj.metadata.distance)

    stats = acme.aggregate.over_all(
        total_count=True,
        return_metrics=[Metrics("year").integer(minimum=True, maximum=True, mean=True)],
    )
    print(stats.total_count, stats.properties["year"].minimum, stats.properties["year"].maximum)

    articles.tenants.update(Tenant(name="globex", activity_status=TenantActivityStatus.INACTIVE))
    tenants = articles.tenants.get()
    print(sorted(tenants), tenants["globex"].activity_status.value)
    articles.tenants.remove(["globex"])
    print(articles.tenants.exists("globex"))
    client.collections.delete("PortedArticle")
"""


def test_only_the_import_and_connect_lines_differ() -> None:
    diff = [
        line
        for line in difflib.unified_diff(
            V4_PROGRAM.splitlines(), OUR_PROGRAM.splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    assert removed == [
        "import weaviate",
        "from weaviate.classes.config import Configure, DataType, Property, VectorDistances",
        "from weaviate.classes.query import Filter, MetadataQuery, Metrics",
        "from weaviate.classes.tenants import Tenant, TenantActivityStatus",
        "with weaviate.connect_to_local() as client:",
    ]
    assert added == [
        "import weaviate_telemetry as wt",
        "from weaviate_telemetry.classes.config import Configure, DataType, Property, VectorDistances",  # noqa: E501
        "from weaviate_telemetry.classes.query import Filter, MetadataQuery, Metrics",
        "from weaviate_telemetry.classes.tenants import Tenant, TenantActivityStatus",
        "with wt.Client(URL) as client:",
    ]
    assert len(OUR_PROGRAM.splitlines()) == len(V4_PROGRAM.splitlines())


def test_the_ported_program_runs_against_the_real_server(client: wt.Client) -> None:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(
                compile(OUR_PROGRAM, "ported_v4_program.py", "exec"),
                {"URL": client.config.base_url},
            )
    finally:
        client.collections.delete("PortedArticle")
    lines = out.getvalue().splitlines()
    hits = [line.split() for line in lines[:5]]
    # five nearest objects with year > 2020, nearest first (cosine distance grows with i)
    assert all(int(h[3]) > 2020 for h in hits)
    distances = [float(h[4]) for h in hits]
    assert distances == sorted(distances)
    assert [h[2] for h in hits] == ["21", "22", "23", "24", "46"]
    assert lines[5] == "200 2000 2024"
    assert lines[6] == "['acme', 'globex'] INACTIVE"
    assert lines[7] == "False"
    assert all(re.fullmatch(r"[0-9a-f-]{36}", h[0]) for h in hits)


# -- the async client: a v4 WeaviateAsyncClient program, ported ----------------------------

V4_ASYNC_PROGRAM = """\
import asyncio
import uuid

import weaviate
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, MetadataQuery


async def main() -> None:
    async with weaviate.use_async_with_local(port=PORT, grpc_port=GRPC_PORT) as client:
        articles = await client.collections.create(
            "AsyncPorted",
            properties=[
                Property(name="title", data_type=DataType.TEXT),
                Property(name="year", data_type=DataType.INT),
            ],
            vector_config=Configure.Vectors.self_provided(),
        )
        result = await articles.data.insert_many(
            [
                DataObject(
                    properties={"title": f"article {i}", "year": 2000 + i % 25},
                    uuid=uuid.UUID(int=i + 1),
                    vector=[1.0, i / 100, 0.5],
                )
                for i in range(100)
            ]
        )
        print(len(result.uuids), len(result.errors))
        hits, text, one, count = await asyncio.gather(
            articles.query.near_vector(
                near_vector=[1.0, 0.1, 0.5],
                limit=5,
                filters=Filter.by_property("year").greater_than(2020),
                return_metadata=MetadataQuery(distance=True),
            ),
            articles.query.bm25(query="17", limit=3, return_properties=["title"]),
            articles.query.fetch_object_by_id(uuid.UUID(int=43)),
            articles.aggregate.over_all(total_count=True),
        )
        for obj in hits.objects:
            distance = round(obj.metadata.distance, 5)
            print(obj.uuid, obj.properties["title"], obj.properties["year"], distance)
        print([o.properties["title"] for o in text.objects])
        print(one.uuid, sorted(one.properties.items()))
        print(count.total_count)
        await client.collections.delete("AsyncPorted")


asyncio.run(main())
"""

OUR_ASYNC_PROGRAM = """\
import asyncio
import uuid

import weaviate_telemetry as wt
from weaviate_telemetry.classes.config import Configure, DataType, Property
from weaviate_telemetry.classes.data import DataObject
from weaviate_telemetry.classes.query import Filter, MetadataQuery


async def main() -> None:
    async with wt.AsyncClient(URL, grpc_port=GRPC_PORT) as client:
        articles = await client.collections.create(
            "AsyncPorted",
            properties=[
                Property(name="title", data_type=DataType.TEXT),
                Property(name="year", data_type=DataType.INT),
            ],
            vector_config=Configure.Vectors.self_provided(),
        )
        result = await articles.data.insert_many(
            [
                DataObject(
                    properties={"title": f"article {i}", "year": 2000 + i % 25},
                    uuid=uuid.UUID(int=i + 1),
                    vector=[1.0, i / 100, 0.5],
                )
                for i in range(100)
            ]
        )
        print(len(result.uuids), len(result.errors))
        hits, text, one, count = await asyncio.gather(
            articles.query.near_vector(
                near_vector=[1.0, 0.1, 0.5],
                limit=5,
                filters=Filter.by_property("year").greater_than(2020),
                return_metadata=MetadataQuery(distance=True),
            ),
            articles.query.bm25(query="17", limit=3, return_properties=["title"]),
            articles.query.fetch_object_by_id(uuid.UUID(int=43)),
            articles.aggregate.over_all(total_count=True),
        )
        for obj in hits.objects:
            distance = round(obj.metadata.distance, 5)
            print(obj.uuid, obj.properties["title"], obj.properties["year"], distance)
        print([o.properties["title"] for o in text.objects])
        print(one.uuid, sorted(one.properties.items()))
        print(count.total_count)
        await client.collections.delete("AsyncPorted")


asyncio.run(main())
"""

#: What V4_ASYNC_PROGRAM printed with weaviate-client 4.24.1 (its ``WeaviateAsyncClient``,
#: gRPC) against a fresh Weaviate 1.39.0 on 2026-12-07 (exec'd with PORT and GRPC_PORT).
V4_ASYNC_OUTPUT = """\
100 0
00000000-0000-0000-0000-000000000016 article 21 2021 0.00465
00000000-0000-0000-0000-000000000017 article 22 2022 0.00552
00000000-0000-0000-0000-000000000018 article 23 2023 0.00645
00000000-0000-0000-0000-000000000019 article 24 2024 0.00746
00000000-0000-0000-0000-00000000002f article 46 2021 0.045
['article 17']
00000000-0000-0000-0000-00000000002b [('title', 'article 42'), ('year', 2017)]
100
"""


def test_an_async_v4_program_ports_by_its_import_and_connect_lines() -> None:
    diff = [
        line
        for line in difflib.unified_diff(
            V4_ASYNC_PROGRAM.splitlines(), OUR_ASYNC_PROGRAM.splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line[1:].strip() for line in diff if line.startswith("-")]
    added = [line[1:].strip() for line in diff if line.startswith("+")]
    assert [r.split()[1] for r in removed[:4]] == [
        "weaviate",
        "weaviate.classes.config",
        "weaviate.classes.data",
        "weaviate.classes.query",
    ]
    assert removed[4] == (
        "async with weaviate.use_async_with_local(port=PORT, grpc_port=GRPC_PORT) as client:"
    )
    assert added[4] == "async with wt.AsyncClient(URL, grpc_port=GRPC_PORT) as client:"
    assert len(diff) == 10


def test_the_ported_async_program_prints_what_the_official_async_client_printed(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    """Same server version, same data: our AsyncClient's answers (inserts, a filtered
    near_vector with distances, bm25, a fetch by id, a count) equal the official one's."""
    assert weaviate_server.ports is not None
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(
                compile(OUR_ASYNC_PROGRAM, "ported_v4_async_program.py", "exec"),
                {"URL": weaviate_server.url, "GRPC_PORT": weaviate_server.ports.grpc},
            )
    finally:
        with weaviate_server.client() as c:
            if c.collections.exists("AsyncPorted"):
                c.collections.delete("AsyncPorted")
    assert out.getvalue() == V4_ASYNC_OUTPUT
