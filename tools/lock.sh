#!/usr/bin/env bash
# Write requirements/dev.lock: the development environment tools/test.sh installs (the
# package's runtime dependencies, its dev extra and the build backend), for Python >= 3.11
# on every platform (docs/testing.md).
#
#   bash tools/lock.sh             follow a change of pyproject.toml, keeping the other pins
#   bash tools/lock.sh --upgrade   refresh: the newest releases pyproject.toml allows
#
# Then run `bash tools/test.sh` and commit the lock with what it changed.
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-.venv/bin/uv}"  # uv is in the dev extra
exec "$uv" pip compile --quiet --universal --python-version 3.11 \
  --custom-compile-command "bash tools/lock.sh" \
  pyproject.toml --extra dev -o requirements/dev.lock "$@"
