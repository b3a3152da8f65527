"""Tenants as the server reports them."""

from .._api.configure import TenantActivityStatus
from .._api.tenants import Tenant

__all__ = ["Tenant", "TenantActivityStatus"]
