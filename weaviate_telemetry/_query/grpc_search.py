"""A :class:`GetSpec` as a gRPC ``Search`` request, and its reply as typed results.

The handles (and ``client.query.get``) use this module (imported on first
use) when the client knows a gRPC port and the spec is expressible in
gRPC. The reply is decoded straight into :class:`Object` values
(:mod:`.results`), the same values the GraphQL parser builds from the
same search:

- ints stay ints, dates stay the RFC 3339 strings GraphQL returns, geo
  coordinates are ``{latitude, longitude}`` and phone numbers the GraphQL
  camelCase dict, each cut to the sub-fields that were asked for;
- float32 values (vectors, distances, scores, geo) are the shortest
  decimal that round-trips in float32, as Weaviate's JSON writes them;
- without a property selection (``properties=None``) the server returns
  every non-reference property (``return_all_nonref_properties``): blobs
  are left out and phone numbers cut, as the GraphQL selection of the
  same schema would.
"""

from __future__ import annotations

import struct
import uuid as _uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .._core.grpc_stubs.v1 import base_pb2, base_search_pb2, properties_pb2, search_get_pb2
from .._core.models import RpcCall
from .filters import Filter, GeoRange
from .results import (
    DEFAULT_VECTOR,
    ZERO_UUID,
    MetadataReturn,
    Object,
    QueryReturn,
    time_from_millis,
)
from .spec import GetSpec, Search

GEO_FIELDS = frozenset({"latitude", "longitude"})
PHONE_FIELDS = {
    "input": "input",
    "internationalFormatted": "international_formatted",
    "countryCode": "country_code",
    "national": "national",
    "nationalFormatted": "national_formatted",
    "defaultCountry": "default_country",
    "valid": "valid",
}
_CONSISTENCY = {
    "ONE": base_pb2.CONSISTENCY_LEVEL_ONE,
    "QUORUM": base_pb2.CONSISTENCY_LEVEL_QUORUM,
    "ALL": base_pb2.CONSISTENCY_LEVEL_ALL,
}
_FUSION = {
    "rankedFusion": base_search_pb2.Hybrid.FUSION_TYPE_RANKED,
    "relativeScoreFusion": base_search_pb2.Hybrid.FUSION_TYPE_RELATIVE_SCORE,
}
_OPERATORS = {
    "Equal": base_pb2.Filters.OPERATOR_EQUAL,
    "NotEqual": base_pb2.Filters.OPERATOR_NOT_EQUAL,
    "GreaterThan": base_pb2.Filters.OPERATOR_GREATER_THAN,
    "GreaterThanEqual": base_pb2.Filters.OPERATOR_GREATER_THAN_EQUAL,
    "LessThan": base_pb2.Filters.OPERATOR_LESS_THAN,
    "LessThanEqual": base_pb2.Filters.OPERATOR_LESS_THAN_EQUAL,
    "And": base_pb2.Filters.OPERATOR_AND,
    "Or": base_pb2.Filters.OPERATOR_OR,
    "Not": base_pb2.Filters.OPERATOR_NOT,
    "WithinGeoRange": base_pb2.Filters.OPERATOR_WITHIN_GEO_RANGE,
    "Like": base_pb2.Filters.OPERATOR_LIKE,
    "IsNull": base_pb2.Filters.OPERATOR_IS_NULL,
    "ContainsAny": base_pb2.Filters.OPERATOR_CONTAINS_ANY,
    "ContainsAll": base_pb2.Filters.OPERATOR_CONTAINS_ALL,
    "ContainsNone": base_pb2.Filters.OPERATOR_CONTAINS_NONE,
}
#: The phone sub-fields a handle selects over GraphQL when it returns every property.
SCHEMA_PHONE_FIELDS = (
    "input",
    "internationalFormatted",
    "countryCode",
    "national",
    "nationalFormatted",
)
_SINGLE = base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32
#: Weaviate's default page size for GraphQL (``QUERY_DEFAULTS_LIMIT_GRAPHQL``).
GRAPHQL_DEFAULT_LIMIT = 100
_F32 = struct.Struct("<f")


# -- what gRPC can express ----------------------------------------------------------------


