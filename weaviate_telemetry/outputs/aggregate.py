"""Aggregation results: what ``collection.aggregate.*`` returns."""

from .._query.aggregate import (
    AggregateBoolean,
    AggregateDate,
    AggregateGroup,
    AggregateGroupByReturn,
    AggregateInteger,
    AggregateNumber,
    AggregateReturn,
    AggregateText,
    GroupedBy,
    TopOccurrence,
)

__all__ = [
    "AggregateBoolean",
    "AggregateDate",
    "AggregateGroup",
    "AggregateGroupByReturn",
    "AggregateInteger",
    "AggregateNumber",
    "AggregateReturn",
    "AggregateText",
    "GroupedBy",
    "TopOccurrence",
]
