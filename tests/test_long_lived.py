"""Long-lived clients: one client across a real server restart on the same port; probes.

The server is a one-node :class:`WeaviateCluster` (fixed ports and data dir,
so it comes back where the client's pooled keep-alive connections pointed).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

import weaviate_telemetry as wt
from tests.peers.cluster import WeaviateCluster
from tests.support.servers import Canned, ScriptedHTTPServer, closed_port

UNAVAILABLE = Canned(503, b'{"error":[{"message":"injected"}]}')
OK = Canned(200, b'{"version":"1.39.0"}')


@pytest.fixture(scope="module")
def node() -> Iterator[WeaviateCluster]:
    with WeaviateCluster(1) as c:
        yield c


def _warm(client: wt.Client, threads: int = 4) -> None:
    """Leave ``threads`` keep-alive connections in the client's pool."""
    barrier = threading.Barrier(threads)

    def work() -> None:
        barrier.wait(5)
        for _ in range(3):
            client.meta()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(10)


def _calls_after_restart(client: wt.Client, name: str) -> list[str]:
    outcomes = []
    for k in range(6):
        try:
            if k % 2 == 0:  # a non-idempotent POST first: the riskiest call on a stale connection
                client.objects.insert(name, {"n": k})
            else:
                client.meta()
            outcomes.append("ok")
        except wt.WeaviateError as err:
            outcomes.append(err.kind.value)
    return outcomes


@pytest.mark.integration
@pytest.mark.parametrize(
    ("graceful", "retries"),
    [(False, False), (True, False), (False, True)],
    ids=["sigkill-retries-off", "sigterm-retries-off", "sigkill-retries-on"],
)
def test_one_client_across_a_restart_on_the_same_port(
    node: WeaviateCluster, graceful: bool, retries: bool
) -> None:
    policy = wt.RetryPolicy(enabled=retries, initial_backoff=0.05, max_backoff=0.2)
    name = "L" + uuid.uuid4().hex[:10]
    with wt.Client(node.url(0), pool_maxsize=4, retry=policy) as client:
        client.collections.create_from_config(
            wt.CollectionConfig(name, properties=[wt.Property("n", "int")])
        )
        _warm(client)
        node.restart(0, graceful=graceful)
        with wt.telemetry.capture() as events:
            outcomes = _calls_after_restart(client, name)
        print(f"\n[restart {'sigterm' if graceful else 'sigkill'} retries={retries}] {outcomes}")
        # Measured: urllib3 notices the pooled sockets were closed by the old process
        # and opens fresh ones before sending, so even with retries off nothing fails.
        assert outcomes == ["ok"] * 6
        assert events.of("request", "retry") == []
        assert client.query.aggregate(name).meta_count().do().total_count == 3
        client.collections.delete(name)


@pytest.mark.integration
def test_probes_of_a_down_server_are_single_attempts(node: WeaviateCluster) -> None:
    policy = wt.RetryPolicy(enabled=True, max_attempts=5, initial_backoff=0.01, max_backoff=0.02)
    with wt.Client(node.url(0), retry=policy) as client:
        assert client.health.ready()
        node.kill(0)
        try:
            with wt.telemetry.capture() as events:
                assert not client.health.ready(timeout=1.0)
                assert not client.health.live(timeout=1.0)
                report = client.health.check(timeout=1.0)
            assert not report.healthy and report.endpoints[0].error_kind == "connection_error"
            assert events.of("request", "retry") == []
            assert len(events.of("attempt", "start")) == 3  # ready, live, check's live
        finally:
            node.restart(0)
        assert client.health.ready()


def test_probes_never_spend_the_retry_budget() -> None:
    # A budget of exactly the 10 initial tokens (no refill): if failing probes
    # retried, 30 of them would spend it all and the real call below could not retry.
    policy = wt.RetryPolicy(
        enabled=True, max_attempts=5, initial_backoff=0.001, max_backoff=0.002, budget_ratio=0.0
    )
    script = [UNAVAILABLE] * 30 + [UNAVAILABLE, OK]
    with ScriptedHTTPServer(script) as server, closed_port() as port:
        with wt.Client(f"http://127.0.0.1:{port}", fallback_urls=[server.url], retry=policy) as c:
            with wt.telemetry.capture() as probes:
                for _ in range(30):  # the primary refuses, the fallback answers 503
                    assert not c.health.ready(timeout=0.5)
            assert probes.of("request", "retry") == []
            assert len(probes.of("attempt", "start")) == 60  # one per endpoint per probe
            assert len(server.requests) == 30
            with wt.telemetry.capture() as call:
                # Needs three retries (refused, 503, refused again: both endpoints rest,
                # the primary's rest ends first), which only an unspent budget allows.
                assert c.meta().version == "1.39.0"
    kinds = [e.metadata["error_kind"] for e in call.of("request", "retry")]
    assert kinds == ["connection_error", "unavailable", "connection_error"]
