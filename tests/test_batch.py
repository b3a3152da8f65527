"""client.batch against a real Weaviate: chunked import, per-item failures, delete, references."""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry._api.batch import BatchObject, BatchProgress, BatchReference
from weaviate_telemetry._core.config import RequestOptions
from weaviate_telemetry._core.effects import Steps
from weaviate_telemetry._core.models import Request, Response

T = TypeVar("T")


@pytest.fixture
def docs(client: wt.Client, collection_name: str) -> str:
    """A collection with title (text) and year (int)."""
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name, properties=[wt.Property("title", "text"), wt.Property("year", "int")]
        )
    )
    return collection_name


def _count(client: wt.Client, collection: str, tenant: str | None = None) -> int:
    return sum(1 for _ in client.objects.iterate(collection, page_size=1000, tenant=tenant))


def test_generator_import_is_chunked_concurrent_and_complete(client: wt.Client, docs: str) -> None:
    pulled = 0
    batch_size, concurrency = 64, 4

    def source() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for i in range(1000):
            pulled += 1
            yield {"title": f"doc {i}", "year": i}

    progress: list[BatchProgress] = []
    in_flight_ok: list[bool] = []
    threads: set[str] = set()

    def on_progress(p: BatchProgress) -> None:
        progress.append(p)
        threads.add(threading.current_thread().name)
        # bounded in-flight: never more than `concurrency` chunks ahead of the answers
        in_flight_ok.append(pulled - p.processed <= batch_size * (concurrency + 1))

    result = client.batch.insert_objects(
        source(),
        collection=docs,
        batch_size=batch_size,
        concurrency=concurrency,
        on_progress=on_progress,
    )
    assert result.ok
    assert (result.total, result.succeeded, result.failed) == (1000, 1000, 0)
    assert len(set(result.successful_ids)) == 1000
    assert all(uuid.UUID(i) for i in result.successful_ids)
    assert result.duration > 0
    assert len(progress) == math.ceil(1000 / batch_size)
    assert [p.chunks for p in progress] == list(range(1, len(progress) + 1))
    assert progress[-1] == BatchProgress(1000, 1000, 0, len(progress))
    assert all(in_flight_ok)
    assert threads == {threading.current_thread().name}  # callbacks run in the caller's thread
    assert _count(client, docs) == 1000


def test_a_failed_item_is_reported_with_the_server_message(client: wt.Client, docs: str) -> None:
    objects: list[dict[str, Any]] = [{"title": f"ok {i}", "year": i} for i in range(10)]
    objects[3] = {"title": "bad", "year": "not a number"}
    objects[7] = {"title": 42, "year": 7}
    result = client.batch.insert_objects(objects, collection=docs, batch_size=4)
    assert (result.total, result.succeeded, result.failed) == (10, 8, 2)
    assert not result.ok
    assert [f.index for f in result.failures] == [3, 7]
    bad_year, bad_title = result.failures
    assert "year" in bad_year.message and "integer" in bad_year.message
    assert "title" in bad_title.message
    assert bad_year.kind is None  # rejected by the server item by item
    stored = {o.id for o in client.objects.iterate(docs)}
    assert stored == set(result.successful_ids)  # never reported stored when it is not
    assert bad_year.id not in stored and bad_title.id not in stored


def test_resending_the_same_objects_upserts(client: wt.Client, docs: str) -> None:
    objects = [
        BatchObject(docs, {"title": f"t{i}", "year": i}, id=wt.generate_uuid5(i, docs))
        for i in range(20)
    ]
    first = client.batch.insert_objects(objects, batch_size=7)
    second = client.batch.insert_objects(iter(objects), batch_size=5, concurrency=3)
    assert first.successful_ids == second.successful_ids
    assert first.succeeded == second.succeeded == 20
    assert _count(client, docs) == 20


