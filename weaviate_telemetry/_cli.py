"""The ``weaviate-telemetry`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """``weaviate-telemetry doctor|soak|dashboards …`` (see ``--help``)."""
    parser = argparse.ArgumentParser(prog="weaviate-telemetry")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser(
        "doctor", help="diagnose connectivity, health, version, auth and latency"
    )
    doctor.add_argument("--url", help="server base URL (default: $WEAVIATE_URL)")
    doctor.add_argument("--timeout", type=float, default=2.0, help="seconds per check")
    doctor.add_argument("--json", action="store_true", help="print JSON instead of a table")
    soak = commands.add_parser(
        "soak",
        help="run a mixed workload with telemetry on, check every written object, write a report",
        description="Exit codes: 0 ok; 1 lost/duplicated object, unexpected error, Python "
        "warning or RSS growth over the limit; 2 unreachable or misconfigured.",
    )
    from ._soak.options import add_arguments

    add_arguments(soak)
    dashboards = commands.add_parser(
        "dashboards",
        help="list the shipped Grafana dashboards, or copy them into a folder with --out",
    )
    dashboards.add_argument("--out", type=Path, help="folder to copy the JSON files into")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from ._doctor import doctor_main

        return doctor_main(args.url, args.timeout, args.json)
    if args.command == "soak":
        from ._soak.run import soak_main

        return soak_main(args)
    if args.command == "dashboards":
        from ._dashboards import dashboards_main

        return dashboards_main(args.out)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
