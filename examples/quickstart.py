"""Quick start: talk to a Weaviate server and show what every call did.

Uses ``$WEAVIATE_URL`` (and ``$WEAVIATE_API_KEY``) when set; otherwise starts
a local server with ``weaviate_telemetry.embedded`` (built once with Go, then
cached) and stops it at the end.

    python examples/quickstart.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    if os.environ.get("WEAVIATE_URL"):
        yield os.environ["WEAVIATE_URL"]
        return
    print("starting a local Weaviate (first run builds it with Go; takes a few minutes)...")
    with EmbeddedWeaviate() as server:
        yield server.url


def show(
    name: tuple[str, ...], measurements: Mapping[str, float], meta: Mapping[str, Any], _: Any
) -> None:
    """A custom telemetry handler: one line per finished API call."""
    outcome = meta.get("error_kind") or meta.get("status_code")
    print(
        f"  [event] {meta['operation']:<14} {meta['method']:<6} {meta['path_template']:<28} "
        f"-> {outcome} in {measurements['duration'] * 1000:.1f} ms"
    )


def main() -> int:
    with server_url() as url:
        finished = [("weaviate", "request", "stop"), ("weaviate", "request", "exception")]
        wt.telemetry.attach("quickstart", finished, show)
        try:
            with wt.Client.from_env(base_url=url) as client:
                print(f"client: {client!r}")
                client.health.wait_until_ready(timeout=60)
                print(f"ready: {client.health.ready()}  live: {client.health.live()}")
                meta = client.meta()
                print(f"server version: {meta.version}")
                for node in client.nodes(output="verbose"):
                    print(f"node {node.name}: {node.status}, {len(node.shards)} shards")
                schema = client.raw.request("GET", "/v1/schema").json()
                print(f"collections: {[c['class'] for c in schema.get('classes', [])]}")
                try:
                    missing = "00000000-0000-0000-0000-000000000000"
                    client.raw.request("GET", f"/v1/objects/NoSuchCollection/{missing}")
                except wt.WeaviateError as err:
                    print(f"typed error: kind={err.kind.value} -> {err}")
                report = client.health.check()
                for endpoint in report.endpoints:
                    latency = f"{endpoint.latency:.4f}s" if endpoint.latency is not None else "-"
                    print(f"health: {endpoint.url} ready={endpoint.ready} latency={latency}")
        finally:
            wt.telemetry.detach("quickstart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
