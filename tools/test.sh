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
# Cold builds (Go) run side by side in the background while the linters run;
# a cached peer returns at once. Each build holds a file lock, so concurrent
# runs never build the same binary twice.
peer_logs="$(mktemp -d)"
pids=()
for peer in "weaviate_telemetry.embedded --build-only" "tests.peers.otel_collector --build-only" \
            "tests.peers.toxiproxy" "tests.peers.prometheus --build-only"; do
  name="${peer%% *}"
  # shellcheck disable=SC2086
  python -m $peer > "$peer_logs/$name.log" 2>&1 &
  pids+=("$!:$name")
done
wait_for_peers() {
  local failed=0 entry pid name
  for entry in "${pids[@]}"; do
    pid="${entry%%:*}"; name="${entry#*:}"
    if ! wait "$pid"; then
      echo "peer build failed: $name" >&2
      cat "$peer_logs/$name.log" >&2
      failed=1
    fi
  done
  return "$failed"
}

echo "== tools the tests call"
# tests/test_deploy.py validates deploy/docker-compose.yml with Debian's docker-compose
# (no Docker engine is needed or started).
if ! command -v docker-compose >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose is missing and apt-get is not available: install docker-compose" >&2
    exit 1
  fi
fi

echo "== lint"
ruff check .
ruff format --check .
mypy
lint-imports --no-cache  # the layers of docs/architecture.md

echo "== waiting for the peers"
wait_for_peers
cat "$peer_logs"/*.log

echo "== tests"
python -m pytest -W error -p no:cacheprovider "$@"
