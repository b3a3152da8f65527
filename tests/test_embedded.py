"""The embedded server tooling: clean stops, no orphans, clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry import embedded
from weaviate_telemetry.embedded import EmbeddedServerError, EmbeddedWeaviate

CHILD = """
import sys, time
from weaviate_telemetry.embedded import EmbeddedWeaviate
server = EmbeddedWeaviate().start()
print(server._proc.process.pid, server.data_dir, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_server_does_not_outlive_a_killed_or_interrupted_python(sig: signal.Signals) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        pid_text, data_dir = child.stdout.readline().split()
        server_pid = int(pid_text)
        assert _alive(server_pid)
        child.send_signal(sig)
        child.wait(30)
        assert _wait_gone(server_pid, 20), f"weaviate-server {server_pid} outlived its parent"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    if sig is signal.SIGINT:  # a clean exit also removes the fresh data dir
        assert not Path(data_dir).exists()


@pytest.mark.integration
def test_stop_is_idempotent_and_removes_data_dir() -> None:
    server = EmbeddedWeaviate().start()
    data_dir = server.data_dir
    assert data_dir is not None and data_dir.exists()
    with server.client() as client:
        assert client.health.ready()
    server.stop()
    server.stop()
    assert not server.running and not data_dir.exists()


def test_missing_binary_and_no_go_names_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WEAVIATE_TELEMETRY_CACHE", str(tmp_path))
    monkeypatch.delenv("WEAVIATE_SERVER_BINARY", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `go` here
    with pytest.raises(EmbeddedServerError) as info:
        embedded.ensure_weaviate("v9.9.9")
    err = info.value
    assert isinstance(err, wt.WeaviateError)
    assert "no Go toolchain" in str(err) and "weaviate-server" in str(err)


def test_explicit_binary_must_be_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WEAVIATE_SERVER_BINARY", str(tmp_path / "nope"))
    with pytest.raises(EmbeddedServerError, match="not an executable"):
        embedded.ensure_weaviate()


def test_free_ports_are_distinct_with_a_consecutive_raft_pair() -> None:
    ports = embedded.free_ports(7, consecutive_pair=True)
    assert len(set(ports)) == 7
    assert ports[-1] == ports[-2] + 1
