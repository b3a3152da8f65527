"""Hostile input against the real Weaviate: refused typed before I/O, or stored exactly.

Each case used to pass validation and then do the wrong thing: a name with a trailing
newline addressed nothing (``exists`` False, ``delete`` a no-op), a builtin
``OverflowError``/``ValueError``/``UnicodeEncodeError`` escaped the gRPC path and stopped
a batch, NaN was silently dropped over REST, a per-call ``Content-Length`` poisoned the
pooled connection (docs/configuration.md#limits).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import weaviate_telemetry as wt
from tests.conftest import API_KEY
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def grpc_client(weaviate_server: EmbeddedWeaviate) -> Iterator[wt.Client]:
    with weaviate_server.client() as c:
        assert c.config.grpc_port is not None
        yield c


@pytest.fixture(scope="module")
def art(grpc_client: wt.Client) -> Iterator[str]:
    """A collection with one object (title "kept"), and a multi-tenant one beside it."""
    name = "Art" + uuid.uuid4().hex[:8]
    grpc_client.collections.create_from_dict(
        {
            "class": name,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "score", "dataType": ["number"]},
                {"name": "count", "dataType": ["int"]},
            ],
        }
    )
    grpc_client.objects.insert(name, {"title": "kept"}, vector=[1.0, 0.0, 0.0])
    try:
        yield name
    finally:
        grpc_client.collections.delete(name)


def _count(client: wt.Client, name: str) -> int:
    return len(client.objects.list(collection=name, limit=1000).objects)


def test_a_trailing_newline_is_not_a_name(grpc_client: wt.Client, art: str) -> None:
    client = grpc_client
    bad = art + "\n"
    with pytest.raises(wt.ValidationError):
        client.query.get(bad).fields("title").do()
    with pytest.raises(wt.ValidationError):
        client.collections.exists(bad)
    with pytest.raises(wt.ValidationError):
        client.collections.delete(bad)
    with pytest.raises(wt.ValidationError):
        client.collections.get(bad)
    with pytest.raises(wt.ValidationError):
        client.objects.insert(art, {"title\n": "x"})
    with pytest.raises(wt.ValidationError):
        client.objects.insert(art, {"title": "x"}, vectors={"v\n": [1.0, 0.0, 0.0]})
    with pytest.raises(wt.ValidationError):
        client.tenants.get(art, "tenant\n")
    with pytest.raises(wt.ValidationError):
        client.objects.insert(art, {"title": "x"}, tenant="t1\n")
    with pytest.raises(wt.ValidationError):
        client.meta(headers={"X-Name\n": "v"})
    with pytest.raises(wt.ValidationError):
        client.raw.request("GET\n", "/v1/meta")
    # Nothing was addressed by the bad names: the collection and its object are intact.
    assert client.collections.exists(art) is True
    rows = client.query.get(art).fields("title").do().objects
    assert [r.properties["title"] for r in rows] == ["kept"]


@pytest.mark.parametrize(
    ("argument", "value"),
    [("limit", 2**32), ("offset", 2**63), ("auto_limit", 2**40), ("limit", -1)],
)
def test_counts_beyond_the_wire_types_are_refused_on_both_paths(
    grpc_client: wt.Client, art: str, argument: str, value: int
) -> None:
    query = grpc_client.collections.get(art).query
    with pytest.raises(wt.ValidationError):
        query.near_vector([1.0, 0.0, 0.0], **{argument: value})
    with pytest.raises(wt.ValidationError):
        grpc_client.query.get(art).fields("title").limit(value).do(transport="graphql")
    # and the next call's answer is what it was
    assert len(query.near_vector([1.0, 0.0, 0.0], limit=5).objects) == 1


@pytest.mark.parametrize("transport", ["grpc", "rest"])
@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"properties": {"title": "big"}, "vector": [1e39, 0.0, 0.0]}, "float32"),
        ({"properties": {"title": "huge int"}, "vector": [10**400, 0.0, 0.0]}, "float32"),
        ({"properties": {"title": "lone \udc80 surrogate"}}, "surrogate"),
        ({"properties": {"title": "nan", "score": math.nan}}, "finite"),
        ({"properties": {"title": "inf", "score": -math.inf}}, "finite"),
        ({"properties": {"title": "int65", "count": 2**64}}, "int64"),
        ({"properties": {"title": "nested", "tags": [{"x": math.nan}]}}, "finite"),
        ({"properties": {"title": b"bytes are not JSON"}}, "JSON-serialisable"),
    ],
)
def test_one_bad_object_fails_alone_on_every_batch_path(
    grpc_client: wt.Client, collection_name: str, transport: str, bad: dict[str, Any], why: str
) -> None:
    client = grpc_client
    client.collections.create_from_dict(
        {
            "class": collection_name,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "score", "dataType": ["number"]},
                {"name": "count", "dataType": ["int"]},
            ],
        }
    )
    try:
        good = {"properties": {"title": "good"}, "vector": [0.0, 1.0, 0.0]}
        bad = {**bad, "id": str(uuid.uuid4())}
        result = client.batch.insert_objects(
            [good, bad, good | {"id": str(uuid.uuid4())}],
            collection=collection_name,
            transport=transport,
        )
        assert result.succeeded == 2 and result.failed == 1, result
        failure = result.failures[0]
        assert failure.index == 1 and failure.id == bad["id"]
        assert failure.kind is wt.ErrorKind.VALIDATION_ERROR and why in failure.message
        assert _count(client, collection_name) == 2
        # The collection handle's batches refuse it when it is added (validation), or
        # report it in failed_objects (the encoder); either way the others are stored.
        handle = client.collections.get(collection_name)
        for batching in (handle.batch.dynamic(), handle.batch.fixed_size(batch_size=2)):
            with batching as batch:
                batch.add_object({"title": "good"}, vector=[0.0, 1.0, 0.0])
                try:
                    batch.add_object(bad["properties"], vector=bad.get("vector"))
                    queued = True
                except wt.ValidationError as err:
                    assert why in err.message
                    queued = False
                batch.add_object({"title": "good"}, vector=[0.0, 1.0, 0.0])
            assert len(batch.results_uuids) == 2
            if queued:
                assert [why in f.message for f in batch.failed_objects] == [True]
            else:
                assert batch.failed_objects == []
        assert _count(client, collection_name) == 6
    finally:
        client.collections.delete(collection_name)


def test_nan_is_refused_not_dropped(grpc_client: wt.Client, art: str) -> None:
    before = _count(grpc_client, art)
    handle = grpc_client.collections.get(art)
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(wt.ValidationError, match="finite"):
            grpc_client.objects.insert(art, {"title": "n", "score": value})
        with pytest.raises(wt.ValidationError, match="finite"):
            handle.data.insert({"title": "n", "score": value})
    with pytest.raises(wt.ValidationError):
        grpc_client.objects.insert(art, {"title": "v"}, vector=[10**400, 0.0, 0.0])
    assert _count(grpc_client, art) == before


def test_insert_none_is_refused(grpc_client: wt.Client, art: str) -> None:
    before = _count(grpc_client, art)
    with pytest.raises(wt.ValidationError, match="properties"):
        grpc_client.collections.get(art).data.insert(None)
    with pytest.raises(wt.ValidationError, match="properties"):
        grpc_client.objects.insert(art, None)
    assert _count(grpc_client, art) == before
    # a vector alone is an object worth storing
    stored = grpc_client.collections.get(art).data.insert(None, vector=[0.0, 0.0, 1.0])
    grpc_client.objects.delete(art, stored)


def test_a_header_grpc_cannot_carry_is_refused_before_it_rests_the_endpoint(
    grpc_client: wt.Client, art: str
) -> None:
    query = grpc_client.collections.get(art).query
    for headers in ({"X-Note": "caf\u00e9"}, {"X-Note": "\u2603"}, {"X-N\u00f6te": "v"}):
        with pytest.raises(wt.ValidationError):
            query.fetch_objects(limit=1, headers=headers)
    assert len(query.fetch_objects(limit=5).objects) == 1
    assert grpc_client.health.ready() is True


def test_content_length_cannot_poison_the_pool(client: wt.Client) -> None:
    version = client.meta().version
    for name in ("Content-Length", "Transfer-Encoding", "Connection"):
        with pytest.raises(wt.ValidationError):
            client.meta(headers={name: "0"})
        with pytest.raises(wt.ValidationError):
            client.raw.request("POST", "/v1/graphql", body={"query": "{}"}, headers={name: "1"})
        assert client.meta().version == version


def test_grpc_auth_failures_are_unauthorized_as_over_rest(
    weaviate_auth_server: EmbeddedWeaviate,
) -> None:
    server = weaviate_auth_server
    for key in ("wrong-key-" + uuid.uuid4().hex[:8], None):
        with server.client(api_key=key) as c:
            with pytest.raises(wt.UnauthorizedError):
                c.meta()
            with pytest.raises(wt.UnauthorizedError) as rpc:
                c.query.get("Anything").fields("title").do()
            assert rpc.value.rpc_status is not None
            result = c.batch.insert_objects([{"title": "x"}], collection="Anything")
            assert result.failures[0].kind is wt.ErrorKind.UNAUTHORIZED
            if key is not None:
                assert key not in str(rpc.value) + repr(rpc.value.__cause__)
    with server.client() as ok:
        assert ok.meta().version
        assert API_KEY not in repr(ok.config)


def test_an_authorization_header_weaviate_refuses_is_unauthorized_on_both_paths(
    grpc_client: wt.Client, art: str
) -> None:
    # An anonymous Weaviate refuses a credential it has no scheme for; over gRPC it says
    # so as UNKNOWN "extract auth: no authentication scheme is configured ...".
    headers = {"Authorization": "Bearer tok-" + uuid.uuid4().hex}
    with pytest.raises(wt.UnauthorizedError):
        grpc_client.meta(headers=headers)
    with pytest.raises(wt.UnauthorizedError) as rpc:
        grpc_client.collections.get(art).query.fetch_objects(limit=1, headers=headers)
    assert rpc.value.rpc_status == "UNKNOWN"
    assert headers["Authorization"][7:] not in str(rpc.value) + repr(rpc.value.__cause__)
    result = grpc_client.batch.insert_objects([{"title": "x"}], collection=art, headers=headers)
    assert [f.kind for f in result.failures] == [wt.ErrorKind.UNAUTHORIZED]
