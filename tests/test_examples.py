"""The example scripts run against the real server and say what they did."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.peers.otel_collector import Collector
from tests.support.otlp_files import read_spans
from weaviate_telemetry.embedded import WEAVIATE_VERSION, EmbeddedWeaviate

ROOT = Path(__file__).resolve().parent.parent


def run_example(name: str, server: EmbeddedWeaviate | None, **extra_env: str) -> str:
    """Run ``examples/<name>`` against ``server`` with warnings as errors; return stdout.

    With no ``server``, the example starts its own, as on a newcomer's machine.
    """
    env = {**os.environ, "PYTHONWARNINGS": "error", **extra_env}
    for unset in ("WEAVIATE_URL", "WEAVIATE_GRPC_PORT", "WEAVIATE_API_KEY"):
        if unset not in extra_env:  # what the test exports stays
            env.pop(unset, None)
    if server is not None:
        env["WEAVIATE_URL"] = server.url
    if "OTEL_EXPORTER_OTLP_ENDPOINT" not in extra_env:
        env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quickstart_shows_a_workload_and_what_the_telemetry_saw(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    out = run_example("quickstart.py", weaviate_server)
    lines = out.splitlines()
    assert f"Weaviate {WEAVIATE_VERSION.lstrip('v')} at {weaviate_server.url}" in out
    assert "import [####################] 200/200" in out  # the progress display
    assert "  batch: 200 stored, 0 failed" in lines
    assert "  aggregate: count=200" in lines
    assert "typed error: kind=not_found" in out
    # loguru: the retry of the query that got the injected 503, and the typed error.
    assert re.search(r"log .* WARNING query\.get Quickstart\w+: attempt 1 failed \(HTTP 503\)", out)
    # A 404 the caller sees is a client error: WARNING under the log-level policy.
    assert re.search(r"log .* WARNING +raw failed after .*: not_found 404", out)
    # The trace tree of that query: the logical span, its retry event, two attempt spans.
    tree = lines[lines.index("trace of the retried query (in-memory span exporter):") + 1 :][:4]
    assert re.match(r"  query\.get Quickstart\w+  [\d.]+ ms  UNSET  trace [0-9a-f]{32}", tree[0])
    assert "event retry" in tree[1] and "after unavailable" in tree[1]
    assert re.match(r"  ├─ attempt 1: POST /v1/graphql  [\d.]+ ms  → 503", tree[2])
    assert re.match(r"  └─ attempt 2: POST /v1/graphql  [\d.]+ ms  → 200", tree[3])
    # The per-operation summary from the OpenTelemetry metrics.
    summary = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("  ")}
    assert summary["query.get"][:2] == ["2", "0"]
    assert summary["batch.insert_objects"][:2] == ["4", "0"]
    assert summary["raw"][:2] == ["1", "1"]
    assert len(lines) <= 40, "the quickstart output should fit one screen"


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_quickstart_fails_the_query_it_says_on_either_transport(
    weaviate_server: EmbeddedWeaviate, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``WEAVIATE_GRPC_PORT`` exported (as the README says) searches go over gRPC:
    the injected failure must still hit the query the output names, and its trace must
    show the failed attempt and the retry."""
    assert weaviate_server.ports is not None
    grpc = {"WEAVIATE_GRPC_PORT": str(weaviate_server.ports.grpc)} if transport == "grpc" else {}
    monkeypatch.delenv("WEAVIATE_GRPC_PORT", raising=False)
    out = run_example("quickstart.py", weaviate_server, **grpc)
    lines = out.splitlines()
    fault, first, second = (
        ("UNAVAILABLE", "weaviate.v1.Weaviate/Search", "OK")
        if grpc
        else ("503", "POST /v1/graphql", "200")
    )
    near = next(line for line in lines if line.startswith("  near_vector: "))
    assert near.endswith(f"(first try got {fault})")
    tree = lines[lines.index("trace of the retried query (in-memory span exporter):") + 1 :][:4]
    assert re.match(r"  query\.get Quickstart\w+  [\d.]+ ms  UNSET  trace [0-9a-f]{32}", tree[0])
    assert "event retry" in tree[1] and "after unavailable" in tree[1]
    assert re.match(rf"  ├─ attempt 1: {re.escape(first)}  [\d.]+ ms  → {fault}", tree[2])
    assert re.match(rf"  └─ attempt 2: {re.escape(first)}  [\d.]+ ms  → {second}", tree[3])
    # Only that query failed: everything else went through on its first try.
    assert "  aggregate: count=200" in lines
    assert len(re.findall(r"attempt \d+ failed", out)) == 1


@pytest.mark.integration
def test_quickstart_on_a_machine_without_a_server_starts_one_quietly() -> None:
    """The README's main command as a newcomer runs it: no ``WEAVIATE_URL``, so it starts a
    local server. Its start-up shows no ERROR line, and the summary counts one error: the
    404 the workload asks for."""
    out = run_example("quickstart.py", None)
    lines = out.splitlines()
    assert "starting a local Weaviate" in lines[0]
    assert "  batch: 200 stored, 0 failed" in lines
    assert not [line for line in lines if " ERROR " in line], out
    summary = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("  ")}
    errors = {op: int(row[1]) for op, row in summary.items() if row[1:] and row[1].isdigit()}
    assert errors["raw"] == 1 and sum(errors.values()) == 1, errors
    # Only the example's own readiness wait (one probe, answered), none of the start-up's.
    assert summary["health.wait_until_ready"][:2] == ["1", "0"]
    assert summary["health.ready"][:2] == ["1", "0"]


@pytest.mark.integration
def test_quickstart_exports_the_same_to_a_collector(weaviate_server: EmbeddedWeaviate) -> None:
    with Collector() as collector:
        out = run_example(
            "quickstart.py", weaviate_server, OTEL_EXPORTER_OTLP_ENDPOINT=collector.otlp_http
        )
        assert f"exported over OTLP to {collector.otlp_http}" in out
        trace_id = re.search(r"trace ([0-9a-f]{32})", out)
        assert trace_id
        deadline = time.monotonic() + 20
        while True:
            spans = [s for s in read_spans(collector.traces_path) if s["traceId"] == trace_id[1]]
            if len(spans) == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        names = sorted(s["name"] for s in spans)
        assert names == ["POST /v1/graphql", "POST /v1/graphql", names[2]]
        assert names[2].startswith("query.get Quickstart")


def test_data_quickstart_example(weaviate_server: EmbeddedWeaviate) -> None:
    out = run_example("quickstart_data.py", weaviate_server)
    assert "ingest: 8 stored, 0 failed" in out
    assert "near_vector: Neuromancer" in out or "near_vector: Snow Crash" in out
    assert "bm25 'wizard darkness': ['A Wizard of Earthsea', 'The Left Hand of Darkness']" in out
    assert "classics before 1960: ['The Hobbit', 'Foundation']" in out
    assert "hybrid 'foundation': ['Foundation'" in out
    assert "aggregate: count=8" in out
    assert "aggregate: top tags [('scifi', 5)" in out
    assert "aggregate: most books by Ursula K. Le Guin (2)" in out
    assert "validation: kind=validation_error" in out
    assert "cleanup: dropped collection" in out
