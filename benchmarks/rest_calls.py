"""per-call cost of SDK REST calls vs raw urllib3 and vs the official client.

Run: ``python benchmarks/rest_calls.py [--calls 2000] [--rounds 5]``
(needs the ``bench`` extra for the official ``weaviate-client``).

Starts a real local Weaviate, then times the same endpoints through
raw urllib3 (the floor), weaviate_telemetry (no handlers attached) and the
official client, interleaving rounds in alternating order so drift hits all of them alike, and
prints the median per-call time and the ratios the spec targets:

- SDK / raw urllib3           target <= 1.05
- SDK / official client       target <= 0.60
"""

from __future__ import annotations

import argparse
import statistics
import uuid
from collections.abc import Callable

import orjson
import urllib3
from _common import floor_pool, official_connect, per_call

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate


def sdk_own_cost(sdk: wt.Client, pool: urllib3.PoolManager, url: str, calls: int = 20000) -> float:
    """Per-call cost of everything the SDK adds, with a transport that replays one answer.

    Network timings on a shared 2-core VM drift by more than the SDK's own
    cost; this figure is stable and says how far from the floor the SDK is.
    """
    from weaviate_telemetry._core.transport import RawResponse

    answer = pool.request("GET", f"{url}/v1/meta")
    canned = RawResponse(answer.status, answer.headers, answer.data)

    class Replay:
        def send(self, *args: object) -> RawResponse:
            return canned

        def close(self) -> None:
            pass

    executor = sdk._pipeline
    real = executor.transport
    executor.transport = Replay()  # type: ignore[assignment]
    try:
        per_call(sdk.meta, 1000)
        return per_call(sdk.meta, calls)
    finally:
        executor.transport = real


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with EmbeddedWeaviate() as server:
        assert server.ports is not None
        url = server.url
        collection = "Bench" + uuid.uuid4().hex[:8]
        object_id = str(uuid.uuid4())
        sdk = wt.Client(url)
        sdk.raw.request("POST", "/v1/schema", body={"class": collection, "vectorizer": "none"})
        sdk.raw.request(
            "POST",
            "/v1/objects",
            body={"class": collection, "id": object_id, "properties": {"title": "hello"}},
        )
        pool = floor_pool()

        def raw_meta() -> object:
            return orjson.loads(pool.request("GET", f"{url}/v1/meta").data)

        def raw_exists() -> object:
            return pool.request("HEAD", f"{url}/v1/objects/{collection}/{object_id}").status == 204

        cases: dict[str, dict[str, Callable[[], object]]] = {
            "meta": {"raw urllib3": raw_meta, "weaviate_telemetry": sdk.meta},
            "object exists": {"raw urllib3": raw_exists},
        }
        objects = getattr(sdk, "objects", None)
        if objects is not None:
            cases["object exists"]["weaviate_telemetry"] = lambda: objects.exists(
                collection, object_id
            )
        else:
            cases["object exists"]["weaviate_telemetry"] = lambda: sdk.raw.request(
                "HEAD", f"/v1/objects/{collection}/{object_id}"
            )
        official = official_connect(url, server.ports.grpc, skip_init_checks=True)
        if official is not None:
            handle = official.collections.get(collection)  # type: ignore[attr-defined]
            cases["meta"]["official weaviate-client"] = official.get_meta  # type: ignore[attr-defined]
            cases["object exists"]["official weaviate-client"] = lambda: handle.data.exists(
                object_id
            )

        for name, impls in cases.items():
            for fn in impls.values():  # warm up connections and caches
                per_call(fn, 50)
            samples: dict[str, list[float]] = {k: [] for k in impls}
            order = list(impls.items())
            for round_number in range(args.rounds):
                # Alternate the order each round so position in the round biases nobody.
                for impl, fn in order if round_number % 2 == 0 else reversed(order):
                    samples[impl].append(per_call(fn, args.calls // args.rounds))
            medians = {k: statistics.median(v) for k, v in samples.items()}
            print(f"\n{name} ({args.calls} calls each, median of {args.rounds} rounds)")
            for impl, seconds in medians.items():
                print(f"  {impl:<26} {seconds * 1e6:8.1f} us/call")
            ours = medians["weaviate_telemetry"]
            floor = ours / medians["raw urllib3"]
            print(f"  ratio SDK / raw urllib3      {floor:.3f}  (target <= 1.05)")
            if "official weaviate-client" in medians:
                ratio = ours / medians["official weaviate-client"]
                print(f"  ratio SDK / official client  {ratio:.3f}  (target <= 0.60)")
            if name == "meta":
                own = sdk_own_cost(sdk, pool, url)
                print(
                    f"  SDK's own work per call (network removed): {own * 1e6:.1f} us = "
                    f"{own / medians['raw urllib3'] * 100:.1f}% of a raw urllib3 call"
                )
        if official is not None:
            official.close()  # type: ignore[attr-defined]
        sdk.close()


if __name__ == "__main__":
    main()
