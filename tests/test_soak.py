"""``weaviate-telemetry soak`` (docs/soak.md): a short soak through the whole metrics stack.

The integration test runs the command as a user would (a subprocess, warnings
as errors) for about a minute against the real Weaviate behind toxiproxy,
with a dead fallback endpoint and a fault phase (latency, resets, the proxy
down), exporting OTLP to the real collector that Prometheus scrapes. Then
every panel of every shipped dashboard, rendered from that Prometheus by the
soak itself, must have data and no query error; no object may be lost; no
warning, exit code 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from dashboards import preview
from tests.peers.toxiproxy import Toxiproxy
from tests.support.stack import WEAVIATE_JOB, MetricsStack
from tests.test_dashboards import DASHBOARDS as SHIPPED
from tests.test_dashboards import NOT_YET_EMITTED, stream_only_panels
from weaviate_telemetry import _cli
from weaviate_telemetry._soak import run as soak_run
from weaviate_telemetry._soak.options import UsageError, parse_duration, parse_faults
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = sorted(SHIPPED.glob("weaviate-*.json"))

#: The metrics only the soak harness writes: ``NOT_YET_EMITTED`` of tests/test_dashboards.py
#: (the one allow-list of metrics a plain client does not emit) holds nothing else, so
#: after a soak no panel of any dashboard may be empty.
SOAK_METRICS = {"weaviate_soak_objects_written_total", "weaviate_soak_objects_lost"}


def _soak(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "error", "PYTHONPATH": str(ROOT)}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    env.pop("WEAVIATE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "weaviate_telemetry", "soak", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


# -- arguments ---------------------------------------------------------------------------


def test_fault_schedules_parse_into_steps_that_replace_each_other() -> None:
    steps = parse_faults("10s:latency=200ms+jitter=20ms, 30s:reset=0.05,45s:down,1m:none")
    assert [s.at for s in steps] == [10, 30, 45, 60]
    assert steps[0].toxics == (("latency", 0.2), ("jitter", 0.02))
    assert steps[1].toxics == (("reset", 0.05),)
    assert steps[2].down and steps[3].toxics == ()
    for bad, message in [
        ("10s:lag=1s", "unknown fault 'lag'"),
        ("10s:reset=2", "share in (0, 1]"),
        ("10s:latency", "needs a value"),
        ("20s:none,10s:down", "must increase"),
        ("soon:down", "not a duration"),
        ("10s", "not TIME:FAULT"),
    ]:
        with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_faults(bad)
    assert parse_duration("1.5h") == 5400 and parse_duration("250ms") == 0.25


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--duration", "0s"], "--duration must be positive"),
        (["--faults", "10s:down"], "--faults needs --toxiproxy"),
        (["--writers", "0"], "--writers must be between 1 and 64"),
        (["--warmup", "2m", "--duration", "1m"], "--warmup must be shorter"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = _cli.main(["soak", "--url", "http://127.0.0.1:9", "--report", str(tmp_path), *argv])
    assert code == 2
    assert message in capsys.readouterr().err


def test_a_missing_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(soak_run, "missing_extras", lambda: ["matplotlib", "rich"])
    assert _cli.main(["soak", "--url", "http://127.0.0.1:9", "--report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "missing matplotlib, rich" in err
    assert "pip install 'weaviate-telemetry[soak]'" in err


def test_an_unreachable_server_exits_2_without_a_report(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = _soak("--url", dead, "--ready-timeout", "1s", "--report", str(tmp_path / "r"))
    assert result.returncode == 2, result.stderr
    assert "soak: server not usable:" in result.stderr and "connection_error" in result.stderr
    assert not (tmp_path / "r" / "report.json").exists()


# -- a short soak through the whole stack --------------------------------------------------


@pytest.mark.integration
def test_transport_grpc_needs_a_grpc_port(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEAVIATE_GRPC_PORT", raising=False)
    argv = ["soak", "--url", "http://127.0.0.1:9", "--report", str(tmp_path), "--transport", "grpc"]
    assert _cli.main(argv) == 2
    assert "--transport grpc needs --grpc-port" in capsys.readouterr().err


def _short_grpc_soak(server: EmbeddedWeaviate, report_dir: Path, *extra: str) -> dict[str, Any]:
    """An 8-second soak over gRPC against ``server``; its report.json (exit code 0 checked)."""
    assert server.ports is not None
    result = _soak(
        *extra,
        "--url",
        server.url,
        "--grpc-port",
        str(server.ports.grpc),
        "--duration",
        "8s",
        "--batch-size",
        "20",
        "--sample-interval",
        "1s",
        "--report",
        str(report_dir),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report: dict[str, Any] = json.loads((report_dir / "report.json").read_text())
    return report


def test_a_soak_over_grpc_searches_and_imports_over_grpc(
    weaviate_server: EmbeddedWeaviate, tmp_path: Path
) -> None:
    report_dir = tmp_path / "report"
    report = _short_grpc_soak(weaviate_server, report_dir)
    assert report["transport"] == "grpc"
    assert report["verification"]["ok"] and report["unexpected_errors"] == []
    assert {"batch.insert_objects", "query.get"} <= set(report["operations"])
    assert "went over grpc" in (report_dir / "report.md").read_text()


def test_a_short_soak_through_the_stack_feeds_every_dashboard_panel_and_loses_nothing(
    metrics_stack: MetricsStack, tmp_path: Path
) -> None:
    weaviate = metrics_stack.weaviate
    assert weaviate.ports is not None
    service = "soak-ci-" + uuid.uuid4().hex[:6]
    report_dir = tmp_path / "report"
    with Toxiproxy() as toxiproxy:
        front = toxiproxy.proxy("weaviate", weaviate.ports.http)
        # A fallback endpoint that is down: retries go there and it rests.
        dead = f"http://127.0.0.1:{free_port()}"
        result = _soak(
            "--url",
            front,
            "--fallback-url",
            dead,
            "--duration",
            "60s",
            "--writers",
            "2",
            "--readers",
            "2",
            "--batch-size",
            "40",
            "--think-time",
            "20ms",
            "--report",
            str(report_dir),
            "--prometheus",
            metrics_stack.prometheus.url,
            "--otlp-endpoint",
            metrics_stack.collector.otlp_http,
            "--service-name",
            service,
            "--weaviate-job",
            WEAVIATE_JOB,
            "--scrape-interval",
            "1s",
            "--sample-interval",
            "1s",
            "--toxiproxy",
            toxiproxy.api,
            "--faults",
            "15s:latency=40ms+jitter=10ms,25s:reset=0.05,33s:down,37s:none",
            "--transport",
            "rest",  # through toxiproxy: the faults reach every call
        )
    assert NOT_YET_EMITTED <= SOAK_METRICS, "the SDK does not emit every metric the panels read"
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((report_dir / "report.json").read_text())
    assert report["verdict"] == {"result": "pass", "exit_code": 0, "reasons": []}
    check = report["verification"]
    assert check["ok"] and check["lost"] == 0 and check["duplicated"] == 0
    assert check["resurrected"] == 0 and check["unknown_ids_found"] == 0
    assert report["warnings"] == [] and report["unexpected_errors"] == []
    assert report["throughput"]["objects_written"] > 1000
    ops = report["operations"]
    assert report["transport"] == "rest"
    assert {
        "batch.insert_objects",
        "objects.update",
        "objects.delete",
        "objects.get",
        "query.get",
        "query.aggregate",
    } <= set(ops)
    assert set(report["searches"]) == {"near_vector", "bm25", "hybrid"}
    assert sum(s["calls"] for s in report["searches"].values()) == ops["query.get"]["calls"]
    # The report's operations are the names Prometheus has for this service.
    shown = metrics_stack.prometheus.query(
        "count by (db_operation_name) "
        f'(db_client_operation_duration_seconds_count{{job="{service}"}})'
    )
    assert set(ops) <= {s["metric"]["db_operation_name"] for s in shown}
    # The fault phase happened and the SDK retried through it.
    assert [f["step"] for f in report["faults"]][:4] == [
        "15s:latency=40ms+jitter=10ms",
        "25s:reset=0.05",
        "33s:down",
        "37s:none",
    ]
    assert sum(report["telemetry"]["weaviate.client.retries"].values()) > 0
    assert report["process"]["rss"]["growth_pct"] is not None
    assert report["process"]["rss"]["growth_pct"] <= report["limits"]["max_rss_growth_pct"]

    # Every panel of every dashboard, rendered from Prometheus by the soak itself.
    charts = {c["file"]: c for c in report["charts"]}
    # This soak imports with unary batches over REST: a panel of only server-side
    # batching's metrics stays empty (tests/test_dashboards.py streams and proves it).
    streaming = stream_only_panels()
    assert streaming, "the backpressure panel reads server-side batching's metrics"
    assert set(charts) == {"process.png"} | {p.stem + ".png" for p in DASHBOARDS}
    for path in DASHBOARDS:
        chart = charts[path.stem + ".png"]
        dashboard = json.loads(path.read_text())
        assert chart["failed"] == {}, (path.name, chart["failed"])
        assert set(chart["empty"]) <= streaming, (path.name, chart["empty"])
        assert chart["panels"] == len(preview.panels_of(dashboard))
        png = report_dir / chart["file"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    md = (report_dir / "report.md").read_text()
    assert md.startswith("# Soak report: pass (exit code 0)")
    assert "| lost objects | **0**" in md and "![Weaviate soak](weaviate-soak.png)" in md
    # The soak's own metrics reached Prometheus under the service's job.
    prom = metrics_stack.prometheus
    written = prom.query(f'sum(weaviate_soak_objects_written_total{{job="{service}"}})')
    assert float(written[0]["value"][1]) == report["throughput"]["objects_written"]
    lost = prom.query(f'max(weaviate_soak_objects_lost{{job="{service}"}})')
    assert float(lost[0]["value"][1]) == 0


def test_an_async_soak_drives_the_async_client_and_loses_nothing(
    weaviate_server: EmbeddedWeaviate, tmp_path: Path
) -> None:
    """``--async``: every writer and reader an asyncio task on one AsyncClient per process."""
    report_dir = tmp_path / "report"
    report = _short_grpc_soak(weaviate_server, report_dir, "--async")
    assert report["run"]["client"] == "async"
    check = report["verification"]
    assert check["ok"] and report["unexpected_errors"] == [] and report["warnings"] == []
    assert check["lost"] == check["duplicated"] == 0
    assert check["confirmed_written"] > 0 and check["found"] == check["expected_present"]
    assert report["throughput"]["objects_written"] == check["confirmed_written"]
    ops = report["operations"]
    for op in (
        "collection.data.insert_many",
        "collection.query.near_vector",
        "collection.data.update",
    ):
        assert ops[op]["calls"] > 0 and ops[op]["errors"] == 0, (op, ops.get(op))
    assert "AsyncClient (asyncio tasks)" in (report_dir / "report.md").read_text()
