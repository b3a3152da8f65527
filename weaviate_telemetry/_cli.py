"""The ``weaviate-telemetry`` command line."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """``weaviate-telemetry doctor [--url URL] [--timeout S] [--json]``."""
    parser = argparse.ArgumentParser(prog="weaviate-telemetry")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser(
        "doctor", help="diagnose connectivity, health, version, auth and latency"
    )
    doctor.add_argument("--url", help="server base URL (default: $WEAVIATE_URL)")
    doctor.add_argument("--timeout", type=float, default=2.0, help="seconds per check")
    doctor.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from ._doctor import doctor_main

        return doctor_main(args.url, args.timeout, args.json)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
