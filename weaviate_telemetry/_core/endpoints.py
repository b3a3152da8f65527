"""Which endpoint an attempt goes to: the preferred live one; failing ones rest.

After a ``connection_error`` or ``unavailable`` an endpoint is marked dead
and skipped for an exponentially growing rest (1 s, 2 s, 4 s … up to
30 s); a success marks it alive again. When its rest ends, the caller's
``ready`` check (the pipeline asks ``/v1/.well-known/ready``: a restarting
Weaviate serves HTTP before it is ready) decides whether real calls go to
it again or it rests once more. When every endpoint rests, the one whose
rest ends first is tried anyway, so a call never fails just because all
endpoints failed recently (the elastic-transport dead-node idea).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from . import fork

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One base URL, pre-split for cheap URL building and telemetry."""

    base_url: str
    address: str
    port: int
    grpc_address: str | None = None
    grpc_port: int | None = None

    @classmethod
    def parse(
        cls, base_url: str, grpc_port: int | None = None, grpc_host: str | None = None
    ) -> Endpoint:
        """Split a validated base URL into address and port (default 80/443).

        With ``grpc_port`` the endpoint also has a gRPC address: ``grpc_host``
        when given, else the URL's host.
        """
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
        if grpc_port is None:
            return cls(base_url, host, port)
        return cls(base_url, host, port, grpc_host or host, grpc_port)

    @property
    def grpc_target(self) -> str | None:
        """``host:port`` of this endpoint's gRPC server, or None when it has none."""
        if self.grpc_address is None:
            return None
        host = self.grpc_address
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 literal
        return f"{host}:{self.grpc_port}"

    @property
    def secure(self) -> bool:
        """True for https endpoints (their gRPC channel uses TLS too)."""
        return self.base_url.startswith("https:")


_REST_INITIAL = 1.0
_REST_MAX = 30.0


class EndpointPool(Sequence[T]):
    """Endpoints in order of preference, with per-endpoint rest after failures.

    ``clock`` (monotonic seconds) is injectable so tests can move time
    instead of sleeping through a rest.
    """

    def __init__(
        self,
        endpoints: Sequence[T],
        rest_initial: float = _REST_INITIAL,
        rest_max: float = _REST_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._endpoints = tuple(endpoints)
        self._clock = clock
        self._rest_initial = rest_initial
        self._rest_max = rest_max
        self._failures = [0] * len(self._endpoints)
        self._dead_until = [0.0] * len(self._endpoints)
        self._lock = fork.lock()

    def __len__(self) -> int:
        return len(self._endpoints)

    def __getitem__(self, index: int) -> T:  # type: ignore[override]
        return self._endpoints[index]

    def choose(self, avoid: int | None = None, ready: Callable[[int], bool] | None = None) -> int:
        """Index of the first live endpoint (not ``avoid`` when another is live).

        An endpoint whose rest has just ended is only chosen when ``ready(index)``
        says so (it is then alive again); otherwise it rests again, longer.
        (The pipeline walks :meth:`candidates` itself: its readiness check is a call.)
        """
        if len(self._endpoints) == 1:
            return 0
        for index in self.candidates(avoid):
            if ready is None or not self._failures[index]:
                return index
            if ready(index):  # back from its rest, and ready
                self.mark_alive(index)
                return index
            self.mark_dead(index)
        return self.first_back()

    def candidates(self, avoid: int | None = None) -> list[int]:
        """The live endpoints in order of preference (without ``avoid`` when another is live).

        Take the first that never :meth:`failed`; one that did is back from
        its rest and is only taken once it is ready. None left:
        :meth:`first_back`.
        """
        now = self._clock()
        dead_until = self._dead_until
        live = [i for i in range(len(dead_until)) if dead_until[i] <= now]
        if avoid is not None and len(live) > 1 and avoid in live:
            live.remove(avoid)
        return live

    def failed(self, index: int) -> bool:
        """Whether the endpoint failed since it last answered (it is back from a rest)."""
        return bool(self._failures[index])

    def first_back(self) -> int:
        """The endpoint whose rest ends first (tried anyway when every endpoint rests)."""
        dead_until = self._dead_until
        return min(range(len(dead_until)), key=dead_until.__getitem__)

    def mark_dead(self, index: int) -> None:
        """Rest the endpoint; each consecutive failure doubles the rest."""
        if len(self._endpoints) == 1:
            return
        with self._lock:
            self._failures[index] += 1
            rest = self._rest_initial * 2 ** (self._failures[index] - 1)
            self._dead_until[index] = self._clock() + min(self._rest_max, rest)

    def mark_alive(self, index: int) -> None:
        """Forget past failures of the endpoint."""
        if self._failures[index]:
            with self._lock:
                self._failures[index] = 0
                self._dead_until[index] = 0.0

    def resting(self) -> list[int]:
        """Indexes of endpoints currently resting (for diagnostics and tests)."""
        now = self._clock()
        return [i for i, until in enumerate(self._dead_until) if until > now]
