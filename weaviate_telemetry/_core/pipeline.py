"""Run one logical call: deadline, attempts, events, decoding and error mapping.

Flow: :class:`Request` → (per attempt) URL + headers + body → transport →
status/body → :class:`Response` or :class:`WeaviateError`. Events are
emitted around the call and each attempt; when nobody listens the only
cost is one dict truthiness check.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
import urllib3

from . import events as _bus
from . import retry as _retry
from .config import Config, Timeouts
from .endpoints import EndpointPool
from .errors import ErrorKind, WeaviateError, kind_for_status, message_from_body
from .models import Request, Response
from .redact import redact_url
from .transport import Urllib3Transport

_refs = itertools.count(1)
_monotonic = time.monotonic


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One base URL, pre-split for cheap URL building and telemetry."""

    base_url: str
    address: str
    port: int

    @classmethod
    def parse(cls, base_url: str) -> Endpoint:
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(base_url, parts.hostname or "", port)


def encode_body(body: Any) -> bytes | None:
    """JSON-encode a request body (bytes pass through)."""
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    try:
        return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        raise WeaviateError.from_kind(
            ErrorKind.VALIDATION_ERROR, f"request body is not JSON-serialisable: {exc}"
        ) from exc


def quote_segment(value: str) -> str:
    """Percent-encode one path segment (a name or id chosen by the user)."""
    return quote(value, safe="")


def _has_errors(body: Any) -> bool:
    return isinstance(body, Mapping) and bool(body.get("errors"))


def _outcome_facts(request: Request, body: Any) -> Mapping[str, Any]:
    return request.outcome_facts(body) if request.outcome_facts is not None else {}


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


