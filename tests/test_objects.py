"""client.objects against a real Weaviate: CRUD, vectors, cursors, validate, references."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

import weaviate_telemetry as wt


@pytest.fixture
def articles(client: wt.Client, collection_name: str) -> str:
    """A single-vector collection: title (text), year (int), cites (reference to itself)."""
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name,
            properties=[
                wt.Property("title", "text"),
                wt.Property("year", "int"),
                wt.Property("cites", [collection_name]),
            ],
        )
    )
    return collection_name


def test_insert_assigns_an_id_and_get_exists_see_it(client: wt.Client, articles: str) -> None:
    obj = client.objects.insert(articles, {"title": "Hello", "year": 2024}, vector=[0.1, 0.2, 0.3])
    assert uuid.UUID(obj.id)  # a client-assigned UUID
    assert obj.collection == articles
    assert obj.properties == {"title": "Hello", "year": 2024}
    assert obj.creation_time is not None and obj.creation_time > 0

    got = client.objects.get(articles, obj.id)
    assert got is not None
    assert got.properties == {"title": "Hello", "year": 2024}
    assert got.vector is None  # not asked for
    with_vector = client.objects.get(articles, uuid.UUID(obj.id), include_vector=True)
    assert with_vector is not None and with_vector.vector is not None
    assert [round(x, 5) for x in with_vector.vector] == [0.1, 0.2, 0.3]
    assert with_vector.raw["id"] == obj.id

    assert client.objects.exists(articles, obj.id) is True
    missing = uuid.uuid4()
    assert client.objects.exists(articles, missing) is False  # HEAD 404 is an answer
    assert client.objects.get(articles, missing) is None  # GET 404 is an answer


def test_insert_with_deterministic_id_and_duplicate(client: wt.Client, articles: str) -> None:
    oid = wt.generate_uuid5({"sku": "A-17"})
    obj = client.objects.insert(articles, {"title": "x"}, id=oid, consistency_level="QUORUM")
    assert obj.id == oid == wt.generate_uuid5({"sku": "A-17"})
    with pytest.raises(wt.ValidationError) as info:
        client.objects.insert(articles, {"title": "y"}, id=oid.upper())
    assert "already exists" in info.value.message


def test_replace_update_delete(client: wt.Client, articles: str) -> None:
    obj = client.objects.insert(articles, {"title": "a", "year": 1}, vector=[1, 0, 0])
    replaced = client.objects.replace(articles, obj.id, {"title": "b"}, vector=[0, 1, 0])
    assert replaced.properties == {"title": "b"}
    got = client.objects.get(articles, obj.id, include_vector=True)
    assert got is not None
    assert got.properties == {"title": "b"}  # PUT dropped "year"
    assert got.vector == [0, 1, 0]

    client.objects.update(articles, obj.id, {"year": 5}, consistency_level="ALL")
    got = client.objects.get(articles, obj.id, consistency_level="one")
    assert got is not None
    assert got.properties == {"title": "b", "year": 5}  # PATCH merged
    assert got.last_update_time is not None and got.creation_time is not None
    assert got.last_update_time >= got.creation_time

    with pytest.raises(wt.NotFoundError):
        client.objects.replace(articles, uuid.uuid4(), {"title": "c"})
    with pytest.raises(wt.NotFoundError):
        client.objects.update(articles, uuid.uuid4(), {"title": "c"})

    client.objects.delete(articles, obj.id)
    assert client.objects.exists(articles, obj.id) is False
    client.objects.delete(articles, obj.id)  # deleting an absent object is not an error


def test_list_with_limit_offset_and_sort(client: wt.Client, articles: str) -> None:
    for year in (2003, 2001, 2002, 2005, 2004):
        client.objects.insert(articles, {"title": f"t{year}", "year": year})
    page = client.objects.list(articles, limit=2)
    assert len(page) == 2 and page.total_results == 2
    ascending = client.objects.list(articles, sort="year")
    assert [o.properties["year"] for o in ascending] == [2001, 2002, 2003, 2004, 2005]
    descending = client.objects.list(articles, sort=["year"], order="desc", limit=2, offset=1)
    assert [o.properties["year"] for o in descending] == [2004, 2003]
    with_vectors = client.objects.list(articles, limit=1, include_vector=True)
    assert with_vectors.objects[0].id


def test_cursor_iteration_visits_every_object_once(client: wt.Client, articles: str) -> None:
    result = client.batch.insert_objects(
        ({"title": f"n{i}", "year": i} for i in range(53)), collection=articles, batch_size=20
    )
    assert result.succeeded == 53
    seen = [o.id for o in client.objects.iterate(articles, page_size=10)]
    assert len(seen) == 53
    assert set(seen) == set(result.successful_ids)
    assert seen == sorted(seen)  # the cursor walks in id order

    first = client.objects.list(articles, limit=10)
    second = client.objects.list(articles, limit=10, after=first.next_after)
    assert first.next_after is not None
    assert not {o.id for o in first} & {o.id for o in second}
    assert second.objects[0].id > first.objects[-1].id
    # one exact page boundary: the loop must stop on an empty page
    assert len(list(client.objects.iterate(articles, page_size=53))) == 53


def test_named_vectors(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name,
            properties=[wt.Property("title", "text")],
            vectors={"small": wt.NamedVector(), "large": wt.NamedVector()},
        )
    )
    obj = client.objects.insert(
        collection_name, {"title": "v"}, vectors={"small": [1, 2], "large": [0.5, 0.5, 0.5, 0.5]}
    )
    got = client.objects.get(collection_name, obj.id, include_vector=True)
    assert got is not None and got.vectors is not None
    assert got.vectors["small"] == [1, 2]
    assert got.vectors["large"] == [0.5, 0.5, 0.5, 0.5]
    client.objects.update(collection_name, obj.id, vectors={"small": [3, 4]})
    again = client.objects.get(collection_name, obj.id, include="vector")
    assert again is not None and again.vectors is not None
    assert again.vectors["small"] == [3, 4]


def test_multi_tenant_objects(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name, properties=[wt.Property("title", "text")], multi_tenancy=True
        )
    )
    client.tenants.add(collection_name, ["acme", "globex"])
    obj = client.objects.insert(collection_name, {"title": "a"}, tenant="acme")
    assert obj.tenant == "acme"
    got = client.objects.get(collection_name, obj.id, tenant="acme")
    assert got is not None and got.tenant == "acme"
    assert client.objects.get(collection_name, obj.id, tenant="globex") is None
    with pytest.raises(wt.ValidationError) as info:
        client.objects.get(collection_name, obj.id)  # no tenant on a multi-tenant collection
    assert "tenant" in info.value.message
    client.objects.update(collection_name, obj.id, {"title": "b"}, tenant="acme")
    replaced = client.objects.replace(collection_name, obj.id, {"title": "c"}, tenant="acme")
    assert replaced.properties == {"title": "c"}
    assert [o.id for o in client.objects.iterate(collection_name, tenant="acme")] == [obj.id]
    assert client.objects.list(collection_name, tenant="globex").objects == ()
    client.objects.delete(collection_name, obj.id, tenant="acme")
    assert client.objects.exists(collection_name, obj.id, tenant="acme") is False


def test_validate(client: wt.Client, articles: str) -> None:
    assert client.objects.validate(articles, {"title": "fine", "year": 3}) is None
    with pytest.raises(wt.ValidationError) as info:
        client.objects.validate(articles, {"title": 5})
    assert "title" in info.value.message
    with pytest.raises(wt.ValidationError) as info:
        client.objects.validate(articles, {"unknown_prop": [1, 2]})
    assert info.value.status_code == 422
    assert client.objects.list(articles).objects == ()  # nothing was stored


def test_references(client: wt.Client, articles: str) -> None:
    a = client.objects.insert(articles, {"title": "a"})
    b = client.objects.insert(articles, {"title": "b"})
    c = client.objects.insert(articles, {"title": "c"})
    client.objects.add_reference(articles, a.id, "cites", b.id, to_collection=articles)
    client.objects.add_reference(articles, a.id, "cites", c.id)
    got = client.objects.get(articles, a.id)
    assert got is not None
    beacons = {ref["beacon"] for ref in got.properties["cites"]}
    # the server stores the collection-qualified beacon either way
    assert beacons == {
        f"weaviate://localhost/{articles}/{b.id}",
        f"weaviate://localhost/{articles}/{c.id}",
    }

    client.objects.delete_reference(articles, a.id, "cites", b.id, to_collection=articles)
    got = client.objects.get(articles, a.id)
    assert got is not None
    assert [ref["beacon"].rsplit("/", 1)[1] for ref in got.properties["cites"]] == [c.id]

    with pytest.raises(wt.NotFoundError):
        client.objects.add_reference(articles, uuid.uuid4(), "cites", b.id)


def test_telemetry_uses_low_cardinality_paths(client: wt.Client, articles: str) -> None:
    obj = client.objects.insert(articles, {"title": "x"})
    with wt.telemetry.capture() as events:
        client.objects.get(articles, obj.id)
        client.objects.exists(articles, obj.id)
        client.objects.add_reference(articles, obj.id, "cites", obj.id)
    stops = events.of("request", "stop")
    assert [(e.metadata["operation"], e.metadata["path_template"]) for e in stops] == [
        ("objects.get", "/v1/objects/{collection}/{id}"),
        ("objects.exists", "/v1/objects/{collection}/{id}"),
        ("objects.add_reference", "/v1/objects/{collection}/{id}/references/{property}"),
    ]
    assert {e.metadata["collection"] for e in stops} == {articles}


class _Array:
    """A numpy-like array (anything with tolist()) is accepted as a vector."""

    def __init__(self, values: list[float]) -> None:
        self.values = values

    def tolist(self) -> list[float]:
        return self.values


def test_array_like_vectors_are_accepted(client: wt.Client, articles: str) -> None:
    obj = client.objects.insert(articles, {}, vector=_Array([0.25, 0.5]))  # type: ignore[arg-type]
    got = client.objects.get(articles, obj.id, include_vector=True)
    assert got is not None and got.vector == [0.25, 0.5]


OID = "4f8b1a0e-6f0a-4c7a-9d3e-2b1c0d9e8f7a"
BAD_CALLS: list[tuple[str, Any, str]] = [
    ("bad collection", lambda c: c.objects.insert("1bad", {}), "collection"),
    ("bad collection get", lambda c: c.objects.get("no spaces", OID), "collection"),
    ("bad id", lambda c: c.objects.get("A", "not-a-uuid"), "UUID"),
    ("bad id type", lambda c: c.objects.exists("A", 12), "UUID"),
    ("vector str", lambda c: c.objects.insert("A", {}, vector="0.1,0.2"), "vector"),
    ("vector of str", lambda c: c.objects.insert("A", {}, vector=["a", "b"]), "vector"),
    ("vector of bool", lambda c: c.objects.insert("A", {}, vector=[True, False]), "vector"),
    ("vector nan", lambda c: c.objects.insert("A", {}, vector=[1.0, math.nan]), "finite"),
    ("vector empty", lambda c: c.objects.replace("A", OID, {}, vector=[]), "vector"),
    ("vector dict", lambda c: c.objects.update("A", OID, {}, vector={"a": 1}), "vector"),
    ("vectors list", lambda c: c.objects.insert("A", {}, vectors=[[1.0]]), "vectors"),
    ("vectors bad name", lambda c: c.objects.insert("A", {}, vectors={"a-b": [1]}), "vectors"),
    ("vectors bad value", lambda c: c.objects.insert("A", {}, vectors={"a": ["x"]}), "vectors"),
    ("consistency", lambda c: c.objects.insert("A", {}, consistency_level="MOST"), "consistency"),
    ("consistency get", lambda c: c.objects.get("A", OID, consistency_level=1), "consistency"),
    ("consistency del", lambda c: c.objects.delete("A", OID, consistency_level="x"), "ONE"),
    ("properties type", lambda c: c.objects.insert("A", [1, 2]), "properties"),
    ("property name", lambda c: c.objects.insert("A", {"bad name": 1}), "property"),
    ("tenant", lambda c: c.objects.get("A", OID, tenant="a b"), "tenant"),
    ("include", lambda c: c.objects.get("A", OID, include="everything"), "include"),
    ("include_vector", lambda c: c.objects.get("A", OID, include_vector="yes"), "include_vector"),
    ("limit", lambda c: c.objects.list("A", limit=0), "limit"),
    ("offset", lambda c: c.objects.list("A", offset=-1), "offset"),
    ("after+offset", lambda c: c.objects.list("A", after=OID, offset=1), "after"),
    ("after+sort", lambda c: c.objects.list("A", after=OID, sort="x"), "after"),
    ("order count", lambda c: c.objects.list("A", sort="x", order=["asc", "desc"]), "order"),
    ("order value", lambda c: c.objects.list("A", sort="x", order="up"), "asc"),
    ("page_size", lambda c: c.objects.iterate("A", page_size=0), "page_size"),
    ("ref property", lambda c: c.objects.add_reference("A", OID, "bad-p", OID), "property"),
    ("ref target", lambda c: c.objects.delete_reference("A", OID, "p", "nope"), "to"),
    (
        "ref to_collection",
        lambda c: c.objects.add_reference("A", OID, "p", OID, to_collection="?"),
        "to_collection",
    ),
    ("validate", lambda c: c.objects.validate("A", {}, vector=[None]), "vector"),
]


@pytest.mark.parametrize(
    ("call", "needle"), [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_bad_arguments_fail_before_any_io(offline: wt.Client, call: Any, needle: str) -> None:
    with wt.telemetry.capture() as events, pytest.raises(wt.ValidationError) as info:
        call(offline)
    assert info.value.kind is wt.ErrorKind.VALIDATION_ERROR
    assert needle in str(info.value)
    assert events.events == []


def test_consistency_level_and_include_reach_the_server(client: wt.Client, articles: str) -> None:
    obj = client.objects.insert(articles, {"title": "x"}, consistency_level="all")
    with wt.telemetry.capture() as events:
        client.objects.get(articles, obj.id, include_vector=True, consistency_level="quorum")
        client.objects.delete(articles, obj.id, consistency_level="ONE")
    urls = [e.metadata["url"] for e in events.of("attempt", "stop")]
    assert "consistency_level=QUORUM" in urls[0] and "include=vector" in urls[0]
    assert "consistency_level=ONE" in urls[1]
    assert client.objects.exists(articles, obj.id, consistency_level="ALL") is False
