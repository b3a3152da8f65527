"""JSON for typed results, through dataclasses-json, loaded on first use.

Every result type (``Meta``, ``WeaviateObject``, ``BatchResult``,
``QueryReturn`` …) is a frozen dataclass (most keep the server's answer
in ``raw``); this base adds ``to_dict()``/``to_json()`` without making
``import weaviate_telemetry`` pay for importing dataclasses-json and
marshmallow (the import budget of docs/performance.md).
"""

from __future__ import annotations

from typing import Any


class JsonResult:
    """``to_dict()`` and ``to_json()`` for a result dataclass (nested results included)."""

    __slots__ = ()

    def to_dict(self, encode_json: bool = False) -> dict[str, Any]:
        """The result as plain dicts/lists (``encode_json=True``: JSON-safe values only)."""
        from dataclasses_json import DataClassJsonMixin

        return DataClassJsonMixin.to_dict(self, encode_json=encode_json)  # type: ignore[arg-type]

    def to_json(self, **dumps_kwargs: Any) -> str:
        """The result as a JSON string (``json.dumps`` keywords pass through)."""
        from dataclasses_json import DataClassJsonMixin

        return DataClassJsonMixin.to_json(self, **dumps_kwargs)  # type: ignore[arg-type]
