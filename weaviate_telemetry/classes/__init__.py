"""The inputs of the data plane, by job, as the official client's ``weaviate.classes``.

A v4 program ports by changing ``weaviate.classes`` to ``weaviate_telemetry.classes``::

    from weaviate_telemetry.classes.config import Configure, DataType, Property
    from weaviate_telemetry.classes.query import Filter, MetadataQuery
    import weaviate_telemetry.classes as wvc     # wvc.query.Filter, wvc.config.Property …
"""

from . import aggregate, config, data, init, query, tenants

__all__ = ["aggregate", "config", "data", "init", "query", "tenants"]
