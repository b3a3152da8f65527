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

DEFAULT_LEVELS: Mapping[str, str] = {
    "stop": "DEBUG",
    "retry": "WARNING",
    "exception": "ERROR",
}

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
    levels: Mapping[str, str] | None = None,
    *,
    attempts: bool = False,
    prefix: tuple[str, ...] = ("weaviate",),
) -> LoguruRouting:
    """Log every SDK call through loguru and return a handle to stop it.

    ``levels`` maps ``"stop"``, ``"retry"`` and ``"exception"`` to loguru
    level names (defaults: DEBUG, WARNING, ERROR; a level of ``None`` mutes
    that event). With ``attempts=True`` each HTTP attempt's stop/exception is
    logged too. Each line carries ``extra``: ``operation``, ``collection``,
    ``status``, ``duration_ms``, ``attempt``, ``error_kind``, ``trace_id``,
    ``span_id`` (the last two when the OpenTelemetry bridge is attached) and
    the caller's correlation metadata.

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

            raise ConfigError(
                f"invalid levels key {key!r}: expected one of 'stop', 'retry', 'exception'"
            )
    kinds = ("request", "attempt") if attempts else ("request",)
    table: dict[_bus.EventName, str] = {}
    for kind in kinds:
        for phase in ("stop", "exception"):
            if chosen[phase]:
                event: _bus.EventName = (*prefix, kind, phase)
                table[event] = chosen[phase]
    if chosen["retry"]:
        retry_name: _bus.EventName = (*prefix, "request", "retry")
        table[retry_name] = chosen["retry"]

    logger = _bus.library_logger()
    # Level numbers resolved once; per event, "will any sink take it?" is one comparison.
    numbers: dict[_bus.EventName, int] = {}
    for event_name, level in table.items():
        try:
            numbers[event_name] = logger.level(level).no
        except (ValueError, TypeError) as exc:
            from .._core.errors import ConfigError

            raise ConfigError(f"invalid loguru level {level!r}: {exc}") from None
    core = getattr(logger, "_core", None)

    def handler(
        name: _bus.EventName,
        measurements: Mapping[str, float],
        meta: Mapping[str, Any],
        config: Any,
    ) -> None:
        # loguru drops a record below its lowest sink level; skip building it at all.
        if core is not None and numbers[name] < core.min_level:
            return
        kind, phase = name[-2], name[-1]
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
            line = f"{target} -> {status} in {duration_ms} ms"
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
        }
        caller = meta.get("metadata")
        if caller:
            for key, value in caller.items():
                extra.setdefault(key, value)
        logger.bind(**extra).log(table[name], line)  # no args: loguru formats nothing

    handler_id = f"weaviate_telemetry.loguru.{next(_seq)}"
    _bus.attach(handler_id, list(table), handler)
    _active += 1
    logger.enable(__name__)
    return LoguruRouting(handler_id)
