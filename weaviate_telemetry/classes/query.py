"""Search inputs: ``collection.query.*`` (filters, metadata, grouping, sorting)."""

from .._api.collection_aggregate import Metrics
from .._api.collection_query import GroupBy, MetadataQuery, Sort
from .._api.configure import HybridFusion
from .._query.filters import Filter, FilterOn, GeoRange

__all__ = [
    "Filter",
    "FilterOn",
    "GeoRange",
    "GroupBy",
    "HybridFusion",
    "MetadataQuery",
    "Metrics",
    "Sort",
]
