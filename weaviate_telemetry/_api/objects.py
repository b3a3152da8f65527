"""``client.objects`` (the REST layer under ``collection.data``/``.query``): ``/v1/objects…``.

Single-object CRUD, listing, validation and references.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.models import (
    Call,
    Request,
    Response,
    beacon,
    found,
    ignore,
    json_object,
    query_params,
    quote_segment,
    unexpected,
)
from .._core.options import resolve
from .._core.results import JsonResult

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

_NOT_FOUND = frozenset({404})
INCLUDE_VALUES = ("vector", "classification", "interpretation", "featureProjection")
_OBJECT_TEMPLATE = "/v1/objects/{collection}/{id}"


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class WeaviateObject(JsonResult):
    """One stored object.

    ``vector`` is the default vector and ``vectors`` the named ones (both
    only when asked for with ``include_vector=True``); ``creation_time``
    and ``last_update_time`` are Unix milliseconds; ``additional`` holds
    any other ``_additional`` data; ``raw`` is the server's JSON.
    """

    id: str
    collection: str
    properties: Mapping[str, Any]
    vector: Sequence[float] | None = None
    vectors: Mapping[str, Any] | None = None
    tenant: str | None = None
    creation_time: int | None = None
    last_update_time: int | None = None
    additional: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WeaviateObject:
        vector = data.get("vector")
        vectors = data.get("vectors")
        additional = data.get("additional")
        props = data.get("properties")
        return cls(
            id=str(data.get("id", "")),
            collection=str(data.get("class", "")),
            properties=props if isinstance(props, Mapping) else {},
            vector=vector if isinstance(vector, list) and vector else None,
            vectors=vectors if isinstance(vectors, Mapping) and vectors else None,
            tenant=data.get("tenant") or None,
            creation_time=_opt_int(data.get("creationTimeUnix")),
            last_update_time=_opt_int(data.get("lastUpdateTimeUnix")),
            additional=additional if isinstance(additional, Mapping) and additional else None,
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class ObjectPage(JsonResult):
    """One page of :meth:`Objects.list`: the objects and the cursor for the next page.

    ``total_results`` is the number of objects on this page as the server
    counts them; ``next_after`` is the id of the last object (pass it as
    ``after=``), or None when the page is empty.
    """

    objects: tuple[WeaviateObject, ...]
    total_results: int
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def next_after(self) -> str | None:
        """The cursor for the next page (the last object's id)."""
        return self.objects[-1].id if self.objects else None

    def __iter__(self) -> Iterator[WeaviateObject]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)


def _include(include_vector: Any, include: Any) -> str | None:
    if not isinstance(include_vector, bool):
        raise v.invalid("include_vector", include_vector, "True or False")
    values: builtins.list[str] = []
    if include:
        items = [include] if isinstance(include, str) else include
        if not isinstance(items, (builtins.list, tuple, set, frozenset)):
            raise v.invalid("include", include, "names among " + ", ".join(INCLUDE_VALUES))
        values = [v.choice(i, "include", INCLUDE_VALUES) for i in items]
    if include_vector and "vector" not in values:
        values.append("vector")
    return ",".join(values) or None


def object_body(
    collection: str,
    properties: Any,
    id: Any,
    vector: Any,
    vectors: Any,
    tenant: Any,
) -> dict[str, Any]:
    """A validated REST object (``class``, ``id``, ``properties``, vectors, ``tenant``)."""
    body: dict[str, Any] = {
        "class": v.collection_name(collection),
        "id": v.object_id(id),
        "properties": v.properties(properties),
    }
    vec = v.vector(vector)
    if vec is not None:
        body["vector"] = vec
    named = v.named_vectors(vectors)
    if named is not None:
        body["vectors"] = named
    if tenant is not None:
        body["tenant"] = v.tenant_name(tenant)
    return body


def _object(response: Response) -> WeaviateObject:
    return WeaviateObject.from_dict(json_object(response))


def _object_or_none(response: Response) -> WeaviateObject | None:
    return None if response.status == 404 else _object(response)


def _page(response: Response) -> ObjectPage:
    body = json_object(response)
    objects = body.get("objects") or []
    if not isinstance(objects, builtins.list):
        raise unexpected("objects answer has no 'objects' list", response)
    total = body.get("totalResults")
    return ObjectPage(
        tuple(WeaviateObject.from_dict(o) for o in objects if isinstance(o, Mapping)),
        total if isinstance(total, int) else 0,  # the server omits a zero
        body,
    )


