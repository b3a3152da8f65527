"""``collection.query``: searches in the official client v4's shape.

Each method is one logical call (``collection.query.<method>`` in
telemetry): it checks its arguments into a :class:`GetSpec`, lets
:func:`plan` choose gRPC or GraphQL, and makes one pipeline call whose
answer is decoded straight into :class:`QueryReturn` (or
:class:`GroupByReturn` with ``group_by=``) holding :class:`Object` values
(docs/architecture.md, "The path of one search")::

    hits = articles.query.near_vector(
        [0.1, 0.2, 0.3],
        limit=5,
        filters=Filter.by_property("year").greater_than(2020),
        return_metadata=MetadataQuery(distance=True),
    )
    for o in hits.objects:
        print(o.uuid, o.properties["title"], o.metadata.distance)
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Generic, cast, overload

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.effects import Steps
from .._core.options import resolve
from .._query import spec as s
from .._query.filters import Filter, as_filter
from .._query.results import (
    DEFAULT_VECTOR,
    Group,
    GroupByObject,
    GroupByReturn,
    MetadataReturn,
    Object,
    P,
    QueryReturn,
    time_from_millis,
    vectors,
)
from .._query.search import over_grpc, plan
from .configure import HybridFusion, plain
from .handle import HandleContext
from .objects import Objects, WeaviateObject
from .operation import Async, M, Namespace, Sync, operation
from .schema import CollectionConfig, Property

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

__all__ = [
    "DEFAULT_VECTOR",
    "Group",
    "GroupBy",
    "GroupByObject",
    "GroupByReturn",
    "MetadataQuery",
    "MetadataReturn",
    "Object",
    "QueryReturn",
    "Sort",
]

# MetadataQuery field -> GraphQL ``_additional`` field.
_ADDITIONAL = {
    "creation_time": "creationTimeUnix",
    "last_update_time": "lastUpdateTimeUnix",
    "distance": "distance",
    "certainty": "certainty",
    "score": "score",
    "explain_score": "explainScore",
    "is_consistent": "isConsistent",
}
_PHONE = ["input", "internationalFormatted", "countryCode", "national", "nationalFormatted"]


# -- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetadataQuery:
    """Which metadata a query returns (``return_metadata=``); a list of names works too.

    Example: ``MetadataQuery(distance=True, creation_time=True)`` or
    ``return_metadata=["distance"]``.
    """

    creation_time: bool = False
    last_update_time: bool = False
    distance: bool = False
    certainty: bool = False
    score: bool = False
    explain_score: bool = False
    is_consistent: bool = False

    @classmethod
    def full(cls) -> MetadataQuery:
        """Every metadata field (``certainty`` only applies to cosine distance)."""
        return cls(**dict.fromkeys(_ADDITIONAL, True))


@dataclass(frozen=True, slots=True)
class GroupBy:
    """Group a vector search's hits by a property (``group_by=`` of the near_* searches)."""

    prop: str
    objects_per_group: int
    number_of_groups: int


@dataclass(frozen=True, slots=True)
class Sort:
    """Sort keys of ``fetch_objects``: ``Sort.by_property("year", ascending=False)``."""

    keys: tuple[tuple[str, bool], ...] = ()

    @staticmethod
    def by_property(name: str, ascending: bool = True) -> Sort:
        """Sort by a property."""
        return Sort().then_by_property(name, ascending)

    @staticmethod
    def by_id(ascending: bool = True) -> Sort:
        """Sort by object id."""
        return Sort(((("_id"), v.boolean("ascending", ascending)),))

    @staticmethod
    def by_creation_time(ascending: bool = True) -> Sort:
        """Sort by creation time."""
        return Sort((("_creationTimeUnix", v.boolean("ascending", ascending)),))

    def then_by_property(self, name: str, ascending: bool = True) -> Sort:
        """Add a sort key after the ones already given."""
        key = (v.property_name(name, "sort property"), v.boolean("ascending", ascending))
        return Sort((*self.keys, key))


# -- conversions --------------------------------------------------------------------------


def from_stored(obj: WeaviateObject) -> Object[Any]:
    """A REST object (``GET /v1/objects/…``) as an :class:`Object`."""
    props = {k: val for k, val in obj.properties.items() if not _is_reference(val)}
    return Object(
        uuid=_uuid.UUID(obj.id),
        properties=props,
        metadata=MetadataReturn(
            creation_time=time_from_millis(obj.creation_time),
            last_update_time=time_from_millis(obj.last_update_time),
        ),
        vector=vectors(obj.vector, obj.vectors),
        collection=obj.collection,
    )


def _is_reference(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(x, Mapping) and "beacon" in x for x in value)
    )


