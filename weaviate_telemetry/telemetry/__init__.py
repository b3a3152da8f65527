"""Request lifecycle events and their handlers.

Events (``prefix`` defaults to ``("weaviate",)``, see ``Config.telemetry_prefix``):

- ``(*prefix, "request", "start" | "stop" | "exception")`` around each API call;
- ``(*prefix, "attempt", "start" | "stop" | "exception")`` around each HTTP attempt;
- ``(*prefix, "request", "retry")`` when a retry is scheduled.

Handlers: :func:`instrument_opentelemetry` / :func:`configure_otlp`
(OpenTelemetry spans, metrics, logs), :func:`log_to_loguru` (log lines),
:func:`capture` (tests), or your own via :func:`attach`.
See ``docs/telemetry.md`` for every measurement and metadata key.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._core.events import (
    Capture,
    CapturedEvent,
    EventName,
    Handler,
    HandlerInfo,
    attach,
    capture,
    current_metadata,
    detach,
    list_handlers,
    metadata,
)
from ._loguru import LoguruRouting, log_to_loguru

if TYPE_CHECKING:
    from ._otel import (
        OpenTelemetryInstrumentation,
        OtlpSetup,
        configure_otlp,
        instrument_opentelemetry,
        otel_log_sink,
    )

# OpenTelemetry is imported only when one of these is first used.
_LAZY = {
    "OpenTelemetryInstrumentation",
    "OtlpSetup",
    "configure_otlp",
    "instrument_opentelemetry",
    "otel_log_sink",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("._otel", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Capture",
    "CapturedEvent",
    "EventName",
    "Handler",
    "HandlerInfo",
    "LoguruRouting",
    "OpenTelemetryInstrumentation",
    "OtlpSetup",
    "attach",
    "capture",
    "configure_otlp",
    "current_metadata",
    "detach",
    "instrument_opentelemetry",
    "list_handlers",
    "log_to_loguru",
    "metadata",
    "otel_log_sink",
]
