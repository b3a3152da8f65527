"""``async with collection.batch.fixed_size()`` on ``wt.AsyncClient`` (docs/async.md): chunks
are tasks, at most ``concurrent_requests`` in flight, seen in the telemetry events; the
results match the server's store. (Stored / failed / exception semantics shared with the
sync handle are in tests/test_collection_handle.py, run on both drivers.)"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry import Configure, DataType, Property
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration


def _most_in_flight(events: wt.telemetry.Capture, operation: str) -> int:
    """The most requests of ``operation`` started and not yet stopped at any point
    (events are recorded in emission order)."""
    now = most = 0
    for event in events.events:
        if event.metadata.get("operation") != operation or event.name[-2] != "request":
            continue
        if event.name[-1] == "start":
            now += 1
            most = max(most, now)
        elif event.name[-1] in ("stop", "exception"):
            now -= 1
    return most


async def _create(aclient: wt.AsyncClient, name: str) -> wt.AsyncCollection[Any]:
    return await aclient.collections.create(
        name,
        properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="n", data_type=DataType.INT),
        ],
        vector_config=Configure.Vectors.self_provided(),
    )


def test_chunks_are_tasks_at_most_concurrent_requests_in_flight(
    weaviate_server: EmbeddedWeaviate, collection_name: str
) -> None:
    async def run() -> tuple[Any, ...]:
        async with wt.AsyncClient(weaviate_server.url, pool_maxsize=8) as aclient:
            articles = await _create(aclient, collection_name)
            added: list[uuid.UUID] = []
            with wt.telemetry.capture() as events, wt.telemetry.metadata(job="import-7"):
                async with articles.batch.fixed_size(batch_size=5, concurrent_requests=3) as b:
                    for n in range(62):
                        added.append(
                            await b.add_object(properties={"title": f"t{n}", "n": n}, vector=[n, 1])
                        )
                    bad = await b.add_object(properties={"title": "bad", "n": "x"}, vector=[0, 1])
            stored = await articles.length()
            failed = articles.batch.failed_objects
            await aclient.collections.delete(collection_name)
            return events, added, bad, stored, failed, b

    events, added, bad, stored, failed, batch = asyncio.run(run())
    operation = "collection.batch.add_object"
    assert _most_in_flight(events, operation) == 3  # bounded, and really concurrent
    stops = [e for e in events.of("request", "stop") if e.metadata["operation"] == operation]
    assert len(stops) == 13  # 63 objects in chunks of 5
    assert all(e.metadata["metadata"]["job"] == "import-7" for e in stops)  # context follows tasks
    assert stored == 62
    assert [f.original_uuid for f in failed] == [bad] and "n" in failed[0].message
    assert sorted(batch.results_uuids) == sorted(added)
    assert batch.number_errors == 1


def test_a_cancelled_batch_stops_its_chunks_and_ends_every_request(
    weaviate_server: EmbeddedWeaviate, collection_name: str
) -> None:
    async def run() -> wt.telemetry.Capture:
        async with wt.AsyncClient(weaviate_server.url) as aclient:
            articles = await _create(aclient, collection_name)

            async def endless() -> None:
                async with articles.batch.fixed_size(batch_size=20, concurrent_requests=4) as b:
                    for n in range(1_000_000):
                        await b.add_object(properties={"title": f"t{n}", "n": n}, vector=[n, 1])

            with wt.telemetry.capture() as events:
                task = asyncio.ensure_future(endless())
                for _ in range(2000):  # bounded: until some chunks were stored
                    await asyncio.sleep(0.005)
                    if len(events.of("request", "stop")) >= 8:
                        break
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            in_use = sum(p.in_use for p in aclient._pipeline.pool_use())
            assert in_use == 0  # no connection left held by a cancelled chunk
            await aclient.collections.delete(collection_name)
            return events

    events = asyncio.run(run())
    starts = events.of("request", "start")
    ends = events.of("request", "stop") + events.of("request", "exception")
    assert len(events.of("request", "stop")) >= 8
    assert len(starts) == len(ends)  # every chunk in flight ended, with its exception event
