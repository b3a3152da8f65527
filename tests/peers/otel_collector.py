"""Build and run a real OpenTelemetry Collector for the telemetry tests.

The collector is built once with the OpenTelemetry Collector Builder (itself
``go install``-ed into the project cache) from a manifest listing exactly the
components the tests use, and kept in a version-keyed cache folder
``<cache>/bin/otelcol-<version>/``. The build runs in a temporary folder and
the binary is moved into the cache atomically, so an interrupted build never
leaves a broken binary behind. A fresh machine builds it the same way.

Run ``python -m tests.peers.otel_collector`` to build it ahead of the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from weaviate_telemetry.embedded import (
    EmbeddedServerError,
    ManagedProcess,
    build_lock,
    cache_dir,
    free_ports,
    go_install,
)

COLLECTOR_VERSION = "v0.161.0"  # core and contrib components
CONFMAP_VERSION = "v1.67.0"  # confmap providers released with core v0.161.0
BUILDER_MODULE = "go.opentelemetry.io/collector/cmd/builder"
BINARY = "otelcol-weaviate"

MANIFEST = """\
dist:
  name: {binary}
  description: OpenTelemetry Collector for the weaviate-telemetry tests
  output_path: {output}
  module: example.invalid/otelcol-weaviate
  version: {version_bare}

receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver {version}
processors:
  - gomod: go.opentelemetry.io/collector/processor/batchprocessor {version}
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter {version}
  - gomod: {contrib}/exporter/fileexporter {version}
  - gomod: {contrib}/exporter/prometheusexporter {version}
providers:
  - gomod: go.opentelemetry.io/collector/confmap/provider/envprovider {confmap}
  - gomod: go.opentelemetry.io/collector/confmap/provider/fileprovider {confmap}
  - gomod: go.opentelemetry.io/collector/confmap/provider/yamlprovider {confmap}
"""


def ensure_collector(version: str = COLLECTOR_VERSION) -> Path:
    """Path to the cached collector binary of ``version``, building it if needed.

    ``$OTELCOL_BINARY`` points at a ready binary to use instead.
    """
    explicit = os.environ.get("OTELCOL_BINARY")
    if explicit:
        return Path(explicit)
    key = f"otelcol-{version}"
    target = cache_dir() / "bin" / key / BINARY
    if target.exists():
        return target
    builder = go_install(BUILDER_MODULE, version, "builder", f"ocb-{version}")
    with build_lock(key):
        if target.exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=cache_dir()))
        try:
            manifest = staging / "manifest.yaml"
            manifest.write_text(
                MANIFEST.format(
                    binary=BINARY,
                    output=staging / "out",
                    version=version,
                    version_bare=version.lstrip("v"),
                    confmap=CONFMAP_VERSION,
                    contrib="github.com/open-telemetry/opentelemetry-collector-contrib",
                )
            )
            log = cache_dir() / "logs" / f"{key}-build.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            env = {**os.environ, "CGO_ENABLED": "0"}
            with open(log, "wb") as out:
                proc = subprocess.run(
                    [str(builder), f"--config={manifest}"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=staging,
                    check=False,
                )
            built = staging / "out" / BINARY
            if proc.returncode != 0 or not built.exists():
                tail = log.read_text(errors="replace")[-3000:]
                raise EmbeddedServerError(
                    f"collector build failed (exit {proc.returncode}); log {log}:\n{tail}"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(built, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


TEST_CONFIG = """\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{grpc}
      http:
        endpoint: 127.0.0.1:{http}
processors:
  batch:
    timeout: 200ms
exporters:
  file/traces:
    path: {traces}
  file/logs:
    path: {logs}
  prometheus:
    endpoint: 127.0.0.1:{prom}
  debug:
    verbosity: basic
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [file/traces]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [prometheus]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [file/logs]
"""


@dataclass
class CollectorPorts:
    """Loopback ports of one running collector."""

    grpc: int
    http: int
    prometheus: int


class Collector:
    """A running collector: OTLP in on free ports, traces/logs to files, metrics to Prometheus."""

    def __init__(self, version: str = COLLECTOR_VERSION) -> None:
        self.version = version
        self.dir = Path(tempfile.mkdtemp(prefix="otelcol-"))
        grpc, http, prom = free_ports(3)
        self.ports = CollectorPorts(grpc, http, prom)
        self.traces_path = self.dir / "traces.jsonl"
        self.logs_path = self.dir / "logs.jsonl"
        self._proc: ManagedProcess | None = None

    @property
    def otlp_http(self) -> str:
        return f"http://127.0.0.1:{self.ports.http}"

    @property
    def otlp_grpc(self) -> str:
        return f"http://127.0.0.1:{self.ports.grpc}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.prometheus}/metrics"

    def start(self, timeout: float = 30.0) -> Collector:
        binary = ensure_collector(self.version)
        config = self.dir / "config.yaml"
        config.write_text(
            TEST_CONFIG.format(
                grpc=self.ports.grpc,
                http=self.ports.http,
                prom=self.ports.prometheus,
                traces=self.traces_path,
                logs=self.logs_path,
            )
        )
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir)}
        self._proc = ManagedProcess(
            [str(binary), f"--config={config}"], env, self.dir / "collector.log", self.dir
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._proc.alive():
                raise EmbeddedServerError(f"collector exited:\n{self._proc.log_tail()}")
            try:
                with urllib.request.urlopen(self.prometheus_url, timeout=1.0):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        tail = self._proc.log_tail()
        self.stop()
        raise EmbeddedServerError(f"collector not ready in time:\n{tail}")

    def scrape(self) -> str:
        with urllib.request.urlopen(self.prometheus_url, timeout=5.0) as resp:
            return str(resp.read().decode())

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=5.0)
            self._proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Collector:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


def main(argv: list[str] | None = None) -> int:
    """``--build-only``: build (or find) the cached binary and print its path."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-only", action="store_true", help="build and exit (default)")
    parser.add_argument("--version", default=COLLECTOR_VERSION)
    args = parser.parse_args(argv)
    print(ensure_collector(args.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
