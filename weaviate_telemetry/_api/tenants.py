"""``client.tenants`` (the REST layer under ``collection.tenants``): tenants endpoints."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core import validate as v
from .._core.models import (
    Request,
    Response,
    found,
    ignore,
    json_list,
    json_object,
    quote_segment,
)
from .._core.options import resolve
from .._core.results import JsonResult
from .operation import Async, M, Namespace, Plan, Sync, operation

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

# Current names first; HOT/COLD/FROZEN are the older names the server still accepts
# (and maps to ACTIVE/INACTIVE/OFFLOADED).
ACTIVITY_STATUSES = ("ACTIVE", "INACTIVE", "OFFLOADED", "HOT", "COLD", "FROZEN")
_NOT_FOUND = frozenset({404})


@dataclass(frozen=True, slots=True)
class Tenant(JsonResult):
    """One tenant and its activity status as the server reports it.

    ``activity_status`` is one of ``ACTIVE``/``INACTIVE``/``OFFLOADED`` (or
    the transitional ``OFFLOADING``/``ONLOADING``); servers before 1.26
    use ``HOT``/``COLD``/``FROZEN``. ``active`` is True for ``ACTIVE``/``HOT``.
    """

    name: str
    activity_status: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def active(self) -> bool:
        """True when the tenant is queryable."""
        return self.activity_status in ("ACTIVE", "HOT")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tenant:
        status = data.get("activityStatus")
        return cls(str(data.get("name", "")), None if status is None else str(status), data)


def _status(value: Any) -> str:
    if isinstance(value, str) and value.upper() in ACTIVITY_STATUSES:
        return value.upper()
    raise v.invalid("activity_status", value, "one of " + ", ".join(ACTIVITY_STATUSES))


def _tenant_dicts(tenants: Any, activity_status: str | None) -> list[dict[str, Any]]:
    """Names, :class:`Tenant` values or dicts → the REST list, validated."""
    items: Iterable[Any]
    if isinstance(tenants, (str, Tenant, Mapping)):
        items = [tenants]
    elif isinstance(tenants, Iterable):
        items = list(tenants)
    else:
        raise v.invalid("tenants", tenants, "a tenant name, a Tenant, or an iterable of them")
    out: list[dict[str, Any]] = []
    for item in items:
        name: Any
        status: Any
        if isinstance(item, str):
            name, status = item, activity_status
        elif isinstance(item, Tenant):
            name, status = item.name, activity_status or item.activity_status
        elif isinstance(item, Mapping):
            name, status = item.get("name"), activity_status or item.get("activityStatus")
        else:
            raise v.invalid("tenants item", item, "a tenant name, a Tenant or a dict")
        entry: dict[str, Any] = {"name": v.tenant_name(name, "tenant name")}
        if status is not None:
            entry["activityStatus"] = _status(status)
        out.append(entry)
    if not out:
        raise v.invalid("tenants", tenants, "at least one tenant")
    return out


def _tenants(response: Response) -> list[Tenant]:
    return [Tenant.from_dict(t) for t in json_list(response) if isinstance(t, Mapping)]


def _tenant_or_none(response: Response) -> Tenant | None:
    return None if response.status == 404 else Tenant.from_dict(json_object(response))


class TenantsOf(Namespace[M]):
    """Manage tenants (``client.tenants``; ``collection.tenants`` is built on it).

    Absent tenants: :meth:`get` returns None and :meth:`exists` False;
    :meth:`remove` of an absent tenant succeeds (Weaviate ignores it). The
    same class serves both clients (:mod:`.operation`): on ``wt.AsyncClient``
    every method returns an awaitable.
    """

    __slots__ = ()

    @staticmethod
    def _request(
        method: str, operation: str, collection: str, tenant: str | None = None, **fields: Any
    ) -> Request:
        path = f"/v1/schema/{quote_segment(collection)}/tenants"
        template = "/v1/schema/{collection}/tenants"
        if tenant is not None:
            path += "/" + quote_segment(tenant)
            template += "/{tenant}"
        return Request(
            method,
            path,
            operation,
            path_template=template,
            collection=collection,
            tenant=tenant,
            **fields,
        )

    @operation
    def list(
        self,
        /,
        collection: str,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[builtins.list[Tenant]]:
        """Every tenant of ``collection`` with its activity status."""
        collection = v.collection_name(collection)
        return Plan(self._request("GET", "tenants.list", collection), resolve(overrides), _tenants)

    @operation
    def get(
        self,
        /,
        collection: str,
        name: str,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[Tenant | None]:
        """One tenant, or None when it does not exist (404 is an answer)."""
        collection = v.collection_name(collection)
        name = v.tenant_name(name, "name")
        request = self._request("GET", "tenants.get", collection, name, ok_statuses=_NOT_FOUND)
        return Plan(request, resolve(overrides), _tenant_or_none)

    @operation
    def exists(
        self,
        /,
        collection: str,
        name: str,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[bool]:
        """True when the tenant exists (``HEAD``; 404 is an answer: False)."""
        collection = v.collection_name(collection)
        name = v.tenant_name(name, "name")
        request = self._request(
            "HEAD", "tenants.exists", collection, name, ok_statuses=_NOT_FOUND, decode=False
        )
        return Plan(request, resolve(overrides), found)

    @operation
    def add(
        self,
        /,
        collection: str,
        tenants: str | Tenant | Iterable[str | Tenant],
        *,
        activity_status: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[builtins.list[Tenant]]:
        """Create tenants (names or :class:`Tenant` values); returns them as created.

        ``activity_status`` (``ACTIVE``/``INACTIVE``, or ``HOT``/``COLD``)
        applies to every tenant given by name. Adding an existing tenant is
        accepted by the server without change.
        """
        collection = v.collection_name(collection)
        body = _tenant_dicts(tenants, activity_status)
        return Plan(
            self._request("POST", "tenants.add", collection, body=body),
            resolve(overrides),
            lambda response: _tenant_list(response.body, body),
        )

    @operation
    def update(
        self,
        /,
        collection: str,
        tenants: str | Tenant | Iterable[str | Tenant],
        activity_status: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[builtins.list[Tenant]]:
        """Change activity status, e.g. ``update("Docs", "acme", "INACTIVE")``.

        Accepts ``ACTIVE``/``INACTIVE``/``OFFLOADED`` and the older
        ``HOT``/``COLD``/``FROZEN`` (case-insensitive); ``OFFLOADED`` needs
        an offload module on the server. Returns the tenants as the server
        reports them. An unknown tenant raises ``validation_error`` (422).
        """
        collection = v.collection_name(collection)
        body = _tenant_dicts(tenants, activity_status)
        missing = [t["name"] for t in body if "activityStatus" not in t]
        if missing:
            raise v.invalid("activity_status", None, f"a status for tenant(s) {missing}")
        return Plan(
            self._request("PUT", "tenants.update", collection, body=body),
            resolve(overrides),
            lambda response: _tenant_list(response.body, body),
        )

    @operation
    def remove(
        self,
        /,
        collection: str,
        names: str | Iterable[str],
        **overrides: Unpack[CallOverrides],
    ) -> Plan[None]:
        """Delete tenants and their data. Names that do not exist are ignored by the server."""
        collection = v.collection_name(collection)
        body = [t["name"] for t in _tenant_dicts(names, None)]
        return Plan(
            self._request("DELETE", "tenants.remove", collection, body=body),
            resolve(overrides),
            ignore,
        )


def _tenant_list(body: Any, sent: list[dict[str, Any]]) -> builtins.list[Tenant]:
    """The server's echo of the tenants, or what was sent when it answers without a body."""
    if isinstance(body, list):
        return [Tenant.from_dict(t) for t in body if isinstance(t, Mapping)]
    return [Tenant.from_dict(t) for t in sent]


#: ``client.tenants`` of ``wt.Client``; ``AsyncTenants`` is the same class for ``wt.AsyncClient``.
Tenants = TenantsOf[Sync]
AsyncTenants = TenantsOf[Async]
