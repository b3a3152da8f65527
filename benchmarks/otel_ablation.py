"""Where the OpenTelemetry bridge's microseconds go, and what each lever would buy.

Run: ``python benchmarks/otel_ablation.py [--calls 5000] [--rounds 5]``

The ``otel`` variant of ``own_cost.py`` (``client.meta()`` against a replayed
answer; SDK tracer and meter providers, a batch span processor into a no-op
exporter, an in-memory metric reader) with one element changed at a time.
Each measurement runs in a forked child (a variant leaves providers and a
larger heap behind); rounds go through every variant in turn, so a noisy
minute hits all of them, and each figure is the best round: the CPU µs per
call of the calling thread, and of the whole process, so work moved to
another thread (the deferred variant) is not hidden.

The levers are patched into the bridge here, in the benchmark; none of them
is a product option. ``docs/performance.md`` keeps one run's table.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import own_cost
from _common import per_call, replaying
from opentelemetry import propagate

import weaviate_telemetry as wt
from weaviate_telemetry._core import events

HISTOGRAMS = ("db_duration", "http_duration", "connection_wait")


def _bridge() -> Any:
    (info,) = events._infos.values()  # only the OTel bridge is attached
    return info.function


def _nothing(*args: object, **kwargs: object) -> None:
    return None


@contextlib.contextmanager
def _without_inject() -> Iterator[None]:
    real = propagate.inject  # the bridge looks it up on the module at each call
    propagate.inject = _nothing
    try:
        yield
    finally:
        propagate.inject = real


def _drop(*names: str) -> Callable[[], None]:
    def patch() -> None:
        bridge = _bridge()
        for name in names:
            getattr(bridge, name).record = _nothing

    return patch


class _Deferred:
    """``record`` appends to a deque that a daemon thread drains every 20 ms."""

    def __init__(self, instrument: Any, pending: collections.deque[Any]) -> None:
        self._record = instrument.record
        self._pending = pending

    def record(self, *args: Any) -> None:
        self._pending.append((self._record, args))


def _defer() -> None:
    pending: collections.deque[Any] = collections.deque()

    def drain() -> None:
        while True:
            time.sleep(0.02)
            while pending:
                record, args = pending.popleft()
                record(*args)

    threading.Thread(target=drain, daemon=True).start()
    bridge = _bridge()
    for name in HISTOGRAMS:
        setattr(bridge, name, _Deferred(getattr(bridge, name), pending))


#: name -> (own_cost.otel keyword arguments or None for no handler, patch, context)
VARIANTS: dict[str, tuple[dict[str, Any] | None, Callable[[], None] | None, Any]] = {
    "no handler": (None, None, contextlib.nullcontext),
    "OTel spans + metrics (the default)": ({}, None, contextlib.nullcontext),
    "- traceparent inject": ({}, None, _without_inject),
    "- http.client.request.duration": ({}, _drop("http_duration"), contextlib.nullcontext),
    "- db.client.operation.duration": ({}, _drop("db_duration"), contextlib.nullcontext),
    "- db.client.connection.wait_time": ({}, _drop("connection_wait"), contextlib.nullcontext),
    "spans only (no-op meter provider)": ({"metrics": False}, None, contextlib.nullcontext),
    "metrics only (no-op tracer provider)": ({"spans": False}, None, contextlib.nullcontext),
    "10 % of traces sampled": ({"ratio": 0.1}, None, contextlib.nullcontext),
    "lean: 10 % sampled, one histogram": (
        {"ratio": 0.1},
        _drop("http_duration", "connection_wait"),
        contextlib.nullcontext,
    ),
    "leanest: no trace sampled, one histogram": (
        {"ratio": 0.0},
        _drop("http_duration", "connection_wait"),
        contextlib.nullcontext,
    ),
    "metrics only, one histogram": (
        {"spans": False},
        _drop("http_duration", "connection_wait"),
        contextlib.nullcontext,
    ),
    "histograms recorded by a thread (deferred)": ({}, _defer, contextlib.nullcontext),
}


def _measure(name: str, calls: int) -> tuple[float, float]:
    """(calling thread's CPU µs per call, whole process' CPU µs per call)."""
    settings, patch, extra = VARIANTS[name]
    client = wt.Client("http://127.0.0.1:8080")
    setup = contextlib.nullcontext() if settings is None else own_cost.otel(**settings)
    with replaying(client, 200, own_cost.HEADERS, own_cost.META), setup, extra():
        if patch is not None:
            patch()
        per_call(client.meta, 1000)
        started = time.process_time()
        thread = per_call(client.meta, calls, time.thread_time)
        process = (time.process_time() - started) / calls
    client.close()
    return thread * 1e6, process * 1e6


def _child(name: str, calls: int, send: Any) -> None:
    send.send(_measure(name, calls))
    send.close()


def _in_child(name: str, calls: int) -> tuple[float, float]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(name, calls, send))
    child.start()
    send.close()
    result: tuple[float, float] = receive.recv()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name in VARIANTS:
            samples[name].append(_in_child(name, args.calls))
    base = min(t for t, _ in samples["OTel spans + metrics (the default)"])
    print("| variant | calling thread, µs/call | difference | process, µs/call |")
    print("|---|---|---|---|")
    for name, runs in samples.items():
        thread = min(t for t, _ in runs)
        process = min(p for _, p in runs)
        diff = f"{thread - base:+.1f}" if name.startswith("-") else ""
        print(f"| {name} | {thread:.1f} | {diff} | {process:.1f} |")


if __name__ == "__main__":
    main()
