"""Write results: what ``collection.data.insert_many`` / ``reference_add_many`` return."""

from .._api.collection_data import (
    BatchObjectReturn,
    BatchReferenceReturn,
    ErrorObject,
    ErrorReference,
)

__all__ = ["BatchObjectReturn", "BatchReferenceReturn", "ErrorObject", "ErrorReference"]
