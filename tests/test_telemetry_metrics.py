"""The operational metrics the dashboards read: pool use, connection waits, resting
endpoints, retry waits by source and retry-budget refusals (docs/telemetry.md)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer, closed_port

OK = Canned(200, b'{"version": "1.39.0"}')
UNAVAILABLE = Canned(503, b'{"error": [{"message": "leader not found"}]}')


class Metrics:
    def __init__(self) -> None:
        self.reader = InMemoryMetricReader()
        self.provider = MeterProvider(metric_readers=[self.reader])

    def points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        found: list[Any] = []
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == name:
                        found.extend(metric.data.data_points)
        return found

    def by(self, name: str, *keys: str) -> dict[tuple[Any, ...], Any]:
        return {tuple(p.attributes.get(k) for k in keys): p for p in self.points(name)}


@pytest.fixture
def metrics() -> Iterator[Metrics]:
    m = Metrics()
    inst = wt.telemetry.instrument_opentelemetry(meter_provider=m.provider)
    try:
        yield m
    finally:
        inst.uninstrument()
        m.provider.shutdown()


def test_pool_gauges_show_active_then_idle_connections(metrics: Metrics) -> None:
    slow = Canned(200, b'{"version": "1.39.0"}', delay=0.6)
    with ScriptedHTTPServer([slow]) as server, wt.Client(server.url, pool_maxsize=3) as client:
        call = threading.Thread(target=client.meta)
        call.start()
        seen_active = False
        for _ in range(100):  # bounded: until the call holds its connection
            active = metrics.by("http.client.open_connections", "http.connection.state")
            if active.get(("active",)) is not None and active[("active",)].value == 1:
                seen_active = True
                break
            threading.Event().wait(0.01)
        assert seen_active, "no active connection seen while the call was in flight"
        used = metrics.by("db.client.connection.count", "db.client.connection.state")
        assert used[("used",)].value == 1
        call.join()
        after = metrics.by("http.client.open_connections", "http.connection.state")
        assert after[("active",)].value == 0 and after[("idle",)].value == 1
        (cap,) = metrics.points("db.client.connection.max")
        assert cap.value == 3
        assert cap.attributes["db.client.connection.pool.name"] == f"127.0.0.1:{server.port}"
    # A closed client reports nothing any more.
    assert metrics.points("db.client.connection.max") == []


def _two_calls_at_once(url: str, driver: str) -> None:
    """Two concurrent meta() calls on one client whose pool holds one connection."""
    if driver == "sync":
        with wt.Client(url, pool_maxsize=1) as client:
            callers = [threading.Thread(target=client.meta) for _ in range(2)]
            for t in callers:
                t.start()
            for t in callers:
                t.join()
        return

    async def both() -> None:  # aiohttp's connector queues the second for the first's socket
        async with wt.AsyncClient(url, pool_maxsize=1) as client:
            await asyncio.gather(client.meta(), client.meta())

    asyncio.run(both())


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_connection_wait_time_measures_a_full_pool(metrics: Metrics, driver: str) -> None:
    slow = Canned(200, b'{"version": "1.39.0"}', delay=0.4)
    with ScriptedHTTPServer([slow]) as server:
        _two_calls_at_once(server.url, driver)
    (waits,) = metrics.points("db.client.connection.wait_time")
    assert waits.count == 2
    assert waits.max >= 0.3  # the second call waited for the first one's connection
    assert waits.min < 0.1


def test_resting_endpoint_gauge(metrics: Metrics) -> None:
    with closed_port() as down, ScriptedHTTPServer([OK]) as up:
        with wt.Client(
            f"http://127.0.0.1:{down}",
            fallback_urls=[up.url],
            retry=wt.RetryPolicy(enabled=True, max_attempts=2, initial_backoff=0.01),
        ) as client:
            assert client.meta().version == "1.39.0"
            resting = metrics.by("weaviate.client.endpoint.resting", "server.port")
            assert resting[(down,)].value == 1
            assert resting[(up.port,)].value == 0


@pytest.mark.usefixtures("no_backoff")
def test_retry_waits_by_source_and_budget_refusals(metrics: Metrics) -> None:
    limited = Canned(429, b'{"message": "slow down"}', {"Retry-After": "0.02"})
    policy = wt.RetryPolicy(enabled=True, max_attempts=2, initial_backoff=0.01, budget_ratio=0.0)
    with ScriptedHTTPServer([limited, OK, UNAVAILABLE]) as server:
        with wt.Client(server.url, retry=policy) as client:
            client.meta()  # 429 + Retry-After, then 200: one wait from the server's advice
            refused = 0
            for _ in range(12):  # 503s: retried on backoff until the budget (10 tokens) is empty
                with pytest.raises(wt.UnavailableError) as info:
                    client.meta()
                refused += "retry budget exhausted" in str(info.value)
    waits = metrics.by("weaviate.client.retry.wait", "weaviate.retry.source")
    assert waits[("retry_after",)].count == 1
    assert waits[("retry_after",)].sum == pytest.approx(0.02)
    assert waits[("backoff",)].count == 9  # 10 tokens: one spent on the 429, nine on 503s
    (refusals,) = metrics.points("weaviate.client.retry.budget.refusals")
    assert refused == 3 and refusals.value == 3
    assert refusals.attributes["error.type"] == "unavailable"


def test_async_pool_gauges_show_active_then_idle_connections(metrics: Metrics) -> None:
    """AsyncClient's aiohttp pool is in the same gauges as the sync client's."""
    import asyncio

    slow = Canned(200, b'{"version": "1.39.0"}', delay=0.6)

    async def main(url: str) -> tuple[bool, Any, Any]:
        async with wt.AsyncClient(url, pool_maxsize=3) as client:
            call = asyncio.ensure_future(client.meta())
            seen_active = False
            for _ in range(100):  # bounded: until the call holds its connection
                active = metrics.by("http.client.open_connections", "http.connection.state")
                if active.get(("active",)) is not None and active[("active",)].value == 1:
                    seen_active = True
                    break
                await asyncio.sleep(0.01)
            await call
            after = metrics.by("http.client.open_connections", "http.connection.state")
            (cap,) = metrics.points("db.client.connection.max")
            return seen_active, after, cap

    with ScriptedHTTPServer([slow]) as server:
        seen_active, after, cap = asyncio.run(main(server.url))
    assert seen_active, "no active connection seen while the call was in flight"
    assert after[("active",)].value == 0 and after[("idle",)].value == 1
    assert cap.value == 3
    assert cap.attributes["db.client.connection.pool.name"] == f"127.0.0.1:{server.port}"
    assert metrics.points("db.client.connection.max") == []  # closed: reports nothing
