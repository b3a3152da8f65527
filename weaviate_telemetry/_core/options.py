"""Apply per-call :class:`RequestOptions` to a :class:`Request` value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import CallOverrides, RequestOptions, Timeouts
from .errors import ConfigError
from .models import Request, evolve, merge_headers

KEYWORDS = tuple(CallOverrides.__annotations__)
"""The per-call keywords: the fields of ``CallOverrides`` (timeout, retry, headers, …)."""


def with_options(request: Request, options: RequestOptions | None) -> Request:
    """A copy of ``request`` carrying the caller's overrides (None changes nothing)."""
    if options is None:
        return request
    changes: dict[str, Any] = {}
    if isinstance(options.timeout, Timeouts):
        changes["timeouts"] = options.timeout
    if options.retry is not None:
        changes["retry"] = options.retry
    if options.headers:
        changes["headers"] = merge_headers(request.headers or {}, options.headers)
    if options.idempotent is not None:
        changes["idempotent"] = options.idempotent
    if options.metadata:
        changes["metadata"] = {**(request.metadata or {}), **options.metadata}
    return evolve(request, **changes) if changes else request


def resolve(overrides: Mapping[str, Any]) -> RequestOptions | None:
    """The call's keyword overrides as one checked value, built once at the call's entry.

    ``None`` when the call has none (the client's settings apply unchanged). An
    unknown keyword is a :class:`ConfigError` naming the ones a call takes; so is
    ``options=`` (per-call options are keywords only: docs/architecture.md).
    """
    if not overrides:
        return None
    unknown = sorted(set(overrides) - set(KEYWORDS))
    if unknown:
        hint = (
            " (options= was removed: pass the overrides as keywords, e.g. timeout=5)"
            if "options" in unknown
            else ""
        )
        raise ConfigError(
            f"unknown request option(s) {', '.join(unknown)}{hint}: "
            f"a call takes {', '.join(k + '=' for k in KEYWORDS)}"
        )
    return RequestOptions(**overrides)


def checked(overrides: CallOverrides) -> CallOverrides:
    """``overrides`` once checked, kept as keywords for calls made later.

    A batch checks its keywords when it starts (a typo fails at ``dynamic()``, not at
    the first flush), then hands them to each chunk's call.
    """
    resolve(overrides)
    return overrides
