"""Retries: off by default, idempotency rules, Retry-After, deadline, budget, fallbacks."""

from __future__ import annotations

import time
from typing import Any

import pytest

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer, closed_port

FAST = wt.RetryPolicy(enabled=True, max_attempts=3, initial_backoff=0.01, max_backoff=0.05)
UNAVAILABLE = Canned(503, b'{"error":[{"message":"leader not found"}]}')
OK = Canned(200, b'{"version":"1.39.0"}')


def test_default_is_a_single_attempt(client_cls: Any) -> None:
    with ScriptedHTTPServer([UNAVAILABLE, OK]) as server, client_cls(server.url) as client:
        with pytest.raises(wt.UnavailableError) as info:
            client.meta()
        assert len(server.requests) == 1
    assert info.value.attempts == 1 and info.value.errors == ()


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_enabled_policy_retries_until_success(client_cls: Any) -> None:
    with ScriptedHTTPServer([UNAVAILABLE, UNAVAILABLE, OK]) as server:
        with client_cls(server.url, retry=FAST) as client, wt.telemetry.capture() as events:
            assert client.meta().version == "1.39.0"
        assert len(server.requests) == 3
    retries = events.of("request", "retry")
    assert [e.metadata["attempt"] for e in retries] == [1, 2]
    assert all(e.metadata["error_kind"] == "unavailable" for e in retries)
    assert all(0 < e.measurements["wait"] <= 0.05 for e in retries)
    assert [e.metadata["attempt"] for e in events.of("attempt", "stop")] == [3]


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_per_request_policy_enables_retries(client_cls: Any) -> None:
    with ScriptedHTTPServer([UNAVAILABLE, OK]) as server, client_cls(server.url) as client:
        assert client.meta(retry=FAST).version == "1.39.0"
        assert len(server.requests) == 2


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_exhausted_attempts_report_history(client_cls: Any) -> None:
    with ScriptedHTTPServer([UNAVAILABLE]) as server, client_cls(server.url, retry=FAST) as client:
        with pytest.raises(wt.UnavailableError) as info:
            client.meta()
        assert len(server.requests) == 3
    err = info.value
    assert err.attempts == 3 and len(err.errors) == 2
    assert all(e.kind is wt.ErrorKind.UNAVAILABLE for e in err.errors)
    assert "after 3 attempts" in str(err)


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_post_is_not_retried_unless_idempotent(client_cls: Any) -> None:
    script = [UNAVAILABLE, UNAVAILABLE, OK]
    with ScriptedHTTPServer(script) as server, client_cls(server.url, retry=FAST) as client:
        with pytest.raises(wt.UnavailableError):
            client.raw.request("POST", "/v1/objects", body={"class": "A"})
        assert len(server.requests) == 1
        response = client.raw.request("POST", "/v1/objects", body={"class": "A"}, idempotent=True)
        assert response.ok and len(server.requests) == 3


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_non_retryable_status_is_not_retried(client_cls: Any) -> None:
    with ScriptedHTTPServer([Canned(400, b'{"message":"bad"}'), OK]) as server:
        with client_cls(server.url, retry=FAST) as client, pytest.raises(wt.BadRequestError):
            client.meta()
        assert len(server.requests) == 1


def test_retry_after_is_honoured_and_clamped(client_cls: Any) -> None:
    """Real sleeps on purpose: the one test proving the wait really happens."""
    limited = Canned(429, b'{"message":"slow"}', {"Retry-After": "0.3"})
    policy = wt.RetryPolicy(enabled=True, max_attempts=2, initial_backoff=0.01, max_backoff=1.0)
    with (
        ScriptedHTTPServer([limited, OK]) as server,
        client_cls(server.url, retry=policy) as client,
    ):
        with wt.telemetry.capture() as events:
            started = time.monotonic()
            client.meta()
            elapsed = time.monotonic() - started
    assert events.of("request", "retry")[0].measurements["wait"] == pytest.approx(0.3)
    assert elapsed >= 0.3
    clamped = wt.RetryPolicy(enabled=True, max_attempts=2, initial_backoff=0.01, max_backoff=0.05)
    far = Canned(429, b'{"message":"slow"}', {"Retry-After": "3600"})
    with ScriptedHTTPServer([far, OK]) as server, client_cls(server.url, retry=clamped) as client:
        started = time.monotonic()
        client.meta()
        assert time.monotonic() - started < 1.0


