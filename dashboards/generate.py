"""Generate the shipped Grafana dashboards from code (docs/dashboards.md).

The JSON is package data (``weaviate_telemetry/dashboards/``), so a wheel
install has it too (``weaviate-telemetry dashboards``, ``soak --prometheus``).

    python dashboards/generate.py           # write weaviate_telemetry/dashboards/*.json
    python dashboards/generate.py --check   # exit 1 and show a diff if a file is stale

Built with ``grafana-foundation-sdk`` (the dev extra pins its Grafana
generation). Every PromQL expression names metrics as Prometheus stores
them when the SDK's OTLP metrics go through the collector's Prometheus
exporter or into Prometheus' own OTLP receiver with
``translation_strategy: UnderscoreEscapingWithSuffixes``: dots become
underscores, ``s`` adds ``_seconds``, ``By`` adds ``_bytes``, counters end in
``_total`` and units in braces are dropped; ``service.name`` becomes ``job``.

Every panel sets its options explicitly: a timeseries panel without options
is written as ``"options": null``, which the SDK cannot read back.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import heatmap, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models import heatmap as hm
from grafana_foundation_sdk.models import prometheus as pm

from weaviate_telemetry._dashboards import FOLDER  # package data: wheels ship it

#: Every panel and variable queries the datasource chosen in ``$datasource``.
DATASOURCE = dm.DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"

# Label selectors. ``=~".*"`` (the "All" value) also matches series without the label,
# so calls without a collection stay in the totals.
JOB = 'job=~"$job"'
CALL = f'{JOB}, db_operation_name=~"$operation", db_collection_name=~"$collection"'
BATCH = f'{JOB}, db_collection_name=~"$collection"'
STREAM = f'{JOB}, db_operation_name=~"$operation"'
WEAVIATE = 'job=~"$weaviate_job"'

GRID_WIDTH = 24


# -- metric names (as stored in Prometheus) ------------------------------------------------

DB_DURATION = "db_client_operation_duration_seconds"
HTTP_DURATION = "http_client_request_duration_seconds"
RETRIES = "weaviate_client_retries_total"
ERRORS = "weaviate_client_errors_total"
ACTIVE = "weaviate_client_active_requests"
BATCH_OBJECTS = "weaviate_client_batch_objects_total"
STREAM_PACING = "weaviate_client_batch_stream_pacing_total"
STREAM_BATCH_SIZE = "weaviate_client_batch_stream_batch_size"
# Connection pool, endpoint state and retry details.
OPEN_CONNECTIONS = "http_client_open_connections"
POOL_CONNECTIONS = "db_client_connection_count"
POOL_MAX = "db_client_connection_max"
POOL_WAIT = "db_client_connection_wait_time_seconds"
ENDPOINT_RESTING = "weaviate_client_endpoint_resting"
BUDGET_REFUSALS = "weaviate_client_retry_budget_refusals_total"
RETRY_WAIT = "weaviate_client_retry_wait_seconds"
# The soak harness's own bookkeeping.
SOAK_WRITTEN = "weaviate_soak_objects_written_total"
SOAK_LOST = "weaviate_soak_objects_lost"
# opentelemetry-instrumentation-system-metrics, in the client process.
PROCESS_RSS = "process_memory_usage_bytes"
PROCESS_CPU = "process_cpu_time_seconds_total"
PROCESS_THREADS = "process_thread_count"
GC_COLLECTIONS = "cpython_gc_collections_total"
# Weaviate's own /metrics (PROMETHEUS_MONITORING_ENABLED=true), scraped by Prometheus;
# names read from a real v1.39.0.
W_BUILD = "weaviate_build_info"
W_HTTP = "weaviate_http_request_duration_seconds"  # labels method, route, status_code
W_QUERY_MS = "queries_durations_ms"  # labels class_name, query_type
W_BATCH_MS = "batch_durations_ms"  # labels operation, class_name, shard_name
W_OBJECTS = "object_count"  # labels class_name, shard_name
W_HEAP = "go_memstats_heap_inuse_bytes"
W_RSS = "process_resident_memory_bytes"
W_CPU = "process_cpu_seconds_total"
W_GOROUTINES = "go_goroutines"
W_BATCH_TOTAL = f'{WEAVIATE}, operation="total_api_level"'  # a whole batch request
# Readiness probes and scrapes are not the client's traffic.
W_ROUTES = f'{WEAVIATE}, route!~"/v1/.well-known/.*|/metrics"'


def rate(metric: str, selector: str) -> str:
    return f"rate({metric}{{{selector}}}[{RATE}])"


def increase(metric: str, selector: str) -> str:
    return f"increase({metric}{{{selector}}}[{RATE}])"


# The SDK's histograms reach Prometheus either as classic histograms (explicit buckets:
# ``<name>_bucket{le=...}``, ``_count``, ``_sum``) or as native histograms (exponential
# aggregation: one ``<name>`` series); see docs/telemetry.md ("Histograms"). Every
# expression over them reads both, so a panel works whichever a service sends.


def buckets(metric: str, selector: str, by: str = "") -> str:
    """The histogram's rate summed ``by``: classic buckets (by ``le``) or native."""
    classic = f"sum by (le{', ' + by if by else ''}) ({rate(metric + '_bucket', selector)})"
    native = f"sum by ({by}) ({rate(metric, selector)})" if by else f"sum({rate(metric, selector)})"
    return f"{classic} or {native}"


