"""The shipped Grafana dashboards (docs/dashboards.md), proven on a real Prometheus.

- the committed JSON is exactly what ``dashboards/generate.py`` writes, and
  the SDK reads it back;
- the rules of Grafana's dashboard-linter (which cannot be installed here):
  the datasource variable everywhere, ``$__rate_interval`` windows, units
  and descriptions, no hard-coded datasource UIDs, variables with a
  datasource, job selectors through the variables; every expression parses
  on Prometheus (``/api/v1/parse_query``);
- the preview renderer fails on a broken query and on an empty panel;
- a real SDK workload against a real Weaviate, pushed over OTLP into
  Prometheus (which also scrapes Weaviate), gives data to every panel of
  both dashboards, except those of metrics the SDK does not emit yet.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import weaviate_telemetry as wt
from dashboards import generate, preview
from tests.support.servers import Canned, ScriptedHTTPServer
from weaviate_telemetry.embedded import EmbeddedWeaviate, ManagedProcess, cache_dir, free_port

ROOT = Path(__file__).resolve().parent.parent
#: The shipped JSON: package data, so a wheel install has it too.
DASHBOARDS = ROOT / "weaviate_telemetry" / "dashboards"
PROMETHEUS_VERSION = "v0.316.0"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

#: Metrics the dashboards chart that the SDK (or the soak harness) does not emit yet.
#: Panels that use only these are expected to be empty; delete entries as they land.
NOT_YET_EMITTED = frozenset(
    {
        # Written by the soak harness (weaviate-telemetry soak), not by a plain client.
        "weaviate_soak_objects_written_total",
        "weaviate_soak_objects_lost",
    }
)
#: Metrics only server-side batching (``batch.stream``) emits. A run that imports with
#: unary batches (the soak, the guides) leaves panels of only these empty; this module's
#: workload streams, and proves them with data.
STREAM_ONLY = frozenset(
    {
        "weaviate_client_batch_stream_pacing_total",
        "weaviate_client_batch_stream_batch_size",  # the histogram, native (exponential)
        "weaviate_client_batch_stream_batch_size_sum",
        "weaviate_client_batch_stream_batch_size_count",
    }
)


def stream_only_panels() -> set[str]:
    """Titles of the shipped panels that read only server-side batching's metrics."""
    from dashboards import preview

    return {
        panel["title"]
        for path in DASHBOARDS.glob("weaviate-*.json")
        for panel in preview.panels_of(json.loads(path.read_text()))
        if all(_metric_names(t["expr"]) <= STREAM_ONLY for t in panel["targets"])
    }


# -- a real Prometheus (swap for tests/peers/prometheus.py when it lands) -------------------


class PrometheusRefused(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status


class LocalPrometheus:
    """Prometheus 3.16 on a free loopback port, fresh TSDB, OTLP receiver on."""

    def __init__(self, workdir: Path, scrape: dict[str, str] | None = None) -> None:
        binary = cache_dir() / "bin" / f"prometheus-{PROMETHEUS_VERSION}" / "prometheus"
        if not binary.exists():
            raise RuntimeError(f"no Prometheus binary at {binary}: build it first")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        jobs = "".join(
            f"  - job_name: {name}\n    static_configs:\n      - targets: ['{target}']\n"
            for name, target in (scrape or {}).items()
        )
        # OTLP names exactly as the collector's Prometheus exporter writes them.
        config = workdir / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "otlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n"
            "storage:\n  tsdb:\n    out_of_order_time_window: 10m\n"
            + ("scrape_configs:\n" + jobs if jobs else "")
        )
        (workdir / "data").mkdir()
        argv = [
            str(binary),
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-otlp-receiver",
            "--log.level=warn",
        ]
        self.process = ManagedProcess(argv, {}, workdir / "prometheus.log", workdir)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if not self.process.alive() or time.monotonic() > deadline:
                self.process.stop()
                raise RuntimeError("Prometheus did not start:\n" + self.process.log_tail())
            time.sleep(0.2)

    def api(self, path: str, **params: str) -> Any:
        """POST to the HTTP API; a refusal raises :class:`PrometheusRefused` with its error."""
        data = urllib.parse.urlencode(params).encode()
        try:
            with urllib.request.urlopen(self.url + path, data=data, timeout=30) as answer:
                return json.loads(answer.read())["data"]
        except urllib.error.HTTPError as err:
            with err:
                raise PrometheusRefused(err.code, err.read().decode(errors="replace")) from None

    def stop(self) -> None:
        self.process.stop()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrometheus]:
    server = LocalPrometheus(tmp_path_factory.mktemp("prometheus"))
    try:
        yield server
    finally:
        server.stop()


