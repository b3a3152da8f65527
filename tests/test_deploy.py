"""The Docker Compose stack for users (deploy/): valid, pinned, loopback-only, complete.

No Docker engine runs here: ``docker-compose config`` (Debian's docker-compose,
installed by tools/test.sh) parses and resolves the file, the YAML is checked
in Python, and the Prometheus config is loaded by the real Prometheus 3.16.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.peers.prometheus import Prometheus

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"

PINNED = {
    "weaviate": "cr.weaviate.io/semitechnologies/weaviate:1.39.0",
    "otel-collector": "otel/opentelemetry-collector-contrib:0.161.0",
    "prometheus": "prom/prometheus:v3.16.0",
}


def _resolved() -> dict[str, Any]:
    """The compose file as docker-compose itself reads it (paths made absolute)."""
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is not installed (tools/test.sh installs Debian's package)"
    result = subprocess.run(
        [tool, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert isinstance(config, dict)
    return config


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _resolved()


def test_compose_starts_the_four_services_with_pinned_images(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"weaviate", "otel-collector", "prometheus", "grafana"}
    for name, image in PINNED.items():
        assert services[name]["image"] == image
    grafana = services["grafana"]["image"]
    repo, _, tag = grafana.rpartition(":")
    assert repo == "grafana/grafana" and tag.split(".")[0] in {"11", "12"}, grafana
    for name, service in services.items():
        tag = service["image"].rpartition(":")[2]
        assert tag and tag != "latest" and "/" not in tag, f"{name}: unpinned {service['image']}"


def test_every_port_is_published_on_loopback_only(compose: dict[str, Any]) -> None:
    published = []
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            spec = port if isinstance(port, str) else f"{port.get('host_ip')}:{port['published']}"
            assert spec.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
            published.append(spec)
    expected = ["8080", "4317", "4318", "9090", "3000"]
    assert all(any(f":{p}:" in spec for spec in published) for p in expected), published


def test_every_mounted_file_exists(compose: dict[str, Any]) -> None:
    binds = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            if source and source.startswith("/"):
                assert Path(source).exists(), f"{name} mounts missing {source}"
                binds.append(Path(source).resolve())
    assert ROOT / "otel-collector.yaml" in binds
    assert ROOT / "weaviate_telemetry" / "dashboards" in binds
    assert DEPLOY / "prometheus.yml" in binds


def test_weaviate_exports_metrics_and_traces_to_the_stack(compose: dict[str, Any]) -> None:
    env = compose["services"]["weaviate"]["environment"]
    assert env["PROMETHEUS_MONITORING_ENABLED"] == "true"
    assert env["EXPERIMENTAL_OTEL_ENABLED"] == "true"
    # gRPC takes host:port; the collector's OTLP gRPC receiver listens on 4317
    assert env["EXPERIMENTAL_OTEL_EXPORTER_OTLP_ENDPOINT"] == "otel-collector:4317"
    collector = yaml.safe_load((ROOT / "otel-collector.yaml").read_text())
    assert collector["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(":4317")
    assert collector["exporters"]["prometheus"]["endpoint"].endswith(":8889")

    prom = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prom["scrape_configs"]}
    assert jobs["otel-collector"]["static_configs"][0]["targets"] == ["otel-collector:8889"]
    assert jobs["otel-collector"]["honor_labels"] is True  # job = the SDK's service.name
    port = env["PROMETHEUS_MONITORING_PORT"]
    assert jobs["weaviate"]["static_configs"][0]["targets"] == [f"weaviate:{port}"]
    assert "--web.enable-otlp-receiver" in compose["services"]["prometheus"]["command"]


def test_grafana_provisions_prometheus_and_the_dashboards_folder(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"] if v.startswith("/")}
    datasources = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    assert datasources["apiVersion"] == 1
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/weaviate-telemetry.yml").read_text()
    )
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    path = provider["options"]["path"]
    assert Path(mounts[path]).resolve() == ROOT / "weaviate_telemetry" / "dashboards"
    for target in ("/etc/grafana/provisioning/datasources", "/etc/grafana/provisioning/dashboards"):
        assert Path(mounts[target]).is_dir()


@pytest.mark.integration
def test_the_real_prometheus_loads_the_deploy_config() -> None:
    """Prometheus 3.16 parses deploy/prometheus.yml and sets up both scrape jobs."""
    with Prometheus(config=(DEPLOY / "prometheus.yml").read_text()) as prom:
        deadline = time.monotonic() + 30
        while True:
            jobs = set(prom.targets_health())
            if jobs == {"otel-collector", "weaviate"} or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert jobs == {"otel-collector", "weaviate"}
        config = prom.api("GET", "status/config")["yaml"]
        assert "honor_labels: true" in config
