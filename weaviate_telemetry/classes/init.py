"""Connection inputs (also at the top level: ``weaviate_telemetry.Auth`` …)."""

from .._core.config import Config, RequestOptions, RetryPolicy, Timeouts
from .._core.credentials import Auth

__all__ = ["Auth", "Config", "RequestOptions", "RetryPolicy", "Timeouts"]
