"""per-call overhead of telemetry handlers, as ratios to raw urllib3.

Run: ``python benchmarks/telemetry_overhead.py [--calls 3000] [--rounds 5]``

Starts a real local Weaviate and times ``GET /v1/meta`` through:

- raw urllib3 (the floor: same pool shape, timeouts, headers, JSON decoding);
- weaviate_telemetry with no handler attached            target <= 1.05 x raw
- ... with the OpenTelemetry bridge (SDK tracer and meter
  providers, batch span processor into a no-op exporter)  target <= 1.20 x raw
- ... with the same bridge but only 10% of traces sampled (metrics exact);
- ... with loguru routing (every call logged at DEBUG into a null sink);
- ... with both.

Rounds are interleaved (handlers attached for one round, then detached) so
drift hits every variant alike; medians are printed per call and as ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson
from _common import floor_pool, per_call
from loguru import logger
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate


class NoopExporter(SpanExporter):
    """Receives finished spans and drops them."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


@contextlib.contextmanager
def nothing() -> Iterator[None]:
    yield


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="print every round")
    args = parser.parse_args()

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(NoopExporter()))
    sampled_provider = TracerProvider(sampler=ParentBased(TraceIdRatioBased(0.1)))
    sampled_provider.add_span_processor(BatchSpanProcessor(NoopExporter()))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    logger.remove()
    logger.add(lambda message: None, level="DEBUG")

    @contextlib.contextmanager
    def otel() -> Iterator[None]:
        inst = wt.telemetry.instrument_opentelemetry(tracer_provider, meter_provider)
        try:
            yield
        finally:
            inst.uninstrument()

    @contextlib.contextmanager
    def otel_sampled() -> Iterator[None]:
        inst = wt.telemetry.instrument_opentelemetry(sampled_provider, meter_provider)
        try:
            yield
        finally:
            inst.uninstrument()

    @contextlib.contextmanager
    def loguru() -> Iterator[None]:
        with wt.telemetry.log_to_loguru():
            yield

    @contextlib.contextmanager
    def both() -> Iterator[None]:
        with otel(), loguru():
            yield

    with EmbeddedWeaviate() as server:
        url = server.url
        sdk = wt.Client(url)
        pool = floor_pool()

        def raw_meta() -> object:
            return orjson.loads(pool.request("GET", f"{url}/v1/meta").data)

        variants: dict[str, tuple[Callable[[], object], Callable[[], Any]]] = {
            "raw urllib3": (raw_meta, nothing),
            "SDK, no handlers": (sdk.meta, nothing),
            "SDK + OpenTelemetry": (sdk.meta, otel),
            "SDK + OpenTelemetry, 10% traced": (sdk.meta, otel_sampled),
            "SDK + loguru": (sdk.meta, loguru),
            "SDK + OpenTelemetry + loguru": (sdk.meta, both),
        }
        for fn, setup in variants.values():  # warm up connections and caches
            with setup():
                per_call(fn, 100)
        samples: dict[str, list[float]] = {k: [] for k in variants}
        per_round = max(1, args.calls // args.rounds)
        for _ in range(args.rounds):
            for name, (fn, setup) in variants.items():
                with setup():
                    samples[name].append(per_call(fn, per_round))
        medians = {k: statistics.median(v) for k, v in samples.items()}
        if args.verbose:
            for k, v in samples.items():
                print(k, [round(x * 1e6, 1) for x in v])
        floor = medians["raw urllib3"]
        targets = {"SDK, no handlers": 1.05, "SDK + OpenTelemetry": 1.20}
        print(f"GET /v1/meta, {args.calls} calls each, median of {args.rounds} rounds")
        for name, seconds in medians.items():
            ratio = seconds / floor
            target = f"(target <= {targets[name]:.2f})" if name in targets else ""
            extra = seconds - medians["SDK, no handlers"]
            added = f"+{extra * 1e6:6.1f} us" if name.startswith("SDK +") else " " * 10
            print(f"  {name:<34} {seconds * 1e6:8.1f} us/call  {added}  x{ratio:.3f} {target}")
        sdk.close()
        pool.clear()
    tracer_provider.shutdown()
    sampled_provider.shutdown()
    meter_provider.shutdown()


if __name__ == "__main__":
    main()