def test_no_backoff_sleep_crosses_the_total_deadline(client_cls: Any) -> None:
    limited = Canned(429, b'{"message":"slow"}', {"Retry-After": "5"})
    policy = wt.RetryPolicy(enabled=True, max_attempts=5, initial_backoff=0.01, max_backoff=10)
    with ScriptedHTTPServer([limited, OK]) as server:
        with client_cls(server.url, retry=policy, timeouts=wt.Timeouts(total=1)) as client:
            started = time.monotonic()
            with pytest.raises(wt.RateLimitedError, match="total deadline"):
                client.meta()
            assert time.monotonic() - started < 1.0
        assert len(server.requests) == 1


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_retry_budget_limits_retry_load(client_cls: Any) -> None:
    policy = wt.RetryPolicy(
        enabled=True, max_attempts=3, initial_backoff=0.001, max_backoff=0.002, budget_ratio=0.1
    )
    with (
        ScriptedHTTPServer([UNAVAILABLE]) as server,
        client_cls(server.url, retry=policy) as client,
    ):
        messages = []
        for _ in range(30):
            with pytest.raises(wt.UnavailableError) as info:
                client.meta()
            messages.append(str(info.value))
        total = len(server.requests)
    # 30 calls; retries capped by 10 initial tokens + 0.1 per call (~13), not 60.
    assert 30 < total <= 30 + 10 + 4
    assert any("retry budget exhausted" in m for m in messages)


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_health_probes_do_not_refill_the_retry_budget(client_cls: Any) -> None:
    policy = wt.RetryPolicy(
        enabled=True, max_attempts=3, initial_backoff=0.001, max_backoff=0.002, budget_ratio=0.5
    )
    with (
        ScriptedHTTPServer([UNAVAILABLE]) as server,
        client_cls(server.url, retry=policy) as client,
    ):
        for _ in range(20):  # drain the bucket: each call retries until the budget refuses
            with pytest.raises(wt.UnavailableError):
                client.meta()
        for _ in range(40):  # a readiness poll against the down server (503: not ready)
            assert client.health.ready() is False
        before = len(server.requests)
        with pytest.raises(wt.UnavailableError) as info:
            client.meta()
        # Had the 40 probes deposited 0.5 each, this call would have had 2 retries.
        assert len(server.requests) - before <= 2
        assert "retry budget exhausted" in str(info.value)


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_connection_refused_retries_even_post_and_moves_to_fallback(client_cls: Any) -> None:
    with ScriptedHTTPServer([OK]) as server, closed_port() as port:
        with client_cls(f"http://127.0.0.1:{port}", fallback_urls=[server.url], retry=FAST) as c:
            with wt.telemetry.capture() as events:
                response = c.raw.request("POST", "/v1/objects", body={"class": "A"})
            assert response.ok and len(server.requests) == 1
    retry = events.of("request", "retry")[0]
    assert retry.metadata["error_kind"] == "connection_error"
    assert retry.metadata["next_server_address"] == "127.0.0.1"
    stops = events.of("attempt", "stop")
    assert stops[0].metadata["server_port"] == int(server.url.rsplit(":", 1)[1])


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_timeouts_retried_only_for_idempotent_calls(client_cls: Any) -> None:
    slow = Canned(200, b"{}", delay=0.5)
    policy = wt.RetryPolicy(enabled=True, max_attempts=2, initial_backoff=0.01, max_backoff=0.02)
    with ScriptedHTTPServer([slow, slow, OK]) as server:
        with client_cls(server.url, retry=policy, timeouts=wt.Timeouts(read=0.2)) as client:
            with pytest.raises(wt.WeaviateTimeoutError):
                client.raw.request("POST", "/v1/graphql", body={"query": "{}"})
            assert len(server.requests) == 1
            assert client.meta().version == "1.39.0"  # GET: timeout, then retried
            assert len(server.requests) == 3


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_a_refused_endpoint_rests_and_later_calls_skip_it(client_cls: Any) -> None:
    with ScriptedHTTPServer([OK]) as server, closed_port() as port:
        client = client_cls(f"http://127.0.0.1:{port}", fallback_urls=[server.url])
        with client, wt.telemetry.capture() as events:
            with pytest.raises(wt.WeaviateConnectionError):
                client.meta()  # single attempt (retries off): the primary is refused
            assert client.meta().version == "1.39.0"  # the resting primary is skipped
            assert client.meta().version == "1.39.0"
        ports = [e.metadata["server_port"] for e in events.of("attempt", "start")]
        assert ports == [port, server.port, server.port]


