"""A module-level client, as the worker module of a pre-forking server has one.

Imported once in a gunicorn master (``--preload``) or a ``multiprocessing``
parent, then used by every forked child. The environment says where Weaviate
is and which collection holds the numbered objects (``n`` = 0, 1, …, with
deterministic ids, see :func:`object_id`); ``WT_FORK_GRPC_PORT`` set means
reads go over gRPC. The import makes real calls, so the parent holds pooled
connections (and a gRPC channel) before it forks: exactly the state that
children must not share.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import weaviate_telemetry as wt
from weaviate_telemetry import Filter

NAMESPACE = uuid.UUID("6f0f5a4e-2c4b-4f37-9a53-3c1f2b9d0e11")


def object_id(collection: str, n: int) -> str:
    """The id of object ``n`` of ``collection``."""
    return str(uuid.uuid5(NAMESPACE, f"{collection}/{n}"))


def _client() -> wt.Client | None:
    url = os.environ.get("WT_FORK_URL")
    if not url:
        return None
    port = os.environ.get("WT_FORK_GRPC_PORT")
    return wt.Client(url, grpc_port=int(port) if port else None)


CLIENT = _client()
COLLECTION = os.environ.get("WT_FORK_COLLECTION", "")


def read(n: int) -> int | None:
    """Read object ``n`` the way the transport under test serves it; its ``n`` as stored.

    Over REST: ``fetch_object_by_id``. Over gRPC: a filtered ``fetch_objects``.
    """
    assert CLIENT is not None
    handle = CLIENT.collections.use(COLLECTION)
    if CLIENT.config.grpc_port is None:
        obj = handle.query.fetch_object_by_id(object_id(COLLECTION, n), return_properties=["n"])
        return None if obj is None else int(obj.properties["n"])
    hits = handle.query.fetch_objects(
        filters=Filter.by_property("n").equal(n), limit=2, return_properties=["n"]
    )
    if len(hits.objects) != 1:
        return None
    return int(hits.objects[0].properties["n"])


def check(n: int) -> tuple[int, str]:
    """``(pid, outcome)`` of reading object ``n``: ``ok``, ``wrong: …`` or ``error: …``."""
    try:
        got = read(n)
    except wt.WeaviateError as err:
        return os.getpid(), f"error: {err.kind.value}: {err}"
    return os.getpid(), "ok" if got == n else f"wrong: asked {n}, got {got}"


if CLIENT is not None:  # warm: open the parent's connections before any fork
    CLIENT.meta()
    read(0)


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """WSGI: ``GET /?n=7`` reads object 7 and answers ``<pid> ok`` (or what went wrong)."""
    query = environ.get("QUERY_STRING", "")
    n = int(query.partition("n=")[2] or 0)
    pid, outcome = check(n)
    status = "200 OK" if outcome == "ok" else "500 Internal Server Error"
    start_response(status, [("Content-Type", "text/plain")])
    return [f"{pid} {outcome}".encode()]
