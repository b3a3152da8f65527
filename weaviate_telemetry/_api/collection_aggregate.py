"""``collection.aggregate``: counts and property metrics in the official client v4's shape.

Each method is one logical call (``collection.aggregate.<method>``): the
``Aggregate`` builder renders the GraphQL document, and the answer goes
straight to :class:`AggregateReturn` / :class:`AggregateGroupByReturn`::

    stats = articles.aggregate.over_all(
        total_count=True,
        return_metrics=[Metrics("year").integer(minimum=True, maximum=True, mean=True)],
    )
    stats.total_count, stats.properties["year"].maximum
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, overload

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.effects import Steps
from .._core.models import Request, Response
from .._core.options import resolve
from .._query.aggregate import (
    AggregateGroupByReturn,
    AggregateReturn,
    count_of,
    shaped,
)
from .._query.builders import AggregateQuery
from .._query.filters import Filter
from .._query.graphql import answer_of, graphql_request, section
from .handle import HandleContext
from .operation import Async, M, Namespace, Sync

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

# -- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Metric:
    """What to aggregate of one property (built by :class:`Metrics`)."""

    property: str
    kind: str
    names: tuple[str, ...]
    top_occurrences: bool = False
    limit: int | None = None


def _chosen(flags: Mapping[str, bool]) -> tuple[str, ...]:
    for name, flag in flags.items():
        v.boolean(name, flag)
    wanted = tuple(name for name, flag in flags.items() if flag)
    return wanted or tuple(flags)  # nothing chosen means everything, as in v4


_GQL = {"sum_": "sum", "percentage_false": "percentageFalse", "percentage_true": "percentageTrue",
        "total_false": "totalFalse", "total_true": "totalTrue"}  # fmt: skip


class Metrics:
    """Property metrics for ``return_metrics=``: ``Metrics("year").integer(mean=True)``.

    Pick the method that matches the property's data type; with no
    keyword set, every metric of that type is returned.
    """

    def __init__(self, property_: str) -> None:
        self._property = v.property_name(property_)

    def _metric(self, kind: str, flags: Mapping[str, bool]) -> _Metric:
        return _Metric(self._property, kind, tuple(_GQL.get(n, n) for n in _chosen(flags)))

    def text(
        self,
        count: bool = False,
        top_occurrences_count: bool = False,
        top_occurrences_value: bool = False,
        limit: int | None = None,
    ) -> _Metric:
        """``count`` and the most frequent values (``limit`` of them)."""
        names = _chosen(
            {
                "count": count,
                "top_occurrences_count": top_occurrences_count,
                "top_occurrences_value": top_occurrences_value,
            }
        )
        if limit is not None:
            v.positive_int(limit, "limit", 10_000)
        return _Metric(
            self._property,
            "text",
            ("count",) if "count" in names else (),
            top_occurrences=any(n.startswith("top_") for n in names),
            limit=limit,
        )

    def integer(
        self,
        count: bool = False,
        maximum: bool = False,
        mean: bool = False,
        median: bool = False,
        minimum: bool = False,
        mode: bool = False,
        sum_: bool = False,
    ) -> _Metric:
        """Metrics of an ``int`` property."""
        flags = {"count": count, "maximum": maximum, "mean": mean, "median": median,
                 "minimum": minimum, "mode": mode, "sum_": sum_}  # fmt: skip
        return self._metric("integer", flags)

    def number(
        self,
        count: bool = False,
        maximum: bool = False,
        mean: bool = False,
        median: bool = False,
        minimum: bool = False,
        mode: bool = False,
        sum_: bool = False,
    ) -> _Metric:
        """Metrics of a ``number`` property."""
        flags = {"count": count, "maximum": maximum, "mean": mean, "median": median,
                 "minimum": minimum, "mode": mode, "sum_": sum_}  # fmt: skip
        return self._metric("number", flags)

    def boolean(
        self,
        count: bool = False,
        percentage_false: bool = False,
        percentage_true: bool = False,
        total_false: bool = False,
        total_true: bool = False,
    ) -> _Metric:
        """Metrics of a ``boolean`` property."""
        flags = {"count": count, "percentage_false": percentage_false,
                 "percentage_true": percentage_true, "total_false": total_false,
                 "total_true": total_true}  # fmt: skip
        return self._metric("boolean", flags)

    def date_(
        self,
        count: bool = False,
        maximum: bool = False,
        median: bool = False,
        minimum: bool = False,
        mode: bool = False,
    ) -> _Metric:
        """Metrics of a ``date`` property (values are RFC 3339 strings)."""
        flags = {"count": count, "maximum": maximum, "median": median, "minimum": minimum,
                 "mode": mode}  # fmt: skip
        return self._metric("date", flags)


@dataclass(frozen=True, slots=True)
class GroupByAggregate:
    """Aggregate per value of ``prop`` (``group_by=``); ``limit`` caps the number of groups."""

    prop: str
    limit: int | None = None


def _rows(response: Response, collection: str) -> list[Mapping[str, Any]]:
    rows = section(answer_of(response), "Aggregate", collection)
    return [r for r in rows if isinstance(r, Mapping)]


def _metrics(value: Any) -> tuple[_Metric, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, _Metric) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(m, _Metric) for m in items):
        raise v.invalid("return_metrics", value, "Metrics(...).<type>(...) or a list of them")
    return tuple(items)


# -- the namespace --------------------------------------------------------------------------


class AggregateOf(Namespace[M], Generic[M]):
    """``collection.aggregate``: ``over_all`` and ``near_vector`` (awaitables on AsyncClient)."""

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(run=ctx.run)
        self._ctx = ctx

    def _query(
        self,
        operation: str,
        filters: Filter | None,
        group_by: str | GroupByAggregate | None,
        total_count: bool,
        metrics: tuple[_Metric, ...],
    ) -> AggregateQuery[Any]:
        ctx = self._ctx
        query: AggregateQuery[Any] = AggregateQuery(_unsent, ctx.name)  # rendered only
        if ctx.tenant is not None:
            query = query.tenant(ctx.tenant)
        if filters is not None:
            query = query.where(filters)
        if v.boolean("total_count", total_count):
            query = query.meta_count()
        if group_by is not None:
            by = GroupByAggregate(group_by) if isinstance(group_by, str) else group_by
            if not isinstance(by, GroupByAggregate):
                raise v.invalid("group_by", group_by, "a property name or GroupByAggregate")
            query = query.group_by(by.prop)
            if by.limit is not None:
                query = query.limit(by.limit)
        for m in metrics:
            if m.names:
                query = query.metrics(m.property, *m.names)
            if m.top_occurrences:
                query = query.top_occurrences(m.property, limit=m.limit)
        return query

    def _aggregate(
        self,
        operation: str,
        query: AggregateQuery[Any],
        grouped: bool,
        total_count: bool,
        metrics: tuple[_Metric, ...],
        opts: RequestOptions | None,
    ) -> Any:
        """One GraphQL call; its answer goes straight to the v4 results."""
        ctx = self._ctx
        request = graphql_request(
            "collection.aggregate." + operation, {"query": query.to_graphql()}, ctx.name, ctx.tenant
        )
        return ctx.run(
            ctx.send(
                request,
                opts,
                lambda response: shaped(
                    _rows(response, ctx.name), grouped, total_count, _kinds(metrics)
                ),
            )
        )

    @overload
    def over_all(
        self: AggregateOf[Sync],
        *,
        filters: Filter | None = None,
        group_by: None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> AggregateReturn: ...
    @overload
    def over_all(
        self: AggregateOf[Async],
        *,
        filters: Filter | None = None,
        group_by: None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AggregateReturn]: ...
    @overload
    def over_all(
        self: AggregateOf[Sync],
        *,
        filters: Filter | None = None,
        group_by: str | GroupByAggregate,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> AggregateGroupByReturn: ...
    @overload
    def over_all(
        self: AggregateOf[Async],
        *,
        filters: Filter | None = None,
        group_by: str | GroupByAggregate,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AggregateGroupByReturn]: ...
    def over_all(
        self,
        *,
        filters: Filter | None = None,
        group_by: str | GroupByAggregate | None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Count and measure every (matching) object; :class:`AggregateReturn`, or
        :class:`AggregateGroupByReturn` with ``group_by``."""
        metrics = _metrics(return_metrics)
        query = self._query("over_all", filters, group_by, total_count, metrics)
        return self._aggregate(
            "over_all", query, group_by is not None, total_count, metrics,
            resolve(overrides),
        )  # fmt: skip

    @overload
    def near_vector(
        self: AggregateOf[Sync],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        object_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> AggregateReturn: ...
    @overload
    def near_vector(
        self: AggregateOf[Async],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        object_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AggregateReturn]: ...
    @overload
    def near_vector(
        self: AggregateOf[Sync],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        object_limit: int | None = None,
        filters: Filter | None = None,
        group_by: str | GroupByAggregate,
        target_vector: str | Sequence[str] | None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> AggregateGroupByReturn: ...
    @overload
    def near_vector(
        self: AggregateOf[Async],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        object_limit: int | None = None,
        filters: Filter | None = None,
        group_by: str | GroupByAggregate,
        target_vector: str | Sequence[str] | None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[AggregateGroupByReturn]: ...
    def near_vector(
        self,
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        object_limit: int | None = None,
        filters: Filter | None = None,
        group_by: str | GroupByAggregate | None = None,
        target_vector: str | Sequence[str] | None = None,
        total_count: bool = True,
        return_metrics: Any = None,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Aggregate the objects nearest to a vector (give ``object_limit`` or a distance)."""
        metrics = _metrics(return_metrics)
        query = self._query("near_vector", filters, group_by, total_count, metrics).near_vector(
            near_vector, distance=distance, certainty=certainty, target_vector=target_vector
        )
        if object_limit is not None:
            query = query.object_limit(object_limit)
        return self._aggregate(
            "near_vector", query, group_by is not None, total_count, metrics,
            resolve(overrides),
        )  # fmt: skip

    def count(self, opts: RequestOptions | None) -> Steps[int]:
        """``len(collection)``: how many objects (of the handle's tenant) are stored."""
        ctx = self._ctx
        query = AggregateQuery(_unsent, ctx.name).meta_count()
        if ctx.tenant is not None:
            query = query.tenant(ctx.tenant)
        request = graphql_request(
            "collection.len", {"query": query.to_graphql()}, ctx.name, ctx.tenant
        )
        return ctx.send(request, opts, lambda response: _count_of(_rows(response, ctx.name)))


def _unsent(request: Request, options: RequestOptions | None, parse: Any) -> Any:
    """The call of an ``AggregateQuery`` that is only rendered (the handle sends it)."""
    raise AssertionError("rendered only")  # pragma: no cover


def _count_of(rows: Sequence[Mapping[str, Any]]) -> int:
    return (count_of(rows[0]) or 0) if len(rows) == 1 else 0


def _kinds(metrics: Sequence[_Metric]) -> list[tuple[str, str]]:
    return [(m.property, m.kind) for m in metrics]