def unsupported(spec: GetSpec) -> str | None:
    """Why ``spec`` needs GraphQL (None when gRPC can serve it)."""
    search = spec.search
    if search is not None and search.kind == "nearText":
        return f"{search.kind} is sent over GraphQL only"
    if spec.group_by is not None:
        return "group_by is sent over GraphQL only"
    reason = _fields_unsupported(spec.properties or ())
    if reason is not None:
        return reason
    if spec.where is not None:
        return _filter_unsupported(spec.where)
    return None


def _fields_unsupported(fields: Sequence[Any]) -> str | None:
    for item in fields:
        if isinstance(item, Mapping):
            for key, sub in item.items():
                subs = [sub] if isinstance(sub, (str, Mapping)) else list(sub)
                if key.startswith("...") or any(
                    isinstance(s, Mapping) and any(str(k).startswith("...") for k in s)
                    for s in subs
                ):
                    return f"reference field {key!r} is read over GraphQL only"
                nested = [s for s in subs if isinstance(s, Mapping)]
                reason = _fields_unsupported(nested)
                if reason is not None:
                    return reason
    return None


def _filter_unsupported(node: Filter) -> str | None:
    if node.operands:
        for op in node.operands:
            reason = _filter_unsupported(op)
            if reason is not None:
                return reason
        return None
    if len(node.path) not in (1, 3):
        return f"filter path {list(node.path)} is sent over GraphQL only"
    return None


# -- request ------------------------------------------------------------------------------


def search_call(spec: GetSpec) -> RpcCall:
    """The ``Search`` RPC for ``spec`` (which :func:`unsupported` accepted)."""
    req = search_get_pb2.SearchRequest(collection=spec.collection, uses_127_api=True)
    if spec.tenant is not None:
        req.tenant = spec.tenant
    if spec.consistency_level is not None:
        req.consistency_level = _CONSISTENCY[spec.consistency_level]
    # Without a limit the server's defaults differ per API (QUERY_DEFAULTS_LIMIT_GRAPHQL
    # 100, QUERY_DEFAULTS_LIMIT 10 for gRPC); send GraphQL's so both paths agree.
    req.limit = spec.limit if spec.limit is not None else GRAPHQL_DEFAULT_LIMIT
    if spec.offset is not None:
        req.offset = spec.offset
    if spec.after is not None:
        req.after = spec.after
    if spec.autocut is not None:
        req.autocut = spec.autocut
    for path, ascending in spec.sort:
        req.sort_by.append(search_get_pb2.SortBy(ascending=ascending, path=[path]))
    if spec.where is not None:
        req.filters.CopyFrom(to_filters(spec.where))
    additional = spec.metadata
    req.metadata.CopyFrom(
        search_get_pb2.MetadataRequest(
            uuid=True,
            vector="vector" in additional,
            creation_time_unix="creationTimeUnix" in additional,
            last_update_time_unix="lastUpdateTimeUnix" in additional,
            # certainty is derived from the float32 distance as GraphQL does (below)
            distance="distance" in additional or "certainty" in additional,
            certainty="certainty" in additional,
            score="score" in additional,
            explain_score="explainScore" in additional,
            is_consistent="isConsistent" in additional,
            vectors=list(spec.vectors),
        )
    )
    if spec.properties is None:
        req.properties.CopyFrom(search_get_pb2.PropertiesRequest(return_all_nonref_properties=True))
    else:
        primitive, objects = _properties_request(spec.properties)
        # An explicit (possibly empty) list: without one the server returns every property.
        req.properties.CopyFrom(
            search_get_pb2.PropertiesRequest(
                non_ref_properties=primitive, object_properties=objects
            )
        )
    if spec.search is not None:
        _set_search(req, spec.search)
    return RpcCall("Search", req, search_get_pb2.SearchReply, True)