def quantile(q: float, metric: str, selector: str, by: str = "") -> str:
    return f"histogram_quantile({q}, {buckets(metric, selector, by)})"


def count_rate(metric: str, selector: str) -> str:
    """Observations per second of a histogram, per series (classic ``_count`` or native)."""
    return f"({rate(metric + '_count', selector)} or histogram_count({rate(metric, selector)}))"


def count_increase(metric: str, selector: str) -> str:
    """Observations in the window, per series (classic ``_count`` or native)."""
    return (
        f"({increase(metric + '_count', selector)} "
        f"or histogram_count({increase(metric, selector)}))"
    )


def sum_rate(metric: str, selector: str) -> str:
    """Sum of observed values per second (classic ``_sum`` or native)."""
    return f"({rate(metric + '_sum', selector)} or histogram_sum({rate(metric, selector)}))"


def ratio(numerator: str, denominator: str) -> str:
    """``numerator / denominator`` over the same window, only where the denominator counted
    at least one event: no value (rather than a spike) when the window is idle or holds
    only the extrapolated tail of a run."""
    return f"{numerator} / ({denominator} >= 1)"


# -- panels --------------------------------------------------------------------------------


@dataclass
class Target:
    expr: str
    legend: str
    exemplar: bool = False
    heatmap: bool = False

    def build(self, ref_id: str) -> prometheus.Dataquery:
        query = (
            prometheus.Dataquery()
            .ref_id(ref_id)
            .datasource(DATASOURCE)
            .expr(self.expr)
            .legend_format(self.legend)
            .editor_mode(pm.QueryEditorMode.CODE)
            .range()
        )
        if self.exemplar:
            query = query.exemplar(True)
        if self.heatmap:
            query = query.format(pm.PromQueryFormat.HEATMAP)
        else:
            query = query.format(pm.PromQueryFormat.TIME_SERIES)
        return query


@dataclass
class Panel:
    """One panel: what it shows (``kind``: timeseries, stat or heatmap) and its size."""

    title: str
    description: str
    unit: str
    targets: list[Target]
    kind: str = "timeseries"
    width: int = 8
    height: int = 8
    traces: bool = False  # link each series to its traces
    legend_table: bool = False  # many series: a table legend (name, mean, max), sorted
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    title: str
    panels: list[Panel]


