"""The search results, in the official client v4's shape: one family for every path.

A search's hits are :class:`Object` values in a :class:`QueryReturn` (or
:class:`GroupByObject` values in a :class:`GroupByReturn` for a grouped
search), whichever transport served it: the GraphQL parser
(:mod:`.graphql`) and the gRPC decoder (:mod:`.grpc_search`) both build
these directly from the answer.

``Object`` is generic in its properties: a handle opened with
``data_model=Article`` (a ``TypedDict``) returns ``Object[Article]``, so
``obj.properties["title"]`` is typed ``str`` under mypy; without one the
properties are ``dict[str, Any]``.
"""

from __future__ import annotations

import datetime as _dt
import uuid as _uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, overload

from .._core.results import JsonResult

#: The name of a collection's one unnamed vector in ``Object.vector``.
DEFAULT_VECTOR = "default"

#: The properties of a handle opened without ``data_model=``.
DefaultProperties = dict[str, Any]
if TYPE_CHECKING:
    # The default (PEP 696) makes a bare ``Object``/``Collection`` mean
    # ``Object[dict[str, Any]]`` for type checkers; typing has it from 3.13 only,
    # and type checkers ship typing_extensions' stubs, so nothing is needed at run time.
    from typing_extensions import TypeVar

    #: The properties of an object: a ``TypedDict`` (``data_model=``) or ``dict[str, Any]``.
    P = TypeVar("P", bound=Mapping[str, Any], default=DefaultProperties)
else:
    from typing import TypeVar

    P = TypeVar("P", bound=Mapping[str, Any])
ZERO_UUID = _uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class MetadataReturn(JsonResult):
    """An object's metadata; fields not asked for (``return_metadata=``) are None."""

    creation_time: _dt.datetime | None = None
    last_update_time: _dt.datetime | None = None
    distance: float | None = None
    certainty: float | None = None
    score: float | None = None
    explain_score: str | None = None
    is_consistent: bool | None = None


@dataclass(frozen=True, slots=True)
class Object(JsonResult, Generic[P]):
    """One object: ``uuid``, ``properties``, ``metadata``, ``vector`` and ``collection``.

    ``vector`` maps vector names to vectors (``vector["default"]`` for a
    collection's one unnamed vector) and is empty unless asked for with
    ``include_vector=``.
    """

    uuid: _uuid.UUID
    properties: P
    metadata: MetadataReturn
    vector: Mapping[str, Any]
    collection: str
    references: None = None


@dataclass(frozen=True, slots=True)
class QueryReturn(JsonResult, Generic[P]):
    """The objects a query found, in the server's order (iterable and indexable too)."""

    objects: tuple[Object[P], ...]

    def __iter__(self) -> Iterator[Object[P]]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    @overload
    def __getitem__(self, index: int) -> Object[P]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Object[P], ...]: ...
    def __getitem__(self, index: int | slice) -> Object[P] | tuple[Object[P], ...]:
        return self.objects[index]


@dataclass(frozen=True, slots=True)
class GroupByObject(JsonResult, Generic[P]):
    """An :class:`Object` of a grouped search, with the group it ``belongs_to_group``."""

    uuid: _uuid.UUID
    properties: P
    metadata: MetadataReturn
    vector: Mapping[str, Any]
    collection: str
    belongs_to_group: str
    references: None = None


@dataclass(frozen=True, slots=True)
class Group(JsonResult, Generic[P]):
    """One group of a grouped search: its ``name`` (the property value) and ``objects``."""

    name: str
    min_distance: float | None
    max_distance: float | None
    number_of_objects: int
    objects: tuple[GroupByObject[P], ...]


@dataclass(frozen=True, slots=True)
class GroupByReturn(JsonResult, Generic[P]):
    """A grouped search: every object (in group order) and the ``groups`` by name."""

    objects: tuple[GroupByObject[P], ...]
    groups: Mapping[str, Group[P]] = field(default_factory=dict)


# -- helpers both decoders use --------------------------------------------------------------


def time_from_millis(millis: int | None) -> _dt.datetime | None:
    """Unix milliseconds (as Weaviate sends them) as an aware UTC datetime."""
    if millis is None:
        return None
    return _dt.datetime.fromtimestamp(millis / 1000, tz=_dt.timezone.utc)


def vectors(default: Sequence[float] | None, named: Mapping[str, Any] | None) -> dict[str, Any]:
    """``Object.vector``: the unnamed vector under ``"default"``, then the named ones."""
    out: dict[str, Any] = {}
    if default:
        out[DEFAULT_VECTOR] = list(default)
    for name, vec in (named or {}).items():
        if vec:
            out[name] = vec
    return out
