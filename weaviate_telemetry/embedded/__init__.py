"""Run a real Weaviate server locally, from Python, for development and tests.

The server binary is built once with ``go install`` into a cache keyed by
version (``~/.cache/weaviate-telemetry/bin/weaviate-<version>/``, or
``$WEAVIATE_TELEMETRY_CACHE``) and reused afterwards. Each server gets
free loopback ports and a fresh data directory, and is stopped cleanly:
by :meth:`EmbeddedWeaviate.stop`, at interpreter exit, and — on Linux —
by the kernel if the Python process dies.

Example::

    from weaviate_telemetry.embedded import EmbeddedWeaviate

    with EmbeddedWeaviate() as server:
        client = server.client()
        print(client.meta().version)
"""

from ._build import (
    WEAVIATE_MODULE,
    WEAVIATE_VERSION,
    EmbeddedServerError,
    build_lock,
    cache_dir,
    ensure_weaviate,
    go_install,
)
from ._process import ManagedProcess, free_port, free_ports
from ._server import STARTUP_TELEMETRY_PREFIX, EmbeddedWeaviate, WeaviatePorts

__all__ = [
    "STARTUP_TELEMETRY_PREFIX",
    "WEAVIATE_MODULE",
    "WEAVIATE_VERSION",
    "EmbeddedServerError",
    "EmbeddedWeaviate",
    "ManagedProcess",
    "WeaviatePorts",
    "build_lock",
    "cache_dir",
    "ensure_weaviate",
    "free_port",
    "free_ports",
    "go_install",
]
