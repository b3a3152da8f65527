"""A batch import through an unreliable network loses nothing and duplicates nothing.

Path: client → toxiproxy (reset_peer on ~5 % of connections, latency
spikes) → FaultProxy (503 bursts, ``Connection: close`` so every request is
a new connection that meets the toxics anew) → the real Weaviate.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

import weaviate_telemetry as wt
from tests.peers.toxiproxy import Toxiproxy
from tests.support.servers import PASS, REFUSE_503, FaultProxy
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration


def _bursts(number: int, method: str, path: str) -> str:
    """503 for three requests in a row out of every 40 batch requests (7.5 %)."""
    if method == "POST" and path == "/v1/batch/objects" and number % 40 in (7, 8, 9):
        return REFUSE_503
    return PASS


@pytest.fixture
def unreliable(weaviate_server: EmbeddedWeaviate) -> Iterator[tuple[str, Toxiproxy, FaultProxy]]:
    """(URL through toxiproxy and the fault proxy, toxiproxy, fault proxy)."""
    with Toxiproxy() as toxi, FaultProxy(weaviate_server.url, _bursts, True) as faults:
        name = "batch_" + uuid.uuid4().hex[:8]
        url = toxi.proxy(name, urlsplit(faults.url).port or 80)
        for stream in ("downstream", "upstream"):
            toxi.call(
                "POST",
                f"/proxies/{name}/toxics",
                {
                    "name": f"reset_{stream}",
                    "type": "reset_peer",
                    "stream": stream,
                    "toxicity": 0.025,  # 2.5 % per direction ≈ 5 % of connections
                    "attributes": {"timeout": 0},
                },
            )
        toxi.call(
            "POST",
            f"/proxies/{name}/toxics",
            {
                "name": "spikes",
                "type": "latency",
                "stream": "downstream",
                "toxicity": 0.1,
                "attributes": {"latency": 150, "jitter": 100},
            },
        )
        yield url, toxi, faults


def _objects(ids: list[str]) -> Iterator[dict[str, object]]:
    for k, oid in enumerate(ids):
        yield {"id": oid, "properties": {"n": k, "title": f"doc {k}"}, "vector": [k % 7, 1.0, 0.5]}


def _stored_ids(client: wt.Client, name: str) -> list[str]:
    return [o.id for o in client.objects.iterate(name, page_size=2000)]


def _collection(client: wt.Client) -> str:
    name = "B" + uuid.uuid4().hex[:10]
    client.collections.create_from_config(
        wt.CollectionConfig(
            name, properties=[wt.Property("n", "int"), wt.Property("title", "text")]
        )
    )
    return name


def test_ten_thousand_objects_through_faults_all_stored_once(
    unreliable: tuple[str, Toxiproxy, FaultProxy], client: wt.Client
) -> None:
    url, _, faults = unreliable
    name = _collection(client)
    ids = [str(uuid.uuid4()) for _ in range(10_000)]
    policy = wt.RetryPolicy(
        enabled=True, max_attempts=8, initial_backoff=0.02, max_backoff=0.3, budget_ratio=0.5
    )
    with wt.Client(url, retry=policy, timeouts=wt.Timeouts(read=10, total=60)) as importer:
        with wt.telemetry.capture() as events:
            started = time.monotonic()
            result = importer.batch.insert_objects(
                _objects(ids), collection=name, batch_size=50, concurrency=2
            )
            took = time.monotonic() - started
    retries = Counter(e.metadata["error_kind"] for e in events.of("request", "retry"))
    print(
        f"\n[batch+faults] {result.succeeded} stored, {result.failed} failed in {took:.1f}s; "
        f"proxy saw {sum(faults.received.values())} requests {dict(faults.outcomes)}; "
        f"retries by kind {dict(retries)}"
    )
    assert result.ok, result.failures[:3]
    assert sorted(result.successful_ids) == sorted(ids)
    # The faults really happened and were ridden out.
    assert faults.outcomes[REFUSE_503] >= 5 and retries["unavailable"] >= 5
    assert retries["connection_error"] >= 1
    stored = _stored_ids(client, name)
    assert len(stored) == 10_000 and set(stored) == set(ids)  # exactly those ids, once each
    assert client.query.aggregate(name).meta_count().do().total_count == 10_000
    client.collections.delete(name)


def test_without_retries_every_lost_object_is_reported_and_nothing_false_is_claimed(
    unreliable: tuple[str, Toxiproxy, FaultProxy], client: wt.Client
) -> None:
    url, _, faults = unreliable
    name = _collection(client)
    ids = [str(uuid.uuid4()) for _ in range(3000)]
    with wt.Client(url, timeouts=wt.Timeouts(read=10, total=30)) as importer:
        result = importer.batch.insert_objects(
            _objects(ids), collection=name, batch_size=25, concurrency=2
        )
    stored = set(_stored_ids(client, name))
    failed_ids = [f.id for f in result.failures]
    kinds = Counter(f.kind for f in result.failures)
    in_doubt = stored & set(failed_ids)  # the server stored them, the answer was lost
    print(
        f"\n[batch no retry] {result.succeeded} stored, {result.failed} failed {dict(kinds)}; "
        f"server holds {len(stored)}; failed-but-stored (answer lost) {len(in_doubt)}; "
        f"proxy {dict(faults.outcomes)}"
    )
    assert result.failed > 0  # faults hit this import
    assert result.total == len(ids)
    assert sorted([*result.successful_ids, *failed_ids]) == sorted(ids)  # every item accounted
    assert set(result.successful_ids) <= stored  # nothing reported stored that isn't
    assert stored <= set(ids)
    for f in result.failures:
        assert f.kind in (wt.ErrorKind.UNAVAILABLE, wt.ErrorKind.CONNECTION_ERROR), f
        assert f.message  # the cause, e.g. the server's "injected 503" or the reset
    assert any("injected 503" in f.message for f in result.failures)
    # A failed chunk that the server did store is the only way stored ⊄ reported-stored.
    assert stored - set(result.successful_ids) == in_doubt
    assert all(kinds[k] for k in kinds if k is not None)
    client.collections.delete(name)


def test_a_handle_batch_through_faults_stores_every_object_exactly_once(
    unreliable: tuple[str, Toxiproxy, FaultProxy], client: wt.Client, client_cls: Any
) -> None:
    """``collection.batch.fixed_size()`` on either driver (threads on wt.Client, tasks on
    wt.AsyncClient): every chunk POST cut or refused is retried with the same ids, so each
    object is stored once and none is reported failed."""
    url, _, faults = unreliable
    name = _collection(client)
    ids = [str(uuid.uuid4()) for _ in range(2000)]
    policy = wt.RetryPolicy(
        enabled=True, max_attempts=8, initial_backoff=0.02, max_backoff=0.3, budget_ratio=0.5
    )
    with client_cls(url, retry=policy, timeouts=wt.Timeouts(read=10, total=60)) as importer:
        with wt.telemetry.capture() as events:
            handle = importer.collections.use(name)
            with handle.batch.fixed_size(batch_size=40, concurrent_requests=4) as batch:
                for k, oid in enumerate(ids):
                    batch.add_object({"n": k, "title": f"doc {k}"}, uuid=oid, vector=[k % 7, 1, 0])
    retries = Counter(e.metadata["error_kind"] for e in events.of("request", "retry"))
    assert batch.failed_objects == [] and batch.number_errors == 0
    assert sorted(str(u) for u in batch.results_uuids) == sorted(ids)
    assert faults.outcomes[REFUSE_503] >= 1 and retries["unavailable"] >= 1  # faults were met
    stored = _stored_ids(client, name)
    assert len(stored) == 2000 and set(stored) == set(ids)  # exactly those ids, once each
    client.collections.delete(name)