def test_endpoint_pool_rest_doubles_and_success_revives() -> None:
    from weaviate_telemetry._core.endpoints import EndpointPool

    now = [100.0]  # an injected clock: time moves when the test says so, nobody sleeps
    pool = EndpointPool(["a", "b", "c"], rest_initial=1.0, rest_max=3.0, clock=lambda: now[0])
    assert pool.choose() == 0
    pool.mark_dead(0)
    assert pool.choose() == 1 and pool.resting() == [0]
    assert pool.choose(avoid=1) == 2
    now[0] += 0.5
    pool.mark_dead(1)
    pool.mark_dead(2)
    assert pool.choose() == 0  # all resting: the one whose rest ends first
    now[0] += 0.6
    assert pool.choose() == 0 and pool.resting() == [1, 2]  # 0's rest (1 s) is over
    pool.mark_dead(0)  # second failure: rest doubles to 2 s
    now[0] += 1.5
    assert 0 in pool.resting()
    now[0] += 0.6
    assert 0 not in pool.resting()
    for _ in range(5):
        pool.mark_dead(0)  # rest is capped at rest_max
    now[0] += 3.01
    assert 0 not in pool.resting()
    pool.mark_alive(0)
    assert pool.choose() == 0 and 0 not in pool.resting()
    single = EndpointPool(["only"])
    single.mark_dead(0)
    assert single.choose() == 0 and single.resting() == []


def test_an_endpoint_back_from_its_rest_is_chosen_only_when_ready() -> None:
    from weaviate_telemetry._core.endpoints import EndpointPool

    now = [100.0]
    pool = EndpointPool(["a", "b"], rest_initial=1.0, rest_max=30.0, clock=lambda: now[0])
    asked: list[int] = []

    def not_ready(index: int) -> bool:
        asked.append(index)
        return False

    assert pool.choose(ready=not_ready) == 0 and asked == []  # never failed: not asked
    pool.mark_dead(0)
    assert pool.choose(ready=not_ready) == 1 and asked == []  # resting: skipped, not asked
    now[0] += 1.01
    assert pool.choose(ready=not_ready) == 1 and asked == [0]  # back, not ready: rests again
    assert pool.resting() == [0]
    now[0] += 1.5
    assert 0 in pool.resting()  # the second rest is longer (2 s)
    now[0] += 0.6
    assert pool.choose(ready=lambda index: True) == 0  # back and ready: alive again
    assert pool.resting() == [] and pool.choose(ready=not_ready) == 0 and asked == [0]
    pool.mark_dead(0)
    pool.mark_dead(1)
    now[0] += 1.01
    # none ready: both rest again (2 s each) and the preferred one is tried anyway
    assert pool.choose(ready=not_ready) == 0 and pool.resting() == [0, 1]
    assert asked == [0, 0, 1]


@pytest.mark.usefixtures("no_backoff")  # stamina testing mode: no real backoff sleeps
def test_a_returning_endpoint_gets_real_calls_only_after_it_says_ready(client_cls: Any) -> None:
    """A restarting Weaviate answers HTTP before ``/ready``: its first answers after a
    rest must not be real calls (they can miss writes made while it was down)."""
    not_ready = Canned(503, b"not ready")
    script = [UNAVAILABLE, not_ready, Canned(200, b""), OK]
    with ScriptedHTTPServer(script) as primary, ScriptedHTTPServer([OK]) as fallback:
        with client_cls(primary.url, fallback_urls=[fallback.url]) as client:
            with wt.telemetry.capture() as events:
                assert client.meta(retry=FAST).version == "1.39.0"  # 503, then the fallback
                time.sleep(1.05)  # the primary's first rest (1 s) ends
                assert client.meta().version == "1.39.0"  # no retry needed: not ready, skipped
                time.sleep(2.05)  # its second rest (2 s) ends
                assert client.meta().version == "1.39.0"  # ready: served by the primary
    assert [r.path for r in primary.requests] == [
        "/v1/meta",
        "/v1/.well-known/ready",
        "/v1/.well-known/ready",
        "/v1/meta",
    ]
    assert [r.path for r in fallback.requests] == ["/v1/meta", "/v1/meta"]
    probes = [e for e in events.of("request", "stop") if e.metadata.get("probe")]
    assert [e.metadata["operation"] for e in probes] == ["health.ready", "health.ready"]
    assert [e.metadata["status_code"] for e in probes] == [503, 200]


@pytest.mark.usefixtures("no_backoff")
def test_a_retried_call_encodes_its_body_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from weaviate_telemetry._core import pipeline

    encoded: list[object] = []
    real = pipeline.encode_body

    def counting(body: object) -> bytes | None:
        encoded.append(body)
        return real(body)

    monkeypatch.setattr(pipeline, "encode_body", counting)
    with ScriptedHTTPServer([UNAVAILABLE, UNAVAILABLE, OK]) as server:
        with wt.Client(server.url, retry=FAST) as client:
            client.raw.request("POST", "/v1/meta", body={"big": [1] * 1000}, idempotent=True)
        assert len(server.requests) == 3
        assert {r.body for r in server.requests} == {server.requests[0].body}
    assert len(encoded) == 1
