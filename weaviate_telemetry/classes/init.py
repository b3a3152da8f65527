"""Connection inputs (also at the top level: ``weaviate_telemetry.Auth`` …).

``CallOverrides`` types a prepared set of per-call keywords, passed as ``**overrides``::

    steady: CallOverrides = {"timeout": 10, "idempotent": True}
    client.objects.get("Article", oid, **steady)
"""

from .._core.config import CallOverrides, Config, RetryPolicy, Timeouts
from .._core.credentials import Auth

__all__ = ["Auth", "CallOverrides", "Config", "RetryPolicy", "Timeouts"]
