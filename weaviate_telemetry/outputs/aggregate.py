"""Aggregation results: what ``collection.aggregate.*`` returns."""

from .._api.collection_aggregate import (
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
