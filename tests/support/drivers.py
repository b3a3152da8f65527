"""Run a sync test's calls through :class:`wt.AsyncClient` too (parametrised, not copied).

:func:`blocking_async_client` takes ``wt.Client``'s arguments and returns an
object with the sync client's surface whose every coroutine method is run to
completion on one event loop of its own. The AsyncClient underneath does
its I/O natively (aiohttp, grpc.aio, asyncio.sleep); only the test's side
blocks, so the same assertions hold for both drivers.
"""

from __future__ import annotations

import asyncio
import inspect
from types import TracebackType
from typing import Any

import weaviate_telemetry as wt
from weaviate_telemetry._api.operation import Namespace


class _Blocking:
    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value) and not isinstance(value, type):
            return lambda *args, **kwargs: self._settle(value(*args, **kwargs))
        if type(value).__module__.startswith("weaviate_telemetry._api"):
            return _Blocking(value, self._loop)  # a namespace (health, raw, …)
        return value

    def _settle(self, result: Any) -> Any:
        """An awaitable's result, run on this loop (a handle from ``use``/``with_tenant``
        wrapped like a namespace; any other value as it is)."""
        if inspect.isawaitable(result):
            result = self._loop.run_until_complete(result)
        if inspect.isasyncgen(result):  # an async handle's iterator(): walked to the end here
            return iter(self._loop.run_until_complete(_collect(result)))
        if isinstance(result, Namespace):
            return _Blocking(result, self._loop)
        if hasattr(result, "__aenter__"):  # an async handle's batch context: ``with`` here
            return _BlockingContext(result, self._loop)
        return result


class _BlockingContext(_Blocking):
    """An ``async with`` context (``batch.dynamic()``) used with ``with``: its adds and
    flushes awaited on the loop; its attributes (``failed_objects``) read as they are."""

    def __enter__(self) -> _BlockingContext:
        self._loop.run_until_complete(self._target.__aenter__())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._loop.run_until_complete(self._target.__aexit__(kind, exc, tb))


async def _collect(items: Any) -> list[Any]:
    return [item async for item in items]


class BlockingAsyncClient(_Blocking):
    """An AsyncClient driven from sync test code (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        loop = asyncio.new_event_loop()
        super().__init__(wt.AsyncClient(*args, **kwargs), loop)

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._target.close())
            self._loop.close()

    def __enter__(self) -> BlockingAsyncClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def blocking_async_client(*args: Any, **kwargs: Any) -> Any:
    """``wt.AsyncClient(*args, **kwargs)`` with the sync client's (blocking) surface."""
    return BlockingAsyncClient(*args, **kwargs)
