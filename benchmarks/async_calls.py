"""AsyncClient's rows of ``run_all.py`` (docs/async.md; docs/performance.md).

- ``meta`` (REST) at 64 concurrent tasks on one client: throughput of
  ``wt.AsyncClient`` vs the official ``WeaviateAsyncClient`` (the ``bench``
  extra), rounds interleaved in alternating order; target >= 1.5 x.
- own CPU per call with no handlers, a transport replaying one canned answer:
  the async client vs the sync one (the generator core and the event loop's
  share); target <= 1.3 x.

Run alone: ``python benchmarks/run_all.py --only measure_async_rest,measure_async_own_work``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import weaviate_telemetry as wt

TASKS = 64


async def _throughput(call: Callable[[], Awaitable[Any]], requests: int) -> float:
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(TASKS)))
    return requests / (time.perf_counter() - started)


async def _official_async(url: str, grpc_port: int) -> Any:
    try:
        import weaviate
    except ImportError:
        return None
    parts = urlsplit(url)
    client = weaviate.use_async_with_local(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 80,
        grpc_port=grpc_port,
        skip_init_checks=True,
    )
    await client.connect()
    return client


def measure_async_rest(bench: Any) -> list[Any]:
    """GET /v1/meta from 64 concurrent tasks: AsyncClient vs the official async client."""
    from run_all import Row, ratio_row

    requests = 500 if bench.quick else 2000
    rounds = 3 if bench.quick else 5

    async def run() -> dict[str, float]:
        ours = wt.AsyncClient(bench.url, pool_maxsize=TASKS)
        theirs = await _official_async(bench.url, bench.server.ports.grpc)
        contenders: dict[str, Callable[[], Awaitable[Any]]] = {"ours": ours.meta}
        if theirs is not None:
            contenders["official"] = theirs.get_meta
        samples: dict[str, list[float]] = {k: [] for k in contenders}
        for call in contenders.values():
            await _throughput(call, 200)  # warm the pools
        order = list(contenders.items())
        for number in range(rounds):
            for name, call in order if number % 2 == 0 else reversed(order):
                samples[name].append(await _throughput(call, requests))
        await ours.close()
        if theirs is not None:
            await theirs.close()
        return {k: statistics.median(v) for k, v in samples.items()}

    rates = asyncio.run(run())
    if "official" not in rates:
        return [Row("async meta, 64 tasks: not compared", f"{rates['ours']:,.0f} req/s", "-",
                    float("nan"), "-", None)]  # fmt: skip
    row = ratio_row(
        "async meta (REST), 64 tasks: AsyncClient vs official async, req/s",
        rates["ours"],
        rates["official"],
        1.5,
        "req/s",
        higher=True,
    )
    return [row]


class _Replay:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def send(self, *args: object) -> Any:
        return self.answer

    def close(self) -> None:
        pass


class _AsyncReplay(_Replay):
    async def send(self, *args: object) -> Any:  # type: ignore[override]
        return self.answer

    async def close(self) -> None:  # type: ignore[override]
        pass


def measure_async_own_work(bench: Any) -> list[Any]:
    """CPU per ``meta()`` with a replayed answer and no handlers: async vs sync client."""
    from run_all import ratio_row

    from weaviate_telemetry._core.models import RawResponse

    calls = 5000 if bench.quick else 20000
    answer = bench.pool.request("GET", f"{bench.url}/v1/meta")
    canned = RawResponse(answer.status, answer.headers, answer.data)

    sync = wt.Client(bench.url)
    sync._pipeline.transport = _Replay(canned)  # type: ignore[assignment]

    async def run_async() -> float:
        client = wt.AsyncClient(bench.url)
        client._pipeline.transport = _AsyncReplay(canned)  # type: ignore[assignment]
        for _ in range(500):
            await client.meta()
        started = time.process_time()
        for _ in range(calls):
            await client.meta()
        return (time.process_time() - started) / calls

    def run_sync() -> float:
        for _ in range(500):
            sync.meta()
        started = time.process_time()
        for _ in range(calls):
            sync.meta()
        return (time.process_time() - started) / calls

    sync_s, async_s = [], []
    for _ in range(5):
        sync_s.append(run_sync())
        async_s.append(asyncio.run(run_async()))
    sync.close()
    ours, base = statistics.median(async_s) * 1e6, statistics.median(sync_s) * 1e6
    return [ratio_row("own CPU per call, no handlers: async vs sync (replayed)", ours, base,
                      1.3, "us")]  # fmt: skip


MEASURES = [measure_async_rest, measure_async_own_work]
