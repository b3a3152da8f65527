#!/usr/bin/env bash
# The whole test suite, from a fresh machine with Python >= 3.11 and Go:
# installs the locked development environment (requirements/dev.lock) and the package
# into .venv, builds (or reuses) the real peers, runs the linters, then pytest with
# warnings as errors. Servers are started and stopped by the test fixtures themselves.
#
#   bash tools/test.sh [pytest args]    the locked run (the README's test command)
#   bash tools/test.sh --deps lowest    every runtime dependency at its declared floor
#   bash tools/test.sh --deps latest    the newest release of every runtime dependency
#
# The two range runs (docs/testing.md) install into a fresh .venv-lowest / .venv-latest,
# type-check the package and run the offline tests plus a real-server smoke set.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
deps=locked
if [ "${1:-}" = "--deps" ]; then
  deps="${2:-}"
  shift 2 || shift $#
fi
case "$deps" in
  locked | lowest | latest) ;;
  *) echo "usage: bash tools/test.sh [--deps locked|lowest|latest] [pytest args]" >&2; exit 2 ;;
esac

# The range runs' test tools: the dev extra's pins, minus what pins the runtime
# dependencies with it (the soak extra's OpenTelemetry instrumentations, grpcio-tools).
range_tools=(pytest hypothesis mypy types-protobuf types-grpcio pyyaml trustme
             grafana-foundation-sdk matplotlib rich)
# Offline tests the range runs leave to the locked run: the generated-stub check needs the
# locked grpcio-tools, the soak tests the soak extra, the compose checks docker-compose.
range_ignore=(--ignore=tests/test_grpc_stubs.py --ignore=tests/test_soak.py
              --ignore=tests/test_soak_cluster.py --ignore=tests/test_deploy.py)
# The real-server smoke set: REST, gRPC, AsyncClient (aiohttp, grpc.aio), retries through real faults, OTLP export of spans,
# metrics and logs over both exporters.
range_smoke=(
  tests/test_client_integration.py
  tests/test_grpc.py
  tests/test_faults.py::test_retries_ride_out_a_short_outage
  tests/test_faults.py::test_reset_peer_is_connection_error
  tests/test_batch.py::test_generator_import_is_chunked_concurrent_and_complete
  tests/test_telemetry_e2e.py::test_spans_and_metrics_reach_the_collector
  tests/test_telemetry_e2e.py::test_configure_otlp_honours_otel_environment
  tests/test_telemetry_e2e.py::test_log_lines_reach_the_collector_correlated_with_spans
  tests/test_async_client.py::test_health_meta_nodes_and_raw_agree_with_the_sync_client
  tests/test_async_client.py::test_errors_have_the_sync_kinds
  tests/test_async_client.py::test_grpc_over_grpc_aio_agrees_with_the_sync_transport
)

python="${WT_PYTHON:-python3}"  # WT_PYTHON picks another interpreter
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "the test suite needs Python >= 3.11 ($python is older; the package itself claims 3.10)" >&2
  exit 1
fi

locked_pin() {  # the requirement line requirements/dev.lock has for one package
  local line
  line="$(grep -E "^$1==" requirements/dev.lock | head -n 1)"
  [ -n "$line" ] || { echo "$1 is not in requirements/dev.lock" >&2; return 1; }
  echo "${line%%#*}"
}

if [ "$deps" != locked ]; then
  started=$SECONDS
  venv=".venv-$deps"
  resolution=highest
  [ "$deps" = lowest ] && resolution=lowest-direct
  echo "== $deps: a fresh $venv (uv --resolution $resolution)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --no-deps "$(locked_pin uv)"
  pins=()
  for tool in "${range_tools[@]}"; do pins+=("$(locked_pin "$tool")"); done
  # lowest: each runtime requirement (and the grpc and async extras') exactly at its declared floor,
  # its own dependencies resolved as usual (a floor that cannot install fails here);
  # latest: the newest releases, nothing from the lock but the test tools.
  floors="$venv/floors.txt"
  : > "$floors"
  if [ "$deps" = lowest ]; then
    "$venv/bin/python" - > "$floors" <<'PY'
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project["optional-dependencies"]
for req in project["dependencies"] + extras["grpc"] + extras["async"]:
    floor = re.match(r"([A-Za-z0-9_.-]+)[^;>]*>=\s*([^,;\s]+)", req)
    if not floor:
        sys.exit(f"no declared floor: {req}")
    print(f"{floor[1]}=={floor[2]}")
PY
  fi
  "$venv/bin/uv" pip install -q --python "$venv/bin/python" --refresh \
    --resolution "$resolution" --constraints "$floors" \
    --build-constraints requirements/dev.lock -e '.[grpc,async]' "${pins[@]}"
  echo "== $deps: resolved"
  "$venv/bin/uv" pip list --python "$venv/bin/python" 2>/dev/null | grep -E \
    '^(urllib3|orjson|opentelemetry-(api|sdk|exporter-otlp|proto)|loguru|stamina|dataclasses-json|grpcio|protobuf|aiohttp) '
  # shellcheck disable=SC1091
  . "$venv/bin/activate"
  python --version
  echo "== $deps: peers for the smoke set"
  python -m weaviate_telemetry.embedded --build-only
  python -m tests.peers.otel_collector --build-only
  python -m tests.peers.toxiproxy
  echo "== $deps: typing"
  mypy
  echo "== $deps: offline tests"
  python -m pytest -W error -p no:cacheprovider -q -m "not integration" "${range_ignore[@]}" "$@"
  echo "== $deps: real-server smoke set"
  python -m pytest -W error -p no:cacheprovider -q "${range_smoke[@]}" "$@"
  echo "== $deps: passed in $((SECONDS - started)) s"
  exit 0
fi

# A private virtualenv keeps the suite from touching (or depending on) whatever
# the machine's own Python has installed.
venv="${WT_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"
# Exactly the locked versions (requirements/dev.lock; `bash tools/lock.sh` refreshes it),
# then the package itself, built with the locked setuptools and resolved with no index:
# a requirement of pyproject.toml the lock lacks fails here instead of installing unpinned.
python -m pip install -q --no-deps -r requirements/dev.lock
if ! python -m pip install -q --no-index --no-build-isolation -e '.[dev]'; then
  echo "requirements/dev.lock does not cover pyproject.toml: run bash tools/lock.sh" >&2
  exit 1
fi

echo "== real peers (cached by version under ~/.cache/weaviate-telemetry)"
# Cold builds (Go; Keycloak is a download from Maven Central) run side by side in the
# background while the linters run;
# a cached peer returns at once. Each build holds a file lock, so concurrent
# runs never build the same binary twice.
peer_logs="$(mktemp -d)"
pids=()
for peer in "weaviate_telemetry.embedded --build-only" "tests.peers.otel_collector --build-only" \
            "tests.peers.toxiproxy" "tests.peers.prometheus --build-only" \
            "tests.peers.keycloak --build-only"; do
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
