"""End to end: schema → import 10,000 128-d objects → count → search → fetch → delete → count."""

from __future__ import annotations

import random

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry._api.batch import BatchProgress

pytestmark = pytest.mark.integration

TOTAL = 10_000
DIM = 128
GROUPS = 4


def _vector(rng: random.Random) -> list[float]:
    return [rng.uniform(-1.0, 1.0) for _ in range(DIM)]


def test_ten_thousand_objects_lifecycle(client: wt.Client, collection_name: str) -> None:
    F = wt.Filter
    client.collections.create_from_dict(
        {
            "class": collection_name,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "group", "dataType": ["int"]},
                {"name": "serial", "dataType": ["int"]},
            ],
        }
    )
    try:
        rng = random.Random(20260127)
        vectors = [_vector(rng) for _ in range(TOTAL)]
        ids = [str(wt.generate_uuid5({"serial": i, "c": collection_name})) for i in range(TOTAL)]
        progress: list[BatchProgress] = []
        result = client.batch.insert_objects(
            (
                {
                    "class": collection_name,
                    "id": ids[i],
                    "properties": {
                        "title": f"item {i} " + ("alpha" if i % 10 == 0 else "beta"),
                        "group": i % GROUPS,
                        "serial": i,
                    },
                    "vector": vectors[i],
                }
                for i in range(TOTAL)
            ),
            batch_size=500,
            concurrency=4,
            on_progress=progress.append,
        )
        assert not result.failures
        assert len(result.successful_ids) == TOTAL
        assert progress[-1].processed == TOTAL

        count = client.query.aggregate(collection_name).meta_count().do()
        assert count.total_count == TOTAL

        target = 4321
        near = (
            client.query.get(collection_name)
            .fields("serial")
            .additional("id", "distance")
            .near_vector(vectors[target])
            .limit(10)
            .do()
        )
        assert len(near) == 10
        assert near[0].properties["serial"] == target
        assert near[0].metadata.distance == pytest.approx(0.0, abs=1e-4)

        # Keyword "4330" matches one object, the vector is 4321's: with alpha 0.25 the
        # keyword side weighs more, so 4330 ranks first and the vector match second.
        for fusion in ("rankedFusion", "relativeScoreFusion"):
            hybrid = (
                client.query.get(collection_name)
                .fields("serial", "title")
                .additional("id", "score")
                .hybrid("4330", alpha=0.25, vector=vectors[target], fusion_type=fusion)
                .limit(10)
                .do()
            )
            assert len(hybrid) == 10
            assert [h.properties["serial"] for h in hybrid[:2]] == [4330, target]
            assert all(h.metadata.score is not None for h in hybrid)

        fetched = client.objects.get(collection_name, ids[target], include_vector=True)
        assert fetched is not None
        assert fetched.properties["serial"] == target
        assert fetched.vector == pytest.approx(vectors[target], abs=1e-6)

        doomed = F.by_property("group").equal(0)
        dry = client.batch.delete_objects(collection_name, doomed, dry_run=True)
        assert dry.matches == TOTAL // GROUPS and dry.successful == 0
        assert client.query.aggregate(collection_name).do().total_count == TOTAL

        deleted = client.batch.delete_objects(collection_name, doomed)
        assert deleted.matches == TOTAL // GROUPS
        assert deleted.successful == TOTAL // GROUPS and deleted.failed == 0

        remaining = TOTAL - TOTAL // GROUPS
        assert client.query.aggregate(collection_name).meta_count().do().total_count == remaining
        per_group = client.query.aggregate(collection_name).group_by("group").do()
        counts = {g.grouped_by.value: g.total_count for g in per_group.groups}
        assert counts == {"1": TOTAL // GROUPS, "2": TOTAL // GROUPS, "3": TOTAL // GROUPS}
        assert client.objects.get(collection_name, ids[0]) is None
        assert client.objects.get(collection_name, ids[1]) is not None
        gone = client.query.get(collection_name).where(doomed).limit(10).do()
        assert len(gone) == 0
    finally:
        client.collections.delete(collection_name)
