"""Deterministic object ids."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from .errors import ErrorKind, WeaviateError


def generate_uuid5(data: Any, namespace: Any = None) -> str:
    """A stable UUIDv5 for ``data``, so re-importing the same item upserts it.

    Strings are used as they are; other values are JSON-encoded with sorted
    keys first. ``namespace`` (any value, stringified) separates id spaces.

    Example::

        wt.generate_uuid5({"sku": "A-17"})  # same input, same id, every run
    """
    if isinstance(data, str):
        text = data
    else:
        try:
            text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError as exc:
            raise WeaviateError.from_kind(
                ErrorKind.VALIDATION_ERROR, f"generate_uuid5: data is not JSON-encodable: {exc}"
            ) from exc
    if namespace is not None:
        text = f"{namespace}{text}"
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, text))
