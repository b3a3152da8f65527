"""``soak --async``: the soak's workload with every writer and reader an asyncio task.

One :class:`~weaviate_telemetry.AsyncClient` per process carries every task
(the way an asyncio service shares one client). The books, the ids, the
integrity check and the report are :class:`.workload.Workload`'s; only the
calls differ. A writer's batch is one ``collection.data.insert_many`` (the
async batch import: each id is confirmed only when the answer lists it
stored), then its updates and deletes; a reader runs
the handle's near-vector, bm25 and hybrid searches, gets by id and an
aggregate count. The operations are named as Prometheus shows them
(``db_operation_name``), so the dashboards show the run unchanged.
"""

from __future__ import annotations

import array
import asyncio
import random
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .._api.collection import AsyncCollection
from .._api.collection_data import DataObject
from .._async_client import AsyncClient
from .._core.errors import WeaviateError
from .workload import _DELETE_UNKNOWN, _DELETED, _WORDS, Workload

#: The operations the async workload runs, as Prometheus names them (``db_operation_name``).
ASYNC_OPERATIONS = (
    "collection.data.insert_many",
    "collection.data.update",
    "collection.data.delete_by_id",
    "collection.query.fetch_object_by_id",
    "collection.query.near_vector",
    "collection.query.bm25",
    "collection.query.hybrid",
    "collection.aggregate.over_all",
)


class AsyncWorkload(Workload):
    """:class:`.workload.Workload` on one AsyncClient: its threads become asyncio tasks.

    ``client`` (a sync client) still creates the collection and checks the
    books; ``async_client`` makes the client the tasks share, inside the
    event loop of :meth:`run` (an AsyncClient belongs to one loop).
    """

    operations = ASYNC_OPERATIONS

    def __init__(self, *args: Any, async_client: Callable[[], AsyncClient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._async_client = async_client

    def run(self, seconds: float) -> None:
        """Run every task until ``seconds`` have passed (or :meth:`stop`), in a new loop."""
        asyncio.run(self._run(seconds))

    async def _run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        async with self._async_client() as client:
            handle = client.collections.use(self.collection)
            tasks: list[Coroutine[Any, Any, None]] = [
                self._guarded(self._writer_task(handle, i, deadline)) for i in range(self.writers)
            ]
            tasks += [
                self._guarded(self._reader_task(handle, i, deadline)) for i in range(self.readers)
            ]
            await asyncio.gather(*tasks)

    async def _guarded(self, body: Coroutine[Any, Any, None]) -> None:
        try:
            await body
        except Exception:
            with self._lock:
                self.unexpected.append(traceback.format_exc(limit=8))

    async def _think(self) -> None:
        if self.think_time:
            await asyncio.sleep(self.think_time)

    async def _timed_async(
        self, op: str, rng: random.Random, call: Awaitable[Any]
    ) -> tuple[bool, Any]:
        """Await ``call`` (a handle's call starts when awaited); record its time and
        outcome as :meth:`Workload._timed` does."""
        phase = self.phase() if self.phase is not None else None
        began = time.perf_counter()
        try:
            value = await call
        except WeaviateError as err:
            self._record(op, rng, phase, time.perf_counter() - began, err, None)
            return False, err
        self._record(op, rng, phase, time.perf_counter() - began, None, None)
        return True, value

    async def _writer_task(self, handle: AsyncCollection[Any], index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 1000 + index)
        status = self._status[index]
        live = array.array("I")  # serials confirmed and not deleted
        while self._running(deadline):
            objects, serials = self._new_objects(index, status, rng)
            batch = handle.data.insert_many(
                [DataObject(o["properties"], uuid=o["id"], vector=o["vector"]) for o in objects]
            )
            ok, result = await self._timed_async("collection.data.insert_many", rng, batch)
            stored = [str(u) for u in result.uuids.values()] if ok else []
            self._confirm(stored, serials, status, live)
            await self._think()
            for _ in range(max(1, self.batch_size // 20)):
                if not live or not self._running(deadline):
                    break
                oid = self._id(index, live[rng.randrange(len(live))])
                update = handle.data.update(oid, {"rev": len(status)})
                await self._timed_async("collection.data.update", rng, update)
                await self._think()
            for _ in range(max(1, self.batch_size // 50)):
                if not live or not self._running(deadline):
                    break
                serial = live.pop(rng.randrange(len(live)))
                delete = handle.data.delete_by_id(self._id(index, serial))
                ok, _ = await self._timed_async("collection.data.delete_by_id", rng, delete)
                status[serial] = _DELETED if ok else _DELETE_UNKNOWN
                await self._think()

    async def _reader_task(self, handle: AsyncCollection[Any], index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 2000 + index)
        query = handle.query
        while self._running(deadline):
            choice = rng.randrange(6)
            call: Awaitable[Any] | None
            if choice == 0:
                op = "collection.query.near_vector"
                call = query.near_vector(
                    self._vector(rng), limit=10, return_properties=["title", "rev"]
                )
            elif choice == 1:
                op = "collection.query.bm25"
                call = query.bm25(rng.choice(_WORDS), limit=10, return_properties=["title"])
            elif choice == 2:
                op = "collection.query.hybrid"
                call = query.hybrid(
                    rng.choice(_WORDS),
                    alpha=0.5,
                    vector=self._vector(rng),
                    limit=10,
                    return_properties=["title"],
                )
            elif choice in (3, 4):
                op = "collection.query.fetch_object_by_id"
                oid = self._recent_id(rng)
                call = None if oid is None else query.fetch_object_by_id(oid)
            else:
                op = "collection.aggregate.over_all"
                call = handle.aggregate.over_all(total_count=True)
            if call is not None:
                await self._timed_async(op, rng, call)
            await self._think()