def schema_fields(properties: Sequence[Property]) -> list[Any]:
    """The GraphQL selection of every non-reference property (sub-fields included)."""
    out: list[Any] = []
    for prop in properties:
        types = prop.data_types
        kind = types[0] if len(types) == 1 else ""
        if not kind or kind[0].isupper() or kind == "blob":
            continue  # references (returned with references only) and blobs (large)
        if kind in ("object", "object[]"):
            nested = schema_fields(prop.nested_properties)
            if nested:
                out.append({prop.name: nested})
        elif kind == "geoCoordinates":
            out.append({prop.name: ["latitude", "longitude"]})
        elif kind == "phoneNumber":
            out.append({prop.name: _PHONE})
        else:
            out.append(prop.name)
    return out


def _vector_names(config: CollectionConfig) -> tuple[bool, tuple[str, ...]]:
    """(has an unnamed legacy vector, names of the named vectors)."""
    named = tuple(config.vectors or ())
    legacy = config.vectors is None or config.vector_index_type is not None
    return legacy, named


def _metadata_names(return_metadata: Any) -> tuple[str, ...]:
    if return_metadata is None:
        return ()
    if isinstance(return_metadata, MetadataQuery):
        return tuple(
            _ADDITIONAL[f.name] for f in fields(return_metadata) if getattr(return_metadata, f.name)
        )
    items = [return_metadata] if isinstance(return_metadata, str) else return_metadata
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise v.invalid("return_metadata", return_metadata, "a MetadataQuery or a list of names")
    return tuple(_ADDITIONAL[v.choice(i, "return_metadata", tuple(_ADDITIONAL))] for i in items)


# -- building the spec (pure) -------------------------------------------------------------


def _paged(
    limit: int | None, offset: int | None, auto_limit: int | None, filters: Filter | None
) -> dict[str, Any]:
    return {
        "where": None if filters is None else as_filter(filters),
        "limit": None if limit is None else s.count(limit, "limit", 1),
        "offset": None if offset is None else s.count(offset, "offset"),
        "autocut": None if auto_limit is None else s.count(auto_limit, "autocut", 1),
    }


def _grouping(group_by: GroupBy | None) -> tuple[str, int, int] | None:
    if group_by is None:
        return None
    if not isinstance(group_by, GroupBy):
        raise v.invalid("group_by", group_by, "a GroupBy(prop, objects_per_group, ...)")
    return (
        v.property_name(group_by.prop, "group_by property"),
        s.count(group_by.number_of_groups, "groups", 1),
        s.count(group_by.objects_per_group, "objects_per_group", 1),
    )


def _selection(return_properties: Any) -> tuple[Any, ...] | None:
    """The properties asked for (None: every non-reference property)."""
    if return_properties is None:
        return None
    if isinstance(return_properties, str):
        props: tuple[Any, ...] = (return_properties,)
    elif isinstance(return_properties, Sequence):
        props = tuple(return_properties)
    else:
        raise v.invalid(
            "return_properties", return_properties, "a property name, a list, or None (all)"
        )
    from .._query.graphql import render_fields

    render_fields(props)  # checked now, before any I/O
    return props


# -- the namespace --------------------------------------------------------------------------


