"""Cluster state: what ``client.nodes()`` reports."""

from .._api.info import NodeStatus, ShardStatus

__all__ = ["NodeStatus", "ShardStatus"]