def _trace_link() -> cb.Builder[dm.DashboardLink]:
    """A data link to Explore with a TraceQL query for the series' operation."""
    pane = {
        "traces": {
            "datasource": "${tracing}",
            "queries": [
                {
                    "refId": "A",
                    "datasource": {"type": "tempo", "uid": "${tracing}"},
                    "queryType": "traceql",
                    "query": '{span.db.operation.name="${__field.labels.db_operation_name}"}',
                }
            ],
            "range": {"from": "${__from}", "to": "${__to}"},
        }
    }
    url = "/explore?schemaVersion=1&orgId=1&panes=" + json.dumps(pane, separators=(",", ":"))
    return (
        db.DashboardLink("Traces of ${__field.labels.db_operation_name}")
        .type(dm.DashboardLinkType.LINK)
        .url(url)
        .target_blank(True)
        .keep_time(True)
        .include_vars(False)
        .as_dropdown(False)
        .icon("external link")
        .tooltip("Open the traces of this operation")
        .tags([])
    )


def _legend(table: bool = False) -> cb.VizLegendOptions:
    """Every series is named in the legend; panels with many series list them as a table
    with their mean and max, the largest first."""
    if table:
        return (
            cb.VizLegendOptions()
            .show_legend(True)
            .display_mode(cm.LegendDisplayMode.TABLE)
            .placement(cm.LegendPlacement.RIGHT)
            .calcs(["mean", "max"])
            .sort_by("Max")
            .sort_desc(True)
        )
    return (
        cb.VizLegendOptions()
        .show_legend(True)
        .display_mode(cm.LegendDisplayMode.LIST)
        .placement(cm.LegendPlacement.BOTTOM)
        .calcs([])
    )


def _tooltip() -> cb.VizTooltipOptions:
    return cb.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING)


def _timeseries(p: Panel) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
        .legend(_legend(p.legend_table))
        .tooltip(_tooltip())
        .draw_style(cm.GraphDrawStyle.LINE)
        .line_interpolation(cm.LineInterpolation.LINEAR)
        .line_width(1)
        .fill_opacity(10)
        .show_points(cm.VisibilityMode.NEVER)
        .span_nulls(False)
        .axis_soft_min(0)
    )
    if p.extra.get("step"):
        panel = panel.line_interpolation(cm.LineInterpolation.STEP_AFTER)
    if p.traces:
        panel = panel.data_links([_trace_link()])
    return panel


def _stat(p: Panel) -> stat.Panel:
    return (
        stat.Panel()
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .graph_mode(cm.BigValueGraphMode.AREA)
        .color_mode(cm.BigValueColorMode.VALUE)
        .justify_mode(cm.BigValueJustifyMode.AUTO)
        .text_mode(cm.BigValueTextMode.AUTO)
        .orientation(cm.VizOrientation.AUTO)
        .wide_layout(True)
        .show_percent_change(False)
        .thresholds(
            db.ThresholdsConfig()
            .mode(dm.ThresholdsMode.ABSOLUTE)
            .steps(
                [
                    dm.Threshold(value=None, color="green"),
                    *(
                        [dm.Threshold(value=p.extra["red_above"], color="red")]
                        if "red_above" in p.extra
                        else []
                    ),
                ]
            )
        )
    )


def _heatmap(p: Panel) -> heatmap.Panel:
    return (
        heatmap.Panel()
        .calculate(False)
        .color(
            heatmap.HeatmapColorOptions()
            .mode(hm.HeatmapColorMode.SCHEME)
            .scheme("Oranges")
            .fill("dark-orange")
            .scale(hm.HeatmapColorScale.EXPONENTIAL)
            .exponent(0.5)
            .steps(64)
            .reverse(False)
        )
        .y_axis(heatmap.YAxisConfig().unit(p.unit).axis_placement(cm.AxisPlacement.LEFT))
        .rows_frame(heatmap.RowsHeatmapOptions().layout(cm.HeatmapCellLayout.AUTO))
        .cell_values(heatmap.CellValues().unit("short"))
        .filter_values(heatmap.FilterValueRange().le(1e-9))
        .show_value(cm.VisibilityMode.NEVER)
        .cell_gap(1)
        .mode(cm.TooltipDisplayMode.SINGLE)
        .show_y_histogram()
        .show_color_scale(True)
        .show_legend()
        .exemplars_color("rgba(255,0,255,0.7)")
        .scale_distribution(cb.ScaleDistributionConfig().type(cm.ScaleDistribution.LINEAR))
        .hide_from(cb.HideSeriesConfig().legend(False).tooltip(False).viz(False))
    )


