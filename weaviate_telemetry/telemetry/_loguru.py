"""Route lifecycle events to loguru: one readable line per event, structured ``extra``.

The library's own logger stays disabled (``logger.disable("weaviate_telemetry")``)
until the application opts in; calling :func:`log_to_loguru` is that opt-in
for the event lines only. loguru is imported when routing is first set up.

Cost: a line below every sink's level costs one integer comparison (no
formatting, no ``bind``); the line and its ``extra`` are built only when a
sink will take it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._core import events as _bus
from .._core.redact import redact_text

DEFAULT_LEVELS: Mapping[str, str | None] = {
    "stop": "DEBUG",
    "retry": "WARNING",
    "exception": "ERROR",
    "client_error": "WARNING",
    "probe": "DEBUG",
}
"""The level policy (docs/telemetry.md, "Log levels"), one key per kind of line:

- ``stop``: a call that got its answer, including answers such as 404 for
  ``exists``/``get`` of an object that is not there;
- ``probe``: a health probe that failed (``wait_until_ready`` polling a
  starting server, ``ready()``/``live()``/``check()``); the wait that gives
  up is an ``exception``;
- ``client_error``: a failure the caller must fix — a 4xx other than 429
  (bad request, unauthorized, forbidden, not found, conflict, validation)
  or GraphQL errors in the answer;