# -- what the dashboards contain -------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    return json.loads((DASHBOARDS / name).read_text())


ALL = {name: _load(name) for name in generate.DASHBOARDS}


def _panels() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, dashboard in ALL.items():
        for panel in preview.panels_of(dashboard):
            yield name, panel


def _exprs() -> Iterator[tuple[str, str, str]]:
    for name, panel in _panels():
        for target in panel["targets"]:
            yield name, panel["title"], target["expr"]


def _variable_queries() -> Iterator[tuple[str, str, str]]:
    for name, dashboard in ALL.items():
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query":
                yield name, variable["name"], variable["query"]["query"]


def _metric_names(expr: str, selecting: str = "") -> set[str]:
    """Metric names in ``expr`` (only those whose selector contains ``selecting``)."""
    found = re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}", expr)
    return {name for name, matchers in found if selecting in matchers}


# -- generated, committed, readable ----------------------------------------------------------


def test_committed_dashboards_are_what_the_generator_writes() -> None:
    generated = generate.generate()
    assert sorted(generated) == sorted(p.name for p in DASHBOARDS.glob("*.json"))
    for name, text in generated.items():
        assert (DASHBOARDS / name).read_text() == text, (
            f"{name} is stale: run python dashboards/generate.py"
        )
    assert generate.main(["--check"]) == 0


