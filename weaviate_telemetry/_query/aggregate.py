"""Aggregation results, one family for ``collection.aggregate`` and ``client.query.aggregate``.

Both render a GraphQL ``Aggregate`` and parse its rows here, straight into the
v4-shaped :class:`AggregateReturn` / :class:`AggregateGroupByReturn`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._core.results import JsonResult
from .graphql import as_float, as_int

# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AggregateInteger(JsonResult):
    """Metrics of an ``int`` property (None where not asked for)."""

    count: int | None = None
    maximum: int | None = None
    mean: float | None = None
    median: float | None = None
    minimum: int | None = None
    mode: int | None = None
    sum_: int | None = None


@dataclass(frozen=True, slots=True)
class AggregateNumber(JsonResult):
    """Metrics of a ``number`` property (None where not asked for)."""

    count: int | None = None
    maximum: float | None = None
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    mode: float | None = None
    sum_: float | None = None


@dataclass(frozen=True, slots=True)
class TopOccurrence(JsonResult):
    """A frequent ``value`` of a text property and how often (``count``) it occurs."""

    count: int | None
    value: Any


@dataclass(frozen=True, slots=True)
class AggregateText(JsonResult):
    """Metrics of a ``text`` property."""

    count: int | None = None
    top_occurrences: tuple[TopOccurrence, ...] = ()


@dataclass(frozen=True, slots=True)
class AggregateBoolean(JsonResult):
    """Metrics of a ``boolean`` property."""

    count: int | None = None
    percentage_false: float | None = None
    percentage_true: float | None = None
    total_false: int | None = None
    total_true: int | None = None


@dataclass(frozen=True, slots=True)
class AggregateDate(JsonResult):
    """Metrics of a ``date`` property (RFC 3339 strings)."""

    count: int | None = None
    maximum: str | None = None
    median: str | None = None
    minimum: str | None = None
    mode: str | None = None


AggregateMetric = (
    AggregateInteger | AggregateNumber | AggregateText | AggregateBoolean | AggregateDate
)


@dataclass(frozen=True, slots=True)
class AggregateReturn(JsonResult):
    """An aggregation without grouping: ``total_count`` and metrics by property name."""

    properties: Mapping[str, AggregateMetric]
    total_count: int | None


@dataclass(frozen=True, slots=True)
class GroupedBy(JsonResult):
    """The property (``prop``) and ``value`` a group was formed by."""

    prop: str
    value: Any


@dataclass(frozen=True, slots=True)
class AggregateGroup(JsonResult):
    """One group of a grouped aggregation."""

    grouped_by: GroupedBy
    properties: Mapping[str, AggregateMetric]
    total_count: int | None


@dataclass(frozen=True, slots=True)
class AggregateGroupByReturn(JsonResult):
    """A grouped aggregation: one :class:`AggregateGroup` per value."""

    groups: tuple[AggregateGroup, ...] = field(default_factory=tuple)


# -- conversions --------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _convert(kind: str, m: Mapping[str, Any]) -> AggregateMetric:
    """One property's metrics, straight from its GraphQL answer object."""
    count = as_int(m.get("count"))
    if kind == "integer":
        return AggregateInteger(count, as_int(m.get("maximum")), as_float(m.get("mean")),
                                as_float(m.get("median")), as_int(m.get("minimum")),
                                as_int(m.get("mode")), as_int(m.get("sum")))  # fmt: skip
    if kind == "number":
        return AggregateNumber(count, as_float(m.get("maximum")), as_float(m.get("mean")),
                               as_float(m.get("median")), as_float(m.get("minimum")),
                               as_float(m.get("mode")), as_float(m.get("sum")))  # fmt: skip
    if kind == "boolean":
        return AggregateBoolean(count, as_float(m.get("percentageFalse")),
                                as_float(m.get("percentageTrue")), as_int(m.get("totalFalse")),
                                as_int(m.get("totalTrue")))  # fmt: skip
    if kind == "date":
        return AggregateDate(count, _str(m.get("maximum")), _str(m.get("median")),
                             _str(m.get("minimum")), _str(m.get("mode")))  # fmt: skip
    top = m.get("topOccurrences")
    occurrences = tuple(
        TopOccurrence(as_int(o.get("occurs")) or 0, o.get("value"))
        for o in (top if isinstance(top, list) else ())
        if isinstance(o, Mapping)
    )
    return AggregateText(count, occurrences)


def _properties(
    kinds: Sequence[tuple[str, str]], row: Mapping[str, Any]
) -> dict[str, AggregateMetric]:
    out: dict[str, AggregateMetric] = {}
    for prop, kind in kinds:
        data = row.get(prop)
        out[prop] = _convert(kind, data if isinstance(data, Mapping) else {})
    return out


def count_of(row: Mapping[str, Any]) -> int | None:
    """``meta { count }`` of one ``Aggregate`` row (None when not selected)."""
    meta = row.get("meta")
    return as_int(meta.get("count")) if isinstance(meta, Mapping) else None


def shaped(
    rows: Sequence[Mapping[str, Any]],
    grouped: bool,
    total_count: bool,
    kinds: Sequence[tuple[str, str]],
) -> AggregateReturn | AggregateGroupByReturn:
    """The GraphQL ``Aggregate`` rows as v4 results (no intermediate representation).

    ``kinds`` names each property asked for and its data type (``integer``,
    ``number``, ``text``, ``boolean``, ``date``), which picks its metrics class.
    """
    if grouped:
        groups = []
        for row in rows:
            by = row.get("groupedBy")
            path = by.get("path") if isinstance(by, Mapping) else None
            groups.append(
                AggregateGroup(
                    GroupedBy(
                        str(path[0]) if isinstance(path, list) and path else "",
                        by.get("value") if isinstance(by, Mapping) else None,
                    ),
                    _properties(kinds, row),
                    count_of(row) if total_count else None,
                )
            )
        return AggregateGroupByReturn(tuple(groups))
    row = rows[0] if rows else {}
    return AggregateReturn(_properties(kinds, row), (count_of(row) or 0) if total_count else None)
