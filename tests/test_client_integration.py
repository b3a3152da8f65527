"""The foundation against a real Weaviate: health, meta, nodes, raw, auth, faults, pool."""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

import pytest

import weaviate_telemetry as wt
from tests.peers.toxiproxy import Toxiproxy
from tests.support.servers import Canned, ScriptedHTTPServer, TCPProxy, closed_port
from weaviate_telemetry.embedded import WEAVIATE_VERSION, EmbeddedWeaviate

from conftest import API_KEY


def _port(url: str) -> int:
    return urlsplit(url).port or 80


def test_ready_live_meta_nodes(client: wt.Client) -> None:
    assert client.health.ready() is True
    assert client.health.live() is True
    meta = client.meta()
    assert meta.version == WEAVIATE_VERSION.lstrip("v")
    assert meta.version_tuple >= (1, 27)
    assert meta.raw["version"] == meta.version
    nodes = client.nodes()
    assert len(nodes) == 1 and nodes[0].name == "node0" and nodes[0].status == "HEALTHY"
    verbose = client.nodes(output="verbose")
    assert verbose[0].version == meta.version


def test_nodes_rejects_bad_output_before_io(client: wt.Client) -> None:
    with pytest.raises(wt.ValidationError, match="one of minimal, verbose"):
        client.nodes(output="everything")


def test_health_check_reports_each_endpoint(weaviate_server: EmbeddedWeaviate) -> None:
    with (
        closed_port() as port,
        wt.Client(f"http://127.0.0.1:{port}", fallback_urls=[weaviate_server.url]) as client,
    ):
        report = client.health.check(timeout=1)
        assert report.healthy
        down, up = report.endpoints
        assert not down.reachable and down.error_kind == "connection_error" and not down.ready
        assert up.reachable and up.live and up.ready and up.status_code == 200
        assert up.latency is not None and up.latency < 1
        # ready() falls back to the next endpoint
        assert client.health.ready(timeout=1) is True


def test_health_falls_back_to_unversioned_well_known_on_404() -> None:
    with ScriptedHTTPServer([Canned(404, b"{}"), Canned(200, b"")]) as server:
        with wt.Client(server.url) as client:
            assert client.health.ready() is True
        assert [r.path for r in server.requests] == ["/v1/.well-known/ready", "/.well-known/ready"]


def test_ready_on_closed_port_is_false_within_timeout() -> None:
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as client:
        started = time.monotonic()
        assert client.health.ready(timeout=0.5) is False
        assert client.health.live(timeout=0.5) is False
        assert time.monotonic() - started < 1.0


def test_ready_on_stalled_server_is_false_within_timeout(
    toxiproxy: Toxiproxy, faulty: tuple[str, str]
) -> None:
    name, url = faulty
    toxiproxy.toxic(name, "timeout", timeout=0)  # accepts, then never answers
    with wt.Client(url) as client:
        started = time.monotonic()
        assert client.health.ready(timeout=0.5) is False
        assert time.monotonic() - started < 2.0


@pytest.mark.integration
def test_wait_until_ready_against_a_starting_server() -> None:
    server = EmbeddedWeaviate()
    server.start(wait=False)
    try:
        with wt.Client(server.url) as client:
            assert client.health.ready(timeout=0.2) is False  # still booting
            waited = client.health.wait_until_ready(timeout=90, interval=0.2)
            assert waited > 0
            assert client.health.ready() is True
    finally:
        server.stop()


def test_wait_until_ready_times_out_with_last_reason() -> None:
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as client:
        started = time.monotonic()
        with pytest.raises(wt.WeaviateTimeoutError) as info:
            client.health.wait_until_ready(timeout=0.6, interval=0.1)
        assert time.monotonic() - started < 2.0
    assert "connection_error" in str(info.value) and isinstance(info.value, TimeoutError)


def test_wrong_api_key_is_unauthorized(weaviate_auth_server: EmbeddedWeaviate) -> None:
    with wt.Client(weaviate_auth_server.url, api_key="wrong-" + API_KEY) as client:
        with pytest.raises(wt.UnauthorizedError) as info:
            client.meta()
    err = info.value
    assert err.status_code == 401 and "api key" in err.message.lower()
    assert API_KEY not in str(err) and API_KEY not in repr(err)
    with wt.Client(weaviate_auth_server.url) as anonymous, pytest.raises(wt.UnauthorizedError):
        anonymous.raw.request("GET", "/v1/schema")
    with wt.Client(weaviate_auth_server.url, api_key=API_KEY) as good:
        assert good.meta().version == WEAVIATE_VERSION.lstrip("v")


def test_raw_unknown_path_is_not_found(client: wt.Client) -> None:
    with pytest.raises(wt.NotFoundError) as info:
        client.raw.request("GET", "/v1/does-not-exist")
    assert info.value.operation == "raw" and "not found" in info.value.message


def test_raw_malformed_json_is_rejected_with_server_message(client: wt.Client) -> None:
    with pytest.raises((wt.BadRequestError, wt.ValidationError)) as info:
        client.raw.request("POST", "/v1/objects", body=b'{"class": "X", "properties": ')
    err = info.value
    assert err.status_code in (400, 422)
    assert err.message and not err.message.startswith("HTTP ")  # the server's own words


