"""The metrics test stack: SDK → OTLP → collector → (scraped) → Prometheus ← Weaviate /metrics.

::

    SDK --OTLP/HTTP--> collector --prometheus exporter--+
                                                        +--scraped every 1s--> Prometheus
    Weaviate (PROMETHEUS_MONITORING_ENABLED) /metrics --+

The collector's Prometheus exporter sets ``job`` from the SDK's
``service.name`` (and ``instance`` from ``service.instance.id``); the scrape
job keeps them (``honor_labels``), so dashboards select a service with
``job``. Weaviate's own metrics come in under ``job="weaviate"``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from tests.peers.otel_collector import Collector
from tests.peers.prometheus import Prometheus, ScrapeTarget, scrape_config
from weaviate_telemetry.embedded import EmbeddedWeaviate

#: Scrape job of the collector's Prometheus exporter (its series carry the SDK's job).
COLLECTOR_JOB = "otel-collector"
#: Scrape job of Weaviate's own /metrics.
WEAVIATE_JOB = "weaviate"


@dataclass
class MetricsStack:
    """A running collector and Prometheus in front of one Weaviate."""

    weaviate: EmbeddedWeaviate
    collector: Collector
    prometheus: Prometheus
    startup_seconds: float = 0.0

    def stop(self) -> None:
        self.prometheus.cleanup()
        self.collector.cleanup()


def start_metrics_stack(weaviate: EmbeddedWeaviate, timeout: float = 60.0) -> MetricsStack:
    """Start a collector and a Prometheus scraping it and ``weaviate``'s metrics port.

    ``weaviate`` must run with ``prometheus=True``. Returns once Prometheus
    reports both scrape targets up; stops what it started on failure.
    """
    if not weaviate.prometheus or weaviate.ports is None:
        raise ValueError("the stack needs a started EmbeddedWeaviate(prometheus=True)")
    began = time.monotonic()
    collector = Collector().start()
    try:
        targets = [
            ScrapeTarget(
                COLLECTOR_JOB, f"127.0.0.1:{collector.ports.prometheus}", honor_labels=True
            ),
            ScrapeTarget(WEAVIATE_JOB, f"127.0.0.1:{weaviate.ports.metrics}"),
        ]
        prometheus = Prometheus(targets, scrape_interval="1s").start()
    except BaseException:
        collector.cleanup()
        raise
    stack = MetricsStack(weaviate, collector, prometheus)
    try:
        deadline = time.monotonic() + timeout
        while True:
            health = prometheus.targets_health()
            if health.get(COLLECTOR_JOB) == "up" and health.get(WEAVIATE_JOB) == "up":
                break
            if time.monotonic() >= deadline:
                raise TimeoutError(f"scrape targets not up: {health}\n{prometheus.log_tail()}")
            time.sleep(0.2)
    except BaseException:
        stack.stop()
        raise
    stack.startup_seconds = time.monotonic() - began
    return stack


@dataclass
class ClusterMetricsStack:
    """A running collector and Prometheus in front of a cluster (every node's /metrics)."""

    collector: Collector
    prometheus: Prometheus

    def stop(self) -> None:
        self.prometheus.cleanup()
        self.collector.cleanup()


def start_cluster_metrics_stack(
    metrics_ports: list[int], timeout: float = 60.0
) -> ClusterMetricsStack:
    """A collector and a Prometheus scraping it and each node's metrics port (job ``weaviate``).

    ``metrics_ports``: the nodes' ``/metrics`` ports (``WeaviateCluster(metrics=True)``).
    Returns once both jobs are up; stops what it started on failure.
    """
    collector = Collector().start()
    try:
        target = ScrapeTarget(
            COLLECTOR_JOB, f"127.0.0.1:{collector.ports.prometheus}", honor_labels=True
        )
        config = json.loads(scrape_config([target], "1s"))
        nodes = [f"127.0.0.1:{port}" for port in metrics_ports]
        config["scrape_configs"].append(
            {
                "job_name": WEAVIATE_JOB,
                "metrics_path": "/metrics",
                "static_configs": [{"targets": nodes}],
            }
        )
        prometheus = Prometheus(config=json.dumps(config)).start()
    except BaseException:
        collector.cleanup()
        raise
    stack = ClusterMetricsStack(collector, prometheus)
    try:
        deadline = time.monotonic() + timeout
        while True:
            health = prometheus.targets_health()
            if health.get(COLLECTOR_JOB) == "up" and health.get(WEAVIATE_JOB) == "up":
                break
            if time.monotonic() >= deadline:
                raise TimeoutError(f"scrape targets not up: {health}\n{prometheus.log_tail()}")
            time.sleep(0.2)
    except BaseException:
        stack.stop()
        raise
    return stack
