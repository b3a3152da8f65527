"""The decisions of a server-side batch stream, as pure state (no I/O, no clock, no grpc).

A ``BatchStream`` is paced by the server: it acknowledges the objects it
queued (``Acks``), reports each object's fate later (``Results``), asks for
smaller or larger messages (``Backoff``), hands objects back when it runs out
of memory (``OutOfMemory``) and says when it is going away (``ShuttingDown``).
:class:`StreamWindow` turns those messages into the next decisions — what to
send now, what is settled, what must be sent again on a new stream — and the
driver (:mod:`.batch_stream`, or an async one later) does the I/O around it.

Rules (docs/batch.md):

- at most ``batch_size`` objects (the server's latest ``Backoff``) are sent
  and not yet acknowledged; at most ``max_unsettled`` are held at all (queued
  or sent without a result), so client memory is bounded whatever the input;
- an object is settled by its first result only; a later result for the same
  id (after a resend) is ignored, so nothing is counted twice;
- when a stream ends or breaks, every object sent without a result goes back
  to the front of the queue, in input order: the objects carry their ids, so
  sending one the server had already stored overwrites it (no duplicate);
- two input objects with the same id are never in flight together.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: The batch size before the server's first ``Backoff`` (the official client's too).
INITIAL_BATCH_SIZE = 100
#: Reconnect waits (s) after a broken stream; one more break after the last gives up.
RECONNECT_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass(slots=True)
class Unsettled:
    """One object between the input and its result: its input index, id and wire form."""

    index: int
    id: str
    message: Any


@dataclass(frozen=True, slots=True)
class Settled:
    """An object's fate: ``error`` is None when the server stored it."""

    index: int
    id: str
    error: str | None


class StreamWindow:
    """What to send next and what is settled, from the server's messages."""

    def __init__(self, max_unsettled: int, batch_size: int = INITIAL_BATCH_SIZE) -> None:
        self.max_unsettled = max_unsettled
        self.batch_size = batch_size
        self.paused = False
        self.reconnects = 0
        self._queue: deque[Unsettled] = deque()
        self._sent: dict[str, Unsettled] = {}
        self._unacked: set[str] = set()

    # -- the client's side ------------------------------------------------------------

    def room(self) -> int:
        """How many more input objects may be taken now (memory bound)."""
        return max(self.max_unsettled - len(self._queue) - len(self._sent), 0)

    def add(self, item: Unsettled) -> None:
        """Queue one input object."""
        self._queue.append(item)

    def take(self) -> list[Unsettled]:
        """The objects of the next message (empty: wait for the server)."""
        if self.paused:
            return []
        free = self.batch_size - len(self._unacked)
        out: list[Unsettled] = []
        while self._queue and len(out) < free:
            head = self._queue[0]
            if head.id in self._sent:  # the same id again: after the first one's result
                break
            self._queue.popleft()
            self._sent[head.id] = head
            self._unacked.add(head.id)
            out.append(head)
        return out

    def idle(self) -> bool:
        """Nothing queued and nothing awaiting a result."""
        return not self._queue and not self._sent

    @property
    def queued(self) -> int:
        """Objects waiting to be sent (resends included)."""
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        """Objects sent and not yet settled."""
        return len(self._sent)

    # -- the server's side ------------------------------------------------------------

    def acked(self, ids: Iterable[str]) -> None:
        """``Acks``: the server queued these; their room in the window is free again."""
        self._unacked.difference_update(ids)

    def results(self, successes: Iterable[str], errors: Iterable[tuple[str, str]]) -> list[Settled]:
        """``Results``: each object's fate (unknown or already settled ids are ignored)."""
        out: list[Settled] = []
        for id_ in successes:
            item = self._settle(id_)
            if item is not None:
                out.append(Settled(item.index, item.id, None))
        for id_, message in errors:
            item = self._settle(id_)
            if item is not None:
                out.append(Settled(item.index, item.id, message or _NO_MESSAGE))
        if out:
            self.reconnects = 0  # progress: a later break starts the waits over
        return out

    def backoff(self, batch_size: int) -> bool:
        """``Backoff``: the server's batch size from now on; True when it changed."""
        size = max(int(batch_size), 1)
        changed = size != self.batch_size
        self.batch_size = size
        return changed

    def out_of_memory(self, ids: Sequence[str]) -> int:
        """``OutOfMemory``: the server hands these back; they are sent again on the next
        stream, and nothing more is sent on this one. Returns how many came back."""
        back = [self._sent.pop(i) for i in ids if i in self._sent]
        self._unacked.difference_update(ids)
        self._requeue(back)
        self.paused = True
        return len(back)

    def shutting_down(self) -> None:
        """``ShuttingDown``: send nothing more on this stream (results still come)."""
        self.paused = True

    def stream_ended(self) -> int:
        """The stream is over (closed, broken or cancelled): everything sent without a
        result goes back to the front of the queue. Returns how many will be resent."""
        back = list(self._sent.values())
        self._sent.clear()
        self._unacked.clear()
        self._requeue(back)
        self.paused = False
        return len(back)

    def reconnect_wait(self) -> float | None:
        """The wait before the next stream after a break, or None: give up on streams."""
        if self.reconnects >= len(RECONNECT_WAITS):
            return None
        wait = RECONNECT_WAITS[self.reconnects]
        self.reconnects += 1
        return wait

    def drain(self) -> list[Unsettled]:
        """Everything not settled, in input order (handed to unary batches on giving up)."""
        self.stream_ended()
        out = list(self._queue)
        self._queue.clear()
        return out

    def _settle(self, id_: str) -> Unsettled | None:
        item = self._sent.pop(id_, None)
        if item is None:
            item = self._sent.pop(id_.lower(), None)
        if item is not None:
            self._unacked.discard(item.id)
        return item

    def _requeue(self, items: list[Unsettled]) -> None:
        items.sort(key=lambda i: i.index)
        self._queue.extendleft(reversed(items))


_NO_MESSAGE = "the server reported this object as failed without a message"