def _properties_request(
    fields: Sequence[Any],
) -> tuple[list[str], list[search_get_pb2.ObjectPropertiesRequest]]:
    primitive: list[str] = []
    objects: list[search_get_pb2.ObjectPropertiesRequest] = []
    for item in fields:
        if isinstance(item, str):
            primitive.append(item)
            continue
        for key, sub in item.items():
            subs = [sub] if isinstance(sub, (str, Mapping)) else list(sub)
            names = {s for s in subs if isinstance(s, str)}
            if len(names) == len(subs) and (names <= GEO_FIELDS or names <= set(PHONE_FIELDS)):
                primitive.append(key)  # geo / phone: one value, cut to the sub-fields later
                continue
            inner_primitive, inner_objects = _properties_request(subs)
            objects.append(
                search_get_pb2.ObjectPropertiesRequest(
                    prop_name=key,
                    primitive_properties=inner_primitive,
                    object_properties=inner_objects,
                )
            )
    return primitive, objects


def vector_bytes(vector: Sequence[float]) -> bytes:
    """Little-endian float32 bytes, as Weaviate's gRPC API wants vectors."""
    return struct.pack(f"<{len(vector)}f", *vector)


def _near_vector(
    vector: Sequence[float],
    targets: Sequence[str] | None,
    distance: float | None = None,
    certainty: float | None = None,
) -> base_search_pb2.NearVector:
    near = base_search_pb2.NearVector()
    _vector_into(near, vector, targets)
    if distance is not None:
        near.distance = distance
    if certainty is not None:
        near.certainty = certainty
    return near


def _vector_into(message: Any, vector: Sequence[float], targets: Sequence[str] | None) -> None:
    data = vector_bytes(vector)
    if not targets:
        message.vector_bytes = data
        return
    message.targets.CopyFrom(base_search_pb2.Targets(target_vectors=list(targets)))
    if len(targets) == 1:
        message.vectors.append(base_pb2.Vectors(name=targets[0], vector_bytes=data, type=_SINGLE))
        return
    for name in targets:
        message.vector_for_targets.append(
            base_search_pb2.VectorForTarget(
                name=name, vectors=[base_pb2.Vectors(name=name, vector_bytes=data, type=_SINGLE)]
            )
        )


def _set_search(req: search_get_pb2.SearchRequest, search: Search) -> None:
    kind, targets = search.kind, search.targets
    if kind == "nearVector":
        assert search.vector is not None
        req.near_vector.CopyFrom(
            _near_vector(search.vector, targets, search.distance, search.certainty)
        )
    elif kind == "nearObject":
        near = base_search_pb2.NearObject(id=search.object_id)
        if targets:
            near.targets.CopyFrom(base_search_pb2.Targets(target_vectors=list(targets)))
        if search.distance is not None:
            near.distance = search.distance
        if search.certainty is not None:
            near.certainty = search.certainty
        req.near_object.CopyFrom(near)
    elif kind == "bm25":
        req.bm25_search.CopyFrom(
            base_search_pb2.BM25(query=search.query, properties=list(search.properties or ()))
        )
    elif kind == "hybrid":
        # use_alpha_param: without it the server reads the deprecated `alpha` (0 = keyword only).
        hybrid = base_search_pb2.Hybrid(
            query=search.query, properties=list(search.properties or ()), use_alpha_param=True
        )
        if search.alpha is not None:
            hybrid.alpha_param = search.alpha
        if search.fusion_type is not None:
            hybrid.fusion_type = _FUSION[search.fusion_type]
        if search.vector is not None:
            hybrid.near_vector.CopyFrom(_near_vector(search.vector, targets))
        if targets:
            hybrid.targets.CopyFrom(base_search_pb2.Targets(target_vectors=list(targets)))
        if search.max_vector_distance is not None:
            hybrid.vector_distance = search.max_vector_distance
        req.hybrid_search.CopyFrom(hybrid)
    else:  # pragma: no cover - unsupported() keeps other operators on GraphQL
        raise AssertionError(f"no gRPC form for {kind}")


