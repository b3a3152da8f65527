"""Node steps of a fault schedule: stop, freeze and restart cluster nodes during a soak.

The soak cannot restart a server it did not start, so node steps need a
:class:`NodeControl` from the harness that started the cluster
(``tools/soak_stack.py --cluster 3``, or a test's cluster peer): it owns the
node processes, their ports and data dirs. The schedule also tells the
workers which *phase* the run is in — ``before`` the first node loss,
``during`` it (from ``kill``/``term``/``stop`` until the node is back and the
cluster healthy again), ``after`` — so every call's latency is counted in
its phase.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .options import NodeStep

PHASES = ("before", "during", "after")


class NodeControl(Protocol):
    """What the harness that started the cluster offers the soak (node index is 0-based)."""

    @property
    def size(self) -> int: ...

    def kill(self, index: int) -> None: ...

    def terminate(self, index: int) -> None: ...

    def pause(self, index: int) -> None: ...

    def resume(self, index: int) -> None: ...

    def restart(self, index: int) -> None:
        """Start the node again on its ports and data dir; return once the cluster is healthy."""
        ...

    def running(self, index: int) -> bool: ...


class NodeSchedule:
    """Applies node steps at their times in a daemon thread and tracks the phase."""

    def __init__(
        self,
        control: NodeControl,
        steps: Sequence[NodeStep],
        on_phase: Callable[[int], None] = lambda phase: None,
    ) -> None:
        self.control = control
        self.steps = list(steps)
        self.on_phase = on_phase
        self.applied: list[dict[str, Any]] = []
        self.errors: list[str] = []
        #: (phase name, seconds into the run it began)
        self.phases: list[tuple[str, float]] = [("before", 0.0)]
        self._down: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-nodes", daemon=True)
        self._began = 0.0

    def start(self, began: float | None = None) -> NodeSchedule:
        self._began = time.monotonic() if began is None else began
        self._thread.start()
        return self

    def _now(self) -> float:
        return round(time.monotonic() - self._began, 2)

    def _phase(self, name: str) -> None:
        if self.phases[-1][0] != name:
            self.phases.append((name, self._now()))
            self.on_phase(PHASES.index(name))

    def _run(self) -> None:
        for step in self.steps:
            if self._stop.wait(max(0.0, self._began + step.at - time.monotonic())):
                return
            self.apply(step)

    def apply(self, step: NodeStep) -> None:
        at = self._now()
        try:
            if not 0 <= step.node < self.control.size:
                raise ValueError(f"no node {step.node} (the cluster has {self.control.size})")
            if step.action in ("kill", "term", "stop"):
                self._phase("during")
                self._down.add(step.node)
            action = {
                "kill": self.control.kill,
                "term": self.control.terminate,
                "stop": self.control.pause,
                "cont": self.control.resume,
                "start": self.control.restart,
            }[step.action]
            action(step.node)
            if step.action in ("cont", "start"):
                self._down.discard(step.node)
                if not self._down and self.phases[-1][0] == "during":
                    self._phase("after")
        except Exception as err:  # recorded in the report; the run goes on
            self.errors.append(f"{step.text}: {err!r}\n{traceback.format_exc(limit=3)}")
        self.applied.append({"at": at, "step": step.text, "done_at": self._now()})

    def stop(self) -> None:
        """Stop the schedule; bring back every node it left down (the check needs them all)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=300)
        for node in sorted(self._down):
            action = "cont" if self.control.running(node) else "start"
            self.apply(NodeStep(self._now(), node, action, f"end:node{node}={action}"))

    def phase_windows(self, end: float) -> dict[str, tuple[float, float] | None]:
        """Each phase's (start, end) in seconds into the run; None when it did not happen."""
        windows: dict[str, tuple[float, float] | None] = dict.fromkeys(PHASES)
        for i, (name, start) in enumerate(self.phases):
            stop = self.phases[i + 1][1] if i + 1 < len(self.phases) else end
            windows[name] = (start, min(stop, end))
        return windows
