"""Typed views of ``/v1/meta`` and ``/v1/nodes`` answers (raw dict kept)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core import validate as v
from .._core.models import Request, Response, json_object, quote_segment, unexpected
from .._core.results import JsonResult


@dataclass(frozen=True, slots=True)
class Meta(JsonResult):
    """Server identity from ``GET /v1/meta``."""

    version: str
    hostname: str
    modules: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Meta:
        return cls(
            version=str(data.get("version", "")),
            hostname=str(data.get("hostname", "")),
            modules=dict(data.get("modules") or {}),
            raw=data,
        )

    @property
    def version_tuple(self) -> tuple[int, ...]:
        """``"1.39.0"`` → ``(1, 39, 0)`` (pre-release suffixes dropped)."""
        parts = []
        for piece in self.version.split("-")[0].split("."):
            if not piece.isdigit():
                break
            parts.append(int(piece))
        return tuple(parts)


@dataclass(frozen=True, slots=True)
class ShardStatus(JsonResult):
    """One shard as reported by ``/v1/nodes?output=verbose``."""

    name: str
    collection: str
    object_count: int
    vector_indexing_status: str
    raw: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class NodeStatus(JsonResult):
    """One cluster node from ``GET /v1/nodes``."""

    name: str
    status: str
    version: str
    git_hash: str
    shards: tuple[ShardStatus, ...]
    object_count: int | None
    shard_count: int | None
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NodeStatus:
        stats = data.get("stats") or {}
        shards = tuple(
            ShardStatus(
                name=str(s.get("name", "")),
                collection=str(s.get("class", "")),
                object_count=int(s.get("objectCount") or 0),
                vector_indexing_status=str(s.get("vectorIndexingStatus", "")),
                raw=s,
            )
            for s in (data.get("shards") or [])
        )
        return cls(
            name=str(data.get("name", "")),
            status=str(data.get("status", "")),
            version=str(data.get("version", "")),
            git_hash=str(data.get("gitHash", "")),
            shards=shards,
            object_count=stats.get("objectCount"),
            shard_count=stats.get("shardCount"),
            raw=data,
        )


#: ``GET /v1/meta``: server version, hostname and modules.
META_REQUEST = Request("GET", "/v1/meta", "meta")


def parse_meta(response: Response) -> Meta:
    """The :class:`Meta` of a ``/v1/meta`` answer."""
    return Meta.from_dict(json_object(response))


def nodes_request(output: str, collection: str | None) -> Request:
    """``GET /v1/nodes`` (of one collection's shards), checked."""
    output = v.choice(output, "output", ("minimal", "verbose"))
    path, template = "/v1/nodes", "/v1/nodes"
    if collection is not None:
        collection = v.collection_name(collection)
        path, template = f"/v1/nodes/{quote_segment(collection)}", "/v1/nodes/{collection}"
    return Request(
        "GET",
        path,
        "nodes",
        path_template=template,
        params={"output": output},
        collection=collection,
    )


def parse_nodes(response: Response) -> list[NodeStatus]:
    """The nodes of a ``/v1/nodes`` answer."""
    nodes = json_object(response).get("nodes")
    if not isinstance(nodes, list):
        raise unexpected("nodes answer has no 'nodes' list", response)
    return [NodeStatus.from_dict(n) for n in nodes if isinstance(n, Mapping)]