def test_chunks_are_sent_as_idempotent_batch_requests(client: wt.Client, docs: str) -> None:
    sent: list[Request] = []
    real_send = client.batch._send  # builds each chunk's call as pipeline steps

    def spy(
        request: Request, options: RequestOptions | None, parse: Callable[[Response], T]
    ) -> Steps[T]:
        sent.append(request)
        return real_send(request, options, parse)

    client.batch._send = spy
    client.batch.insert_objects(
        ({"title": str(i)} for i in range(5)), collection=docs, batch_size=2
    )
    assert [len(r.body["objects"]) for r in sent] == [2, 2, 1]
    assert all(r.is_idempotent and r.path == "/v1/batch/objects" for r in sent)
    assert all(o["id"] for r in sent for o in r.body["objects"])  # ids assigned before sending


def test_input_forms_named_vectors_and_tenants(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name,
            properties=[wt.Property("title", "text")],
            vectors={"v": wt.NamedVector()},
            multi_tenancy=True,
        )
    )
    client.tenants.add(collection_name, ["acme", "globex"])
    given = str(uuid.uuid4())
    items: list[Any] = [
        BatchObject(collection_name, {"title": "typed"}, vectors={"v": [1, 0]}, tenant="acme"),
        {"class": collection_name, "properties": {"title": "rest"}, "id": given},
        {"title": "plain properties"},
        {"collection": collection_name, "properties": {"title": "g"}, "tenant": "globex"},
    ]
    result = client.batch.insert_objects(items, collection=collection_name, tenant="acme")
    assert result.ok, result.failures
    assert result.successful_ids[1] == given
    assert _count(client, collection_name, tenant="acme") == 3
    assert _count(client, collection_name, tenant="globex") == 1
    typed = client.objects.get(
        collection_name, result.successful_ids[0], tenant="acme", include_vector=True
    )
    assert typed is not None and typed.vectors == {"v": [1, 0]}


def test_invalid_items_are_failures_and_the_rest_is_imported(client: wt.Client, docs: str) -> None:
    items: list[Any] = [
        {"title": "good 0"},
        {"properties": {"title": "bad vector"}, "vector": ["x"]},
        {"properties": {"title": "bad key"}, "vectr": [1.0]},
        "not an object",
        {"title": "good 4"},
    ]
    result = client.batch.insert_objects(items, collection=docs)
    assert result.succeeded == 2
    assert [(f.index, f.kind) for f in result.failures] == [
        (1, wt.ErrorKind.VALIDATION_ERROR),
        (2, wt.ErrorKind.VALIDATION_ERROR),
        (3, wt.ErrorKind.VALIDATION_ERROR),
    ]
    assert "vector" in result.failures[0].message
    assert "vectr" in result.failures[1].message
    assert _count(client, docs) == 2


def test_an_item_without_its_tenant_fails_alone(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(collection_name, [wt.Property("t", "text")], multi_tenancy=True)
    )
    client.tenants.add(collection_name, "acme")
    result = client.batch.insert_objects(
        [
            BatchObject(collection_name, {"t": "a"}, tenant="acme"),
            BatchObject(collection_name, {"t": "b"}),  # no tenant
            BatchObject(collection_name, {"t": "c"}, tenant="nobody"),
        ]
    )
    assert result.succeeded == 1
    assert [(f.index, f.kind) for f in result.failures] == [(1, None), (2, None)]
    assert "tenant" in result.failures[0].message
    assert "nobody" in result.failures[1].message
    assert _count(client, collection_name, tenant="acme") == 1


def test_failed_requests_mark_their_chunks_failed_without_raising(offline: wt.Client) -> None:
    progress: list[BatchProgress] = []
    result = offline.batch.insert_objects(
        ({"title": str(i)} for i in range(5)),
        collection="Docs",
        batch_size=2,
        on_progress=progress.append,
    )
    assert (result.succeeded, result.failed) == (0, 5)
    assert {f.kind for f in result.failures} == {wt.ErrorKind.CONNECTION_ERROR}
    assert all(f.id for f in result.failures)
    assert progress[-1] == BatchProgress(5, 0, 5, 3)


