"""the SDK's own in-process work per call, network removed, and where it goes.

Run: ``python benchmarks/own_cost.py [--variant all|none|otel|...] [--calls 20000]
[--profile 25]``

Each call goes through the whole SDK (validation, pipeline, events, handlers,
decoding, parsing) but the transport replays one canned answer, so the time
per call is the SDK's own work and stable on a noisy machine. ``--profile N``
prints the N functions with the most own time (cProfile) for each variant.

Variants:

- ``none``: ``client.meta()``, no handler attached         target <= 15 us
- ``events``: a handler that does nothing on every start/stop event (the event path)
- ``otel``: the same with OpenTelemetry spans + metrics (SDK providers,
  batch span processor into a no-op exporter)              target <= 50 us
- ``otel-always``: ``attempt_spans="always"`` (a child span per attempt)
- ``otel-sampled``: 10 % of traces sampled (metrics exact)
- ``otel-spans-only`` / ``otel-metrics-only``: the other signal's provider is a no-op
- ``loguru``: ``log_to_loguru()`` into a null sink at DEBUG (every line built)
- ``loguru-quiet``: ``log_to_loguru()`` with the only sink at INFO (lines skipped)
- ``graphql``: ``query.get(...).near_vector(...).limit(10).fields(...).do()``,
  10 hits, no handler
- ``graphql-raw``: the same GraphQL text through ``client.raw.request``
  (the pipeline without query building and result parsing)
- ``graphql-prebuilt``: ``graphql`` with the builder made once (parsing only)
- ``handle``: ``collection.query.near_vector(...)`` with the same selection over GraphQL
  (the documented way: build the search, send, parse into ``QueryReturn``)
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from _common import per_call, replaying

import weaviate_telemetry as wt

META = orjson.dumps(
    {"hostname": "http://[::]:8080", "modules": {}, "version": "1.39.0", "grpcMaxMessageSize": 1}
)
HEADERS = {"Content-Type": "application/json"}
DIM = 128
rng = random.Random(3)
VECTOR = [rng.random() for _ in range(DIM)]
HITS = orjson.dumps(
    {
        "data": {
            "Get": {
                "Bench": [
                    {
                        "title": f"object {i}",
                        "n": i,
                        "_additional": {
                            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                            "distance": 0.1 * i,
                        },
                    }
                    for i in range(10)
                ]
            }
        }
    }
)


def graphql_query(client: wt.Client) -> Any:
    return (
        client.query.get("Bench")
        .near_vector(VECTOR)
        .limit(10)
        .fields("title", "n")
        .additional("id", "distance")
    )


def handle_query(client: wt.Client) -> Any:
    return client.collections.use("Bench").query.near_vector(
        VECTOR, limit=10, return_properties=["title", "n"], return_metadata=["distance"]
    )


def graphql_text(client: wt.Client) -> str:
    """The GraphQL the builder sends (the raw contender posts exactly this)."""
    return str(graphql_query(client).to_graphql())


@contextlib.contextmanager
def otel(
    attempt_spans: str | None = None,
    ratio: float | None = None,
    spans: bool = True,
    metrics: bool = True,
) -> Iterator[None]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
    from telemetry_overhead import NoopExporter

    sampler = ParentBased(TraceIdRatioBased(ratio)) if ratio is not None else None
    tracer_provider = TracerProvider(sampler=sampler) if sampler else TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(NoopExporter()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    kwargs: dict[str, Any] = {}
    if attempt_spans is not None:
        kwargs["attempt_spans"] = attempt_spans  # pragma: no cover - before the option existed
    from opentelemetry.metrics import NoOpMeterProvider
    from opentelemetry.trace import NoOpTracerProvider

    inst = wt.telemetry.instrument_opentelemetry(
        tracer_provider if spans else NoOpTracerProvider(),  # type: ignore[arg-type]
        meter_provider if metrics else NoOpMeterProvider(),  # type: ignore[arg-type]
        **kwargs,
    )
    try:
        yield
    finally:
        inst.uninstrument()
        tracer_provider.shutdown()
        meter_provider.shutdown()


@contextlib.contextmanager
def noop_handler() -> Iterator[None]:
    names = [(*("weaviate",), k, p) for k in ("request", "attempt") for p in ("start", "stop")]
    wt.telemetry.attach("bench.noop", names, lambda *args: None)
    try:
        yield
    finally:
        wt.telemetry.detach("bench.noop")


@contextlib.contextmanager
def loguru(level: str = "DEBUG") -> Iterator[None]:
    from loguru import logger

    logger.remove()  # only this null sink: the cost measured is building and routing lines
    sink = logger.add(lambda message: None, level=level)
    try:
        with wt.telemetry.log_to_loguru():
            yield
    finally:
        logger.remove(sink)


def variants(client: wt.Client) -> dict[str, tuple[Callable[[], object], Any, bytes]]:
    """name -> (call, context manager factory, canned answer)."""
    query = graphql_query(client)
    text = graphql_text(client)

    def raw_graphql() -> object:
        return client.raw.request("POST", "/v1/graphql", body={"query": text}).body

    return {
        "none": (client.meta, contextlib.nullcontext, META),
        "events": (client.meta, noop_handler, META),
        "otel": (client.meta, otel, META),
        "otel-always": (client.meta, lambda: otel("always"), META),
        "otel-sampled": (client.meta, lambda: otel(ratio=0.1), META),
        "otel-spans-only": (client.meta, lambda: otel(metrics=False), META),
        "otel-metrics-only": (client.meta, lambda: otel(spans=False), META),
        "loguru": (client.meta, loguru, META),
        "loguru-quiet": (client.meta, lambda: loguru("INFO"), META),
        "graphql": (lambda: graphql_query(client).do(), contextlib.nullcontext, HITS),
        "graphql-raw": (raw_graphql, contextlib.nullcontext, HITS),
        "graphql-prebuilt": (query.do, contextlib.nullcontext, HITS),
        "handle": (lambda: handle_query(client), contextlib.nullcontext, HITS),
    }


def measure(name: str, calls: int = 20000, profile: int = 0) -> float:
    """CPU seconds of the SDK's own work per call for one variant (best of 5 runs)."""
    client = wt.Client("http://127.0.0.1:8080")
    try:
        fn, setup, answer = variants(client)[name]
        with replaying(client, 200, HEADERS, answer), setup():
            per_call(fn, min(2000, calls))
            # CPU time of this thread, best of 5: other processes on a shared machine
            # steal wall time, not CPU time.
            best = min(per_call(fn, calls // 5, time.thread_time) for _ in range(5))
            if profile:
                prof = cProfile.Profile()
                prof.runcall(per_call, fn, min(calls, 5000))
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(profile)
                print(f"--- profile of {name} ---")
                print(_short(out.getvalue()))
        return best
    finally:
        client.close()


def _short(text: str) -> str:
    """The stats table without the header chatter, paths shortened."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    keep = [line.replace(sys.prefix, "<venv>") for line in lines[start:] if line.strip()]
    return "\n".join(keep)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="all")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    client = wt.Client("http://127.0.0.1:8080")
    names = list(variants(client)) if args.variant == "all" else args.variant.split(",")
    client.close()
    for name in names:
        seconds = measure(name, args.calls, args.profile)
        print(f"{name:<18} {seconds * 1e6:8.1f} us/call")


if __name__ == "__main__":
    main()