def test_raw_without_raise_for_status_returns_response(client: wt.Client) -> None:
    response = client.raw.request("GET", "/v1/does-not-exist", raise_for_status=False)
    assert response.status == 404 and not response.ok
    ok = client.raw.request("GET", "/v1/schema", params={"consistency": "true"})
    assert ok.ok and "classes" in ok.json()


def test_raw_validates_input_before_io() -> None:
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as client:
        for kwargs in (
            {"method": "G E T", "path": "/v1/meta"},
            {"method": "GET", "path": "v1/meta"},
            {"method": "GET", "path": "/v1/meta?x=1"},
            {"method": "GET", "path": "/v1/meta", "headers": {"X-Bad": "a\nb"}},
            {"method": "GET", "path": "/v1/meta", "tiemout": 3},
        ):
            with pytest.raises(wt.ValidationError):
                client.raw.request(**kwargs)  # type: ignore[arg-type]


@pytest.mark.integration
def test_stopped_server_is_connection_error_faster_than_connect_timeout() -> None:
    server = EmbeddedWeaviate().start()
    url = server.url
    server.stop()
    with wt.Client(url, timeouts=wt.Timeouts(connect=3)) as client:
        started = time.monotonic()
        with pytest.raises(wt.WeaviateConnectionError) as info:
            client.meta()
        assert time.monotonic() - started < 3
    assert isinstance(info.value, ConnectionError)


def test_read_timeout_via_stalling_proxy(toxiproxy: Toxiproxy, faulty: tuple[str, str]) -> None:
    name, url = faulty
    with wt.Client(url, timeouts=wt.Timeouts(read=0.5)) as client:
        assert client.meta().version  # passes through while healthy
        toxiproxy.toxic(name, "timeout", timeout=0)
        with wt.Client(url, timeouts=wt.Timeouts(read=0.5)) as fresh:
            started = time.monotonic()
            with pytest.raises(wt.WeaviateTimeoutError) as info:
                fresh.meta()
            elapsed = time.monotonic() - started
    err = info.value
    assert isinstance(err, TimeoutError) and err.kind is wt.ErrorKind.TIMEOUT
    assert "read timed out" in err.message
    assert 0.4 < elapsed < 2.0


def test_total_deadline_caps_read_timeout(toxiproxy: Toxiproxy, faulty: tuple[str, str]) -> None:
    name, url = faulty
    toxiproxy.toxic(name, "timeout", timeout=0)
    with wt.Client(url, timeouts=wt.Timeouts(read=10, total=0.5)) as client:
        started = time.monotonic()
        with pytest.raises(wt.WeaviateTimeoutError):
            client.meta()
        assert time.monotonic() - started < 2.0
        # per-request override of the timeout
        started = time.monotonic()
        with pytest.raises(wt.WeaviateTimeoutError):
            client.meta(timeout=0.3)
        assert time.monotonic() - started < 1.5


def test_keep_alive_reuses_one_connection(weaviate_server: EmbeddedWeaviate) -> None:
    with TCPProxy("127.0.0.1", _port(weaviate_server.url)) as proxy, wt.Client(proxy.url) as client:
        for _ in range(20):
            client.meta()
        assert proxy.connections == 1


def test_pool_blocks_instead_of_opening_throwaway_connections(
    weaviate_server: EmbeddedWeaviate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3")
    errors: list[BaseException] = []
    with (
        TCPProxy("127.0.0.1", _port(weaviate_server.url)) as proxy,
        wt.Client(proxy.url, pool_maxsize=2) as client,
    ):

        def work() -> None:
            try:
                for _ in range(10):
                    client.nodes()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors
        assert proxy.connections <= 2
    assert not [r for r in caplog.records if "pool is full" in r.getMessage().lower()]


def test_pool_acquire_timeout_is_timeout_kind(
    toxiproxy: Toxiproxy, faulty: tuple[str, str]
) -> None:
    name, url = faulty
    toxiproxy.toxic(name, "timeout", timeout=0)
    with wt.Client(url, pool_maxsize=1, timeouts=wt.Timeouts(read=3, pool=0.3)) as client:

        def hold_the_only_connection() -> None:
            with pytest.raises(wt.WeaviateTimeoutError):
                client.meta()

        holder = threading.Thread(target=hold_the_only_connection)
        holder.start()
        time.sleep(0.3)
        with pytest.raises(wt.WeaviateTimeoutError, match="free pooled connection"):
            client.meta()
        holder.join(10)


def test_default_headers_user_agent_and_bearer_are_sent() -> None:
    with ScriptedHTTPServer([Canned(200, b'{"version":"1.39.0"}')]) as server:
        with wt.Client(server.url, api_key="k-123456", default_headers={"X-Team": "search"}) as c:
            c.meta()
            c.raw.request("POST", "/v1/objects", body={"class": "A"}, headers={"X-Extra": "1"})
        first, second = server.requests
    assert first.headers["authorization"] == "Bearer k-123456"
    assert first.headers["user-agent"].startswith("weaviate-telemetry/")
    assert first.headers["x-team"] == "search" and "content-type" not in first.headers
    assert second.headers["content-type"] == "application/json" and second.headers["x-extra"] == "1"
    assert second.body == b'{"class":"A"}'


def test_path_prefix_in_base_url_is_kept() -> None:
    with ScriptedHTTPServer([Canned(200, b'{"version":"1.39.0"}')]) as server:
        with wt.Client(server.url + "/weaviate/") as client:
            client.meta()
        assert server.requests[0].path == "/weaviate/v1/meta"
