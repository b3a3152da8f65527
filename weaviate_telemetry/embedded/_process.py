"""Child server processes that never outlive their parent, and free loopback ports."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_ports(count: int, host: str = "127.0.0.1", consecutive_pair: bool = False) -> list[int]:
    """``count`` distinct free ports; with ``consecutive_pair`` the last two are p, p+1."""
    held: list[socket.socket] = []
    try:
        ports: list[int] = []
        while len(ports) < count - (2 if consecutive_pair else 0):
            sock = socket.socket()
            sock.bind((host, 0))
            held.append(sock)
            ports.append(sock.getsockname()[1])
        while consecutive_pair:
            first = socket.socket()
            first.bind((host, 0))
            port = first.getsockname()[1]
            second = socket.socket()
            try:
                second.bind((host, port + 1))
            except OSError:
                first.close()
                second.close()
                continue
            held += [first, second]
            ports += [port, port + 1]
            break
        return ports
    finally:
        for sock in held:
            sock.close()


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    os.setsid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_running: set[ManagedProcess] = set()
_running_lock = threading.Lock()


class ManagedProcess:
    """A child server process in its own session, stopped with its whole group."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        log_path: Path,
        cwd: Path,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self.log_path = log_path
        self._cleanup = cleanup
        self._log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            argv,
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            preexec_fn=_die_with_parent,
        )
        with _running_lock:
            _running.add(self)

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None

    def log_tail(self, size: int = 3000) -> str:
        """The end of the process's output, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the group, SIGKILL after ``grace`` seconds, then run ``cleanup``. Idempotent."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()
        with _running_lock:
            _running.discard(self)
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None


@atexit.register
def _stop_all() -> None:
    for proc in list(_running):
        proc.stop(grace=5.0)