_KINDS: dict[str, Callable[[Panel], Any]] = {
    "timeseries": _timeseries,
    "stat": _stat,
    "heatmap": _heatmap,
}


def _build_panel(p: Panel, panel_id: int, x: int, y: int) -> Any:
    panel = (
        _KINDS[p.kind](p)
        .id(panel_id)
        .title(p.title)
        .description(p.description)
        .datasource(DATASOURCE)
        .unit(p.unit)
        .grid_pos(dm.GridPos(h=p.height, w=p.width, x=x, y=y))
        .targets([t.build(chr(ord("A") + i)) for i, t in enumerate(p.targets)])
    )
    if "min" in p.extra:
        panel = panel.min(p.extra["min"])
    return panel


# -- variables -----------------------------------------------------------------------------


def _query_variable(name: str, label: str, query: str, description: str) -> db.QueryVariable:
    return (
        db.QueryVariable(name)
        .label(label)
        .description(description)
        .datasource(DATASOURCE)
        .query({"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"})
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(dm.VariableOption(selected=True, text=["All"], value=["$__all"]))
    )


def _variables(server: bool) -> list[Any]:
    # The calls histogram, classic (``_count``) or native.
    calls = f'{{__name__=~"{DB_DURATION}(_count)?"'
    variables: list[Any] = [
        db.DatasourceVariable("datasource")
        .label("Data source")
        .description("The Prometheus that stores the client's (and Weaviate's) metrics.")
        .type("prometheus"),
        db.DatasourceVariable("tracing")
        .label("Traces")
        .description("The tracing data source (Tempo) that panel links open.")
        .type("tempo"),
        _query_variable(
            "job",
            "Service",
            f"label_values({calls}}}, job)",
            "The client application: its OpenTelemetry service.name (Prometheus' job label).",
        ),
        _query_variable(
            "operation",
            "Operation",
            f"label_values({calls}, {JOB}}}, db_operation_name)",
            "SDK operation (db.operation.name), e.g. query.get or batch.insert_objects.",
        ),
        _query_variable(
            "collection",
            "Collection",
            f"label_values({calls}, {JOB}}}, db_collection_name)",
            "Weaviate collection (db.collection.name).",
        ),
    ]
    if server:
        variables.append(
            _query_variable(
                "weaviate_job",
                "Weaviate",
                f"label_values({W_BUILD}, job)",
                "The Prometheus job that scrapes Weaviate's own /metrics.",
            )
        )
    return variables


# -- the rows of panels --------------------------------------------------------------------


