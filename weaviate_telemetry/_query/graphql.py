"""A :class:`GetSpec` as a GraphQL ``Get`` document, and the answer as typed results.

:func:`render_get` writes the document (every name checked, every string
escaped, so no value changes the query's structure); :func:`parse_get`
builds :class:`QueryReturn` / :class:`GroupByReturn` straight from the
answer's rows. Both read the spec through its public fields.
"""

from __future__ import annotations

import re
import uuid as _uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from .._core import validate as v
from .._core.config import RequestOptions
from .._core.models import Call, Request, Response, json_object, unexpected
from .filters import gql_float, gql_string
from .results import (
    ZERO_UUID,
    Group,
    GroupByObject,
    GroupByReturn,
    MetadataReturn,
    Object,
    QueryReturn,
    time_from_millis,
    vectors,
)
from .spec import GetSpec, Search

PATH = "/v1/graphql"
T = TypeVar("T")
_INLINE_FRAGMENT = re.compile(r"\.\.\. on [A-Z][_0-9A-Za-z]*")


# -- rendering ----------------------------------------------------------------------------


def gql_list(items: Iterable[str]) -> str:
    """A GraphQL list of string literals."""
    return "[" + ", ".join(gql_string(i) for i in items) + "]"


def gql_vector(vector: Sequence[float]) -> str:
    """A GraphQL list of float literals.

    Every element is a finite float (checked), and a JSON number is a GraphQL
    float literal: orjson writes the shortest round-trip form (like repr) in C,
    about 20x faster than joining repr()s for a 128-d vector.
    """
    return orjson.dumps(vector).decode().replace(",", ", ")


def gql_object(entries: Sequence[tuple[str, str | None]]) -> str:
    """``{k: v, …}`` of the entries whose value is not None."""
    return "{" + ", ".join(f"{k}: {val}" for k, val in entries if val is not None) + "}"


def _opt(value: float | None) -> str | None:
    return None if value is None else gql_float(value)


def _targets(targets: tuple[str, ...] | None) -> str | None:
    return None if targets is None else gql_list(targets)


def near_vector_args(
    vector: Sequence[float], d: float | None, c: float | None, targets: tuple[str, ...] | None
) -> str:
    """The ``nearVector`` argument object (also used by ``Aggregate``)."""
    return gql_object(
        [
            ("vector", gql_vector(vector)),
            ("distance", _opt(d)),
            ("certainty", _opt(c)),
            ("targetVectors", _targets(targets)),
        ]
    )


def search_args(search: Search) -> str:
    """The GraphQL argument object of a search operator."""
    kind = search.kind
    if kind == "nearVector":
        assert search.vector is not None
        return near_vector_args(search.vector, search.distance, search.certainty, search.targets)
    if kind == "nearObject":
        assert search.object_id is not None
        return gql_object(
            [
                ("id", gql_string(search.object_id)),
                ("distance", _opt(search.distance)),
                ("certainty", _opt(search.certainty)),
                ("targetVectors", _targets(search.targets)),
            ]
        )
    if kind == "nearText":
        return gql_object(
            [
                ("concepts", gql_list(search.concepts or ())),
                ("distance", _opt(search.distance)),
                ("certainty", _opt(search.certainty)),
                ("targetVectors", _targets(search.targets)),
            ]
        )
    if kind == "bm25":
        return gql_object(
            [
                ("query", gql_string(search.query)),
                ("properties", None if search.properties is None else gql_list(search.properties)),
            ]
        )
    return gql_object(  # hybrid
        [
            ("query", gql_string(search.query)),
            ("alpha", _opt(search.alpha)),
            ("vector", None if search.vector is None else gql_vector(search.vector)),
            ("fusionType", search.fusion_type),
            ("properties", None if search.properties is None else gql_list(search.properties)),
            ("targetVectors", _targets(search.targets)),
            ("maxVectorDistance", _opt(search.max_vector_distance)),
        ]
    )


def render_fields(fields: Sequence[Any], depth: int = 0) -> str:
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
                parts.append(f"{key} {{ {render_fields(sub, depth + 1)} }}")
        else:
            raise v.failure(
                f"a field must be a property name or {{name: [sub-fields]}}, got {item!r}"
            )
    return " ".join(parts)


def render_get(spec: GetSpec) -> str:
    """The GraphQL document of ``spec`` (its ``properties`` must be named, not None)."""
    if spec.properties is None:  # pragma: no cover - the handles name them for GraphQL
        raise AssertionError("a GraphQL query needs its properties named")
    args: list[tuple[str, str | None]] = [
        ("where", None if spec.where is None else spec.where.to_graphql()),
    ]
    if spec.search is not None:
        args.append((spec.search.kind, search_args(spec.search)))
    if spec.sort:
        keys = ", ".join(
            f"{{path: [{gql_string(p)}], order: {'asc' if up else 'desc'}}}" for p, up in spec.sort
        )
        args.append(("sort", f"[{keys}]"))
    args += [
        ("limit", None if spec.limit is None else str(spec.limit)),
        ("offset", None if spec.offset is None else str(spec.offset)),
        ("after", None if spec.after is None else gql_string(spec.after)),
        ("autocut", None if spec.autocut is None else str(spec.autocut)),
        ("tenant", None if spec.tenant is None else gql_string(spec.tenant)),
        ("consistencyLevel", spec.consistency_level),
    ]
    if spec.group_by is not None:
        prop, groups, per_group = spec.group_by
        args.append(
            (
                "groupBy",
                f"{{path: [{gql_string(prop)}], groups: {groups}, objectsPerGroup: {per_group}}}",
            )
        )
    rendered = ", ".join(f"{k}: {val}" for k, val in args if val is not None)
    selection = render_fields(spec.properties)
    extra = list(spec.metadata)
    if spec.vectors:
        extra.append("vectors { " + " ".join(spec.vectors) + " }")
    if extra or not selection:
        selection = (selection + " " if selection else "") + (
            "_additional { " + (" ".join(extra) or "id") + " }"
        )
    if spec.group_by is not None:
        selection = (
            "_additional { group { id groupedBy { value path } count maxDistance "
            f"minDistance hits {{ {selection} }} }} }}"
        )
    head = f"{spec.collection}({rendered})" if rendered else spec.collection
    return f"{{ Get {{ {head} {{ {selection} }} }} }}"


