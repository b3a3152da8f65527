"""Batch results: ``collection.batch`` contexts and ``delete_many``'s report."""

from .._api.batch import BatchDeleteItem, BatchDeleteResult
from .._api.collection_batch import BatchContext

__all__ = ["BatchContext", "BatchDeleteItem", "BatchDeleteResult"]
