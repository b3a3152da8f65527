"""Exactly once: what may and may not be sent twice, proven by a counting proxy.

A non-idempotent POST whose connection breaks after the request went out
may have been applied, so it is not resent unless the call opted in
(``idempotent=True``). A connection refused before any byte was sent is
always safe to retry, for any method.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import weaviate_telemetry as wt
from tests.support.servers import FORWARD_THEN_DROP, PASS, FaultProxy, closed_port
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

FAST = wt.RetryPolicy(enabled=True, max_attempts=3, initial_backoff=0.01, max_backoff=0.05)
INSERT = ("POST", "/v1/objects")


BATCH = ("POST", "/v1/batch/objects")


class DropFirst:
    """Forward the first ``target`` request to the server, then drop its connection."""

    def __init__(self, target: tuple[str, str] = INSERT) -> None:
        self.target = target
        self.dropped = 0

    def __call__(self, number: int, method: str, path: str) -> str:
        if (method, path) == self.target and self.dropped == 0:
            self.dropped += 1
            return FORWARD_THEN_DROP
        return PASS


def _collection(client: wt.Client, name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(name, properties=[wt.Property("n", "int")])
    )


def test_post_failing_after_it_was_sent_is_not_resent(
    weaviate_server: EmbeddedWeaviate, client: wt.Client, collection_name: str
) -> None:
    _collection(client, collection_name)
    with FaultProxy(weaviate_server.url, DropFirst()) as proxy:
        with wt.Client(proxy.url, retry=FAST) as c, wt.telemetry.capture() as events:
            oid = str(uuid.uuid4())
            with pytest.raises(wt.WeaviateConnectionError) as info:
                c.objects.insert(collection_name, {"n": 1}, id=oid)
        assert proxy.received[INSERT] == 1  # sent once, never again
    err = info.value
    assert err.attempts == 1 and events.of("request", "retry") == []
    assert "connection" in str(err).lower()
    # The server did apply it: a blind resend would have been a second write.
    assert client.objects.exists(collection_name, oid)


def test_opted_in_post_is_resent(
    weaviate_server: EmbeddedWeaviate, client: wt.Client, collection_name: str
) -> None:
    _collection(client, collection_name)
    with FaultProxy(weaviate_server.url, DropFirst()) as proxy:
        with wt.Client(proxy.url, retry=FAST) as c, wt.telemetry.capture() as events:
            oid = str(uuid.uuid4())
            with pytest.raises(wt.ValidationError) as info:
                c.objects.insert(collection_name, {"n": 1}, id=oid, idempotent=True)
        assert proxy.received[INSERT] == 2 and proxy.forwarded[INSERT] == 2
    # The resend reached the server, which had already stored the first one: an
    # insert is not really idempotent, so the retry reports "already exists" (422).
    assert [e.metadata["error_kind"] for e in events.of("request", "retry")] == ["connection_error"]
    assert info.value.status_code == 422 and "already exists" in info.value.message
    assert info.value.attempts == 2
    assert client.objects.exists(collection_name, oid)
    # A write that is idempotent for real (batch upsert with ids) is simply resent.
    with FaultProxy(weaviate_server.url, DropFirst(BATCH)) as proxy:
        with wt.Client(proxy.url, retry=FAST) as c:
            ids = [str(uuid.uuid4()) for _ in range(3)]
            result = c.batch.insert_objects(
                [{"id": i, "properties": {"n": 2}} for i in ids], collection=collection_name
            )
        assert result.ok and proxy.received[BATCH] == 2
    assert all(client.objects.exists(collection_name, i) for i in ids)


def test_refused_before_any_byte_is_retried_even_for_post(
    weaviate_server: EmbeddedWeaviate, client: wt.Client, collection_name: str
) -> None:
    _collection(client, collection_name)
    with FaultProxy(weaviate_server.url) as proxy, closed_port() as port:
        refused = f"http://127.0.0.1:{port}"
        with wt.Client(refused, fallback_urls=[proxy.url]) as off:  # retries off: no second try
            with pytest.raises(wt.WeaviateConnectionError, match="cannot connect"):
                off.objects.insert(collection_name, {"n": 1})
        assert proxy.received[INSERT] == 0
        with wt.Client(refused, fallback_urls=[proxy.url], retry=FAST) as c:
            with wt.telemetry.capture() as events:
                stored = c.objects.insert(collection_name, {"n": 2})
        assert proxy.received[INSERT] == 1  # exactly one copy reached the server
    assert [e.metadata["error_kind"] for e in events.of("request", "retry")] == ["connection_error"]
    ports = [e.metadata["server_port"] for e in events.of("attempt", "start")]
    assert ports == [port, proxy.port]
    page = client.objects.list(collection_name)
    assert [o.id for o in page.objects] == [stored.id]


def test_a_sent_post_is_not_resent_and_a_refused_one_is_on_both_drivers(
    weaviate_server: EmbeddedWeaviate, client: wt.Client, collection_name: str, client_cls: Any
) -> None:
    """The same exactly-once rules on wt.Client and wt.AsyncClient (the same pipeline):
    a POST cut after it was sent is not resent; one refused before any byte is."""
    _collection(client, collection_name)
    sent_id, refused_id = str(uuid.uuid4()), str(uuid.uuid4())

    def insert(c: Any, oid: str) -> Any:
        body = {"class": collection_name, "id": oid, "properties": {"n": 1}}
        return c.raw.request("POST", "/v1/objects", body=body)

    with FaultProxy(weaviate_server.url, DropFirst()) as proxy:
        with client_cls(proxy.url, retry=FAST) as c, pytest.raises(wt.WeaviateConnectionError):
            insert(c, sent_id)
        assert proxy.received[INSERT] == 1  # sent once, never again
    with FaultProxy(weaviate_server.url) as proxy, closed_port() as port:
        refused = f"http://127.0.0.1:{port}"
        with client_cls(refused, fallback_urls=[proxy.url], retry=FAST) as c:
            assert insert(c, refused_id).ok
        assert proxy.received[INSERT] == 1  # exactly one copy reached the server
    assert client.objects.exists(collection_name, sent_id)  # the cut one was applied
    assert client.objects.exists(collection_name, refused_id)
