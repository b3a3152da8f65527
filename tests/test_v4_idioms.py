"""v4 idioms that have a counterpart here: client-level checks and batches, filter names."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration


@pytest.fixture
def two_collections(client: wt.Client) -> Iterator[tuple[str, str]]:
    names = ("Idiom" + uuid.uuid4().hex[:8], "Idiom" + uuid.uuid4().hex[:8])
    for name in names:
        client.collections.create_from_dict(
            {
                "class": name,
                "vectorizer": "none",
                "properties": [{"name": "n", "dataType": ["int"]}],
                "multiTenancyConfig": {"enabled": name == names[1]},
            }
        )
    client.tenants.add(names[1], ["acme"])
    try:
        yield names
    finally:
        for name in names:
            client.collections.delete(name)


def test_client_level_batch_names_the_collection_per_object(
    client: wt.Client,
    two_collections: tuple[str, str],
    client_cls: Any,
    weaviate_server: EmbeddedWeaviate,
) -> None:
    """On wt.Client and on wt.AsyncClient (``async with``, behind the sync surface)."""
    plain, tenanted = two_collections
    with client_cls(weaviate_server.url) as importer:
        with importer.batch.fixed_size(batch_size=7, concurrent_requests=2) as batch:
            for i in range(30):
                batch.add_object(collection=plain, properties={"n": i}, vector=[0.1, 0.2, i / 30])
            for i in range(5):
                batch.add_object(collection=tenanted, properties={"n": i}, tenant="acme")
            bad = batch.add_object(collection=plain, properties={"n": "seven"})
        assert [e.original_uuid for e in importer.batch.failed_objects] == [bad]
        assert len(batch.results_uuids) == 35 and batch.number_errors == 1
        assert len(client.collections.get(plain)) == 30
        assert len(client.collections.get(tenanted).with_tenant("acme")) == 5
        with importer.batch.dynamic() as again:  # a new context starts with no failures
            again.add_object(collection=plain, properties={"n": 99})
        assert importer.batch.failed_objects == []
    assert len(client.collections.get(plain)) == 31


def test_v4_filter_names_are_the_same_filters(
    client: wt.Client, two_collections: tuple[str, str]
) -> None:
    plain, _ = two_collections
    at_least = wt.Filter.by_property("n").greater_or_equal(3)
    at_most = wt.Filter.by_property("n").less_or_equal(3)
    assert at_least == wt.Filter.by_property("n").greater_than_equal(3)
    assert at_most == wt.Filter.by_property("n").less_than_equal(3)
    handle = client.collections.get(plain)
    for i in range(6):
        handle.data.insert({"n": i})
    assert len(handle.query.fetch_objects(filters=at_least & at_most).objects) == 1


def test_is_ready_and_is_live_as_in_v4(client: wt.Client, offline: wt.Client) -> None:
    assert client.is_ready() and client.is_live()
    assert not offline.is_ready(timeout=0.5) and not offline.is_live(timeout=0.5)
