"""AsyncClient's rows of ``run_all.py`` (docs/async.md; docs/performance.md).

- ``meta`` (REST) at 64 concurrent tasks on one client: throughput of
  ``wt.AsyncClient`` vs the official ``WeaviateAsyncClient`` (the ``bench``
  extra), rounds interleaved in alternating order; target >= 1.5 x.
- own CPU per call with no handlers, a transport replaying one canned answer:
  the async client vs the sync one (the generator core and the event loop's
  share); target <= 1.3 x.
- ``near_vector`` over gRPC (``grpc.aio``) at 64 concurrent tasks: throughput
  vs the official async client's ``collection.query.near_vector``; target >= 1.2 x.
- OTel on: own CPU per ``meta`` call at 64 tasks, ``wt.AsyncClient`` with the
  OpenTelemetry handler vs the official async client with
  ``opentelemetry-instrumentation-httpx`` (same SDK providers, a no-op
  exporter); target <= 0.6 x.
- batch ingest at 64 concurrent requests: ``async with
  collection.batch.fixed_size(batch_size=100, concurrent_requests=64)`` vs the
  official async client's batch (``collection.batch.stream()``, its only async
  batch), objects/s into a fresh collection per round; target >= 1.1 x. A second
  row compares 64 tasks each awaiting ``data.insert_many`` of 100 objects.

Run alone: ``python benchmarks/run_all.py --only measure_async_rest,measure_async_own_work,``
``measure_async_grpc,measure_async_otel,measure_async_batch``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
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


async def _interleaved(
    contenders: dict[str, Callable[[], Awaitable[Any]]], requests: int, rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Each contender's median throughput (req/s) and own CPU per call (us) over
    ``rounds`` rounds, in alternating order, after a warm-up of each."""
    for call in contenders.values():
        await _throughput(call, 200)  # warm the pools and channels
    rates: dict[str, list[float]] = {k: [] for k in contenders}
    cpu: dict[str, list[float]] = {k: [] for k in contenders}
    order = list(contenders.items())
    for number in range(rounds):
        for name, call in order if number % 2 == 0 else reversed(order):
            started = time.process_time()
            rates[name].append(await _throughput(call, requests))
            cpu[name].append((time.process_time() - started) / requests * 1e6)
    return (
        {k: statistics.median(v) for k, v in rates.items()},
        {k: statistics.median(v) for k, v in cpu.items()},
    )


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
        rates, _ = await _interleaved(contenders, requests, rounds)
        await ours.close()
        if theirs is not None:
            await theirs.close()
        return rates

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


def measure_async_grpc(bench: Any) -> list[Any]:
    """near_vector over gRPC from 64 concurrent tasks: AsyncClient vs the official async client."""
    from run_all import Row, ratio_row, reference_row

    requests = 500 if bench.quick else 2000
    rounds = 3 if bench.quick else 5
    grpc_port = bench.server.ports.grpc
    vector = bench.vector

    async def run() -> tuple[dict[str, float], dict[str, float]]:
        ours = wt.AsyncClient(bench.url, grpc_port=grpc_port, pool_maxsize=TASKS)
        mine = ours.collections.use(bench.collection)
        theirs = await _official_async(bench.url, grpc_port)
        contenders: dict[str, Callable[[], Awaitable[Any]]] = {
            "ours": lambda: mine.query.near_vector(vector, limit=10)
        }
        if theirs is not None:
            handle = theirs.collections.get(bench.collection)
            contenders["official"] = lambda: handle.query.near_vector(vector, limit=10)
        assert len((await contenders["ours"]()).objects) == 10
        measured = await _interleaved(contenders, requests, rounds)
        await ours.close()
        if theirs is not None:
            await theirs.close()
        return measured

    rates, cpu = asyncio.run(run())
    if "official" not in rates:
        return [Row("async near_vector, 64 tasks: not compared", f"{rates['ours']:,.0f} req/s",
                    "-", float("nan"), "-", None)]  # fmt: skip
    return [
        ratio_row(
            "async near_vector (gRPC), 64 tasks: AsyncClient vs official async, req/s",
            rates["ours"],
            rates["official"],
            1.2,
            "req/s",
            higher=True,
        ),
        # The client's own CPU per call in the same rounds: when Weaviate bounds both
        # throughputs, this is where the two clients differ.
        reference_row(
            "async near_vector (gRPC), 64 tasks: own CPU per call, AsyncClient vs official",
            cpu["ours"],
            cpu["official"],
            "us",
        ),
    ]