def test_a_wheel_ships_the_dashboards_and_its_cli_copies_them(tmp_path: Path) -> None:
    """pip users get the JSON too: ``weaviate-telemetry dashboards`` and ``soak
    --prometheus`` find it in an installed wheel, not only in a checkout."""
    source = tmp_path / "src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "weaviate_telemetry", source / "weaviate_telemetry", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", source],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("weaviate_telemetry-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        inside = {n for n in archive.namelist() if n.startswith("weaviate_telemetry/dashboards/")}
        archive.extractall(tmp_path / "site")
    assert inside == {f"weaviate_telemetry/dashboards/{p.name}" for p in DASHBOARDS.glob("*.json")}

    out = tmp_path / "grafana"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    copied = subprocess.run(
        [sys.executable, "-m", "weaviate_telemetry", "dashboards", "--out", out],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout.split() == [str(out / p.name) for p in sorted(DASHBOARDS.glob("*.json"))]
    for path in DASHBOARDS.glob("*.json"):
        assert (out / path.name).read_text() == path.read_text()
    show = "from weaviate_telemetry import _dashboards as d; print(*d.shipped())"
    found = subprocess.run(
        [sys.executable, "-c", show],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    # what ``soak --prometheus`` renders by default: the installed copies
    installed = tmp_path / "site" / "weaviate_telemetry" / "dashboards"
    names = sorted(p.name for p in DASHBOARDS.glob("*.json"))
    assert found.stdout.split() == [str(installed / name) for name in names]


def test_the_dashboards_command_lists_them_and_says_when_they_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from weaviate_telemetry import _cli, _dashboards

    assert _cli.main(["dashboards"]) == 0
    assert capsys.readouterr().out.split() == [str(p) for p in sorted(DASHBOARDS.glob("*.json"))]
    monkeypatch.setattr(_dashboards, "FOLDER", tmp_path)  # an install without its package data
    assert _cli.main(["dashboards", "--out", str(tmp_path / "out")]) == 2
    assert f"no dashboards in {tmp_path}" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_the_sdk_reads_its_own_output_back() -> None:
    from grafana_foundation_sdk.cog import plugins
    from grafana_foundation_sdk.models import dashboard as dm

    plugins.register_default_plugins()
    for name, dashboard in ALL.items():
        assert '"options": null' not in (DASHBOARDS / name).read_text()
        again = generate.render(dm.Dashboard.from_json(dashboard))
        assert again == (DASHBOARDS / name).read_text(), name


def test_both_dashboards_cover_what_spec_8_lists() -> None:
    overview = {p["title"] for p in preview.panels_of(ALL["weaviate-client-overview.json"])}
    soak = {p["title"] for p in preview.panels_of(ALL["weaviate-soak.json"])}
    assert overview <= soak
    overview_metrics = set().union(*(_metric_names(e) for n, _, e in _exprs() if "overview" in n))
    for metric in (
        "db_client_operation_duration_seconds_count",
        "db_client_operation_duration_seconds_bucket",
        "weaviate_client_errors_total",
        "weaviate_client_retries_total",
        "weaviate_client_active_requests",
        "weaviate_client_batch_objects_total",
        "http_client_request_duration_seconds_count",
        "http_client_open_connections",
        "db_client_connection_count",
        "db_client_connection_wait_time_seconds_bucket",
        "weaviate_client_endpoint_resting",
        "weaviate_client_retry_budget_refusals_total",
        "weaviate_client_retry_wait_seconds_sum",
    ):
        assert metric in overview_metrics, metric
    kinds = {p["type"] for _, p in _panels()}
    assert kinds == {"timeseries", "stat", "heatmap"}
    for name in ALL:
        names = [v["name"] for v in ALL[name]["templating"]["list"]]
        assert {"datasource", "job", "operation", "collection"} <= set(names), name


def test_latency_panels_link_to_traces() -> None:
    linked = 0
    for _, panel in _panels():
        if not panel["title"].startswith("Latency p") or "server" in panel["title"]:
            continue
        assert all(t.get("exemplar") for t in panel["targets"]), panel["title"]
        if "by operation" in panel["title"]:
            (link,) = panel["fieldConfig"]["defaults"]["links"]
            assert "${tracing}" in link["url"] and "db_operation_name" in link["url"]
            linked += 1
    assert linked == 2  # one per dashboard


def test_every_series_is_named_and_busy_panels_stay_readable() -> None:
    """A legend names each series by the labels it is grouped by; a panel grouped by an
    unbounded label (operation, route, error type) shows the top ten or a table legend."""
    for name, panel in _panels():
        if panel["type"] != "timeseries":
            continue
        legend = panel["options"]["legend"]
        assert legend["showLegend"], (name, panel["title"])
        for target in panel["targets"]:
            grouped = set()
            for labels in re.findall(r"\b(?:sum|max) by \(([^)]*)\)", target["expr"]):
                grouped |= {label.strip() for label in labels.split(",")} - {"le"}
            shown = set(re.findall(r"\{\{(\w+)\}\}", target["legendFormat"]))
            assert target["legendFormat"].strip(), (name, panel["title"])
            assert grouped <= shown, (name, panel["title"], grouped - shown)
            if grouped & {"db_operation_name", "route", "error_type"}:
                assert target["expr"].startswith("topk(10,") or legend["displayMode"] == "table", (
                    name,
                    panel["title"],
                )


# -- the dashboard-linter's rules ------------------------------------------------------------


def test_every_panel_and_target_uses_the_datasource_variable() -> None:
    for name, panel in _panels():
        assert panel["datasource"] == DATASOURCE, (name, panel["title"])
        for target in panel["targets"]:
            assert target.get("datasource", DATASOURCE) == DATASOURCE, (name, panel["title"])


def test_every_panel_has_a_unit_and_a_description() -> None:
    for name, panel in _panels():
        assert panel.get("description", "").strip(), (name, panel["title"])
        assert panel["fieldConfig"]["defaults"].get("unit"), (name, panel["title"])


def test_no_hard_coded_datasource_uids() -> None:
    def walk(node: Any, where: str) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "datasource":
                    yield where, value
                yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{where}[{i}]")

    for name, dashboard in ALL.items():
        for where, ref in walk(dashboard, name):
            uid = ref.get("uid") if isinstance(ref, dict) else ref
            assert isinstance(uid, str) and uid.startswith("$"), (where, ref)


def test_template_variables_have_a_datasource() -> None:
    for name, dashboard in ALL.items():
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "datasource":
                assert variable["query"] in ("prometheus", "tempo"), variable["name"]
            else:
                assert variable["datasource"] == DATASOURCE, (name, variable["name"])


def test_rate_windows_use_rate_interval() -> None:
    windowed = 0
    for name, title, expr in _exprs():
        windows = re.findall(r"\[([^\]]*)\]", expr)
        assert set(windows) <= {"$__rate_interval"}, (name, title, windows)
        if re.search(r"\b(rate|irate|increase|delta|\w+_over_time)\(", expr):
            assert windows, (name, title)
            windowed += 1
    assert windowed > 30


def _parse(prometheus: LocalPrometheus, expr: str) -> Any:
    return prometheus.api("/api/v1/parse_query", query=expr.replace("$__rate_interval", "1m"))


def _selectors(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") in ("vectorSelector", "matrixSelector"):
            yield node
        for value in node.values():
            yield from _selectors(value)
    elif isinstance(node, list):
        for item in node:
            yield from _selectors(item)


def test_every_expression_parses_and_selects_the_job_through_a_variable(
    prometheus: LocalPrometheus,
) -> None:
    checked = 0
    queries = [(n, t, e) for n, t, e in _exprs()]
    for name, variable, query in _variable_queries():
        inner = re.fullmatch(r"label_values\((.+), *(\w+)\)", query)
        assert inner, (name, variable, query)
        queries.append((name, f"variable {variable}", inner.group(1)))
    for name, title, expr in queries:
        try:
            tree = _parse(prometheus, expr)
        except PrometheusRefused as err:
            pytest.fail(f"{name} / {title}: {err} in {expr}")
        for selector in _selectors(tree):
            if title in ("variable job", "variable weaviate_job"):  # they list the jobs
                continue
            if selector["type"] == "matrixSelector":  # $__rate_interval became 1m
                assert selector["range"] == 60_000, (name, title, selector["name"])
            jobs = [m for m in selector["matchers"] if m["name"] == "job"]
            assert jobs, (name, title, selector["name"], "selects no job")
            for matcher in selector["matchers"]:
                if matcher["name"] in ("job", "instance"):
                    assert matcher["type"] == "=~" and matcher["value"].startswith("$"), (
                        name,
                        title,
                        matcher,
                    )
            checked += 1
    assert checked > 60


def test_parse_query_refuses_a_broken_expression(prometheus: LocalPrometheus) -> None:
    with pytest.raises(PrometheusRefused) as info:
        _parse(prometheus, "sum(rate(x{job=~'$job'}[$__rate_interval])")
    assert info.value.status == 400 and "parse error" in str(info.value)


# -- the preview renderer's failures ---------------------------------------------------------


def _one_panel_dashboard(*panels: tuple[str, str]) -> dict[str, Any]:
    return {
        "title": "probe",
        "templating": {"list": [{"name": "job", "type": "query", "allValue": ".*"}]},
        "panels": [
            {
                "type": "timeseries",
                "title": title,
                "gridPos": {"x": 0, "y": 8 * i, "w": 24, "h": 8},
                "fieldConfig": {"defaults": {"unit": "short"}},
                "targets": [{"expr": expr, "legendFormat": ""}],
            }
            for i, (title, expr) in enumerate(panels)
        ],
    }


def test_preview_names_every_panel_with_a_query_error_or_no_data(
    prometheus: LocalPrometheus, tmp_path: Path
) -> None:
    dashboard = _one_panel_dashboard(
        ("Has data", 'sum(prometheus_build_info{job=~"$job"}) or vector(1)'),
        ("Broken", 'sum(rate(up{job=~"$job"}[$__rate_interval])'),
        ("Nothing", 'no_such_metric{job=~"$job"}'),
        ("Nothing either", 'rate(no_such_counter_total{job=~"$job"}[$__rate_interval])'),
    )
    out = tmp_path / "probe.png"
    with pytest.raises(preview.PreviewError) as info:
        preview.render(dashboard, prometheus.url, out, scrape_interval=1.0)
    assert list(info.value.failed) == ["Broken"]
    assert "parse error" in info.value.failed["Broken"]
    assert info.value.empty == ["Nothing", "Nothing either"]
    assert "'Nothing', 'Nothing either'" in str(info.value)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # drawn anyway, for a look

    path = tmp_path / "probe.json"
    path.write_text(json.dumps(dashboard))
    argv = ["--prometheus", prometheus.url, "--dashboard", str(path), "--out", str(out)]
    assert preview.main(argv) == 1
    assert preview.main([*argv, "--var", "nope=1"]) == 2


def test_preview_substitutes_variables_like_grafana() -> None:
    dashboard = ALL["weaviate-client-overview.json"]
    values = preview.variable_values(dashboard, {"service": "shop"})
    assert values["job"] == "shop" and values["operation"] == ".*"
    expr = 'rate(m{job=~"$job", a=~"${operation}", b=~"[[collection]]"}[$__rate_interval])'
    got = preview.substitute(expr, {**values, "__rate_interval": "4s"})
    assert got == 'rate(m{job=~"shop", a=~".*", b=~".*"}[4s])'
    with pytest.raises(preview.QueryError, match=r"\$nope"):
        preview.substitute("x{a=~'$nope'}", values)


# -- real data into every panel --------------------------------------------------------------

DIM = 16


def _expected_empty(dashboard: dict[str, Any]) -> set[str]:
    """Panels whose every target reads only metrics that are not emitted yet."""
    return {
        panel["title"]
        for panel in preview.panels_of(dashboard)
        if all(_metric_names(t["expr"]) <= NOT_YET_EMITTED for t in panel["targets"])
    }


def _workload(server: EmbeddedWeaviate, seconds: float) -> None:
    """Writes, reads, failures and retries through the SDK for about ``seconds``."""
    rng = random.Random(8)
    name = "Dash" + uuid.uuid4().hex[:8]
    dead = f"http://127.0.0.1:{free_port()}"
    fast = wt.RetryPolicy(enabled=True, max_attempts=3, initial_backoff=0.01, max_backoff=0.05)
    # No budget refill: after ten retries the budget refuses (the refusals panel).
    thrifty = wt.RetryPolicy(
        enabled=True, max_attempts=2, initial_backoff=0.001, max_backoff=0.002, budget_ratio=0.0
    )
    limited = Canned(429, b'{"message": "slow down"}', {"Retry-After": "0.01"})
    unavailable = Canned(503, b'{"error": [{"message": "leader not found"}]}')
    assert server.ports is not None
    with (
        wt.Client(server.url) as client,
        # Server-side batching (BatchStream): the backpressure panel.
        wt.Client(server.url, grpc_port=server.ports.grpc) as streaming,
        # Lives through the workload: a resting primary and traffic on the fallback.
        wt.Client(dead, fallback_urls=[server.url], retry=fast) as fallback,
        ScriptedHTTPServer([limited, Canned(200, b"{}"), unavailable]) as flaky,
        wt.Client(flaky.url, retry=thrifty) as rationed,
    ):
        rationed.raw.request("GET", "/v1/meta")  # a Retry-After wait, then 200
        for _ in range(12):
            with pytest.raises(wt.UnavailableError):
                rationed.raw.request("GET", "/v1/meta")
        client.collections.create_from_dict(
            {
                "class": name,
                "vectorizer": "none",
                "properties": [{"name": "title", "dataType": ["text"]}],
            }
        )
        deadline = time.monotonic() + seconds
        serial = 0
        while time.monotonic() < deadline:
            objects = []
            for _ in range(40):
                serial += 1
                objects.append(
                    {
                        "class": name,
                        "properties": {"title": f"item {serial}"},
                        "vector": [rng.uniform(-1, 1) for _ in range(DIM)],
                    }
                )
            # One object per batch with the wrong dimension: a per-object failure.
            objects.append({"class": name, "properties": {"title": "bad"}, "vector": [0.5]})
            result = client.batch.insert_objects(objects, batch_size=20, concurrency=2)
            assert len(result.failures) == 1
            streamed = streaming.batch.stream_objects(objects, max_in_flight=20)
            assert len(streamed.failures) == 1
            probe = [rng.uniform(-1, 1) for _ in range(DIM)]
            assert client.query.get(name).fields("title").near_vector(probe).limit(5).do()
            client.query.get(name).fields("title").bm25("item").limit(5).do()
            client.query.aggregate(name).meta_count().do()
            client.meta()
            with pytest.raises(wt.WeaviateError):
                client.query.get("NoSuch" + name).fields("title").do()
            # A dead primary: connection errors retried onto the fallback.
            fallback.meta()
            with wt.Client(dead) as alone, pytest.raises(wt.WeaviateConnectionError):
                alone.meta()
            time.sleep(0.3)
        client.collections.delete(name)


@pytest.mark.integration
def test_every_panel_of_both_dashboards_has_data_from_a_real_workload(
    weaviate_server: EmbeddedWeaviate, tmp_path: Path
) -> None:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.instrumentation.system_metrics import SystemMetricsInstrumentor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    from tests.peers.otel_collector import Collector

    assert weaviate_server.ports is not None
    collector = Collector().start()
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    prom = LocalPrometheus(
        workdir,
        scrape={"weaviate": f"127.0.0.1:{weaviate_server.ports.metrics}"},
    )
    service = "dashboards-test"
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=prom.url + "/api/v1/otlp/v1/metrics"),
        export_interval_millis=1000,
    )
    # The same metrics also go the other way users run: the collector's Prometheus exporter.
    via_collector = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=collector.otlp_http + "/v1/metrics"),
        export_interval_millis=1000,
    )
    provider = MeterProvider(
        resource=Resource.create({"service.name": service, "service.instance.id": "test-1"}),
        metric_readers=[reader, via_collector],
    )
    system = SystemMetricsInstrumentor(
        config={
            "process.memory.usage": None,
            "process.cpu.time": ["user", "system"],
            "process.thread.count": None,
            "cpython.gc.collections": None,
        }
    )
    system.instrument(meter_provider=provider)
    instrumentation = wt.telemetry.instrument_opentelemetry(meter_provider=provider)
    # DASHBOARD_PREVIEW_DIR keeps the PNGs (docs/img/ holds a committed set).
    pngs = Path(os.environ.get("DASHBOARD_PREVIEW_DIR") or tmp_path)
    start = time.time() - 2
    try:
        _workload(weaviate_server, seconds=20)
        time.sleep(2.5)  # two more exports and scrapes
        provider.force_flush()
        end = time.time()
        failures = {}
        for name, dashboard in ALL.items():
            out = pngs / name.replace(".json", ".png")
            try:
                preview.render(
                    dashboard,
                    prom.url,
                    out,
                    variables={"job": service, "weaviate_job": "weaviate"}
                    if "weaviate_job" in str(dashboard["templating"])
                    else {"job": service},
                    start=start,
                    end=end,
                    scrape_interval=1.0,
                )
                failures[name] = (set(), {})
            except preview.PreviewError as err:
                failures[name] = (set(err.empty), err.failed)
            assert out.stat().st_size > 10_000
        for name, (empty, failed) in failures.items():
            assert failed == {}, (name, failed)
            assert empty == _expected_empty(ALL[name]), name
        # Prometheus' OTLP receiver stored exactly the names and labels the collector exports.
        received = _series_shapes_in_prometheus(prom, service)
        exported = _series_shapes_in_exposition(collector.scrape())
        assert received == exported
        # ...and every client metric the dashboards read is among them (the rest is to come).
        read = {m for _, _, e in _exprs() for m in _metric_names(e, '"$job"')}
        # A histogram is read both as classic series and as a native one (exponential
        # aggregation); this workload sends the classic ones.
        native = {m for m in read if f"{m}_bucket" in exported}
        assert read - NOT_YET_EMITTED - native <= set(exported)
    finally:
        instrumentation.uninstrument()
        system.uninstrument()
        provider.shutdown()
        prom.stop()
        collector.stop()
        collector.cleanup()


#: Labels that depend on the path, not on the metric: target labels and scope metadata.
_PATH_LABELS = {"job", "instance", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url"}
_NOT_METRICS = {"target_info", "otel_scope_info"}


def _series_shapes_in_prometheus(prom: LocalPrometheus, job: str) -> dict[str, set[frozenset[str]]]:
    shapes: dict[str, set[frozenset[str]]] = {}
    for series in prom.api("/api/v1/series", **{"match[]": f'{{job="{job}"}}'}):
        name = series.pop("__name__")
        if name not in _NOT_METRICS:
            shapes.setdefault(name, set()).add(frozenset(set(series) - _PATH_LABELS))
    return shapes


def _series_shapes_in_exposition(text: str) -> dict[str, set[frozenset[str]]]:
    shapes: dict[str, set[frozenset[str]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([a-zA-Z_:][\w:]*)(\{.*\})?\s", line)
        assert match, line
        name, labels = match.group(1), match.group(2) or ""
        names = set(re.findall(r'([a-zA-Z_]\w*)="(?:[^"\\]|\\.)*"', labels))
        if name not in _NOT_METRICS:
            shapes.setdefault(name, set()).add(frozenset(names - _PATH_LABELS))
    return shapes
