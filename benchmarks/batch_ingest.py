"""batch ingest throughput vs raw urllib3 and vs the official client.

Run: ``python benchmarks/batch_ingest.py [--objects 100000] [--dim 128]
[--batch-size 500] [--concurrency 4]`` (the ``bench`` extra brings the
official ``weaviate-client``).

Each contender imports the same objects (same ids, properties and vectors)
into its own fresh collection on one real local Weaviate; the script checks
that every object arrived (aggregate count) and prints objects/s and the
ratios the spec targets:

- SDK / official client batch   target >= 1.0, zero lost
- SDK / raw urllib3 (same chunks, same concurrency)   target >= 0.9
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
from _common import floor_pool, official_connect

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate


def make_objects(n: int, dim: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "properties": {"title": f"object {i}", "n": i},
            "vector": [rng.random() for _ in range(dim)],
        }
        for i in range(n)
    ]


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def count(client: wt.Client, collection: str) -> int:
    return client.query.aggregate(collection).meta_count().do().total_count or 0


def run_sdk(client: wt.Client, collection: str, objs: list[dict[str, Any]], args: Any) -> int:
    result = client.batch.insert_objects(
        ({**o, "class": collection} for o in objs),
        batch_size=args.batch_size,
        concurrency=args.concurrency,
    )
    return result.failed


def run_raw(url: str, collection: str, objs: list[dict[str, Any]], args: Any) -> int:
    pool = floor_pool(maxsize=args.concurrency, read_timeout=120)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def send(chunk: list[dict[str, Any]]) -> int:
        body = orjson.dumps({"objects": [{**o, "class": collection} for o in chunk]})
        answer = orjson.loads(
            pool.request("POST", f"{url}/v1/batch/objects", body=body, headers=headers).data
        )
        return sum(1 for item in answer if (item.get("result") or {}).get("errors"))

    with ThreadPoolExecutor(args.concurrency) as workers:
        return sum(workers.map(send, chunks(objs, args.batch_size)))


def run_official(
    url: str, grpc_port: int, collection: str, objs: list[dict[str, Any]], args: Any
) -> int | None:
    client = official_connect(url, grpc_port)
    if client is None:
        return None
    with client:  # type: ignore[attr-defined]
        handle = client.collections.get(collection)
        with handle.batch.fixed_size(
            batch_size=args.batch_size, concurrent_requests=args.concurrency
        ) as batch:
            for o in objs:
                batch.add_object(properties=o["properties"], uuid=o["id"], vector=o["vector"])
        return len(handle.batch.failed_objects)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    objs = make_objects(args.objects, args.dim)
    with EmbeddedWeaviate() as server:
        assert server.ports is not None
        client = wt.Client(
            server.url,
            pool_maxsize=max(10, args.concurrency),
            timeouts=wt.Timeouts(read=120, total=600),
        )
        contenders: dict[str, Callable[[str], int | None]] = {
            "weaviate_telemetry": lambda c: run_sdk(client, c, objs, args),
            "raw urllib3": lambda c: run_raw(server.url, c, objs, args),
            "official weaviate-client": lambda c: run_official(
                server.url,
                server.ports.grpc,
                c,
                objs,
                args,  # type: ignore[union-attr]
            ),
        }
        rates: dict[str, float] = {}
        print(
            f"{args.objects} objects x {args.dim}-d, batch {args.batch_size}, "
            f"concurrency {args.concurrency}"
        )
        for name, run in contenders.items():
            collection = "Ingest" + uuid.uuid4().hex[:8]
            client.raw.request(
                "POST",
                "/v1/schema",
                body={
                    "class": collection,
                    "vectorizer": "none",
                    "properties": [
                        {"name": "title", "dataType": ["text"]},
                        {"name": "n", "dataType": ["int"]},
                    ],
                },
            )
            started = time.perf_counter()
            failed = run(collection)
            elapsed = time.perf_counter() - started
            if failed is None:
                continue
            stored = count(client, collection)
            lost = args.objects - stored
            rates[name] = args.objects / elapsed
            print(
                f"  {name:<26} {rates[name]:9.0f} objects/s  failed={failed} "
                f"stored={stored} lost={lost}"
            )
            client.raw.request("DELETE", f"/v1/schema/{collection}")
        ours = rates["weaviate_telemetry"]
        print(f"  ratio SDK / raw urllib3      {ours / rates['raw urllib3']:.3f}  (target >= 0.90)")
        if "official weaviate-client" in rates:
            ratio = ours / rates["official weaviate-client"]
            print(f"  ratio SDK / official client  {ratio:.3f}  (target >= 1.00)")
        client.close()


if __name__ == "__main__":
    main()
