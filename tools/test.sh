#!/usr/bin/env bash
# The whole test suite, from a fresh machine with Python >= 3.10 and Go:
# installs the package with its dev extra into .venv, builds (or reuses) the real peers,
# runs the linters, then pytest with warnings as errors. Servers are started
# and stopped by the test fixtures themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# A private virtualenv keeps the suite from touching (or depending on) whatever
# the machine's own Python has installed.
venv="${WT_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"
python -m pip install -q -e '.[dev]'

echo "== real peers (cached by version under ~/.cache/weaviate-telemetry)"
python -m weaviate_telemetry.embedded --build-only
python -m tests.peers.otel_collector --build-only
python -m tests.peers.toxiproxy

echo "== lint"
ruff check .
ruff format --check .
mypy
lint-imports --no-cache  # the layers of docs/architecture.md

echo "== tests"
python -m pytest -W error -p no:cacheprovider "$@"