def traffic_rows() -> list[Row]:
    return [
        Row(
            "Traffic and errors",
            [
                Panel(
                    "Request rate",
                    "Logical SDK calls per second by operation (retries count once); the ten "
                    "busiest operations.",
                    "reqps",
                    [
                        Target(
                            "topk(10, sum by (db_operation_name) "
                            f"({count_rate(DB_DURATION, CALL)}))",
                            "{{db_operation_name}}",
                        )
                    ],
                    legend_table=True,
                ),
                Panel(
                    "Error rate by error.type",
                    "Failed logical calls per second, by the SDK's error kind (error.type).",
                    "reqps",
                    [Target(f"sum by (error_type) ({rate(ERRORS, CALL)})", "{{error_type}}")],
                    legend_table=True,
                ),
                Panel(
                    "Error ratio",
                    "Share of logical calls that failed (after retries), over the same window; "
                    "no value while no calls are made.",
                    "percentunit",
                    [
                        Target(
                            ratio(
                                f"(sum({increase(ERRORS, CALL)}) or vector(0))",
                                f"sum({count_increase(DB_DURATION, CALL)})",
                            ),
                            "errors / calls",
                        )
                    ],
                    kind="stat",
                    width=4,
                    extra={"red_above": 0.01},
                ),
                Panel(
                    "In-flight calls",
                    "Logical calls running right now, by operation.",
                    "short",
                    [
                        Target(
                            f"sum by (db_operation_name) ({ACTIVE}{{{JOB}, "
                            f'db_operation_name=~"$operation"}})',
                            "{{db_operation_name}}",
                        )
                    ],
                    width=4,
                    legend_table=True,
                ),
            ],
        ),
        Row(
            "Latency",
            [
                Panel(
                    "Latency p50 / p95 / p99",
                    "Duration of logical calls including retries and backoff, all selected "
                    "operations together (pick one with the Operation variable); exemplars "
                    "link single calls.",
                    "s",
                    [
                        Target(
                            quantile(q, DB_DURATION, CALL),
                            f"p{int(q * 100)}",
                            exemplar=True,
                        )
                        for q in (0.5, 0.95, 0.99)
                    ],
                ),
                Panel(
                    "Latency p95 by operation",
                    "95th percentile of logical calls per operation, the ten slowest; click a "
                    "series for its traces.",
                    "s",
                    [
                        Target(
                            f"topk(10, {quantile(0.95, DB_DURATION, CALL, 'db_operation_name')})",
                            "{{db_operation_name}}",
                            exemplar=True,
                        )
                    ],
                    traces=True,
                    legend_table=True,
                ),
                Panel(
                    "Latency heatmap",
                    "Distribution of logical call durations over time (histogram buckets).",
                    "s",
                    [
                        Target(
                            f"sum by (le) ({increase(DB_DURATION + '_bucket', CALL)}) "
                            f"or sum({increase(DB_DURATION, CALL)})",
                            "{{le}}",
                            exemplar=True,
                            heatmap=True,
                        )
                    ],
                    kind="heatmap",
                ),
            ],
        ),
        Row(
            "Retries and endpoints",
            [
                Panel(
                    "Attempts per call",
                    "Attempts (HTTP requests or gRPC calls) per logical call over the same "
                    "window: 1.0 means no retries; no value while no calls are made.",
                    "short",
                    [
                        Target(
                            ratio(
                                f"sum by (job) ({count_increase(HTTP_DURATION, JOB)})",
                                f"sum by (job) ({count_increase(DB_DURATION, JOB)})",
                            ),
                            "{{job}}",
                        )
                    ],
                    width=6,
                    extra={"min": 1},
                ),
                Panel(
                    "Retries by cause",
                    "Retries scheduled per second, by the error.type that caused them.",
                    "cps",
                    [Target(f"sum by (error_type) ({rate(RETRIES, CALL)})", "{{error_type}}")],
                    width=6,
                    legend_table=True,
                ),
                Panel(
                    "Retry-budget refusals",
                    "Retries the retry budget refused per second: the server was failing "
                    "and the SDK stopped adding load.",
                    "cps",
                    [Target(f"sum by (job) ({rate(BUDGET_REFUSALS, JOB)})", "{{job}}")],
                    width=6,
                ),
                Panel(
                    "Retry waits (Retry-After vs backoff)",
                    "Seconds per second spent waiting before retries, by where the wait "
                    "came from: the server's Retry-After or the SDK's own backoff.",
                    "s",
                    [
                        Target(
                            f"sum by (weaviate_retry_source) ({sum_rate(RETRY_WAIT, JOB)})",
                            "{{weaviate_retry_source}}",
                        )
                    ],
                    width=6,
                ),
                Panel(
                    "Traffic by endpoint (fallbacks)",
                    "Attempts per second by endpoint: traffic on a fallback URL means "
                    "the primary failed or rests.",
                    "reqps",
                    [
                        Target(
                            f"sum by (server_address, server_port) "
                            f"({count_rate(HTTP_DURATION, JOB)})",
                            "{{server_address}}:{{server_port}}",
                        )
                    ],
                    width=8,
                ),
                Panel(
                    "Attempt latency p95 by endpoint",
                    "95th percentile of single attempts (HTTP requests or gRPC calls), by "
                    "endpoint.",
                    "s",
                    [
                        Target(
                            quantile(0.95, HTTP_DURATION, JOB, "server_address, server_port"),
                            "{{server_address}}:{{server_port}}",
                            exemplar=True,
                        )
                    ],
                    width=8,
                ),
                Panel(
                    "Resting endpoints",
                    "1 while the SDK rests an endpoint after failures and sends its "
                    "traffic elsewhere.",
                    "short",
                    [
                        Target(
                            f"max by (server_address, server_port) ({ENDPOINT_RESTING}{{{JOB}}})",
                            "{{server_address}}:{{server_port}}",
                        )
                    ],
                    width=8,
                    extra={"step": True},
                ),
            ],
        ),
        Row(
            "Connections",
            [
                Panel(
                    "Open HTTP connections",
                    "Connections the SDK holds open, active (in a request) or idle, by endpoint.",
                    "short",
                    [
                        Target(
                            f"sum by (http_connection_state, server_address, server_port) "
                            f"({OPEN_CONNECTIONS}{{{JOB}}})",
                            "{{http_connection_state}} {{server_address}}:{{server_port}}",
                        )
                    ],
                ),
                Panel(
                    "Connection pool use",
                    "Pooled connections in use and idle against the pool's maximum: "
                    "used at the maximum means calls queue for a connection.",
                    "short",
                    [
                        Target(
                            f"sum by (db_client_connection_state) ({POOL_CONNECTIONS}{{{JOB}}})",
                            "{{db_client_connection_state}}",
                        ),
                        Target(f"sum({POOL_MAX}{{{JOB}}})", "max"),
                    ],
                ),
                Panel(
                    "Time waiting for a connection",
                    "p50 / p95 / p99 of the time an HTTP attempt waited for a pooled "
                    "connection (microseconds while one is idle).",
                    "s",
                    [
                        Target(quantile(q, POOL_WAIT, JOB), f"p{int(q * 100)}")
                        for q in (0.5, 0.95, 0.99)
                    ],
                ),
            ],
        ),
        Row(
            "Batch",
            [
                Panel(
                    "Batch objects by outcome",
                    "Objects sent in batches per second: succeeded vs failed (per-object "
                    "errors inside a 200 answer count as failed).",
                    "cps",
                    [
                        Target(
                            f"sum by (outcome) ({rate(BATCH_OBJECTS, BATCH)})",
                            "{{outcome}}",
                        )
                    ],
                    width=12,
                    height=7,
                ),
                Panel(
                    "Server-side batching: backpressure",
                    "Batch streams (batch.stream): the batch size the server asks for "
                    "(smaller = the server is busier) and the pacing events per second: "
                    "backoff, out_of_memory, shutting_down, and the client's reconnect and "
                    "fallback to unary batches (docs/batch.md).",
                    "short",
                    [
                        Target(
                            ratio(
                                f"sum({sum_rate(STREAM_BATCH_SIZE, STREAM)})",
                                f"sum({count_rate(STREAM_BATCH_SIZE, STREAM)})",
                            ),
                            "server batch size",
                        ),
                        Target(
                            f"sum by (weaviate_batch_event) ({rate(STREAM_PACING, STREAM)})",
                            "{{weaviate_batch_event}} /s",
                        ),
                    ],
                    width=12,
                    height=7,
                ),
            ],
        ),
    ]