def test_telemetry_metadata_follows_chunks_into_worker_threads(
    client: wt.Client, docs: str
) -> None:
    with wt.telemetry.capture() as events, wt.telemetry.metadata(job="import-42"):
        client.batch.insert_objects(
            ({"title": str(i)} for i in range(6)), collection=docs, batch_size=2, concurrency=3
        )
    stops = events.of("request", "stop")
    assert len(stops) == 3
    for event in stops:
        assert event.metadata["operation"] == "batch.insert_objects"
        assert event.metadata["path_template"] == "/v1/batch/objects"
        assert event.metadata["collection"] == docs
        assert event.metadata["metadata"]["job"] == "import-42"


class _Filter:
    """Stands in for a query-builder filter: anything with to_rest()."""

    def __init__(self, rest: dict[str, Any]) -> None:
        self.rest = rest

    def to_rest(self) -> dict[str, Any]:
        return self.rest


def test_delete_objects_dry_run_then_real_run(client: wt.Client, docs: str) -> None:
    client.batch.insert_objects(
        ({"title": f"t{i}", "year": i} for i in range(30)), collection=docs, batch_size=10
    )
    where = {"path": ["year"], "operator": "LessThan", "valueInt": 10}

    dry = client.batch.delete_objects(docs, where, dry_run=True)
    assert (dry.matches, dry.successful, dry.failed, dry.dry_run) == (10, 0, 0, True)
    assert dry.limit is not None and dry.limit >= 10
    assert _count(client, docs) == 30  # nothing deleted

    verbose = client.batch.delete_objects(docs, _Filter(where), dry_run=True, output="verbose")
    assert len(verbose.objects) == 10
    assert {o.status for o in verbose.objects} == {"DRYRUN"}

    real = client.batch.delete_objects(docs, where)
    assert (real.matches, real.successful, real.failed, real.dry_run) == (10, 10, 0, False)
    assert real.raw["match"]["class"] == docs
    assert _count(client, docs) == 20
    assert {o.id for o in verbose.objects}.isdisjoint(o.id for o in client.objects.iterate(docs))

    both = {
        "operator": "And",
        "operands": [
            {"path": ["year"], "operator": "GreaterThanEqual", "valueInt": 20},
            {"path": ["title"], "operator": "Like", "valueText": "t2*"},
        ],
    }
    again = client.batch.delete_objects(docs, both, output="verbose")
    assert (again.matches, again.successful) == (10, 10)
    assert {o.status for o in again.objects} == {"SUCCESS"}
    assert _count(client, docs) == 10


def test_delete_objects_in_a_tenant(client: wt.Client, collection_name: str) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name, properties=[wt.Property("n", "int")], multi_tenancy=True
        )
    )
    client.tenants.add(collection_name, ["a", "b"])
    for tenant in ("a", "b"):
        client.batch.insert_objects(
            ({"n": i} for i in range(5)), collection=collection_name, tenant=tenant
        )
    where = {"path": ["n"], "operator": "GreaterThan", "valueInt": 1}
    result = client.batch.delete_objects(collection_name, where, tenant="a")
    assert result.successful == 3
    assert _count(client, collection_name, tenant="a") == 2
    assert _count(client, collection_name, tenant="b") == 5


