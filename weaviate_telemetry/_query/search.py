"""Plan a :class:`GetSpec`: the one request to send and the pure function that reads its answer.

Callers (the collection handles, ``client.query.get``) make exactly one
pipeline call with what :func:`plan` returns, so the same plan runs on any
driver that can send a :class:`Request` and hand the :class:`Response` to
the parse function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._core import validate as v
from .._core.models import Request, Response, unexpected
from . import graphql
from .results import GroupByReturn, QueryReturn
from .spec import GetSpec

TRANSPORTS = ("grpc", "graphql")
RPC_SEARCH = "/weaviate.v1.Weaviate/Search"
Result = QueryReturn[Any] | GroupByReturn[Any]


def over_grpc(spec: GetSpec, rpc: bool, transport: str | None) -> bool:
    """Whether ``spec`` goes over gRPC: wanted (client has a port, or forced) and expressible.

    ``transport="grpc"`` for a spec gRPC cannot express raises ``validation_error``.
    """
    if transport is not None and transport not in TRANSPORTS:
        raise v.invalid("transport", transport, "None, 'grpc' or 'graphql'")
    if transport == "grpc" or (transport is None and rpc):
        from .grpc_search import unsupported  # protobuf is imported on first use

        reason = unsupported(spec)
        if reason is None:
            return True
        if transport == "grpc":
            raise v.failure(f"this query cannot be sent over gRPC: {reason}")
    return False


def plan(spec: GetSpec, operation: str, grpc: bool) -> tuple[Request, Callable[[Response], Result]]:
    """The request for ``spec`` (gRPC ``Search`` or ``POST /v1/graphql``) and its parser."""
    if grpc:
        from . import grpc_search

        rpc = grpc_search.search_call(spec)
        request = Request(
            "POST",
            RPC_SEARCH,
            operation,
            path_template=RPC_SEARCH,
            collection=spec.collection,
            tenant=spec.tenant,
            idempotent=True,
            rpc=rpc,
        )

        def parse_reply(response: Response) -> Result:
            if not isinstance(response.body, rpc.reply):
                raise unexpected("gRPC answer is not a SearchReply", response)
            return grpc_search.decode(spec, response.body)

        return request, parse_reply
    request = graphql.graphql_request(
        operation, {"query": graphql.render_get(spec)}, spec.collection, spec.tenant
    )

    def parse_answer(response: Response) -> Result:
        return graphql.parse_get(spec, graphql.answer_of(response))

    return request, parse_answer
