"""Write inputs: ``collection.data.insert_many`` / ``reference_add_many`` items."""

from .._api.collection_data import DataObject, DataReference

__all__ = ["DataObject", "DataReference"]
