"""The results of the data plane, by job, as the official client's ``weaviate.outputs``.

For annotations in user code: ``QueryReturn[Article]``, ``AggregateReturn`` …
(the handles' methods already return these types; mypy infers them).
"""

from . import aggregate, batch, cluster, config, data, query, tenants

__all__ = ["aggregate", "batch", "cluster", "config", "data", "query", "tenants"]
