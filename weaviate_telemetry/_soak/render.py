"""Render a Grafana dashboard's panels from a real Prometheus into one PNG (docs/dashboards.md).

Grafana itself cannot run here, so this stands in for it: every panel's
queries run through ``/api/v1/query_range`` with the template variables
substituted (a variable not given takes its "All" value, ``.*``;
``$__rate_interval`` is Grafana's ``max($__interval + scrape interval,
4 * scrape interval)``), and the panels are drawn on their ``gridPos`` grid
(24 columns): timeseries as lines, stat as a number, heatmap as an image.

:func:`render` fails (:class:`PreviewError`) when a query errors or a panel
has no series at all, naming every such panel at once; the PNG is written
either way, empty panels marked. The soak command renders its report's
dashboard charts with it; ``dashboards/preview.py`` is its command line.
matplotlib (the ``soak`` extra) is imported only when drawing.
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

GRID_COLUMNS = 24
#: How many points a panel asks for at most (Grafana's maxDataPoints is of this order).
MAX_POINTS = 240
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# ${name}, ${name:format}, [[name]], [[name:format]], $name
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")


class PreviewError(Exception):
    """Some panels had query errors or no data; the message names every one."""

    def __init__(self, failed: Mapping[str, str], empty: Sequence[str]) -> None:
        self.failed = dict(failed)
        self.empty = list(empty)
        parts = [f"query error in panel {title!r}: {error}" for title, error in failed.items()]
        if empty:
            parts.append("empty panels (no series): " + ", ".join(repr(t) for t in empty))
        super().__init__("; ".join(parts))


class QueryError(Exception):
    """Prometheus refused or failed one query."""


@dataclass
class Series:
    legend: str
    labels: dict[str, str]
    times: list[float]
    values: list[float]


@dataclass
class PanelData:
    """One panel's queries, run."""

    title: str
    kind: str
    unit: str
    grid: tuple[int, int, int, int]  # x, y, w, h
    series: list[Series] = field(default_factory=list)
    error: str | None = None
    queries: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.error is None and not self.series


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus/Grafana duration such as ``15s``, ``1m`` or ``1.5h``."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 15s, 5m, 1h)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _seconds_text(seconds: float) -> str:
    return f"{max(1, round(seconds))}s"


