"""Immutable request and response values passed between the layers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

from .config import RequestOptions, RetryPolicy, Timeouts
from .errors import ErrorKind, WeaviateError, cap_text

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

_V = TypeVar("_V")
_setattr = object.__setattr__


def evolve(value: _V, **changes: Any) -> _V:
    """A copy of a frozen, slotted dataclass with ``changes``: ``dataclasses.replace``, faster.

    Query builders copy themselves at every step and handles rename every
    request; ``replace`` re-runs ``__init__`` over all fields (about 5.6 us for
    a 16-field builder), this copies the slots (about 3 us). Only for classes
    whose fields are all plain ``__init__`` fields without ``__post_init__``
    (:class:`Request` and the builders; a test holds them to it).
    """
    cls = type(value)
    new = object.__new__(cls)
    for name in cls.__slots__:  # type: ignore[attr-defined]
        _setattr(new, name, changes.pop(name) if name in changes else getattr(value, name))
    if changes:
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(changes))}")
    return new


@dataclass(frozen=True, slots=True)
class RawResponse:
    """An HTTP answer as received, before decoding (what a transport hands back)."""

    status: int
    headers: Mapping[str, str]
    data: bytes


def merge_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``extra`` on top, names compared case-insensitively (RFC 9110).

    A per-call ``authorization`` then replaces the client's ``Authorization``
    instead of travelling beside it (servers read the first of two).
    """
    replaced = {name.lower() for name in extra}
    merged = {name: value for name, value in base.items() if name.lower() not in replaced}
    merged.update(extra)
    return merged


def quote_segment(value: str) -> str:
    """Percent-encode one path segment (a name or id chosen by the user)."""
    return quote(value, safe="")


def query_params(**params: Any) -> dict[str, Any] | None:
    """The non-None query parameters, or None when there are none."""
    kept = {k: v for k, v in params.items() if v is not None}
    return kept or None


def beacon(collection: str | None, object_id: str) -> str:
    """The ``weaviate://localhost/...`` URI that points at one object."""
    if collection is None:
        return f"weaviate://localhost/{object_id}"
    return f"weaviate://localhost/{collection}/{object_id}"


@dataclass(frozen=True, slots=True)
class RpcCall:
    """The gRPC form of a call: ``Weaviate/<method>`` with a request message.

    ``message`` is the protobuf request (built by the API layer from the
    generated stubs), ``reply`` the protobuf reply class (its ``FromString``
    decodes the answer) and ``read`` says whether the call only reads, so a
    ``DEADLINE_EXCEEDED`` may be retried. The pipeline sends a request that
    carries an ``rpc`` over gRPC instead of HTTP; the same attempt loop,
    retries, deadline and events apply, and ``parse`` gets a
    :class:`Response` whose ``body`` is the reply message.
    """

    method: str
    message: Any
    reply: Any
    read: bool

    @property
    def full_method(self) -> str:
        """``weaviate.v1.Weaviate/<method>`` (the ``rpc.method`` of telemetry)."""
        return f"weaviate.v1.Weaviate/{self.method}"


