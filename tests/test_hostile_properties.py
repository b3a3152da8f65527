"""Generated hostile input at the public entry points, on REST and gRPC alike.

For any generated name, number, string or header the SDK either refuses it with a
typed ``WeaviateError`` before any I/O, or the real Weaviate round-trips it exactly;
never a builtin exception, and the next call's answer is what it was
(docs/configuration.md#limits).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weaviate_telemetry as wt
from weaviate_telemetry._api.batch import BatchResult
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

T = TypeVar("T")
BOUNDED = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# Text including what breaks encoders: lone surrogates, NUL, controls, astral planes.
hostile_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=40
) | st.sampled_from(["Art\n", "Art\r\n", " Art", "Art ", "\udc80", "\x00", "é", "A" * 300])
hostile_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, -(2**63), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e39, -1e39, 3.4028234663852886e38, 5e-324, -0.0]),
    st.booleans(),
    st.none(),
)


class Case:
    """A client on each transport for the shared server, and a collection with one object."""

    def __init__(self, rest: wt.Client, grpc: wt.Client, name: str) -> None:
        self.rest, self.grpc, self.name = rest, grpc, name
        self.clients = (rest, grpc)

    def baseline(self, client: wt.Client) -> list[Any]:
        rows = client.collections.get(self.name).query.fetch_objects(limit=10).objects
        return sorted(str(r.properties.get("title")) for r in rows)


@pytest.fixture(scope="module")
def case(weaviate_server: EmbeddedWeaviate) -> Iterator[Case]:
    name = "Hostile" + uuid.uuid4().hex[:8]
    with (
        weaviate_server.client(grpc_port=None) as rest,
        weaviate_server.client() as grpc,
    ):
        rest.collections.create_from_dict(
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
        rest.objects.insert(name, {"title": "kept"}, vector=[1.0, 0.0])
        try:
            yield Case(rest, grpc, name)
        finally:
            rest.collections.delete(name)


def typed_or(run: Callable[[], T]) -> T | wt.WeaviateError:
    """``run()``'s value, or the WeaviateError it raised; anything else fails the test."""
    try:
        return run()
    except wt.WeaviateError as err:
        return err


def refused(outcome: object) -> bool:
    if isinstance(outcome, wt.WeaviateError):
        # Refused by the SDK's validation, or by the server for a valid-looking
        # value it does not accept (an answer, not a transport failure).
        assert outcome.kind in (
            wt.ErrorKind.VALIDATION_ERROR,
            wt.ErrorKind.BAD_REQUEST,
            wt.ErrorKind.NOT_FOUND,
            wt.ErrorKind.GRAPHQL_ERROR,
        ), outcome
        return True
    return False


@BOUNDED
@given(text=hostile_text, after_the_real_name=st.booleans())
def test_generated_collection_names(case: Case, text: str, after_the_real_name: bool) -> None:
    name = case.name + text if after_the_real_name else text
    for client in case.clients:
        before = case.baseline(client)
        exists = typed_or(lambda c=client: c.collections.exists(name))
        if not refused(exists):
            # accepted means it is a name, all of it (Weaviate's rule, as a full match)
            assert re.fullmatch(r"[A-Za-z][_0-9A-Za-z]{0,254}", name), name
            assert exists is (name[:1].upper() + name[1:] == case.name)
        rows = typed_or(lambda c=client: c.query.get(name).fields("title").do())
        if not refused(rows) and name[:1].upper() + name[1:] == case.name:
            assert len(rows.objects) == 1  # type: ignore[union-attr]
        assert case.baseline(client) == before


@BOUNDED
@given(limit=hostile_numbers, offset=hostile_numbers, auto=hostile_numbers)
def test_generated_counts(case: Case, limit: Any, offset: Any, auto: Any) -> None:
    for client in case.clients:
        before = case.baseline(client)
        query = client.collections.get(case.name).query
        for kwargs in ({"limit": limit}, {"offset": offset}, {"auto_limit": auto}):
            got = typed_or(lambda q=query, k=kwargs: q.near_vector([1.0, 0.0], **k))
            if not refused(got):
                assert len(got.objects) <= 1  # type: ignore[union-attr]
        assert case.baseline(client) == before


@BOUNDED
@given(vector=st.lists(hostile_numbers, min_size=2, max_size=2))
def test_generated_vectors(case: Case, vector: list[Any]) -> None:
    for client in case.clients:
        before = case.baseline(client)
        got = typed_or(
            lambda c=client: c.collections.get(case.name).query.near_vector(vector, limit=3)
        )
        if not refused(got):
            assert all(isinstance(x, (int, float)) and math.isfinite(x) for x in vector)
        assert case.baseline(client) == before


@BOUNDED
@given(title=hostile_text, score=hostile_numbers, count=hostile_numbers)
def test_generated_values_round_trip_or_are_refused(
    case: Case, title: str, score: Any, count: Any
) -> None:
    props = {"title": title, "score": score, "count": count}
    for client, transport in ((case.rest, "rest"), (case.grpc, "grpc")):
        oid = str(uuid.uuid4())
        item = {"properties": props, "id": oid}
        result = typed_or(
            lambda c=client, t=transport, i=item: c.batch.insert_objects(
                [i], collection=case.name, transport=t
            )
        )
        assert isinstance(result, BatchResult)  # a batch reports; it never raises for data
        if result.failed:
            assert result.failures[0].id in (oid, None)
            assert result.failures[0].kind in (wt.ErrorKind.VALIDATION_ERROR, None), result
            assert client.objects.get(case.name, oid) is None  # nothing half-stored
            continue
        stored = client.objects.get(case.name, oid)
        assert stored is not None
        got = stored.properties
        assert got.get("title") == title
        for key, sent in (("score", score), ("count", count)):
            if sent is None:
                assert got.get(key) is None
            else:
                assert got.get(key) == sent and not isinstance(sent, bool), (key, sent, got)
        client.objects.delete(case.name, oid)


@BOUNDED
@given(name=hostile_text, value=hostile_text)
def test_generated_headers(case: Case, name: str, value: str) -> None:
    for client in case.clients:
        version = client.meta().version
        before = case.baseline(client)
        got = typed_or(lambda c=client: c.meta(headers={name: value}))
        if not refused(got):
            assert got.version == version  # type: ignore[union-attr]
        searched = typed_or(
            lambda c=client: c.collections.get(case.name).query.fetch_objects(
                limit=5, headers={name: value}
            )
        )
        if not refused(searched):
            assert len(searched.objects) == 1  # type: ignore[union-attr]
        assert client.meta().version == version
        assert case.baseline(client) == before
