"""One error taxonomy for every failure of every API call.

::

    Exception
     └── WeaviateError                 (kind: ErrorKind)
          ├── WeaviateConnectionError    (+ builtin ConnectionError)   connection_error
          ├── WeaviateTimeoutError       (+ builtin TimeoutError)      timeout
          ├── ValidationError    (+ builtin ValueError)        validation_error
          │    └── ConfigError                                       validation_error
          ├── BadRequestError                                        bad_request
          ├── UnauthorizedError                                      unauthorized
          ├── ForbiddenError                                         forbidden
          ├── NotFoundError                                          not_found
          ├── ConflictError                                          conflict
          ├── RateLimitedError                                       rate_limited
          ├── ServerError                                            server_error
          ├── UnavailableError                                       unavailable
          ├── GraphQLError                                           graphql_error
          └── ProtocolError                                          protocol_error

Names: ``<Kind>Error`` for every kind, except the two whose plain name would
shadow a builtin they also subclass (``ConnectionError``, ``TimeoutError``):
those carry the ``Weaviate`` prefix.

``WeaviateError.from_kind(kind, ...)`` builds the right subclass; the
transport and the API namespaces never instantiate subclasses by hand.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from .redact import redact_text


class ErrorKind(str, enum.Enum):
    """What went wrong, as a stable low-cardinality string (also the ``error.type``)."""

    CONNECTION_ERROR = "connection_error"
    TIMEOUT = "timeout"
    VALIDATION_ERROR = "validation_error"
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"
    GRAPHQL_ERROR = "graphql_error"
    PROTOCOL_ERROR = "protocol_error"

    def __str__(self) -> str:
        return self.value


_STATUS_KINDS: dict[int, ErrorKind] = {
    400: ErrorKind.BAD_REQUEST,
    401: ErrorKind.UNAUTHORIZED,
    403: ErrorKind.FORBIDDEN,
    404: ErrorKind.NOT_FOUND,
    409: ErrorKind.CONFLICT,
    422: ErrorKind.VALIDATION_ERROR,
    429: ErrorKind.RATE_LIMITED,
    502: ErrorKind.UNAVAILABLE,
    503: ErrorKind.UNAVAILABLE,
    504: ErrorKind.UNAVAILABLE,
}


def kind_for_status(status: int) -> ErrorKind:
    """Map a non-2xx HTTP status to its error kind."""
    kind = _STATUS_KINDS.get(status)
    if kind is not None:
        return kind
    if status >= 500:
        return ErrorKind.SERVER_ERROR
    if status >= 400:
        return ErrorKind.BAD_REQUEST
    return ErrorKind.PROTOCOL_ERROR


_DETAILS_CAP = 4096  # characters of a response body kept on an error
#: Characters of an error message kept (a server may answer with megabytes of text;
#: ``details`` keeps the start of the body, nothing keeps the rest).
MESSAGE_CAP = 8192
_REQUEST_ID_CAP = 256
_ITEMS_CAP = 100  # list items / mapping keys kept per level


class WeaviateError(Exception):
    """Base of every error the SDK raises; ``kind`` says which one.

    Attributes:
        kind: the :class:`ErrorKind`.
        message: the server's own message when it sent one, else ours.
        status_code: HTTP status, or None when no response arrived.
        details: parsed response body (size-capped), or None.
        method, path, url: the request (``url`` with credentials redacted).
        operation: the SDK operation, e.g. ``objects.get``.
        attempts: how many HTTP attempts were made (0 when none was).
        errors: earlier attempts' errors, oldest first.
        request_id: the server's request id header, when present.
        duration: seconds the whole call took, when known.
        hint: a short suggestion for a common cause, or None.
        retry_after: seconds the server asked to wait (``Retry-After``), or None.
        request_sent: False when the request certainly never reached the server
            (refused before any byte was sent), so repeating it is safe; else None.
        rpc_status: for a gRPC call, the status code name (e.g. ``UNAVAILABLE``,
            ``UNKNOWN``) the call ended with; None for HTTP calls.
    """

    retry_after: float | None = None
    request_sent: bool | None = None
    rpc_status: str | None = None

    kind: ClassVar[ErrorKind] = ErrorKind.SERVER_ERROR  # overridden per subclass
    _by_kind: ClassVar[dict[ErrorKind, type[WeaviateError]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # ConfigError shares validation_error with its parent; the parent stays the default.
        if "kind" in cls.__dict__ and cls.kind not in WeaviateError._by_kind:
            WeaviateError._by_kind[cls.kind] = cls

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        details: Any = None,
        method: str | None = None,
        path: str | None = None,
        url: str | None = None,
        operation: str | None = None,
        attempts: int = 0,
        errors: Sequence[WeaviateError] = (),
        request_id: str | None = None,
        duration: float | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = cap_text(message, MESSAGE_CAP)
        self.status_code = status_code
        self.details = _cap(details)
        self.method = method
        self.path = path
        self.url = url
        self.operation = operation
        self.attempts = attempts
        self.errors: tuple[WeaviateError, ...] = tuple(errors)
        self.request_id = None if request_id is None else cap_text(request_id, _REQUEST_ID_CAP)
        self.duration = duration
        self.hint = hint if hint is not None else _hint(self.kind, status_code, self.message)
        super().__init__(self.message)

    @staticmethod
    def from_kind(kind: ErrorKind, message: str, **fields: Any) -> WeaviateError:
        """Build the subclass registered for ``kind``."""
        cls = WeaviateError._by_kind.get(kind, WeaviateError)
        return cls(message, **fields)

    def __str__(self) -> str:
        parts = [self.kind.value]
        if self.status_code is not None:
            parts.append(str(self.status_code))
        elif self.rpc_status is not None:
            parts.append(self.rpc_status)
        if self.method and self.path:
            parts.append(f"{self.method} {self.path}")
        head = " ".join(parts)
        text = f"{head}: {_one_line(self.message)}"
        if self.attempts > 1:
            text += f" (after {self.attempts} attempts)"
        if self.hint:
            text += f" [hint: {self.hint}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind.value!r}, status_code={self.status_code!r}, "
            f"method={self.method!r}, path={self.path!r}, message={_one_line(self.message)!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[WeaviateError], message: str, state: dict[str, Any]) -> WeaviateError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


def _one_line(text: str) -> str:
    return " ".join(text.split())


def cap_text(text: str, cap: int) -> str:
    """``text`` scrubbed of secrets and cut to ``cap`` characters (saying how much was cut).

    Scrubbed before the cut (over a margin), so a secret that straddles the
    cut is never half shown.
    """
    if not isinstance(text, str):
        text = str(text)
    if len(text) <= cap:
        return redact_text(text)
    scrubbed = redact_text(text[: cap * 2])
    if len(scrubbed) <= cap:
        return scrubbed
    return f"{scrubbed[:cap]}… ({len(text) - cap} more characters cut)"


class Cause(Exception):
    """A stand-in for a library exception whose text may quote the server (or a secret):
    kept as ``__cause__`` with the original type name and redacted, capped text."""

    def __init__(self, exc: BaseException) -> None:
        self.type_name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        super().__init__(f"{self.type_name}: {cap_text(str(exc), MESSAGE_CAP)}")


def _cap(details: Any, depth: int = 0) -> Any:
    """Size-cap a response body and scrub secrets from every string in it."""
    if isinstance(details, (bytes, bytearray)):
        details = bytes(details[:_DETAILS_CAP]).decode("utf-8", "replace")
    if isinstance(details, str):
        return redact_text(details[:_DETAILS_CAP])
    if depth > 8:
        return "…"
    if isinstance(details, Mapping):
        items = list(details.items())[:_ITEMS_CAP]
        return {redact_text(str(k)[:_DETAILS_CAP]): _cap(v, depth + 1) for k, v in items}
    if isinstance(details, (list, tuple)):
        return [_cap(v, depth + 1) for v in details[:_ITEMS_CAP]]
    return details


def _hint(kind: ErrorKind, status: int | None, message: str) -> str | None:
    lowered = message.lower()
    if kind is ErrorKind.UNAUTHORIZED:
        return "check the API key (WEAVIATE_API_KEY) and that the server enables API-key auth"
    if kind is ErrorKind.FORBIDDEN:
        return "the key is valid but its user lacks permission for this action"
    if kind is ErrorKind.VALIDATION_ERROR and "vector" in lowered and "length" in lowered:
        return "vector dimension mismatch with the collection's existing vectors?"
    if kind is ErrorKind.CONNECTION_ERROR:
        return "is the server running and the URL (host/port/scheme) right?"
    if kind is ErrorKind.RATE_LIMITED:
        return "slow down or enable retries, which honour Retry-After"
    return None


#: A GraphQL query or aggregate of a collection the schema does not have, or a delete
#: from one (HTTP 500).
_UNKNOWN_COLLECTION = re.compile(
    r'Cannot query field "(?P<name>[^"]+)" on type "(?:Get|Aggregate)ObjectsObj"'
    r"|delete from non-existing index for (?P<deleted>\w+)"
)
COLLECTION_HINT = (
    "create it first (client.collections.create) or check the spelling: "
    "collection names start with a capital letter"
)
# What a server message says the caller got wrong, whatever the transport turned it into
# (a GraphQL error in a 200, an HTTP 500, a gRPC UNKNOWN). Lower-cased fragments; first
# match wins.
_CALLER_MISTAKES: tuple[tuple[ErrorKind, tuple[str, ...]], ...] = (
    (ErrorKind.NOT_FOUND, ("could not find class", "class not found")),
    (
        ErrorKind.VALIDATION_ERROR,
        (
            # a property the collection does not have (filter, sort, return, bm25)
            "no such prop",
            "cannot query field",
            "get property by name",
            "requires inverted index",
            "invalid 'sort' parameter",
            "invalid 'where' filter",
            # a vector of the wrong length
            "vector lengths don't match",
            "has a vector with length",
            "validate vector index",
            # a tenant where there are none, or none where one is needed
            "multi-tenancy disabled",
            "multi-tenancy enabled",
            'unknown argument "tenant"',
            # a value of the wrong type
            "invalid integer property",
            "invalid number property",
            "invalid text property",
            "invalid boolean property",
            "invalid date property",
        ),
    ),
)


def caller_mistake(
    kind: ErrorKind, message: str, operation: str | None
) -> tuple[ErrorKind, str, str | None] | None:
    """The kind, message and hint of a failure the caller caused, or None.

    The server reports the same mistake differently per path: an unknown property is a
    GraphQL error (HTTP 200) over REST and ``UNKNOWN`` over gRPC, a vector of the wrong
    length an HTTP 500 on insert. One mistake, one kind: ``not_found`` for a collection
    that does not exist, ``validation_error`` for the rest; the message says which
    operation the caller called.
    """
    if kind not in (
        ErrorKind.SERVER_ERROR,
        ErrorKind.GRAPHQL_ERROR,
        ErrorKind.BAD_REQUEST,
        ErrorKind.VALIDATION_ERROR,
        ErrorKind.NOT_FOUND,
    ):
        return None
    called = f" (in {operation})" if operation else ""
    if called and message.endswith(called):
        return None
    missing = _UNKNOWN_COLLECTION.search(message)
    if missing:
        return (
            ErrorKind.NOT_FOUND,
            f"collection {missing['name'] or missing['deleted']!r} does not exist{called}: "
            f"{message}",
            COLLECTION_HINT,
        )
    lowered = message.lower()
    for refined, fragments in _CALLER_MISTAKES:
        if any(f in lowered for f in fragments):
            hint = COLLECTION_HINT if refined is ErrorKind.NOT_FOUND else None
            return refined, f"{message}{called}", hint
    return None


def as_caller_mistake(err: WeaviateError, operation: str | None) -> WeaviateError:
    """``err``, or the same failure re-typed when the message shows a caller mistake."""
    found = caller_mistake(err.kind, err.message, operation)
    if found is None:
        return err
    kind, message, hint = found
    refined = WeaviateError.from_kind(
        kind,
        message,
        status_code=err.status_code,
        details=err.details,
        method=err.method,
        path=err.path,
        url=err.url,
        operation=err.operation,
        attempts=err.attempts,
        errors=err.errors,
        request_id=err.request_id,
        duration=err.duration,
        hint=hint,
    )
    refined.rpc_status = err.rpc_status
    refined.request_sent = err.request_sent
    refined.__cause__ = err.__cause__
    return refined


def message_from_body(body: Any) -> str | None:
    """Extract the server's own message from a Weaviate/GraphQL error body."""
    if isinstance(body, Mapping):
        for key in ("error", "errors"):
            items = body.get(key)
            if isinstance(items, list):
                texts = [
                    str(i.get("message"))
                    for i in items
                    if isinstance(i, Mapping) and i.get("message")
                ]
                if texts:
                    return "; ".join(texts)
            elif isinstance(items, str) and items:
                return items
        msg = body.get("message")
        if isinstance(msg, str) and msg:
            return msg
    elif isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return None