def to_filters(node: Filter) -> base_pb2.Filters:
    """The ``base_pb2.Filters`` tree of a :class:`Filter`."""
    out = base_pb2.Filters(operator=_OPERATORS[node.operator])
    if node.operands:
        out.filters.extend(to_filters(op) for op in node.operands)
        return out
    path = node.path
    if len(path) == 1:
        out.target.CopyFrom(base_pb2.FilterTarget(property=path[0]))
    else:  # reference, collection, property
        out.target.CopyFrom(
            base_pb2.FilterTarget(
                multi_target=base_pb2.FilterReferenceMultiTarget(
                    on=path[0],
                    target_collection=path[1],
                    target=base_pb2.FilterTarget(property=path[2]),
                )
            )
        )
    value, kind = node.value, node.value_type
    if isinstance(value, tuple):
        if kind == "int":
            out.value_int_array.CopyFrom(base_pb2.IntArray(values=list(value)))
        elif kind == "number":
            out.value_number_array.CopyFrom(base_pb2.NumberArray(values=list(value)))
        elif kind == "boolean":
            out.value_boolean_array.CopyFrom(base_pb2.BooleanArray(values=list(value)))
        else:  # text, date
            out.value_text_array.CopyFrom(base_pb2.TextArray(values=list(value)))
    elif isinstance(value, GeoRange):
        out.value_geo.CopyFrom(
            base_pb2.GeoCoordinatesFilter(
                latitude=value.latitude, longitude=value.longitude, distance=value.distance
            )
        )
    elif kind == "int":
        out.value_int = value
    elif kind == "number":
        out.value_number = value
    elif kind == "boolean":
        out.value_boolean = value
    else:  # text, date (RFC 3339 text)
        out.value_text = value
    return out


# -- reply --------------------------------------------------------------------------------


def f32(value: float) -> float:
    """The shortest decimal that round-trips as float32 (how Weaviate's JSON writes one)."""
    bits = _F32.pack(value)
    for digits in (6, 7, 8):
        candidate = float(f"{value:.{digits}g}")
        if _F32.pack(candidate) == bits:
            return candidate
    return float(f"{value:.9g}")


def _floats(data: bytes) -> list[float]:
    return [f32(x) for x in struct.unpack(f"<{len(data) // 4}f", data)]


def decode(spec: GetSpec, reply: search_get_pb2.SearchReply) -> QueryReturn[Any]:
    """The reply as the :class:`QueryReturn` the GraphQL parser gives for the same spec."""
    fields = spec.properties
    wanted = spec.metadata
    with_id = "id" in wanted or not (wanted or spec.vectors or fields)
    # "id" is the object's uuid, not metadata: a search that asks for nothing else
    # shares one empty MetadataReturn (most searches; it is per object, so it counts).
    with_metadata = any(name != "id" for name in wanted)
    collection = spec.collection
    out = []
    for result in reply.results:
        props = result.properties.non_ref_props
        meta = result.metadata
        out.append(
            Object(
                uuid=_uuid.UUID(meta.id) if with_id and meta.id else ZERO_UUID,
                properties=_all_properties(props)
                if fields is None
                else _properties_row(fields, props),
                metadata=_metadata(wanted, meta) if with_metadata else _NO_METADATA,
                vector=_vectors(wanted, spec.vectors, meta),
                collection=collection,
            )
        )
    return QueryReturn(tuple(out))


_NO_METADATA = MetadataReturn()


def _all_properties(props: properties_pb2.Properties) -> dict[str, Any]:
    """Every non-reference property the server sent, as a GraphQL selection of all
    of them would read (blobs left out, phone numbers cut to the selected sub-fields)."""
    row: dict[str, Any] = {}
    values = props.fields
    for key in values:
        value = values[key]
        kind = value.WhichOneof("kind")
        if kind in _SCALAR_KINDS:  # most values: no second look at the kind
            row[key] = getattr(value, kind)
        elif kind == "phone_value":
            converted = convert(value)
            row[key] = {k: converted[k] for k in SCHEMA_PHONE_FIELDS}
        elif kind != "blob_value":
            row[key] = convert(value)
    return row


#: The value kinds whose field is the Python value as GraphQL's JSON gives it.
_SCALAR_KINDS = frozenset(
    ("text_value", "int_value", "number_value", "bool_value", "date_value", "uuid_value")
)


def _properties_row(fields: Sequence[Any], props: properties_pb2.Properties) -> dict[str, Any]:
    values = props.fields
    row: dict[str, Any] = {}
    for item in fields:
        if isinstance(item, str):
            row[item] = convert(values[item]) if item in values else None
            continue
        for key, sub in item.items():
            subs = [sub] if isinstance(sub, (str, Mapping)) else list(sub)
            if key not in values:
                row[key] = None
                continue
            value = convert(values[key])
            row[key] = _select(value, subs)
    return row


