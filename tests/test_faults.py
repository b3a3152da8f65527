"""TCP faults from a real toxiproxy in front of the real Weaviate.

Latency → timeout, reset → connection_error, a downed endpoint → refused
and (with retries and fallbacks) served by the next endpoint, a truncated
body → a typed error. Nothing but WeaviateError subclasses escapes.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import weaviate_telemetry as wt
from tests.peers.toxiproxy import Toxiproxy
from weaviate_telemetry.embedded import EmbeddedWeaviate

FAST = wt.RetryPolicy(enabled=True, max_attempts=3, initial_backoff=0.01, max_backoff=0.05)


def test_latency_beyond_read_timeout_is_timeout(
    toxiproxy: Toxiproxy, faulty: tuple[str, str], client_cls: Any
) -> None:
    name, url = faulty
    with client_cls(url, timeouts=wt.Timeouts(read=0.3)) as client:
        assert client.meta().version  # healthy through the proxy
        toxiproxy.toxic(name, "latency", latency=1500)
        started = time.monotonic()
        with pytest.raises(wt.WeaviateTimeoutError) as info:
            client.meta()
        assert time.monotonic() - started < 1.2
    assert info.value.kind is wt.ErrorKind.TIMEOUT


def test_reset_peer_is_connection_error(
    toxiproxy: Toxiproxy, faulty: tuple[str, str], client_cls: Any
) -> None:
    name, url = faulty
    toxiproxy.toxic(name, "reset_peer", timeout=0)
    with client_cls(url) as client, pytest.raises(wt.WeaviateConnectionError) as info:
        client.meta()
    assert isinstance(info.value, ConnectionError)


def test_down_endpoint_refused_then_fallback_serves(
    toxiproxy: Toxiproxy,
    faulty: tuple[str, str],
    weaviate_server: EmbeddedWeaviate,
    client_cls: Any,
) -> None:
    name, url = faulty
    toxiproxy.set_enabled(name, False)
    with (
        client_cls(url) as alone,
        pytest.raises(wt.WeaviateConnectionError, match="cannot connect"),
    ):
        alone.meta()
    with client_cls(url, fallback_urls=[weaviate_server.url], retry=FAST) as client:
        with wt.telemetry.capture() as events:
            assert client.meta().version
        retry = events.of("request", "retry")
        assert [r.metadata["error_kind"] for r in retry] == ["connection_error"]
        toxiproxy.set_enabled(name, True)


def test_retries_ride_out_a_short_outage(
    toxiproxy: Toxiproxy, faulty: tuple[str, str], client_cls: Any
) -> None:
    name, url = faulty
    policy = wt.RetryPolicy(enabled=True, max_attempts=6, initial_backoff=0.2, max_backoff=0.5)
    toxiproxy.set_enabled(name, False)
    with client_cls(url, retry=policy) as client, wt.telemetry.capture() as events:
        import threading

        threading.Timer(0.4, toxiproxy.set_enabled, args=(name, True)).start()
        assert client.meta().version
    assert len(events.of("request", "retry")) >= 1
    assert events.of("request", "stop")[0].metadata["attempts"] >= 2


def test_truncated_body_is_a_typed_error(
    toxiproxy: Toxiproxy, faulty: tuple[str, str], client_cls: Any
) -> None:
    name, url = faulty
    toxiproxy.toxic(name, "limit_data", bytes=200)
    with client_cls(url, timeouts=wt.Timeouts(read=2)) as client:
        with pytest.raises(wt.WeaviateError) as info:
            client.nodes(output="verbose")
    assert info.value.kind in (wt.ErrorKind.CONNECTION_ERROR, wt.ErrorKind.PROTOCOL_ERROR)
