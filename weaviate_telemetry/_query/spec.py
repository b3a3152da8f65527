"""A ``Get`` search as one frozen value, :class:`GetSpec`, and the checks that build it.

The collection handles (``collection.query``) and the ``client.query.get``
builder both produce a :class:`GetSpec`; the GraphQL renderer/parser
(:mod:`.graphql`) and the gRPC encoder/decoder (:mod:`.grpc_search`) read
it through its public fields only. Every value in a spec has been checked
(names against Weaviate's name syntax, numbers against their ranges), so
bad input raises ``validation_error`` before any I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._core import validate as v
from .._core.models import evolve
from .filters import Filter, check_vector

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
_BOOSTED = re.compile(r"[_A-Za-z][_0-9A-Za-z]*(\^[0-9]+(\.[0-9]+)?)?")


@dataclass(frozen=True, slots=True)
class Search:
    """The one search operator of a query (Weaviate allows a single one).

    ``kind`` is the GraphQL operator name (``nearVector``, ``nearObject``,
    ``nearText``, ``bm25``, ``hybrid``); the other fields are its checked
    arguments (None: not given).
    """

    kind: str
    vector: tuple[float, ...] | None = None
    object_id: str | None = None
    concepts: tuple[str, ...] | None = None
    query: str | None = None
    distance: float | None = None
    certainty: float | None = None
    targets: tuple[str, ...] | None = None
    properties: tuple[str, ...] | None = None
    alpha: float | None = None
    fusion_type: str | None = None
    max_vector_distance: float | None = None


@dataclass(frozen=True, slots=True)
class GetSpec:
    """One ``Get`` search, transport-free: what to find and what to return.

    ``properties`` is the selection (names, ``{name: [sub-fields]}``); None
    means every non-reference property (gRPC returns them without naming
    them; a GraphQL query needs them named, see the handles). ``metadata``
    holds ``_additional`` names (``id``, ``distance`` …), ``vectors`` the
    named vectors to return. ``group_by`` is (property, groups, objects per group).
    """

    collection: str
    properties: tuple[Any, ...] | None = ()
    metadata: tuple[str, ...] = ()
    vectors: tuple[str, ...] = ()
    where: Filter | None = None
    search: Search | None = None
    sort: tuple[tuple[str, bool], ...] = ()
    limit: int | None = None
    offset: int | None = None
    after: str | None = None
    autocut: int | None = None
    tenant: str | None = None
    consistency_level: str | None = None
    group_by: tuple[str, int, int] | None = None


# -- checks -------------------------------------------------------------------------------


def count(value: Any, name: str, minimum: int = 0) -> int:
    """A limit-like integer (GraphQL's Int is 32-bit signed, gRPC's uint32: one range fits)."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= v.INT32_MAX:
        raise v.failure(
            f"{name} must be an integer in {minimum}..{v.INT32_MAX}, got {v.show(value)}"
        )
    return value


def names(values: Iterable[Any], what: str) -> tuple[str, ...]:
    """One name or a list of names, each checked."""
    if isinstance(values, str):
        values = (values,)
    if isinstance(values, (bytes, Mapping)) or not isinstance(values, Iterable):
        raise v.invalid(what, values, "a name or a list of names")
    return tuple(v.property_name(n, what) for n in values)


def additional(names_: Iterable[str]) -> tuple[str, ...]:
    """Checked ``_additional`` names, duplicates dropped."""
    out: list[str] = []
    for name in names_:
        if name not in ADDITIONAL_FIELDS:
            raise v.failure(
                f"unknown _additional field {name!r}: expected one of "
                f"{', '.join(ADDITIONAL_FIELDS)} (named vectors via vectors=[...])"
            )
        if name not in out:
            out.append(name)
    return tuple(out)


def boosted(values: Iterable[Any] | None) -> tuple[str, ...] | None:
    """Search properties, each optionally boosted (``title^2``)."""
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


