"""Shared fixtures: real Weaviate servers started by the project's own tooling."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

if TYPE_CHECKING:
    from tests.peers.toxiproxy import Toxiproxy
    from tests.support.stack import MetricsStack

#: Fixtures that start (or stand for) a real server: tests using them are integration tests.
SERVER_FIXTURES = frozenset(
    {
        "weaviate_server",
        "weaviate_auth_server",
        "client",
        "toxiproxy",
        "faulty",
        "metrics_stack",
        "collector",
        "prometheus",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that talks to a real peer carries the ``integration`` marker.

    Tests using a server fixture are marked here; modules that start their own
    servers say so with ``pytestmark``.
    """
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


API_KEY = "wt-test-key-" + uuid.uuid4().hex[:12]


@pytest.fixture(autouse=True)
def _forget_test_secrets() -> Iterator[None]:
    """Secrets registered by one test (e.g. hypothesis-drawn api keys such as ``"http://"``)
    must not scrub the URLs of later tests: the registry is process-wide by design."""
    from weaviate_telemetry._core import redact

    known, pattern, marked = redact._known, redact._pattern, redact._marked
    yield
    redact._known, redact._pattern, redact._marked = known, pattern, marked


@pytest.fixture
def no_backoff() -> Iterator[None]:
    """stamina's testing mode: retries keep their attempt counts but never sleep."""
    import stamina

    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


@pytest.fixture(scope="session")
def weaviate_server() -> Iterator[EmbeddedWeaviate]:
    """One anonymous-access Weaviate for the whole run (fresh data dir, free ports)."""
    server = EmbeddedWeaviate(prometheus=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def weaviate_auth_server() -> Iterator[EmbeddedWeaviate]:
    """A Weaviate that requires ``API_KEY`` (user ``tester``)."""
    server = EmbeddedWeaviate(api_keys={API_KEY: "tester"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(weaviate_server: EmbeddedWeaviate) -> Iterator[wt.Client]:
    """A client for the shared server, closed after the test."""
    with wt.Client(weaviate_server.url) as c:
        yield c


@pytest.fixture
def offline() -> Iterator[wt.Client]:
    """A client whose server port is closed: any I/O would fail with connection_error."""
    with wt.Client("http://127.0.0.1:9") as c:
        yield c


@pytest.fixture(scope="session")
def toxiproxy() -> Iterator[Toxiproxy]:
    """A real toxiproxy server for TCP faults (latency, stalls, resets, downed endpoints)."""
    from tests.peers.toxiproxy import Toxiproxy

    with Toxiproxy() as server:
        yield server


@pytest.fixture
def faulty(toxiproxy: Toxiproxy, weaviate_server: EmbeddedWeaviate) -> Iterator[tuple[str, str]]:
    """(proxy name, proxy URL) in front of the shared Weaviate; faults removed afterwards."""
    name = "weaviate_" + uuid.uuid4().hex[:8]
    url = toxiproxy.proxy(name, urlsplit(weaviate_server.url).port or 80)
    try:
        yield name, url
    finally:
        toxiproxy.call("DELETE", f"/proxies/{name}")


@pytest.fixture
def collection_name() -> str:
    """A unique, valid collection name so tests never collide on the shared server."""
    return "T" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def metrics_stack(weaviate_server: EmbeddedWeaviate) -> Iterator[MetricsStack]:
    """Collector + Prometheus 3.16 scraping it and the shared server's /metrics (once per run)."""
    from tests.support.stack import start_metrics_stack

    stack = start_metrics_stack(weaviate_server)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(params=["sync", "async"])
def client_cls(request: pytest.FixtureRequest) -> Any:
    """``wt.Client``, or the AsyncClient behind the same blocking surface
    (tests/support/drivers.py): the test's calls run through either driver."""
    if request.param == "sync":
        return wt.Client
    from tests.support.drivers import blocking_async_client

    return blocking_async_client
