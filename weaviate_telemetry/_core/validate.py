"""One validation vocabulary: every input is checked by one rule, applied everywhere alike.

Each helper returns the normalised value or raises a ``validation_error``
(:class:`ValidationError`, or :class:`ConfigError` for configuration) whose
message is always ``invalid <name>=<value>: expected <what is allowed>``,
with secrets redacted. The rules mirror the server's own so that a call the
SDK lets through is not rejected for syntax by Weaviate, and runs before
any I/O. Config, the API namespaces and the query builders all use these.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, overload

from .errors import ErrorKind, ValidationError, WeaviateError
from .redact import redact_text

# Weaviate capitalises a lowercase first letter itself; we do the same, so the
# REST and GraphQL paths see one canonical name.
_COLLECTION = re.compile(r"^[A-Za-z][_0-9A-Za-z]{0,254}$")
_PROPERTY = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,230}$")
_TENANT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_VECTOR_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,230}$")
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


def number(value: Any, name: str) -> float:
    """A finite number (bools rejected), as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(name, value, "a finite number")
    result = float(value)
    if not math.isfinite(result):
        raise invalid(name, value, "a finite number")
    return result


def seconds(name: str, value: Any, error: type[ValidationError] = ValidationError) -> float:
    """A positive finite number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(name, value, "a positive finite number of seconds", error)
    result = float(value)
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
    if not isinstance(value, str) or not _COLLECTION.match(value):
        raise invalid(name, value, "a collection name: a letter, then letters, digits or _")
    return value[0].upper() + value[1:]


def property_name(value: Any, name: str = "property") -> str:
    """A property name: a letter or ``_``, then letters, digits or ``_``."""
    if not isinstance(value, str) or not _PROPERTY.match(value):
        raise invalid(name, value, "a property name: a letter or _, then letters, digits or _")
    return value


def tenant_name(value: Any, name: str = "tenant") -> str:
    """A tenant name: 1-64 letters, digits, ``-`` or ``_``."""
    if not isinstance(value, str) or not _TENANT.match(value):
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
    # Fast path for batch imports: C-level type scan, and a finite sum means
    # no element is inf/NaN. Anything unusual falls through to the exact check.
    if set(map(type, value)) <= _PLAIN_NUMBERS and math.isfinite(sum(value)):
        return list(value)
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
            raise invalid(name, value, "a non-empty list of finite numbers")
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
        if not isinstance(key, str) or not _VECTOR_NAME.match(key):
            raise invalid(f"{name} key", key, "a vector name (letters, digits, _)")
        if hasattr(vec, "tolist") and not isinstance(vec, (list, tuple)):
            vec = vec.tolist()
        if isinstance(vec, (list, tuple)) and vec and isinstance(vec[0], (list, tuple)):
            out[key] = [_number_list(v, f"{name}[{key!r}]") for v in vec]
        else:
            out[key] = _number_list(vec, f"{name}[{key!r}]")
    return out


def properties(value: Any, name: str = "properties") -> dict[str, Any]:
    """Object properties: a mapping with property-name keys (None means empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid(name, value, "a mapping of property name to value")
    for key in value:
        property_name(key, f"{name} key")
    return dict(value)


def positive_int(value: Any, name: str, high: int) -> int:
    """An integer in ``1..high``."""
    return int_in(name, value, 1, high)


def non_negative_int(value: Any, name: str) -> int:
    """An integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(name, value, "an integer >= 0")
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
