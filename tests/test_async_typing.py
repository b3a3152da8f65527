"""One namespace class serves both clients, and mypy --strict still sees exact types:
``T`` on ``wt.Client``, ``Awaitable[T]`` on ``wt.AsyncClient`` (``_api/operation.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CODE = """\
import weaviate_telemetry as wt


async def use(a: wt.AsyncClient, c: wt.Client) -> None:
    reveal_type(c.tenants.list("Docs"))
    reveal_type(a.tenants.list("Docs"))
    reveal_type(await a.tenants.get("Docs", "acme"))
    reveal_type(await a.health.ready())
    reveal_type(await a.meta())
    wrong: str = await a.tenants.exists("Docs", "acme")
"""


def mypy_strict(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``code`` as a user's module."""
    (tmp_path / "user.py").write_text(code)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_mypy_strict_sees_t_on_the_sync_client_and_an_awaitable_on_the_async_one(
    tmp_path: Path,
) -> None:
    done = mypy_strict(tmp_path, CODE)
    revealed = [line.split("Revealed type is ")[1] for line in done.stdout.splitlines()
                if "Revealed type is" in line]  # fmt: skip
    assert revealed == [
        '"list[weaviate_telemetry._api.tenants.Tenant]"',
        '"typing.Awaitable[list[weaviate_telemetry._api.tenants.Tenant]]"',
        '"weaviate_telemetry._api.tenants.Tenant | None"',
        '"bool"',
        '"weaviate_telemetry._api.info.Meta"',
    ], done.stdout
    assert (
        'Incompatible types in assignment (expression has type "bool", variable has type "str")'
        in done.stdout
    )


HANDLE_CODE = """\
from typing import Any
from typing_extensions import TypedDict, assert_type
from collections.abc import AsyncIterator, Awaitable
import weaviate_telemetry as wt
from weaviate_telemetry.classes.query import GroupBy
from weaviate_telemetry.outputs.data import BatchObjectReturn, ErrorObject
from weaviate_telemetry.outputs.query import GroupByReturn, Object, QueryReturn
from uuid import UUID


class Article(TypedDict):
    title: str


async def use(a: wt.AsyncClient, c: wt.Client) -> None:
    arts = a.collections.use("Article", data_model=Article)
    assert_type(arts, wt.AsyncCollection[Article])
    assert_type(await arts.query.near_vector([0.1]), QueryReturn[Article])
    assert_type(
        await arts.query.near_vector([0.1], group_by=GroupBy("t", 1, 1)),
        GroupByReturn[Article],
    )
    assert_type(await arts.query.fetch_object_by_id("x"), Object[Article] | None)
    assert_type(await arts.length(), int)
    assert_type(arts.iterator(), AsyncIterator[Object[Article]])
    assert_type(c.collections.use("Article", data_model=Article).query.bm25("x"),
                QueryReturn[Article])
    assert_type(len(c.collections.use("Article")), int)
    created = await a.collections.create("Other")
    assert_type(created.with_tenant("t"), wt.AsyncCollection[dict[str, Any]])
    wrong: int = arts.query.bm25("x")
    assert_type(await arts.data.insert_many([{"title": "x"}]), BatchObjectReturn)
    sync_arts = c.collections.use("Article")
    assert_type(sync_arts.data.insert_many([{"title": "x"}]), BatchObjectReturn)
    async with arts.batch.fixed_size(batch_size=10, concurrent_requests=4) as batch:
        assert_type(await batch.add_object(properties={"title": "x"}), UUID)
        assert_type(batch.failed_objects, list[ErrorObject])
        unawaited: UUID = batch.add_object(properties={"title": "x"})
    assert_type(arts.batch.failed_objects, list[ErrorObject])
    with sync_arts.batch.dynamic() as sync_batch:
        assert_type(sync_batch.add_object(properties={"title": "x"}), UUID)
"""


def test_mypy_sees_the_async_handles_types(tmp_path: Path) -> None:
    done = mypy_strict(tmp_path, HANDLE_CODE)
    errors = [line for line in done.stdout.splitlines() if "error:" in line]
    assert len(errors) == 2, done.stdout
    assert 'has type "Awaitable[QueryReturn[Article]]", variable has type "int"' in errors[0]
    # an async batch's add_object is awaited (as the official async client's)
    assert 'has type "Coroutine[Any, Any, UUID]", variable has type "UUID"' in errors[1]
