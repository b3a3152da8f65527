"""The soak's progress display: a rich bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

Status = Callable[[], str]


class Progress:
    """Shows elapsed/total and a status line until :meth:`close`."""

    def __init__(
        self,
        total: float,
        status: Status,
        stream: TextIO | None = None,
        every: float | None = None,
    ) -> None:
        self.total = total
        self.status = status
        self.stream = stream or sys.stdout
        self.began = time.monotonic()
        self._stop = threading.Event()
        self._rich: Any = None
        self._task: Any = None
        self._every = every or max(5.0, min(30.0, total / 12))
        self._thread: threading.Thread | None = None

    def start(self) -> Progress:
        self.began = time.monotonic()
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                TextColumn("[bold]soak"),
                BarColumn(),
                TimeElapsedColumn(),
                TextColumn("/"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[status]}"),
                console=Console(file=self.stream),
                refresh_per_second=2,
            )
            self._rich.start()
            self._task = self._rich.add_task("soak", total=self.total, status=self.status())
            target = self._tick_rich
        else:
            target = self._tick_plain
        self._thread = threading.Thread(target=target, name="soak-progress", daemon=True)
        self._thread.start()
        return self

    def _elapsed(self) -> float:
        return min(self.total, time.monotonic() - self.began)

    def _tick_rich(self) -> None:
        while not self._stop.wait(0.5):
            self._rich.update(self._task, completed=self._elapsed(), status=self.status())

    def _tick_plain(self) -> None:
        while not self._stop.wait(self._every):
            self.line(f"{self._elapsed():6.0f}/{self.total:.0f}s  {self.status()}")

    def line(self, text: str) -> None:
        """A line of its own (above the bar on a terminal)."""
        if self._rich is not None:
            self._rich.console.print(text, markup=False, highlight=False)
        else:
            print(f"soak: {text}", file=self.stream, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._rich is not None:
            self._rich.update(self._task, completed=self._elapsed(), status=self.status())
            self._rich.stop()
            self._rich = None
