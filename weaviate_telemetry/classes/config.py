"""Collection definitions: ``client.collections.create(...)``'s inputs."""

from .._api.configure import (
    Configure,
    ConsistencyLevel,
    DataType,
    ReferenceProperty,
    Tokenization,
    VectorDistances,
)
from .._api.schema import NamedVector, Property

__all__ = [
    "Configure",
    "ConsistencyLevel",
    "DataType",
    "NamedVector",
    "Property",
    "ReferenceProperty",
    "Tokenization",
    "VectorDistances",
]