def test_insert_references(client: wt.Client, collection_name: str) -> None:
    authors = collection_name + "Author"
    books = collection_name + "Book"
    client.collections.create_from_config(
        wt.CollectionConfig(authors, [wt.Property("name", "text")])
    )
    client.collections.create_from_config(
        wt.CollectionConfig(books, [wt.Property("title", "text"), wt.Property("by", [authors])])
    )
    people = client.batch.insert_objects(
        [{"name": "Ann"}, {"name": "Bob"}], collection=authors
    ).successful_ids
    titles = client.batch.insert_objects(
        [{"title": "One"}, {"title": "Two"}], collection=books
    ).successful_ids
    refs: list[Any] = [
        BatchReference(books, titles[0], "by", people[0], to_collection=authors),
        {"from_collection": books, "from_id": titles[1], "from_property": "by", "to_id": people[1]},
        BatchReference(books, titles[0], "no_such_property", people[1]),
        BatchReference(books, titles[1], "by", people[0], to_collection=authors),
    ]
    progress: list[BatchProgress] = []
    result = client.batch.insert_references(refs, batch_size=2, on_progress=progress.append)
    assert (result.succeeded, result.failed) == (3, 1)
    (failure,) = result.failures
    assert (failure.index, failure.id) == (2, titles[0])
    assert "no_such_property" in failure.message
    assert progress[-1].processed == 4

    one = client.objects.get(books, titles[0])
    two = client.objects.get(books, titles[1])
    assert one is not None and two is not None
    assert [r["beacon"].rsplit("/", 1)[1] for r in one.properties["by"]] == [people[0]]
    assert {r["beacon"].rsplit("/", 1)[1] for r in two.properties["by"]} == set(people)


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda c: c.batch.insert_objects([], collection="1x"), "collection"),
        (lambda c: c.batch.insert_objects([], batch_size=0), "batch_size"),
        (lambda c: c.batch.insert_objects([], batch_size=True), "batch_size"),
        (lambda c: c.batch.insert_objects([], concurrency=0), "concurrency"),
        (lambda c: c.batch.insert_objects([], consistency_level="SOME"), "consistency"),
        (lambda c: c.batch.insert_objects([], tenant="a b"), "tenant"),
        (lambda c: c.batch.insert_objects("abc"), "objects"),
        (lambda c: c.batch.insert_objects({"title": "x"}), "objects"),
        (lambda c: c.batch.insert_objects([], on_progress=5), "on_progress"),
        (lambda c: c.batch.insert_references([], batch_size=10**6), "batch_size"),
        (lambda c: c.batch.insert_references(None), "references"),
        (lambda c: c.batch.delete_objects("Docs", {"path": ["x"]}), "operator"),
        (lambda c: c.batch.delete_objects("Docs", "year < 3"), "where"),
        (lambda c: c.batch.delete_objects("Docs", _Filter({})), "operator"),
        (lambda c: c.batch.delete_objects("1Docs", {"operator": "Equal"}), "collection"),
        (
            lambda c: c.batch.delete_objects("Docs", {"operator": "Equal"}, dry_run="yes"),
            "dry_run",
        ),
        (lambda c: c.batch.delete_objects("Docs", {"operator": "Equal"}, output="all"), "output"),
        (
            lambda c: c.batch.delete_objects("Docs", {"operator": "Equal"}, consistency_level=2),
            "consistency",
        ),
    ],
)
def test_bad_arguments_fail_before_any_io(offline: wt.Client, call: Any, needle: str) -> None:
    with wt.telemetry.capture() as events, pytest.raises(wt.ValidationError) as info:
        call(offline)
    assert needle in str(info.value)
    assert events.events == []


def test_invalid_references_are_failures(offline: wt.Client) -> None:
    oid = str(uuid.uuid4())
    progress: list[BatchProgress] = []
    result = offline.batch.insert_references(
        [
            {"from_collection": "A", "from_id": oid, "from_property": "p"},  # no to_id
            BatchReference("A", "not-a-uuid", "p", oid),
            BatchReference("A", oid, "p", oid, tenant="bad tenant"),
            42,
        ],
        on_progress=progress.append,
    )
    # nothing was sent, yet the progress display hears about every item
    assert progress == [BatchProgress(4, 0, 4, 0)]
    assert result.succeeded == 0
    assert [(f.index, f.kind) for f in result.failures] == [
        (i, wt.ErrorKind.VALIDATION_ERROR) for i in range(4)
    ]
    assert result.failures[1].id == "not-a-uuid"


def test_delete_objects_takes_the_query_filter_helpers(client: wt.Client, docs: str) -> None:
    client.batch.insert_objects(
        ({"title": f"t{i}", "year": i} for i in range(12)), collection=docs, batch_size=5
    )
    where = wt.Filter.any_of(
        wt.Filter.by_property("year").less_than(3),
        wt.Filter.by_property("title").equal("t11"),
    )
    dry = client.batch.delete_objects(docs, where, dry_run=True)
    assert dry.matches == 4 and dry.successful == 0
    done = client.batch.delete_objects(docs, where)
    assert done.successful == 4
    assert sorted(o.properties["year"] for o in client.objects.iterate(docs)) == list(range(3, 11))
