"""In-process samples of the client process: RSS, CPU, GC and threads, every few seconds."""

from __future__ import annotations

import gc
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One reading, ``t`` seconds after the run started."""

    t: float
    rss: int
    cpu_user: float
    cpu_system: float
    gc_collections: tuple[int, int, int]
    threads: int
    written: int
    calls: int
    errors: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sampler:
    """Takes a :class:`Sample` every ``interval`` seconds in a daemon thread.

    ``counters`` returns (objects written, calls, errors) so far.
    """

    def __init__(self, interval: float, counters: Callable[[], tuple[int, int, int]]) -> None:
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._counters = counters
        self._began = time.monotonic()
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def start(self) -> Sampler:
        self._began = time.monotonic()
        self.take()
        self._thread.start()
        return self

    def take(self) -> Sample:
        cpu = self._process.cpu_times()
        stats = gc.get_stats()
        written, calls, errors = self._counters()
        sample = Sample(
            t=round(time.monotonic() - self._began, 3),
            rss=int(self._process.memory_info().rss),
            cpu_user=float(cpu.user),
            cpu_system=float(cpu.system),
            gc_collections=(
                int(stats[0]["collections"]),
                int(stats[1]["collections"]),
                int(stats[2]["collections"]),
            ),
            threads=threading.active_count(),
            written=written,
            calls=calls,
            errors=errors,
        )
        self.samples.append(sample)
        return sample

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.take()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval + 5)
        self.take()


def rss_growth(samples: list[Sample], warmup: float) -> dict[str, Any]:
    """RSS after warm-up vs at the end, each the median of a few samples to damp noise.

    ``growth_pct`` is None when the run had too few samples after warm-up.
    """
    after = [s for s in samples if s.t >= warmup]
    if len(after) < 2:
        return {"warmup_seconds": warmup, "growth_pct": None, "samples_after_warmup": len(after)}
    window = max(1, min(5, len(after) // 4))
    base = statistics.median(s.rss for s in after[:window])
    last = statistics.median(s.rss for s in after[-window:])
    return {
        "warmup_seconds": warmup,
        "samples_after_warmup": len(after),
        "rss_after_warmup": int(base),
        "rss_at_end": int(last),
        "rss_max": max(s.rss for s in samples),
        "growth_bytes": int(last - base),
        "growth_pct": round((last - base) / base * 100.0, 2),
    }
