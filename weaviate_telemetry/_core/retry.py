"""Retry decisions: pure functions of policy, budget, error, attempt and time left.

Nothing here sends, sleeps or emits: the pipeline asks :func:`decide` after a
failed attempt and gets back how long to wait, or why to stop. Nothing is
retried unless the effective :class:`RetryPolicy` is enabled.
"""

from __future__ import annotations

import datetime
import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import fork
from .config import RetryPolicy
from .errors import ErrorKind, WeaviateError

#: Failures that say "this endpoint is down" rather than "this request is bad".
ENDPOINT_DOWN = frozenset({ErrorKind.CONNECTION_ERROR, ErrorKind.UNAVAILABLE})


class RetryBudget:
    """Token bucket: each call deposits ``ratio`` tokens, each retry withdraws one.

    With ratio 0.2 a failing server sees at most ~20 % extra load from
    retries (plus a small initial allowance), as in gRPC and botocore.
    """

    __slots__ = ("_lock", "_max", "_ratio", "_tokens")

    def __init__(self, ratio: float, capacity: float = 10.0) -> None:
        self._ratio = ratio
        self._max = capacity
        self._tokens = capacity
        self._lock = fork.lock()

    def deposit(self) -> None:
        """Credit one call."""
        if self._tokens < self._max:
            with self._lock:
                self._tokens = min(self._max, self._tokens + self._ratio)

    def withdraw(self) -> bool:
        """Take one retry's token; False when the bucket is empty."""
        with self._lock:
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


@dataclass(frozen=True, slots=True)
class Decision:
    """Retry after ``wait`` seconds, or stop (``wait`` is None) for ``reason``.

    ``reason`` is set only when a retry was otherwise due but the deadline or
    the budget forbade it, so the caller's error can say so, and ``refused``
    names which (``deadline`` or ``budget``) for telemetry. ``source`` says
    where ``wait`` came from: the server's ``retry_after`` or our ``backoff``.
    """

    wait: float | None
    reason: str | None = None
    source: str = "backoff"
    refused: str | None = None


STOP = Decision(None)


def retryable(err: WeaviateError, idempotent: bool, policy: RetryPolicy) -> bool:
    """Whether the policy allows another attempt after ``err`` (ignoring deadline and budget).

    A request refused before any byte was sent is safe to repeat for any
    method; otherwise only idempotent calls are retried, on connection
    errors, timeouts and the policy's ``retry_on_status``.
    """
    if err.kind is ErrorKind.CONNECTION_ERROR and err.request_sent is False:
        return True
    if not idempotent:
        return False
    if err.kind in (ErrorKind.CONNECTION_ERROR, ErrorKind.TIMEOUT):
        return True
    if err.kind is ErrorKind.UNAVAILABLE and err.rpc_status == "UNAVAILABLE":
        return True  # gRPC UNAVAILABLE: the server asks the client to try again
    return err.status_code is not None and err.status_code in policy.retry_on_status


def decide(
    policy: RetryPolicy,
    budget: RetryBudget,
    *,
    error: WeaviateError,
    attempt: int,
    idempotent: bool,
    time_left: float,
    jitter: Callable[[float, float], float] = random.uniform,
) -> Decision:
    """What to do after attempt number ``attempt`` (1-based) failed with ``error``.

    The wait is the server's ``Retry-After`` clamped to ``max_backoff``, or
    exponential backoff with jitter; no wait may cross the call's deadline
    (``time_left`` seconds away), and each retry spends one budget token.
    """
    if not policy.enabled or attempt >= policy.max_attempts:
        return STOP
    if not retryable(error, idempotent, policy):
        return STOP
    if error.retry_after is not None:
        wait, source = min(error.retry_after, policy.max_backoff), "retry_after"
    else:
        backoff = policy.initial_backoff * (2 ** (attempt - 1))
        wait = min(policy.max_backoff, backoff + jitter(0, policy.initial_backoff))
        source = "backoff"
    if wait >= time_left:
        return Decision(None, "the total deadline would pass during backoff", refused="deadline")
    if not budget.withdraw():
        return Decision(None, "retry budget exhausted", refused="budget")
    return Decision(wait, source=source)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive: the date is still UTC
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - time.time())
