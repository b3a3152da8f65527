"""OpenID Connect access tokens for one client: discovery, grants, renewal, single flight.

A :class:`TokenSource` turns an OIDC credential (:mod:`.credentials`) into
the access token every request carries:

* **discovery** — Weaviate's ``/v1/.well-known/openid-configuration`` names
  the issuer's metadata document (``href``), the client id and the scopes;
  the issuer's metadata names the token endpoint. Both are read once.
* **grants** — client credentials, resource-owner password, or a refresh
  token; a token request is a call of its own (operation ``auth.token``,
  discovery ``auth.discover``) through the client's pipeline, so it has the
  same events, spans, metrics and log lines as any other call.
* **renewal before expiry** — from ``renew_at`` (a quarter of the lifetime
  before expiry, at least 2 s of a short one, at most 60 s) the first caller
  renews while the others keep using the still-valid token; only past
  ``hard_expiry`` (1 s before expiry, for providers whose ``exp`` is
  truncated to the second) do callers wait, for the one renewal under way.
* **one renewal at a time** — one lock (a fork-safe :func:`.fork.lock` for the
  sync client, an ``asyncio.Lock`` for the async one): however many threads or
  tasks wait, one token request is made, the others use its token (or get its
  error: a provider that is down is asked once, not once per waiter).

Its methods that may make requests are pipeline steps (:mod:`.effects`):
taking the lock is an :class:`.effects.Acquire` effect and each request is a
call of the client's pipeline, so the sync and the async driver run the same
code.

Every secret and token is registered with :func:`.redact.register_secret` the
moment it is known (docs/authentication.md).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from . import fork
from .credentials import BearerToken, ClientCredentials, ClientPassword, OidcCredentials
from .effects import Acquire, Steps
from .endpoints import Endpoint
from .errors import ErrorKind, WeaviateError
from .models import Request, Response
from .redact import forget_secret, register_secret

TOKEN_OPERATION = "auth.token"
DISCOVERY_OPERATION = "auth.discover"
#: Operations that carry no access token of the client (they obtain it).
AUTH_PREFIX = "auth."

#: A request's steps through the client's pipeline, pinned to ``endpoint`` (None: Weaviate's).
Fetch = Callable[[Request, "Endpoint | None", Callable[[Response], Any]], Steps[Any]]

_REFUSED_HINT = (
    "the identity provider (not Weaviate) refused the credentials: check the client "
    "secret, user name and password, and that the client may use this grant"
)
_UNREACHABLE_HINT = (
    "the identity provider (not Weaviate) is unreachable: is it running, and is the "
    "issuer Weaviate announces (AUTHENTICATION_OIDC_ISSUER) reachable from here?"
)
_EXPIRED_HINT = (
    "the access token expired or was refused and cannot be renewed: pass a "
    "refresh_token with Auth.bearer_token, or a grant (client_credentials, client_password)"
)
REFUSED_TOKEN_HINT = (
    "Weaviate refused the access token: check AUTHENTICATION_OIDC_ISSUER, "
    "AUTHENTICATION_OIDC_CLIENT_ID (the token's audience) and USERNAME_CLAIM on the server"
)


@dataclass(frozen=True, slots=True)
class Token:
    """One access token and when to renew it (monotonic seconds)."""

    access: str
    refresh: str | None
    lifetime: float
    obtained: float
    expires_at: float
    expires_wall: float

    @property
    def renew_at(self) -> float:
        margin = min(max(self.lifetime * 0.25, min(2.0, self.lifetime * 0.5)), 60.0)
        return self.expires_at - margin

    @property
    def hard_expiry(self) -> float:
        return self.expires_at - min(1.0, self.lifetime * 0.2)


@dataclass(frozen=True, slots=True)
class Provider:
    """The identity provider as discovered: issuer, token endpoint, client id, scopes."""

    issuer: str
    token_endpoint: str
    client_id: str
    scopes: tuple[str, ...]


class TokenSource:
    """The current access token of one client (see the module docstring)."""

    def __init__(
        self,
        credentials: OidcCredentials,
        fetch: Fetch,
        clock: Callable[[], float] = time.monotonic,
        lock: Any = None,
    ) -> None:
        self.credentials = credentials
        self._fetch = fetch
        self._clock = clock
        self._lock = fork.lock() if lock is None else lock
        self._provider: Provider | None = None
        self._token: Token | None = None
        self._retry_at = 0.0  # after a failed early renewal, when to try again
        self._previous: Token | None = None  # the token before the current one
        self._failures = 0  # renewals that failed, and the last one's error
        self._failed: WeaviateError | None = None
        #: Token requests made (renewals included), for tests and the doctor.
        self.requests = 0
        if isinstance(credentials, BearerToken):
            self._token = self._make(
                credentials.access_token, credentials.refresh_token, credentials.expires_in
            )

    def __repr__(self) -> str:
        issuer = self._provider.issuer if self._provider else None
        return f"<TokenSource {type(self.credentials).__name__} issuer={issuer!r}>"

    @property
    def renewable(self) -> bool:
        """Whether a new token can be obtained (a grant, or a refresh token)."""
        creds = self.credentials
        return not isinstance(creds, BearerToken) or creds.refresh_token is not None

    @property
    def provider(self) -> Provider | None:
        """The discovered identity provider, once known."""
        return self._provider

    def current(self) -> str | None:
        """The token to send now, without any network call (None before the first)."""
        token = self._token
        return None if token is None else token.access

    def expires_in(self) -> float | None:
        """Seconds until the current token expires (negative once it has), or None."""
        token = self._token
        return None if token is None else token.expires_at - self._clock()

    def token_steps(self) -> Steps[str]:
        """A valid access token, renewing it first when due (one renewal at a time)."""
        token, now = self._token, self._clock()
        if token is not None and (now < token.renew_at or not self.renewable):
            return token.access
        if token is not None and now < token.hard_expiry:
            # Still valid: renew unless another thread is already doing it, or a
            # renewal just failed (the old token serves until it expires).
            if now >= self._retry_at and (yield Acquire(self._lock, blocking=False)):
                try:
                    if self._token is token:
                        yield from self._renew_locked()
                except WeaviateError:
                    self._retry_at = self._clock() + 1.0
                finally:
                    self._lock.release()
            return self._token.access if self._token is not None else token.access
        failures = self._failures
        yield Acquire(self._lock)
        try:
            current = self._token
            if current is not None and current is not token and self._clock() < current.renew_at:
                return current.access  # renewed while this thread waited
            failed = self._failed
            if failed is not None and self._failures != failures:
                # The renewal this thread waited for failed: its error, not one more request
                # (a provider that is down would otherwise see every waiting thread in turn).
                raise WeaviateError.from_kind(
                    failed.kind, failed.message, status_code=failed.status_code, hint=failed.hint
                )
            try:
                return (yield from self._renew_locked()).access
            except WeaviateError as err:
                self._failures += 1
                self._failed = err
                raise
        finally:
            self._lock.release()

    def recover_steps(self, sent: str | None, err: WeaviateError) -> Steps[bool]:
        """After Weaviate answered ``unauthorized`` to ``sent``: whether to resend once.

        True when the token was renewed since (by another thread or now,
        because it had expired); False leaves ``err`` to the caller, with a
        hint (and the renewal's failure, if one was tried).
        """
        token = self._token
        if token is not None and sent is not None and token.access != sent:
            return True  # another thread renewed it meanwhile
        if not self.renewable:
            err.hint = _EXPIRED_HINT
            return False
        expired = "expired" in err.message.lower() or (
            token is not None and self._clock() >= token.renew_at
        )
        if not expired:
            err.hint = REFUSED_TOKEN_HINT
            return False
        yield Acquire(self._lock)
        try:
            if self._token is not token:
                return True
            try:
                yield from self._renew_locked()
            except WeaviateError as failure:
                err.message += f" (renewing the access token failed: {failure.message})"
                err.hint = failure.hint
                return False
        finally:
            self._lock.release()
        return True

    # -- token requests (under the lock) --------------------------------------------------

    def _renew_locked(self) -> Steps[Token]:
        provider = yield from self._discover()
        creds = self.credentials
        token = self._token
        refresh = token.refresh if token is not None else None
        if refresh is not None:
            form = {"grant_type": "refresh_token", "refresh_token": refresh}
            try:
                return (yield from self._grant(provider, form, "refresh_token"))
            except WeaviateError as err:
                # A refresh token the provider no longer accepts: fall back to the grant.
                if isinstance(creds, BearerToken) or err.kind is not ErrorKind.UNAUTHORIZED:
                    raise
        if isinstance(creds, ClientCredentials):
            form = {"grant_type": "client_credentials", "client_secret": creds.client_secret}
            return (yield from self._grant(provider, form, "client_credentials", creds.scope))
        if isinstance(creds, ClientPassword):
            form = {
                "grant_type": "password",
                "username": creds.username,
                "password": creds.password,
            }
            if creds.client_secret is not None:
                form["client_secret"] = creds.client_secret
            return (yield from self._grant(provider, form, "password", creds.scope))
        raise WeaviateError.from_kind(ErrorKind.UNAUTHORIZED, "no way to renew the bearer token")

    def _grant(
        self,
        provider: Provider,
        form: dict[str, str],
        grant: str,
        scope: tuple[str, ...] | None = None,
    ) -> Steps[Token]:
        creds = self.credentials
        form["client_id"] = provider.client_id
        secret = getattr(creds, "client_secret", None)
        if secret is not None and "client_secret" not in form:
            form["client_secret"] = secret
        scopes = provider.scopes if scope is None else scope
        if scopes and grant != "refresh_token":
            form["scope"] = " ".join(scopes)
        endpoint, path = _split(provider.token_endpoint)
        request = Request(
            "POST",
            path,
            TOKEN_OPERATION,
            path_template=path,
            body=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            idempotent=True,
            raise_for_status=False,
            metadata={"grant_type": grant, "identity_provider": provider.issuer},
        )

        def parse(response: Response) -> Mapping[str, Any]:
            body = response.body
            if response.ok and isinstance(body, Mapping):
                for name in ("access_token", "refresh_token", "id_token"):
                    value = body.get(name)
                    if isinstance(value, str):
                        register_secret(value)
                access = body.get("access_token")
                if isinstance(access, str) and access.isascii() and access.isprintable():
                    return body
            raise _refused(provider, grant, response)

        self.requests += 1
        answer = yield from self._call(request, endpoint, parse, provider.issuer)
        lifetime = answer.get("expires_in")
        if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)) or lifetime <= 0:
            lifetime = 60.0  # the provider did not say: the official client's default
        refresh = answer.get("refresh_token")
        if not isinstance(refresh, str):
            refresh = None
        access = str(answer["access_token"])
        old = self._token
        self._token = self._make(access, refresh, _jwt_lifetime(access, float(lifetime)))
        self._retry_at = 0.0
        if old is not None and old.access != self._token.access:
            # The previous token may still be in flight; the one before it is done with.
            previous, self._previous = self._previous, old
            if previous is not None:
                forget_secret(previous.access)
        return self._token

    def _make(self, access: str, refresh: str | None, lifetime: float) -> Token:
        register_secret(access)
        register_secret(refresh)
        now = self._clock()
        return Token(access, refresh, lifetime, now, now + lifetime, time.time() + lifetime)

    def _discover(self) -> Steps[Provider]:
        if self._provider is not None:
            return self._provider
        request = Request(
            "GET",
            "/v1/.well-known/openid-configuration",
            DISCOVERY_OPERATION,
            raise_for_status=False,
        )

        def weaviate_says(response: Response) -> Mapping[str, Any]:
            body = response.body
            if response.status == 404:
                raise WeaviateError.from_kind(
                    ErrorKind.VALIDATION_ERROR,
                    "the server does not use OIDC (404 for /v1/.well-known/openid-configuration)",
                    status_code=404,
                    hint="enable AUTHENTICATION_OIDC_* on the server, or use an API key",
                )
            if not response.ok or not isinstance(body, Mapping) or not body.get("href"):
                raise WeaviateError.from_kind(
                    ErrorKind.PROTOCOL_ERROR,
                    f"unexpected OIDC configuration from the server (HTTP {response.status})",
                    status_code=response.status,
                    details=body,
                )
            return body

        announced = yield from self._fetch(request, None, weaviate_says)
        href = str(announced["href"])
        client_id = getattr(self.credentials, "client_id", None) or announced.get("clientId")
        if not isinstance(client_id, str) or not client_id:
            raise WeaviateError.from_kind(
                ErrorKind.PROTOCOL_ERROR,
                "the server's OIDC configuration names no clientId; pass client_id= to Auth",
            )
        scopes = announced.get("scopes")
        scopes = tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else ()
        issuer = href.removesuffix("/.well-known/openid-configuration")
        endpoint, path = _split(href)

        def provider_says(response: Response) -> Mapping[str, Any]:
            body = response.body
            if not response.ok or not isinstance(body, Mapping):
                raise WeaviateError.from_kind(
                    ErrorKind.UNAVAILABLE if response.status >= 500 else ErrorKind.PROTOCOL_ERROR,
                    f"identity provider {issuer}: its metadata answered HTTP {response.status}",
                    status_code=response.status,
                    hint=_UNREACHABLE_HINT,
                )
            if not isinstance(body.get("token_endpoint"), str):
                raise WeaviateError.from_kind(
                    ErrorKind.PROTOCOL_ERROR,
                    f"identity provider {issuer}: its metadata names no token_endpoint",
                )
            return body

        metadata = yield from self._call(
            Request("GET", path, DISCOVERY_OPERATION, path_template=path, raise_for_status=False),
            endpoint,
            provider_says,
            issuer,
        )
        self._provider = Provider(
            str(metadata.get("issuer") or issuer),
            str(metadata["token_endpoint"]),
            client_id,
            scopes,
        )
        return self._provider

    def _call(
        self,
        request: Request,
        endpoint: Endpoint,
        parse: Callable[[Response], Mapping[str, Any]],
        issuer: str,
    ) -> Steps[Mapping[str, Any]]:
        """A request to the identity provider; its failures name the provider."""
        try:
            result: Mapping[str, Any] = yield from self._fetch(request, endpoint, parse)
        except WeaviateError as err:
            if "identity provider" not in err.message:
                err.message = f"identity provider {issuer} unreachable: {err.message}"
                err.hint = _UNREACHABLE_HINT
            raise
        return result

    def describe(self) -> dict[str, Any]:
        """What the doctor reports: method, issuer, client id and seconds to expiry."""
        provider = self._provider
        return {
            "method": type(self.credentials).__name__,
            "issuer": provider.issuer if provider else None,
            "client_id": provider.client_id if provider else None,
            "expires_in": self.expires_in(),
            "renewable": self.renewable,
        }


def _jwt_lifetime(access: str, expires_in: float) -> float:
    """``expires_in``, shortened to the token's own ``exp`` when it is a JWT that says less.

    Providers truncate ``exp`` to the second (Keycloak: ``iat`` + lifespan, ``iat``
    truncated), so a token can expire up to a second before ``expires_in`` says;
    renewing by ``exp`` keeps a short-lived token from being used past it.
    """
    parts = access.split(".")
    if len(parts) != 3:
        return expires_in
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return expires_in
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return expires_in
    left = exp - time.time()
    return min(expires_in, left) if left > 0 else expires_in


def _split(url: str) -> tuple[Endpoint, str]:
    """The endpoint (scheme://host:port) and the path of a provider URL."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Endpoint.parse(f"{parts.scheme}://{parts.netloc}"), path


def _refused(provider: Provider, grant: str, response: Response) -> WeaviateError:
    body = response.body
    error = description = None
    if isinstance(body, Mapping):
        error, description = body.get("error"), body.get("error_description")
    said = ": ".join(str(s) for s in (error, description) if s) or f"HTTP {response.status}"
    status = response.status
    if status in (400, 401, 403):
        kind = ErrorKind.UNAUTHORIZED
        hint = _REFUSED_HINT
    elif status >= 500 or status == 429:
        kind, hint = ErrorKind.UNAVAILABLE, _UNREACHABLE_HINT
    else:
        kind, hint = ErrorKind.PROTOCOL_ERROR, None
    if response.ok:
        said = "the answer has no usable access_token (a printable ASCII string)"
    return WeaviateError.from_kind(
        kind,
        f"identity provider {provider.issuer} refused the {grant} grant: {said}",
        status_code=status,
        details=body if not response.ok else None,
        hint=hint,
    )