def _select(value: Any, subs: Sequence[Any]) -> Any:
    """Cut a geo/phone/object value (or a list of objects) to the requested sub-fields."""
    if isinstance(value, list):
        return [_select(v, subs) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for s in subs:
        if isinstance(s, str):
            out[s] = value.get(s)
        else:
            for key, inner in s.items():
                inner_subs = [inner] if isinstance(inner, (str, Mapping)) else list(inner)
                out[key] = _select(value.get(key), inner_subs)
    return out


def convert(value: properties_pb2.Value) -> Any:
    """One gRPC property value as the Python value GraphQL's JSON gives."""
    kind = value.WhichOneof("kind")
    if kind == "text_value":
        return value.text_value
    if kind == "int_value":
        return value.int_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "date_value":
        return value.date_value
    if kind == "uuid_value":
        return value.uuid_value
    if kind == "geo_value":
        geo = value.geo_value
        return {"latitude": f32(geo.latitude), "longitude": f32(geo.longitude)}
    if kind == "object_value":
        return {k: convert(v) for k, v in value.object_value.fields.items()}
    if kind == "list_value":
        return _list(value.list_value)
    if kind == "blob_value":
        return value.blob_value
    if kind == "phone_value":
        phone = value.phone_value
        return {name: getattr(phone, attr) for name, attr in PHONE_FIELDS.items()}
    return None  # null_value or unset


def _list(values: properties_pb2.ListValue) -> list[Any]:
    kind = values.WhichOneof("kind")
    if kind == "text_values":
        return list(values.text_values.values)
    if kind == "int_values":
        data = values.int_values.values
        return list(struct.unpack(f"<{len(data) // 8}q", data))
    if kind == "number_values":
        data = values.number_values.values
        return list(struct.unpack(f"<{len(data) // 8}d", data))
    if kind == "bool_values":
        return list(values.bool_values.values)
    if kind == "date_values":
        return list(values.date_values.values)
    if kind == "uuid_values":
        return list(values.uuid_values.values)
    if kind == "object_values":
        return [
            {k: convert(v) for k, v in item.fields.items()} for item in values.object_values.values
        ]
    return []


def _metadata(wanted: Sequence[str], meta: search_get_pb2.MetadataResult) -> MetadataReturn:
    distance = certainty = score = None
    if "distance" in wanted and meta.distance_present:
        distance = f32(meta.distance)
    if "certainty" in wanted:
        if meta.distance_present and meta.certainty_present:
            # GraphQL computes 1 - d/2 in float64 from the float32 distance.
            certainty = 1.0 - meta.distance / 2.0
        elif meta.certainty_present:
            certainty = f32(meta.certainty)
    if "score" in wanted and meta.score_present:
        score = f32(meta.score)
    created = updated = None
    if "creationTimeUnix" in wanted and meta.creation_time_unix_present:
        created = meta.creation_time_unix
    if "lastUpdateTimeUnix" in wanted and meta.last_update_time_unix_present:
        updated = meta.last_update_time_unix
    return MetadataReturn(
        creation_time=time_from_millis(created),
        last_update_time=time_from_millis(updated),
        distance=distance,
        certainty=certainty,
        score=score,
        explain_score=(
            meta.explain_score if "explainScore" in wanted and meta.explain_score_present else None
        ),
        is_consistent=(
            meta.is_consistent if "isConsistent" in wanted and meta.is_consistent_present else None
        ),
    )


def _vectors(
    wanted: Sequence[str], named: Sequence[str], meta: search_get_pb2.MetadataResult
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "vector" in wanted:
        if meta.vector_bytes:
            out[DEFAULT_VECTOR] = _floats(meta.vector_bytes)
        elif meta.vector:
            out[DEFAULT_VECTOR] = [f32(x) for x in meta.vector]
    if named:
        for vec in meta.vectors:
            if vec.vector_bytes:
                out[vec.name] = _floats(vec.vector_bytes)
    return out