class WeaviateConnectionError(WeaviateError, ConnectionError):
    """The server could not be reached: DNS, refused, reset, TLS, pool closed."""

    kind = ErrorKind.CONNECTION_ERROR


class WeaviateTimeoutError(WeaviateError, TimeoutError):
    """A connect, read, pool-acquire or total deadline expired."""

    kind = ErrorKind.TIMEOUT


class ValidationError(WeaviateError, ValueError):
    """Bad input caught before any I/O, or an HTTP 422 answer."""

    kind = ErrorKind.VALIDATION_ERROR


class ConfigError(ValidationError):
    """An invalid configuration value; the message names the field and what is allowed."""

    kind = ErrorKind.VALIDATION_ERROR


class BadRequestError(WeaviateError):
    """HTTP 400: the server rejected the request as malformed."""

    kind = ErrorKind.BAD_REQUEST


class UnauthorizedError(WeaviateError):
    """HTTP 401: missing or wrong credentials."""

    kind = ErrorKind.UNAUTHORIZED


class ForbiddenError(WeaviateError):
    """HTTP 403: authenticated, but not allowed."""

    kind = ErrorKind.FORBIDDEN


class NotFoundError(WeaviateError):
    """HTTP 404 where absence is not a valid answer."""

    kind = ErrorKind.NOT_FOUND


class ConflictError(WeaviateError):
    """HTTP 409 or an already-exists answer."""

    kind = ErrorKind.CONFLICT


class RateLimitedError(WeaviateError):
    """HTTP 429; ``retry_after`` holds the server's advice in seconds when given."""

    kind = ErrorKind.RATE_LIMITED


class ServerError(WeaviateError):
    """HTTP 500 and other 5xx not classed as unavailable."""

    kind = ErrorKind.SERVER_ERROR


class UnavailableError(WeaviateError):
    """HTTP 502, 503 or 504: the server or a proxy in front of it is not serving."""

    kind = ErrorKind.UNAVAILABLE


class GraphQLError(WeaviateError):
    """HTTP 200 whose GraphQL body has ``errors``; ``details`` keeps any partial data."""

    kind = ErrorKind.GRAPHQL_ERROR


class ProtocolError(WeaviateError):
    """The response body could not be decoded or had an unexpected shape."""

    kind = ErrorKind.PROTOCOL_ERROR
