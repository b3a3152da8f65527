"""Tenants of a multi-tenant collection: ``collection.tenants.*``."""

from .._api.configure import TenantActivityStatus
from .._api.tenants import Tenant

__all__ = ["Tenant", "TenantActivityStatus"]
