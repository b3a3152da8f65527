"""One way through: a :class:`Request` in, a parsed answer or a :class:`WeaviateError` out.

The :class:`Pipeline` owns every decision between the API layer and the wire,
for the sync and the async client alike, in this order:

1. call events (``request.start`` … ``stop``/``exception``) and the deadline;
2. the attempt loop: choose an endpoint (an endpoint back from its rest
   must say it is ready), send one attempt (with ``attempt.*`` events),
   decode, map the status;
3. after a failed attempt, ask :func:`retry.decide` (pure) whether and how
   long to wait; stamina counts the attempts (its testing mode caps them and
   skips the waits);
4. the answer's shape check (the ``parse`` callback of the call), *inside*
   the call's events, so a malformed answer is recorded as the failure the
   caller sees, never as a success;
5. error decoration (request, attempts, earlier errors, duration).

It does no I/O: a call is a generator of :mod:`.effects` ("send this
attempt", "sleep") that a driver performs and answers
(:mod:`.sync_driver`, :mod:`.async_driver`). When nobody listens, the event
path costs one dict truthiness check.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import Any, TypeVar

import orjson

from . import events as _bus
from . import retry
from .auth import AUTH_PREFIX, REFUSED_TOKEN_HINT, TokenSource
from .config import NO_RETRY, Config, Timeouts
from .effects import (
    DEFAULT_MAX_MESSAGE_SIZE,
    HasChannel,
    OpenChannel,
    RpcHealth,
    Send,
    SendRpc,
    Sleep,
    Steps,
)
from .endpoints import Endpoint, EndpointPool
from .errors import (
    ErrorKind,
    WeaviateError,
    as_caller_mistake,
    kind_for_status,
    message_from_body,
)
from .models import RawResponse, Request, Response, RpcCall, as_response, merge_headers
from .redact import redact_url

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


class _Observed:
    """The ``start`` event now, then exactly one of ``stop`` / ``exception`` on exit.

    The one place the pipeline emits a call's or an attempt's events: the
    body fills :attr:`facts` (the stop event's metadata) and may point
    :attr:`send` at its HTTP attempt (its pool wait is measured);
    ``on_error`` adds facts for a WeaviateError. Any other exception (a
    cancelled task, ``KeyboardInterrupt``) still closes the span, with
    ``error_kind`` saying what ended it (``cancelled`` for asyncio).
    """

    __slots__ = ("facts", "meta", "names", "on_error", "send", "started")

    def __init__(
        self,
        names: tuple[tuple[str, ...], ...],
        meta: dict[str, Any],
        on_error: Callable[[WeaviateError], Mapping[str, Any]] | None = None,
    ) -> None:
        self.names = names
        self.meta = meta
        self.on_error = on_error
        self.facts: Mapping[str, Any] = {}
        self.send: Send | None = None
        self.started = 0.0

    def __enter__(self) -> _Observed:
        self.started = _monotonic()
        _bus.execute(self.names[0], {"system_time": time.time()}, self.meta)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        measured = {"duration": _monotonic() - self.started}
        if self.send is not None:
            measured["pool_wait"] = self.send.pool_wait
        if exc is None:
            _bus.execute(self.names[1], measured, {**self.meta, **self.facts})
        elif isinstance(exc, WeaviateError):
            facts = {
                **self.meta,
                "status_code": exc.status_code,
                "error_kind": exc.kind.value,
                "request_id": exc.request_id,
                "error": exc,
            }
            if self.on_error is not None:
                facts.update(self.on_error(exc))
            _bus.execute(self.names[2], measured, facts)
        else:
            _bus.execute(
                self.names[2],
                measured,
                {**self.meta, "status_code": None, "error_kind": _exit_kind(exc), "error": exc},
            )


def _exit_kind(exc: BaseException) -> str:
    """``error_kind`` of a call ended by something other than a WeaviateError."""
    # By name: importing asyncio here would cost every sync client its import time.
    if type(exc).__name__ == "CancelledError":
        return "cancelled"
    return type(exc).__name__


class Pipeline:
    """Runs :class:`Request` values for one client as steps (docs/architecture.md).

    Every decision of a call is here, once; :meth:`call` yields the
    :mod:`.effects` (send this attempt, sleep) that a driver performs, the
    sync one (:class:`.sync_driver.SyncPipeline`) or the async one
    (:class:`.async_driver.AsyncPipeline`).
    """

    def __init__(
        self,
        config: Config,
        clock: Callable[[], float] = time.monotonic,
        new_lock: Callable[[], Any] = threading.Lock,
    ) -> None:
        self.config = config
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
            # Its token requests are calls of this pipeline; its lock is the driver's kind.
            self.auth = TokenSource(config.auth, self._token_call, lock=new_lock())  # type: ignore[arg-type]
        self.budget = retry.RetryBudget(config.retry.budget_ratio)
        self.closed = False

    def pool_use(self) -> list[Any]:
        """The driver's connection pools right now (for the pool gauges)."""
        return []

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
            "connections": self.pool_use(),
            "endpoints": [
                (endpoint.address, endpoint.port, index in resting)
                for index, endpoint in enumerate(self.endpoints)
            ],
        }

    # -- 1. the call ---------------------------------------------------------------------

    def call(
        self,
        request: Request,
        parse: Callable[[Response], T] = as_response,  # type: ignore[assignment]
        endpoint: Endpoint | None = None,
    ) -> Steps[T]:
        """The call's steps, ending with ``parse(response)``, or raising a WeaviateError.

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
        if endpoint is not None or len(self.endpoints) == 1:
            index = 0
        else:
            index = yield from self._choose()
        if not _bus.has_handlers():
            response = yield from self._attempts(request, endpoint, index, None, started)
            return self._parse(request, parse, response, started)
        meta = self.call_metadata(request, endpoint or self.endpoints[index])

        def on_error(err: WeaviateError) -> Mapping[str, Any]:
            return {
                "attempt": err.attempts,
                "attempts": err.attempts,
                **_outcome_facts(request, None),
            }

        with _Observed(self.ev_request, meta, on_error) as observed:
            response = yield from self._attempts(request, endpoint, index, meta, started)
            value = self._parse(request, parse, response, started)
            observed.facts = {
                "status_code": response.status,
                "attempt": response.attempts,
                "attempts": response.attempts,
                "request_id": response.request_id,
                "error_kind": None,
                **_outcome_facts(request, value),
            }
        return value

    def _token_call(
        self, request: Request, endpoint: Endpoint | None, parse: Callable[[Response], T]
    ) -> Steps[T]:
        """A call of the token source: to Weaviate's pool, or pinned to the identity provider."""
        return self.call(request, parse, endpoint)

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

    def _choose(self, avoid: int | None = None) -> Steps[int]:
        """The endpoint for the next attempt (:meth:`EndpointPool.candidates`), an endpoint
        back from its rest only once it says it is ready."""
        pool = self.endpoints
        for index in pool.candidates(avoid):
            if not pool.failed(index):
                return index
            if (yield from self._ready(index)):  # back from its rest, and ready
                pool.mark_alive(index)
                return index
            pool.mark_dead(index)
        return pool.first_back()

    def _ready(self, index: int) -> Steps[bool]:
        """Whether an endpoint back from its rest is ready for real calls again.

        A restarting Weaviate answers HTTP before ``/v1/.well-known/ready`` says
        so, and reads it coordinates then can miss recent writes: one probe
        (at most ``_READY_CHECK`` seconds) decides. A 404 (a proxy without the
        path) counts as ready.
        """
        wait = min(_READY_CHECK, self.config.timeouts.read)
        request = self.probe_request("/v1/.well-known/ready", "health.ready", wait)
        try:
            response = yield from self.call(request, as_response, self.endpoints[index])
        except WeaviateError:
            return False
        status = response.status
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

    def observe(self, request: Request, steps: Steps[T]) -> Steps[T]:
        """Request events around ``steps``, a logical call made of other calls.

        ``client.health.wait_until_ready`` is one: its probes are calls of their
        own (marked ``probe``), and the wait itself stops, or fails with the
        caller's error when it gives up.
        """
        if not _bus.has_handlers():
            return (yield from steps)
        meta = self.call_metadata(request, self.endpoints[0])
        with _Observed(self.ev_request, meta) as observed:
            value = yield from steps
            observed.facts = {"status_code": None, "error_kind": None}
        return value

    # -- 2./3. the attempt loop ----------------------------------------------------------

    def _attempts(
        self,
        request: Request,
        pinned: Endpoint | None,
        index: int,
        meta: dict[str, Any] | None,
        started: float,
    ) -> Steps[Response]:
        timeouts = request.timeouts or self.config.timeouts
        deadline = started + timeouts.total
        policy = request.retry or self.config.retry
        if not request.probe:  # a health check polling a down server must not earn retries
            self.budget.deposit()
        try:
            # Encoded once per call, not once per attempt (retried batches are large).
            payload = self._http_payload(request)
            if self.auth is not None and _needs_token(request):
                # Obtained or renewed when due (an identity provider call).
                yield from self.auth.token_steps()
            if not policy.enabled:
                return (
                    yield from self._attempt_at(request, payload, pinned, index, deadline, 1, meta)
                )
        except WeaviateError as err:
            raise self._decorate(err, request, pinned, index, 1, (), started) from err.__cause__
        earlier: list[WeaviateError] = []
        refusals: list[str] = []
        number = 0
        # The retry decided after a failed attempt: (its wait, the error, where it came from).
        due: tuple[float, WeaviateError, str] | None = None

        def on_failure(exc: BaseException) -> bool | float:
            nonlocal due
            if not isinstance(exc, WeaviateError):
                return False  # a cancelled task, KeyboardInterrupt, a bug: never retried
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
            due = (decision.wait, exc, decision.source)
            # stamina counts the attempts (its testing mode caps them); the wait is a
            # step of ours, so the async driver sleeps without blocking its loop.
            return 0.0

        try:
            with _quiet_stamina():
                for attempt in _stamina_retry_context(policy.max_attempts, on_failure):
                    with attempt:
                        if due is not None:
                            wait, failed, source = due
                            due = None
                            index = yield from self._before_retry(
                                pinned, index, wait, failed, source, number, meta
                            )
                        number += 1
                        return (
                            yield from self._attempt_at(
                                request, payload, pinned, index, deadline, number, meta
                            )
                        )
        except WeaviateError as err:
            if meta is not None and refusals:
                meta["retry_refused"] = refusals[-1]
            raise self._decorate(
                err, request, pinned, index, number, earlier, started
            ) from err.__cause__
        raise AssertionError("unreachable: stamina ended without a result or an error")

    def _before_retry(
        self,
        pinned: Endpoint | None,
        index: int,
        wait: float,
        failed: WeaviateError,
        source: str,
        number: int,
        meta: dict[str, Any] | None,
    ) -> Steps[int]:
        """Between two attempts: another endpoint if this one is down, the retry event, the
        wait; the index of the endpoint for the next attempt."""
        pool = self.endpoints
        if pinned is None and failed.kind in retry.ENDPOINT_DOWN and len(pool) > 1:
            index = yield from self._choose(avoid=index)
        if meta is not None:
            _bus.execute(
                self.ev_retry,
                {"wait": wait},
                {
                    **meta,
                    "attempt": number,
                    "error_kind": failed.kind.value,
                    "status_code": failed.status_code,
                    "wait_source": source,
                    "next_server_address": (pinned or pool[index]).address,
                },
            )
        if wait > 0 and not _stamina_testing():
            yield Sleep(wait)
        return index

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
    ) -> Steps[Response]:
        """One attempt at the pinned endpoint or pool entry ``index``; keeps the pool's health."""
        if pinned is not None:
            return (
                yield from self._authorized_attempt(
                    request, payload, pinned, deadline, number, meta
                )
            )
        try:
            response = yield from self._authorized_attempt(
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
    ) -> Steps[Response]:
        """One attempt with the current access token; an expired one is renewed and resent once."""
        auth = self.auth
        if auth is None or not _needs_token(request):
            return (
                yield from self._attempt(request, payload, endpoint, deadline, number, call_meta)
            )
        sent = auth.current()
        try:
            return (
                yield from self._attempt(
                    request, payload, endpoint, deadline, number, call_meta, sent
                )
            )
        except WeaviateError as err:
            if err.kind is not ErrorKind.UNAUTHORIZED:
                raise
            if not (yield from auth.recover_steps(sent, err)):
                raise
        try:
            return (
                yield from self._attempt(
                    request, payload, endpoint, deadline, number, call_meta, auth.current()
                )
            )
        except WeaviateError as err:
            if err.kind is ErrorKind.UNAUTHORIZED:  # refused although just renewed
                err.hint = REFUSED_TOKEN_HINT
            raise

    def _attempt(
        self,
        request: Request,
        payload: _Payload | None,
        endpoint: Endpoint,
        deadline: float,
        number: int,
        call_meta: dict[str, Any] | None,
        token: str | None = None,
    ) -> Steps[Response]:
        """One HTTP (or gRPC) attempt, with attempt events when observed."""
        if payload is None:  # a gRPC call
            assert request.rpc is not None
            return (
                yield from self._rpc_attempt(
                    request, request.rpc, endpoint, deadline, number, call_meta, token
                )
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
        send = Send(
            request.method,
            url,
            body,
            headers,
            connect,
            read,
            min(timeouts.pool, remaining),
            deadline,
        )
        if call_meta is None or not _bus.listens(self.ev_attempt):
            # Nobody listens to attempts (e.g. only loguru's request lines): skip building them.
            started = _monotonic()
            raw = yield send
            return self._decode(request, raw, url, started, number)
        attempt_meta = {
            **call_meta,
            "url": redact_url(url),
            "server_address": endpoint.address,
            "server_port": endpoint.port,
            "attempt": number,
            "propagation_headers": {},
        }
        send.timed = True
        with _Observed(self.ev_attempt, attempt_meta) as observed:
            observed.send = send
            carrier = attempt_meta["propagation_headers"]
            if carrier:
                send.headers = {**headers, **carrier}
            raw = yield send
            response = self._decode(request, raw, url, observed.started, number)
            observed.facts = {
                "status_code": response.status,
                "request_id": response.request_id,
                "error_kind": None,
            }
        return response

    # -- one gRPC attempt ------------------------------------------------------------------

    def _open_channel(self, endpoint: Endpoint, remaining: float) -> Steps[None]:
        """Create the endpoint's channel, sized by the server's ``grpcMaxMessageSize``."""
        size = DEFAULT_MAX_MESSAGE_SIZE
        timeouts = self.config.timeouts
        headers = self.base_headers
        token = self.auth.current() if self.auth is not None else None
        if token is not None:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        try:
            raw = yield Send(
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
        yield OpenChannel(endpoint.grpc_target, endpoint.secure, size)

    def stream_target(
        self, rpc: RpcCall, avoid: int | None = None
    ) -> Steps[tuple[str, tuple[tuple[str, str], ...], int]]:
        """Where the bidirectional gRPC stream ``rpc.method`` opens: a live endpoint's
        gRPC target (its channel open), not ``avoid`` when another is live; the client's
        metadata with its credentials; the endpoint's index.

        The stream's logic (window, resends, pacing) is the caller's (docs/batch.md);
        this only chooses the endpoint and carries the credentials. A driver opens it.
        """
        if self.closed:
            raise WeaviateError.from_kind(ErrorKind.CONNECTION_ERROR, "the client is closed")
        index = yield from self._choose(avoid=avoid)
        endpoint = self.endpoints[index]
        target = endpoint.grpc_target
        if target is None:
            raise WeaviateError.from_kind(
                ErrorKind.VALIDATION_ERROR, f"{rpc.method} needs a client with a grpc_port"
            )
        if not (yield HasChannel(target)):
            yield from self._open_channel(endpoint, self.config.timeouts.total)
        metadata: tuple[tuple[str, str], ...] = self.rpc_metadata
        if self.auth is not None:
            token = yield from self.auth.token_steps()
            metadata = (*metadata, ("authorization", f"Bearer {token}"))
        return target, metadata, index

    def grpc_health(self, endpoint: Endpoint, timeout: float) -> Steps[str]:
        """``grpc.health.v1.Health/Check`` of the endpoint's gRPC server (doctor)."""
        target = endpoint.grpc_target
        if target is None:
            raise WeaviateError.from_kind(ErrorKind.VALIDATION_ERROR, "no gRPC port configured")
        if not (yield HasChannel(target)):
            yield from self._open_channel(endpoint, timeout)
        status: str = yield RpcHealth(target, timeout)
        return status

    def _rpc_attempt(
        self,
        request: Request,
        rpc: RpcCall,
        endpoint: Endpoint,
        deadline: float,
        number: int,
        call_meta: dict[str, Any] | None,
        token: str | None = None,
    ) -> Steps[Response]:
        target = endpoint.grpc_target
        if target is None:
            raise WeaviateError.from_kind(
                ErrorKind.VALIDATION_ERROR,
                f"{request.operation} was built for gRPC but the client has no grpc_port",
            )
        timeouts = request.timeouts or self.config.timeouts
        remaining = deadline - _monotonic()
        if remaining <= 0:
            raise WeaviateError.from_kind(
                ErrorKind.TIMEOUT, f"total deadline of {timeouts.total:g}s exceeded"
            )
        if not (yield HasChannel(target)):
            yield from self._open_channel(endpoint, remaining)
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
            reply = yield from _send_rpc(target, rpc, metadata, timeout, request.operation)
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
        with _Observed(self.ev_attempt, attempt_meta, _rpc_error_facts) as observed:
            carrier = attempt_meta["propagation_headers"]
            if carrier:
                metadata = [*metadata, *((k.lower(), str(val)) for k, val in carrier.items())]
            reply = yield from _send_rpc(target, rpc, metadata, timeout, request.operation)
            observed.facts = {
                "status_code": 200,
                "rpc_status": "OK",
                "request_id": None,
                "error_kind": None,
            }
        return Response(200, {}, reply, b"", url, _monotonic() - observed.started, number)

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
        """Later calls fail with connection_error (the driver releases its pools)."""
        self.closed = True


def _send_rpc(
    target: str, rpc: RpcCall, metadata: Any, timeout: float, operation: str
) -> Steps[Any]:
    """One RPC; a failure the caller caused gets the kind it has on every transport."""
    try:
        return (yield SendRpc(target, rpc, metadata, timeout))
    except WeaviateError as err:
        raise as_caller_mistake(err, operation) from err.__cause__


def _rpc_error_facts(err: WeaviateError) -> Mapping[str, Any]:
    return {"status_code": None, "rpc_status": err.rpc_status, "request_id": None}


def _stamina_testing() -> bool:
    """stamina's testing mode (``stamina.set_testing``): retries keep their count, never wait."""
    import stamina

    return stamina.is_testing()


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
