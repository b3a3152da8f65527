"""AsyncClient on the real Weaviate: the same pipeline as the sync client, driven by asyncio.

Coroutines run with ``asyncio.run`` (no pytest plugin).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import warnings
from typing import Any

import pytest

import weaviate_telemetry as wt
from tests.support.hostile import GrpcEchoServer, HostileServer
from weaviate_telemetry._core.grpc_stubs.v1 import search_get_pb2
from weaviate_telemetry._core.models import Request, Response, RpcCall
from weaviate_telemetry.embedded import EmbeddedWeaviate


def grpc_port(server: EmbeddedWeaviate) -> int:
    assert server.ports is not None
    return server.ports.grpc


def _client(server: EmbeddedWeaviate, **kwargs: Any) -> wt.AsyncClient:
    client: wt.AsyncClient = server.async_client(**kwargs)  # its gRPC port, as client()
    assert client.config.grpc_port == grpc_port(server)
    return client


def test_health_meta_nodes_and_raw_agree_with_the_sync_client(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    async def main() -> tuple[Any, ...]:
        async with _client(weaviate_server) as client:
            waited = await client.health.wait_until_ready(timeout=30)
            return (
                await client.health.ready(),
                await client.health.live(),
                await client.health.grpc(),
                (await client.meta()).version,
                [n.name for n in await client.nodes()],
                (await client.raw.request("GET", "/v1/schema")).status,
                waited >= 0,
            )

    with wt.Client(weaviate_server.url, grpc_port=grpc_port(weaviate_server)) as sync:
        expected = (
            sync.health.ready(),
            sync.health.live(),
            sync.health.grpc(),
            sync.meta().version,
            [n.name for n in sync.nodes()],
            sync.raw.request("GET", "/v1/schema").status,
            True,
        )
    assert asyncio.run(main()) == expected


def test_errors_have_the_sync_kinds(weaviate_server: EmbeddedWeaviate) -> None:
    async def main() -> list[str]:
        kinds = []
        async with _client(weaviate_server) as client:
            for call in (
                client.raw.request("GET", "/v1/schema/NoSuchClass"),
                client.raw.request("POST", "/v1/objects", body={"class": 7}),
            ):
                try:
                    await call
                except wt.WeaviateError as err:
                    kinds.append(err.kind.value)
        no_retry = wt.RetryPolicy(enabled=False)
        async with wt.AsyncClient("http://127.0.0.1:9", retry=no_retry) as down:
            try:
                await down.meta()
            except wt.WeaviateError as err:
                kinds.append(err.kind.value)
        return kinds

    sync_kinds = []
    with wt.Client(weaviate_server.url) as sync:
        for call in (
            lambda: sync.raw.request("GET", "/v1/schema/NoSuchClass"),
            lambda: sync.raw.request("POST", "/v1/objects", body={"class": 7}),
        ):
            with pytest.raises(wt.WeaviateError) as info:
                call()
            sync_kinds.append(info.value.kind.value)
    with wt.Client("http://127.0.0.1:9", retry=wt.RetryPolicy(enabled=False)) as down_sync:
        with pytest.raises(wt.WeaviateError) as info:
            down_sync.meta()
        sync_kinds.append(info.value.kind.value)
    assert asyncio.run(main()) == sync_kinds


def test_a_thousand_concurrent_tasks_get_their_own_answers(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    async def main() -> int:
        async with _client(weaviate_server) as client:

            async def one(i: int) -> bool:
                answer = await client.raw.request(
                    "GET", "/v1/.well-known/ready", headers={"X-Task": str(i)}
                )
                meta = await client.meta()
                return answer.status == 200 and meta.version == version

            version = (await client.meta()).version
            results = await asyncio.gather(*(one(i) for i in range(1000)))
            idle = client._pipeline.pool_use()
            assert all(use.in_use == 0 for use in idle)
            return sum(1 for ok in results if not ok)

    assert asyncio.run(main()) == 0


def test_same_events_as_sync_and_cancellation_closes_the_call(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    def names(events: list[Any]) -> list[tuple[str, ...]]:
        return [tuple(e.name) for e in events]

    with wt.telemetry.capture() as sync_cap, wt.Client(weaviate_server.url) as sync:
        sync.meta()

    async def main() -> tuple[list[Any], list[Any]]:
        async with _client(weaviate_server) as client:
            with wt.telemetry.capture() as cap:
                await client.meta()
            with wt.telemetry.capture() as cancelled_cap:
                # Cancelled while its attempt is in flight.
                task = asyncio.ensure_future(
                    client.raw.request("GET", "/v1/.well-known/ready", timeout=30)
                )
                await asyncio.sleep(0)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            assert all(use.in_use == 0 for use in client._pipeline.pool_use())
        return cap.events, cancelled_cap.events

    events, cancelled = asyncio.run(main())
    assert names(events) == names(sync_cap.events)
    ends = [e for e in cancelled if e.name[-1] in ("stop", "exception")]
    starts = [e for e in cancelled if e.name[-1] == "start"]
    assert len(starts) == len(ends)
    assert all(e.metadata["error_kind"] == "cancelled" for e in ends if e.name[-1] == "exception")


def test_close_is_idempotent_and_later_calls_fail(weaviate_server: EmbeddedWeaviate) -> None:
    async def main() -> str:
        client = _client(weaviate_server)
        await client.meta()
        await client.close()
        await client.close()
        try:
            await client.meta()
        except wt.WeaviateError as err:
            return err.kind.value
        return "no error"

    assert asyncio.run(main()) == "connection_error"


def test_tenants_are_the_same_namespace_on_both_clients(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    """client.tenants is one class (methods written once); AsyncClient awaits its plans."""
    name = "AsyncTenantsDocs"
    with wt.Client(weaviate_server.url) as sync:
        if sync.collections.exists(name):
            sync.collections.delete(name)
        sync.collections.create(name, multi_tenancy_config=wt.Configure.multi_tenancy(True))
        sync.tenants.add(name, ["a", "b"])

    async def main() -> tuple[Any, ...]:
        async with _client(weaviate_server) as client:
            added = await client.tenants.add(name, ["c"], activity_status="INACTIVE")
            listed, got, there, gone = await asyncio.gather(
                client.tenants.list(name),
                client.tenants.get(name, "c"),
                client.tenants.exists(name, "a"),
                client.tenants.exists(name, "zzz"),
            )
            await client.tenants.update(name, "c", "ACTIVE")
            await client.tenants.remove(name, ["b"])
            after = await client.tenants.list(name)
            return added, listed, got, there, gone, after

    added, listed, got, there, gone, after = asyncio.run(main())
    with wt.Client(weaviate_server.url) as sync:
        assert sorted(t.name for t in sync.tenants.list(name)) == sorted(t.name for t in after)
        sync.collections.delete(name)
    assert [t.name for t in added] == ["c"]
    assert sorted(t.name for t in listed) == ["a", "b", "c"]
    assert got is not None and not got.active  # the server reports COLD or INACTIVE
    assert (there, gone) == (True, False)
    assert sorted(t.name for t in after) == ["a", "c"]


def test_cancellation_under_load_leaks_no_connection_and_no_open_call(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    """300 calls, most cut by asyncio.wait_for at every phase of their exchange: afterwards
    no connection is in use, every request.start has its end, and the pool serves again."""

    async def main() -> tuple[int, int, list[Any], list[str]]:
        async with _client(weaviate_server, pool_maxsize=8) as client:
            version = (await client.meta()).version

            async def one(i: int) -> str:
                try:
                    meta = await asyncio.wait_for(client.meta(), timeout=0.0005 * (i % 40))
                except (asyncio.TimeoutError, TimeoutError):
                    return "cut"
                return "ok" if meta.version == version else "wrong"

            with wt.telemetry.capture() as cap:
                outcomes = await asyncio.gather(*(one(i) for i in range(300)))
            in_use = [use.in_use for use in client._pipeline.pool_use()]
            again = await asyncio.gather(*(client.meta() for _ in range(50)))
            assert {m.version for m in again} == {version}
            return outcomes.count("cut"), outcomes.count("wrong"), in_use, cap.names()

    cut, wrong, in_use, names = asyncio.run(main())
    assert cut > 0 and wrong == 0
    assert all(n == 0 for n in in_use), in_use
    starts = sum(1 for n in names if n[-2:] == ("request", "start"))
    ends = sum(1 for n in names if n[-2:] in (("request", "stop"), ("request", "exception")))
    # wait_for(timeout=0) cancels a call before it starts: no events at all for those.
    assert starts == ends and starts >= 300 - sum(1 for i in range(300) if i % 40 == 0)


def test_collections_shared_operations_agree_with_the_sync_client(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    name = "AsyncCollectionsDocs"
    with wt.Client(weaviate_server.url) as sync:
        if sync.collections.exists(name):
            sync.collections.delete(name)
        sync.collections.create(name)
        expected_names = sorted(c.name for c in sync.collections.list())
        expected_shards = [s.status for s in sync.collections.shards(name)]

    async def main() -> tuple[Any, ...]:
        async with _client(weaviate_server) as client:
            there, listed, shards = await asyncio.gather(
                client.collections.exists(name),
                client.collections.list(),
                client.collections.shards(name),
            )
            added = await client.collections.add_property(
                name, wt.Property(name="title", data_type=wt.DataType.TEXT)
            )
            await client.collections.delete(name)
            gone = await client.collections.exists(name)
            try:
                await client.collections.shards(name)
            except wt.WeaviateError as err:
                missing = err.kind.value
            return (
                there,
                sorted(c.name for c in listed),
                [s.status for s in shards],
                added,
                gone,
                missing,
            )

    there, names, shard_statuses, added, gone, missing = asyncio.run(main())
    assert (there, gone) == (True, False)
    assert names == expected_names and shard_statuses == expected_shards
    assert added.name == "title"
    with wt.Client(weaviate_server.url) as sync:
        assert not sync.collections.exists(name)
        with pytest.raises(wt.WeaviateError) as info:
            sync.collections.shards(name)
    assert missing == info.value.kind.value


def test_a_forked_child_makes_its_own_pool(weaviate_server: EmbeddedWeaviate) -> None:
    """A forked child never reads from the parent's sockets: its calls open their own
    connections (docs/async.md), and the parent's pool still answers afterwards."""

    async def main() -> tuple[int, bool]:
        async with weaviate_server.async_client(grpc_port=None) as client:
            version = (await client.meta()).version
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
                pid = os.fork()
            if pid == 0:  # the child: a loop of its own, in a thread of its own
                code = [2]

                def child() -> None:
                    code[0] = 0 if asyncio.run(client.meta()).version == version else 1

                try:
                    worker = threading.Thread(target=child)
                    worker.start()
                    worker.join(60)
                finally:
                    os._exit(code[0])
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status), (await client.meta()).version == version

    assert asyncio.run(main()) == (0, True)


