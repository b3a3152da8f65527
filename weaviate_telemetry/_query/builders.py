"""``client.query``: GraphQL ``Get`` and ``Aggregate`` builders and raw GraphQL.

The builders are immutable: each method returns a new builder, so a base
query can be shared and refined. Nothing is sent until ``do()``::

    base = client.query.get("Article").fields("title", "year").limit(5)
    hits = base.near_vector([0.1, 0.2, 0.3], distance=0.4).additional("id", "distance").do()
    for obj in hits:
        print(obj.uuid, obj.metadata.distance, obj.properties["title"])

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from .._core import validate as v
from .._core.models import Call, evolve
from .._core.options import resolve
from .._core.results import JsonResult
from . import spec as s
from .aggregate import AggregateGroupByReturn, AggregateReturn, shaped
from .filters import Filter, as_filter, gql_string
from .graphql import gql_list, near_vector_args, render_fields, render_get, section, send
from .search import Result, over_grpc, plan
from .spec import GetSpec

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

R = TypeVar("R", AggregateReturn, AggregateGroupByReturn)

_BOOLEAN_METRICS = frozenset({"totalTrue", "totalFalse", "percentageTrue", "percentageFalse"})

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


# -- result types ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphQLResult(JsonResult):
    """The ``data`` of a successful GraphQL answer and the ``raw`` body."""

    data: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False, compare=False)


# -- builders ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetQuery:
    """An immutable ``Get`` query builder over a :class:`GetSpec` (``client.query.get``).

    Each method returns a new builder with a new spec; nothing is sent until
    ``do()``. Without :meth:`fields` or :meth:`additional`, only
    ``_additional { id }`` is selected. Weaviate accepts one search operator
    per query (``near_vector``, ``near_object``, ``near_text``, ``bm25`` or
    ``hybrid``); setting a second raises ``validation_error``.
    ``consistency_level`` is accepted by the server only for collections with
    replication factor > 1; ``after`` (cursor) cannot be combined with
    ``where``, searches, ``sort`` or ``offset`` (the server says so).
    """

    _call: Call = field(repr=False)
    spec: GetSpec
    # Whether the client knows a gRPC port (then do() prefers gRPC when it can).
    _rpc: bool = field(default=False, repr=False, compare=False)

    @property
    def collection(self) -> str:
        """The collection searched."""
        return self.spec.collection

    def _with(self, **changes: Any) -> GetQuery:
        return evolve(self, spec=evolve(self.spec, **changes))

    def fields(self, *names: str | Mapping[str, Any]) -> GetQuery:
        """Add properties to return; ``{"location": ["latitude", "longitude"]}`` for sub-fields.

        A reference: ``{"writtenBy": {"... on Author": ["name"]}}``.
        """
        render_fields(names)  # validate now, not at do()
        return self._with(properties=(*(self.spec.properties or ()), *names))

    def additional(self, *names: str, vectors: Sequence[str] = ()) -> GetQuery:
        """Add ``_additional`` fields (``id``, ``vector``, ``distance``, ``certainty``,
        ``score``, ``explainScore``, ``creationTimeUnix``, ``lastUpdateTimeUnix``);
        ``vectors=["name", …]`` returns those named vectors."""
        checked = s.additional(names)
        named = s.names(vectors, "vector name")
        spec = self.spec
        return self._with(
            metadata=spec.metadata + tuple(n for n in checked if n not in spec.metadata),
            vectors=spec.vectors + tuple(n for n in named if n not in spec.vectors),
        )

    def where(self, where: Filter) -> GetQuery:
        """Filter the objects (a :class:`Filter`; replaces an earlier ``where``)."""
        return self._with(where=as_filter(where))

    def _with_search(self, search: s.Search) -> GetQuery:
        if self.spec.search is not None:
            raise v.failure(
                f"a query takes one search operator: {self.spec.search.kind} is set, "
                f"cannot add {search.kind}"
            )
        return self._with(search=search)

    def near_vector(
        self,
        vector: Sequence[float],
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> GetQuery:
        """Vector search from ``vector``; ``target_vector`` names the named vector(s)."""
        return self._with_search(s.near_vector(vector, distance, certainty, target_vector))

    def near_object(
        self,
        id: Any,
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> GetQuery:
        """Vector search from the vector of the stored object ``id``."""
        return self._with_search(s.near_object(id, distance, certainty, target_vector))

    def near_text(
        self,
        concepts: str | Sequence[str],
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> GetQuery:
        """Vector search from text; needs a text vectorizer module on the server."""
        return self._with_search(s.near_text(concepts, distance, certainty, target_vector))

    def bm25(self, query: str, *, properties: Sequence[str] | None = None) -> GetQuery:
        """Keyword (BM25) search; ``properties`` limits and boosts fields (``"title^2"``)."""
        return self._with_search(s.bm25(query, properties))

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
        return self._with_search(
            s.hybrid(
                query, alpha, vector, fusion_type, properties, target_vector, max_vector_distance
            )
        )

    def sort(self, path: str, *, ascending: bool = True) -> GetQuery:
        """Add a sort key (property, ``_id``, ``_creationTimeUnix`` or ``_lastUpdateTimeUnix``)."""
        return self._with(sort=(*self.spec.sort, s.sort_key(path, ascending)))

    def limit(self, limit: int) -> GetQuery:
        """Return at most ``limit`` objects."""
        return self._with(limit=s.count(limit, "limit", 1))

    def offset(self, offset: int) -> GetQuery:
        """Skip the first ``offset`` objects."""
        return self._with(offset=s.count(offset, "offset"))

    def after(self, id: Any) -> GetQuery:
        """Cursor: objects after ``id`` in id order (use with ``limit`` only)."""
        return self._with(after=v.object_id(id, "after"))

    def autocut(self, jumps: int) -> GetQuery:
        """Cut results after ``jumps`` jumps in score/distance (searches only)."""
        return self._with(autocut=s.count(jumps, "autocut", 1))

    def group_by(self, property: str, *, groups: int, objects_per_group: int) -> GetQuery:
        """Group the hits of a vector search by ``property``: at most ``groups`` groups of
        ``objects_per_group`` objects each (``do()`` then returns a ``GroupByReturn``)."""
        return self._with(
            group_by=(
                v.property_name(property, "group_by property"),
                s.count(groups, "groups", 1),
                s.count(objects_per_group, "objects_per_group", 1),
            )
        )

    def tenant(self, tenant: str) -> GetQuery:
        """Query one tenant of a multi-tenant collection."""
        return self._with(tenant=v.tenant_name(tenant))

    def consistency_level(self, level: str) -> GetQuery:
        """``ONE``, ``QUORUM`` or ``ALL`` (replicated collections only)."""
        return self._with(consistency_level=v.consistency(level))

    def to_graphql(self) -> str:
        """The GraphQL document this builder sends."""
        return render_get(self.spec)

    def grpc_unsupported(self) -> str | None:
        """Why this query must go over GraphQL, or None when gRPC can serve it.

        gRPC serves fetch-objects, ``near_vector``, ``near_object``, ``bm25`` and
        ``hybrid`` with filters, sort, paging, tenant, consistency level,
        properties (scalars, arrays, geo, phone, nested objects) and every
        ``_additional`` field; ``near_text``, ``group_by`` and reference fields use GraphQL.
        """
        from .grpc_search import unsupported  # protobuf is imported on first use

        return unsupported(self.spec)

    def do(
        self,
        *,
        transport: str | None = None,
        **overrides: Unpack[CallOverrides],
    ) -> Result:
        """Run the query: a :class:`QueryReturn` (a :class:`GroupByReturn` with ``group_by``).

        Over gRPC (``Search``) when the client has a ``grpc_port`` and the
        query is expressible in gRPC (see :meth:`grpc_unsupported`), else
        over GraphQL (``POST /v1/graphql``); the result is the same either
        way. ``transport="graphql"`` forces GraphQL; ``transport="grpc"``
        forces gRPC (``validation_error`` when the query needs GraphQL or
        the client has no gRPC port).
        """
        request, parse = plan(self.spec, "query.get", over_grpc(self.spec, self._rpc, transport))
        return self._call(request, resolve(overrides), parse)


@dataclass(frozen=True, slots=True)
class AggregateQuery(Generic[R]):
    """An immutable ``Aggregate`` query (``client.query.aggregate``; ``collection.aggregate``
    renders through it too).

    Without any metric, ``meta { count }`` is selected. With
    ``near_vector``, Weaviate needs ``object_limit`` or a distance/certainty.
    ``do()`` returns the handle's results: :class:`AggregateReturn`, or
    :class:`AggregateGroupByReturn` after ``group_by`` (the type follows).
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

    def meta_count(self) -> AggregateQuery[R]:
        """Select ``meta { count }`` (the number of matching objects, per group)."""
        return evolve(self, _meta_count=True)

    def metrics(self, property: str, *metrics: str) -> AggregateQuery[R]:
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

    def top_occurrences(self, property: str, *, limit: int | None = None) -> AggregateQuery[R]:
        """Select the most frequent values of a text property (``topOccurrences``)."""
        v.property_name(property)
        lim = None if limit is None else s.count(limit, "limit", 1)
        return evolve(self, _top=(*self._top, (property, lim)))

    def group_by(self, property: str) -> AggregateQuery[AggregateGroupByReturn]:
        """Aggregate per value of ``property`` (adds ``groupedBy { path value }``);
        ``do()`` then returns an :class:`AggregateGroupByReturn`."""
        grouped: Any = evolve(self, _group_by=v.property_name(property, "group_by property"))
        return cast("AggregateQuery[AggregateGroupByReturn]", grouped)

    def where(self, where: Filter) -> AggregateQuery[R]:
        """Aggregate only objects matching the :class:`Filter`."""
        return evolve(self, _where=as_filter(where))

    def near_vector(
        self,
        vector: Sequence[float],
        *,
        distance: float | None = None,
        certainty: float | None = None,
        target_vector: str | Sequence[str] | None = None,
    ) -> AggregateQuery[R]:
        """Aggregate the objects nearest to ``vector`` (with ``object_limit`` or a distance)."""
        search = s.near_vector(vector, distance, certainty, target_vector)
        assert search.vector is not None
        text = near_vector_args(search.vector, search.distance, search.certainty, search.targets)
        return evolve(self, _near_vector=text)

    def object_limit(self, limit: int) -> AggregateQuery[R]:
        """With a vector search: aggregate at most ``limit`` nearest objects."""
        return evolve(self, _object_limit=s.count(limit, "object_limit", 1))

    def limit(self, limit: int) -> AggregateQuery[R]:
        """With ``group_by``: return at most ``limit`` groups."""
        return evolve(self, _limit=s.count(limit, "limit", 1))

    def tenant(self, tenant: str) -> AggregateQuery[R]:
        """Aggregate one tenant of a multi-tenant collection."""
        return evolve(self, _tenant=v.tenant_name(tenant))

    def to_graphql(self) -> str:
        """The GraphQL document this builder sends."""
        args: list[tuple[str, str | None]] = [
            ("where", None if self._where is None else self._where.to_graphql()),
            ("groupBy", None if self._group_by is None else gql_list([self._group_by])),
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

    def do(self, **overrides: Unpack[CallOverrides]) -> R:
        """Run the aggregation (``POST /v1/graphql``): an :class:`AggregateReturn`
        (``total_count`` with ``meta_count()`` or no metric), or an
        :class:`AggregateGroupByReturn` after ``group_by``.

        This builder does not read the schema, so each property's metrics class
        follows what was asked: ``top_occurrences`` gives :class:`AggregateText`, the
        boolean metrics :class:`AggregateBoolean`, string answers :class:`AggregateDate`,
        other numbers :class:`AggregateNumber` (floats; ``collection.aggregate`` with
        ``Metrics(...).integer()`` gives ints).
        """
        return send(
            self._call,
            "query.aggregate",
            {"query": self.to_graphql()},
            self.collection,
            self._tenant,
            resolve(overrides),
            self._result,
        )

    def _result(self, answer: Mapping[str, Any]) -> R:
        rows = [r for r in section(answer, "Aggregate", self.collection) if isinstance(r, Mapping)]
        counted = self._meta_count or not (self._metrics or self._top)
        result = shaped(rows, self._group_by is not None, counted, self._kinds(rows))
        return cast("R", result)

    def _kinds(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """Each property's data type, from the metrics asked for (and dates from the answer)."""
        asked: dict[str, set[str]] = {}
        for prop, names in self._metrics:
            asked.setdefault(prop, set()).update(names)
        for prop, _ in self._top:
            asked.setdefault(prop, set()).add("topOccurrences")
        kinds = []
        for prop, wanted in asked.items():
            if "topOccurrences" in wanted:
                kind = "text"
            elif wanted & _BOOLEAN_METRICS:
                kind = "boolean"
            elif any(
                isinstance(value, str)
                for row in rows
                if isinstance(got := row.get(prop), Mapping)
                for name, value in got.items()
                if name != "type"
            ):
                kind = "date"
            else:
                kind = "number"
            kinds.append((prop, kind))
        return kinds


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
        return GetQuery(self._call, GetSpec(v.collection_name(collection)), self._rpc)

    def aggregate(self, collection: str) -> AggregateQuery[AggregateReturn]:
        """An ``Aggregate`` query builder for ``collection``."""
        return AggregateQuery(self._call, v.collection_name(collection))

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        **overrides: Unpack[CallOverrides],
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
        return send(
            self._call,
            "query.graphql",
            body,
            None,
            None,
            resolve(overrides),
            lambda answer: GraphQLResult(answer["data"], answer),
        )
