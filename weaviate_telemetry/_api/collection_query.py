"""``collection.query``: searches in the official client v4's shape.

Each method is one logical call (``collection.query.<method>`` in
telemetry) built on the ``Get`` query builder, so whichever transport the
builder uses serves it. Results are :class:`QueryReturn` (or
:class:`GroupByReturn` with ``group_by=``) holding :class:`Object` values::

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

import datetime as _dt
import uuid as _uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.options import resolve
from .._core.results import JsonResult
from .._query.builders import GetQuery, QueryMetadata, QueryObject, QueryResult
from .._query.filters import Filter
from .configure import DEFAULT_VECTOR, HybridFusion, plain
from .handle import HandleContext
from .objects import Objects, WeaviateObject
from .schema import CollectionConfig, Property

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


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetadataReturn(JsonResult):
    """An object's metadata; fields not asked for (``return_metadata=``) are None."""

    creation_time: _dt.datetime | None = None
    last_update_time: _dt.datetime | None = None
    distance: float | None = None
    certainty: float | None = None
    score: float | None = None
    explain_score: str | None = None
    is_consistent: bool | None = None


@dataclass(frozen=True, slots=True)
class Object(JsonResult):
    """One object: ``uuid``, ``properties``, ``metadata``, ``vector`` and ``collection``.

    ``vector`` maps vector names to vectors (``vector["default"]`` for a
    collection's one unnamed vector) and is empty unless asked for with
    ``include_vector=``.
    """

    uuid: _uuid.UUID
    properties: Mapping[str, Any]
    metadata: MetadataReturn
    vector: Mapping[str, Any]
    collection: str
    references: None = None


@dataclass(frozen=True, slots=True)
class QueryReturn(JsonResult):
    """The objects a query found, in the server's order."""

    objects: tuple[Object, ...]


@dataclass(frozen=True, slots=True)
class GroupByObject(JsonResult):
    """An :class:`Object` of a grouped search, with the group it ``belongs_to_group``."""

    uuid: _uuid.UUID
    properties: Mapping[str, Any]
    metadata: MetadataReturn
    vector: Mapping[str, Any]
    collection: str
    belongs_to_group: str
    references: None = None


@dataclass(frozen=True, slots=True)
class Group(JsonResult):
    """One group of a grouped search: its ``name`` (the property value) and ``objects``."""

    name: str
    min_distance: float | None
    max_distance: float | None
    number_of_objects: int
    objects: tuple[GroupByObject, ...]


@dataclass(frozen=True, slots=True)
class GroupByReturn(JsonResult):
    """A grouped search: every object (in group order) and the ``groups`` by name."""

    objects: tuple[GroupByObject, ...]
    groups: Mapping[str, Group] = field(default_factory=dict)


# -- conversions --------------------------------------------------------------------------


def _time(millis: int | None) -> _dt.datetime | None:
    if millis is None:
        return None
    return _dt.datetime.fromtimestamp(millis / 1000, tz=_dt.timezone.utc)


def _metadata(meta: QueryMetadata) -> MetadataReturn:
    consistent = meta.raw.get("isConsistent")
    return MetadataReturn(
        creation_time=_time(meta.creation_time),
        last_update_time=_time(meta.last_update_time),
        distance=meta.distance,
        certainty=meta.certainty,
        score=meta.score,
        explain_score=meta.explain_score,
        is_consistent=consistent if isinstance(consistent, bool) else None,
    )


