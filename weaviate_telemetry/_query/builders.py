"""``client.query``: GraphQL ``Get`` and ``Aggregate`` builders and raw GraphQL.

The builders are immutable: each method returns a new builder, so a base
query can be shared and refined. Nothing is sent until ``do()``::

    base = client.query.get("Article").fields("title", "year").limit(5)
    hits = base.near_vector([0.1, 0.2, 0.3], distance=0.4).additional("id", "distance").do()
    for obj in hits:
        print(obj.metadata.id, obj.metadata.distance, obj.properties["title"])

    stats = (
        client.query.aggregate("Article")
        .meta_count()
        .metrics("year", "minimum", "maximum", "mean")
        .top_occurrences("category", limit=3)
        .group_by("category")
        .do()
    )

Every name is checked against Weaviate's GraphQL name syntax and every
user string is escaped, so no value can change the query's structure;
bad input raises ``validation_error`` before any I/O. A 200 answer whose
body carries GraphQL ``errors`` raises ``graphql_error`` (partial ``data``
kept in ``err.details``). All requests are ``POST /v1/graphql``, read-only
and therefore idempotent (retried when retries are enabled).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

import orjson

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.models import Call, Request, Response, evolve, json_object, unexpected
from .._core.options import resolve
from .._core.results import JsonResult
from .filters import (
    Filter,
    as_filter,
    check_vector,
    gql_float,
    gql_string,
)

_PATH = "/v1/graphql"
_RPC_SEARCH = "/weaviate.v1.Weaviate/Search"
TRANSPORTS = ("grpc", "graphql")
T = TypeVar("T")
ADDITIONAL_FIELDS = (
    "id",
    "vector",
    "distance",
    "certainty",
    "score",
    "explainScore",
    "creationTimeUnix",
    "lastUpdateTimeUnix",
    "isConsistent",
)
FUSION_TYPES = ("rankedFusion", "relativeScoreFusion")
METRICS = (
    "count",
    "type",
    "sum",
    "mean",
    "median",
    "mode",
    "maximum",
    "minimum",
    "totalTrue",
    "totalFalse",
    "percentageTrue",
    "percentageFalse",
)
_BOOSTED = re.compile(r"[_A-Za-z][_0-9A-Za-z]*(\^[0-9]+(\.[0-9]+)?)?")
_INLINE_FRAGMENT = re.compile(r"\.\.\. on [A-Z][_0-9A-Za-z]*")


# -- small validators -------------------------------------------------------------------


def _count(value: Any, name: str, minimum: int = 0) -> int:
    # GraphQL's Int is 32-bit signed and gRPC's fields uint32: one range fits both.
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= v.INT32_MAX:
        raise v.failure(
            f"{name} must be an integer in {minimum}..{v.INT32_MAX}, got {v.show(value)}"
        )
    return value


def _names(values: Iterable[Any], what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    if isinstance(values, (bytes, Mapping)) or not isinstance(values, Iterable):
        raise v.invalid(what, values, "a name or a list of names")
    return tuple(v.property_name(n, what) for n in values)


def _boosted(values: Iterable[Any] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = (values,)
    if isinstance(values, (bytes, Mapping)) or not isinstance(values, Iterable):
        raise v.invalid("search properties", values, "a property name or a list of them")
    out = []
    for name in values:
        if not isinstance(name, str) or not _BOOSTED.fullmatch(name):
            raise v.invalid(
                "search property", name, "a property name, optionally boosted as name^2"
            )
        out.append(name)
    if not out:
        raise v.failure("properties must not be empty (omit it to search all text properties)")
    return tuple(out)


def _targets(target_vector: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if target_vector is None:
        return None
    names = _names(target_vector, "target vector name")
    if not names:
        raise v.failure("target_vector must name at least one vector")
    return names


def _distance_certainty(distance: Any, certainty: Any) -> tuple[float | None, float | None]:
    if distance is not None and certainty is not None:
        raise v.failure("give either distance or certainty, not both")
    d = None if distance is None else v.number(distance, "distance")
    c = None if certainty is None else v.number(certainty, "certainty")
    if c is not None and not 0.0 <= c <= 1.0:
        raise v.failure(f"certainty must be within 0..1, got {certainty!r}")
    return d, c


def _gql_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(gql_string(i) for i in items) + "]"


def _gql_vector(vector: Sequence[float]) -> str:
    # check_vector made every element a finite float, and a JSON number is a GraphQL
    # float literal: orjson writes the shortest round-trip form (like repr) in C, about
    # 20x faster than joining repr()s for a 128-d vector. Numbers hold no commas.
    return orjson.dumps(vector).decode().replace(",", ", ")


def _gql_object(entries: Sequence[tuple[str, str | None]]) -> str:
    return "{" + ", ".join(f"{k}: {val}" for k, val in entries if val is not None) + "}"


def _opt(value: float | None) -> str | None:
    return None if value is None else gql_float(value)


def _render_fields(fields: Sequence[Any], depth: int = 0) -> str:
    """``title year location { latitude longitude }`` from names and {name: subfields}."""
    if depth > 16:
        raise v.failure("fields are nested too deeply (more than 16 levels)")
    parts: list[str] = []
    for item in fields:
        if isinstance(item, str):
            parts.append(v.property_name(item, "field name"))
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                if not (isinstance(key, str) and _INLINE_FRAGMENT.fullmatch(key)):
                    v.property_name(key, "field name")
                if isinstance(sub, (str, Mapping)):
                    sub = [sub]
                if not isinstance(sub, Sequence) or not sub:
                    raise v.failure(f"field {key!r} needs a non-empty list of sub-fields")
                parts.append(f"{key} {{ {_render_fields(sub, depth + 1)} }}")
        else:
            raise v.failure(
                f"a field must be a property name or {{name: [sub-fields]}}, got {item!r}"
            )
    return " ".join(parts)


# -- result types ---------------------------------------------------------------------


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class QueryMetadata(JsonResult):
    """An object's ``_additional`` data.

    Attributes: ``id``; ``vector`` (default vector) and ``vectors`` (named
    vectors); ``distance``/``certainty`` for vector searches;
    ``score``/``explain_score`` for bm25 and hybrid; ``creation_time`` and
    ``last_update_time`` in Unix milliseconds; ``raw`` the ``_additional``
    dict as received. Fields not asked for are None.
    """

    id: str | None = None
    vector: tuple[float, ...] | None = None
    vectors: Mapping[str, Any] | None = None
    distance: float | None = None
    certainty: float | None = None
    score: float | None = None
    explain_score: str | None = None
    creation_time: int | None = None
    last_update_time: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QueryMetadata:
        # One pass over the keys present (a search asks for two or three of them).
        id_ = vector = vectors = distance = certainty = score = explain = None
        created = updated = None
        for key, value in data.items():
            if value is None:
                continue
            if key == "id":
                id_ = value if isinstance(value, str) else None
            elif key == "distance":
                distance = value if type(value) is float else _float(value)
            elif key == "certainty":
                certainty = value if type(value) is float else _float(value)
            elif key == "score":
                score = value if type(value) is float else _float(value)
            elif key == "vector":
                vector = tuple(value) if isinstance(value, list) else None
            elif key == "vectors":
                vectors = value if isinstance(value, Mapping) else None
            elif key == "explainScore":
                explain = value if isinstance(value, str) else None
            elif key == "creationTimeUnix":
                created = _int(value)
            elif key == "lastUpdateTimeUnix":
                updated = _int(value)
        return cls(
            id_, vector, vectors, distance, certainty, score, explain, created, updated, data
        )


@dataclass(frozen=True, slots=True)
class QueryObject(JsonResult):
    """One hit of a ``Get`` query: the selected ``properties`` and its ``metadata``."""

    properties: Mapping[str, Any]
    metadata: QueryMetadata
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QueryObject:
        props = dict(data)
        extra = props.pop("_additional", None)
        # JSON gives dicts: the exact type check first, the ABC check only for others.
        if type(extra) is not dict and not isinstance(extra, Mapping):
            extra = {}
        return cls(props, QueryMetadata.from_dict(extra), data)


@dataclass(frozen=True, slots=True)
class QueryResult(JsonResult):
    """The answer of a ``Get`` query: ``objects`` in server order, ``raw`` the whole body.

    Iterating, ``len()`` and indexing go to ``objects``.
    """

    collection: str
    objects: tuple[QueryObject, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def __iter__(self) -> Iterator[QueryObject]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    @overload
    def __getitem__(self, index: int) -> QueryObject: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[QueryObject, ...]: ...
    def __getitem__(self, index: int | slice) -> QueryObject | tuple[QueryObject, ...]:
        return self.objects[index]


@dataclass(frozen=True, slots=True)
class Occurrence(JsonResult):
    """One ``topOccurrences`` entry: a ``value`` and how often it ``occurs``."""

    value: Any
    occurs: int


@dataclass(frozen=True, slots=True)
class PropertyMetrics(JsonResult):
    """Aggregated metrics of one property; metrics not asked for are None."""

    count: int | None = None
    type: str | None = None
    sum: float | None = None
    mean: float | None = None
    median: float | None = None
    mode: Any = None
    maximum: Any = None
    minimum: Any = None
    total_true: int | None = None
    total_false: int | None = None
    percentage_true: float | None = None
    percentage_false: float | None = None
    top_occurrences: tuple[Occurrence, ...] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PropertyMetrics:
        top = data.get("topOccurrences")
        return cls(
            count=_int(data.get("count")),
            type=data.get("type") if isinstance(data.get("type"), str) else None,
            sum=_float(data.get("sum")),
            mean=_float(data.get("mean")),
            median=_float(data.get("median")),
            mode=data.get("mode"),
            maximum=data.get("maximum"),
            minimum=data.get("minimum"),
            total_true=_int(data.get("totalTrue")),
            total_false=_int(data.get("totalFalse")),
            percentage_true=_float(data.get("percentageTrue")),
            percentage_false=_float(data.get("percentageFalse")),
            top_occurrences=(
                tuple(
                    Occurrence(o.get("value"), _int(o.get("occurs")) or 0)
                    for o in top
                    if isinstance(o, Mapping)
                )
                if isinstance(top, list)
                else None
            ),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class GroupedBy(JsonResult):
    """The group of an aggregation with ``group_by``: property ``path`` and its ``value``."""

    path: tuple[str, ...]
    value: Any


@dataclass(frozen=True, slots=True)
class AggregateGroup(JsonResult):
    """One aggregation group: ``count`` (``meta { count }``) and per-property metrics."""

    count: int | None
    properties: Mapping[str, PropertyMetrics]
    grouped_by: GroupedBy | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AggregateGroup:
        meta = data.get("meta")
        grouped = data.get("groupedBy")
        props = {
            k: PropertyMetrics.from_dict(val)
            for k, val in data.items()
            if k not in ("meta", "groupedBy") and isinstance(val, Mapping)
        }
        return cls(
            count=_int(meta.get("count")) if isinstance(meta, Mapping) else None,
            properties=props,
            grouped_by=(
                GroupedBy(tuple(str(p) for p in grouped.get("path") or ()), grouped.get("value"))
                if isinstance(grouped, Mapping)
                else None
            ),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class AggregateResult(JsonResult):
    """The answer of an ``Aggregate`` query: one group, or one per ``group_by`` value.

    ``count`` and ``properties`` are shortcuts to the single group of an
    ungrouped aggregation (None / empty when grouped or empty).
    """

    collection: str
    groups: tuple[AggregateGroup, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def count(self) -> int | None:
        """``meta { count }`` of an ungrouped aggregation."""
        if len(self.groups) == 1 and self.groups[0].grouped_by is None:
            return self.groups[0].count
        return None

    @property
    def properties(self) -> Mapping[str, PropertyMetrics]:
        """Per-property metrics of an ungrouped aggregation."""
        if len(self.groups) == 1 and self.groups[0].grouped_by is None:
            return self.groups[0].properties
        return {}


@dataclass(frozen=True, slots=True)
class GraphQLResult(JsonResult):
    """The ``data`` of a successful GraphQL answer and the ``raw`` body."""

    data: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False, compare=False)


# -- sending ----------------------------------------------------------------------------


def _send(
    call: Call,
    operation: str,
    body: dict[str, Any],
    collection: str | None,
    tenant: str | None,
    options: RequestOptions | None,
    build: Callable[[Mapping[str, Any]], T],
) -> T:
    """POST one GraphQL document; ``build`` turns the checked answer into the result.

    Both the shape check and ``build`` run inside the call's telemetry, so a
    malformed answer fails the call's span exactly as it fails the caller.
    (GraphQL ``errors`` in a 200 are raised as ``graphql_error`` by the pipeline.)
    """
    request = Request(
        "POST",
        _PATH,
        operation,
        path_template=_PATH,
        body=body,
        collection=collection,
        tenant=tenant,
        idempotent=True,
    )
    return call(request, options, lambda response: build(_graphql_answer(response)))


def _graphql_answer(response: Response) -> Mapping[str, Any]:
    answer = json_object(response)
    if not isinstance(answer.get("data"), Mapping):
        raise unexpected("GraphQL answer has no 'data' object", response)
    return answer


def _section(answer: Mapping[str, Any], top: str, collection: str) -> list[Any]:
    section = answer["data"].get(top)
    rows = section.get(collection) if isinstance(section, Mapping) else None
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise unexpected(f"GraphQL {top}.{collection} is not a list")
    return rows


# -- builders ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Search:
    """The one search operator of a Get query (Weaviate allows a single one)."""

    name: str
    # The GraphQL argument text, or a function rendering it on demand (a long
    # vector's text is only built when the query goes over GraphQL).
    source: str | Callable[[], str]
    # The validated arguments for the gRPC form; None when gRPC cannot express it.
    params: Mapping[str, Any] | None = None

    @property
    def text(self) -> str:
        """The GraphQL argument text of this search operator."""
        return self.source if isinstance(self.source, str) else self.source()


def _same(result: QueryResult) -> QueryResult:
    return result


@dataclass(frozen=True, slots=True)
class GetQuery:
    """An immutable ``Get`` query (internal; ``collection.query`` is built on it).

    Without :meth:`fields` or :meth:`additional`, only ``_additional { id }``
    is selected. Weaviate accepts one search operator per query
    (``near_vector``, ``near_object``, ``near_text``, ``bm25`` or
    ``hybrid``); setting a second raises ``validation_error``.
    ``consistency_level`` is accepted by the server only for collections with
    replication factor > 1; ``after`` (cursor) cannot be combined with
    ``where``, searches, ``sort`` or ``offset`` (the server says so).
    """

    _call: Call = field(repr=False)
    collection: str
    _fields: tuple[Any, ...] = ()
    _additional: tuple[str, ...] = ()
    _vectors: tuple[str, ...] = ()
    _where: Filter | None = None
    _search: _Search | None = None
    _sort: tuple[tuple[str, bool], ...] = ()
    _limit: int | None = None
    _offset: int | None = None
    _after: str | None = None
    _autocut: int | None = None
    _tenant: str | None = None
    _consistency: str | None = None
    _group_by: tuple[str, int, int] | None = None
    # Whether the client knows a gRPC port (then do() prefers gRPC when it can).
    _rpc: bool = field(default=False, repr=False, compare=False)

    def fields(self, *names: str | Mapping[str, Any]) -> GetQuery:
        """Add properties to return; ``{"location": ["latitude", "longitude"]}`` for sub-fields.

        A reference: ``{"writtenBy": {"... on Author": ["name"]}}``.
        """
        _render_fields(names)  # validate now, not at do()
        return evolve(self, _fields=self._fields + tuple(names))

    def additional(self, *names: str, vectors: Sequence[str] = ()) -> GetQuery:
        """Add ``_additional`` fields (``id``, ``vector``, ``distance``, ``certainty``,
        ``score``, ``explainScore``, ``creationTimeUnix``, ``lastUpdateTimeUnix``);
        ``vectors=["name", …]`` returns those named vectors."""
        for name in names:
            if name not in ADDITIONAL_FIELDS:
                raise v.failure(
                    f"unknown _additional field {name!r}: expected one of "
                    f"{', '.join(ADDITIONAL_FIELDS)} (named vectors via vectors=[...])"
                )
        named = _names(vectors, "vector name")
        return evolve(
            self,
            _additional=self._additional + tuple(n for n in names if n not in self._additional),
            _vectors=self._vectors + tuple(n for n in named if n not in self._vectors),
        )

    def where(self, where: Filter) -> GetQuery:
        """Filter the objects (a :class:`Filter`; replaces an earlier ``where``)."""
        return evolve(self, _where=as_filter(where))

    def _with_search(
        self, name: str, text: str | Callable[[], str], params: Mapping[str, Any] | None = None
    ) -> GetQuery:
        if self._search is not None:
            raise v.failure(
                f"a query takes one search operator: {self._search.name} is set, cannot add {name}"
            )
        return evolve(self, _search=_Search(name, text, params))

    def near_vector(
        self,
        vector: Sequence[float],
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> GetQuery:
        """Vector search from ``vector``; ``target_vector`` names the named vector(s)."""
        vec = check_vector(vector)
        d, c = _distance_certainty(distance, certainty)
        targets = _targets(target_vector)
        return self._with_search(
            "nearVector",
            lambda: _near_vector_text(vec, d, c, targets),
            {"vector": vec, "distance": d, "certainty": c, "targets": targets},
        )

    def near_object(
        self,
        id: Any,
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> GetQuery:
        """Vector search from the vector of the stored object ``id``."""
        d, c = _distance_certainty(distance, certainty)
        targets = _targets(target_vector)
        object_id = v.object_id(id)
        text = _gql_object(
            [
                ("id", gql_string(object_id)),
                ("distance", _opt(d)),
                ("certainty", _opt(c)),
                ("targetVectors", None if targets is None else _gql_list(targets)),
            ]
        )
        params = {"id": object_id, "distance": d, "certainty": c, "targets": targets}
        return self._with_search("nearObject", text, params)

    def near_text(
        self,
        concepts: str | Sequence[str],
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> GetQuery:
        """Vector search from text; needs a text vectorizer module on the server."""
        if isinstance(concepts, str):
            items: tuple[Any, ...] = (concepts,)
        elif isinstance(concepts, Iterable):
            items = tuple(concepts)
        else:
            raise v.failure("near_text concepts must be a string or a sequence of strings")
        if not items:
            raise v.failure("near_text needs at least one concept")
        d, c = _distance_certainty(distance, certainty)
        targets = _targets(target_vector)
        text = _gql_object(
            [
                ("concepts", "[" + ", ".join(gql_string(x, "concept") for x in items) + "]"),
                ("distance", _opt(d)),
                ("certainty", _opt(c)),
                ("targetVectors", None if targets is None else _gql_list(targets)),
            ]
        )
        return self._with_search("nearText", text)

    def bm25(self, query: str, *, properties: Sequence[str] | None = None) -> GetQuery:
        """Keyword (BM25) search; ``properties`` limits and boosts fields (``"title^2"``)."""
        props = _boosted(properties)
        text = _gql_object(
            [
                ("query", gql_string(query, "bm25 query")),
                ("properties", None if props is None else _gql_list(props)),
            ]
        )
        return self._with_search("bm25", text, {"query": query, "properties": props})

    def hybrid(
        self,
        query: str,
        *,
        alpha: float | None = None,
        vector: Sequence[float] | None = None,
        fusion_type: str | None = None,
        properties: Sequence[str] | None = None,
        target_vector: str | Sequence[str] | None = None,
        max_vector_distance: float | None = None,
    ) -> GetQuery:
        """Hybrid keyword + vector search.

        ``alpha`` weighs vector (1) against keyword (0) search;
        ``fusion_type`` is ``"rankedFusion"`` or ``"relativeScoreFusion"``;
        without ``vector`` the server vectorizes ``query`` (needs a module).
        """
        a = None if alpha is None else v.number(alpha, "alpha")
        if a is not None and not 0.0 <= a <= 1.0:
            raise v.failure(f"alpha must be within 0..1, got {alpha!r}")
        if fusion_type is not None and fusion_type not in FUSION_TYPES:
            raise v.failure(
                f"fusion_type must be one of {', '.join(FUSION_TYPES)}, got {fusion_type!r}"
            )
        vec = None if vector is None else check_vector(vector)
        props = _boosted(properties)
        targets = _targets(target_vector)
        mvd = (
            None
            if max_vector_distance is None
            else v.number(max_vector_distance, "max_vector_distance")
        )
        query_text = gql_string(query, "hybrid query")  # validates the query now

        def text() -> str:
            return _gql_object(
                [
                    ("query", query_text),
                    ("alpha", _opt(a)),
                    ("vector", None if vec is None else _gql_vector(vec)),
                    ("fusionType", fusion_type),
                    ("properties", None if props is None else _gql_list(props)),
                    ("targetVectors", None if targets is None else _gql_list(targets)),
                    ("maxVectorDistance", _opt(mvd)),
                ]
            )

        params = {
            "query": query,
            "alpha": a,
            "vector": vec,
            "fusion_type": fusion_type,
            "properties": props,
            "targets": targets,
            "max_vector_distance": mvd,
        }
        return self._with_search("hybrid", text, params)

    def sort(self, path: str, *, ascending: bool = True) -> GetQuery:
        """Add a sort key (property, ``_id``, ``_creationTimeUnix`` or ``_lastUpdateTimeUnix``)."""
        v.property_name(path, "sort property")
        if not isinstance(ascending, bool):
            raise v.failure(f"ascending must be True or False, got {ascending!r}")
        return evolve(self, _sort=(*self._sort, (path, ascending)))

    def limit(self, limit: int) -> GetQuery:
        """Return at most ``limit`` objects."""
        return evolve(self, _limit=_count(limit, "limit", 1))

    def offset(self, offset: int) -> GetQuery:
        """Skip the first ``offset`` objects."""
        return evolve(self, _offset=_count(offset, "offset"))

    def after(self, id: Any) -> GetQuery:
        """Cursor: objects after ``id`` in id order (use with ``limit`` only)."""
        return evolve(self, _after=v.object_id(id, "after"))

    def autocut(self, jumps: int) -> GetQuery:
        """Cut results after ``jumps`` jumps in score/distance (searches only)."""
        return evolve(self, _autocut=_count(jumps, "autocut", 1))

    def group_by(self, property: str, *, groups: int, objects_per_group: int) -> GetQuery:
        """Group the hits of a vector search by ``property``: at most ``groups`` groups of
        ``objects_per_group`` objects each (each row's ``_additional.group`` holds one group)."""
        return evolve(
            self,
            _group_by=(
                v.property_name(property, "group_by property"),
                _count(groups, "groups", 1),
                _count(objects_per_group, "objects_per_group", 1),
            ),
        )

    def tenant(self, tenant: str) -> GetQuery:
        """Query one tenant of a multi-tenant collection."""
        return evolve(self, _tenant=v.tenant_name(tenant))

    def consistency_level(self, level: str) -> GetQuery:
        """``ONE``, ``QUORUM`` or ``ALL`` (replicated collections only)."""
        return evolve(self, _consistency=v.consistency(level))

    def to_graphql(self) -> str:
        """The GraphQL document this builder sends."""
        args: list[tuple[str, str | None]] = [
            ("where", None if self._where is None else self._where.to_graphql()),
        ]
        if self._search is not None:
            args.append((self._search.name, self._search.text))
        if self._sort:
            keys = ", ".join(
                f"{{path: [{gql_string(p)}], order: {'asc' if up else 'desc'}}}"
                for p, up in self._sort
            )
            args.append(("sort", f"[{keys}]"))
        args += [
            ("limit", None if self._limit is None else str(self._limit)),
            ("offset", None if self._offset is None else str(self._offset)),
            ("after", None if self._after is None else gql_string(self._after)),
            ("autocut", None if self._autocut is None else str(self._autocut)),
            ("tenant", None if self._tenant is None else gql_string(self._tenant)),
            ("consistencyLevel", self._consistency),
        ]
        if self._group_by is not None:
            prop, groups, per_group = self._group_by
            args.append(
                (
                    "groupBy",
                    f"{{path: [{gql_string(prop)}], groups: {groups}, "
                    f"objectsPerGroup: {per_group}}}",
                )
            )
        rendered = ", ".join(f"{k}: {val}" for k, val in args if val is not None)
        selection = _render_fields(self._fields)
        extra = list(self._additional)
        if self._vectors:
            extra.append("vectors { " + " ".join(self._vectors) + " }")
        if extra or not selection:
            selection = (selection + " " if selection else "") + (
                "_additional { " + (" ".join(extra) or "id") + " }"
            )
        if self._group_by is not None:
            selection = (
                "_additional { group { id groupedBy { value path } count maxDistance "
                f"minDistance hits {{ {selection} }} }} }}"
            )
        head = f"{self.collection}({rendered})" if rendered else self.collection
        return f"{{ Get {{ {head} {{ {selection} }} }} }}"

    def grpc_unsupported(self) -> str | None:
        """Why this query must go over GraphQL, or None when gRPC can serve it.

        gRPC serves fetch-objects, ``near_vector``, ``near_object``, ``bm25`` and
        ``hybrid`` with filters, sort, paging, tenant, consistency level,
        properties (scalars, arrays, geo, phone, nested objects) and every
        ``_additional`` field; ``near_text`` and reference fields use GraphQL.
        """
        from .grpc_search import unsupported  # protobuf is imported on first use

        return unsupported(self)

    def do(
        self,
        *,
        transport: str | None = None,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> QueryResult:
        """Run the query and return a :class:`QueryResult`.

        Over gRPC (``Search``) when the client has a ``grpc_port`` and the
        query is expressible in gRPC (see :meth:`grpc_unsupported`), else
        over GraphQL (``POST /v1/graphql``); the result is the same either
        way. ``transport="graphql"`` forces GraphQL; ``transport="grpc"``
        forces gRPC (``validation_error`` when the query needs GraphQL or
        the client has no gRPC port).
        """
        return self._do_into(_same, transport, resolve(options, overrides))

    def _do_into(
        self,
        then: Callable[[QueryResult], T],
        transport: str | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """:meth:`do`, with ``then`` shaping the result inside the call's telemetry.

        The collection handles convert to their v4 shapes here, so an answer
        they cannot convert fails the call's span as it fails the caller.
        """
        if transport is not None and transport not in TRANSPORTS:
            raise v.invalid("transport", transport, "None, 'grpc' or 'graphql'")
        if transport == "grpc" or (transport is None and self._rpc):
            from . import grpc_search

            reason = grpc_search.unsupported(self)
            if reason is None:
                return self._do_rpc(grpc_search, options, then)
            if transport == "grpc":
                raise v.failure(f"this query cannot be sent over gRPC: {reason}")
        return _send(
            self._call,
            "query.get",
            {"query": self.to_graphql()},
            self.collection,
            self._tenant,
            options,
            lambda answer: then(self._result(answer)),
        )

    def _do_rpc(
        self, grpc_search: Any, options: RequestOptions | None, then: Callable[[QueryResult], T]
    ) -> T:
        rpc = grpc_search.search_call(self)
        request = Request(
            "POST",
            _RPC_SEARCH,
            "query.get",
            path_template=_RPC_SEARCH,
            collection=self.collection,
            tenant=self._tenant,
            idempotent=True,
            rpc=rpc,
        )

        def parse(response: Response) -> T:
            if not isinstance(response.body, rpc.reply):
                raise unexpected("gRPC answer is not a SearchReply", response)
            return then(self._result(grpc_search.answer_from_reply(self, response.body)))

        return self._call(request, options, parse)

    def _result(self, answer: Mapping[str, Any]) -> QueryResult:
        rows = _section(answer, "Get", self.collection)
        from_dict = QueryObject.from_dict
        return QueryResult(
            self.collection,
            tuple(from_dict(r) for r in rows if type(r) is dict or isinstance(r, Mapping)),
            answer,
        )


def _near_vector(
    vector: Any, distance: Any, certainty: Any, target_vector: str | Sequence[str] | None
) -> str:
    vec = check_vector(vector)
    d, c = _distance_certainty(distance, certainty)
    return _near_vector_text(vec, d, c, _targets(target_vector))


def _near_vector_text(
    vec: Sequence[float], d: float | None, c: float | None, targets: tuple[str, ...] | None
) -> str:
    return _gql_object(
        [
            ("vector", _gql_vector(vec)),
            ("distance", _opt(d)),
            ("certainty", _opt(c)),
            ("targetVectors", None if targets is None else _gql_list(targets)),
        ]
    )


@dataclass(frozen=True, slots=True)
class AggregateQuery:
    """An immutable ``Aggregate`` query (internal; ``collection.aggregate`` is built on it).

    Without any metric, ``meta { count }`` is selected. With
    ``near_vector``, Weaviate needs ``object_limit`` or a distance/certainty.
    """

    _call: Call = field(repr=False)
    collection: str
    _meta_count: bool = False
    _metrics: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _top: tuple[tuple[str, int | None], ...] = ()
    _group_by: str | None = None
    _where: Filter | None = None
    _near_vector: str | None = None
    _object_limit: int | None = None
    _limit: int | None = None
    _tenant: str | None = None

    def meta_count(self) -> AggregateQuery:
        """Select ``meta { count }`` (the number of matching objects, per group)."""
        return evolve(self, _meta_count=True)

    def metrics(self, property: str, *metrics: str) -> AggregateQuery:
        """Select metrics of ``property``: ``count``, ``sum``, ``mean``, ``median``, ``mode``,
        ``maximum``, ``minimum``, ``type``, ``totalTrue``, ``totalFalse``,
        ``percentageTrue``, ``percentageFalse`` (which ones apply depends on the type)."""
        v.property_name(property)
        if not metrics:
            raise v.failure(f"metrics({property!r}) needs at least one metric name")
        for m in metrics:
            if m not in METRICS:
                raise v.failure(f"unknown metric {m!r}: expected one of {', '.join(METRICS)}")
        return evolve(self, _metrics=(*self._metrics, (property, tuple(metrics))))

    def top_occurrences(self, property: str, *, limit: int | None = None) -> AggregateQuery:
        """Select the most frequent values of a text property (``topOccurrences``)."""
        v.property_name(property)
        lim = None if limit is None else _count(limit, "limit", 1)
        return evolve(self, _top=(*self._top, (property, lim)))

    def group_by(self, property: str) -> AggregateQuery:
        """Aggregate per value of ``property`` (adds ``groupedBy { path value }``)."""
        return evolve(self, _group_by=v.property_name(property, "group_by property"))

    def where(self, where: Filter) -> AggregateQuery:
        """Aggregate only objects matching the :class:`Filter`."""
        return evolve(self, _where=as_filter(where))

    def near_vector(
        self,
        vector: Sequence[float],
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> AggregateQuery:
        """Aggregate the objects nearest to ``vector`` (with ``object_limit`` or a distance)."""
        return evolve(self, _near_vector=_near_vector(vector, distance, certainty, target_vector))

    def object_limit(self, limit: int) -> AggregateQuery:
        """With a vector search: aggregate at most ``limit`` nearest objects."""
        return evolve(self, _object_limit=_count(limit, "object_limit", 1))

    def limit(self, limit: int) -> AggregateQuery:
        """With ``group_by``: return at most ``limit`` groups."""
        return evolve(self, _limit=_count(limit, "limit", 1))

    def tenant(self, tenant: str) -> AggregateQuery:
        """Aggregate one tenant of a multi-tenant collection."""
        return evolve(self, _tenant=v.tenant_name(tenant))

    def to_graphql(self) -> str:
        """The GraphQL document this builder sends."""
        args: list[tuple[str, str | None]] = [
            ("where", None if self._where is None else self._where.to_graphql()),
            ("groupBy", None if self._group_by is None else _gql_list([self._group_by])),
            ("nearVector", self._near_vector),
            ("objectLimit", None if self._object_limit is None else str(self._object_limit)),
            ("limit", None if self._limit is None else str(self._limit)),
            ("tenant", None if self._tenant is None else gql_string(self._tenant)),
        ]
        rendered = ", ".join(f"{k}: {val}" for k, val in args if val is not None)
        selection: list[str] = []
        if self._meta_count or not (self._metrics or self._top):
            selection.append("meta { count }")
        if self._group_by is not None:
            selection.append("groupedBy { path value }")
        per_property: dict[str, list[str]] = {}
        for prop, names in self._metrics:
            wanted = per_property.setdefault(prop, [])
            wanted += [n for n in names if n not in wanted]
        for prop, lim in self._top:
            arg = "" if lim is None else f"(limit: {lim})"
            per_property.setdefault(prop, []).append(f"topOccurrences{arg} {{ value occurs }}")
        selection += [f"{p} {{ {' '.join(items)} }}" for p, items in per_property.items()]
        head = f"{self.collection}({rendered})" if rendered else self.collection
        return f"{{ Aggregate {{ {head} {{ {' '.join(selection)} }} }} }}"

    def do(self, *, options: RequestOptions | None = None, **overrides: Any) -> AggregateResult:
        """Run the aggregation (``POST /v1/graphql``) and return an :class:`AggregateResult`."""
        return _send(
            self._call,
            "query.aggregate",
            {"query": self.to_graphql()},
            self.collection,
            self._tenant,
            resolve(options, overrides),
            self._result,
        )

    def _result(self, answer: Mapping[str, Any]) -> AggregateResult:
        rows = _section(answer, "Aggregate", self.collection)
        return AggregateResult(
            self.collection,
            tuple(AggregateGroup.from_dict(r) for r in rows if isinstance(r, Mapping)),
            answer,
        )


class Query:
    """``client.query``: raw ``graphql``, the escape hatch next to the collection handles.

    The ``Get``/``Aggregate`` builders are internal: collection handles
    (``collection.query`` / ``collection.aggregate``) are built on them.
    """

    def __init__(self, call: Call, rpc: bool = False) -> None:
        self._call = call
        self._rpc = rpc

    def get(self, collection: str) -> GetQuery:
        """A ``Get`` query builder for ``collection`` (nothing is sent until ``do()``).

        With a client ``grpc_port`` its ``do()`` goes over gRPC when it can.
        """
        return GetQuery(self._call, v.collection_name(collection), _rpc=self._rpc)

    def aggregate(self, collection: str) -> AggregateQuery:
        """An ``Aggregate`` query builder for ``collection``."""
        return AggregateQuery(self._call, v.collection_name(collection))

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        options: RequestOptions | None = None,
        **overrides: Any,
    ) -> GraphQLResult:
        """Send a GraphQL document as is; ``errors`` in the answer raise ``graphql_error``.

        Example::

            r = client.query.graphql("{ Get { Article(limit: 1) { title } } }")
            r.data["Get"]["Article"]

        The request is marked idempotent (retried when retries are on); pass
        ``idempotent=False`` for a document that must not be repeated.
        """
        v.text(query, "query")
        if not query.strip():
            raise v.failure("query must not be empty")
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            if not isinstance(variables, Mapping):
                raise v.failure(f"variables must be a mapping, got {type(variables).__name__}")
            body["variables"] = dict(variables)
        return _send(
            self._call,
            "query.graphql",
            body,
            None,
            None,
            resolve(options, overrides),
            lambda answer: GraphQLResult(answer["data"], answer),
        )
