"""Typed ``where`` filters with two renderings: GraphQL argument text and REST JSON.

Build filters from :class:`Filter`; every operator/value combination is
checked when the filter is built, before any I/O, and every string is
escaped when rendered, so no value can change a query's structure::

    import weaviate_telemetry as wt
    from datetime import datetime, timezone

    f = wt.Filter.all_of(
        wt.Filter.by_property("title").like("vector*"),
        wt.Filter.by_property("year").greater_than_equal(2020),
        wt.Filter.not_(wt.Filter.by_property("tags").contains_any(["draft", "spam"])),
        wt.Filter.by_creation_time().less_than(datetime(2026, 1, 1, tzinfo=timezone.utc)),
    )
    articles = client.collections.use("Article")
    articles.query.fetch_objects(filters=f)           # GraphQL rendering
    articles.data.delete_many(f, dry_run=True)        # REST rendering, f.to_rest()

``&``, ``|`` and ``~`` combine filters as ``all_of``, ``any_of`` and ``not_``.

Value types follow the Python value: ``str`` → text, ``bool`` → boolean,
``int`` → int, ``float`` → number, aware ``datetime`` → date,
``uuid.UUID`` → text (Weaviate filters uuid properties with text values),
:class:`GeoRange` → geo. The server checks the value type against the
property's data type, so pass a ``float`` for a ``number`` property
(``3.0``, not ``3``) and an ``int`` for an ``int`` property.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import uuid as _uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._core import validate as v
from .._core.errors import WeaviateError

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def gql_string(value: Any, what: str = "value") -> str:
    """A GraphQL string literal for ``value``; no content can escape the quotes.

    JSON string syntax is a subset of GraphQL's: control characters,
    quotes and backslashes are escaped; other characters travel as UTF-8.
    """
    return json.dumps(v.text(value, what), ensure_ascii=False)


def gql_float(value: float) -> str:
    """A GraphQL float literal (``repr`` of a finite float is valid GraphQL)."""
    return repr(float(value))


@dataclass(frozen=True, slots=True)
class GeoRange:
    """A circle on the globe: centre ``latitude``/``longitude`` and ``distance`` in metres."""

    latitude: float
    longitude: float
    distance: float

    def __post_init__(self) -> None:
        lat = v.number(self.latitude, "latitude")
        lon = v.number(self.longitude, "longitude")
        dist = v.number(self.distance, "distance")
        if not -90.0 <= lat <= 90.0:
            raise v.failure(f"latitude must be within -90..90, got {self.latitude!r}")
        if not -180.0 <= lon <= 180.0:
            raise v.failure(f"longitude must be within -180..180, got {self.longitude!r}")
        if dist <= 0:
            raise v.failure(f"distance must be a positive number of metres, got {self.distance!r}")
        object.__setattr__(self, "latitude", lat)
        object.__setattr__(self, "longitude", lon)
        object.__setattr__(self, "distance", dist)


# Weaviate's value field for each value type (GraphQL uses the same field
# for a list; REST has separate ``…Array`` fields).
_VALUE_FIELD = {
    "text": "valueText",
    "int": "valueInt",
    "number": "valueNumber",
    "boolean": "valueBoolean",
    "date": "valueDate",
    "geo": "valueGeoRange",
}


_LOGICAL = ("And", "Or", "Not")
_LEAF = (
    "Equal",
    "NotEqual",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Like",
    "IsNull",
    "ContainsAny",
    "ContainsAll",
    "ContainsNone",
    "WithinGeoRange",
)


def _is_text(value: Any) -> bool:
    try:
        v.text(value, "value")
    except WeaviateError:
        return False
    return True


def _is_finite(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value)


_VALUE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "text": _is_text,
    "date": _is_text,
    "int": lambda x: (
        isinstance(x, int) and not isinstance(x, bool) and _INT64_MIN <= x <= _INT64_MAX
    ),
    "number": _is_finite,
    "boolean": lambda x: isinstance(x, bool),
    "geo": lambda x: isinstance(x, GeoRange),
}


def _typed(value: Any, what: str) -> tuple[str, Any]:
    """(value type, normalised value) for one scalar filter value."""
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise v.failure(f"{what} {value} does not fit in a 64-bit integer")
        return "int", value
    if isinstance(value, float):
        return "number", v.number(value, what)
    if isinstance(value, str):
        return "text", v.text(value, what)
    if isinstance(value, _uuid.UUID):
        return "text", str(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise v.failure(
                f"{what} {v.show(value)} is a naive datetime: give it a timezone "
                "(e.g. tzinfo=timezone.utc) so the server reads the instant you mean"
            )
        return "date", value.isoformat()
    if isinstance(value, GeoRange):
        return "geo", value
    raise v.failure(
        f"unsupported {what} {v.show(value)} ({type(value).__name__}): expected str, int, "
        "float, bool, aware datetime, uuid.UUID or GeoRange"
    )


@dataclass(frozen=True, slots=True)
class Filter:
    """One node of a ``where`` filter: a condition on a path, or And/Or/Not of operands.

    Build with :meth:`by_property`, :meth:`by_id`, :meth:`by_creation_time`,
    :meth:`by_update_time`, :meth:`by_ref`, :meth:`all_of`, :meth:`any_of`
    and :meth:`not_`; render with :meth:`to_graphql` or :meth:`to_rest`.
    Instances are immutable and validated.
    """

    operator: str
    path: tuple[str, ...] = ()
    value_type: str | None = None
    value: Any = None
    operands: tuple[Filter, ...] = ()

    def __post_init__(self) -> None:
        # The entry points build valid nodes; this guards direct construction, since
        # the operator and value-field names are written into queries unquoted.
        if self.operator in _LOGICAL:
            if self.path or self.value_type is not None or self.value is not None:
                raise v.failure(f"{self.operator} takes operands only, not a path or value")
            if not isinstance(self.operands, tuple) or not all(
                isinstance(o, Filter) for o in self.operands
            ):
                raise v.failure(f"{self.operator} operands must be a tuple of Filters")
            if not self.operands or (self.operator == "Not" and len(self.operands) != 1):
                needs = "exactly one operand" if self.operator == "Not" else "operands"
                raise v.failure(f"{self.operator} needs {needs}")
            return
        if self.operator not in _LEAF:
            raise v.failure(
                f"unknown filter operator {self.operator!r}: expected one of "
                f"{', '.join((*_LEAF, *_LOGICAL))}"
            )
        if self.operands:
            raise v.failure(f"{self.operator} takes a path and a value, not operands")
        if (
            not isinstance(self.path, tuple)
            or not self.path
            or not all(isinstance(p, str) for p in self.path)
        ):
            raise v.failure(f"{self.operator} needs a non-empty tuple of path strings")
        if self.value_type not in _VALUE_FIELD:
            raise v.failure(
                f"unknown value type {self.value_type!r}: expected one of {', '.join(_VALUE_FIELD)}"
            )
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        for item in values:
            if not _VALUE_CHECKS[self.value_type](item):
                raise v.failure(f"{self.operator} value {v.show(item)} is not a {self.value_type}")

    # -- entry points -----------------------------------------------------------------

    @staticmethod
    def by_property(name: str, *, length: bool = False) -> FilterOn:
        """Conditions on property ``name`` (``length=True``: on its length, int values).

        Example: ``Filter.by_property("title").equal("Hello")``.
        """
        v.property_name(name)
        return FilterOn((f"len({name})",) if length else (name,), length=length)

    @staticmethod
    def by_id() -> FilterOn:
        """Conditions on the object id: ``Filter.by_id().contains_any([id1, id2])``."""
        return FilterOn(("_id",), kind="id")

    @staticmethod
    def by_creation_time() -> FilterOn:
        """Conditions on creation time (aware ``datetime`` or Unix milliseconds as int).

        Needs ``invertedIndexConfig.indexTimestamps`` on the collection.
        """
        return FilterOn(("_creationTimeUnix",), kind="time")

    @staticmethod
    def by_update_time() -> FilterOn:
        """Conditions on last-update time, like :meth:`by_creation_time`."""
        return FilterOn(("_lastUpdateTimeUnix",), kind="time")

    @staticmethod
    def by_ref(reference: str, target_collection: str, name: str) -> FilterOn:
        """Conditions on property ``name`` of objects referenced through ``reference``.

        Example: ``Filter.by_ref("writtenBy", "Author", "name").equal("Ada")``.
        """
        v.property_name(reference, "reference property name")
        v.collection_name(target_collection)
        v.property_name(name)
        return FilterOn((reference, target_collection, name))

    @staticmethod
    def all_of(*filters: Filter | Iterable[Filter]) -> Filter:
        """And: every operand must match (one operand is returned as is)."""
        return _combine("And", filters)

    @staticmethod
    def any_of(*filters: Filter | Iterable[Filter]) -> Filter:
        """Or: at least one operand must match (one operand is returned as is)."""
        return _combine("Or", filters)

    @staticmethod
    def not_(operand: Filter) -> Filter:
        """Not: the operand must not match (Weaviate's ``Not`` takes exactly one operand)."""
        if not isinstance(operand, Filter):
            raise v.failure(f"Filter.not_ needs a Filter, got {v.show(operand)}")
        return Filter("Not", operands=(operand,))

    def __and__(self, other: Filter) -> Filter:
        return Filter.all_of(self, other)

    def __or__(self, other: Filter) -> Filter:
        return Filter.any_of(self, other)

    def __invert__(self) -> Filter:
        return Filter.not_(self)

    # -- renderings -------------------------------------------------------------------

    def to_graphql(self) -> str:
        """GraphQL input-object text, e.g. ``{operator: Equal, path: ["a"], valueText: "x"}``."""
        if self.operands:
            inner = ", ".join(op.to_graphql() for op in self.operands)
            return f"{{operator: {self.operator}, operands: [{inner}]}}"
        path = ", ".join(gql_string(p, "path") for p in self.path)
        assert self.value_type is not None
        field = _VALUE_FIELD[self.value_type]
        return f"{{operator: {self.operator}, path: [{path}], {field}: {_gql_value(self)}}}"

    def to_rest(self) -> dict[str, Any]:
        """The REST ``WhereFilter`` JSON (e.g. for batch delete, ``DELETE /v1/batch/objects``)."""
        if self.operands:
            return {"operator": self.operator, "operands": [op.to_rest() for op in self.operands]}
        assert self.value_type is not None
        field = _VALUE_FIELD[self.value_type]
        value: Any = self.value
        if isinstance(value, GeoRange):
            value = _geo_dict(value)
        elif isinstance(value, tuple):
            field += "Array"
            value = list(value)
        return {"operator": self.operator, "path": list(self.path), field: value}

    def __str__(self) -> str:
        return self.to_graphql()


def _geo_dict(geo: GeoRange) -> dict[str, Any]:
    return {
        "geoCoordinates": {"latitude": geo.latitude, "longitude": geo.longitude},
        "distance": {"max": geo.distance},
    }


def _gql_scalar(value_type: str, value: Any) -> str:
    if value_type in ("text", "date"):
        return gql_string(value, "filter value")
    if value_type == "boolean":
        return "true" if value else "false"
    if value_type == "int":
        return str(int(value))
    return gql_float(value)


def _gql_value(node: Filter) -> str:
    value = node.value
    assert node.value_type is not None
    if isinstance(value, GeoRange):
        return (
            f"{{geoCoordinates: {{latitude: {gql_float(value.latitude)}, "
            f"longitude: {gql_float(value.longitude)}}}, "
            f"distance: {{max: {gql_float(value.distance)}}}}}"
        )
    if isinstance(value, tuple):
        return "[" + ", ".join(_gql_scalar(node.value_type, v) for v in value) + "]"
    return _gql_scalar(node.value_type, value)


def _combine(operator: str, filters: tuple[Filter | Iterable[Filter], ...]) -> Filter:
    flat: list[Filter] = []
    for item in filters:
        if isinstance(item, Filter):
            flat.append(item)
        elif isinstance(item, Iterable) and not isinstance(item, (str, bytes, Mapping)):
            for sub in item:
                if not isinstance(sub, Filter):
                    raise v.failure(f"{operator} operands must be Filters, got {v.show(sub)}")
                flat.append(sub)
        else:
            raise v.failure(f"{operator} operands must be Filters, got {v.show(item)}")
    if not flat:
        raise v.failure(f"{operator} needs at least one operand filter")
    # (a & b) & c is one And of three: same meaning, shallower query.
    flat = [sub for f in flat for sub in (f.operands if f.operator == operator else (f,))]
    if len(flat) == 1:
        return flat[0]
    return Filter(operator, operands=tuple(flat))


class FilterOn:
    """The left-hand side of a condition: a path waiting for an operator and a value."""

    __slots__ = ("_kind", "_length", "_path")

    def __init__(self, path: tuple[str, ...], *, length: bool = False, kind: str = "") -> None:
        self._path = path
        self._length = length
        self._kind = kind

    def __repr__(self) -> str:
        return f"FilterOn(path={list(self._path)!r})"

    def _scalar(self, operator: str, value: Any) -> tuple[str, Any]:
        what = f"{operator} value for {'/'.join(self._path)}"
        if self._kind == "id":
            return "text", v.object_id(value, what)
        if self._kind == "time":
            if isinstance(value, int) and not isinstance(value, bool):
                return "text", str(value)  # Unix milliseconds, as the server stores them
            if not isinstance(value, _dt.datetime):
                raise v.failure(f"{what} must be an aware datetime or Unix milliseconds (int)")
        value_type, normalised = _typed(value, what)
        if self._length and value_type != "int":
            raise v.failure(f"{what}: property length filters need an int value")
        if self._length and normalised < 0:
            raise v.failure(f"{what}: property length cannot be negative")
        if value_type == "geo":
            raise v.failure(f"{what}: a GeoRange needs within_geo_range()")
        return value_type, normalised

    def _compare(self, operator: str, value: Any) -> Filter:
        if isinstance(value, (list, tuple, set, frozenset)):
            raise v.failure(
                f"{operator} takes one value, got {v.show(value)}; "
                "use contains_any/contains_all/contains_none for several"
            )
        value_type, normalised = self._scalar(operator, value)
        if value_type == "boolean" and operator not in ("Equal", "NotEqual"):
            raise v.failure(f"{operator} cannot compare booleans; use equal/not_equal")
        return Filter(operator, self._path, value_type, normalised)

    def equal(self, value: Any) -> Filter:
        """``Equal``: exact match (text properties match per their tokenization)."""
        return self._compare("Equal", value)

    def not_equal(self, value: Any) -> Filter:
        """``NotEqual``."""
        return self._compare("NotEqual", value)

    def less_than(self, value: Any) -> Filter:
        """``LessThan``."""
        return self._compare("LessThan", value)

    def less_than_equal(self, value: Any) -> Filter:
        """``LessThanEqual``."""
        return self._compare("LessThanEqual", value)

    def greater_than(self, value: Any) -> Filter:
        """``GreaterThan``."""
        return self._compare("GreaterThan", value)

    def greater_than_equal(self, value: Any) -> Filter:
        """``GreaterThanEqual``."""
        return self._compare("GreaterThanEqual", value)

    def greater_or_equal(self, value: Any) -> Filter:
        """``GreaterThanEqual`` (the official v4 client's name for :meth:`greater_than_equal`)."""
        return self._compare("GreaterThanEqual", value)

    def less_or_equal(self, value: Any) -> Filter:
        """``LessThanEqual`` (the official v4 client's name for :meth:`less_than_equal`)."""
        return self._compare("LessThanEqual", value)

    def like(self, pattern: str) -> Filter:
        """``Like``: text wildcard match (``?`` one character, ``*`` any run)."""
        if self._kind or self._length or not isinstance(pattern, str):
            raise v.failure(
                f"Like on {'/'.join(self._path)} needs a text pattern (str), got {v.show(pattern)}"
            )
        return Filter("Like", self._path, "text", v.text(pattern, "Like pattern"))

    def is_null(self, is_null: bool = True) -> Filter:
        """``IsNull``: ``True`` matches objects without the property (needs ``indexNullState``)."""
        if not isinstance(is_null, bool):
            raise v.failure(f"IsNull needs a boolean value, got {v.show(is_null)}")
        if self._kind:
            raise v.failure(f"IsNull cannot be used on {'/'.join(self._path)}")
        return Filter("IsNull", self._path, "boolean", is_null)

    def within_geo_range(self, latitude: float, longitude: float, distance: float) -> Filter:
        """``WithinGeoRange``: a geoCoordinates property within ``distance`` metres."""
        if self._kind or self._length:
            raise v.failure(f"WithinGeoRange needs a geoCoordinates property, not {self._path[0]}")
        return Filter("WithinGeoRange", self._path, "geo", GeoRange(latitude, longitude, distance))

    def _contains(self, operator: str, values: Any) -> Filter:
        if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
            raise v.failure(f"{operator} needs a list of values, got {v.show(values)}")
        if self._length:
            raise v.failure(f"{operator} cannot be used on a property length")
        items = list(values)
        if not items:
            raise v.failure(f"{operator} needs at least one value")
        typed = [self._scalar(operator, v) for v in items]
        types = {t for t, _ in typed}
        if types == {"int", "number"}:  # mixed numbers widen to number
            typed = [("number", float(v)) for _, v in typed]
            types = {"number"}
        if len(types) != 1:
            raise v.failure(f"{operator} values must share one type, got {sorted(types)}")
        return Filter(operator, self._path, types.pop(), tuple(v for _, v in typed))

    def contains_any(self, values: Iterable[Any]) -> Filter:
        """``ContainsAny``: an array (or tokenized text) property holds at least one value."""
        return self._contains("ContainsAny", values)

    def contains_all(self, values: Iterable[Any]) -> Filter:
        """``ContainsAll``: the property holds every value."""
        return self._contains("ContainsAll", values)

    def contains_none(self, values: Iterable[Any]) -> Filter:
        """``ContainsNone``: the property holds none of the values."""
        return self._contains("ContainsNone", values)


def as_filter(where: Any) -> Filter:
    """Accept a :class:`Filter` (anything else is a ``validation_error``)."""
    if not isinstance(where, Filter):
        raise v.failure(
            f"where must be a weaviate_telemetry.Filter, got {v.show(where)}; "
            "build one with Filter.by_property(...)"
        )
    return where


def check_vector(vector: Any, what: str = "vector") -> tuple[float, ...]:
    """A non-empty sequence of finite numbers (lists, tuples, arrays with ``tolist``)."""
    checked = v.vector(vector, what)
    if checked is None:
        raise v.invalid(what, vector, "a non-empty list of numbers")
    return tuple(map(float, checked))


__all__ = ["Filter", "FilterOn", "GeoRange"]
