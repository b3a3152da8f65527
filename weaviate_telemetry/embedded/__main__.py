"""``python -m weaviate_telemetry.embedded``: run a local Weaviate until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import time

from ._build import WEAVIATE_VERSION, ensure_weaviate
from ._server import EmbeddedWeaviate


def main(argv: list[str] | None = None) -> int:
    """``python -m weaviate_telemetry.embedded [--api-key KEY] [--build-only]``.

    Runs a local server until Ctrl-C, or only builds the cached binary.
    """

    parser = argparse.ArgumentParser(description="Run a local Weaviate on 127.0.0.1")
    parser.add_argument("--version", default=WEAVIATE_VERSION)
    parser.add_argument("--api-key", action="append", default=[])
    parser.add_argument(
        "--build-only", action="store_true", help="build/cache the binary, print its path, exit"
    )
    args = parser.parse_args(argv)
    if args.build_only:
        print(ensure_weaviate(args.version), flush=True)
        return 0
    keys = {k: f"user{i}" for i, k in enumerate(args.api_key)}
    with EmbeddedWeaviate(args.version, api_keys=keys) as server:
        print(f"Weaviate {args.version} ready at {server.url} (data {server.data_dir})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while server.running:
                time.sleep(0.5)
    return 0


raise SystemExit(main())
