"""Retry policy in action: the attempt loop, backoff, Retry-After and the budget.

Nothing is retried unless the effective :class:`RetryPolicy` is enabled.
stamina drives the loop and the sleeping (so ``stamina.set_testing`` makes
tests instant); this module decides *whether* and *how long*.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from typing import TYPE_CHECKING, Any

from . import events as _bus
from .errors import ErrorKind, WeaviateError
from .models import Request, Response
from .redact import redact_url

if TYPE_CHECKING:
    from .pipeline import Endpoint, Executor


_RETRYABLE_ANY_METHOD = frozenset({ErrorKind.CONNECTION_ERROR})
# Failures that say "this endpoint is down" rather than "this request is bad".
_ENDPOINT_DOWN = frozenset({ErrorKind.CONNECTION_ERROR, ErrorKind.UNAVAILABLE})


class RetryBudget:
    """Token bucket: each request deposits ``ratio`` tokens, each retry withdraws one.

    With ratio 0.2 a failing server sees at most ~20 % extra load from
    retries (plus a small initial allowance), as in gRPC and botocore.
    """

    __slots__ = ("_lock", "_max", "_ratio", "_tokens")

    def __init__(self, ratio: float, capacity: float = 10.0) -> None:
        self._ratio = ratio
        self._max = capacity
        self._tokens = capacity
        self._lock = threading.Lock()

    def deposit(self) -> None:
        if self._tokens < self._max:
            with self._lock:
                self._tokens = min(self._max, self._tokens + self._ratio)

    def withdraw(self) -> bool:
        with self._lock:
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


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
    return max(0.0, when.timestamp() - time.time())


def _decorate(
    err: WeaviateError,
    request: Request,
    url: str,
    attempts: int,
    earlier: list[WeaviateError],
    started: float,
) -> WeaviateError:
    err.method = request.method
    err.path = request.path
    err.url = redact_url(url)
    err.operation = request.operation
    err.attempts = attempts
    err.errors = tuple(earlier)
    err.duration = time.monotonic() - started
    return err


def run(
    executor: Executor,
    request: Request,
    endpoint: Endpoint | None,
    call_meta: dict[str, Any] | None,
) -> Response:
    """Run the attempts of one call under its policy and total deadline."""
    started = time.monotonic()
    timeouts = request.timeouts or executor.config.timeouts
    deadline = started + timeouts.total
    policy = request.retry or executor.config.retry
    pool = executor.endpoints
    executor.budget.deposit()

    def send(index: int, number: int) -> Response:
        current = endpoint if endpoint is not None else pool[index]
        try:
            response = executor.attempt(request, current, deadline, number, call_meta)
        except WeaviateError as err:
            if endpoint is None and err.kind in _ENDPOINT_DOWN:
                pool.mark_dead(index)
            raise
        if endpoint is None:
            pool.mark_alive(index)
        return response

    def url_of(index: int) -> str:
        return request.url_at((endpoint or pool[index]).base_url)

    if not policy.enabled:
        index = pool.choose()
        try:
            return send(index, 1)
        except WeaviateError as err:
            raise _decorate(err, request, url_of(index), 1, [], started) from err.__cause__

    import stamina  # only clients that enable retries pay for importing it

    earlier: list[WeaviateError] = []
    state = {"index": pool.choose(), "number": 0}

    def decide(exc: Exception) -> bool | float:
        if not isinstance(exc, WeaviateError):
            return False
        number = state["number"]
        if number >= policy.max_attempts or not _retryable(exc, request, policy):
            return False
        if exc.retry_after is not None:
            wait = min(exc.retry_after, policy.max_backoff)
        else:
            backoff = policy.initial_backoff * (2 ** (number - 1))
            wait = min(policy.max_backoff, backoff + random.uniform(0, policy.initial_backoff))
        if time.monotonic() + wait >= deadline:
            exc.message += " (no retry: the total deadline would pass during backoff)"
            return False
        if not executor.budget.withdraw():
            exc.message += " (no retry: retry budget exhausted)"
            return False
        earlier.append(exc)
        if exc.kind in _ENDPOINT_DOWN:
            state["index"] = pool.choose(avoid=state["index"])
        if call_meta is not None:
            _bus.execute(
                executor.ev_retry,
                {"wait": wait},
                {
                    **call_meta,
                    "attempt": number,
                    "error_kind": exc.kind.value,
                    "status_code": exc.status_code,
                    "next_server_address": (endpoint or pool[state["index"]]).address,
                },
            )
        return wait

    try:
        for attempt in stamina.retry_context(on=decide, attempts=policy.max_attempts, timeout=None):
            with attempt:
                state["number"] += 1
                return send(state["index"], state["number"])
    except WeaviateError as err:
        raise _decorate(
            err, request, url_of(state["index"]), state["number"], earlier, started
        ) from err.__cause__
    raise AssertionError("unreachable: stamina ended without a result or an error")


def _retryable(err: WeaviateError, request: Request, policy: Any) -> bool:
    if err.kind in _RETRYABLE_ANY_METHOD and _refused_before_sending(err):
        return True
    if not request.is_idempotent:
        return False
    if err.kind in (ErrorKind.CONNECTION_ERROR, ErrorKind.TIMEOUT):
        return True
    return err.status_code is not None and err.status_code in policy.retry_on_status


def _refused_before_sending(err: WeaviateError) -> bool:
    from urllib3.exceptions import NewConnectionError

    return isinstance(err.__cause__, NewConnectionError)
