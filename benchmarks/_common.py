"""Pieces every benchmark shares: timing, the raw-urllib3 floor, the official client.

The scripts run as ``python benchmarks/<name>.py``, so this folder is on
``sys.path`` and they import this module as ``_common``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from types import ModuleType
from urllib.parse import urlsplit

import urllib3


def per_call(fn: Callable[[], object], calls: int) -> float:
    """Seconds per call of ``fn`` over ``calls`` back-to-back calls."""
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls


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
