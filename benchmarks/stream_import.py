"""A large import from a generator: this SDK's best mode vs the official client's.

Run: ``python benchmarks/stream_import.py [--objects 1000000] [--dim 128]
[--index flat] [--only sdk-stream,official-stream]`` (the ``bench`` extra brings the official
``weaviate-client``); ``--quick`` imports 50,000. Also in ``run_all.py``
(``measure_stream_import``, the quick size unless ``run_all --full-import``).

Every contender imports the same N objects (deterministic ids, a property and
a ``dim``-d vector, made by a generator as they are consumed) into its own
fresh collection of one real local Weaviate, in a process of its own, so its
peak RSS is its own: the figure is the peak RSS (VmHWM) minus the RSS once
connected, before the first object. After each import the parent checks the
collection: the object count, and every id read back (no id missing, none
unexpected; with one id per object a duplicate would show as a count above N).

Contenders: ``sdk-stream`` (``client.batch.stream_objects``, server-paced),
``sdk-grpc`` (``client.batch.insert_objects`` over unary gRPC, 4 x 500),
``official-dynamic`` (``collection.batch.dynamic()``) and ``official-stream``
(``collection.batch.stream()``, weaviate-client 4.24.1). Targets (docs/batch.md):
the SDK's best mode >= 1.2 x the official client's best mode; RSS growth
<= 50 MiB; 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import weaviate_telemetry as wt

CONTENDERS = ("sdk-stream", "sdk-grpc", "official-dynamic", "official-stream")
OFFICIAL = ("official-dynamic", "official-stream")
_SEED = 0x5EED


def object_id(i: int) -> str:
    return str(uuid.UUID(int=(_SEED << 64) | i, version=4))


def objects(n: int, dim: int) -> Iterator[tuple[str, dict[str, Any], list[float]]]:
    """N objects, made as they are consumed (a cheap deterministic vector per object)."""
    base = [((j * 7919) % 1000) / 1000.0 for j in range(dim)]
    for i in range(n):
        shift = (i % 997) / 997.0
        yield object_id(i), {"n": i, "title": f"object {i}"}, [x + shift for x in base]


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _child(contender: str, url: str, grpc: int, collection: str, n: int, dim: int) -> None:
    """Run one import in this process; print one JSON line with its figures."""
    import resource

    source = objects(n, dim)
    if contender.startswith("sdk"):
        client = wt.Client(url, grpc_port=grpc, timeouts=wt.Timeouts(read=120, total=600))
        # Warm-up (imports grpc and the stubs, opens the channel), as connect does for the
        # official client: the baseline is a connected client.
        client.batch.stream_objects([], collection=collection)
        baseline = _rss_kib("VmRSS")
        started = time.perf_counter()
        rows = ({"id": i, "properties": p, "vector": v} for i, p, v in source)
        if contender == "sdk-stream":
            result = client.batch.stream_objects(rows, collection=collection, keep_ids=False)
        else:
            result = client.batch.insert_objects(
                rows, collection=collection, batch_size=500, concurrency=4, keep_ids=False
            )
        seconds = time.perf_counter() - started
        failed = result.failed
        client.close()
    else:
        from _common import official_connect

        client = official_connect(url, grpc, skip_init_checks=True)
        assert client is not None, "pip install -e '.[bench]'"
        col = client.collections.get(collection)  # type: ignore[attr-defined]
        baseline = _rss_kib("VmRSS")
        started = time.perf_counter()
        manager = col.batch.dynamic() if contender == "official-dynamic" else col.batch.stream()
        with manager as batch:
            for i, p, v in source:
                batch.add_object(properties=p, vector=v, uuid=i)
        seconds = time.perf_counter() - started
        failed = len(col.batch.failed_objects)
        client.close()  # type: ignore[attr-defined]
    peak = _rss_kib("VmHWM")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "contender": contender,
                "seconds": seconds,
                "failed": failed,
                "rss_growth_mib": (peak - baseline) / 1024,
                "peak_mib": peak / 1024,
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
        )
    )


def check(client: wt.Client, collection: str, n: int) -> tuple[int, int, int]:
    """(count, missing ids, unexpected ids) of ``collection`` after an import of ``n``."""
    expected = {object_id(i) for i in range(n)}
    seen = 0
    unexpected = 0
    for obj in client.objects.iterate(collection, page_size=2000):
        seen += 1
        if obj.id in expected:
            expected.discard(obj.id)
        else:
            unexpected += 1
    return seen, len(expected), unexpected


def run(
    url: str, grpc: int, n: int, dim: int, contenders: tuple[str, ...], index: str = "hnsw"
) -> list[dict[str, Any]]:
    """Each contender in its own process, into its own collection; checked after.

    ``index`` is the collection's vector index: ``hnsw`` (Weaviate's default) or
    ``flat``, which stores the vectors without building a graph, so the import
    is bound by what the client and the object store do rather than by the
    server's graph build (the client's share of the machine shows).
    """
    rows = []
    with wt.Client(url, timeouts=wt.Timeouts(read=120, total=600)) as client:
        for contender in contenders:
            collection = "Stream" + uuid.uuid4().hex[:8]
            client.collections.create_from_dict(
                {
                    "class": collection,
                    "vectorizer": "none",
                    "vectorIndexType": index,
                    "properties": [
                        {"name": "title", "dataType": ["text"]},
                        {"name": "n", "dataType": ["int"]},
                    ],
                }
            )
            here = os.path.dirname(os.path.abspath(__file__))
            tail = [url, str(grpc), collection, str(n), str(dim)]
            out = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--child", contender, *tail],
                capture_output=True,
                text=True,
                check=False,
                cwd=here,
                env={**os.environ, "PYTHONPATH": here},
            )
            lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
            if out.returncode != 0 or not lines:
                print(f"{contender} failed: {out.stderr[-2000:]}", file=sys.stderr)
                client.collections.delete(collection)
                continue
            row = json.loads(lines[-1])
            count, missing, unexpected = check(client, collection, n)
            row.update(
                objects=n,
                count=count,
                lost=missing,
                duplicated=max(count - n, 0) + unexpected,
                per_s=n / row["seconds"],
            )
            rows.append(row)
            client.collections.delete(collection)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| contender | objects | objects/s | RSS growth (MiB) | peak RSS (MiB) "
        "| client CPU (us/object) | lost | dup | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['contender']} | {r['objects']:,} | {r['per_s']:,.0f} | "
            f"{r['rss_growth_mib']:.1f} | {r['peak_mib']:.0f} | "
            f"{r['cpu_s'] / r['objects'] * 1e6:.0f} | {r['lost']} | "
            f"{r['duplicated']} | {r['failed']} |"
        )
    sdk = max((r["per_s"] for r in rows if r["contender"].startswith("sdk")), default=0.0)
    official = max((r["per_s"] for r in rows if r["contender"] in OFFICIAL), default=0.0)
    if sdk and official:
        lines.append(f"\nSDK best / official best: {sdk / official:.2f} x (target >= 1.2)")
    return "\n".join(lines)


def measure_stream_import(bench: Any) -> list[Any]:
    """run_all: the import of 50,000 (``--quick``) or 1,000,000 x 128-d objects.

    Into a ``flat``-indexed collection, as the table in docs/batch.md: with the
    default HNSW index the server's graph build sets every contender's pace on
    a small machine, and the clients' differences do not show.
    """
    from run_all import Row, absolute_row, ratio_row

    n = 50_000 if bench.quick else 1_000_000
    rows = run(bench.url, bench.server.ports.grpc, n, 128, CONTENDERS, "flat")
    by = {r["contender"]: r for r in rows}
    sdk = max((r for r in rows if r["contender"].startswith("sdk")), key=lambda r: r["per_s"])
    out = []
    official = [by[c] for c in OFFICIAL if c in by]
    if official:
        peer = max(official, key=lambda r: r["per_s"])
        out.append(
            ratio_row(
                f"import {n:,} x 128-d: SDK {sdk['contender']} vs {peer['contender']}",
                sdk["per_s"],
                peer["per_s"],
                1.2,
                "obj/s",
                True,
            )
        )
    out.append(absolute_row("import: SDK client RSS growth", sdk["rss_growth_mib"], 50, "MiB"))
    bad = sum(r["lost"] + r["duplicated"] for r in rows if r["contender"].startswith("sdk"))
    out.append(
        Row("import: SDK objects lost + duplicated", str(bad), "-", float("nan"), "0", bad == 0)
    )
    return out


MEASURES = [measure_stream_import]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        c, url, grpc, collection, n, dim = sys.argv[2:8]
        _child(c, url, int(grpc), collection, int(n), int(dim))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 objects")
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--only", default="", help="comma-separated contenders")
    parser.add_argument(
        "--index", choices=("hnsw", "flat"), default="hnsw", help="the collection's vector index"
    )
    args = parser.parse_args()
    n = 50_000 if args.quick else args.objects
    # A background run (SIGINT ignored) stopped with SIGTERM still stops its Weaviate.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    contenders = tuple(args.only.split(",")) if args.only else CONTENDERS
    from weaviate_telemetry.embedded import EmbeddedWeaviate

    with EmbeddedWeaviate() as server:
        assert server.ports is not None
        rows = run(server.url, server.ports.grpc, n, args.dim, contenders, args.index)
    print(table(rows))


if __name__ == "__main__":
    main()
