"""One validation vocabulary: every input is checked by one rule, applied everywhere alike.

Each helper returns the normalised value or raises a ``validation_error``
(:class:`ValidationError`, or :class:`ConfigError` for configuration) whose
message is always ``invalid <name>=<value>: expected <what is allowed>``,
with secrets redacted. The rules mirror the server's own so that a call the
SDK lets through is not rejected for syntax by Weaviate, and runs before
any I/O. Config, the API namespaces and the query builders all use these.
"""

from __future__ import annotations

import functools
import math
import re
import struct
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, overload

from .errors import ErrorKind, ValidationError, WeaviateError
from .redact import redact_text

# Weaviate capitalises a lowercase first letter itself; we do the same, so the
# REST and GraphQL paths see one canonical name.
# Every pattern is applied with ``fullmatch``: ``$`` alone would let a trailing
# newline through ("Art\n" would pass as a collection name).
_COLLECTION = re.compile(r"[A-Za-z][_0-9A-Za-z]{0,254}")
_PROPERTY = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,230}")
_TENANT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_VECTOR_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,230}")
#: An HTTP header name: an RFC 9110 token.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: A header value both HTTP/1.1 and gRPC metadata carry unchanged: printable ASCII.
_HEADER_VALUE = re.compile(r"[\x20-\x7e]*")

