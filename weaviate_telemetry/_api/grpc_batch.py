"""A chunk of REST batch objects as a gRPC ``BatchObjects`` request, and its reply.

:meth:`Batch.insert_objects` uses this module (imported on first use) when
the client knows a gRPC port. The REST object bodies (already validated,
ids assigned) are converted; a chunk holding a value gRPC cannot carry
faithfully (a reference, an int beyond 2**53, a mixed list …) is sent over
REST instead, so no value is ever altered by the choice of transport.

The reply lists only failures (``index`` into the chunk, server message);
every object it does not list was stored.
"""

from __future__ import annotations

import datetime as _dt
import struct
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import struct_pb2

from .._core.grpc_stubs.v1 import base_pb2, batch_pb2
from .._core.models import RpcCall

_CONSISTENCY = {
    "ONE": base_pb2.CONSISTENCY_LEVEL_ONE,
    "QUORUM": base_pb2.CONSISTENCY_LEVEL_QUORUM,
    "ALL": base_pb2.CONSISTENCY_LEVEL_ALL,
}
_SINGLE = base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32
_MULTI = base_pb2.Vectors.VECTOR_TYPE_MULTI_FP32
_EXACT_INT = 2**53  # Struct numbers are doubles


class Unsupported(Exception):
    """A value gRPC cannot carry faithfully: the chunk goes over REST."""


def batch_call(
    bodies: Sequence[Mapping[str, Any]], level: str | None
) -> tuple[RpcCall | None, list[int], dict[int, str]]:
    """The ``BatchObjects`` RPC for REST object bodies (None when one needs REST).

    Also returns the chunk positions the request carries, in order (the reply's
    ``index`` counts among them), and the positions refused because protobuf
    cannot encode them (position → message): those fail alone, the rest is sent.
    Validation refuses such values before; this is the net under it.
    """
    objects: list[batch_pb2.BatchObject] = []
    sent: list[int] = []
    refused: dict[int, str] = {}
    for position, body in enumerate(bodies):
        try:
            objects.append(_object(body))
        except Unsupported:
            return None, [], {}
        except (ValueError, TypeError, OverflowError, struct.error) as exc:
            refused[position] = f"cannot encode this object for gRPC: {type(exc).__name__}: {exc}"
            continue
        sent.append(position)
    if not objects:
        return None, sent, refused
    req = batch_pb2.BatchObjectsRequest(objects=objects)
    if level is not None:
        req.consistency_level = _CONSISTENCY[level]
    return RpcCall("BatchObjects", req, batch_pb2.BatchObjectsReply, False), sent, refused


def failures(reply: batch_pb2.BatchObjectsReply) -> dict[int, str]:
    """Chunk position → the server's message(s) for every object that was not stored."""
    out: dict[int, str] = {}
    for error in reply.errors:
        text = error.error or "the server reported this object as failed without a message"
        out[error.index] = f"{out[error.index]}; {text}" if error.index in out else text
    return out


def _floats(vector: Sequence[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)


def _object(body: Mapping[str, Any]) -> batch_pb2.BatchObject:
    obj = batch_pb2.BatchObject(uuid=str(body["id"]), collection=body["class"])
    tenant = body.get("tenant")
    if tenant:
        obj.tenant = tenant
    vector = body.get("vector")
    if vector is not None:
        obj.vector_bytes = _floats(vector)
    for name, vec in (body.get("vectors") or {}).items():
        if vec and isinstance(vec[0], (list, tuple)):  # a multi-vector
            data = struct.pack("<H", len(vec[0])) + b"".join(_floats(v) for v in vec)
            obj.vectors.append(base_pb2.Vectors(name=name, vector_bytes=data, type=_MULTI))
        else:
            obj.vectors.append(base_pb2.Vectors(name=name, vector_bytes=_floats(vec), type=_SINGLE))
    _properties_into(obj.properties, body.get("properties") or {})
    return obj


def _scalar(value: Any) -> Any:
    """A JSON scalar for the Struct part (as orjson would send it over REST)."""
    if value is None or isinstance(value, (str, bool, float)):
        return value
    if isinstance(value, int):
        if abs(value) > _EXACT_INT:
            raise Unsupported
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise Unsupported
        return value.isoformat()
    raise Unsupported


def _is_special(value: Mapping[str, Any]) -> bool:
    """Geo coordinates and phone numbers travel as Struct values, like scalars."""
    keys = set(value)
    return keys <= {"latitude", "longitude"} or "input" in keys


def _properties_into(target: Any, props: Mapping[str, Any]) -> None:
    """Fill a BatchObject.Properties or ObjectPropertiesValue from a property dict."""
    plain: dict[str, Any] = {}
    for name, value in props.items():
        if isinstance(value, Mapping):
            if "beacon" in value:
                raise Unsupported
            if _is_special(value):
                plain[name] = {k: _scalar(x) for k, x in value.items()}
            else:
                inner = base_pb2.ObjectPropertiesValue()
                _properties_into(inner, value)
                target.object_properties.append(
                    base_pb2.ObjectProperties(prop_name=name, value=inner)
                )
        elif isinstance(value, (list, tuple)):
            _array_into(target, name, value)
        elif value is not None:
            plain[name] = _scalar(value)
    if plain:
        struct_value = struct_pb2.Struct()
        struct_value.update(plain)
        target.non_ref_properties.CopyFrom(struct_value)


def _array_into(target: Any, name: str, values: Sequence[Any]) -> None:
    if not values:
        target.empty_list_props.append(name)
    elif all(isinstance(x, str) for x in values):
        target.text_array_properties.append(
            base_pb2.TextArrayProperties(prop_name=name, values=list(values))
        )
    elif all(isinstance(x, bool) for x in values):
        target.boolean_array_properties.append(
            base_pb2.BooleanArrayProperties(prop_name=name, values=list(values))
        )
    elif all(isinstance(x, int) and not isinstance(x, bool) for x in values):
        if any(abs(x) >= 2**63 for x in values):
            raise Unsupported
        target.int_array_properties.append(
            base_pb2.IntArrayProperties(prop_name=name, values=list(values))
        )
    elif all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values):
        target.number_array_properties.append(
            base_pb2.NumberArrayProperties(
                prop_name=name,
                values_bytes=struct.pack(f"<{len(values)}d", *values),
            )
        )
    elif all(isinstance(x, uuid.UUID) for x in values):
        target.text_array_properties.append(
            base_pb2.TextArrayProperties(prop_name=name, values=[str(x) for x in values])
        )
    elif all(isinstance(x, Mapping) and "beacon" not in x for x in values):
        items = []
        for x in values:
            inner = base_pb2.ObjectPropertiesValue()
            _properties_into(inner, x)
            items.append(inner)
        target.object_array_properties.append(
            base_pb2.ObjectArrayProperties(prop_name=name, values=items)
        )
    else:
        raise Unsupported