class Executor:
    """Turns :class:`Request` values into responses for one client."""

    def __init__(self, config: Config, transport: Urllib3Transport | None = None) -> None:
        self.config = config
        self.transport = transport or Urllib3Transport(config)
        self.endpoints = EndpointPool([Endpoint.parse(u) for u in config.all_urls])
        prefix = config.telemetry_prefix
        self.ev_request = tuple((*prefix, "request", p) for p in ("start", "stop", "exception"))
        self.ev_attempt = tuple((*prefix, "attempt", p) for p in ("start", "stop", "exception"))
        self.ev_retry = (*prefix, "request", "retry")
        headers = {"User-Agent": config.user_agent, "Accept": "application/json"}
        headers.update(config.default_headers)
        if config.api_key is not None:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self.base_headers: dict[str, str] = headers
        self.default_timeout = urllib3.Timeout(
            connect=config.timeouts.connect, read=config.timeouts.read
        )
        self.budget = _retry.RetryBudget(config.retry.budget_ratio)
        self.closed = False

    # -- public entry -----------------------------------------------------------------

    def execute(self, request: Request, endpoint: Endpoint | None = None) -> Response:
        """Run the call; return the response or raise a WeaviateError."""
        if self.closed:
            raise WeaviateError.from_kind(
                ErrorKind.CONNECTION_ERROR,
                "the client is closed",
                method=request.method,
                path=request.path,
                operation=request.operation,
            )
        if _bus.has_handlers():
            return self._execute_observed(request, endpoint)
        return _retry.run(self, request, endpoint, None)

    # -- telemetry-wrapped path -----------------------------------------------------

    def call_metadata(self, request: Request, endpoint: Endpoint) -> dict[str, Any]:
        """Metadata shared by every event of one call (no secrets)."""
        meta: dict[str, Any] = {
            "ref": next(_refs),
            "operation": request.operation,
            "method": request.method,
            "path_template": request.path_template or request.path,
            "collection": request.collection,
            "tenant": request.tenant,
            "server_address": endpoint.address,
            "server_port": endpoint.port,
            "url": redact_url(endpoint.base_url + request.path),
            "metadata": {**_bus.current_metadata(), **(request.metadata or {})},
            # Filled by a tracing handler (trace_id/span_id of the logical span) so
            # later handlers of the same call, e.g. log lines, can correlate.
            "trace": {},
        }
        return meta

    def _execute_observed(self, request: Request, endpoint: Endpoint | None) -> Response:
        meta = self.call_metadata(request, endpoint or self.endpoints[self.endpoints.choose()])
        start = _monotonic()
        _bus.execute(self.ev_request[0], {"system_time": time.time()}, meta)
        try:
            response = _retry.run(self, request, endpoint, meta)
        except WeaviateError as err:
            _bus.execute(
                self.ev_request[2],
                {"duration": _monotonic() - start},
                {
                    **meta,
                    "status_code": err.status_code,
                    "error_kind": err.kind.value,
                    "attempt": err.attempts,
                    "attempts": err.attempts,
                    "request_id": err.request_id,
                    "error": err,
                    **_outcome_facts(request, None),
                },
            )
            raise
        except BaseException as exc:  # KeyboardInterrupt & co: still close the call's span
            _bus.execute(
                self.ev_request[2],
                {"duration": _monotonic() - start},
                {**meta, "status_code": None, "error_kind": type(exc).__name__, "error": exc},
            )
            raise
        _bus.execute(
            self.ev_request[1],
            {"duration": _monotonic() - start},
            {
                **meta,
                "status_code": response.status,
                "attempt": response.attempts,
                "attempts": response.attempts,
                "request_id": response.request_id,
                "error_kind": None,
                **_outcome_facts(request, response.body),
            },
        )
        return response

    # -- one attempt -------------------------------------------------------------------

    def attempt(
        self,
        request: Request,
        endpoint: Endpoint,
        deadline: float,
        number: int,
        call_meta: dict[str, Any] | None,
    ) -> Response:
        """Send one HTTP attempt, emitting attempt events when observed."""
        url = request.url_at(endpoint.base_url)
        headers = self.base_headers
        body = encode_body(request.body)
        if body is not None or request.headers:
            headers = dict(headers)
            if body is not None:
                headers["Content-Type"] = "application/json"
            if request.headers:
                headers.update(request.headers)
        timeouts = request.timeouts or self.config.timeouts
        remaining = deadline - _monotonic()
        if remaining <= 0:
            raise WeaviateError.from_kind(
                ErrorKind.TIMEOUT,
                f"total deadline of {timeouts.total:g}s exceeded",
            )
        timeout = self._timeout_for(timeouts, remaining, request.timeouts is None)
        pool_timeout = min(timeouts.pool, remaining)
        if call_meta is None:
            started = _monotonic()
            raw = self.transport.send(request.method, url, body, headers, timeout, pool_timeout)
            return self.to_response(
                request, raw.status, raw.headers, raw.data, url, started, number
            )
        attempt_meta = {
            **call_meta,
            "url": redact_url(url),
            "server_address": endpoint.address,
            "server_port": endpoint.port,
            "attempt": number,
            "propagation_headers": {},
        }
        started = _monotonic()
        _bus.execute(self.ev_attempt[0], {"system_time": time.time()}, attempt_meta)
        carrier = attempt_meta["propagation_headers"]
        if carrier:
            headers = {**headers, **carrier}
        try:
            raw = self.transport.send(request.method, url, body, headers, timeout, pool_timeout)
            response = self.to_response(
                request, raw.status, raw.headers, raw.data, url, started, number
            )
        except WeaviateError as err:
            _bus.execute(
                self.ev_attempt[2],
                {"duration": _monotonic() - started},
                {
                    **attempt_meta,
                    "status_code": err.status_code,
                    "error_kind": err.kind.value,
                    "request_id": err.request_id,
                    "error": err,
                },
            )
            raise
        except BaseException as exc:  # KeyboardInterrupt & co: still close the attempt's span
            _bus.execute(
                self.ev_attempt[2],
                {"duration": _monotonic() - started},
                {**attempt_meta, "status_code": None, "error_kind": type(exc).__name__},
            )
            raise
        _bus.execute(
            self.ev_attempt[1],
            {"duration": _monotonic() - started},
            {
                **attempt_meta,
                "status_code": response.status,
                "request_id": response.request_id,
                "error_kind": None,
            },
        )
        return response

    def _timeout_for(self, timeouts: Timeouts, remaining: float, default: bool) -> urllib3.Timeout:
        if default and remaining >= max(timeouts.connect, timeouts.read):
            return self.default_timeout
        return urllib3.Timeout(
            connect=min(timeouts.connect, remaining), read=min(timeouts.read, remaining)
        )

    # -- decoding and error mapping ------------------------------------------------------

    def to_response(
        self,
        request: Request,
        status: int,
        headers: Mapping[str, str],
        data: bytes,
        url: str,
        started: float,
        attempts: int,
    ) -> Response:
        """Decode the body and raise the mapped error for a non-2xx answer."""
        body: Any = None
        decode_error: Exception | None = None
        if data and request.decode:
            try:
                body = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                decode_error = exc
                body = data.decode("utf-8", "replace")
        response = Response(status, headers, body, data, url, _monotonic() - started, attempts)
        ok = 200 <= status < 300 or status in request.ok_statuses
        if ok and decode_error is not None:
            err = WeaviateError.from_kind(
                ErrorKind.PROTOCOL_ERROR,
                f"response body is not valid JSON: {decode_error}",
                status_code=status,
                details=data,
            )
            err.__cause__ = decode_error
            raise err
        if ok and request.raise_for_status and request.graphql and _has_errors(body):
            # A 200 with GraphQL errors failed, even with partial data (kept in details).
            raise WeaviateError.from_kind(
                ErrorKind.GRAPHQL_ERROR,
                message_from_body({"errors": body["errors"]}) or "GraphQL errors",
                status_code=status,
                details=body,
                request_id=response.request_id,
            )
        if ok or not request.raise_for_status:
            return response
        kind = kind_for_status(status)
        message = message_from_body(body) or _status_text(status)
        err = WeaviateError.from_kind(
            kind,
            message,
            status_code=status,
            details=body,
            request_id=response.request_id,
        )
        if kind is ErrorKind.RATE_LIMITED:
            err.retry_after = _retry.parse_retry_after(headers.get("retry-after"))
        raise err

    def close(self) -> None:
        """Release the pool; later calls fail with connection_error."""
        self.closed = True
        self.transport.close()
