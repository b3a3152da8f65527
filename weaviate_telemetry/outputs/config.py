"""Collection definitions as the server stores them."""

from .._api.schema import CollectionConfig, Shard

__all__ = ["CollectionConfig", "Shard"]