- ``exception``: server, connection, timeout, rate-limit and protocol failures;
- ``retry``: a retry scheduled.
"""

# Error kinds the caller must fix: a 4xx the SDK raised (429 is load, not a mistake).
CLIENT_ERROR_KINDS = frozenset(
    {
        "validation_error",
        "bad_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "conflict",
        "graphql_error",
    }
)


def level_key(phase: str, meta: Mapping[str, Any]) -> str:
    """Which :data:`DEFAULT_LEVELS` key an event with this ``phase`` and metadata logs at."""
    if phase != "exception":
        return phase
    if meta.get("probe"):
        return "probe"
    if meta.get("error_kind") in CLIENT_ERROR_KINDS:
        return "client_error"
    return "exception"


_seq = itertools.count(1)
_active = 0


@dataclass
class LoguruRouting:
    """What :func:`log_to_loguru` attached; :meth:`detach` undoes it."""

    handler_id: str

    def detach(self) -> None:
        """Stop routing events to loguru. Idempotent."""
        global _active
        if _bus.detach(self.handler_id):
            _active -= 1
            if _active == 0:
                _bus.library_logger().disable(__name__)

    def __enter__(self) -> LoguruRouting:
        return self

    def __exit__(self, *exc: object) -> None:
        self.detach()


def _trace_ids(meta: Mapping[str, Any]) -> tuple[str | None, str | None]:
    ids = meta.get("trace")
    if isinstance(ids, Mapping) and ids.get("trace_id"):
        return ids.get("trace_id"), ids.get("span_id")
    return None, None


def _target(meta: Mapping[str, Any]) -> str:
    operation = meta.get("operation") or "request"
    collection = meta.get("collection")
    return f"{operation} {collection}" if collection else str(operation)


def log_to_loguru(
    levels: Mapping[str, str | None] | None = None,
    *,
    attempts: bool = False,
    prefix: tuple[str, ...] = ("weaviate",),
) -> LoguruRouting:
    """Log every SDK call through loguru and return a handle to stop it.

    ``levels`` maps the kinds of line to loguru level names; the defaults are
    the policy of :data:`DEFAULT_LEVELS`: ``"stop"`` DEBUG, ``"probe"`` DEBUG,
    ``"client_error"`` WARNING, ``"exception"`` ERROR, ``"retry"`` WARNING
    (a level of ``None`` mutes that kind). With ``attempts=True`` each HTTP
    attempt's stop/exception is logged too. Each line carries ``extra``:
    ``event``, ``operation``, ``collection``, ``tenant``, ``status``,
    ``duration_ms``, ``attempt``, ``error_kind``, ``request_id`` (the
    server's), ``trace_id``, ``span_id`` (the last two when the OpenTelemetry
    bridge is attached) and ``metadata``: the caller's correlation metadata,
    a dict of its own so its keys never collide with these.

    Example::

        from loguru import logger
        logger.add(sys.stderr, level="DEBUG", format="{time} {level} {message} {extra}")
        routing = wt.telemetry.log_to_loguru()
    """
    global _active
    chosen = {**DEFAULT_LEVELS, **(levels or {})}
    for key in chosen:
        if key not in DEFAULT_LEVELS:
            from .._core.errors import ConfigError

            expected = ", ".join(repr(k) for k in DEFAULT_LEVELS)
            raise ConfigError(f"invalid levels key {key!r}: expected one of {expected}")
    logger = _bus.library_logger()
    # Level numbers resolved once; per event, "will any sink take it?" is one comparison.
    numbers: dict[str, int] = {}
    for key, level in chosen.items():
        if level is None:
            continue
        try:
            numbers[key] = logger.level(level).no
        except (ValueError, TypeError) as exc:
            from .._core.errors import ConfigError

            raise ConfigError(f"invalid loguru level {level!r}: {exc}") from None
    kinds = ("request", "attempt") if attempts else ("request",)
    names: list[_bus.EventName] = []
    for kind in kinds:
        if "stop" in numbers:
            names.append((*prefix, kind, "stop"))
        if numbers.keys() & {"exception", "client_error", "probe"}:
            names.append((*prefix, kind, "exception"))
    if "retry" in numbers:
        names.append((*prefix, "request", "retry"))
    core = getattr(logger, "_core", None)

    def handler(
        name: _bus.EventName,
        measurements: Mapping[str, float],
        meta: Mapping[str, Any],
        config: Any,
    ) -> None:
        kind, phase = name[-2], name[-1]
        key = level_key(phase, meta)
        number = numbers.get(key)
        # Muted, or below every sink's level (loguru would drop it): build nothing.
        if number is None or (core is not None and number < core.min_level):
            return
        trace_id, span_id = _trace_ids(meta)
        status = meta.get("status_code")
        error_kind = meta.get("error_kind")
        duration = measurements.get("duration")
        duration_ms = round(duration * 1000.0, 3) if duration is not None else None
        attempt = meta.get("attempt")
        target = _target(meta)
        if kind == "attempt":
            target = f"{target} attempt {attempt}"
        if phase == "retry":
            wait = measurements.get("wait", 0.0)
            why = f"HTTP {status}" if status is not None else error_kind
            line = f"{target}: attempt {attempt} failed ({why}), retrying in {wait:.3f}s"
        elif phase == "exception":
            err = meta.get("error")
            text = redact_text(str(err)) if err is not None else str(error_kind)
            line = f"{target} failed after {duration_ms} ms: {text}"
        else:
            answer = f"-> {status} " if status is not None else ""
            line = f"{target} {answer}in {duration_ms} ms"
            if attempt and attempt > 1:
                line += f" ({attempt} attempts)"
        extra: dict[str, Any] = {
            "event": ".".join(name),
            "operation": meta.get("operation"),
            "collection": meta.get("collection"),
            "tenant": meta.get("tenant"),
            "status": status,
            "duration_ms": duration_ms,
            "attempt": attempt,
            "error_kind": error_kind,
            "request_id": meta.get("request_id"),
            "trace_id": trace_id,
            "span_id": span_id,
            "metadata": dict(meta.get("metadata") or {}),
        }
        logger.bind(**extra).log(chosen[key], line)  # no args: loguru formats nothing

    handler_id = f"weaviate_telemetry.loguru.{next(_seq)}"
    _bus.attach(handler_id, names, handler)
    _active += 1
    logger.enable(__name__)
    return LoguruRouting(handler_id)
