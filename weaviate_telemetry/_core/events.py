"""The event bus: handlers attached by event name, executed synchronously.

Events are ``(name, measurements, metadata)`` triples, after Erlang's
``:telemetry``. The bus knows nothing about HTTP or OpenTelemetry; the
pipeline emits, handlers listen. A handler that raises is detached and
logged once so a broken handler can never break a request.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from . import fork

EventName = tuple[str, ...]
"""An event name, e.g. ``("weaviate", "request", "stop")``."""


class Handler(Protocol):
    """A handler: ``fn(event_name, measurements, metadata, config) -> None``.

    Called synchronously on the requesting thread, so it must be quick.
    Treat ``measurements`` and ``metadata`` as read-only (except the
    documented ``propagation_headers`` carrier on attempt start);
    ``config`` is the value given to :func:`attach`.
    """

    def __call__(
        self,
        event_name: EventName,
        measurements: Mapping[str, float],
        metadata: Mapping[str, Any],
        config: Any,
        /,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class HandlerInfo:
    """An attached handler, as reported by :func:`list_handlers`."""

    handler_id: str
    event_names: tuple[EventName, ...]
    function: Handler
    config: Any = None


_lock = fork.lock()
_infos: dict[str, HandlerInfo] = {}
# Read without the lock on the hot path: replaced wholesale, never mutated.
_by_event: dict[EventName, tuple[HandlerInfo, ...]] = {}


# Events that close what a start event opened.
_CLOSING = frozenset({"stop", "exception"})


def _rebuild() -> None:
    global _by_event
    table: dict[EventName, list[HandlerInfo]] = {}
    for info in _infos.values():
        for name in info.event_names:
            table.setdefault(name, []).append(info)
    # Handlers of a start event run in the order they were attached, those of its stop or
    # exception in reverse, so what handlers open at the start (e.g. an attached
    # OpenTelemetry context, one per instrumentation) is closed in nesting order.
    _by_event = {k: tuple(reversed(v)) if k[-1] in _CLOSING else tuple(v) for k, v in table.items()}


def _event_name(name: Any) -> EventName:
    if isinstance(name, str):
        name = tuple(name.split("."))
    if not isinstance(name, tuple) or not name or not all(isinstance(p, str) and p for p in name):
        from .errors import ConfigError

        raise ConfigError(
            f"invalid event name {name!r}: expected a non-empty tuple of strings, "
            "e.g. ('weaviate', 'request', 'stop')"
        )
    return name


def attach(
    handler_id: str,
    event_names: Iterable[EventName | str] | EventName,
    fn: Handler,
    config: Any = None,
) -> None:
    """Call ``fn(event_name, measurements, metadata, config)`` for each named event.

    ``event_names`` is one event name or several; a name is a tuple such as
    ``("weaviate", "request", "stop")`` (or the dotted string form).
    Handlers run in the order they were attached, except on ``stop`` and
    ``exception`` events, where the last attached runs first (nesting order).
    Raises ``ConfigError`` when ``handler_id`` is already attached.
    """
    from .errors import ConfigError

    if not isinstance(handler_id, str) or not handler_id:
        raise ConfigError(f"invalid handler_id {handler_id!r}: expected a non-empty string")
    if not callable(fn):
        raise ConfigError(f"invalid handler function {fn!r}: expected a callable")
    if isinstance(event_names, str) or (
        isinstance(event_names, tuple)
        and event_names
        and all(isinstance(p, str) for p in event_names)
    ):
        names: tuple[EventName, ...] = (_event_name(event_names),)  # one name
    else:
        names = tuple(dict.fromkeys(_event_name(n) for n in event_names))
    with _lock:
        if handler_id in _infos:
            raise ConfigError(f"handler {handler_id!r} is already attached; detach it first")
        _infos[handler_id] = HandlerInfo(handler_id, names, fn, config)
        _rebuild()


def detach(handler_id: str) -> bool:
    """Remove a handler; returns False when it was not attached."""
    with _lock:
        if _infos.pop(handler_id, None) is None:
            return False
        _rebuild()
        return True


def list_handlers(prefix: EventName | None = None) -> list[HandlerInfo]:
    """Attached handlers, optionally only those listening to names starting with ``prefix``."""
    infos = list(_infos.values())
    if prefix is None:
        return infos
    n = len(prefix)
    return [i for i in infos if any(name[:n] == prefix for name in i.event_names)]


def has_handlers() -> bool:
    """Cheap check used by emitters to skip building events nobody listens to."""
    return bool(_by_event)


def listens(names: tuple[EventName, ...]) -> bool:
    """True when a handler is attached to any of ``names`` (skip building unheard events)."""
    table = _by_event
    return any(name in table for name in names)


def execute(
    name: EventName, measurements: Mapping[str, float], metadata: Mapping[str, Any]
) -> None:
    """Run every handler attached to ``name``; failing handlers are detached."""
    for info in _by_event.get(name, ()):
        try:
            info.function(name, measurements, metadata, info.config)
        except Exception as exc:
            detach(info.handler_id)
            library_logger().opt(exception=exc).error(
                "telemetry handler {} failed on {} and was detached",
                info.handler_id,
                ".".join(name),
            )


# --- the library's loguru logger ----------------------------------------------

LIBRARY = "weaviate_telemetry"
_library_logger: Any = None


def library_logger() -> Any:
    """loguru's logger, imported on first use and quiet for this library by default.

    ``import weaviate_telemetry`` does not import loguru (it costs more than
    the rest of the package). Every module of the library that logs gets the
    logger here, so the first time one of them needs it the library's records
    are disabled (``logger.disable("weaviate_telemetry")``, docs/telemetry.md) unless
    the application already said otherwise with ``logger.enable`` /
    ``logger.disable`` on this name or a name below it.
    """
    global _library_logger
    if _library_logger is None:
        from loguru import logger

        try:  # loguru keeps (name + ".", enabled) pairs; an explicit choice wins
            decided = any(
                name.startswith(LIBRARY + ".")
                for name, _ in logger._core.activation_list  # type: ignore[attr-defined]
            )
        except (AttributeError, TypeError, ValueError):  # pragma: no cover - loguru internals
            decided = False
        if not decided:
            logger.disable(LIBRARY)
        _library_logger = logger
    return _library_logger


# --- correlation metadata ---------------------------------------------------

_context_metadata: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "weaviate_telemetry_metadata", default=MappingProxyType({})
)


def current_metadata() -> Mapping[str, Any]:
    """Metadata set by enclosing :func:`metadata` blocks in this context."""
    return _context_metadata.get()


@contextlib.contextmanager
def metadata(**values: str | int | float | bool) -> Iterator[None]:
    """Add correlation metadata to every event emitted inside the block.

    Example::

        with wt.telemetry.metadata(request_id=req.id, tenant_user="u1"):
            client.collections.use("Article").query.fetch_object_by_id(uid)
    """
    for key, value in values.items():
        if not isinstance(value, (str, int, float, bool)):
            from .errors import ConfigError

            raise ConfigError(f"invalid metadata[{key!r}]={value!r}: expected str/int/float/bool")
    token = _context_metadata.set({**_context_metadata.get(), **values})
    try:
        yield
    finally:
        _context_metadata.reset(token)


# --- test capture -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapturedEvent:
    """One recorded event."""

    name: EventName
    measurements: Mapping[str, float]
    metadata: Mapping[str, Any]


@dataclass
class Capture:
    """Events recorded by :func:`capture`, in emission order."""

    events: list[CapturedEvent] = field(default_factory=list)

    def names(self) -> list[EventName]:
        """Just the event names, in order."""
        return [e.name for e in self.events]

    def of(self, *suffix: str) -> list[CapturedEvent]:
        """Events whose name ends with ``suffix``, e.g. ``of("request", "stop")``."""
        n = len(suffix)
        return [e for e in self.events if e.name[-n:] == suffix]


_capture_seq = iter(range(1, 1 << 62))


@contextlib.contextmanager
def capture(
    event_names: Iterable[EventName] | None = None, prefix: EventName = ("weaviate",)
) -> Iterator[Capture]:
    """Record events inside the block (for tests); all SDK events under ``prefix`` by default."""
    if event_names is None:
        event_names = [
            (*prefix, kind, phase)
            for kind in ("request", "attempt")
            for phase in ("start", "stop", "exception")
        ] + [(*prefix, "request", "retry")]
    recorded = Capture()
    lock = threading.Lock()

    def record(name: EventName, meas: Mapping[str, float], meta: Mapping[str, Any], _: Any) -> None:
        with lock:
            recorded.events.append(CapturedEvent(name, dict(meas), dict(meta)))

    handler_id = f"weaviate_telemetry.capture.{next(_capture_seq)}"
    attach(handler_id, list(event_names), record)
    try:
        yield recorded
    finally:
        detach(handler_id)


# -- state: what a handler may sample at collection time ---------------------------------
#
# Some facts are states, not events: connections in a pool, endpoints resting.
# A client registers a bound method that reports them; metric handlers (e.g. the
# OpenTelemetry bridge's observable gauges) read :func:`states` when their reader
# collects. Held weakly, so a garbage-collected client stops reporting.

_state_sources: list[weakref.WeakMethod[Callable[[], Mapping[str, Any]]]] = []


def register_state(source: Callable[[], Mapping[str, Any]]) -> None:
    """Report ``source()`` (a bound method) from :func:`states` while its object lives."""
    with _lock:
        _state_sources.append(weakref.WeakMethod(source))


def states() -> list[Mapping[str, Any]]:
    """The current state of every live registered source (closed clients report nothing)."""
    with _lock:
        live = [(ref, ref()) for ref in _state_sources]
        _state_sources[:] = [ref for ref, fn in live if fn is not None]
    out = []
    for _, fn in live:
        if fn is not None:
            state = fn()
            if state:
                out.append(state)
    return out
