"""The dashboards' numbers against the truth: a real workload timed call by call.

A workload runs through the SDK against the real Weaviate while a handler on the
SDK's events records every call's and attempt's exact duration and every pool
wait. The same metrics reach the real Prometheus 3.16 both ways the docs describe
(docs/telemetry.md, "Histograms"):

- ``explicit``: explicit-bucket histograms, OTLP → collector → scraped (classic
  histograms, ``_bucket``/``le``);
- ``exponential``: base-2 exponential histograms straight into Prometheus' OTLP
  receiver (native histograms).

Each quantile panel's PromQL is taken from the generated dashboard JSON, its
Grafana variables substituted (``$__rate_interval`` becomes the window from just
before the measured run to its end), evaluated on Prometheus, and compared with
the exact nearest-rank quantile of the matching calls. Allowed error: 10 % of the
exact value or the width of the histogram bucket holding it (as Prometheus
reports that bucket), whichever is larger: a histogram cannot place a quantile
more precisely than its bucket.

Ratio panels (attempts per call, error ratio) are read over the run's start, its
end and the idle time after, as Grafana draws them (``$__rate_interval`` = 4 s).
``WT_QUANTILE_TABLE=path`` writes the comparison table (docs/dashboards.md has one).
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import weaviate_telemetry as wt
from tests.support.stack import MetricsStack
from weaviate_telemetry._soak.render import substitute, variable_values

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ROOT / "weaviate_telemetry" / "dashboards"
RUN = uuid.uuid4().hex[:6]
SERVICES = {"explicit": f"wt-quantiles-explicit-{RUN}", "exponential": f"wt-quantiles-exp-{RUN}"}
DIM = 32
#: What Grafana's $__rate_interval is for a 1 s scrape interval and a 1 s step.
GRAFANA_RATE_INTERVAL = "4s"
#: The client histograms and the events that time them.
CLIENT_METRICS = (
    "db_client_operation_duration_seconds",
    "http_client_request_duration_seconds",
    "db_client_connection_wait_time_seconds",
)


@dataclass
class Truth:
    """What the SDK's events said, for the measured run only."""

    calls: list[tuple[dict[str, str], float]] = field(default_factory=list)
    attempts: list[tuple[dict[str, str], float]] = field(default_factory=list)
    waits: list[tuple[dict[str, str], float]] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_event(self, name: Any, measurements: Mapping[str, float], meta: Any, _: Any) -> None:
        duration = float(measurements.get("duration", 0.0))
        with self.lock:
            if name[1] == "request":
                labels = {"db_operation_name": str(meta.get("operation"))}
                self.calls.append((labels, duration))
                if name[2] == "exception":
                    self.errors += 1
                return
            endpoint = {
                "server_address": str(meta.get("server_address")),
                "server_port": str(meta.get("server_port")),
            }
            self.attempts.append((endpoint, duration))
            wait = measurements.get("pool_wait")
            if wait is not None and meta.get("transport") != "grpc":
                self.waits.append(({}, float(wait)))

    def samples(self, metric: str) -> list[tuple[dict[str, str], float]]:
        return {
            CLIENT_METRICS[0]: self.calls,
            CLIENT_METRICS[1]: self.attempts,
            CLIENT_METRICS[2]: self.waits,
        }[metric]


@dataclass
class Run:
    truth: Truth
    started: float  # wall clock, the measured run's first call
    finished: float  # wall clock, its last call
    idle_until: float