def soak_rows() -> list[Row]:
    return [
        Row(
            "Soak: throughput and integrity",
            [
                Panel(
                    "Objects written",
                    "Objects the soak harness wrote per second: each client process "
                    "(service.instance.id, the instance label) and the total.",
                    "cps",
                    [
                        Target(f"sum by (instance) ({rate(SOAK_WRITTEN, JOB)})", "{{instance}}"),
                        Target(f"sum({rate(SOAK_WRITTEN, JOB)})", "total"),
                    ],
                ),
                Panel(
                    "Calls per second",
                    "All logical SDK calls per second (reads and writes): each client "
                    "process and the total.",
                    "reqps",
                    [
                        Target(
                            f"sum by (instance) ({count_rate(DB_DURATION, CALL)})",
                            "{{instance}}",
                        ),
                        Target(f"sum({count_rate(DB_DURATION, CALL)})", "total"),
                    ],
                ),
                Panel(
                    "Lost objects",
                    "Written objects the harness could not read back: anything above 0 is "
                    "data loss.",
                    "short",
                    [Target(f"max({SOAK_LOST}{{{JOB}}})", "lost")],
                    kind="stat",
                    extra={"red_above": 1},
                ),
            ],
        ),
        Row(
            "Client process",
            [
                Panel(
                    "Memory (RSS)",
                    "Resident memory of each client process (instance): it should level off "
                    "after warm-up.",
                    "bytes",
                    [Target(f"sum by (instance) ({PROCESS_RSS}{{{JOB}}})", "{{instance}}")],
                    width=6,
                ),
                Panel(
                    "CPU",
                    "CPU time per second (1.0 = one core), user and system together: each "
                    "client process (instance) and the total.",
                    "percentunit",
                    [
                        Target(f"sum by (instance) ({rate(PROCESS_CPU, JOB)})", "{{instance}}"),
                        Target(f"sum({rate(PROCESS_CPU, JOB)})", "total"),
                    ],
                    width=6,
                ),
                Panel(
                    "Garbage collections",
                    "CPython GC runs per second by generation.",
                    "cps",
                    [
                        Target(
                            f"sum by (cpython_gc_generation) ({rate(GC_COLLECTIONS, JOB)})",
                            "gen {{cpython_gc_generation}}",
                        )
                    ],
                    width=6,
                ),
                Panel(
                    "Threads",
                    "Threads in the client process.",
                    "short",
                    [Target(f"sum by (instance) ({PROCESS_THREADS}{{{JOB}}})", "{{instance}}")],
                    width=6,
                ),
            ],
        ),
        Row(
            "Weaviate server beside the client",
            [
                Panel(
                    "Latency p95: client vs server",
                    "The client's p95 per operation beside Weaviate's own p95 per REST "
                    "route; the gap is network, queueing, retries and (de)serialisation.",
                    "s",
                    [
                        Target(
                            f"topk(10, {quantile(0.95, DB_DURATION, CALL, 'db_operation_name')})",
                            "client {{db_operation_name}}",
                        ),
                        Target(
                            f"topk(10, {quantile(0.95, W_HTTP, W_ROUTES, 'route')})",
                            "server {{route}}",
                        ),
                    ],
                ),
                Panel(
                    "Requests: client attempts vs server",
                    "HTTP attempts the client sent beside the REST requests Weaviate "
                    "served (probes excluded): a gap means requests that never arrived.",
                    "reqps",
                    [
                        Target(f"sum({count_rate(HTTP_DURATION, JOB)})", "client attempts"),
                        Target(f"sum({rate(W_HTTP + '_count', W_ROUTES)})", "server requests"),
                    ],
                ),
                Panel(
                    "Server objects by collection",
                    "Objects Weaviate holds per collection (all shards, summed over the "
                    "nodes: with replication each object counts once per replica).",
                    "short",
                    [
                        Target(
                            f"sum by (class_name) "
                            f'({W_OBJECTS}{{{WEAVIATE}, class_name=~"$collection"}})',
                            "{{class_name}}",
                        )
                    ],
                ),
                Panel(
                    "Server query and batch latency p95",
                    "Weaviate's own p95 for GraphQL queries by type and for whole batches.",
                    "s",
                    [
                        Target(
                            f"{quantile(0.95, W_QUERY_MS, WEAVIATE, 'query_type')} / 1000",
                            "query {{query_type}}",
                        ),
                        Target(
                            f"{quantile(0.95, W_BATCH_MS, W_BATCH_TOTAL)} / 1000",
                            "batch",
                        ),
                    ],
                    width=6,
                ),
                Panel(
                    "Server memory",
                    "Weaviate's Go heap in use (all nodes) and the resident memory of each "
                    "node (instance) and of all of them.",
                    "bytes",
                    [
                        Target(f"sum({W_HEAP}{{{WEAVIATE}}})", "heap in use"),
                        Target(f"sum by (instance) ({W_RSS}{{{WEAVIATE}}})", "RSS {{instance}}"),
                        Target(f"sum({W_RSS}{{{WEAVIATE}}})", "RSS"),
                    ],
                    width=6,
                ),
                Panel(
                    "Server CPU",
                    "CPU time Weaviate uses per second (1.0 = one core): each node "
                    "(instance) and all of them.",
                    "percentunit",
                    [
                        Target(f"sum by (instance) ({rate(W_CPU, WEAVIATE)})", "{{instance}}"),
                        Target(f"sum({rate(W_CPU, WEAVIATE)})", "CPU"),
                    ],
                    width=6,
                ),
                Panel(
                    "Server goroutines",
                    "Goroutines in Weaviate: steady growth under a steady load is a leak.",
                    "short",
                    [Target(f"sum({W_GOROUTINES}{{{WEAVIATE}}})", "goroutines")],
                    width=6,
                ),
            ],
        ),
    ]


