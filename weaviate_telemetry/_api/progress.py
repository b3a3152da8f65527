"""``wt.ImportProgress``: a terminal progress display for a batch import (rich).

::

    with wt.ImportProgress(total=1_000_000) as progress:
        result = client.batch.stream_objects(rows(), collection="Article", on_progress=progress)

It is an ``on_progress`` callback for any import mode (``insert_objects``,
``stream_objects``, ``insert_references``): objects done out of ``total``,
the rate, the ETA and the failures so far. It needs ``rich`` (``pip install
rich``, or the ``soak`` extra).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from .._core import validate as v


class ImportProgress:
    """A live line on the terminal: done / total, objects/s, ETA, failures.

    ``total`` (optional) gives the bar and the ETA; ``console`` is a
    ``rich.console.Console`` (default: stderr). Pass the object itself as
    ``on_progress``; use it as a context manager so the line ends cleanly.
    """

    def __init__(
        self, total: int | None = None, *, description: str = "import", console: Any = None
    ) -> None:
        try:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
        except ImportError as exc:  # pragma: no cover - rich is in the dev lock
            raise ImportError(
                "ImportProgress needs rich: pip install rich (or weaviate-telemetry[soak])"
            ) from exc
        self.total = None if total is None else v.positive_int(total, "total", 1 << 62)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} obj/s"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task = self._progress.add_task(description, total=self.total, rate="-", failed=0)

    def __call__(self, progress: Any) -> None:
        """Take one ``BatchProgress`` (the import calls this after each chunk or result)."""
        self._progress.update(self._task, completed=progress.processed, failed=progress.failed)
        speed = self._progress.tasks[0].speed
        if speed is not None:
            self._progress.update(self._task, rate=f"{speed:,.0f}")

    def __enter__(self) -> ImportProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.refresh()
        self._progress.stop()