@dataclass(frozen=True, slots=True)
class Request:
    """One logical API call, before any HTTP attempt.

    ``path`` is the concrete path (below the base URL's prefix) and
    ``path_template`` its low-cardinality form for telemetry, e.g.
    ``/v1/objects/{collection}/{id}``. ``body`` is JSON-serialisable data
    or ready ``bytes``. ``ok_statuses`` lists non-2xx statuses that are an
    answer rather than an error for this call (e.g. 404 for ``exists``).

    ``outcome_facts`` is called (only when telemetry listens) with the
    call's result (what ``parse`` returned), or None when the call failed,
    and returns extra event metadata such as a batch's ``batch_size`` and
    ``objects_failed``, so the events count what the caller got.
    ``rpc`` makes this a gRPC call (see :class:`RpcCall`); ``method`` and
    ``path`` then name the RPC (``POST /weaviate.v1.Weaviate/Search``).
    ``probe`` marks a health probe (its events carry ``probe: True``, so a
    log handler can keep an expected refusal at DEBUG).
    """

    method: str
    path: str
    operation: str
    path_template: str | None = None
    params: Mapping[str, Any] | None = None
    body: Any = None
    headers: Mapping[str, str] | None = None
    timeouts: Timeouts | None = None
    retry: RetryPolicy | None = None
    idempotent: bool | None = None
    metadata: Mapping[str, Any] | None = None
    collection: str | None = None
    tenant: str | None = None
    ok_statuses: frozenset[int] = frozenset()
    raise_for_status: bool = True
    decode: bool = True
    outcome_facts: Callable[[Any], Mapping[str, Any]] | None = None
    rpc: RpcCall | None = None
    probe: bool = False

    def url_at(self, base_url: str) -> str:
        """The full URL of this request below ``base_url`` (None-valued params dropped)."""
        if not self.params:
            return base_url + self.path
        query = urlencode({k: v for k, v in self.params.items() if v is not None}, doseq=True)
        return f"{base_url}{self.path}?{query}" if query else base_url + self.path

    @property
    def graphql(self) -> bool:
        """True for GraphQL calls, whose 200 answers may still carry ``errors``."""
        return (self.path_template or self.path) == "/v1/graphql"

    @property
    def is_idempotent(self) -> bool:
        """Whether repeating this call is safe (explicit flag wins over the method)."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method in IDEMPOTENT_METHODS


@dataclass(frozen=True, slots=True)
class Response:
    """A received HTTP answer: status, headers, decoded body and call facts."""

    status: int
    headers: Mapping[str, str]
    body: Any
    raw: bytes
    url: str
    duration: float
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """True for 2xx statuses."""
        return 200 <= self.status < 300

    @property
    def request_id(self) -> str | None:
        """The server's or proxy's request id header, when present."""
        for name in ("x-request-id", "x-correlation-id", "request-id"):
            value = self.headers.get(name)
            if value:
                return cap_text(value, 256)  # a header may echo a credential
        return None

    def json(self) -> Any:
        """The decoded JSON body (None for an empty body)."""
        return self.body

    def text(self) -> str:
        """The body as text."""
        return self.raw.decode("utf-8", "replace")


T = TypeVar("T")


def as_response(response: Response) -> Response:
    """The ``parse`` step of a call that wants the :class:`Response` itself."""
    return response


def ignore(response: Response) -> None:
    """The ``parse`` step of a call whose answer carries nothing the caller needs."""
    return None


def found(response: Response) -> bool:
    """The ``parse`` step of an existence check whose 404 is the answer False."""
    return response.status != 404


def json_object(response: Response) -> Mapping[str, Any]:
    """The answer as a JSON object; any other shape is a ``protocol_error``."""
    body = response.body
    if not isinstance(body, Mapping):
        raise unexpected(f"expected a JSON object, got {type(body).__name__}", response)
    return body


def json_list(response: Response) -> list[Any]:
    """The answer as a JSON list; any other shape is a ``protocol_error``."""
    body = response.body
    if not isinstance(body, list):
        raise unexpected(f"expected a JSON list, got {type(body).__name__}", response)
    return body


def unexpected(message: str, response: Response | None = None) -> WeaviateError:
    """A ``protocol_error`` for an answer whose shape is not what Weaviate documents."""
    return WeaviateError.from_kind(
        ErrorKind.PROTOCOL_ERROR,
        message,
        status_code=None if response is None else response.status,
        details=None if response is None else response.body,
    )


class Call(Protocol):
    """How an API namespace runs a request: the client's pipeline with per-call options.

    ``parse`` turns the answer into the result and checks its shape; it runs
    inside the call's telemetry, so a malformed answer is recorded as a failure.
    """

    def __call__(
        self,
        request: Request,
        options: RequestOptions | None,
        parse: Callable[[Response], T],
    ) -> T: ...
