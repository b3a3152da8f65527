"""Search results: what ``collection.query.*`` returns."""

from .._query.builders import GraphQLResult
from .._query.results import (
    Group,
    GroupByObject,
    GroupByReturn,
    MetadataReturn,
    Object,
    QueryReturn,
)

__all__ = [
    "GraphQLResult",
    "Group",
    "GroupByObject",
    "GroupByReturn",
    "MetadataReturn",
    "Object",
    "QueryReturn",
]
