"""What a client authenticates with: an API key or an OpenID Connect credential.

:class:`Auth` builds them (the names of the official client's ``weaviate.classes.init.Auth``);
they are validated values whose ``repr`` never shows a secret, and every secret is
registered for redaction the moment one is built (docs/authentication.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError
from .redact import REDACTED, register_secret


def _secret(name: str, value: Any, header: bool = False) -> str:
    """A secret, registered for redaction; one sent in a header must be printable ASCII."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"invalid {name}: expected a non-empty string, got {REDACTED}")
    register_secret(value)
    if any(c in value for c in "\r\n\x00"):
        raise ConfigError(f"invalid {name}: expected a string without CR, LF or NUL")
    if header and not (value.isascii() and value.isprintable()):
        raise ConfigError(f"invalid {name}: expected a str of printable ASCII")
    return value


def _plain(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value or any(c in value for c in "\r\n\x00"):
        raise ConfigError(f"invalid {name}: expected a non-empty one-line string, got {value!r}")
    return value


def _scope(value: Any) -> tuple[str, ...] | None:
    """``None`` (the scopes Weaviate announces), a space-separated string or a list."""
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        items = tuple(value)
        if all(isinstance(s, str) and s and not any(c.isspace() for c in s) for s in items):
            return items
    raise ConfigError(
        f"invalid scope: expected None, a space-separated string or a list of scopes, got {value!r}"
    )


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A Weaviate API key (sent as ``Authorization: Bearer <key>``)."""

    api_key: str = field(repr=False)

    def __post_init__(self) -> None:
        _secret("api_key", self.api_key, header=True)

    def __repr__(self) -> str:
        return f"Auth.api_key({REDACTED!r})"


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """OIDC client-credentials grant: the client's secret (and optional id and scopes)."""

    client_secret: str = field(repr=False)
    scope: tuple[str, ...] | None = None
    client_id: str | None = None

    def __post_init__(self) -> None:
        _secret("client_secret", self.client_secret)
        object.__setattr__(self, "scope", _scope(self.scope))
        if self.client_id is not None:
            _plain("client_id", self.client_id)

    def __repr__(self) -> str:
        return (
            f"Auth.client_credentials(client_secret={REDACTED!r}, scope={self.scope!r}, "
            f"client_id={self.client_id!r})"
        )


@dataclass(frozen=True, slots=True)
class ClientPassword:
    """OIDC resource-owner password grant: a user's name and password."""

    username: str
    password: str = field(repr=False)
    scope: tuple[str, ...] | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _plain("username", self.username)
        _secret("password", self.password)
        object.__setattr__(self, "scope", _scope(self.scope))
        if self.client_id is not None:
            _plain("client_id", self.client_id)
        if self.client_secret is not None:
            _secret("client_secret", self.client_secret)

    def __repr__(self) -> str:
        secret = None if self.client_secret is None else REDACTED
        return (
            f"Auth.client_password(username={self.username!r}, password={REDACTED!r}, "
            f"scope={self.scope!r}, client_id={self.client_id!r}, client_secret={secret!r})"
        )


@dataclass(frozen=True, slots=True)
class BearerToken:
    """An access token obtained elsewhere, with its lifetime and optional refresh token."""

    access_token: str = field(repr=False)
    expires_in: float = 60.0
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _secret("access_token", self.access_token, header=True)
        seconds = self.expires_in
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not math.isfinite(seconds)
            or seconds <= 0
        ):
            raise ConfigError(f"invalid expires_in: expected seconds > 0, got {seconds!r}")
        if self.refresh_token is not None:
            _secret("refresh_token", self.refresh_token)
        if self.client_id is not None:
            _plain("client_id", self.client_id)
        if self.client_secret is not None:
            _secret("client_secret", self.client_secret)

    def __repr__(self) -> str:
        refresh = None if self.refresh_token is None else REDACTED
        return (
            f"Auth.bearer_token(access_token={REDACTED!r}, expires_in={self.expires_in!r}, "
            f"refresh_token={refresh!r})"
        )


#: An OpenID Connect credential, which the client exchanges for access tokens.
OidcCredentials = ClientCredentials | ClientPassword | BearerToken
#: Anything ``auth=`` accepts.
Credentials = ApiKey | ClientCredentials | ClientPassword | BearerToken


class Auth:
    """Builds the credentials a client authenticates with (``Client(url, auth=...)``).

    The names are those of the official client's ``Auth``::

        wt.Auth.api_key("…")
        wt.Auth.client_credentials(client_secret="…", scope="openid")
        wt.Auth.client_password(username="alice", password="…")
        wt.Auth.bearer_token(access_token="…", expires_in=300, refresh_token="…")

    The OIDC ones find the identity provider through Weaviate's
    ``/v1/.well-known/openid-configuration`` (which also names the client id,
    unless ``client_id`` is given) and renew their access token before it
    expires. Secrets never appear in a ``repr``, an error, a log line or an
    event. See docs/authentication.md.
    """

    @staticmethod
    def api_key(api_key: str) -> ApiKey:
        """A Weaviate API key (the same as ``api_key=``)."""
        return ApiKey(api_key)

    @staticmethod
    def client_credentials(
        client_secret: str,
        scope: str | Iterable[str] | None = None,
        *,
        client_id: str | None = None,
    ) -> ClientCredentials:
        """The OAuth 2 client-credentials grant (a service account).

        ``scope``: space-separated or a list; None asks for the scopes Weaviate
        announces. ``client_id``: None uses the one Weaviate announces.
        """
        return ClientCredentials(client_secret, _scope(scope), client_id)

    @staticmethod
    def client_password(
        username: str,
        password: str,
        scope: str | Iterable[str] | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> ClientPassword:
        """The OAuth 2 resource-owner password grant (a user's name and password).

        ``client_secret`` is for identity providers whose client is confidential
        (Keycloak's default); a public client needs none.
        """
        return ClientPassword(username, password, _scope(scope), client_id, client_secret)

    @staticmethod
    def bearer_token(
        access_token: str,
        expires_in: float = 60,
        refresh_token: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> BearerToken:
        """An access token you obtained; with ``refresh_token`` it is renewed before it expires.

        ``expires_in`` is the token's remaining lifetime in seconds. Without a
        refresh token the token is used until the server refuses it.
        """
        return BearerToken(access_token, expires_in, refresh_token, client_id, client_secret)
