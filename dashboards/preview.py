"""Render a Grafana dashboard's panels from a real Prometheus into one PNG (docs/dashboards.md).

    python dashboards/preview.py --prometheus http://127.0.0.1:9090 \\
        --dashboard weaviate_telemetry/dashboards/weaviate-client-overview.json \\
        --out overview.png \\
        [--var job=my-app] [--range 1h | --start T --end T] [--scrape-interval 15s]

Grafana itself cannot run here, so this stands in for it: every panel's
queries run through ``/api/v1/query_range`` with the template variables
substituted (a variable not given with ``--var`` takes its "All" value,
``.*``; ``$__rate_interval`` is Grafana's ``max($__interval + scrape
interval, 4 * scrape interval)``), and the panels are drawn on their
``gridPos`` grid (24 columns): timeseries as lines, stat as a number,
heatmap as an image.

It fails (exit 1, :class:`PreviewError`) when a query errors or a panel has
no series at all, naming every such panel at once; the PNG is written
either way, empty panels marked. Needs matplotlib (the ``soak`` extra),
imported only when drawing. The renderer itself lives in the package
(``weaviate_telemetry._soak.render``, used by ``weaviate-telemetry soak``);
this file is its command line.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from weaviate_telemetry._soak.render import (
    GRID_COLUMNS,
    MAX_POINTS,
    PanelData,
    PreviewError,
    QueryError,
    Series,
    check,
    draw,
    fetch,
    format_value,
    panels_of,
    parse_duration,
    query_range,
    render,
    rows_of,
    substitute,
    variable_values,
)

__all__ = [
    "GRID_COLUMNS",
    "MAX_POINTS",
    "PanelData",
    "PreviewError",
    "QueryError",
    "Series",
    "check",
    "draw",
    "fetch",
    "format_value",
    "main",
    "panels_of",
    "parse_duration",
    "query_range",
    "render",
    "rows_of",
    "substitute",
    "variable_values",
]


def _timestamp(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prometheus", required=True, help="base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument("--dashboard", required=True, type=Path, help="dashboard JSON file")
    parser.add_argument("--out", required=True, type=Path, help="PNG to write")
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template variable value (repeatable); others take All (.*)",
    )
    parser.add_argument("--range", default="1h", help="window ending now (default 1h)")
    parser.add_argument("--start", help="Unix seconds or ISO 8601 (overrides --range)")
    parser.add_argument("--end", help="Unix seconds or ISO 8601 (default now)")
    parser.add_argument(
        "--scrape-interval",
        default="15s",
        help="Prometheus scrape/export interval, for $__rate_interval",
    )
    args = parser.parse_args(argv)
    variables = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--var wants NAME=VALUE, got {item!r}")
        variables[name] = value
    end = _timestamp(args.end) if args.end else time.time()
    start = _timestamp(args.start) if args.start else end - parse_duration(args.range)
    try:
        panels = render(
            args.dashboard,
            args.prometheus,
            args.out,
            variables=variables,
            start=start,
            end=end,
            scrape_interval=parse_duration(args.scrape_interval),
        )
    except PreviewError as err:
        print(f"wrote {args.out}", file=sys.stderr)
        print(f"preview failed: {err}", file=sys.stderr)
        return 1
    except (ValueError, QueryError) as err:
        print(f"preview failed: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {len(panels)} panels, all with data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
