"""Pieces every benchmark shares: timing, the raw-urllib3 floor, the official client.

The scripts run as ``python benchmarks/<name>.py``, so this folder is on
``sys.path`` and they import this module as ``_common``.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from urllib.parse import urlsplit

import urllib3


def per_call(
    fn: Callable[[], object], calls: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Seconds per call of ``fn`` over ``calls`` back-to-back calls."""
    started = clock()
    for _ in range(calls):
        fn()
    return (clock() - started) / calls


def floor_pool(maxsize: int = 10, read_timeout: float = 30.0) -> urllib3.PoolManager:
    """urllib3 used as production code uses it: the floor the SDK is compared with.

    Same pool shape, same timeouts (socket timeouts cost a poll() per read) and
    the same headers as the SDK sends.
    """
    return urllib3.PoolManager(
        maxsize=maxsize,
        block=True,
        retries=False,
        timeout=urllib3.Timeout(connect=5, read=read_timeout),
        headers={"User-Agent": "bench", "Accept": "application/json"},
    )


def official_module() -> ModuleType | None:
    """The official ``weaviate`` package (the ``bench`` extra), or None with a hint."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import weaviate
    except ImportError:
        print("official weaviate-client not installed: pip install -e '.[bench]'")
        return None
    return weaviate


def official_connect(url: str, grpc_port: int, **kwargs: object) -> object | None:
    """``weaviate.connect_to_local`` for the server at ``url``, or None when not installed."""
    weaviate = official_module()
    if weaviate is None:
        return None
    parts = urlsplit(url)
    return weaviate.connect_to_local(
        host=parts.hostname or "127.0.0.1", port=parts.port or 80, grpc_port=grpc_port, **kwargs
    )


class Replay:
    """A transport that answers every attempt with one canned answer (no network).

    With it, a call's time is the SDK's own in-process work: stable on a shared
    machine where network timings drift by more than that work.
    """

    def __init__(self, status: int, headers: object, data: bytes) -> None:
        from weaviate_telemetry._core.transport import RawResponse

        self.answer = RawResponse(status, headers, data)  # type: ignore[arg-type]

    def send(self, *args: object) -> object:
        return self.answer

    def close(self) -> None:
        pass

    @staticmethod
    def last_pool_wait() -> float:
        return 0.0

    def pool_use(self) -> list[object]:
        return []


@contextlib.contextmanager
def replaying(client: object, status: int, headers: object, data: bytes) -> Iterator[None]:
    """Swap ``client``'s transport for a :class:`Replay` of one answer inside the block."""
    pipeline = client._pipeline  # type: ignore[attr-defined]
    real = pipeline.transport
    pipeline.transport = Replay(status, headers, data)
    try:
        yield
    finally:
        pipeline.transport = real
