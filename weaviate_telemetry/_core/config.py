"""Validated, immutable configuration: Config, Timeouts, RetryPolicy, RequestOptions.

Every constructor validates its fields and raises :class:`ConfigError`
naming the field, showing the bad value (secrets redacted) and saying
what is allowed. Nothing else escapes construction.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypedDict
from urllib.parse import urlsplit

from .._version import __version__
from . import validate as v
from .credentials import (
    ApiKey,
    Auth,
    BearerToken,
    ClientCredentials,
    ClientPassword,
    Credentials,
)
from .errors import ConfigError, ValidationError
from .redact import (
    REDACTED,
    is_secret_header,
    mark_secret_header,
    redact_url,
    register_credential,
    register_secret,
)

DEFAULT_USER_AGENT = (
    f"weaviate-telemetry/{__version__} python/{sys.version_info[0]}.{sys.version_info[1]}"
)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOST = re.compile(r"\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z][0-9A-Za-z.\-]*")


#: The largest answer (bytes, as received) the client reads: above Weaviate's own
#: default gRPC message cap (``GRPC_MAX_MESSAGE_SIZE``, 104,858,000 bytes), so an
#: answer the server may send over gRPC also fits over REST, while a runaway or
#: hostile stream stops at 128 MiB instead of exhausting memory.
DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024
MAX_RESPONSE_BYTES_LIMIT = 16 * 1024**3


class InsecureTransportWarning(UserWarning):
    """An API key is about to travel over plain http to a non-loopback host."""


# Configuration speaks the one validation vocabulary, raising ConfigError.
def _fail(name: str, value: Any, allowed: str) -> ConfigError:
    return v.invalid(name, value, allowed, ConfigError)


def _seconds(name: str, value: Any) -> float:
    return v.seconds(name, value, ConfigError)


def _int_in(name: str, value: Any, low: int, high: int) -> int:
    return v.int_in(name, value, low, high, ConfigError)


def _bool(name: str, value: Any) -> bool:
    return v.boolean(name, value, ConfigError)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds allowed for each phase of a call.

    ``connect`` and ``read`` apply to each HTTP attempt, ``pool`` to waiting
    for a free pooled connection, and ``total`` bounds the whole call
    including retries and backoff sleeps.
    """

    connect: float = 5.0
    read: float = 30.0
    total: float = 120.0
    pool: float = 10.0

    def __post_init__(self) -> None:
        for f in ("connect", "read", "total", "pool"):
            object.__setattr__(self, f, _seconds(f"timeouts.{f}", getattr(self, f)))

    @classmethod
    def coerce(cls, name: str, value: Any) -> Timeouts:
        """Accept a Timeouts, a mapping of its fields, or one number for read and total."""
        if isinstance(value, Timeouts):
            return value
        if isinstance(value, Mapping):
            unknown = set(value) - {"connect", "read", "total", "pool"}
            if unknown:
                raise _fail(name, value, "keys among connect, read, total, pool")
            return cls(**value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = _seconds(name, value)
            return cls(connect=min(5.0, seconds), read=seconds, total=seconds)
        raise _fail(name, value, "a Timeouts, a mapping of its fields, or seconds")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how a failed attempt is tried again (off unless ``enabled``).

    Backoff is exponential with jitter between ``initial_backoff`` and
    ``max_backoff`` seconds; ``max_attempts`` counts the first attempt.
    ``retry_on_status`` lists HTTP statuses worth another attempt.
    ``budget_ratio`` caps retries at that fraction of recent requests so a
    failing server sees little extra load.
    """

    enabled: bool = False
    max_attempts: int = 3
    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    retry_on_status: frozenset[int] = frozenset({429, 502, 503, 504})
    budget_ratio: float = 0.2

    def __post_init__(self) -> None:
        _bool("retry.enabled", self.enabled)
        _int_in("retry.max_attempts", self.max_attempts, 1, 100)
        _seconds("retry.initial_backoff", self.initial_backoff)
        _seconds("retry.max_backoff", self.max_backoff)
        if self.max_backoff < self.initial_backoff:
            raise _fail("retry.max_backoff", self.max_backoff, ">= retry.initial_backoff")
        statuses = self.retry_on_status
        if isinstance(statuses, (str, bytes)) or not isinstance(statuses, Iterable):
            raise _fail("retry.retry_on_status", statuses, "a set of HTTP statuses 400..599")
        statuses = frozenset(statuses)
        for status in statuses:
            _int_in("retry.retry_on_status", status, 400, 599)
        object.__setattr__(self, "retry_on_status", statuses)
        ratio = self.budget_ratio
        if (
            isinstance(ratio, bool)
            or not isinstance(ratio, (int, float))
            or not 0 <= ratio <= 1
            or not math.isfinite(ratio)
        ):
            raise _fail("retry.budget_ratio", ratio, "a number in 0..1")


#: One attempt, whatever the client's policy: probes and checks that must not repeat.
NO_RETRY = RetryPolicy(enabled=False)


def validate_headers(name: str, headers: Any) -> dict[str, str]:
    """Headers both transports can send and that cannot disturb the connection.

    The rules are :func:`validate.header_name` and :func:`validate.header_value`;
    the value of a secret-looking header is registered for redaction whole and
    by its credential part (``Bearer <token>`` registers ``<token>`` too), so a
    server echoing the bare token is scrubbed as well.
    """
    if not isinstance(headers, Mapping):
        raise _fail(name, headers, "a mapping of header name to value")
    out: dict[str, str] = {}
    for key, value in headers.items():
        if not isinstance(key, str):
            raise _fail(f"{name} key", key, "a header name (RFC 9110 token)")
        secret = is_secret_header(key)
        if secret and isinstance(value, str):
            register_credential(value)
        try:
            v.header_name(key, f"{name} key")
            v.header_value(value, f"{name}[{key!r}]", secret)
        except ValidationError as err:
            raise ConfigError(err.message) from None
        out[key] = value
    return out


def _validate_url(name: str, value: Any) -> str:
    allowed = "an http(s) URL with a host, optional path, no query/fragment/credentials"

    def bad() -> ConfigError:
        # The rejected URL may carry a token in its query or userinfo: show it redacted.
        shown = redact_url(value) if isinstance(value, str) else value
        return _fail(name, shown, allowed)

    if not isinstance(value, str) or not value or value != value.strip():
        raise bad()
    try:
        parts = urlsplit(value)
    except ValueError:
        raise bad() from None
    if "@" in parts.netloc:
        raise ConfigError(f"invalid {name}: credentials in the URL are not allowed; use api_key")
    try:
        port = parts.port
    except ValueError:
        raise bad() from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad()
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise bad()
    if any(c.isspace() or ord(c) < 32 for c in value) or port == 0:
        raise bad()
    return value.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_warned_insecure = False


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a :class:`Client` needs, validated on construction.

    Example::

        wt.Config(base_url="https://weaviate.example.com", api_key="my-api-key",
                  timeouts=wt.Timeouts(read=10), retry=wt.RetryPolicy(enabled=True))
    """

    base_url: str
    fallback_urls: tuple[str, ...] = ()
    api_key: str | None = field(default=None, repr=False)
    timeouts: Timeouts = field(default_factory=Timeouts)
    pool_maxsize: int = 10
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    telemetry_prefix: tuple[str, ...] = ("weaviate",)
    default_headers: Mapping[str, str] = field(default_factory=dict)
    verify_tls: bool = True
    ca_certs: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    grpc_port: int | None = None
    grpc_host: str | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    secret_headers: tuple[str, ...] = ()
    auth: Credentials | None = None

    def __post_init__(self) -> None:
        marked = self.secret_headers
        if isinstance(marked, (str, bytes)) or not isinstance(marked, Iterable):
            raise _fail("secret_headers", marked, "a tuple of header names")
        marked = tuple(marked)
        for name in marked:
            if not isinstance(name, str):
                raise _fail("secret_headers item", name, "a header name (RFC 9110 token)")
            try:
                v.header_name(name, "secret_headers item")
            except ValidationError as err:
                raise ConfigError(err.message) from None
            # Before the headers are validated: their values get registered as secrets.
            mark_secret_header(name)
        object.__setattr__(self, "secret_headers", marked)
        if self.auth is not None:
            if not isinstance(self.auth, (ApiKey, ClientCredentials, ClientPassword, BearerToken)):
                raise _fail("auth", type(self.auth).__name__, "a credential built by wt.Auth")
            if self.api_key is not None:
                raise ConfigError("invalid auth: pass either api_key or auth, not both")
            if isinstance(self.auth, ApiKey):  # the same as api_key=
                object.__setattr__(self, "api_key", self.auth.api_key)
        if self.api_key is not None:
            if not isinstance(self.api_key, str) or not self.api_key:
                raise _fail("api_key", REDACTED, "a non-empty string or None")
            register_secret(self.api_key)
            if not self.api_key.isascii() or not self.api_key.isprintable():
                raise _fail("api_key", REDACTED, "a str of printable ASCII")
        setattr_ = object.__setattr__
        setattr_(self, "base_url", _validate_url("base_url", self.base_url))
        fallbacks = self.fallback_urls
        if isinstance(fallbacks, (str, bytes)) or not isinstance(fallbacks, Iterable):
            raise _fail("fallback_urls", fallbacks, "a sequence of base URLs")
        checked = tuple(_validate_url("fallback_urls item", u) for u in fallbacks)
        if len(set(checked) | {self.base_url}) != len(checked) + 1:
            raise _fail("fallback_urls", fallbacks, "distinct URLs, none equal to base_url")
        setattr_(self, "fallback_urls", checked)
        setattr_(self, "timeouts", Timeouts.coerce("timeouts", self.timeouts))
        _int_in("pool_maxsize", self.pool_maxsize, 1, 1000)
        _int_in("max_response_bytes", self.max_response_bytes, 1024, MAX_RESPONSE_BYTES_LIMIT)
        if not isinstance(self.retry, RetryPolicy):
            raise _fail("retry", self.retry, "a RetryPolicy")
        prefix = self.telemetry_prefix
        if isinstance(prefix, str) or not isinstance(prefix, Iterable):
            raise _fail("telemetry_prefix", prefix, "a non-empty tuple of identifiers")
        prefix = tuple(prefix)
        if not prefix or not all(isinstance(p, str) and _IDENTIFIER.fullmatch(p) for p in prefix):
            raise _fail("telemetry_prefix", prefix, "a non-empty tuple of identifiers")
        setattr_(self, "telemetry_prefix", prefix)
        headers = validate_headers("default_headers", self.default_headers)
        if (self.api_key is not None or self.auth is not None) and any(
            k.lower() == "authorization" for k in headers
        ):
            raise ConfigError(
                "invalid default_headers: an 'authorization' header conflicts with "
                f"{'api_key' if self.auth is None else 'auth'}; set one or the other"
            )
        setattr_(self, "default_headers", headers)
        _bool("verify_tls", self.verify_tls)
        if self.ca_certs is not None and (
            not isinstance(self.ca_certs, str) or not os.path.exists(self.ca_certs)
        ):
            raise _fail("ca_certs", self.ca_certs, "a path to an existing CA bundle or None")
        ua = self.user_agent
        if not isinstance(ua, str) or not ua or not ua.isascii() or not ua.isprintable():
            raise _fail("user_agent", ua, "a non-empty str of printable ASCII")
        if self.grpc_port is not None:
            _int_in("grpc_port", self.grpc_port, 1, 65535)
        host = self.grpc_host
        if host is not None:
            if self.grpc_port is None:
                raise _fail("grpc_host", host, "None unless grpc_port is set")
            if not isinstance(host, str) or not _HOST.fullmatch(host):
                raise _fail("grpc_host", host, "a host name or IP address (no scheme, no port)")

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "api_key":
                value = None if value is None else REDACTED
            elif f.name == "default_headers":
                value = {k: (REDACTED if is_secret_header(k) else v) for k, v in value.items()}
            shown.append(f"{f.name}={value!r}")
        return f"Config({', '.join(shown)})"

    __str__ = __repr__

    @property
    def all_urls(self) -> tuple[str, ...]:
        """The primary URL followed by the fallbacks, in order of preference."""
        return (self.base_url, *self.fallback_urls)

    def warn_if_insecure(self) -> None:
        """Warn once per process when an API key would travel in clear text."""
        global _warned_insecure
        if (self.api_key is None and self.auth is None) or _warned_insecure:
            return
        for url in self.all_urls:
            parts = urlsplit(url)
            if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
                _warned_insecure = True
                what = "API key" if self.api_key is not None else "access token"
                warnings.warn(
                    f"the {what} is sent over plain http to {parts.hostname}; use https",
                    InsecureTransportWarning,
                    stacklevel=4,
                )
                return

    @classmethod
    def for_client(
        cls, base_url: str | None, config: Config | None, kwargs: dict[str, Any]
    ) -> Config:
        """The config of ``Client(base_url, config=..., **kwargs)`` (or ``AsyncClient``):
        ``config`` alone, or built from the URL and keywords; insecure ones warn."""
        if config is not None:
            if base_url is not None or kwargs:
                raise ConfigError("pass either config= or base_url/keyword fields, not both")
            if not isinstance(config, Config):
                raise v.invalid("config", config, "a weaviate_telemetry.Config", ConfigError)
        else:
            if base_url is not None:
                kwargs["base_url"] = base_url
            config = cls.build(**kwargs)
        config.warn_if_insecure()
        return config

    @classmethod
    def build(cls, **kwargs: Any) -> Config:
        """Construct from keywords, turning unknown or missing keywords into ConfigError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise ConfigError(
                f"unknown Config field(s) {', '.join(unknown)}: expected any of {sorted(known)}"
            )
        if "base_url" not in kwargs:
            raise ConfigError("missing base_url: expected an http(s) URL")
        return cls(**kwargs)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build from ``WEAVIATE_*`` environment variables (see README for the list)."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        url = env.get("WEAVIATE_URL")
        if url:
            kwargs["base_url"] = url
        if env.get("WEAVIATE_API_KEY"):
            kwargs["api_key"] = env["WEAVIATE_API_KEY"]
        auth = _auth_from_env(env)
        if auth is not None:
            kwargs["auth"] = auth
        if env.get("WEAVIATE_FALLBACK_URLS"):
            kwargs["fallback_urls"] = tuple(
                u.strip() for u in env["WEAVIATE_FALLBACK_URLS"].split(",") if u.strip()
            )
        timeouts = {
            name: _env_float(env, f"WEAVIATE_TIMEOUT_{name.upper()}")
            for name in ("connect", "read", "total", "pool")
            if env.get(f"WEAVIATE_TIMEOUT_{name.upper()}")
        }
        if timeouts:
            kwargs["timeouts"] = Timeouts(**timeouts)
        if env.get("WEAVIATE_POOL_MAXSIZE"):
            kwargs["pool_maxsize"] = _env_int(env, "WEAVIATE_POOL_MAXSIZE")
        retry: dict[str, Any] = {}
        if env.get("WEAVIATE_RETRY_ENABLED"):
            retry["enabled"] = _env_bool(env, "WEAVIATE_RETRY_ENABLED")
        if env.get("WEAVIATE_RETRY_MAX_ATTEMPTS"):
            retry["max_attempts"] = _env_int(env, "WEAVIATE_RETRY_MAX_ATTEMPTS")
        if retry:
            kwargs["retry"] = RetryPolicy(**retry)
        if env.get("WEAVIATE_VERIFY_TLS"):
            kwargs["verify_tls"] = _env_bool(env, "WEAVIATE_VERIFY_TLS")
        if env.get("WEAVIATE_CA_CERTS"):
            kwargs["ca_certs"] = env["WEAVIATE_CA_CERTS"]
        if env.get("WEAVIATE_USER_AGENT"):
            kwargs["user_agent"] = env["WEAVIATE_USER_AGENT"]
        if env.get("WEAVIATE_GRPC_PORT"):
            kwargs["grpc_port"] = _env_int(env, "WEAVIATE_GRPC_PORT")
        if env.get("WEAVIATE_GRPC_HOST"):
            kwargs["grpc_host"] = env["WEAVIATE_GRPC_HOST"]
        if env.get("WEAVIATE_SECRET_HEADERS"):
            kwargs["secret_headers"] = tuple(
                h.strip() for h in env["WEAVIATE_SECRET_HEADERS"].split(",") if h.strip()
            )
        if env.get("WEAVIATE_MAX_RESPONSE_BYTES"):
            kwargs["max_response_bytes"] = _env_int(env, "WEAVIATE_MAX_RESPONSE_BYTES")
        if env.get("WEAVIATE_TELEMETRY_PREFIX"):
            kwargs["telemetry_prefix"] = tuple(env["WEAVIATE_TELEMETRY_PREFIX"].split("."))
        kwargs.update(overrides)
        if "base_url" not in kwargs:
            raise ConfigError("missing WEAVIATE_URL: expected an http(s) URL of the server")
        return cls.build(**kwargs)


def _auth_from_env(env: Mapping[str, str]) -> Credentials | None:
    """OIDC credentials from ``WEAVIATE_*`` variables (docs/authentication.md lists them)."""
    secret = env.get("WEAVIATE_CLIENT_SECRET") or None
    user, password = env.get("WEAVIATE_USERNAME"), env.get("WEAVIATE_PASSWORD")
    token = env.get("WEAVIATE_BEARER_TOKEN")
    scope = env.get("WEAVIATE_OIDC_SCOPE") or None
    client_id = env.get("WEAVIATE_OIDC_CLIENT_ID") or None
    chosen = [
        name
        for name, given in (
            ("WEAVIATE_API_KEY", env.get("WEAVIATE_API_KEY")),
            ("WEAVIATE_USERNAME/WEAVIATE_PASSWORD", user or password),
            ("WEAVIATE_BEARER_TOKEN", token),
        )
        if given
    ]
    if secret and not (user or password or token):
        chosen.append("WEAVIATE_CLIENT_SECRET")
    if len(chosen) > 1:
        raise ConfigError(
            f"conflicting credentials in the environment: {', '.join(chosen)}; set one method"
        )
    if user or password:
        if not (user and password):
            raise ConfigError("WEAVIATE_USERNAME and WEAVIATE_PASSWORD go together; set both")
        return Auth.client_password(
            user, password, scope, client_id=client_id, client_secret=secret
        )
    if token:
        expires = (
            _env_float(env, "WEAVIATE_BEARER_EXPIRES_IN")
            if env.get("WEAVIATE_BEARER_EXPIRES_IN")
            else 60.0
        )
        refresh = env.get("WEAVIATE_REFRESH_TOKEN") or None
        return BearerToken(token, expires, refresh, client_id, secret)
    if secret:
        return Auth.client_credentials(secret, scope, client_id=client_id)
    return None


def _env_float(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise _fail(name, env[name], "a number of seconds") from None


def _env_int(env: Mapping[str, str], name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise _fail(name, env[name], "an integer") from None


def _env_bool(env: Mapping[str, str], name: str) -> bool:
    value = env[name].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise _fail(name, env[name], "one of true/false/1/0/yes/no/on/off")


class CallOverrides(TypedDict, total=False):
    """The per-call keywords every call takes (``timeout=5``, ``retry=…``), typed.

    The same fields as :class:`RequestOptions`; a type checker flags a misspelt or
    mistyped keyword (``timout=5``) in user code.
    """

    timeout: Timeouts | float | None
    retry: RetryPolicy | None
    headers: Mapping[str, str] | None
    idempotent: bool | None
    metadata: Mapping[str, str | int | float | bool] | None


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Per-call overrides, validated by the same rules as :class:`Config`.

    ``timeout`` replaces the client's timeouts (a number sets read and
    total), ``retry`` its retry policy, ``headers`` are added to the
    request (replacing the client's of the same name, case-insensitively),
    ``idempotent`` marks a POST/PATCH safe to retry, and
    ``metadata`` (str keys; str/int/float/bool values) travels on every
    telemetry event of the call as correlation data.
    """

    timeout: Timeouts | float | None = None
    retry: RetryPolicy | None = None
    headers: Mapping[str, str] | None = None
    idempotent: bool | None = None
    metadata: Mapping[str, str | int | float | bool] | None = None

    def __post_init__(self) -> None:
        if self.timeout is not None:
            object.__setattr__(self, "timeout", Timeouts.coerce("timeout", self.timeout))
        if self.retry is not None and not isinstance(self.retry, RetryPolicy):
            raise _fail("retry", self.retry, "a RetryPolicy or None")
        if self.headers is not None:
            object.__setattr__(self, "headers", validate_headers("headers", self.headers))
        if self.idempotent is not None:
            _bool("idempotent", self.idempotent)
        if self.metadata is not None:
            meta = self.metadata
            if not isinstance(meta, Mapping) or not all(
                isinstance(k, str) and isinstance(v, (str, int, float, bool))
                for k, v in meta.items()
            ):
                raise _fail("metadata", meta, "a mapping of str to str/int/float/bool")
            object.__setattr__(self, "metadata", dict(meta))

    def __repr__(self) -> str:
        headers = (
            None
            if self.headers is None
            else {k: (REDACTED if is_secret_header(k) else v) for k, v in self.headers.items()}
        )
        return (
            f"RequestOptions(timeout={self.timeout!r}, retry={self.retry!r}, headers={headers!r}, "
            f"idempotent={self.idempotent!r}, metadata={self.metadata!r})"
        )
