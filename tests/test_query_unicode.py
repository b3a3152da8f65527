"""Property test: any Unicode string round-trips through a filter and is a safe bm25 query."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def unicode_collection(weaviate_server: EmbeddedWeaviate) -> Iterator[tuple[wt.Client, str]]:
    name = "U" + uuid.uuid4().hex[:10]
    with wt.Client(weaviate_server.url) as c:
        c.raw.request(
            "POST",
            "/v1/schema",
            body={
                "class": name,
                "vectorizer": "none",
                "properties": [
                    # field tokenization: Equal compares the whole (whitespace-trimmed) value
                    {"name": "exact", "dataType": ["text"], "tokenization": "field"},
                    {"name": "body", "dataType": ["text"]},
                ],
            },
        )
        yield c, name
        c.raw.request("DELETE", f"/v1/schema/{name}")


# Valid Unicode only: st.text() never produces lone surrogates (those are rejected
# client-side with validation_error, see test_filters.py).
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(min_size=1, max_size=40))
def test_any_text_round_trips_through_equal_and_bm25(
    unicode_collection: tuple[wt.Client, str], text: str
) -> None:
    client, name = unicode_collection
    object_id = str(uuid.uuid4())
    response = client.raw.request(
        "POST",
        "/v1/batch/objects",
        body={
            "objects": [
                {"class": name, "id": object_id, "properties": {"exact": text, "body": text}}
            ]
        },
    )
    assert not response.body[0].get("result", {}).get("errors"), response.body

    found = (
        client.query.get(name)
        .additional("id")
        .where(wt.Filter.by_property("exact").equal(text))
        .limit(10_000)
        .do()
    )
    ids = {str(o.uuid) for o in found}
    if text.strip():
        assert object_id in ids, f"{text!r} not found by Equal"

    # Must never be a GraphQL syntax error (or any other error): the value stays a value.
    client.query.get(name).additional("id", "score").bm25(text).limit(5).do()
    client.query.get(name).additional("id").bm25(text, properties=["body", "exact"]).do()
