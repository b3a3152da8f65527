"""One way through: a :class:`Request` in, a parsed answer or a :class:`WeaviateError` out.

The :class:`Pipeline` owns everything between the API layer and the wire,
in this order, and control never comes back up:

1. call events (``request.start`` … ``stop``/``exception``) and the deadline;
2. the attempt loop: choose an endpoint, send one attempt through the
   transport (with ``attempt.*`` events), decode, map the status;
3. after a failed attempt, ask :func:`retry.decide` (pure) whether and how
   long to wait; stamina sleeps (so its testing mode makes tests instant);
4. the answer's shape check (the ``parse`` callback of the call), *inside*
   the call's events, so a malformed answer is recorded as the failure the
   caller sees, never as a success;
5. error decoration (request, attempts, earlier errors, duration).

When nobody listens, the event path costs one dict truthiness check.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from . import events as _bus
from . import fork, retry
from .auth import AUTH_PREFIX, REFUSED_TOKEN_HINT, TokenSource
from .config import NO_RETRY, Config, Timeouts
from .endpoints import Endpoint, EndpointPool
from .errors import (
    ErrorKind,
    WeaviateError,
    as_caller_mistake,
    kind_for_status,
    message_from_body,
)
from .models import Request, Response, RpcCall, as_response, merge_headers
from .redact import redact_url
from .transport import RawResponse, Urllib3Transport

if TYPE_CHECKING:
    from .grpc_transport import GrpcTransport

T = TypeVar("T")
_Payload = tuple[bytes | None, Mapping[str, str]]

_refs = itertools.count(1)
#: An error answer larger than this (bytes) is not JSON-decoded; its first
#: ``_ERROR_TEXT_KEPT`` bytes are kept as text (docs/errors.md).
_ERROR_BODY_DECODED = 1 << 20
_ERROR_TEXT_KEPT = 8192
#: How long the readiness check of an endpoint back from its rest may take (s).
_READY_CHECK = 1.0
_monotonic = time.monotonic


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


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


# stamina logs every scheduled retry on its stdlib logger, which Python prints
# on stderr when the application configured no logging. Our retries are
# reported as events instead, so a filter drops stamina's records while one
# of *our* loops runs in this context; other stamina users are unaffected.
_in_our_retry: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "weaviate_telemetry_retrying", default=False
)


class _QuietOurRetries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _in_our_retry.get()


_quiet_filter: _QuietOurRetries | None = None


def _stamina_retry_context(
    policy_attempts: int, on: Callable[[BaseException], float | bool]
) -> Any:
    global _quiet_filter
    import stamina  # only clients that enable retries pay for importing it

    if _quiet_filter is None:
        _quiet_filter = _QuietOurRetries()
        logging.getLogger("stamina").addFilter(_quiet_filter)
    return stamina.retry_context(on=on, attempts=policy_attempts, timeout=None)


@contextlib.contextmanager
def _quiet_stamina() -> Iterator[None]:
    token = _in_our_retry.set(True)
    try:
        yield
    finally:
        _in_our_retry.reset(token)


# Event metadata added to a health probe's events (none for other calls).
_PROBE: dict[bool, dict[str, bool]] = {False: {}, True: {"probe": True}}


class Pipeline:
    """Runs :class:`Request` values for one client: one loop, decisions beside it, I/O below."""

    def __init__(
        self,
        config: Config,
        transport: Urllib3Transport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.transport = transport or Urllib3Transport(config)
        # Each endpoint's gRPC address: grpc_host (or the URL's host) for the primary,
        # the fallback URL's own host for fallbacks, all on grpc_port.
        self.endpoints = EndpointPool(
            [
                Endpoint.parse(u, config.grpc_port, config.grpc_host if i == 0 else None)
                for i, u in enumerate(config.all_urls)
            ],
            clock=clock,
        )
        prefix = config.telemetry_prefix
        self.ev_request = tuple((*prefix, "request", p) for p in ("start", "stop", "exception"))
        self.ev_attempt = tuple((*prefix, "attempt", p) for p in ("start", "stop", "exception"))
        self.ev_retry = (*prefix, "request", "retry")
        headers = {"User-Agent": config.user_agent, "Accept": "application/json"}
        headers.update(config.default_headers)
        if config.api_key is not None:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self.base_headers: dict[str, str] = headers
        # gRPC metadata keys must be lower-case; the user agent is a channel option.
        rpc_meta = [(k.lower(), val) for k, val in config.default_headers.items()]
        if config.api_key is not None:
            rpc_meta.append(("authorization", f"Bearer {config.api_key}"))
        self.rpc_metadata: tuple[tuple[str, str], ...] = tuple(rpc_meta)
        # OIDC: the current access token is added to each attempt (docs/authentication.md).
        self.auth: TokenSource | None = None
        if config.auth is not None and config.api_key is None:
            self.auth = TokenSource(config.auth, self._fetch)  # type: ignore[arg-type]
        self._grpc: GrpcTransport | None = None
        self._grpc_lock = fork.lock()
        self.budget = retry.RetryBudget(config.retry.budget_ratio)
        self.closed = False
        _bus.register_state(self.telemetry_state)

    def telemetry_state(self) -> dict[str, Any]:
        """Pool use, resting endpoints and the OIDC token's seconds to expiry, sampled by
        metric handlers (nothing once closed)."""
        if self.closed:
            return {}
        resting = set(self.endpoints.resting())
        auth = self.auth
        expires_in = auth.expires_in() if auth is not None else None
        return {
            "auth_tokens": []
            if auth is None or expires_in is None
            else [(auth.provider.issuer if auth.provider else "", expires_in)],
            "connections": self.transport.pool_use(),
            "endpoints": [
                (endpoint.address, endpoint.port, index in resting)
                for index, endpoint in enumerate(self.endpoints)
            ],
        }

    # -- 1. the call ---------------------------------------------------------------------

    def execute(
        self,
        request: Request,
        parse: Callable[[Response], T] = as_response,  # type: ignore[assignment]
        endpoint: Endpoint | None = None,
    ) -> T:
        """Run the call and return ``parse(response)``, or raise a WeaviateError.

        ``parse`` checks the answer's shape and builds the result; any error it
        raises (a non-SDK exception becomes ``protocol_error``) fails the call
        in telemetry exactly as the caller sees it. ``endpoint`` pins the call
        to one endpoint (health probes), bypassing the endpoint pool.
        """
        if self.closed:
            raise WeaviateError.from_kind(
                ErrorKind.CONNECTION_ERROR,
                "the client is closed",
                method=request.method,
                path=request.path,
                operation=request.operation,
            )
        started = _monotonic()
        # One choice of endpoint serves the call's metadata and its first attempt.
        index = 0 if endpoint is not None else self.endpoints.choose(ready=self._ready)
        if not _bus.has_handlers():
            response = self._attempts(request, endpoint, index, None, started)
            return self._parse(request, parse, response, started)
        meta = self.call_metadata(request, endpoint or self.endpoints[index])
        _bus.execute(self.ev_request[0], {"system_time": time.time()}, meta)
        try:
            response = self._attempts(request, endpoint, index, meta, started)
            value = self._parse(request, parse, response, started)
        except WeaviateError as err:
            _bus.execute(
                self.ev_request[2],
                {"duration": _monotonic() - started},
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
                {"duration": _monotonic() - started},
                {**meta, "status_code": None, "error_kind": type(exc).__name__, "error": exc},
            )
            raise
        _bus.execute(
            self.ev_request[1],
            {"duration": _monotonic() - started},
            {
                **meta,
                "status_code": response.status,
                "attempt": response.attempts,
                "attempts": response.attempts,
                "request_id": response.request_id,
                "error_kind": None,
                **_outcome_facts(request, value),
            },
        )
        return value

    def probe_request(self, path: str, operation: str, timeout: float) -> Request:
        """A health probe of ``path``: one attempt within ``timeout`` s, any status answered.

        One attempt whatever the client's policy: the caller polls, and a probe
        neither spends the retry budget real calls need nor earns it. Its events
        carry ``probe: True``.
        """
        cfg = self.config.timeouts
        timeouts = Timeouts(
            connect=min(cfg.connect, timeout),
            read=timeout,
            total=timeout,
            pool=min(cfg.pool, timeout),
        )
        return Request(
            "GET",
            path,
            operation,
            timeouts=timeouts,
            retry=NO_RETRY,
            raise_for_status=False,
            decode=False,
            probe=True,
        )

    def _ready(self, index: int) -> bool:
        """Whether an endpoint back from its rest is ready for real calls again.

        A restarting Weaviate answers HTTP before ``/v1/.well-known/ready`` says
        so, and reads it coordinates then can miss recent writes: one probe
        (at most ``_READY_CHECK`` seconds) decides. A 404 (a proxy without the
        path) counts as ready.
        """
        wait = min(_READY_CHECK, self.config.timeouts.read)
        request = self.probe_request("/v1/.well-known/ready", "health.ready", wait)
        try:
            status = self.execute(request, as_response, self.endpoints[index]).status
        except WeaviateError:
            return False
        return 200 <= status < 300 or status == 404

    def call_metadata(self, request: Request, endpoint: Endpoint) -> dict[str, Any]:
        """Metadata shared by every event of one call (no secrets)."""
        rpc = request.rpc
        if rpc is not None and endpoint.grpc_target is not None:
            return {
                "ref": next(_refs),
                "operation": request.operation,
                "method": request.method,
                "path_template": request.path_template or request.path,
                "collection": request.collection,
                "tenant": request.tenant,
                "server_address": endpoint.grpc_address,
                "server_port": endpoint.grpc_port,
                "url": _rpc_url(endpoint, rpc),
                "metadata": {**_bus.current_metadata(), **(request.metadata or {})},
                "trace": {},
                "transport": "grpc",
                "rpc_method": rpc.full_method,
                **_PROBE[request.probe],
            }
        return {
            "transport": "http",
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
            **_PROBE[request.probe],
        }

    def observe(self, request: Request, run: Callable[[], T]) -> T:
        """Request events around ``run()``, a logical call made of other calls.

        ``client.health.wait_until_ready`` is one: its probes are calls of their
        own (marked ``probe``), and the wait itself stops, or fails with the
        caller's error when it gives up.
        """
        if not _bus.has_handlers():
            return run()
        meta = self.call_metadata(request, self.endpoints[0])
        started = _monotonic()
        _bus.execute(self.ev_request[0], {"system_time": time.time()}, meta)
        try:
            value = run()
        except WeaviateError as err:
            _bus.execute(
                self.ev_request[2],
                {"duration": _monotonic() - started},
                {
                    **meta,
                    "status_code": err.status_code,
                    "error_kind": err.kind.value,
                    "error": err,
                },
            )
            raise
        except BaseException as exc:
            _bus.execute(
                self.ev_request[2],
                {"duration": _monotonic() - started},
                {**meta, "status_code": None, "error_kind": type(exc).__name__, "error": exc},
            )
            raise
        _bus.execute(
            self.ev_request[1],
            {"duration": _monotonic() - started},
            {**meta, "status_code": None, "error_kind": None},
        )
        return value

    # -- 2./3. the attempt loop ----------------------------------------------------------

    def _attempts(
        self,
        request: Request,
        pinned: Endpoint | None,
        index: int,
        meta: dict[str, Any] | None,
        started: float,
    ) -> Response:
        timeouts = request.timeouts or self.config.timeouts
        deadline = started + timeouts.total
        policy = request.retry or self.config.retry
        pool = self.endpoints
        if not request.probe:  # a health check polling a down server must not earn retries
            self.budget.deposit()
        try:
            # Encoded once per call, not once per attempt (retried batches are large).
            payload = self._http_payload(request)
            if self.auth is not None and _needs_token(request):
                self.auth.token()  # obtained or renewed when due (an identity provider call)
            if not policy.enabled:
                return self._attempt_at(request, payload, pinned, index, deadline, 1, meta)
        except WeaviateError as err:
            raise self._decorate(err, request, pinned, index, 1, (), started) from err.__cause__
        earlier: list[WeaviateError] = []
        refusals: list[str] = []
        number = 0

        def on_failure(exc: BaseException) -> bool | float:
            nonlocal index
            if not isinstance(exc, WeaviateError):
                return False
            idempotent = request.is_idempotent
            if request.rpc is not None and exc.kind is ErrorKind.TIMEOUT:
                # DEADLINE_EXCEEDED: the server may still apply a write; repeat reads only.
                idempotent = idempotent and request.rpc.read
            decision = retry.decide(
                policy,
                self.budget,
                error=exc,
                attempt=number,
                idempotent=idempotent,
                time_left=deadline - _monotonic(),
            )
            if decision.reason is not None:
                exc.message += f" (no retry: {decision.reason})"
                refusals.append(decision.refused or decision.reason)
            if decision.wait is None:
                return False
            earlier.append(exc)
            if pinned is None and exc.kind in retry.ENDPOINT_DOWN:
                index = pool.choose(avoid=index, ready=self._ready)
            if meta is not None:
                _bus.execute(
                    self.ev_retry,
                    {"wait": decision.wait},
                    {
                        **meta,
                        "attempt": number,
                        "error_kind": exc.kind.value,
                        "status_code": exc.status_code,
                        "wait_source": decision.source,
                        "next_server_address": (pinned or pool[index]).address,
                    },
                )
            return decision.wait

        try:
            with _quiet_stamina():
                for attempt in _stamina_retry_context(policy.max_attempts, on_failure):
                    with attempt:
                        number += 1
                        return self._attempt_at(
                            request, payload, pinned, index, deadline, number, meta
                        )
        except WeaviateError as err:
            if meta is not None and refusals:
                meta["retry_refused"] = refusals[-1]
            raise self._decorate(
                err, request, pinned, index, number, earlier, started
            ) from err.__cause__
        raise AssertionError("unreachable: stamina ended without a result or an error")

    def _http_payload(self, request: Request) -> _Payload | None:
        """The encoded body and the headers of an HTTP request (None for gRPC)."""
        if request.rpc is not None:
            return None
        headers = self.base_headers
        body = encode_body(request.body)
        if body is not None or request.headers:
            headers = dict(headers)
            if body is not None:
                headers["Content-Type"] = "application/json"
            if request.headers:
                headers = merge_headers(headers, request.headers)
        return body, headers

    def _attempt_at(
        self,
        request: Request,
        payload: _Payload | None,
        pinned: Endpoint | None,
        index: int,
        deadline: float,
        number: int,
        meta: dict[str, Any] | None,
    ) -> Response:
        """One attempt at the pinned endpoint or pool entry ``index``; keeps the pool's health."""
        if pinned is not None:
            return self._authorized_attempt(request, payload, pinned, deadline, number, meta)
        try:
            response = self._authorized_attempt(
                request, payload, self.endpoints[index], deadline, number, meta
            )
        except WeaviateError as err:
            if err.kind in retry.ENDPOINT_DOWN:
                self.endpoints.mark_dead(index)
            raise
        self.endpoints.mark_alive(index)
        return response

    def _authorized_attempt(
        self,
        request: Request,
        payload: _Payload | None,
        endpoint: Endpoint,
        deadline: float,
        number: int,
        call_meta: dict[str, Any] | None,
    ) -> Response:
        """One attempt with the current access token; an expired one is renewed and resent once."""
        auth = self.auth
        if auth is None or not _needs_token(request):
            return self._attempt(request, payload, endpoint, deadline, number, call_meta)
        sent = auth.current()
        try:
            return self._attempt(request, payload, endpoint, deadline, number, call_meta, sent)
        except WeaviateError as err:
            if err.kind is not ErrorKind.UNAUTHORIZED or not auth.recover(sent, err):
                raise
        try:
            return self._attempt(
                request, payload, endpoint, deadline, number, call_meta, auth.current()
            )
        except WeaviateError as err:
            if err.kind is ErrorKind.UNAUTHORIZED:  # refused although just renewed
                err.hint = REFUSED_TOKEN_HINT
            raise

    def _fetch(
        self, request: Request, endpoint: Endpoint | None, parse: Callable[[Response], T]
    ) -> T:
        """A call of the token source: to Weaviate's pool, or pinned to the identity provider."""
        return self.execute(request, parse, endpoint)

    def _attempt(
        self,
        request: Request,
        payload: _Payload | None,
        endpoint: Endpoint,
        deadline: float,
        number: int,
        call_meta: dict[str, Any] | None,
        token: str | None = None,
    ) -> Response:
        """Send one HTTP (or gRPC) attempt, emitting attempt events when observed."""
        if payload is None:  # a gRPC call
            assert request.rpc is not None
            return self._rpc_attempt(
                request, request.rpc, endpoint, deadline, number, call_meta, token
            )
        url = request.url_at(endpoint.base_url)
        body, headers = payload
        if token is not None and not _sets_authorization(request):
            headers = {**headers, "Authorization": f"Bearer {token}"}
        timeouts = request.timeouts or self.config.timeouts
        remaining = deadline - _monotonic()
        if remaining <= 0:
            raise WeaviateError.from_kind(
                ErrorKind.TIMEOUT, f"total deadline of {timeouts.total:g}s exceeded"
            )
        # Each attempt's timeouts are capped by the time left until the deadline.
        if request.timeouts is None and remaining >= max(timeouts.connect, timeouts.read):
            connect = read = None  # the transport's configured defaults
        else:
            connect, read = min(timeouts.connect, remaining), min(timeouts.read, remaining)
        pool_timeout = min(timeouts.pool, remaining)
        if call_meta is None or not _bus.listens(self.ev_attempt):
            # Nobody listens to attempts (e.g. only loguru's request lines): skip building them.
            started = _monotonic()
            raw = self.transport.send(
                request.method, url, body, headers, connect, read, pool_timeout, deadline
            )
            return self._decode(request, raw, url, started, number)
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
            raw = self.transport.send(
                request.method, url, body, headers, connect, read, pool_timeout, deadline
            )
            response = self._decode(request, raw, url, started, number)
        except WeaviateError as err:
            _bus.execute(
                self.ev_attempt[2],
                {"duration": _monotonic() - started, "pool_wait": self.transport.last_pool_wait()},
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
            {"duration": _monotonic() - started, "pool_wait": self.transport.last_pool_wait()},
            {
                **attempt_meta,
                "status_code": response.status,
                "request_id": response.request_id,
                "error_kind": None,
            },
        )
        return response

    # -- one gRPC attempt ------------------------------------------------------------------

    def _grpc_transport(self) -> GrpcTransport:
        grpc_transport = self._grpc
        if grpc_transport is None:
            with self._grpc_lock:
                if self._grpc is None:
                    try:  # grpc is imported on the first gRPC call only
                        from .grpc_transport import GrpcTransport
                    except ImportError as exc:
                        raise WeaviateError.from_kind(
                            ErrorKind.VALIDATION_ERROR,
                            "grpc_port is set but grpcio is not installed: "
                            "pip install 'weaviate-telemetry[grpc]' (or unset grpc_port)",
                        ) from exc
                    self._grpc = GrpcTransport(self.config)
                grpc_transport = self._grpc
        return grpc_transport

    def _open_channel(self, transport: GrpcTransport, endpoint: Endpoint, remaining: float) -> None:
        """Create the endpoint's channel, sized by the server's ``grpcMaxMessageSize``."""
        from .grpc_transport import DEFAULT_MAX_MESSAGE_SIZE

        size = DEFAULT_MAX_MESSAGE_SIZE
        timeouts = self.config.timeouts
        headers = self.base_headers
        token = self.auth.current() if self.auth is not None else None
        if token is not None:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        try:
            raw = self.transport.send(
                "GET",
                endpoint.base_url + "/v1/meta",
                None,
                headers,
                min(timeouts.connect, remaining),
                min(timeouts.read, remaining),
                min(timeouts.pool, remaining),
                _monotonic() + remaining,
            )
            if raw.status == 200:
                announced = orjson.loads(raw.data).get("grpcMaxMessageSize")
                if isinstance(announced, int) and not isinstance(announced, bool) and announced > 0:
                    size = announced
        except (WeaviateError, orjson.JSONDecodeError, AttributeError):
            pass  # the RPC itself reports an unreachable server
        assert endpoint.grpc_target is not None
        transport.open(endpoint.grpc_target, endpoint.secure, size)

    def open_stream(
        self, rpc: RpcCall, requests: Iterator[Any], avoid: int | None = None
    ) -> tuple[Any, int]:
        """Open the bidirectional gRPC stream ``rpc.method`` on a live endpoint (not
        ``avoid`` when another is live): its :class:`ReplyStream` and the endpoint's index.

        The stream's logic (window, resends, pacing) is the caller's (docs/batch.md);
        this only chooses the endpoint and carries the client's credentials.
        """
        if self.closed:
            raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
        index = self.endpoints.choose(avoid=avoid, ready=self._ready)
        endpoint = self.endpoints[index]
        target = endpoint.grpc_target
        if target is None:
            raise WeaviateError.from_kind(
                ErrorKind.VALIDATION_ERROR, f"{rpc.method} needs a client with a grpc_port"
            )
        transport = self._grpc_transport()
        if not transport.has_channel(target):
            self._open_channel(transport, endpoint, self.config.timeouts.total)
        metadata: tuple[tuple[str, str], ...] = self.rpc_metadata
        if self.auth is not None:
            metadata = (*metadata, ("authorization", f"Bearer {self.auth.token()}"))
        return transport.open_stream(target, rpc.method, requests, rpc.reply, metadata), index

    def grpc_health(self, endpoint: Endpoint, timeout: float) -> str:
        """``grpc.health.v1.Health/Check`` of the endpoint's gRPC server (doctor)."""
        target = endpoint.grpc_target
        if target is None:
            raise WeaviateError.from_kind(ErrorKind.VALIDATION_ERROR, "no gRPC port configured")
        transport = self._grpc_transport()
        if not transport.has_channel(target):
            self._open_channel(transport, endpoint, timeout)
        return transport.health(target, timeout)

    def _rpc_attempt(
        self,
        request: Request,
        rpc: RpcCall,
        endpoint: Endpoint,
        deadline: float,
        number: int,
        call_meta: dict[str, Any] | None,
        token: str | None = None,
    ) -> Response:
        target = endpoint.grpc_target
        if target is None:
            raise WeaviateError.from_kind(
                ErrorKind.VALIDATION_ERROR,
                f"{request.operation} was built for gRPC but the client has no grpc_port",
            )
        transport = self._grpc_transport()
        timeouts = request.timeouts or self.config.timeouts
        remaining = deadline - _monotonic()
        if remaining <= 0:
            raise WeaviateError.from_kind(
                ErrorKind.TIMEOUT, f"total deadline of {timeouts.total:g}s exceeded"
            )
        if not transport.has_channel(target):
            self._open_channel(transport, endpoint, remaining)
            remaining = deadline - _monotonic()
        metadata: tuple[tuple[str, str], ...] | list[tuple[str, str]] = self.rpc_metadata
        if token is not None:
            metadata = (*metadata, ("authorization", f"Bearer {token}"))
        if request.headers:  # they replace the client's, as over REST (gRPC keys: lower case)
            merged = merge_headers(dict(metadata), request.headers)
            metadata = [(k.lower(), val) for k, val in merged.items()]
        url = _rpc_url(endpoint, rpc)
        # Each attempt's deadline: the read timeout, capped by the time left.
        timeout = max(min(timeouts.read, remaining), 0.001)
        if call_meta is None:
            started = _monotonic()
            reply = _send_rpc(transport, target, rpc, metadata, timeout, request.operation)
            return Response(200, {}, reply, b"", url, _monotonic() - started, number)
        attempt_meta = {
            **call_meta,
            "url": url,
            "server_address": endpoint.grpc_address,
            "server_port": endpoint.grpc_port,
            "attempt": number,
            "transport": "grpc",
            "rpc_method": rpc.full_method,
            "propagation_headers": {},
        }
        started = _monotonic()
        _bus.execute(self.ev_attempt[0], {"system_time": time.time()}, attempt_meta)
        carrier = attempt_meta["propagation_headers"]
        if carrier:
            metadata = [*metadata, *((k.lower(), str(val)) for k, val in carrier.items())]
        try:
            reply = _send_rpc(transport, target, rpc, metadata, timeout, request.operation)
        except WeaviateError as err:
            _bus.execute(
                self.ev_attempt[2],
                {"duration": _monotonic() - started},
                {
                    **attempt_meta,
                    "status_code": None,
                    "rpc_status": err.rpc_status,
                    "error_kind": err.kind.value,
                    "request_id": None,
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
        duration = _monotonic() - started
        _bus.execute(
            self.ev_attempt[1],
            {"duration": duration},
            {
                **attempt_meta,
                "status_code": 200,
                "rpc_status": "OK",
                "request_id": None,
                "error_kind": None,
            },
        )
        return Response(200, {}, reply, b"", url, duration, number)

    # -- decoding, status mapping, the shape check, decoration ----------------------------

    def _decode(
        self, request: Request, raw: RawResponse, url: str, started: float, attempts: int
    ) -> Response:
        """Decode the body and raise the mapped error for a non-2xx or GraphQL-error answer."""
        status, headers, data = raw.status, raw.headers, raw.data
        body: Any = None
        decode_error: Exception | None = None
        if (
            len(data) > _ERROR_BODY_DECODED
            and request.raise_for_status
            and not (200 <= status < 300 or status in request.ok_statuses)
        ):
            # A huge error answer is not decoded (its message and details are capped
            # anyway): its start is kept as text.
            body = data[:_ERROR_TEXT_KEPT].decode("utf-8", "replace")
        elif data and request.decode:
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
            raise as_caller_mistake(
                WeaviateError.from_kind(
                    ErrorKind.GRAPHQL_ERROR,
                    message_from_body({"errors": body["errors"]}) or "GraphQL errors",
                    status_code=status,
                    details=body,
                    request_id=response.request_id,
                ),
                request.operation,
            )
        if ok or not request.raise_for_status:
            return response
        kind = kind_for_status(status)
        err = as_caller_mistake(
            WeaviateError.from_kind(
                kind,
                message_from_body(body) or _status_text(status),
                status_code=status,
                details=body,
                request_id=response.request_id,
            ),
            request.operation,
        )
        kind = err.kind
        if kind is ErrorKind.RATE_LIMITED or status in (502, 503, 504):
            err.retry_after = retry.parse_retry_after(headers.get("retry-after"))
        raise err

    def _parse(
        self, request: Request, parse: Callable[[Response], T], response: Response, started: float
    ) -> T:
        """Check the answer's shape; an unexpected shape is the call's ``protocol_error``."""
        try:
            return parse(response)
        except WeaviateError as err:
            err.status_code = err.status_code or response.status
            raise self._decorate_at(
                err, request, response.url, response.attempts, (), started
            ) from err.__cause__
        except (LookupError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            failure = WeaviateError.from_kind(
                ErrorKind.PROTOCOL_ERROR,
                f"unexpected answer for {request.operation}: {type(exc).__name__}: {exc}",
                status_code=response.status,
                details=response.body,
                request_id=response.request_id,
            )
            raise self._decorate_at(
                failure, request, response.url, response.attempts, (), started
            ) from exc

    def _decorate(
        self,
        err: WeaviateError,
        request: Request,
        pinned: Endpoint | None,
        index: int,
        attempts: int,
        earlier: tuple[WeaviateError, ...] | list[WeaviateError],
        started: float,
    ) -> WeaviateError:
        endpoint = pinned or self.endpoints[index]
        if request.rpc is not None and endpoint.grpc_target is not None:
            url = _rpc_url(endpoint, request.rpc)
        else:
            url = request.url_at(endpoint.base_url)
        return self._decorate_at(err, request, url, attempts, earlier, started)

    @staticmethod
    def _decorate_at(
        err: WeaviateError,
        request: Request,
        url: str,
        attempts: int,
        earlier: tuple[WeaviateError, ...] | list[WeaviateError],
        started: float,
    ) -> WeaviateError:
        err.method = request.method
        err.path = request.path
        err.url = redact_url(url)
        err.operation = request.operation
        err.attempts = attempts
        err.errors = tuple(earlier)
        err.duration = _monotonic() - started
        return err

    def close(self) -> None:
        """Release the pool; later calls fail with connection_error."""
        self.closed = True
        self.transport.close()
        if self._grpc is not None:
            self._grpc.close()


def _send_rpc(
    transport: GrpcTransport,
    target: str,
    rpc: RpcCall,
    metadata: Any,
    timeout: float,
    operation: str,
) -> Any:
    """One RPC; a failure the caller caused gets the kind it has on every transport."""
    try:
        return transport.call(target, rpc, metadata, timeout)
    except WeaviateError as err:
        raise as_caller_mistake(err, operation) from err.__cause__


def _rpc_url(endpoint: Endpoint, rpc: RpcCall) -> str:
    scheme = "grpcs" if endpoint.secure else "grpc"
    return f"{scheme}://{endpoint.grpc_target}/{rpc.full_method}"


def _needs_token(request: Request) -> bool:
    """Calls that carry the OIDC token: not the token source's own, nor health probes
    (Weaviate's ``/v1/.well-known/*`` are public, and an identity provider that is
    down must not make Weaviate look down)."""
    return not request.probe and not request.operation.startswith(AUTH_PREFIX)


def _sets_authorization(request: Request) -> bool:
    """Whether the call's own headers replace the client's ``Authorization``."""
    headers = request.headers
    return headers is not None and any(k.lower() == "authorization" for k in headers)


def _has_errors(body: Any) -> bool:
    return isinstance(body, Mapping) and bool(body.get("errors"))


def _outcome_facts(request: Request, body: Any) -> Mapping[str, Any]:
    return request.outcome_facts(body) if request.outcome_facts is not None else {}