# -- dashboards ----------------------------------------------------------------------------


def _layout(builder: db.Dashboard, rows: Sequence[Row]) -> db.Dashboard:
    """Place rows and panels on the 24-column grid, left to right, wrapping."""
    y = 0
    panel_id = 1
    for row in rows:
        builder = builder.with_row(
            db.Row(row.title).id(panel_id).grid_pos(dm.GridPos(h=1, w=GRID_WIDTH, x=0, y=y))
        )
        panel_id += 1
        y += 1
        x = 0
        line_height = 0
        for panel in row.panels:
            if x + panel.width > GRID_WIDTH:
                x, y, line_height = 0, y + line_height, 0
            builder = builder.with_panel(_build_panel(panel, panel_id, x, y))
            panel_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return builder


def _dashboard(uid: str, title: str, description: str, tags: list[str]) -> db.Dashboard:
    return (
        db.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(tags)
        .editable()
        .timezone("browser")
        .tooltip(dm.DashboardCursorSync.CROSSHAIR)
        .refresh("30s")
        .time("now-1h", "now")
        .timepicker(db.TimePicker().refresh_intervals(["10s", "30s", "1m", "5m", "15m", "1h"]))
        .link(
            db.DashboardLink("Weaviate dashboards")
            .type(dm.DashboardLinkType.DASHBOARDS)
            .tags(["weaviate-telemetry"])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
            .target_blank(False)
            .icon("external link")
            .tooltip("")
            .url("")
        )
    )