def panels_of(dashboard: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every non-row panel, including those inside collapsed rows, in grid order."""
    found: list[dict[str, Any]] = []
    for panel in dashboard.get("panels") or []:
        if panel.get("type") == "row":
            found.extend(panel.get("panels") or [])
        else:
            found.append(panel)
    return sorted(found, key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"]))


def rows_of(dashboard: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Title and grid row of every row header."""
    return [
        (panel.get("title") or "", panel["gridPos"]["y"])
        for panel in dashboard.get("panels") or []
        if panel.get("type") == "row"
    ]


def variable_values(
    dashboard: Mapping[str, Any], given: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The value of each template variable: as given, else its "All" value (``.*``).

    ``service`` is accepted as another name for the ``job`` variable.
    """
    given = dict(given or {})
    if "service" in given and "job" not in given:
        given["job"] = given.pop("service")
    values: dict[str, str] = {}
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        name = variable["name"]
        if name in given:
            values[name] = given.pop(name)
        elif variable.get("type") == "datasource":
            values[name] = variable.get("query") or ""
        else:
            values[name] = variable.get("allValue") or ".*"
    if given:
        raise ValueError(f"the dashboard has no variable(s) {', '.join(sorted(given))}")
    return values


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """``expr`` with every ``$var``, ``${var}``, ``${var:fmt}`` and ``[[var]]`` replaced."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        if name not in values:
            raise QueryError(f"unknown template variable ${name}")
        return values[name]

    return _VARIABLE.sub(replace, expr)


def query_range(
    prometheus: str, expr: str, start: float, end: float, step: float, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """The ``result`` of ``/api/v1/query_range``; :class:`QueryError` if Prometheus refuses."""
    body = urllib.parse.urlencode(
        {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
    ).encode()
    request = urllib.request.Request(
        prometheus.rstrip("/") + "/api/v1/query_range",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            payload = json.loads(answer.read())
    except urllib.error.HTTPError as err:
        with err:
            try:
                detail = json.loads(err.read()).get("error") or str(err)
            except ValueError:
                detail = str(err)
        raise QueryError(f"{detail} (query: {expr})") from None
    except (urllib.error.URLError, OSError) as err:
        raise QueryError(f"cannot reach Prometheus at {prometheus}: {err}") from None
    if payload.get("status") != "success":
        raise QueryError(f"{payload.get('error')} (query: {expr})")
    result = payload["data"]["result"]
    return list(result)


def _legend(template: str, labels: Mapping[str, str]) -> str:
    if not template or template == "__auto":
        inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
        text = labels.get("__name__", "") + ("{" + inner + "}" if inner else "")
    else:
        text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template)
    return text.strip() or "value"  # what Grafana shows for a series without labels


def fetch(
    dashboard: Mapping[str, Any],
    prometheus: str,
    *,
    variables: Mapping[str, str] | None = None,
    start: float,
    end: float,
    scrape_interval: float = 15.0,
) -> list[PanelData]:
    """Run every target of every panel; errors are kept on the panel, not raised."""
    step = max(1.0, math.ceil((end - start) / MAX_POINTS))
    rate_interval = max(step + scrape_interval, 4 * scrape_interval)
    values = {
        **variable_values(dashboard, variables),
        "__rate_interval": _seconds_text(rate_interval),
        "__interval": _seconds_text(step),
        "__range": _seconds_text(end - start),
    }
    found: list[PanelData] = []
    for panel in panels_of(dashboard):
        pos = panel["gridPos"]
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        data = PanelData(
            title=panel.get("title") or f"panel {panel.get('id')}",
            kind=panel.get("type") or "timeseries",
            unit=defaults.get("unit") or "short",
            grid=(pos["x"], pos["y"], pos["w"], pos["h"]),
        )
        for target in panel.get("targets") or []:
            if target.get("hide"):
                continue
            try:
                expr = substitute(target["expr"], values)
                data.queries.append(expr)
                for item in query_range(prometheus, expr, start, end, step):
                    labels = dict(item["metric"])
                    points = [(float(t), float(v)) for t, v in item["values"]]
                    data.series.append(
                        Series(
                            _legend(target.get("legendFormat") or "", labels),
                            labels,
                            [t for t, _ in points],
                            [v for _, v in points],
                        )
                    )
            except QueryError as err:
                data.error = str(err)
                break
        found.append(data)
    return found


def check(panels: Sequence[PanelData]) -> None:
    """Raise :class:`PreviewError` naming every panel with a query error or no series."""
    failed = {p.title: p.error for p in panels if p.error is not None}
    empty = [p.title for p in panels if p.empty]
    if failed or empty:
        raise PreviewError(failed, empty)


# -- drawing -------------------------------------------------------------------------------

_BACKGROUND = "#111217"
_PANEL = "#181b1f"
_TEXT = "#ccccdc"
_GRID = "#2c3235"
_COLORS = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9"]


def format_value(value: float, unit: str) -> str:
    """A short human reading of ``value`` in a Grafana unit."""
    if math.isnan(value):
        return "NaN"
    if unit == "percentunit":
        return f"{value * 100:.3g}%"
    if unit == "s":
        if value and abs(value) < 1:
            return f"{value * 1000:.3g} ms"
        return f"{value:.3g} s"
    if unit == "bytes":
        for suffix in ("B", "KiB", "MiB", "GiB"):
            if abs(value) < 1024 or suffix == "GiB":
                return f"{value:.3g} {suffix}"
            value /= 1024
    if unit in ("reqps", "cps", "ops"):
        return f"{value:.3g}/s"
    return f"{value:.4g}"


def _heatmap_matrix(series: Sequence[Series]) -> tuple[list[float], list[str], Any]:
    """Times, bucket labels and counts per bucket (cumulative ``le`` buckets undone)."""
    import numpy as np

    def bound(s: Series) -> float:
        return float(s.labels.get("le", "inf").replace("+Inf", "inf"))

    ordered = sorted(series, key=bound)
    times = sorted({t for s in ordered for t in s.times})
    index = {t: i for i, t in enumerate(times)}
    matrix = np.zeros((len(ordered), len(times)))
    for row, s in enumerate(ordered):
        for t, v in zip(s.times, s.values, strict=True):
            matrix[row, index[t]] = 0.0 if math.isnan(v) else v
    cumulative = all("le" in s.labels for s in ordered)
    if cumulative and len(ordered) > 1:
        matrix[1:] = np.clip(matrix[1:] - matrix[:-1], 0, None)
    labels = [s.labels.get("le", s.legend) for s in ordered]
    return times, labels, matrix


def _draw_panel(ax: Any, panel: PanelData, time_format: str) -> None:
    import matplotlib.dates as mdates

    date2num: Any = mdates.date2num  # untyped in matplotlib's stubs
    date_format: Any = mdates.DateFormatter
    ax.set_facecolor(_PANEL)
    for spine in ax.spines.values():
        spine.set_color(_GRID)
    ax.tick_params(colors=_TEXT, labelsize=7)
    ax.set_title(panel.title, color=_TEXT, fontsize=9, loc="left")
    if panel.error is not None or not panel.series:
        message = "QUERY ERROR" if panel.error is not None else "NO DATA"
        ax.text(0.5, 0.5, message, color="#f2495c", ha="center", va="center", fontsize=12)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    if panel.kind == "stat":
        ax.set_xticks([])
        ax.set_yticks([])
        shown = panel.series[:4]
        for i, s in enumerate(shown):
            last = next((v for v in reversed(s.values) if not math.isnan(v)), math.nan)
            y = 1 - (i + 0.5) / len(shown)
            size = 26 if len(shown) == 1 else 14
            ax.text(
                0.5,
                y,
                format_value(last, panel.unit),
                color=_COLORS[i % len(_COLORS)],
                ha="center",
                va="center",
                fontsize=size,
                transform=ax.transAxes,
            )
        return
    if panel.kind == "heatmap":
        times, labels, matrix = _heatmap_matrix(panel.series)
        dates = [datetime.fromtimestamp(t) for t in times]
        extent = (date2num(dates[0]), date2num(dates[-1]), 0, len(labels))
        ax.imshow(
            matrix,
            aspect="auto",
            origin="lower",
            cmap="Oranges",
            interpolation="nearest",
            extent=extent,
        )
        step = max(1, len(labels) // 6)
        ax.set_yticks([i + 0.5 for i in range(0, len(labels), step)])
        ax.set_yticklabels(labels[::step])
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(date_format(time_format))
        return
    for i, s in enumerate(panel.series):
        ax.plot(
            [datetime.fromtimestamp(t) for t in s.times],
            s.values,
            linewidth=1,
            color=_COLORS[i % len(_COLORS)],
            label=s.legend[:40],
        )
    ax.grid(color=_GRID, linewidth=0.5)
    ax.xaxis.set_major_formatter(date_format(time_format))
    ax.yaxis.set_major_formatter(lambda v, _pos: format_value(v, panel.unit))
    if len(panel.series) <= 8:
        ax.legend(
            fontsize=6,
            loc="upper left",
            facecolor=_PANEL,
            edgecolor=_GRID,
            labelcolor=_TEXT,
            framealpha=0.8,
        )


def draw(
    panels: Sequence[PanelData],
    out: str | Path,
    title: str = "",
    rows: Sequence[tuple[str, int]] = (),
) -> Path:
    """Draw ``panels`` on their grid (and the ``rows`` headers) into a PNG at ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid_rows = max((p.grid[1] + p.grid[3] for p in panels), default=1)
    column, row_height, header = 0.9, 0.36, 0.5  # inches
    width, height = GRID_COLUMNS * column, grid_rows * row_height + header
    fig = plt.figure(figsize=(width, height), dpi=80, facecolor=_BACKGROUND)
    if title:
        fig.text(0.01, 1 - 0.3 / height, title, color=_TEXT, fontsize=14, va="center")
    for row_title, y in rows:
        top = 1 - (header + (y + 0.5) * row_height) / height
        fig.text(0.01, top, row_title, color=_TEXT, fontsize=11, weight="bold", va="center")
    spans = [t for p in panels for s in p.series for t in (s.times[0], s.times[-1]) if s.times]
    seconds = max(spans) - min(spans) if spans else 0
    time_format = "%H:%M:%S" if seconds < 600 else "%H:%M" if seconds < 86400 else "%m-%d %H:%M"
    # Room for the y tick labels on the left, the title on top, the time axis below.
    pad_left, pad_right = 0.75 / width, 0.15 / width
    pad_top, pad_bottom = 0.35 / height, 0.3 / height
    for panel in panels:
        x, y, w, h = panel.grid
        bottom = 1 - (header + (y + h) * row_height) / height + pad_bottom
        box = (
            x / GRID_COLUMNS + pad_left,
            bottom,
            w / GRID_COLUMNS - pad_left - pad_right,
            h * row_height / height - pad_top - pad_bottom,
        )
        _draw_panel(fig.add_axes(box), panel, time_format)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, facecolor=_BACKGROUND)
    plt.close(fig)
    return out


def render(
    dashboard: Mapping[str, Any] | str | Path,
    prometheus: str,
    out: str | Path,
    *,
    variables: Mapping[str, str] | None = None,
    start: float | None = None,
    end: float | None = None,
    scrape_interval: float = 15.0,
) -> list[PanelData]:
    """Fetch every panel, draw the PNG, then raise :class:`PreviewError` on any bad panel.

    ``start``/``end`` are Unix seconds (default: the last hour).
    """
    board: Mapping[str, Any] = (
        dashboard if isinstance(dashboard, Mapping) else json.loads(Path(dashboard).read_text())
    )
    end = time.time() if end is None else end
    start = end - 3600 if start is None else start
    panels = fetch(
        board,
        prometheus,
        variables=variables,
        start=start,
        end=end,
        scrape_interval=scrape_interval,
    )
    draw(panels, out, str(board.get("title") or ""), rows_of(board))
    check(panels)
    return panels
