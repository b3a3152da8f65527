"""HTTPS endpoints: verification on by default, a private CA via ``ca_certs``, keep-alive.

Weaviate serves no TLS itself (deployments put it behind a proxy), so a
loopback HTTPS server with a throw-away CA (trustme) plays the proxy.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer

META = Canned(body=b'{"hostname": "http://[::]:8080", "version": "1.39.0", "modules": {}}')


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https(ca: trustme.CA) -> Iterator[ScriptedHTTPServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with ScriptedHTTPServer([META], tls=context) as server:
        yield server


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def test_a_private_ca_is_trusted_and_the_connection_kept(
    https: ScriptedHTTPServer, ca_file: str
) -> None:
    with wt.Client(https.url, ca_certs=ca_file) as client:
        for _ in range(3):
            assert client.meta().version == "1.39.0"
    assert len(https.requests) == 3
    assert https.connections == 1  # one TLS handshake, then keep-alive


def test_an_untrusted_certificate_is_a_typed_tls_failure(https: ScriptedHTTPServer) -> None:
    with wt.Client(https.url) as client, pytest.raises(wt.WeaviateConnectionError) as caught:
        client.meta()
    assert caught.value.kind is wt.ErrorKind.CONNECTION_ERROR
    assert "TLS failure" in caught.value.message
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message
    assert https.requests == []  # nothing was sent to a server we could not verify


def test_fallback_endpoints_over_https_each_keep_their_own_pool(
    ca: trustme.CA, ca_file: str
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with (
        ScriptedHTTPServer([Canned(status=503)], tls=context) as down,
        ScriptedHTTPServer([META], tls=context) as up,
        wt.Client(
            down.url,
            fallback_urls=[up.url],
            ca_certs=ca_file,
            retry=wt.RetryPolicy(enabled=True, initial_backoff=0.001, max_backoff=0.001),
        ) as client,
    ):
        for _ in range(3):
            assert client.meta().version == "1.39.0"
    assert up.connections == 1
    assert len(down.requests) >= 1
