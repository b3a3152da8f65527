"""Build peer binaries once with ``go install`` into a cache keyed by version."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._core.errors import WeaviateConnectionError

#: The Weaviate release the SDK is tested against; the single place it is pinned.
WEAVIATE_VERSION = "v1.39.0"
WEAVIATE_MODULE = "github.com/weaviate/weaviate/cmd/weaviate-server"


class EmbeddedServerError(WeaviateConnectionError):
    """A local server could not be built or started; the message says what is missing."""

    def __init__(self, message: str, **fields: Any) -> None:
        fields.setdefault("hint", "")  # the message already says what to do
        super().__init__(message, **fields)


def cache_dir() -> Path:
    """Where built binaries are kept (outside any repository)."""
    root = os.environ.get("WEAVIATE_TELEMETRY_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "weaviate-telemetry"


@contextlib.contextmanager
def build_lock(name: str) -> Iterator[None]:
    """Hold an exclusive file lock while building ``name`` (concurrent runs wait)."""
    lock_path = cache_dir() / "locks" / f"{name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def go_install(
    module: str, version: str, binary: str, key: str, env: Mapping[str, str] | None = None
) -> Path:
    """``go install module@version`` into ``cache/bin/<key>/``; returns the binary path.

    Reuses the cached binary when present; builds into a temporary folder
    and renames it so an interrupted build never leaves a broken binary.
    """
    target_dir = cache_dir() / "bin" / key
    target = target_dir / binary
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None:
        raise EmbeddedServerError(
            f"no cached {binary} at {target} and no Go toolchain on PATH to build it; "
            f"install Go (https://go.dev/dl) or place a {binary} binary there"
        )
    with build_lock(key):
        if target.exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=cache_dir()))
        try:
            build_env = {**os.environ, "CGO_ENABLED": "0", "GOBIN": str(staging), **(env or {})}
            log = cache_dir() / "logs" / f"{key}-build.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "wb") as out:
                proc = subprocess.run(
                    [go, "install", f"{module}@{version}"],
                    env=build_env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=staging,
                    check=False,
                )
            if proc.returncode != 0 or not (staging / binary).exists():
                tail = log.read_text(errors="replace")[-2000:]
                raise EmbeddedServerError(
                    f"go install {module}@{version} failed (exit {proc.returncode}); "
                    f"log {log}:\n{tail}"
                )
            target_dir.mkdir(parents=True, exist_ok=True)
            os.replace(staging / binary, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def ensure_weaviate(version: str = WEAVIATE_VERSION) -> Path:
    """Path to a ``weaviate-server`` binary of ``version``, building it if needed.

    ``$WEAVIATE_SERVER_BINARY`` points at a binary to use instead.
    """
    explicit = os.environ.get("WEAVIATE_SERVER_BINARY")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise EmbeddedServerError(f"WEAVIATE_SERVER_BINARY={explicit} is not an executable")
        return Path(explicit)
    return go_install(WEAVIATE_MODULE, version, "weaviate-server", f"weaviate-{version}")