def client_overview() -> dm.Dashboard:
    builder = _dashboard(
        "weaviate-client-overview",
        "Weaviate client overview",
        "What the weaviate_telemetry SDK sees of its calls to Weaviate: rate, errors, "
        "latency, retries, endpoints, connections and batches.",
        ["weaviate-telemetry", "weaviate"],
    )
    for variable in _variables(server=False):
        builder = builder.with_variable(variable)
    return _layout(builder, traffic_rows()).build()


def soak() -> dm.Dashboard:
    builder = (
        _dashboard(
            "weaviate-soak",
            "Weaviate soak",
            "A long-running workload through the SDK: the client overview over hours, "
            "throughput, lost objects, the client process (memory, CPU, GC, threads) and "
            "Weaviate's own metrics beside the client's view.",
            ["weaviate-telemetry", "weaviate", "soak"],
        )
        .time("now-6h", "now")
        .refresh("1m")
    )
    for variable in _variables(server=True):
        builder = builder.with_variable(variable)
    return _layout(builder, [*soak_rows(), *traffic_rows()]).build()


DASHBOARDS: dict[str, Callable[[], dm.Dashboard]] = {
    "weaviate-client-overview.json": client_overview,
    "weaviate-soak.json": soak,
}


def render(dashboard: dm.Dashboard) -> str:
    """The dashboard as the committed JSON text (sorted keys, 2-space indent)."""
    return json.dumps(dashboard, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


def generate() -> dict[str, str]:
    """File name → JSON text of every dashboard."""
    return {name: render(build()) for name, build in DASHBOARDS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="diff instead of writing")
    parser.add_argument("--out", type=Path, default=FOLDER, help=f"folder (default: {FOLDER})")
    args = parser.parse_args(argv)
    stale = 0
    for name, text in generate().items():
        path = args.out / name
        if args.check:
            current = path.read_text() if path.exists() else ""
            if current != text:
                stale += 1
                sys.stdout.writelines(
                    difflib.unified_diff(
                        current.splitlines(True), text.splitlines(True), str(path), "generated"
                    )
                )
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print(f"{stale} dashboard(s) out of date: run python dashboards/generate.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