# -- parsing ------------------------------------------------------------------------------


def as_float(value: Any) -> float | None:
    """A JSON number (or its text) as a float; None for anything else, booleans too."""
    if isinstance(value, bool) or value is None:
        return None
    if type(value) is float:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def as_int(value: Any) -> int | None:
    """A JSON number (or its text) as an int; None for anything else, booleans too."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_NO_METADATA = MetadataReturn()
_NO_VECTORS: Mapping[str, Any] = {}
_NOTHING = (None,) * 7


def parse_object(row: Mapping[str, Any], collection: str) -> Object[Any]:
    """One GraphQL ``Get`` row as an :class:`Object`."""
    props = dict(row)
    extra = props.pop("_additional", None)
    # JSON gives dicts: the exact type check first, the ABC check only for others.
    if type(extra) is not dict and not isinstance(extra, Mapping):
        return Object(ZERO_UUID, props, _NO_METADATA, _NO_VECTORS, collection)
    # One pass over the keys present (a search asks for two or three of them).
    uid = ZERO_UUID
    created = updated = distance = certainty = score = explain = consistent = None
    vector = named = None
    for key, value in extra.items():
        if value is None:
            continue
        if key == "id":
            uid = _uuid.UUID(value)  # not a UUID: ValueError, the call fails as protocol_error
        elif key == "distance":
            distance = value if type(value) is float else as_float(value)
        elif key == "certainty":
            certainty = value if type(value) is float else as_float(value)
        elif key == "score":
            score = as_float(value)
        elif key == "explainScore":
            explain = value if isinstance(value, str) else None
        elif key == "creationTimeUnix":
            created = time_from_millis(as_int(value))
        elif key == "lastUpdateTimeUnix":
            updated = time_from_millis(as_int(value))
        elif key == "isConsistent":
            consistent = value if isinstance(value, bool) else None
        elif key == "vector":
            vector = value if isinstance(value, list) else None
        elif key == "vectors":
            named = value if isinstance(value, Mapping) else None
    found = (created, updated, distance, certainty, score, explain, consistent)
    metadata = _NO_METADATA if found == _NOTHING else MetadataReturn(*found)
    vecs = _NO_VECTORS if vector is None and named is None else vectors(vector, named)
    return Object(uid, props, metadata, vecs, collection)


def parse_get(spec: GetSpec, answer: Mapping[str, Any]) -> QueryReturn[Any] | GroupByReturn[Any]:
    """The checked GraphQL answer of ``spec`` as typed results."""
    rows = section(answer, "Get", spec.collection)
    collection = spec.collection
    if spec.group_by is not None:
        return _grouped(rows, collection)
    return QueryReturn(
        tuple(
            parse_object(r, collection) for r in rows if type(r) is dict or isinstance(r, Mapping)
        )
    )


def _grouped(rows: list[Any], collection: str) -> GroupByReturn[Any]:
    groups: dict[str, Group[Any]] = {}
    everything: list[GroupByObject[Any]] = []
    for row in rows:
        extra = row.get("_additional") if isinstance(row, Mapping) else None
        raw = extra.get("group") if isinstance(extra, Mapping) else None
        if not isinstance(raw, Mapping):
            continue
        by = raw.get("groupedBy")
        name = str(by.get("value")) if isinstance(by, Mapping) else str(raw.get("id"))
        members = []
        for hit in raw.get("hits") or ():
            if isinstance(hit, Mapping):
                o = parse_object(hit, collection)
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
        size = raw.get("count")
        groups[name] = Group(
            name=name,
            min_distance=as_float(raw.get("minDistance")),
            max_distance=as_float(raw.get("maxDistance")),
            number_of_objects=size if isinstance(size, int) else len(members),
            objects=tuple(members),
        )
        everything += members
    return GroupByReturn(tuple(everything), groups)


# -- sending ------------------------------------------------------------------------------


def graphql_request(
    operation: str, body: dict[str, Any], collection: str | None, tenant: str | None
) -> Request:
    """A ``POST /v1/graphql`` request (read-only, so idempotent: retried when enabled)."""
    return Request(
        "POST",
        PATH,
        operation,
        path_template=PATH,
        body=body,
        collection=collection,
        tenant=tenant,
        idempotent=True,
    )


def send(
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
    request = graphql_request(operation, body, collection, tenant)
    return call(request, options, lambda response: build(answer_of(response)))


def answer_of(response: Response) -> Mapping[str, Any]:
    """The JSON answer, checked to hold a ``data`` object."""
    answer = json_object(response)
    if not isinstance(answer.get("data"), Mapping):
        raise unexpected("GraphQL answer has no 'data' object", response)
    return answer


def section(answer: Mapping[str, Any], top: str, collection: str) -> list[Any]:
    """``data.<top>.<collection>``: the rows (empty when absent)."""
    part = answer["data"].get(top)
    rows = part.get(collection) if isinstance(part, Mapping) else None
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise unexpected(f"GraphQL {top}.{collection} is not a list")
    return rows
