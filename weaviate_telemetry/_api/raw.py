"""``client.raw``: any Weaviate endpoint, with the SDK's validation, telemetry and errors.

Stable: the call goes through the same config, timeouts, retry rules (by
method unless ``idempotent=True``), telemetry (operation ``raw``) and error
taxonomy as every other call, and returns a :class:`Response`. Not stable:
the server's paths and body shapes themselves, which are Weaviate's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core import validate as v
from .._core.models import Request, Response, as_response
from .._core.options import resolve
from .operation import Async, M, Namespace, Plan, Sync, operation

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core.config import CallOverrides

_METHOD = re.compile(r"[A-Z]{3,10}")
_PATH = re.compile(r"/(?!/)[^\s?#]*")


def path_template(path: str) -> str:
    """A low-cardinality form of a raw path: ids and names beyond the resource become ``{}``."""
    segments = path.split("/")
    kept = segments[:3]  # "", "v1", resource
    kept += ["{}" for _ in segments[3:]]
    return "/".join(kept) or "/"


class RawOf(Namespace[M]):
    """The escape hatch for endpoints the SDK does not wrap (yet); one class for both clients
    (:mod:`.operation`): on ``wt.AsyncClient`` :meth:`request` returns an awaitable."""

    __slots__ = ()

    @operation
    def request(
        self,
        /,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        raise_for_status: bool = True,
        **overrides: Unpack[CallOverrides],
    ) -> Plan[Response]:
        """Send ``method path`` below the base URL and return the :class:`Response`.

        ``body`` is JSON-encoded unless it is ``bytes``. With
        ``raise_for_status=False`` non-2xx answers are returned instead of
        raised (transport failures still raise). ``headers=`` is the per-call
        keyword every call takes: added to the request, replacing the client's
        of the same name.

        Example::

            r = client.raw.request("GET", "/v1/schema", params={"consistency": "true"})
            r.status, r.json()
        """
        request = raw_request(method, path, params, body, raise_for_status)
        return Plan(request, resolve(overrides), as_response)


#: ``client.raw`` of ``wt.Client``; ``AsyncRaw`` is the same class for ``wt.AsyncClient``.
Raw = RawOf[Sync]
AsyncRaw = RawOf[Async]


def raw_request(
    method: str,
    path: str,
    params: Mapping[str, Any] | None,
    body: Any,
    raise_for_status: bool,
) -> Request:
    """The checked :class:`Request` of a raw call (shared by the sync and async clients)."""
    if not isinstance(method, str) or not method.isascii() or not _METHOD.fullmatch(method.upper()):
        raise v.invalid("method", method, "an HTTP method such as GET, POST, PUT, PATCH, DELETE")
    if not isinstance(path, str) or not _PATH.fullmatch(path):
        # Never echo a query string: it is where credentials get pasted.
        shown = path.split("?", 1)[0] + "?…" if isinstance(path, str) and "?" in path else path
        raise v.invalid(
            "path",
            shown,
            "an absolute path such as /v1/meta, without query (use params=) or spaces",
        )
    params = v.query_params(params)
    if not isinstance(raise_for_status, bool):
        raise v.invalid("raise_for_status", raise_for_status, "True or False")
    return Request(
        method.upper(),
        path,
        "raw",
        path_template=path_template(path),
        params=params,
        body=body,
        raise_for_status=raise_for_status,
    )
