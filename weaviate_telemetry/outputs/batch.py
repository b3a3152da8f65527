"""Batch results: ``collection.batch`` contexts, ``delete_many``'s report, and what the
lower layer's imports (``client.batch.insert_objects`` / ``stream_objects`` /
``insert_references``) return and report as they go."""

from .._api.batch import (
    BatchDeleteItem,
    BatchDeleteResult,
    BatchFailure,
    BatchProgress,
    BatchResult,
)
from .._api.collection_batch import BatchContext

__all__ = [
    "BatchContext",
    "BatchDeleteItem",
    "BatchDeleteResult",
    "BatchFailure",
    "BatchProgress",
    "BatchResult",
]