#: Headers the transport owns: hop-by-hop and message framing (RFC 9110 section 7.6.1, RFC 9112),
#: the content coding the SDK negotiates, and gRPC's reserved names. A caller's
#: ``Content-Length`` would desynchronise the pooled connection for the next call.
RESERVED_HEADERS = frozenset(
    {
        "accept-encoding",
        "connection",
        "content-encoding",
        "content-length",
        "expect",
        "host",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

#: The integer ranges of the wire types (protobuf and Weaviate's Go types).
INT32_MAX = 2**31 - 1
UINT32_MAX = 2**32 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: The largest finite float32: Weaviate stores vectors as float32 on every path.
FLOAT32_MAX = 3.4028234663852886e38
#: The magnitude from which a double rounds to float32 infinity (halfway to 2**128):
#: below it a value is stored as a finite float32.
FLOAT32_LIMIT = 3.4028235677973366e38
E = TypeVar("E", bound=ValidationError)
CONSISTENCY_LEVELS = ("ONE", "QUORUM", "ALL")


def show(value: Any) -> str:
    """A short, redacted ``repr`` of a rejected value."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return redact_text(text)


@overload
def invalid(name: str, value: Any, allowed: str) -> ValidationError: ...
@overload
def invalid(name: str, value: Any, allowed: str, error: type[E]) -> E: ...
def invalid(
    name: str, value: Any, allowed: str, error: type[ValidationError] = ValidationError
) -> ValidationError:
    """The error for argument ``name``: ``invalid name=value: expected allowed``."""
    return error(f"invalid {name}={show(value)}: expected {allowed}")


def failure(message: str) -> WeaviateError:
    """A ``validation_error`` about how arguments combine (not one value's shape)."""
    return WeaviateError.from_kind(ErrorKind.VALIDATION_ERROR, message)


def text(value: Any, name: str) -> str:
    """A str that can travel as UTF-8 (lone surrogates rejected)."""
    if not isinstance(value, str):
        raise invalid(name, value, "a str")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise invalid(
            name,
            value,
            f"text without lone surrogates (found {value[exc.start]!r} at index {exc.start})",
        ) from None
    return value


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an int beyond float's range
        return math.inf


def number(value: Any, name: str) -> float:
    """A finite number (bools rejected), as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(name, value, "a finite number")
    result = _float(value)
    if not math.isfinite(result):
        raise invalid(name, value, "a finite number")
    return result


def seconds(name: str, value: Any, error: type[ValidationError] = ValidationError) -> float:
    """A positive finite number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(name, value, "a positive finite number of seconds", error)
    result = _float(value)
    if not math.isfinite(result) or result <= 0:
        raise invalid(name, value, "a positive finite number of seconds", error)
    return result


def boolean(name: str, value: Any, error: type[ValidationError] = ValidationError) -> bool:
    """True or False (no truthy stand-ins)."""
    if not isinstance(value, bool):
        raise invalid(name, value, "True or False", error)
    return value


def int_in(
    name: str, value: Any, low: int, high: int, error: type[ValidationError] = ValidationError
) -> int:
    """An integer in ``low..high`` (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(name, value, f"an integer in {low}..{high}", error)
    return value


def collection_name(value: Any, name: str = "collection") -> str:
    """A collection (class) name: a letter, then letters, digits or ``_``.

    Returned capitalised, as Weaviate stores it (``article`` → ``Article``).
    """
    if not isinstance(value, str) or not _COLLECTION.fullmatch(value):
        raise invalid(name, value, "a collection name: a letter, then letters, digits or _")
    return value[0].upper() + value[1:]


@functools.lru_cache(maxsize=4096)
def _is_property_name(value: str) -> bool:
    """The name check, remembered: an import checks the same few names on every object."""
    return _PROPERTY.fullmatch(value) is not None


def property_name(value: Any, name: str = "property") -> str:
    """A property name: a letter or ``_``, then letters, digits or ``_``."""
    if not isinstance(value, str) or not _is_property_name(value):
        raise invalid(name, value, "a property name: a letter or _, then letters, digits or _")
    return value


def tenant_name(value: Any, name: str = "tenant") -> str:
    """A tenant name: 1-64 letters, digits, ``-`` or ``_``."""
    if not isinstance(value, str) or not _TENANT.fullmatch(value):
        raise invalid(name, value, "a tenant name of 1-64 letters, digits, - or _")
    return value


def optional_tenant(value: Any) -> str | None:
    """``tenant=`` keyword: None or a tenant name."""
    return None if value is None else tenant_name(value)


def consistency(value: Any) -> str | None:
    """``consistency_level=``: None, ``ONE``, ``QUORUM`` or ``ALL``."""
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in CONSISTENCY_LEVELS:
        raise invalid("consistency_level", value, "one of ONE, QUORUM, ALL")
    return value.upper()


def object_id(value: Any, name: str = "id") -> str:
    """A UUID (str or :class:`uuid.UUID`), returned in canonical lowercase form."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise invalid(name, value, "a UUID string or uuid.UUID")


_PLAIN_NUMBERS = frozenset({float, int})


def _number_list(value: Any, name: str) -> list[float]:
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()  # numpy arrays and the like
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise invalid(name, value, "a non-empty list of numbers")
    # Fast path for batch imports, C-level scans only: the types; a finite sum means
    # no element is inf/NaN; packing as float32 refuses a magnitude float32 cannot
    # hold. Anything unusual (a huge int, an overflow) takes the exact check below.
    if set(map(type, value)) <= _PLAIN_NUMBERS:
        try:
            if math.isfinite(sum(value)):
                struct.pack(f"<{len(value)}f", *value)
                return list(value)
        except OverflowError:
            pass
    for item in value:
        if (
            isinstance(item, bool)
            or not isinstance(item, (int, float))
            or not -FLOAT32_LIMIT < item < FLOAT32_LIMIT  # False for NaN, inf and huge ints
        ):
            raise invalid(
                name, value, "a non-empty list of finite numbers within float32 range (±3.4e38)"
            )
    return [float(x) for x in value]


def vector(value: Any, name: str = "vector") -> list[float] | None:
    """A single vector: a non-empty list/tuple/array of finite numbers, or None."""
    if value is None:
        return None
    return _number_list(value, name)


def named_vectors(value: Any, name: str = "vectors") -> dict[str, Any] | None:
    """Named vectors ``{name: vector}``; a value may also be a multi-vector (list of vectors)."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value:
        raise invalid(name, value, "a non-empty mapping of vector name to vector")
    out: dict[str, Any] = {}
    for key, vec in value.items():
        if not isinstance(key, str) or not _VECTOR_NAME.fullmatch(key):
            raise invalid(f"{name} key", key, "a vector name (letters, digits, _)")
        if hasattr(vec, "tolist") and not isinstance(vec, (list, tuple)):
            vec = vec.tolist()
        if isinstance(vec, (list, tuple)) and vec and isinstance(vec[0], (list, tuple)):
            out[key] = [_number_list(v, f"{name}[{key!r}]") for v in vec]
        else:
            out[key] = _number_list(vec, f"{name}[{key!r}]")
    return out


def properties(value: Any, name: str = "properties") -> dict[str, Any]:
    """Object properties: a mapping with property-name keys (None means empty).

    Every value is checked for what the wire carries: numbers finite (NaN and
    infinity have no JSON form, and Weaviate would drop the property), ints
    within int64, text encodable as UTF-8, nested keys strings.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid(name, value, "a mapping of property name to value")
    for key, item in value.items():
        property_name(key, f"{name} key")
        property_value(item, f"{name}[{key!r}]")
    return dict(value)


def something_to_store(properties: Any, *vectors: Any) -> None:
    """Refuse an insert with neither properties nor a vector (``insert(None)``): it would
    store an empty object, which is never what a caller passing None meant."""
    if properties is None and all(vec is None for vec in vectors):
        raise invalid(
            "properties", None, "a mapping of properties, or a vector (an empty object is {})"
        )


def property_value(value: Any, name: str, depth: int = 0) -> None:
    """Raise a ``validation_error`` for a value no wire format carries faithfully."""
    kind = type(value)
    if kind is str:
        if not value.isascii():
            text(value, name)
    elif kind is float or isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(name, value, "a finite number (NaN and infinity cannot be stored)")
    elif kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise invalid(name, value, f"an integer in {INT64_MIN}..{INT64_MAX} (int64)")
    elif kind is bool or value is None:
        return
    elif depth > 32:
        raise invalid(name, value, "values nested at most 32 levels deep")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise invalid(f"{name} key", key, "a str")
            text(key, f"{name} key")
            property_value(item, f"{name}[{key!r}]", depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            property_value(item, f"{name}[{index}]", depth + 1)
    elif isinstance(value, str):
        text(value, name)
    elif isinstance(value, int) and not isinstance(value, bool):
        property_value(int(value), name, depth)


def query_params(value: Any, name: str = "params") -> dict[str, Any] | None:
    """Query parameters: str keys; str/int/float/bool/None values or lists of them,
    text encodable as UTF-8 (None values are dropped when the URL is built)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise invalid(name, value, "a mapping of query parameters")
    scalars = (str, int, float, bool, type(None))
    for key, item in value.items():
        text(key, f"{name} key")
        items = item if isinstance(item, (list, tuple)) else (item,)
        for one in items:
            if not isinstance(one, scalars):
                raise invalid(f"{name}[{key!r}]", item, "str, int, float, bool or None (or a list)")
            if isinstance(one, str):
                text(one, f"{name}[{key!r}]")
    return dict(value)


def positive_int(value: Any, name: str, high: int) -> int:
    """An integer in ``1..high``."""
    return int_in(name, value, 1, high)


def non_negative_int(value: Any, name: str, high: int = INT64_MAX) -> int:
    """An integer in ``0..high`` (by default what an int64 query parameter carries)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise invalid(name, value, f"an integer in 0..{high}")
    return value


def choice(value: Any, name: str, allowed: Sequence[str]) -> str:
    """One of ``allowed`` (exact match)."""
    if not isinstance(value, str) or value not in allowed:
        raise invalid(name, value, "one of " + ", ".join(allowed))
    return value


def where_filter(value: Any, name: str = "where") -> dict[str, Any]:
    """A REST ``where`` filter: a dict with ``operator``, or any object with ``to_rest()``.

    Filter builders from ``client.query`` expose ``to_rest()`` (or
    ``to_dict()``) returning the same dict form Weaviate's REST API takes,
    e.g. ``{"path": ["title"], "operator": "Equal", "valueText": "x"}``.
    """
    for method in ("to_rest", "to_dict"):
        convert = getattr(value, method, None)
        if callable(convert) and not isinstance(value, Mapping):
            value = convert()
            break
    if not isinstance(value, Mapping) or not isinstance(value.get("operator"), str):
        raise invalid(name, value, "a REST filter dict with an 'operator' (or a filter object)")
    return dict(value)


def header_name(value: Any, name: str = "header name") -> str:
    """A header name that travels on both transports and is not the transport's own.

    An RFC 9110 token, not a hop-by-hop or framing header (``Content-Length``,
    ``Transfer-Encoding``, ``Connection``, ``Host`` …, see ``RESERVED_HEADERS``),
    not gRPC's reserved ``grpc-*`` or binary ``*-bin`` metadata.
    """
    if not isinstance(value, str) or not _HEADER_NAME.fullmatch(value):
        raise invalid(name, value, "a header name (RFC 9110 token)")
    lowered = value.lower()
    if lowered in RESERVED_HEADERS or lowered.startswith("grpc-") or lowered.endswith("-bin"):
        raise invalid(
            name,
            value,
            "a header the transport does not own (not hop-by-hop, framing, "
            "Accept-Encoding, grpc-* or *-bin)",
        )
    return value


def header_value(value: Any, name: str, secret: bool = False) -> str:
    """A header value of printable ASCII (what HTTP/1.1 and gRPC metadata both carry)."""
    if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
        shown = "***" if secret and isinstance(value, str) else value
        raise invalid(name, shown, "a str of printable ASCII (no CR, LF, NUL, tabs or non-ASCII)")
    return value