def _vectors(default: Sequence[float] | None, named: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if default:
        out[DEFAULT_VECTOR] = list(default)
    for name, vec in (named or {}).items():
        if vec:
            out[name] = vec
    return out


def _object(hit: QueryObject, collection: str) -> Object:
    meta = hit.metadata
    return Object(
        uuid=_uuid.UUID(meta.id) if meta.id else _uuid.UUID(int=0),
        properties=hit.properties,
        metadata=_metadata(meta),
        vector=_vectors(meta.vector, meta.vectors),
        collection=collection,
    )


def _grouped(result: QueryResult, collection: str) -> GroupByReturn:
    groups: dict[str, Group] = {}
    everything: list[GroupByObject] = []
    for row in result.objects:
        raw = row.metadata.raw.get("group")
        if not isinstance(raw, Mapping):
            continue
        by = raw.get("groupedBy")
        name = str(by.get("value")) if isinstance(by, Mapping) else str(raw.get("id"))
        members = []
        for hit in raw.get("hits") or ():
            if isinstance(hit, Mapping):
                o = _object(QueryObject.from_dict(hit), collection)
                members.append(
                    GroupByObject(
                        o.uuid,
                        o.properties,
                        o.metadata,
                        o.vector,
                        collection,
                        belongs_to_group=name,
                    )
                )
        count = raw.get("count")
        groups[name] = Group(
            name=name,
            min_distance=_opt_float(raw.get("minDistance")),
            max_distance=_opt_float(raw.get("maxDistance")),
            number_of_objects=count if isinstance(count, int) else len(members),
            objects=tuple(members),
        )
        everything += members
    return GroupByReturn(tuple(everything), groups)


def _opt_float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def from_stored(obj: WeaviateObject) -> Object:
    """A REST object (``GET /v1/objects/…``) as an :class:`Object`."""
    props = {k: val for k, val in obj.properties.items() if not _is_reference(val)}
    return Object(
        uuid=_uuid.UUID(obj.id),
        properties=props,
        metadata=MetadataReturn(
            creation_time=_time(obj.creation_time), last_update_time=_time(obj.last_update_time)
        ),
        vector=_vectors(obj.vector, obj.vectors),
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


# -- the namespace --------------------------------------------------------------------------


class _QueryCollection:
    """``collection.query``: fetch, vector, keyword and hybrid searches."""

    def __init__(self, ctx: HandleContext) -> None:
        self._ctx = ctx

    def _select(
        self,
        operation: str,
        opts: RequestOptions | None,
        return_properties: Any,
        return_metadata: Any,
        include_vector: bool | str | Sequence[str],
        refine: Callable[[GetQuery], GetQuery],
        group_by: GroupBy | None = None,
    ) -> GetQuery:
        """The query with its search and paging (``refine``, checked first, before any
        I/O), then the selection; the schema is read (once) only when needed."""
        ctx = self._ctx
        name = operation if operation == "iterator" else "query." + operation
        call = ctx.op(name)
        called = "collection." + name
        query = refine(GetQuery(call, ctx.name, _rpc=ctx.rpc))
        if group_by is not None:
            if not isinstance(group_by, GroupBy):
                raise v.invalid("group_by", group_by, "a GroupBy(prop, objects_per_group, ...)")
            query = query.group_by(
                group_by.prop,
                groups=group_by.number_of_groups,
                objects_per_group=group_by.objects_per_group,
            )
        if ctx.tenant is not None:
            query = query.tenant(ctx.tenant)
        config: CollectionConfig | None = None
        if ctx.consistency_level is not None:
            # Weaviate's GraphQL has the argument only for replicated collections; with
            # one replica every read is consistent, so there is nothing to ask for.
            config = ctx.config(opts, called)
            factor = (config.replication_config or {}).get("factor", 1)
            if isinstance(factor, int) and factor > 1:
                query = query.consistency_level(ctx.consistency_level)
        if return_properties is None:
            config = ctx.config(opts, called)
            props: Sequence[Any] = schema_fields(config.properties)
        elif isinstance(return_properties, str):
            props = [return_properties]
        elif isinstance(return_properties, Sequence):
            props = list(return_properties)
        else:
            raise v.invalid(
                "return_properties", return_properties, "a property name, a list, or None (all)"
            )
        if props:
            query = query.fields(*props)
        extra = ("id", *_metadata_names(return_metadata))
        named: Sequence[str] = ()
        if include_vector is True:
            legacy, named = _vector_names(config or ctx.config(opts, called))
            if legacy:
                extra += ("vector",)
        elif isinstance(include_vector, (str, list, tuple)):
            named = [include_vector] if isinstance(include_vector, str) else list(include_vector)
        elif include_vector is not False:
            raise v.invalid("include_vector", include_vector, "True, False or vector name(s)")
        return query.additional(*extra, vectors=named)

    @staticmethod
    def _page(
        query: GetQuery,
        limit: int | None,
        offset: int | None,
        auto_limit: int | None,
        filters: Filter | None,
    ) -> GetQuery:
        if filters is not None:
            query = query.where(filters)
        if limit is not None:
            query = query.limit(limit)
        if offset is not None:
            query = query.offset(offset)
        if auto_limit is not None:
            query = query.autocut(auto_limit)
        return query

    def _run(self, query: GetQuery, group_by: GroupBy | None, opts: RequestOptions | None) -> Any:
        """Send ``query`` (its group-by applied by :meth:`_select`); the v4 shape is built
        inside the call's telemetry, so an answer it cannot take fails the call's span."""
        name = self._ctx.name
        if group_by is not None:
            return query._do_into(lambda result: _grouped(result, name), options=opts)
        return query._do_into(
            lambda result: QueryReturn(tuple(_object(o, name) for o in result.objects)),
            options=opts,
        )

    def fetch_objects(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        after: str | _uuid.UUID | None = None,
        filters: Filter | None = None,
        sort: Sort | None = None,
        include_vector: bool | str | Sequence[str] = False,
        return_metadata: MetadataQuery | Sequence[str] | None = None,
        return_properties: str | Sequence[Any] | None = None,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> QueryReturn:
        """Objects without a search: filtered, sorted, paged by ``offset`` or cursor ``after``."""
        opts = resolve(options, overrides)
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
    ) -> QueryReturn:
        if sort is not None and not isinstance(sort, Sort):
            raise v.invalid("sort", sort, "a Sort, e.g. Sort.by_property('year')")

        def refine(query: GetQuery) -> GetQuery:
            query = self._page(query, limit, offset, None, filters)
            if after is not None:
                query = query.after(after)
            for path, ascending in () if sort is None else sort.keys:
                query = query.sort(path, ascending=ascending)
            return query

        query = self._select(
            operation, opts, return_properties, return_metadata, include_vector, refine
        )
        result: QueryReturn = self._run(query, None, opts)
        return result

    def fetch_object_by_id(
        self,
        uuid: str | _uuid.UUID,
        *,
        include_vector: bool = False,
        return_properties: str | Sequence[str] | None = None,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> Object | None:
        """One object by id, or None when absent (all its vectors with ``include_vector``)."""
        ctx = self._ctx
        if not isinstance(include_vector, bool):
            raise v.invalid("include_vector", include_vector, "True or False")
        stored = Objects(ctx.op("query.fetch_object_by_id")).get(
            ctx.name,
            uuid,
            include_vector=include_vector,
            tenant=ctx.tenant,
            consistency_level=ctx.consistency_level,
            options=resolve(options, overrides),
        )
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
        return obj

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
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> Any:
        """Objects nearest to a vector (``target_vector`` names a named vector).

        Returns :class:`QueryReturn`, or :class:`GroupByReturn` with ``group_by``.
        """
        opts = resolve(options, overrides)
        query = self._select(
            "near_vector", opts, return_properties, return_metadata, include_vector,
            lambda q: self._page(
                q.near_vector(
                    near_vector, distance=distance, certainty=certainty, target_vector=target_vector
                ),
                limit, offset, auto_limit, filters,
            ),
            group_by,
        )  # fmt: skip
        return self._run(query, group_by, opts)

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
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> Any:
        """Objects nearest to a stored object's vector (the object itself included)."""
        opts = resolve(options, overrides)
        query = self._select(
            "near_object", opts, return_properties, return_metadata, include_vector,
            lambda q: self._page(
                q.near_object(
                    near_object, distance=distance, certainty=certainty, target_vector=target_vector
                ),
                limit, offset, auto_limit, filters,
            ),
            group_by,
        )  # fmt: skip
        return self._run(query, group_by, opts)

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
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> Any:
        """Objects nearest to text; needs a text vectorizer module on the server."""
        opts = resolve(options, overrides)
        built = self._select(
            "near_text", opts, return_properties, return_metadata, include_vector,
            lambda q: self._page(
                q.near_text(
                    query, distance=distance, certainty=certainty, target_vector=target_vector
                ),
                limit, offset, auto_limit, filters,
            ),
            group_by,
        )  # fmt: skip
        return self._run(built, group_by, opts)

    def bm25(
        self,
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
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> QueryReturn:
        """Keyword (BM25) search; ``query_properties`` limits and boosts (``"title^2"``)."""
        opts = resolve(options, overrides)
        built = self._select(
            "bm25", opts, return_properties, return_metadata, include_vector,
            lambda q: self._page(
                q.bm25(query, properties=query_properties), limit, offset, auto_limit, filters
            ),
        )  # fmt: skip
        result: QueryReturn = self._run(built, None, opts)
        return result

    def hybrid(
        self,
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
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> QueryReturn:
        """Keyword and vector search fused (``alpha``: 1 = vector only, 0 = keyword only).

        Give ``vector`` unless the collection has a vectorizer module;
        ``fusion_type`` is ``HybridFusion.RANKED`` or ``HybridFusion.RELATIVE_SCORE``.
        """
        opts = resolve(options, overrides)
        built = self._select(
            "hybrid", opts, return_properties, return_metadata, include_vector,
            lambda q: self._page(
                q.hybrid(
                    query,
                    alpha=alpha,
                    vector=vector,
                    fusion_type=plain(fusion_type),
                    properties=query_properties,
                    target_vector=target_vector,
                    max_vector_distance=max_vector_distance,
                ),
                limit, offset, auto_limit, filters,
            ),
        )  # fmt: skip
        result: QueryReturn = self._run(built, None, opts)
        return result

    def iterate(
        self,
        operation: str,
        page_size: int,
        include_vector: Any,
        return_metadata: Any,
        return_properties: Any,
        opts: RequestOptions | None,
    ) -> Iterator[Object]:
        """Every object in id order, one ``after``-cursor page at a time."""
        after: _uuid.UUID | None = None
        while True:
            page = self._fetch(
                operation, opts, page_size, None, after, None, None, include_vector,
                return_metadata, return_properties,
            )  # fmt: skip
            yield from page.objects
            if len(page.objects) < page_size:
                return
            after = page.objects[-1].uuid