def _workload(client: wt.Client, rpc: wt.Client, collection: str, rounds: int) -> None:
    """Calls with different latencies: single and batch writes, REST and gRPC searches."""
    rng = random.Random(rounds)

    def vector() -> list[float]:
        return [rng.uniform(-1, 1) for _ in range(DIM)]

    def one(i: int) -> None:
        kind = i % 10
        if kind in (0, 1):
            client.objects.insert(collection, {"title": f"item {i}", "n": i}, vector=vector())
        elif kind == 2:
            objects = [
                {"properties": {"title": f"batch {i}-{j}", "n": j}, "vector": vector()}
                for j in range(40)
            ]
            client.batch.insert_objects(objects, collection=collection, batch_size=40)
        elif kind in (3, 4):
            client.query.get(collection).fields("title").near_vector(vector()).limit(10).do()
        elif kind in (5, 6):
            rpc.query.get(collection).fields("title", "n").near_vector(vector()).limit(20).do()
        elif kind == 7:
            client.query.get(collection).fields("title").bm25("item").limit(5).do()
        elif kind == 8:
            client.query.aggregate(collection).meta_count().do()
        else:
            with pytest.raises(wt.WeaviateError):  # a failed call for the error ratio
                client.raw.request("GET", f"/v1/schema/{collection}Missing{i % 3}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(one, range(rounds)))


@pytest.fixture(scope="module")
def run(metrics_stack: MetricsStack) -> Iterator[Run]:
    weaviate = metrics_stack.weaviate
    assert weaviate.ports is not None
    prom = metrics_stack.prometheus
    os.environ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000"
    try:
        explicit = wt.telemetry.configure_otlp(
            SERVICES["explicit"],
            endpoint=metrics_stack.collector.otlp_http,
            traces=False,
            logs=False,
            histograms="explicit",
            set_global=False,
        )
        exponential = wt.telemetry.configure_otlp(
            SERVICES["exponential"],
            endpoint=f"{prom.url}/api/v1/otlp",
            traces=False,
            logs=False,
            histograms="exponential",
            set_global=False,
        )
    finally:
        del os.environ["OTEL_METRIC_EXPORT_INTERVAL"]
    truth = Truth()
    collection = "Quantiles" + RUN
    events = [
        ("weaviate", "request", "stop"),
        ("weaviate", "request", "exception"),
        ("weaviate", "attempt", "stop"),
        ("weaviate", "attempt", "exception"),
    ]
    try:
        with (
            wt.Client(weaviate.url, pool_maxsize=4) as client,
            wt.Client(weaviate.url, grpc_port=weaviate.ports.grpc) as rpc,
        ):
            client.collections.create_from_dict(
                {
                    "class": collection,
                    "vectorizer": "none",
                    "properties": [
                        {"name": "title", "dataType": ["text"]},
                        {"name": "n", "dataType": ["int"]},
                    ],
                }
            )
            try:
                _workload(client, rpc, collection, 40)  # every series exists before the run
                for setup in (explicit, exponential):
                    setup.force_flush()
                time.sleep(3.5)  # a quiet baseline: scraped and pushed more than once
                wt.telemetry.attach("quantile-truth", events, truth.on_event)
                started = time.time()
                try:
                    _workload(client, rpc, collection, 1200)
                finally:
                    wt.telemetry.detach("quantile-truth")
                finished = time.time()
                for setup in (explicit, exponential):
                    setup.force_flush()
                time.sleep(8)  # idle: exported and scraped while nothing happens
                idle_until = time.time()
            finally:
                client.collections.delete(collection)
        yield Run(truth, started, finished, idle_until)
    finally:
        explicit.shutdown(timeout=5)
        exponential.shutdown(timeout=5)


# -- reading the dashboards ----------------------------------------------------------------


def _dashboard_targets() -> Iterator[tuple[str, str, str, str]]:
    """(dashboard, panel title, legend, expr) of every target, each expression once."""
    seen: set[str] = set()
    for path in sorted(DASHBOARDS.glob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                if target["expr"] not in seen:
                    seen.add(target["expr"])
                    yield path.stem, panel["title"], target["legendFormat"], target["expr"]


def _variables(service: str, window: str) -> dict[str, str]:
    dashboard = json.loads((DASHBOARDS / "weaviate-soak.json").read_text())
    values = variable_values(dashboard, {"job": service, "weaviate_job": "weaviate"})
    return {**values, "__rate_interval": window}


def _quantile_call(expr: str) -> tuple[float, str] | None:
    """``(q, buckets expression)`` of the ``histogram_quantile`` in ``expr``."""
    start = expr.find("histogram_quantile(")
    if start < 0:
        return None
    depth, end = 0, start + len("histogram_quantile")
    for end in range(end, len(expr)):  # noqa: B020 - the closing parenthesis
        depth += {"(": 1, ")": -1}.get(expr[end], 0)
        if depth == 0:
            break
    q, _, inner = expr[start + len("histogram_quantile(") : end].partition(",")
    return float(q), inner.strip()


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _bucket_width(series: list[dict[str, Any]], labels: dict[str, str], value: float) -> float:
    """Width of the bucket holding ``value`` in Prometheus' own (summed) histogram."""
    mine = [s for s in series if all(s["metric"].get(k) == v for k, v in labels.items())]
    native = [s for s in mine if "histogram" in s]
    if native:
        (hist,) = native
        bounds = [(float(b[1]), float(b[2])) for b in hist["histogram"][1]["buckets"]]
        holding = [hi - lo for lo, hi in bounds if lo <= value <= hi]
        if holding:
            return max(holding)
        nearest = min(bounds, key=lambda b: min(abs(b[0] - value), abs(b[1] - value)))
        return nearest[1] - nearest[0]
    edges = sorted(float(s["metric"]["le"]) for s in mine)
    for lower, upper in zip([0.0, *edges], edges, strict=False):
        if value <= upper:
            return upper - lower
    return math.inf


def _sample_times(prom: Any, selector: str, at: float) -> list[float]:
    """When Prometheus got samples of ``selector`` (scrapes, or OTLP pushes) before ``at``."""
    series = prom.query(f"{selector}[2m]", at=at)
    assert series, selector
    stamps = {
        float(point[0]) for s in series for point in s.get("values") or s.get("histograms") or []
    }
    return sorted(stamps)


@dataclass
class Row:
    dashboard: str
    panel: str
    series: str
    q: float
    exact: float
    shown: float
    allowed: float


def _quantile_rows(stack: MetricsStack, run: Run, kind: str) -> list[Row]:
    prom = stack.prometheus
    service = SERVICES[kind]
    count = "db_client_operation_duration_seconds" + ("_count" if kind == "explicit" else "")
    times = _sample_times(prom, f'{count}{{job="{service}"}}', run.idle_until)
    baseline = max(t for t in times if t < run.started)
    at = min(t for t in times if t > run.finished + 1.5)
    window = f"{round((at - baseline + 0.2) * 1000)}ms"
    values = _variables(service, window)
    rows = []
    for dashboard, title, legend, expr in _dashboard_targets():
        found = _quantile_call(expr)
        metric = next((m for m in CLIENT_METRICS if m in expr), None)
        if found is None or metric is None:
            continue
        q, inner = found
        shown = prom.query(substitute(expr, values), at=at)
        buckets = prom.query(substitute(inner, values), at=at)
        assert shown, (title, legend)
        for series in shown:
            labels = {k: v for k, v in series["metric"].items() if k != "__name__"}
            picked = [
                v
                for sample_labels, v in run.truth.samples(metric)
                if all(sample_labels.get(k) == val for k, val in labels.items())
            ]
            if not picked:  # a series of the warm-up only (e.g. collections.create)
                assert series["value"][1] == "NaN", (title, labels, series)
                continue
            exact = _nearest_rank(picked, q)
            allowed = max(0.1 * exact, _bucket_width(buckets, labels, exact))
            name = legend
            for key, val in labels.items():
                name = name.replace("{{" + key + "}}", val)
            rows.append(Row(dashboard, title, name, q, exact, float(series["value"][1]), allowed))
    return rows


def _table(rows: list[Row], kind: str) -> str:
    lines = [
        "| histograms | dashboard | panel | series | exact p | dashboard | allowed | off by |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        off = (r.shown - r.exact) / r.exact * 100 if r.exact else 0.0
        exact = _ms(r.exact)
        lines.append(
            f"| {kind} | {r.dashboard} | {r.panel} | {r.series} (p{r.q * 100:g}) | {exact} "
            f"| {_ms(r.shown)} | ±{_ms(r.allowed)} | {off:+.1f} % |"
        )
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


@pytest.mark.parametrize("kind", ["explicit", "exponential"])
def test_every_quantile_panel_matches_the_exact_latencies(
    metrics_stack: MetricsStack, run: Run, kind: str
) -> None:
    rows = _quantile_rows(metrics_stack, run, kind)
    table = _table(rows, kind)
    print(table)
    out = os.environ.get("WT_QUANTILE_TABLE")
    if out:
        with open(out, "a") as handle:
            handle.write(table + "\n")
    panels = {(r.dashboard, r.panel) for r in rows}
    titles = {p for _, p in panels}
    assert {
        "Latency p50 / p95 / p99",
        "Latency p95 by operation",
        "Attempt latency p95 by endpoint",
        "Time waiting for a connection",
    } <= titles  # (the soak's "client vs server" panel repeats "by operation"'s query)
    operations = {r.series for r in rows if r.panel == "Latency p95 by operation"}
    assert {"objects.insert", "batch.insert_objects", "query.get", "raw"} <= operations
    wrong = [r for r in rows if abs(r.shown - r.exact) > r.allowed]
    assert not wrong, "\n" + table


def _range(prom: Any, expr: str, start: float, end: float) -> list[tuple[float, float]]:
    series = prom.query_range(expr, start, end, 1.0)
    assert len(series) <= 1, series
    return [(float(t), float(v)) for t, v in series[0]["values"]] if series else []


@pytest.mark.parametrize("kind", ["explicit", "exponential"])
def test_ratio_panels_are_right_at_start_end_and_idle(
    metrics_stack: MetricsStack, run: Run, kind: str
) -> None:
    prom = metrics_stack.prometheus
    values = _variables(SERVICES[kind], GRAFANA_RATE_INTERVAL)
    truth = run.truth
    assert len(truth.attempts) == len(truth.calls)  # no retries in this workload
    exprs = {title: expr for _, title, _, expr in _dashboard_targets()}
    # From well before the run (the baseline) to the end of the idle time.
    start, end = run.started - 3, run.idle_until - 0.5
    attempts = _range(prom, substitute(exprs["Attempts per call"], values), start, end)
    during = [v for t, v in attempts if run.started + 1 <= t <= run.finished]
    assert during, attempts
    assert all(math.isfinite(v) and abs(v - 1.0) < 0.02 for _, v in attempts), attempts
    # Idle (the window holds no call): no value, rather than a spike or a zero.
    idle = [v for t, v in attempts if t > run.finished + 6]
    assert idle == [], attempts

    ratio = _range(prom, substitute(exprs["Error ratio"], values), start, end)
    assert all(0.0 <= v <= 0.5 for _, v in ratio), ratio
    assert [v for t, v in ratio if t > run.finished + 6] == [], ratio
    whole = _variables(SERVICES[kind], f"{round(end - run.started + 2)}s")
    (overall,) = prom.query(substitute(exprs["Error ratio"], whole), at=end)
    exact = truth.errors / len(truth.calls)
    assert float(overall["value"][1]) == pytest.approx(exact, rel=0.05), exact
