"""client.collections against a real Weaviate: schema CRUD, named vectors, tenancy, shards.

The typed and dict definitions go through ``create_from_config`` / ``create_from_dict``;
v4-style ``create(name, ...)`` is covered in test_collection_handle.py.
"""

from __future__ import annotations

from typing import Any

import pytest

import weaviate_telemetry as wt


def test_create_typed_config_round_trips(client: wt.Client, collection_name: str) -> None:
    config = wt.CollectionConfig(
        collection_name,
        description="news articles",
        properties=[
            wt.Property("title", "text", tokenization="field", index_searchable=False),
            wt.Property("year", "int", index_range_filters=True),
            wt.Property("tags", "text[]", description="free tags"),
            wt.Property(
                "meta",
                "object",
                nested_properties=[wt.Property("source", "text")],
            ),
        ],
        vector_index_config={"distance": "dot"},
    )
    created = client.collections.create_from_config(config).config.get()
    assert created.name == collection_name
    assert created.description == "news articles"
    assert created.property_names == ("title", "year", "tags", "meta")
    title, year, tags, meta = created.properties
    assert (title.data_type, title.tokenization, title.index_searchable) == ("text", "field", False)
    assert (year.data_type, year.index_range_filters) == ("int", True)
    assert tags.data_type == "text[]" and tags.description == "free tags"
    assert [p.name for p in meta.nested_properties] == ["source"]
    assert created.vectorizer == "none"
    assert created.vector_index_config is not None
    assert created.vector_index_config["distance"] == "dot"
    assert created.raw["class"] == collection_name  # the server's own definition is kept

    fetched = client.collections.export_config(collection_name)
    assert fetched.property_names == created.property_names
    assert client.collections.exists(collection_name) is True
    assert collection_name in [c.name for c in client.collections.list()]

    client.collections.delete(collection_name)
    assert client.collections.exists(collection_name) is False
    with pytest.raises(wt.NotFoundError):
        client.collections.export_config(collection_name)
    client.collections.delete(collection_name)  # deleting an absent collection is not an error


def test_create_from_dict_passes_replication_sharding_and_index_config_through(
    client: wt.Client, collection_name: str
) -> None:
    created = client.collections.create_from_dict(
        {
            "class": collection_name,
            "vectorizer": "none",
            "properties": [{"name": "body", "dataType": ["text"]}],
            "invertedIndexConfig": {"bm25": {"b": 0.6, "k1": 1.1}, "indexTimestamps": True},
            "replicationConfig": {"factor": 1},
            "shardingConfig": {"desiredCount": 1},
            "vectorIndexType": "flat",
        }
    ).config.get()
    assert created.inverted_index_config is not None
    assert created.inverted_index_config["bm25"] == {"b": 0.6, "k1": 1.1}
    assert created.inverted_index_config["indexTimestamps"] is True
    assert created.replication_config is not None
    assert created.replication_config["factor"] == 1
    assert created.sharding_config is not None
    assert created.sharding_config["desiredCount"] == 1
    assert created.vector_index_type == "flat"


def test_named_vectors_and_multi_tenancy(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name,
            properties=[wt.Property("title", "text")],
            vectors={
                "title_vec": wt.NamedVector(vector_index_config={"distance": "l2-squared"}),
                "body_vec": wt.NamedVector(vector_index_type="flat"),
            },
            multi_tenancy=True,
            auto_tenant_creation=True,
        )
    )
    got = client.collections.export_config(collection_name)
    assert got.vectors is not None
    assert set(got.vectors) == {"title_vec", "body_vec"}
    assert got.vectors["title_vec"].vector_index_type == "hnsw"
    assert got.vectors["title_vec"].vectorizer == "none"
    assert got.vectors["title_vec"].vector_index_config is not None
    assert got.vectors["title_vec"].vector_index_config["distance"] == "l2-squared"
    assert got.vectors["body_vec"].vector_index_type == "flat"
    assert got.multi_tenancy is True
    assert got.auto_tenant_creation is True


