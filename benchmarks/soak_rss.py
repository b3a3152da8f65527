"""RSS of a client process over a long loop of calls, after warm-up (target <= 5 %).

Run: ``python benchmarks/soak_rss.py [--minutes 10] [--warmup 60] [--png out.png]``

Starts a real local Weaviate, attaches OpenTelemetry (SDK providers, batch span
processor into a no-op exporter, an in-memory metric reader collected every
sample) and loguru routing into a null sink, then loops over a mix of calls —
meta, object get/exists/insert, a GraphQL near-vector query, a small batch —
sampling this process's RSS every ``--every`` seconds. Growth is measured from
the first sample after ``--warmup`` seconds to the median of the last five.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from typing import Any

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def soak(url: str, minutes: float, warmup: float, every: float) -> dict[str, Any]:
    from loguru import logger
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from telemetry_overhead import NoopExporter

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(NoopExporter()))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    logger.remove()
    logger.add(lambda message: None, level="DEBUG")
    inst = wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider)
    routing = wt.telemetry.log_to_loguru()
    rng = random.Random(1)
    collection = "Soak" + uuid.uuid4().hex[:8]
    samples: list[tuple[float, int]] = []
    calls = 0
    with wt.Client(url) as client:
        client.collections.create_from_dict({"class": collection, "vectorizer": "none"})
        ids = []
        for i in range(200):
            uid = str(uuid.uuid4())
            ids.append(uid)
            client.objects.insert(
                collection, {"title": f"t{i}"}, id=uid, vector=[rng.random() for _ in range(16)]
            )
        started = time.monotonic()
        next_sample = started
        end = started + minutes * 60
        while time.monotonic() < end:
            client.meta()
            uid = rng.choice(ids)
            client.objects.get(collection, uid)
            client.objects.exists(collection, uid)
            client.query.get(collection).near_vector([rng.random() for _ in range(16)]).limit(
                5
            ).fields("title").do()
            calls += 4
            if calls % 400 == 0:
                client.batch.insert_objects(
                    [
                        {"class": collection, "properties": {"title": "b"}, "vector": [0.5] * 16}
                        for _ in range(20)
                    ]
                )
            now = time.monotonic()
            if now >= next_sample:
                reader.get_metrics_data()  # what a periodic exporter does
                samples.append((now - started, rss_bytes()))
                next_sample = now + every
        client.collections.delete(collection)
    routing.detach()
    inst.uninstrument()
    tracer_provider.shutdown()
    meter_provider.shutdown()
    after = [rss for t, rss in samples if t >= warmup]
    base = after[0]
    final = statistics.median(rss for _, rss in samples[-5:])
    return {
        "minutes": minutes,
        "warmup_s": warmup,
        "calls": calls,
        "rss_after_warmup_mib": base / 2**20,
        "rss_final_mib": final / 2**20,
        "growth_pct": (final - base) / base * 100,
        "samples": [(round(t, 1), rss) for t, rss in samples],
    }


def plot(result: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [t / 60 for t, _ in result["samples"]]
    ys = [rss / 2**20 for _, rss in result["samples"]]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(xs, ys, lw=1.2)
    ax.axvline(result["warmup_s"] / 60, color="grey", ls="--", lw=0.8, label="end of warm-up")
    ax.set_xlabel("minutes")
    ax.set_ylabel("RSS (MiB)")
    ax.set_ylim(0, max(ys) * 1.15)
    ax.set_title(
        f"client RSS, {result['calls']} calls with OTel + loguru: "
        f"{result['growth_pct']:+.1f} % after warm-up"
    )
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--png", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    with EmbeddedWeaviate() as server:
        result = soak(server.url, args.minutes, args.warmup, args.every)
    print(
        f"RSS after warm-up {result['rss_after_warmup_mib']:.1f} MiB, final "
        f"{result['rss_final_mib']:.1f} MiB: growth {result['growth_pct']:+.2f} % "
        f"over {result['calls']} calls (target <= 5 %)"
    )
    if args.png:
        plot(result, args.png)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