class QueryOf(Namespace[M], Generic[M, P]):
    """``collection.query``: fetch, vector, keyword and hybrid searches.

    Each method checks its arguments into a :class:`GetSpec` (pure), lets
    :func:`plan` pick the request and the parser (pure) and makes one
    pipeline call; a schema read happens only when the search needs one
    (GraphQL without ``return_properties``, ``include_vector=True``, a
    consistency level).
    """

    def __init__(self, ctx: HandleContext) -> None:
        super().__init__(run=ctx.run)
        self._ctx = ctx

    def _search(
        self,
        operation: str,
        opts: RequestOptions | None,
        search: s.Search | None,
        paging: dict[str, Any],
        return_properties: Any,
        return_metadata: Any,
        include_vector: bool | str | Sequence[str],
        group_by: tuple[str, int, int] | None = None,
        sort: tuple[tuple[str, bool], ...] = (),
        after: str | None = None,
    ) -> Steps[Any]:
        """Check everything (before any I/O), read the schema if needed, send once."""
        ctx = self._ctx
        name = operation if operation == "iterator" else "query." + operation
        called = "collection." + name
        metadata: tuple[str, ...] = ("id", *_metadata_names(return_metadata))
        named: tuple[str, ...] = ()
        want_legacy = False
        if include_vector is True:
            want_legacy = True
        elif isinstance(include_vector, (str, list, tuple)):
            named = s.names(include_vector, "vector name")
        elif include_vector is not False:
            raise v.invalid("include_vector", include_vector, "True, False or vector name(s)")
        spec = s.GetSpec(
            ctx.name,
            properties=_selection(return_properties),
            metadata=metadata,
            vectors=named,
            search=search,
            sort=sort,
            after=after,
            tenant=ctx.tenant,
            group_by=group_by,
            **paging,
        )
        grpc = over_grpc(spec, ctx.rpc, None)
        changes: dict[str, Any] = {}
        if ctx.consistency_level is not None:
            # Weaviate's GraphQL has the argument only for replicated collections; with
            # one replica every read is consistent, so there is nothing to ask for.
            factor = ((yield from ctx.config(opts, called)).replication_config or {}).get(
                "factor", 1
            )
            if isinstance(factor, int) and factor > 1:
                changes["consistency_level"] = ctx.consistency_level
        if spec.properties is None and not grpc:
            # GraphQL must name what it returns; gRPC returns every non-reference property.
            changes["properties"] = tuple(
                schema_fields((yield from ctx.config(opts, called)).properties)
            )
        if want_legacy:
            config = yield from ctx.config(opts, called)
            legacy, all_named = _vector_names(config)
            changes["vectors"] = all_named
            if legacy:
                changes["metadata"] = (*metadata, "vector")
        if changes:
            spec = s.evolve_spec(spec, changes)
        request, parse = plan(spec, called, grpc)
        return (yield from ctx.send(request, opts, parse))

    @operation
    def fetch_objects(
        self,
        /,
        *,
        limit: int | None = None,
        offset: int | None = None,
        after: str | _uuid.UUID | None = None,
        filters: Filter | None = None,
        sort: Sort | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[QueryReturn[P]]:
        """Objects without a search: filtered, sorted, paged by ``offset`` or cursor ``after``."""
        opts = resolve(overrides)
        return self._fetch(
            "fetch_objects", opts, limit, offset, after, filters, sort, include_vector,
            return_metadata, return_properties,
        )  # fmt: skip

    def _fetch(
        self,
        operation: str,
        opts: RequestOptions | None,
        limit: int | None,
        offset: int | None,
        after: Any,
        filters: Filter | None,
        sort: Sort | None,
        include_vector: Any,
        return_metadata: Any,
        return_properties: Any,
    ) -> Steps[QueryReturn[P]]:
        if sort is not None and not isinstance(sort, Sort):
            raise v.invalid("sort", sort, "a Sort, e.g. Sort.by_property('year')")
        result: QueryReturn[P] = yield from self._search(
            operation,
            opts,
            None,
            _paged(limit, offset, None, filters),
            return_properties,
            return_metadata,
            include_vector,
            sort=() if sort is None else tuple(s.sort_key(p, up) for p, up in sort.keys),
            after=None if after is None else v.object_id(after, "after"),
        )
        return result

    @operation
    def fetch_object_by_id(
        self,
        /,
        uuid: str | _uuid.UUID,
        *,
        include_vector: bool = False,
        return_properties: str | Sequence[str] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[Object[P] | None]:
        """One object by id, or None when absent (all its vectors with ``include_vector``)."""
        ctx = self._ctx
        if not isinstance(include_vector, bool):
            raise v.invalid("include_vector", include_vector, "True or False")
        planned = ctx.plan_of(
            "query.fetch_object_by_id",
            lambda call: Objects(call).get(
                ctx.name,
                uuid,
                include_vector=include_vector,
                tenant=ctx.tenant,
                consistency_level=ctx.consistency_level,
                **overrides,
            ),
        )
        stored: WeaviateObject | None = yield from ctx.send_plan(planned)
        if stored is None:
            return None
        obj = from_stored(stored)
        if return_properties is not None:
            wanted = (
                {return_properties}
                if isinstance(return_properties, str)
                else set(return_properties)
            )
            obj = Object(
                obj.uuid,
                {k: val for k, val in obj.properties.items() if k in wanted},
                obj.metadata,
                obj.vector,
                obj.collection,
            )
        return cast("Object[P]", obj)

    @overload
    def near_vector(
        self: QueryOf[Sync, P],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> QueryReturn[P]: ...
    @overload
    def near_vector(
        self: QueryOf[Async, P],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[QueryReturn[P]]: ...
    @overload
    def near_vector(
        self: QueryOf[Sync, P],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> GroupByReturn[P]: ...
    @overload
    def near_vector(
        self: QueryOf[Async, P],
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[GroupByReturn[P]]: ...
    def near_vector(
        self,
        near_vector: Sequence[float],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy | None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Objects nearest to a vector (``target_vector`` names a named vector).

        Returns :class:`QueryReturn`, or :class:`GroupByReturn` with ``group_by``.
        """
        opts = resolve(overrides)
        search = s.near_vector(near_vector, distance, certainty, target_vector)
        return self._ctx.run(self._search(
            "near_vector", opts, search, _paged(limit, offset, auto_limit, filters),
            return_properties, return_metadata, include_vector, _grouping(group_by),
        ))  # fmt: skip

    @overload
    def near_object(
        self: QueryOf[Sync, P],
        near_object: str | _uuid.UUID,
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> QueryReturn[P]: ...
    @overload
    def near_object(
        self: QueryOf[Async, P],
        near_object: str | _uuid.UUID,
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[QueryReturn[P]]: ...
    @overload
    def near_object(
        self: QueryOf[Sync, P],
        near_object: str | _uuid.UUID,
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> GroupByReturn[P]: ...
    @overload
    def near_object(
        self: QueryOf[Async, P],
        near_object: str | _uuid.UUID,
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[GroupByReturn[P]]: ...
    def near_object(
        self,
        near_object: str | _uuid.UUID,
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy | None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Objects nearest to a stored object's vector (the object itself included)."""
        opts = resolve(overrides)
        search = s.near_object(near_object, distance, certainty, target_vector)
        return self._ctx.run(self._search(
            "near_object", opts, search, _paged(limit, offset, auto_limit, filters),
            return_properties, return_metadata, include_vector, _grouping(group_by),
        ))  # fmt: skip

    @overload
    def near_text(
        self: QueryOf[Sync, P],
        query: str | Sequence[str],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> QueryReturn[P]: ...
    @overload
    def near_text(
        self: QueryOf[Async, P],
        query: str | Sequence[str],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[QueryReturn[P]]: ...
    @overload
    def near_text(
        self: QueryOf[Sync, P],
        query: str | Sequence[str],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> GroupByReturn[P]: ...
    @overload
    def near_text(
        self: QueryOf[Async, P],
        query: str | Sequence[str],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Awaitable[GroupByReturn[P]]: ...
    def near_text(
        self,
        query: str | Sequence[str],
        *,
        certainty: float | None = None,
        distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        group_by: GroupBy | None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Any:
        """Objects nearest to text; needs a text vectorizer module on the server."""
        opts = resolve(overrides)
        search = s.near_text(query, distance, certainty, target_vector)
        return self._ctx.run(self._search(
            "near_text", opts, search, _paged(limit, offset, auto_limit, filters),
            return_properties, return_metadata, include_vector, _grouping(group_by),
        ))  # fmt: skip

    @operation
    def bm25(
        self,
        /,
        query: str,
        *,
        query_properties: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[QueryReturn[P]]:
        """Keyword (BM25) search; ``query_properties`` limits and boosts (``"title^2"``)."""
        opts = resolve(overrides)
        search = s.bm25(query, query_properties)
        result: QueryReturn[P] = yield from self._search(
            "bm25", opts, search, _paged(limit, offset, auto_limit, filters),
            return_properties, return_metadata, include_vector,
        )  # fmt: skip
        return result

    @operation
    def hybrid(
        self,
        /,
        query: str,
        *,
        alpha: float | None = None,
        vector: Sequence[float] | None = None,
        query_properties: Sequence[str] | None = None,
        fusion_type: HybridFusion | str | None = None,
        max_vector_distance: float | None = None,
        limit: int | None = None,
        offset: int | None = None,
        auto_limit: int | None = None,
        filters: Filter | None = None,
        target_vector: str | Sequence[str] | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Steps[QueryReturn[P]]:
        """Keyword and vector search fused (``alpha``: 1 = vector only, 0 = keyword only).

        Give ``vector`` unless the collection has a vectorizer module;
        ``fusion_type`` is ``HybridFusion.RANKED`` or ``HybridFusion.RELATIVE_SCORE``.
        """
        opts = resolve(overrides)
        search = s.hybrid(
            query, alpha, vector, plain(fusion_type), query_properties, target_vector,
            max_vector_distance,
        )  # fmt: skip
        result: QueryReturn[P] = yield from self._search(
            "hybrid", opts, search, _paged(limit, offset, auto_limit, filters),
            return_properties, return_metadata, include_vector,
        )  # fmt: skip
        return result

    def page(
        self,
        operation: str,
        page_size: int,
        after: _uuid.UUID | None,
        include_vector: Any,
        return_metadata: Any,
        return_properties: Any,
        opts: RequestOptions | None,
    ) -> Steps[QueryReturn[P]]:
        """One ``after``-cursor page of ``collection.iterator()`` (both clients page with it)."""
        return self._fetch(
            operation, opts, page_size, None, after, None, None, include_vector,
            return_metadata, return_properties,
        )  # fmt: skip
