"""Request lifecycle events and their handlers.

Events (``prefix`` defaults to ``("weaviate",)``, see ``Config.telemetry_prefix``):

- ``(*prefix, "request", "start" | "stop" | "exception")`` around each API call;
- ``(*prefix, "attempt", "start" | "stop" | "exception")`` around each HTTP attempt;
- ``(*prefix, "request", "retry")`` when a retry is scheduled.

See ``docs/telemetry.md`` for every measurement and metadata key.
"""

from ._bus import (
    Capture,
    CapturedEvent,
    EventName,
    Handler,
    HandlerInfo,
    attach,
    capture,
    current_metadata,
    detach,
    execute,
    list_handlers,
    metadata,
)

__all__ = [
    "Capture",
    "CapturedEvent",
    "EventName",
    "Handler",
    "HandlerInfo",
    "attach",
    "capture",
    "current_metadata",
    "detach",
    "execute",
    "list_handlers",
    "metadata",
]
