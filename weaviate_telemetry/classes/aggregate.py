"""Aggregation inputs: ``collection.aggregate.*``."""

from .._api.collection_aggregate import GroupByAggregate, Metrics

__all__ = ["GroupByAggregate", "Metrics"]
