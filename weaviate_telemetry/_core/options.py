"""Apply per-call :class:`RequestOptions` to a :class:`Request` value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import RequestOptions, Timeouts
from .models import Request, evolve, merge_headers


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


def resolve(options: RequestOptions | None, overrides: Mapping[str, Any]) -> RequestOptions | None:
    """``options=`` merged with the same fields given as keywords."""
    return RequestOptions.resolve(options, overrides)
