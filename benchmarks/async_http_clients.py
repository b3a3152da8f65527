"""Which asyncio HTTP client AsyncClient's REST transport is built on: aiohttp vs httpx.

Run: ``python benchmarks/async_http_clients.py [--requests 4000] [--tasks 64] [--rounds 5]``
(httpx comes with the ``bench`` extra).

Starts a real local Weaviate, stores one object, then fetches it
(``GET /v1/objects/{class}/{id}``) from ``--tasks`` concurrent tasks through
each client with a pool per origin of the same size (``pool_maxsize``, 20),
the same headers and no content decoding, rounds interleaved in alternating
order; prints the median throughput and each client's CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
import orjson
import urllib3

from weaviate_telemetry.embedded import EmbeddedWeaviate

HEADERS = {"User-Agent": "bench", "Accept": "application/json", "Accept-Encoding": "identity"}
POOL = 20


async def run_tasks(fetch: Callable[[], Awaitable[int]], requests: int, tasks: int) -> float:
    """Requests per second of ``requests`` fetches shared by ``tasks`` tasks."""
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            assert await fetch() == 200

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return requests / (time.perf_counter() - started)


async def measure(url: str, requests: int, tasks: int, rounds: int) -> dict[str, list[float]]:
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=POOL)
    session = aiohttp.ClientSession(
        connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent",)
    )
    client = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL),
        headers=HEADERS,
        timeout=30,
    )

    async def via_aiohttp() -> int:
        async with session.get(url, headers=HEADERS) as resp:
            await resp.read()
            return resp.status

    async def via_httpx() -> int:
        resp = await client.get(url)
        return resp.status_code

    contenders = {"aiohttp": via_aiohttp, "httpx": via_httpx}
    samples: dict[str, list[float]] = {k: [] for k in contenders}
    cpu: dict[str, list[float]] = {k: [] for k in contenders}
    for fetch in contenders.values():  # warm the pools
        await run_tasks(fetch, 200, tasks)
    order = list(contenders.items())
    for number in range(rounds):
        for name, fetch in order if number % 2 == 0 else reversed(order):
            before = time.process_time()
            samples[name].append(await run_tasks(fetch, requests, tasks))
            cpu[name].append((time.process_time() - before) / requests)
    await session.close()
    await client.aclose()
    return {
        **{k: [statistics.median(v)] for k, v in samples.items()},
        **{f"{k} cpu": [statistics.median(v)] for k, v in cpu.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--tasks", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with EmbeddedWeaviate() as server:
        pool = urllib3.PoolManager(headers={"Content-Type": "application/json"})
        name = f"Bench{uuid.uuid4().hex[:8]}"
        pool.request("POST", f"{server.url}/v1/schema", body=orjson.dumps({"class": name}))
        oid = str(uuid.uuid4())
        created = pool.request(
            "POST",
            f"{server.url}/v1/objects",
            body=orjson.dumps({"class": name, "id": oid, "properties": {"title": "x" * 200}}),
        )
        assert created.status == 200, created.data
        url = f"{server.url}/v1/objects/{name}/{oid}"
        result = asyncio.run(measure(url, args.requests, args.tasks, args.rounds))
    a, h = result["aiohttp"][0], result["httpx"][0]
    print(
        f"{args.tasks} tasks, {args.requests} GETs of one object per round, median of {args.rounds}"
    )
    print(f"aiohttp {a:8,.0f} req/s  {result['aiohttp cpu'][0] * 1e6:6.0f} us CPU/req")
    print(f"httpx   {h:8,.0f} req/s  {result['httpx cpu'][0] * 1e6:6.0f} us CPU/req")
    print(f"aiohttp / httpx throughput: {a / h:.2f} x")


if __name__ == "__main__":
    main()
