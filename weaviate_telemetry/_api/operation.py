"""One namespace for both clients: a method builds its call once, the client's driver runs it.

A namespace method decorated with :class:`operation` validates its arguments
and returns a :class:`Plan` (the :class:`Request`, the caller's options and
the ``parse`` of the answer); reading the method from a namespace binds it to
the client's ``call``, which runs the plan on the sync pipeline (the method
returns ``T``) or the async one (it returns ``Awaitable[T]``). The namespace
says which in its type parameter, :class:`Sync` or :class:`Async`, so mypy
--strict sees the exact type on both clients (docs/async.md)::

    class Tenants(Namespace[M]):
        @operation
        def list(self, collection: str) -> Plan[list[Tenant]]:
            return Plan(Request("GET", ...), None, parse_tenants)

    client.tenants.list("Docs")            # wt.Client: list[Tenant]
    await aclient.tenants.list("Docs")     # wt.AsyncClient: Awaitable[list[Tenant]]
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from .._core.config import RequestOptions
from .._core.effects import Steps
from .._core.models import Call, Request, Response

P = ParamSpec("P")
T = TypeVar("T")


class Sync:
    """The mode of a sync client's namespace: its operations return their result."""


class Async:
    """The mode of an async client's namespace: its operations return an awaitable of it."""


M = TypeVar("M", Sync, Async)


@dataclass(frozen=True, slots=True)
class Plan(Generic[T]):
    """One call as a namespace builds it: what to send, the caller's options, how to parse."""

    request: Request
    options: RequestOptions | None
    parse: Callable[[Response], T]


class AsyncCall(Protocol):
    """:class:`Call` of the async client: runs a request and returns an awaitable of the result."""

    def __call__(
        self, request: Request, options: RequestOptions | None, parse: Callable[[Response], T]
    ) -> Awaitable[T]: ...


class Namespace(Generic[M]):
    """A namespace of either client: ``call`` runs a plan, ``run`` a method's pipeline steps
    (each returns ``T``, or an awaitable of it on the async client)."""

    __slots__ = ("_call", "_run")

    def __init__(
        self, call: Call | AsyncCall | None = None, run: Callable[[Steps[Any]], Any] | None = None
    ) -> None:
        self._call = call
        self._run = run


class operation(Generic[P, T]):
    """A namespace method written once (see the module docstring).

    The method returns a :class:`Plan` (one call) or pipeline steps (several
    calls and waits, e.g. ``health.wait_until_ready``), which the client's
    driver runs.
    """

    def __init__(self, build: Callable[Concatenate[Any, P], Plan[T] | Steps[T]]) -> None:
        self._build = build
        functools.update_wrapper(self, build)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> operation[P, T]: ...
    @overload
    def __get__(self, obj: Namespace[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Namespace[Async], owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Namespace[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        build, call, run = self._build, obj._call, obj._run

        @functools.wraps(build)
        def bound(*args: Any, **kwargs: Any) -> Any:
            planned = build(obj, *args, **kwargs)
            if type(planned) is Plan:
                assert call is not None
                return call(planned.request, planned.options, planned.parse)
            assert run is not None
            return run(planned)  # type: ignore[arg-type]

        return bound
