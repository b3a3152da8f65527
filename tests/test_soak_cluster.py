"""``weaviate-telemetry soak --processes N`` across a real 3-node cluster (docs/soak.md).

Two worker processes, each with its own client and ``service.instance.id``,
write into a collection replicated on all three nodes while the harness kills
one node and starts it again on the same ports and data dir. The one report
must add the processes up, show latency before/during/after the node loss,
and read every acknowledged id back at consistency ALL: none lost, none
twice. Prometheus (through the real collector) must see both instances.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

import weaviate_telemetry as wt
from tests.peers.cluster import WeaviateCluster
from tests.support.stack import (
    WEAVIATE_JOB,
    ClusterMetricsStack,
    start_cluster_metrics_stack,
)
from weaviate_telemetry import _cli
from weaviate_telemetry._dashboards import FOLDER
from weaviate_telemetry._soak import render
from weaviate_telemetry._soak.nodes import PHASES
from weaviate_telemetry._soak.options import (
    UsageError,
    add_arguments,
    from_args,
    split_faults,
)
from weaviate_telemetry._soak.run import soak_main
from weaviate_telemetry._soak.workload import OPERATIONS, Workload
from weaviate_telemetry.embedded import EmbeddedWeaviate

ROOT = Path(__file__).resolve().parent.parent


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


# -- arguments ---------------------------------------------------------------------------


def test_node_steps_are_split_from_proxy_steps_and_checked() -> None:
    proxy, nodes = split_faults("10s:latency=50ms,20s:node1=kill,30s:none,40s:node1=start")
    assert [s.text for s in proxy] == ["10s:latency=50ms", "30s:none"]
    assert [(s.at, s.node, s.action) for s in nodes] == [(20, 1, "kill"), (40, 1, "start")]
    with pytest.raises(UsageError, match="a node step is nodeN=ACTION"):
        split_faults("20s:node1=explode")
    with pytest.raises(UsageError, match="node step times must increase"):
        split_faults("20s:node1=start,10s:node1=kill")


def test_several_urls_replicate_and_check_at_all() -> None:
    options = from_args(
        _args("--url", "http://127.0.0.1:1,http://127.0.0.1:2", "--url", "http://127.0.0.1:3"),
        {},
    )
    assert options.endpoints == ("http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3")
    assert options.replication_factor == 3 and options.check_consistency == "ALL"
    assert options.fleet and options.transport == "rest"
    with pytest.raises(UsageError, match="must be distinct"):
        from_args(_args("--url", "http://127.0.0.1:1", "--url", "http://127.0.0.1:1"), {})
    with pytest.raises(UsageError, match="pass --transport rest"):
        from_args(_args("--url", "http://a:1,http://b:1", "--grpc-port", "50051"), {})


def test_node_steps_without_a_cluster_the_harness_started_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["soak", "--url", "http://127.0.0.1:9", "--report", str(tmp_path)]
    assert _cli.main([*argv, "--faults", "10s:node1=kill"]) == 2
    assert "node steps in --faults need a cluster the harness started" in capsys.readouterr().err


def test_a_phase_change_allocates_no_new_latency_reservoir() -> None:
    """RSS growth is measured from the end of warm-up: the harness's own bookkeeping must
    not grow at a node loss. (The 60-minute run's workers each grew by 0.94 MiB at the
    kill and again at the restart, from reservoirs made on a phase's first call.)"""
    phase = ["before"]
    rng = random.Random(1)
    with wt.Client("http://127.0.0.1:9") as client:
        workload = Workload(
            client,
            "SoakReservoirs",
            writers=1,
            readers=1,
            batch_size=1,
            dimensions=1,
            phase=lambda: phase[0],
            phase_names=PHASES,
        )
        for op in OPERATIONS:
            workload._timed(op, rng, lambda: None)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for name in ("during", "after"):
                phase[0] = name
                for op in OPERATIONS:
                    workload._timed(op, rng, lambda: None)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert all(workload.phases[name][op].calls == 1 for name in PHASES for op in OPERATIONS)
    assert grown < 64 * 1024, f"{grown} bytes allocated by two phase changes"


# -- a soak across processes and a cluster ------------------------------------------------


@pytest.fixture(scope="module")
def cluster_stack() -> Iterator[tuple[WeaviateCluster, ClusterMetricsStack]]:
    with WeaviateCluster(metrics=True) as cluster:
        stack = start_cluster_metrics_stack(cluster.metrics_ports)
        try:
            yield cluster, stack
        finally:
            stack.stop()


@pytest.mark.integration
def test_two_processes_against_the_cluster_through_a_node_loss_lose_nothing(
    cluster_stack: tuple[WeaviateCluster, ClusterMetricsStack], tmp_path: Path
) -> None:
    cluster, stack = cluster_stack
    service = "soak-cluster-" + uuid.uuid4().hex[:6]
    report_dir = tmp_path / "report"
    argv = [
        *("--duration", "40s", "--processes", "2", "--writers", "1", "--readers", "1"),
        *("--batch-size", "20", "--think-time", "50ms", "--sample-interval", "1s"),
        *("--report", str(report_dir), "--service-name", service),
        *("--otlp-endpoint", stack.collector.otlp_http, "--scrape-interval", "1s"),
        *("--prometheus", stack.prometheus.url, "--weaviate-job", WEAVIATE_JOB),
        *("--faults", "12s:node1=kill,22s:node1=start"),
    ]
    for url in cluster.urls:
        argv += ["--url", url]
    code = soak_main(_args(*argv), nodes=cluster)
    report = json.loads((report_dir / "report.json").read_text())
    assert code == 0, report["verdict"]
    assert cluster.running(1)

    # One report for the run: per-process figures that add up to the total.
    processes = report["processes"]
    assert [p["index"] for p in processes] == [0, 1]
    run_id = report["run"]["id"]
    assert [p["instance_id"] for p in processes] == [f"{run_id}-0", f"{run_id}-1"]
    assert len({p["pid"] for p in processes}) == 2
    assert [p["primary_url"] for p in processes] == cluster.urls[:2]
    total = report["total"]
    assert total["objects_written"] == sum(p["objects_written"] for p in processes) > 0
    assert total["calls"] == sum(p["calls"] for p in processes)
    assert all(p["objects_written"] > 0 for p in processes)
    assert all(p["rss"]["growth_pct"] is not None for p in processes)
    assert report["warnings"] == [] and report["unexpected_errors"] == []

    # Every acknowledged id read back at consistency ALL: none lost, none twice.
    check = report["verification"]
    assert check["consistency"] == "ALL" and check["ok"]
    assert check["lost"] == 0 and check["duplicated"] == 0
    assert check["resurrected"] == 0 and check["unknown_ids_found"] == 0
    assert check["found_at_consistency"] >= check["expected_present"] > 0

    # The node was killed and came back; every phase has its own latency figures.
    assert [s["step"] for s in report["timeline"]] == ["12s:node1=kill", "22s:node1=start"]
    windows = report["phase_windows"]
    assert windows["before"][0] == 0 and windows["during"][0] == pytest.approx(12, abs=2)
    assert windows["after"][0] > windows["during"][0]
    batch = report["phases"]["batch.insert_objects"]
    assert batch["before"]["calls"] > 0 and batch["after"]["calls"] > 0
    md = (report_dir / "report.md").read_text()
    assert md.startswith("# Soak report: pass (exit code 0)")
    assert "| lost / duplicated acknowledged objects | **0 / 0**" in md
    assert "## Latency before, during and after the node loss" in md

    # Each worker's telemetry carries its own service.instance.id (Prometheus: instance).
    prom = stack.prometheus
    written = prom.wait_for(
        f'count by (instance) (weaviate_soak_objects_written_total{{job="{service}"}})'
    )
    assert {s["metric"]["instance"] for s in written} == {f"{run_id}-0", f"{run_id}-1"}
    for p in processes:
        value = prom.query(
            f'sum(weaviate_soak_objects_written_total{{job="{service}", '
            f'instance="{p["instance_id"]}"}})'
        )
        assert float(value[0]["value"][1]) == p["objects_written"]
    # The check ran in the coordinator after the workers ended: it reports the lost count.
    lost = prom.wait_for(
        f'weaviate_soak_objects_lost{{job="{service}", instance="{run_id}-check"}}'
    )
    assert float(lost[0]["value"][1]) == 0
    rss = prom.query(f'count by (instance) (process_memory_usage_bytes{{job="{service}"}})')
    assert {s["metric"]["instance"] for s in rss} == {f"{run_id}-0", f"{run_id}-1"}
    # The soak dashboard was rendered from that Prometheus...
    charts = {c["file"]: c for c in report["charts"]}
    assert "processes.png" in charts and "weaviate-soak.png" in charts
    assert charts["weaviate-soak.png"]["failed"] == {}
    # ...and its per-process panels show each instance and the total, the server panels
    # each node and all of them.
    board = json.loads((FOLDER / "weaviate-soak.json").read_text())
    values = {
        **render.variable_values(board, {"job": service, "weaviate_job": WEAVIATE_JOB}),
        "__rate_interval": "4s",
    }
    start = datetime.fromisoformat(report["run"]["started_at"]).timestamp()
    instances = {f"{run_id}-0", f"{run_id}-1"}
    nodes = {f"127.0.0.1:{port}" for port in cluster.metrics_ports}
    expected = {
        "Objects written": instances | {"total"},
        "Calls per second": instances | {"total"},
        "CPU": instances | {"total"},
        "Memory (RSS)": instances,
        "Server CPU": nodes | {"CPU"},
    }
    panels = {panel["title"]: panel for panel in render.panels_of(board)}
    for title, legends in expected.items():
        shown = set()
        for target in panels[title]["targets"]:
            expr = render.substitute(target["expr"], values)
            for series in render.query_range(prom.url, expr, start, time.time(), 2.0):
                legend = target["legendFormat"]
                for label, value in series["metric"].items():
                    legend = legend.replace("{{" + label + "}}", value)
                shown.add(legend)
        assert shown == legends, title


@pytest.mark.integration
def test_a_frozen_node_sigstop_then_sigcont_loses_nothing(
    cluster_stack: tuple[WeaviateCluster, ClusterMetricsStack], tmp_path: Path
) -> None:
    """``node2=stop`` freezes a node (its connections hang, nothing is refused) until
    ``node2=cont``; the run goes on through the other nodes and nothing is lost."""
    cluster, _ = cluster_stack
    report_dir = tmp_path / "report"
    argv = [
        *("--duration", "25s", "--processes", "1", "--writers", "1", "--readers", "1"),
        *("--batch-size", "20", "--think-time", "50ms", "--sample-interval", "1s"),
        *("--report", str(report_dir), "--faults", "8s:node2=stop,16s:node2=cont"),
    ]
    for url in cluster.urls:
        argv += ["--url", url]
    code = soak_main(_args(*argv), nodes=cluster)
    report = json.loads((report_dir / "report.json").read_text())
    assert code == 0, report["verdict"]
    assert [s["step"] for s in report["timeline"]] == ["8s:node2=stop", "16s:node2=cont"]
    windows = report["phase_windows"]
    assert windows["during"][0] == pytest.approx(8, abs=2)
    assert windows["after"][0] == pytest.approx(16, abs=2)
    check = report["verification"]
    assert check["ok"] and check["lost"] == 0 and check["duplicated"] == 0
    assert check["nodes_running"] == [0, 1, 2]
    assert report["processes"][0]["objects_written"] > 0


@pytest.mark.integration
@pytest.mark.parametrize("client", ["sync", "async"])
def test_forked_workers_each_use_their_own_client_on_one_node(
    weaviate_server: EmbeddedWeaviate, tmp_path: Path, client: str
) -> None:
    """``--start-method fork``: the coordinator's client is copied into every worker, which
    must build its own connections (docs/resilience.md, "Processes and fork"); run as a
    user would, warnings as errors. With ``--async`` each worker runs its tasks on an
    AsyncClient of its own, in its own event loop."""
    report_dir = tmp_path / "report"
    env = {**os.environ, "PYTHONWARNINGS": "error", "PYTHONPATH": str(ROOT)}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    argv = [
        *("--url", weaviate_server.url, "--processes", "2", "--start-method", "fork"),
        *("--duration", "8s", "--writers", "1", "--readers", "1", "--batch-size", "20"),
        *("--sample-interval", "1s", "--report", str(report_dir), "--transport", "rest"),
        *(["--async"] if client == "async" else []),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "weaviate_telemetry", "soak", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((report_dir / "report.json").read_text())
    assert report["run"]["start_method"] == "fork" and report["run"]["replication_factor"] is None
    assert report["run"]["client"] == client
    processes = report["processes"]
    assert len({p["pid"] for p in processes}) == 2 and all(p["calls"] > 0 for p in processes)
    check = report["verification"]
    assert check["consistency"] is None and check["ok"]
    assert check["lost"] == 0 and check["duplicated"] == 0 and check["found"] > 0
    # No node steps: one phase.
    assert all(set(p) == {"before", "during", "after"} for p in report["phases"].values())
    assert all(p["during"] is None for p in report["phases"].values())