def targets(target_vector: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """The target vector names of a vector search (None: the default vector)."""
    if target_vector is None:
        return None
    found = names(target_vector, "target vector name")
    if not found:
        raise v.failure("target_vector must name at least one vector")
    return found


def distance_certainty(distance: Any, certainty: Any) -> tuple[float | None, float | None]:
    """At most one of the two, certainty within 0..1."""
    if distance is not None and certainty is not None:
        raise v.failure("give either distance or certainty, not both")
    d = None if distance is None else v.number(distance, "distance")
    c = None if certainty is None else v.number(certainty, "certainty")
    if c is not None and not 0.0 <= c <= 1.0:
        raise v.failure(f"certainty must be within 0..1, got {certainty!r}")
    return d, c


def sort_key(path: Any, ascending: Any) -> tuple[str, bool]:
    """One sort key (property, ``_id``, ``_creationTimeUnix`` or ``_lastUpdateTimeUnix``)."""
    v.property_name(path, "sort property")
    if not isinstance(ascending, bool):
        raise v.failure(f"ascending must be True or False, got {ascending!r}")
    return path, ascending


# -- the search operators -----------------------------------------------------------------


def near_vector(
    vector: Any, distance: Any = None, certainty: Any = None, target_vector: Any = None
) -> Search:
    """Vector search from ``vector``; ``target_vector`` names the named vector(s)."""
    vec = tuple(check_vector(vector))
    d, c = distance_certainty(distance, certainty)
    return Search("nearVector", vector=vec, distance=d, certainty=c, targets=targets(target_vector))


def near_object(
    id: Any, distance: Any = None, certainty: Any = None, target_vector: Any = None
) -> Search:
    """Vector search from the vector of the stored object ``id``."""
    d, c = distance_certainty(distance, certainty)
    found = targets(target_vector)
    return Search("nearObject", object_id=v.object_id(id), distance=d, certainty=c, targets=found)


def near_text(
    concepts: Any, distance: Any = None, certainty: Any = None, target_vector: Any = None
) -> Search:
    """Vector search from text; needs a text vectorizer module on the server."""
    if isinstance(concepts, str):
        items: tuple[Any, ...] = (concepts,)
    elif isinstance(concepts, Iterable):
        items = tuple(concepts)
    else:
        raise v.failure("near_text concepts must be a string or a sequence of strings")
    if not items:
        raise v.failure("near_text needs at least one concept")
    for item in items:
        v.text(item, "concept")
    d, c = distance_certainty(distance, certainty)
    return Search(
        "nearText", concepts=items, distance=d, certainty=c, targets=targets(target_vector)
    )


def bm25(query: Any, properties: Any = None) -> Search:
    """Keyword (BM25) search; ``properties`` limits and boosts fields (``"title^2"``)."""
    return Search("bm25", query=v.text(query, "bm25 query"), properties=boosted(properties))


def hybrid(
    query: Any,
    alpha: Any = None,
    vector: Any = None,
    fusion_type: Any = None,
    properties: Any = None,
    target_vector: Any = None,
    max_vector_distance: Any = None,
) -> Search:
    """Hybrid keyword + vector search (``alpha``: 1 = vector only, 0 = keyword only)."""
    a = None if alpha is None else v.number(alpha, "alpha")
    if a is not None and not 0.0 <= a <= 1.0:
        raise v.failure(f"alpha must be within 0..1, got {alpha!r}")
    if fusion_type is not None and fusion_type not in FUSION_TYPES:
        raise v.failure(
            f"fusion_type must be one of {', '.join(FUSION_TYPES)}, got {fusion_type!r}"
        )
    mvd = (
        None
        if max_vector_distance is None
        else v.number(max_vector_distance, "max_vector_distance")
    )
    return Search(
        "hybrid",
        query=v.text(query, "hybrid query"),
        alpha=a,
        vector=None if vector is None else tuple(check_vector(vector)),
        fusion_type=fusion_type,
        properties=boosted(properties),
        targets=targets(target_vector),
        max_vector_distance=mvd,
    )


def evolve_spec(spec: GetSpec, changes: Mapping[str, Any]) -> GetSpec:
    """A copy of ``spec`` with ``changes`` (field name -> value)."""
    return evolve(spec, **changes)