async def _cpu_per_call(call: Callable[[], Awaitable[Any]], requests: int) -> float:
    """Process CPU seconds per call, ``requests`` calls from 64 tasks (the server is
    another process, so this is the client's own work: SDK, event loop, telemetry)."""
    started = time.process_time()
    await _throughput(call, requests)
    return (time.process_time() - started) / requests


def measure_async_otel(bench: Any) -> list[Any]:
    """OTel on: own CPU per meta() at 64 tasks, AsyncClient + OTel handler vs the official
    async client + opentelemetry-instrumentation-httpx."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
    from run_all import Row, ratio_row

    class Drop(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(Drop()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    requests = 500 if bench.quick else 2000
    rounds = 3 if bench.quick else 5

    async def run() -> dict[str, float]:
        ours = wt.AsyncClient(bench.url, pool_maxsize=TASKS)
        theirs = await _official_async(bench.url, bench.server.ports.grpc)
        samples: dict[str, list[float]] = {"ours": []}
        if theirs is not None:
            await theirs.close()  # only asks whether the official client is installed
            samples["official"] = []
        for number in range(rounds + 1):  # round 0 warms up and is not kept
            names = list(samples) if number % 2 == 0 else list(reversed(samples))
            for name in names:
                if name == "ours":
                    with wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider):
                        cpu = await _cpu_per_call(ours.meta, requests)
                else:
                    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

                    instrumentor = HTTPXClientInstrumentor()
                    instrumentor.instrument(
                        tracer_provider=tracer_provider, meter_provider=meter_provider
                    )
                    try:
                        # instrument() patches httpx's clients as they are made: the
                        # official client connects inside the instrumented window.
                        official = await _official_async(bench.url, bench.server.ports.grpc)
                        await _throughput(official.get_meta, 200)  # warm its pool
                        cpu = await _cpu_per_call(official.get_meta, requests)
                        await official.close()
                    finally:
                        instrumentor.uninstrument()
                if number:
                    samples[name].append(cpu)
        await ours.close()
        return {k: statistics.median(v) * 1e6 for k, v in samples.items()}

    try:
        us = asyncio.run(run())
    finally:
        tracer_provider.shutdown()
        meter_provider.shutdown()
    if "official" not in us:
        return [Row("async meta + OTel, 64 tasks: not compared", f"{us['ours']:.1f} us", "-",
                    float("nan"), "-", None)]  # fmt: skip
    return [
        ratio_row(
            "async meta + OTel, 64 tasks: AsyncClient + OTel vs official async + httpx OTel, "
            "CPU/call",
            us["ours"],
            us["official"],
            0.6,
            "us",
        )
    ]


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


def _rows(count: int, dim: int) -> list[tuple[dict[str, Any], list[float]]]:
    import random

    rng = random.Random(11)
    return [
        ({"title": f"object {i}", "n": i}, [rng.random() for _ in range(dim)]) for i in range(count)
    ]


def measure_async_batch(bench: Any) -> list[Any]:
    """Batch ingest at 64 concurrent requests: AsyncClient vs the official async client."""
    from run_all import Row, ratio_row

    count = 3200 if bench.quick else 12800
    rounds = 3 if bench.quick else 5
    rows = _rows(count, 32)
    grpc_port = bench.server.ports.grpc

    async def fresh(ours: wt.AsyncClient) -> Any:
        name = "Ingest" + uuid.uuid4().hex[:8]
        await ours.collections.create(
            name,
            properties=[wt.Property(name="title", data_type=wt.DataType.TEXT),
                        wt.Property(name="n", data_type=wt.DataType.INT)],
            vector_config=wt.Configure.Vectors.self_provided(),
        )  # fmt: skip
        return name

    async def ours_context(ours: wt.AsyncClient, name: str) -> int:
        handle = ours.collections.use(name)
        async with handle.batch.fixed_size(batch_size=100, concurrent_requests=TASKS) as batch:
            for properties, vector in rows:
                await batch.add_object(properties=properties, vector=vector)
        return len(batch.results_uuids)

    async def theirs_context(theirs: Any, name: str) -> int:
        handle = theirs.collections.use(name)
        async with handle.batch.stream() as batch:
            for properties, vector in rows:
                await batch.add_object(properties=properties, vector=vector)
        return count - len(handle.batch.failed_objects)

    def many(handle: Any, make: Callable[[dict[str, Any], list[float]], Any]) -> Any:
        async def run() -> int:
            chunks = [rows[i : i + 100] for i in range(0, count, 100)]
            stored = 0

            async def worker() -> None:
                nonlocal stored
                while chunks:
                    chunk = chunks.pop()
                    result = await handle.data.insert_many([make(p, v) for p, v in chunk])
                    stored += len(result.uuids)

            await asyncio.gather(*(worker() for _ in range(TASKS)))
            return stored

        return run

    async def run() -> dict[str, float]:
        # 64 chunks in flight on a loaded 2-core machine can wait 20 s or more for the
        # server: a read timeout as long as the official client's insert timeout (90 s)
        timeouts = wt.Timeouts(read=90, total=300)
        ours = wt.AsyncClient(bench.url, grpc_port=grpc_port, pool_maxsize=TASKS, timeouts=timeouts)
        theirs = await _official_async(bench.url, grpc_port)
        rates: dict[str, list[float]] = {}

        async def timed(key: str, ingest: Callable[[str], Awaitable[int]]) -> None:
            name = await fresh(ours)
            started = time.perf_counter()
            stored = await ingest(name)
            took = time.perf_counter() - started
            assert stored == count, (key, stored)
            rates.setdefault(key, []).append(count / took)
            await ours.collections.delete(name)

        contenders: list[tuple[str, Callable[[str], Awaitable[int]]]] = [
            ("ours_context", lambda name: ours_context(ours, name)),
            ("ours_many", lambda name: many(ours.collections.use(name),
                                            lambda p, v: wt.DataObject(p, vector=v))()),
        ]  # fmt: skip
        if theirs is not None:
            from weaviate.classes.data import DataObject

            contenders += [
                ("theirs_context", lambda name: theirs_context(theirs, name)),
                ("theirs_many", lambda name: many(theirs.collections.use(name),
                                                  lambda p, v: DataObject(p, vector=v))()),
            ]  # fmt: skip
        for key, ingest in contenders:  # warm the pools and channels
            await timed(key, ingest)
        rates.clear()
        for number in range(rounds):
            for key, ingest in contenders if number % 2 == 0 else reversed(contenders):
                await timed(key, ingest)
        await ours.close()
        if theirs is not None:
            await theirs.close()
        return {k: statistics.median(v) for k, v in rates.items()}

    rates = asyncio.run(run())
    if "theirs_context" not in rates:
        return [Row("async batch ingest: not compared", f"{rates['ours_context']:,.0f} obj/s",
                    "-", float("nan"), "-", None)]  # fmt: skip
    return [
        ratio_row(
            "async batch ingest, 64 requests: fixed_size vs official batch.stream(), obj/s",
            rates["ours_context"],
            rates["theirs_context"],
            1.1,
            "obj/s",
            higher=True,
        ),
        ratio_row(
            "async insert_many x 64 tasks (100 each): AsyncClient vs official, obj/s",
            rates["ours_many"],
            rates["theirs_many"],
            1.1,
            "obj/s",
            higher=True,
        ),
    ]


MEASURES = [
    measure_async_rest,
    measure_async_own_work,
    measure_async_grpc,
    measure_async_otel,
    measure_async_batch,
]