def _search(collection: str) -> Request:
    """A ``Search`` RPC (the generated stubs; the async query handle is not there yet)."""
    message = search_get_pb2.SearchRequest(collection=collection, uses_127_api=True, limit=20)
    message.metadata.uuid = True
    call = RpcCall("Search", message, search_get_pb2.SearchReply, True)
    return Request("POST", "/weaviate.v1.Weaviate/Search", "query.fetch_objects", rpc=call)


def _ids(response: Response) -> list[str]:
    return sorted(result.metadata.id for result in response.body.results)


def test_grpc_over_grpc_aio_agrees_with_the_sync_transport(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    """64 concurrent Search RPCs over grpc.aio: the sync client's answer every time; a
    missing collection is the same error kind on both transports."""
    name = "AsyncGrpcDocs"
    with weaviate_server.client() as sync:
        if sync.collections.exists(name):
            sync.collections.delete(name)
        docs = sync.collections.create(name)
        for i in range(5):
            docs.data.insert({"n": i})
        expected = sync._pipeline.execute(_search(name), _ids)
        with pytest.raises(wt.WeaviateError) as info:
            sync._pipeline.execute(_search("NoSuchAsyncDocs"), _ids)

    async def main() -> tuple[list[list[str]], str]:
        async with _client(weaviate_server) as client:
            answers = await asyncio.gather(
                *(client._pipeline.execute(_search(name), _ids) for _ in range(64))
            )
            try:
                await client._pipeline.execute(_search("NoSuchAsyncDocs"), _ids)
            except wt.WeaviateError as err:
                return answers, err.kind.value
        return answers, "no error"

    answers, kind = asyncio.run(main())
    assert len(expected) == 5 and all(answer == expected for answer in answers)
    assert kind == info.value.kind.value
    with weaviate_server.client() as sync:
        sync.collections.delete(name)


def test_grpc_aio_answers_are_bounded_by_the_deadline_and_max_response_bytes() -> None:
    async def slow(port: int, url: str) -> str:
        async with wt.AsyncClient(url, grpc_port=port, timeouts=wt.Timeouts(total=1.5)) as c:
            try:
                await c._pipeline.execute(_search("Article"), _ids)
            except wt.WeaviateError as err:
                return err.kind.value
        return "no error"

    async def big(port: int, url: str) -> str:
        async with wt.AsyncClient(url, grpc_port=port, max_response_bytes=1 << 20) as c:
            try:
                await c._pipeline.execute(_search("Article"), _ids)
            except wt.WeaviateError as err:
                return f"{err.kind.value}: {err.message}"
        return "no error"

    with HostileServer("ok") as rest, GrpcEchoServer("slow") as server:
        started = time.monotonic()
        assert asyncio.run(slow(server.port, rest.url)) == "timeout"
        assert time.monotonic() - started < 1.5 + 2
    with HostileServer("ok") as rest, GrpcEchoServer("big", size=2 << 20) as server:
        outcome = asyncio.run(big(server.port, rest.url))
    assert outcome.startswith("protocol_error") and "larger than max" in outcome