class Objects:
    """Read and write single objects (``client.objects``, the REST layer under the handles).

    Absent objects: :meth:`get` returns None and :meth:`exists` False;
    :meth:`delete` of an absent object succeeds (Weaviate answers 204 either
    way; a 404 from older servers is accepted too), so deleting is safe to
    repeat, also after a retried DELETE whose first answer was lost.
    :meth:`replace` (PUT), :meth:`update` (PATCH) and :meth:`add_reference`
    on a missing object raise ``not_found``.
    """

    def __init__(self, call: Call) -> None:
        self._call = call

    @staticmethod
    def _object_request(
        method: str, operation: str, collection: str, id: str, **fields: Any
    ) -> Request:
        return Request(
            method,
            f"/v1/objects/{quote_segment(collection)}/{id}",
            operation,
            path_template=_OBJECT_TEMPLATE,
            collection=collection,
            **fields,
        )

    def insert(
        self,
        collection: str,
        properties: Mapping[str, Any] | None = None,
        *,
        id: str | uuid.UUID | None = None,
        vector: Sequence[float] | None = None,
        vectors: Mapping[str, Any] | None = None,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> WeaviateObject:
        """Create one object and return it as stored.

        Without ``id`` the SDK assigns a random UUID (use
        :func:`generate_uuid5` for deterministic ids). An id that already
        exists raises ``validation_error`` (Weaviate answers 422); use
        :meth:`replace` to overwrite.

        Example::

            obj = client.objects.insert("Article", {"title": "Hi"}, vector=[0.1, 0.2])
        """
        v.something_to_store(properties, vector, vectors)
        body = object_body(
            collection, properties, uuid.uuid4() if id is None else id, vector, vectors, tenant
        )
        level = v.consistency(consistency_level)
        request = Request(
            "POST",
            "/v1/objects",
            "objects.insert",
            path_template="/v1/objects",
            params=query_params(consistency_level=level),
            body=body,
            collection=body["class"],
            tenant=tenant,
        )
        return self._call(request, resolve(overrides), _object)

    def get(
        self,
        collection: str,
        id: str | uuid.UUID,
        *,
        include_vector: bool = False,
        include: str | Sequence[str] = (),
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> WeaviateObject | None:
        """One object, or None when it does not exist (404 is an answer).

        ``include_vector=True`` returns the vector(s); ``include`` adds
        other ``_additional`` data (``classification``, ``interpretation``,
        ``featureProjection``).
        """
        collection = v.collection_name(collection)
        oid = v.object_id(id)
        tenant = v.optional_tenant(tenant)
        params = query_params(
            include=_include(include_vector, include),
            tenant=tenant,
            consistency_level=v.consistency(consistency_level),
        )
        request = self._object_request(
            "GET",
            "objects.get",
            collection,
            oid,
            params=params,
            tenant=tenant,
            ok_statuses=_NOT_FOUND,
        )
        return self._call(request, resolve(overrides), _object_or_none)

    def exists(
        self,
        collection: str,
        id: str | uuid.UUID,
        *,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> bool:
        """True when the object exists (``HEAD``; 404 is an answer: False)."""
        collection = v.collection_name(collection)
        oid = v.object_id(id)
        tenant = v.optional_tenant(tenant)
        params = query_params(tenant=tenant, consistency_level=v.consistency(consistency_level))
        request = self._object_request(
            "HEAD",
            "objects.exists",
            collection,
            oid,
            params=params,
            tenant=tenant,
            ok_statuses=_NOT_FOUND,
            decode=False,
        )
        return self._call(request, resolve(overrides), found)

    def replace(
        self,
        collection: str,
        id: str | uuid.UUID,
        properties: Mapping[str, Any] | None = None,
        *,
        vector: Sequence[float] | None = None,
        vectors: Mapping[str, Any] | None = None,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> WeaviateObject:
        """Overwrite an object's properties and vector(s) (``PUT``); returns it as stored.

        Properties and vectors not given are removed (a vectorizer module,
        when configured, computes the vector again). A missing object
        raises ``not_found``.
        """
        body = object_body(collection, properties, id, vector, vectors, tenant)
        level = v.consistency(consistency_level)
        request = self._object_request(
            "PUT",
            "objects.replace",
            body["class"],
            body["id"],
            params=query_params(consistency_level=level),
            body=body,
            tenant=tenant,
        )
        return self._call(request, resolve(overrides), _object)

    def update(
        self,
        collection: str,
        id: str | uuid.UUID,
        properties: Mapping[str, Any] | None = None,
        *,
        vector: Sequence[float] | None = None,
        vectors: Mapping[str, Any] | None = None,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Merge ``properties`` (and replace given vectors) into an object (``PATCH``).

        Properties not given keep their values. A missing object raises
        ``not_found``.
        """
        body = object_body(collection, properties, id, vector, vectors, tenant)
        level = v.consistency(consistency_level)
        request = self._object_request(
            "PATCH",
            "objects.update",
            body["class"],
            body["id"],
            params=query_params(consistency_level=level),
            body=body,
            tenant=tenant,
        )
        self._call(request, resolve(overrides), ignore)

    def delete(
        self,
        collection: str,
        id: str | uuid.UUID,
        *,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Delete one object; deleting one that does not exist is not an error."""
        collection = v.collection_name(collection)
        oid = v.object_id(id)
        tenant = v.optional_tenant(tenant)
        params = query_params(tenant=tenant, consistency_level=v.consistency(consistency_level))
        request = self._object_request(
            "DELETE",
            "objects.delete",
            collection,
            oid,
            params=params,
            tenant=tenant,
            ok_statuses=_NOT_FOUND,
        )
        self._call(request, resolve(overrides), ignore)

    def list(
        self,
        collection: str,
        *,
        limit: int | None = None,
        offset: int | None = None,
        after: str | uuid.UUID | None = None,
        sort: str | Sequence[str] | None = None,
        order: str | Sequence[str] | None = None,
        include_vector: bool = False,
        include: str | Sequence[str] = (),
        tenant: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> ObjectPage:
        """One page of a collection's objects (``GET /v1/objects?class=…``).

        Page with ``limit``/``offset``, or with the ``after`` cursor (the
        last id of the previous page, see :meth:`iterate`); ``after``
        cannot be combined with ``offset`` or ``sort``. ``sort`` names one
        or more properties and ``order`` gives ``asc``/``desc`` for each.
        """
        request = _list_request(
            collection, limit, offset, after, sort, order, include_vector, include, tenant
        )
        return self._call(request, resolve(overrides), _page)

    def iterate(
        self,
        collection: str,
        *,
        page_size: int = 100,
        include_vector: bool = False,
        tenant: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Iterator[WeaviateObject]:
        """Every object of a collection, fetched page by page with the ``after`` cursor.

        Objects arrive in id order; memory stays at one page. Writes made
        during iteration may or may not be seen.

        Example::

            for obj in client.objects.iterate("Article", page_size=500):
                ...
        """
        v.positive_int(page_size, "page_size", 10_000)
        collection = v.collection_name(collection)
        tenant = v.optional_tenant(tenant)
        if not isinstance(include_vector, bool):
            raise v.invalid("include_vector", include_vector, "True or False")
        opts = resolve(overrides)
        return self._pages(collection, page_size, include_vector, tenant, opts)

    def _pages(
        self,
        collection: str,
        page_size: int,
        include_vector: bool,
        tenant: str | None,
        opts: RequestOptions | None,
    ) -> Iterator[WeaviateObject]:
        after: str | None = None
        while True:
            request = _list_request(
                collection, page_size, None, after, None, None, include_vector, (), tenant
            )
            page = self._call(request, opts, _page)
            yield from page.objects
            if len(page.objects) < page_size:
                return
            after = page.next_after

    def validate(
        self,
        collection: str,
        properties: Mapping[str, Any] | None = None,
        *,
        id: str | uuid.UUID | None = None,
        vector: Sequence[float] | None = None,
        vectors: Mapping[str, Any] | None = None,
        tenant: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Ask the server whether an object would be accepted, without storing it.

        Returns None when valid; raises ``validation_error`` carrying the
        server's message (e.g. an unknown property or a wrong data type)
        when not.
        """
        body = object_body(
            collection, properties, uuid.uuid4() if id is None else id, vector, vectors, tenant
        )
        request = Request(
            "POST",
            "/v1/objects/validate",
            "objects.validate",
            path_template="/v1/objects/validate",
            body=body,
            collection=body["class"],
            tenant=tenant,
            idempotent=True,
        )
        self._call(request, resolve(overrides), ignore)

    def _reference(
        self,
        method: str,
        operation: str,
        collection: str,
        id: Any,
        prop: str,
        to: Any,
        to_collection: str | None,
        tenant: str | None,
        consistency_level: str | None,
    ) -> Request:
        collection = v.collection_name(collection)
        oid = v.object_id(id)
        prop = v.property_name(prop, "property")
        target = v.object_id(to, "to")
        if to_collection is not None:
            to_collection = v.collection_name(to_collection, "to_collection")
        tenant = v.optional_tenant(tenant)
        params = query_params(tenant=tenant, consistency_level=v.consistency(consistency_level))
        return Request(
            method,
            f"/v1/objects/{quote_segment(collection)}/{oid}/references/{prop}",
            operation,
            path_template="/v1/objects/{collection}/{id}/references/{property}",
            params=params,
            body={"beacon": beacon(to_collection, target)},
            collection=collection,
            tenant=tenant,
        )

    def add_reference(
        self,
        collection: str,
        id: str | uuid.UUID,
        property: str,
        to: str | uuid.UUID,
        *,
        to_collection: str | None = None,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Add a cross-reference from ``collection/id.property`` to object ``to``.

        Give ``to_collection`` for a multi-target reference property (and
        to be explicit). A missing source object raises ``not_found``.
        """
        request = self._reference(
            "POST",
            "objects.add_reference",
            collection,
            id,
            property,
            to,
            to_collection,
            tenant,
            consistency_level,
        )
        self._call(request, resolve(overrides), ignore)

    def delete_reference(
        self,
        collection: str,
        id: str | uuid.UUID,
        property: str,
        to: str | uuid.UUID,
        *,
        to_collection: str | None = None,
        tenant: str | None = None,
        consistency_level: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> None:
        """Remove one cross-reference.

        Removing a reference that is not there is answered inconsistently by
        the server (v1.39: success when other references remain, 500 when
        the property holds none), so do not rely on it being a no-op.
        """
        request = self._reference(
            "DELETE",
            "objects.delete_reference",
            collection,
            id,
            property,
            to,
            to_collection,
            tenant,
            consistency_level,
        )
        self._call(request, resolve(overrides), ignore)


def _names(value: Any, name: str, check: Any) -> builtins.list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (builtins.list, tuple)) or not items:
        raise v.invalid(name, value, "a name or a list of names")
    return [check(item, name) for item in items]


def _list_request(
    collection: str,
    limit: int | None,
    offset: int | None,
    after: str | uuid.UUID | None,
    sort: str | Sequence[str] | None,
    order: str | Sequence[str] | None,
    include_vector: bool,
    include: str | Sequence[str],
    tenant: str | None,
) -> Request:
    """The checked ``GET /v1/objects`` of one page (``list`` and ``iterate``'s pages)."""
    collection = v.collection_name(collection)
    tenant = v.optional_tenant(tenant)
    if limit is not None:
        v.positive_int(limit, "limit", 1_000_000)
    if offset is not None:
        v.non_negative_int(offset, "offset")
    after_id = None if after is None else v.object_id(after, "after")
    sorts = _names(sort, "sort", v.property_name)
    orders = _names(order, "order", lambda o, n: v.choice(o, n, ("asc", "desc")))
    if after_id is not None and (offset is not None or sorts):
        raise v.invalid("after", after, "no offset= or sort= together with after=")
    if orders and len(orders) != len(sorts):
        raise v.invalid("order", order, "one asc/desc per sort property")
    params = query_params(
        **{"class": collection},
        limit=limit,
        offset=offset,
        after=after_id,
        sort=",".join(sorts) or None,
        order=",".join(orders) or None,
        include=_include(include_vector, include),
        tenant=tenant,
    )
    request = Request(
        "GET",
        "/v1/objects",
        "objects.list",
        path_template="/v1/objects",
        params=params,
        collection=collection,
        tenant=tenant,
    )
    return request