def test_create_existing_collection_is_rejected(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(wt.CollectionConfig(collection_name))
    with pytest.raises(wt.WeaviateError) as info:
        client.collections.create_from_config(wt.CollectionConfig(collection_name))
    assert info.value.kind is wt.ErrorKind.VALIDATION_ERROR
    assert info.value.status_code == 422
    assert "already exists" in info.value.message


def test_update_deep_merges_mutable_settings(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_dict(
        {"class": collection_name, "invertedIndexConfig": {"bm25": {"b": 0.75, "k1": 1.2}}}
    )
    updated = client.collections.update(
        collection_name,
        {"description": "changed", "invertedIndexConfig": {"bm25": {"b": 0.5}}},
    )
    assert updated.description == "changed"
    got = client.collections.export_config(collection_name)
    assert got.description == "changed"
    assert got.inverted_index_config is not None
    # the merge kept the sibling setting the caller did not mention
    assert got.inverted_index_config["bm25"] == {"b": 0.5, "k1": 1.2}


def test_update_of_immutable_setting_and_of_missing_collection(
    client: wt.Client, collection_name: str
) -> None:
    client.collections.create_from_config(wt.CollectionConfig(collection_name))
    with pytest.raises(wt.ValidationError) as info:
        client.collections.update(collection_name, {"vectorIndexConfig": {"distance": "dot"}})
    assert info.value.status_code == 422
    assert info.value.message  # the server's reason
    with pytest.raises(wt.NotFoundError):
        client.collections.update(collection_name + "Missing", {"description": "x"})


def test_add_property(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(wt.CollectionConfig(collection_name))
    added = client.collections.add_property(
        collection_name, wt.Property("extra", "text[]", index_filterable=False)
    )
    assert (added.name, added.data_type, added.index_filterable) == ("extra", "text[]", False)
    client.collections.add_property(collection_name, {"name": "n", "dataType": ["number"]})
    got = client.collections.export_config(collection_name)
    assert got.property_names == ("extra", "n")
    with pytest.raises(wt.ValidationError) as info:
        client.collections.add_property(collection_name + "Missing", wt.Property("x", "text"))
    assert "not found" in info.value.message


def test_shards_and_update_shard(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(wt.CollectionConfig(collection_name))
    shards = client.collections.shards(collection_name)
    assert len(shards) == 1
    assert shards[0].status == "READY"
    assert shards[0].name
    assert client.collections.update_shard(collection_name, shards[0].name, "READONLY") == (
        "READONLY"
    )
    assert client.collections.shards(collection_name)[0].status == "READONLY"
    with pytest.raises(wt.WeaviateError):
        client.objects.insert(collection_name, {})  # a read-only shard refuses writes
    assert client.collections.update_shard(collection_name, shards[0].name, "READY") == "READY"
    client.objects.insert(collection_name, {})
    with pytest.raises(wt.NotFoundError):
        client.collections.shards(collection_name + "Missing")


def test_shards_of_a_tenant(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(wt.CollectionConfig(collection_name, multi_tenancy=True))
    client.tenants.add(collection_name, ["alpha", "beta"])
    shards = client.collections.shards(collection_name, tenant="alpha")
    assert [s.name for s in shards] == ["alpha"]
    assert {s.name for s in client.collections.shards(collection_name)} == {"alpha", "beta"}


def test_calls_carry_operation_and_low_cardinality_template(
    client: wt.Client, collection_name: str
) -> None:
    with wt.telemetry.capture() as events:
        client.collections.create_from_config(wt.CollectionConfig(collection_name))
        client.collections.export_config(collection_name)
        client.collections.exists(collection_name + "Nope")
    stops = events.of("request", "stop")
    assert [e.metadata["operation"] for e in stops] == [
        "collections.create",
        "collections.export_config",
        "collections.exists",
    ]
    assert [e.metadata["path_template"] for e in stops] == [
        "/v1/schema",
        "/v1/schema/{collection}",
        "/v1/schema/{collection}",
    ]
    assert stops[0].metadata["collection"] == collection_name
    assert stops[2].metadata["status_code"] == 404  # an answer, not an error
    assert not events.of("request", "exception")


BAD_NAMES: list[Any] = ["", "1abc", "a-b", "Ab c", "Ab/c", "Ä", None, 5, "A" * 300]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_collection_names_fail_before_any_io(offline: wt.Client, name: Any) -> None:
    with wt.telemetry.capture() as events:
        for call in (
            lambda: offline.collections.export_config(name),
            lambda: offline.collections.use(name),
            lambda: offline.collections.exists(name),
            lambda: offline.collections.delete(name),
            lambda: offline.collections.shards(name),
            lambda: offline.collections.update(name, {"description": "x"}),
            lambda: offline.collections.add_property(name, wt.Property("p", "text")),
            lambda: offline.collections.create_from_config(wt.CollectionConfig(name)),
            lambda: offline.collections.create_from_dict({"class": name}),
        ):
            with pytest.raises(wt.ValidationError) as info:
                call()
            assert info.value.kind is wt.ErrorKind.VALIDATION_ERROR
            assert "collection" in info.value.message
    assert events.events == []  # nothing was sent


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda c: c.collections.create_from_dict("Article"), "config"),
        (lambda c: c.collections.create_from_config({"class": "A"}), "CollectionConfig"),
        (lambda c: c.collections.create("A", properties="title"), "properties"),
        (lambda c: c.collections.create("A", vector_config="hnsw"), "vector_config"),
        (lambda c: c.collections.create("A", multi_tenancy_config=True), "multiTenancyConfig"),
        (
            lambda c: c.collections.create_from_config(
                wt.CollectionConfig("A", [wt.Property("a b", "text")])
            ),
            "Property.name",
        ),
        (
            lambda c: c.collections.create_from_config(
                wt.CollectionConfig("A", [wt.Property("a", "")])
            ),
            "data_type",
        ),
        (
            lambda c: c.collections.create_from_config(
                wt.CollectionConfig("A", [wt.Property("a", "text", tokenization="nope")])
            ),
            "tokenization",
        ),
        (
            lambda c: c.collections.create_from_config(
                wt.CollectionConfig("A", replication_config=3)
            ),
            "replicationConfig",
        ),  # type: ignore[arg-type]
        (lambda c: c.collections.add_property("A", {"name": "x"}), "dataType"),
        (lambda c: c.collections.update("A", {}), "changes"),
        (lambda c: c.collections.update("A", {"class": "B"}), "renaming"),
        (lambda c: c.collections.update_shard("A", "s1", "BROKEN"), "READONLY"),
        (lambda c: c.collections.update_shard("A", "", "READY"), "shard"),
        (lambda c: c.collections.shards("A", tenant="bad tenant"), "tenant"),
        (lambda c: c.collections.export_config("A", timeout=-1), "timeout"),
    ],
)
def test_other_bad_arguments_fail_before_any_io(offline: wt.Client, call: Any, needle: str) -> None:
    with wt.telemetry.capture() as events, pytest.raises(wt.ValidationError) as info:
        call(offline)
    assert needle in str(info.value)
    assert events.events == []
