"""OIDC credentials and the token source, offline: validation, environment, reprs,
renewal timing, one renewal however many threads wait, fork safety
(tests/test_auth_oidc.py runs them against a real Keycloak and Weaviate)."""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import orjson
import pytest

import weaviate_telemetry as wt
from weaviate_telemetry._core import redact
from weaviate_telemetry._core.auth import TokenSource
from weaviate_telemetry._core.effects import Steps, drive, perform_locks
from weaviate_telemetry._core.models import Request, Response

SECRET = "oidc-client-secret-4f1e2d"
PASSWORD = "oidc-user-password-9a8b7c"
ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNl"
REFRESH = "refresh-token-0c1d2e3f4a5b"


def test_auth_builders_mirror_the_official_names_and_hide_secrets() -> None:
    values = [
        wt.Auth.api_key(SECRET),
        wt.Auth.client_credentials(SECRET, scope="openid email"),
        wt.Auth.client_password("alice", PASSWORD, scope=["openid"], client_secret=SECRET),
        wt.Auth.bearer_token(ACCESS, expires_in=300, refresh_token=REFRESH),
    ]
    for value in values:
        for text in (repr(value), str(value)):
            assert SECRET not in text and PASSWORD not in text
            assert ACCESS not in text and REFRESH not in text
            assert "***" in text
    assert values[1].scope == ("openid", "email")
    assert values[2].scope == ("openid",)
    # Registered for redaction the moment they are built.
    for secret in (SECRET, PASSWORD, ACCESS, REFRESH):
        assert redact.redact_text(f"said {secret}") == "said ***"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: wt.Auth.client_credentials(""), "client_secret"),
        (lambda: wt.Auth.client_credentials(SECRET, scope=3), "scope"),  # type: ignore[arg-type]
        (lambda: wt.Auth.client_password("", PASSWORD), "username"),
        (lambda: wt.Auth.client_password("alice", "pw\nx"), "password"),
        (lambda: wt.Auth.bearer_token(ACCESS, expires_in=0), "expires_in"),
        (lambda: wt.Auth.bearer_token("tökén-ünicode"), "access_token"),
        (lambda: wt.Auth.bearer_token(ACCESS, refresh_token=""), "refresh_token"),
    ],
)
def test_invalid_credentials_are_config_errors(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(wt.ConfigError) as info:
        build()
    assert field in str(info.value)
    assert "pw\nx" not in str(info.value)


def test_config_takes_auth_and_keeps_api_key() -> None:
    config = wt.Config(base_url="http://127.0.0.1:8080", auth=wt.Auth.api_key(SECRET))
    assert config.api_key == SECRET  # the same as api_key=
    oidc = wt.Config(base_url="http://127.0.0.1:8080", auth=wt.Auth.client_credentials(SECRET))
    assert oidc.api_key is None and SECRET not in repr(oidc)
    with pytest.raises(wt.ConfigError, match="api_key or auth"):
        wt.Config(base_url="http://127.0.0.1", api_key=SECRET, auth=wt.Auth.api_key(SECRET))
    with pytest.raises(wt.ConfigError, match="auth"):
        wt.Config(base_url="http://127.0.0.1", auth=SECRET)  # type: ignore[arg-type]
    with pytest.raises(wt.ConfigError, match="authorization"):
        wt.Config(
            base_url="http://127.0.0.1",
            auth=wt.Auth.client_credentials(SECRET),
            default_headers={"Authorization": "Bearer x"},
        )
    with wt.Client("http://127.0.0.1:8080", auth=wt.Auth.client_credentials(SECRET)) as client:
        assert SECRET not in repr(client) and SECRET not in repr(client.config)


def test_credentials_from_the_environment() -> None:
    base = {"WEAVIATE_URL": "http://127.0.0.1:8080"}
    cc = wt.Config.from_env(
        {**base, "WEAVIATE_CLIENT_SECRET": SECRET, "WEAVIATE_OIDC_SCOPE": "a b"}
    )
    assert cc.auth == wt.Auth.client_credentials(SECRET, scope=["a", "b"])
    pw = wt.Config.from_env(
        {**base, "WEAVIATE_USERNAME": "alice", "WEAVIATE_PASSWORD": PASSWORD}
    ).auth
    assert pw == wt.Auth.client_password("alice", PASSWORD)
    bearer = wt.Config.from_env(
        {
            **base,
            "WEAVIATE_BEARER_TOKEN": ACCESS,
            "WEAVIATE_REFRESH_TOKEN": REFRESH,
            "WEAVIATE_BEARER_EXPIRES_IN": "120",
        }
    ).auth
    assert bearer == wt.Auth.bearer_token(ACCESS, 120, REFRESH)
    with pytest.raises(wt.ConfigError, match="conflicting credentials") as info:
        wt.Config.from_env({**base, "WEAVIATE_API_KEY": SECRET, "WEAVIATE_BEARER_TOKEN": ACCESS})
    assert SECRET not in str(info.value) and ACCESS not in str(info.value)
    with pytest.raises(wt.ConfigError, match="go together"):
        wt.Config.from_env({**base, "WEAVIATE_USERNAME": "alice"})


def test_forgotten_secrets_are_no_longer_scrubbed() -> None:
    redact.register_secret("short-lived-token-1")
    assert redact.redact_text("short-lived-token-1") == "***"
    redact.forget_secret("short-lived-token-1")
    assert redact.redact_text("short-lived-token-1") == "short-lived-token-1"
    redact.forget_secret("never-registered")  # a no-op


class FakeProvider:
    """Weaviate's discovery document, the issuer's metadata and a token endpoint."""

    def __init__(self, lifetime: float = 5.0, delay: float = 0.0) -> None:
        self.lifetime = lifetime
        self.delay = delay
        self.grants: list[dict[str, str]] = []
        self.fail: int | None = None
        self._lock = threading.Lock()

    def fetch(self, request: Request, endpoint: Any, parse: Callable[[Response], Any]) -> Any:
        if request.operation == "auth.discover":
            body: Mapping[str, Any]
            if endpoint is None:
                body = {"href": "https://idp.test/realm/.well-known/openid-configuration",
                        "clientId": "wv", "scopes": ["openid"]}  # fmt: skip
            else:
                body = {"issuer": "https://idp.test/realm", "token_endpoint": "https://idp.test/t"}
            return parse(Response(200, {}, body, orjson.dumps(body), "u", 0.0))
        form = dict(pair.split("=", 1) for pair in request.body.decode().split("&"))
        time.sleep(self.delay)
        with self._lock:
            self.grants.append(form)
            n = len(self.grants)
        if self.fail is not None:
            error = {"error": "invalid_client", "error_description": "bad client"}
            return parse(Response(self.fail, {}, error, b"", "u", 0.0))
        body = {"access_token": f"access-{n:04d}", "expires_in": self.lifetime,
                "refresh_token": f"refresh-{n:04d}"}  # fmt: skip
        return parse(Response(200, {}, body, orjson.dumps(body), "u", 0.0))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def steps_of(fetch: Callable[..., Any]) -> Callable[..., Steps[Any]]:
    """A fake provider's answers as the pipeline steps a token source runs (no I/O)."""

    def fetch_steps(request: Request, endpoint: Any, parse: Callable[[Response], Any]) -> Any:
        return fetch(request, endpoint, parse)
        yield  # a generator: the token source runs it with ``yield from``

    return fetch_steps


def token(tokens: TokenSource) -> str:
    """The token source's token, its lock taken as the sync driver takes it."""
    return drive(tokens.token_steps(), perform_locks)


def source(provider: FakeProvider, clock: Clock | None = None) -> TokenSource:
    return TokenSource(
        wt.Auth.client_credentials(SECRET), steps_of(provider.fetch), clock or Clock()
    )


def test_first_token_then_renewal_with_the_refresh_token() -> None:
    provider, clock = FakeProvider(lifetime=300), Clock()
    tokens = source(provider, clock)
    assert token(tokens) == "access-0001"
    assert provider.grants[0]["grant_type"] == "client_credentials"
    assert provider.grants[0]["client_id"] == "wv" and provider.grants[0]["scope"] == "openid"
    clock.now += 239  # a 300 s token is renewed 60 s before it expires
    assert token(tokens) == "access-0001"
    clock.now += 2
    assert token(tokens) == "access-0002"
    assert provider.grants[1]["grant_type"] == "refresh_token"
    assert provider.grants[1]["refresh_token"] == "refresh-0001"
    assert tokens.describe()["issuer"] == "https://idp.test/realm"


def test_a_refused_refresh_token_falls_back_to_the_grant() -> None:
    provider, clock = FakeProvider(lifetime=10), Clock()
    tokens = source(provider, clock)
    token(tokens)
    clock.now += 20  # expired: the caller waits for the renewal

    original = provider.fetch

    def refuse_refresh(request: Request, endpoint: Any, parse: Any) -> Any:
        provider.fail = 400 if b"refresh_token" in (request.body or b"") else None
        return original(request, endpoint, parse)

    tokens._fetch = steps_of(refuse_refresh)
    assert token(tokens) == "access-0003"
    assert [g["grant_type"] for g in provider.grants] == [
        "client_credentials",
        "refresh_token",
        "client_credentials",
    ]


def test_one_renewal_however_many_threads_wait() -> None:
    provider, clock = FakeProvider(lifetime=5, delay=0.2), Clock()
    tokens = source(provider, clock)
    seen: list[str] = []
    barrier = threading.Barrier(64)

    def call() -> None:
        barrier.wait()
        seen.append(token(tokens))

    threads = [threading.Thread(target=call) for _ in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(provider.grants) == 1 and set(seen) == {"access-0001"}

    # In the renewal window: one thread renews, the others keep the valid token, unblocked.
    clock.now += 3.5
    seen.clear()
    started = time.monotonic()
    renewing = threading.Thread(target=lambda: seen.append(token(tokens)))
    renewing.start()
    time.sleep(0.05)
    others = [token(tokens) for _ in range(100)]
    assert time.monotonic() - started < 0.15  # nobody waited for the renewal
    renewing.join()
    assert set(others) == {"access-0001"} and seen == ["access-0002"]
    assert len(provider.grants) == 2


def test_threads_waiting_for_a_failed_renewal_share_its_error() -> None:
    provider = FakeProvider(delay=0.6)  # the threads all wait within it
    provider.fail = 503
    tokens = source(provider)
    failures: list[BaseException] = []
    barrier = threading.Barrier(32)

    def call() -> None:
        barrier.wait()
        try:
            token(tokens)
        except wt.WeaviateError as err:
            failures.append(err)

    threads = [threading.Thread(target=call) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(provider.grants) == 1  # the provider was asked once, not 32 times
    assert len(failures) == 32 and len({id(f) for f in failures}) == 32
    assert all(isinstance(f, wt.UnavailableError) for f in failures)
    with pytest.raises(wt.UnavailableError):  # a later call asks again
        token(tokens)
    assert len(provider.grants) == 2


def test_a_failed_early_renewal_keeps_the_valid_token() -> None:
    provider, clock = FakeProvider(lifetime=60), Clock()
    tokens = source(provider, clock)
    token(tokens)
    provider.fail = 503
    clock.now += 50  # renewal due, token valid for 10 s more
    assert token(tokens) == "access-0001"
    assert token(tokens) == "access-0001"  # no second request within a second
    assert len(provider.grants) == 2
    clock.now += 10  # expired: the provider's failure is the caller's
    with pytest.raises(wt.UnavailableError, match=r"identity provider https://idp\.test/realm"):
        token(tokens)


def test_a_refused_grant_names_the_provider() -> None:
    provider = FakeProvider()
    provider.fail = 401
    with pytest.raises(wt.UnauthorizedError) as info:
        token(source(provider))
    assert "identity provider https://idp.test/realm refused the client_credentials grant" in str(
        info.value
    )
    assert "invalid_client: bad client" in info.value.message
    assert "not Weaviate" in (info.value.hint or "")


def test_bearer_token_without_refresh_is_used_as_given() -> None:
    clock = Clock()
    provider = FakeProvider()
    creds = wt.Auth.bearer_token(ACCESS, expires_in=10)
    tokens = TokenSource(creds, steps_of(provider.fetch), clock)
    clock.now += 100
    assert token(tokens) == ACCESS and not tokens.renewable
    assert provider.grants == []


def test_a_forked_child_renews_although_the_parent_was_renewing() -> None:
    provider, clock = FakeProvider(lifetime=5, delay=2.0), Clock()
    tokens = source(provider, clock)
    holder = threading.Thread(target=lambda: token(tokens))  # holds the lock for 2 s
    holder.start()
    time.sleep(0.2)
    assert tokens._lock.locked()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
        pid = os.fork()
    if pid == 0:  # the child: the lock is free, its renewal does not wait for the parent's
        code = 1
        try:
            provider.delay = 0.0
            started = time.monotonic()
            code = (
                0 if token(tokens).startswith("access-") and time.monotonic() - started < 1 else 2
            )
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    holder.join()
    assert os.waitstatus_to_exitcode(status) == 0
