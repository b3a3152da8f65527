"""Build and run a real Prometheus 3.16 for the metrics tests.

Built once with ``go install`` from the Go module proxy (docs/testing.md)::

    CGO_ENABLED=0 go install \\
      -ldflags "-X github.com/prometheus/common/version.Version=3.16.0" \\
      github.com/prometheus/prometheus/cmd/prometheus@v0.316.0

into the version-keyed cache ``<cache>/bin/prometheus-v0.316.0/`` (about
7 minutes cold on 2 cores), through
:func:`weaviate_telemetry.embedded.go_install` — the ``-ldflags`` travel in
``GOFLAGS`` as ``-ldflags=-X=<name>=<value>`` (no spaces, so no quoting).
The web UI is not embedded in such a build; the HTTP API is complete.

:class:`Prometheus` runs one server on a free loopback port with a fresh
TSDB folder, the OTLP receiver on (``/api/v1/otlp/v1/metrics``) and a
generated config scraping the given targets every second.

Run ``python -m tests.peers.prometheus --build-only`` to build it ahead of the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import urllib3

from weaviate_telemetry.embedded import (
    EmbeddedServerError,
    ManagedProcess,
    free_port,
    go_install,
)

PROMETHEUS_VERSION = "v0.316.0"  # the Go module version of Prometheus 3.16.0
PROMETHEUS_RELEASE = "3.16.0"
PROMETHEUS_MODULE = "github.com/prometheus/prometheus/cmd/prometheus"
VERSION_SYMBOL = "github.com/prometheus/common/version.Version"


def ensure_prometheus(version: str = PROMETHEUS_VERSION, release: str = PROMETHEUS_RELEASE) -> Path:
    """Path to the cached ``prometheus`` binary, building it on first use.

    ``$PROMETHEUS_BINARY`` points at a ready binary to use instead.
    """
    explicit = os.environ.get("PROMETHEUS_BINARY")
    if explicit:
        return Path(explicit)
    ldflags = f"-ldflags=-X={VERSION_SYMBOL}={release}"
    goflags = " ".join(filter(None, [os.environ.get("GOFLAGS", ""), ldflags]))
    return go_install(
        PROMETHEUS_MODULE, version, "prometheus", f"prometheus-{version}", env={"GOFLAGS": goflags}
    )


class PrometheusError(RuntimeError):
    """The Prometheus API answered with an error (bad PromQL, bad parameters, …)."""

    def __init__(self, message: str, error_type: str = "") -> None:
        super().__init__(message)
        self.error_type = error_type


@dataclass(frozen=True)
class ScrapeTarget:
    """One scrape job: ``address`` is ``host:port``.

    ``honor_labels`` keeps the ``job``/``instance`` labels the target exposes
    — needed for the collector's Prometheus exporter, which sets ``job`` from
    the resource's ``service.name``.
    """

    job: str
    address: str
    path: str = "/metrics"
    honor_labels: bool = False


def scrape_config(targets: Iterable[ScrapeTarget], interval: str = "1s") -> str:
    """The ``prometheus.yml`` text for ``targets`` (JSON is valid YAML)."""
    jobs = [
        {
            "job_name": t.job,
            "metrics_path": t.path,
            "honor_labels": t.honor_labels,
            "static_configs": [{"targets": [t.address]}],
        }
        for t in targets
    ]
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "scrape_configs": jobs,
    }
    return orjson.dumps(config, option=orjson.OPT_INDENT_2).decode()


class Prometheus:
    """A running Prometheus on 127.0.0.1 scraping ``targets``; stopped with its process group."""

    def __init__(
        self,
        targets: Iterable[ScrapeTarget] = (),
        *,
        scrape_interval: str = "1s",
        config: str | None = None,
        version: str = PROMETHEUS_VERSION,
    ) -> None:
        """``config`` is a whole ``prometheus.yml`` text to use instead of the generated one."""
        self.targets = list(targets)
        self.config = config
        self.scrape_interval = scrape_interval
        self.version = version
        self.dir = Path(tempfile.mkdtemp(prefix="wt-prometheus-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._http = urllib3.PoolManager(retries=False, timeout=10.0)
        self._proc: ManagedProcess | None = None

    @property
    def otlp_metrics_url(self) -> str:
        """Where an OTLP/HTTP metric exporter sends straight into this Prometheus."""
        return f"{self.url}/api/v1/otlp/v1/metrics"

    def start(self, timeout: float = 60.0) -> Prometheus:
        binary = ensure_prometheus(self.version)
        config = self.dir / "prometheus.yml"
        config.write_text(self.config or scrape_config(self.targets, self.scrape_interval))
        argv = [
            str(binary),
            f"--config.file={config}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            f"--storage.tsdb.path={self.dir / 'data'}",
            "--web.enable-otlp-receiver",
            # Keep the exemplars the SDK's latency histograms carry (latency -> trace links).
            "--enable-feature=exemplar-storage",
            "--log.level=warn",
        ]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir)}
        self._proc = ManagedProcess(argv, env, self.dir / "prometheus.log", self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._proc.alive():
                tail = self._proc.log_tail()
                self.cleanup()
                raise EmbeddedServerError(f"prometheus exited:\n{tail}")
            try:
                if self._http.request("GET", f"{self.url}/-/ready", timeout=1.0).status == 200:
                    return self
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.1)
        tail = self._proc.log_tail()
        self.cleanup()
        raise EmbeddedServerError(f"prometheus not ready in time:\n{tail}")

    # -- HTTP API --------------------------------------------------------------------------

    def api(self, method: str, path: str, fields: Mapping[str, Any] | None = None) -> Any:
        """Call ``/api/v1/<path>``; returns ``data`` or raises :class:`PrometheusError`."""
        url = f"{self.url}/api/v1/{path}"
        params = {k: str(v) for k, v in (fields or {}).items()}
        if method == "GET":
            resp = self._http.request("GET", url, fields=params)
        else:
            resp = self._http.request_encode_body(
                method, url, fields=params, encode_multipart=False
            )
        try:
            body = orjson.loads(resp.data)
        except orjson.JSONDecodeError:
            raise PrometheusError(f"{path}: HTTP {resp.status}: {resp.data[:300]!r}") from None
        if body.get("status") != "success":
            raise PrometheusError(
                f"{path}: {body.get('errorType')}: {body.get('error')}", body.get("errorType", "")
            )
        return body.get("data")

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        """Instant query; the ``result`` list (vector/matrix) of ``/api/v1/query``."""
        fields: dict[str, Any] = {"query": promql}
        if at is not None:
            fields["time"] = at
        data = self.api("POST", "query", fields)
        result = data["result"]
        return result if isinstance(result, list) else [{"value": result}]

    def query_range(
        self, promql: str, start: float, end: float, step: float | str = 1.0
    ) -> list[dict[str, Any]]:
        """Range query; one ``{"metric": ..., "values": [[t, "v"], ...]}`` per series."""
        data = self.api(
            "POST", "query_range", {"query": promql, "start": start, "end": end, "step": step}
        )
        return list(data["result"])

    def parse_query(self, expr: str) -> dict[str, Any]:
        """The syntax tree of ``expr`` (``/api/v1/parse_query``); raises on a syntax error."""
        return dict(self.api("POST", "parse_query", {"query": expr}))

    def targets_health(self) -> dict[str, str]:
        """``job`` → health (``up``/``down``/``unknown``) of the active scrape targets."""
        data = self.api("GET", "targets", {"state": "active"})
        return {t["labels"]["job"]: t["health"] for t in data["activeTargets"]}

    def wait_for(
        self, promql: str, timeout: float = 30.0, interval: float = 0.5
    ) -> list[dict[str, Any]]:
        """Poll an instant query until it returns a non-empty result; raise on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(promql)
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no result for {promql!r} within {timeout}s")
            time.sleep(interval)

    def version_info(self) -> dict[str, Any]:
        """``/api/v1/status/buildinfo`` (``version``, ``goVersion``, …)."""
        return dict(self.api("GET", "status/buildinfo"))

    # -- lifecycle -------------------------------------------------------------------------

    def log_tail(self) -> str:
        return self._proc.log_tail() if self._proc else ""

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=10.0)
            self._proc = None

    def cleanup(self) -> None:
        """Stop the server and remove its config and TSDB. Idempotent."""
        self.stop()
        self._http.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Prometheus:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


def binary_version(binary: Path) -> str:
    """The version line ``prometheus --version`` prints."""
    out = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True
    )
    return out.stdout.splitlines()[0] if out.stdout else out.stderr.splitlines()[0]


def main(argv: list[str] | None = None) -> int:
    """``--build-only``: build (or find) the cached binary and print its path."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-only", action="store_true", help="build and exit (default)")
    parser.add_argument("--version", default=PROMETHEUS_VERSION)
    args = parser.parse_args(argv)
    print(ensure_prometheus(args.version), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
