"""OIDC authentication end to end: a real Keycloak (tests/peers/keycloak.py) and a real
Weaviate started with ``AUTHENTICATION_OIDC_*`` against it (docs/authentication.md).

Access tokens live 5 seconds, so renewal, the single-flight refresh and the
401-after-expiry path all happen within the module's minute.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
import urllib3
from loguru import logger
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import weaviate_telemetry as wt
from tests.peers.keycloak import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, Keycloak
from weaviate_telemetry._core import redact
from weaviate_telemetry._core.auth import Provider
from weaviate_telemetry._doctor import run_doctor
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port

pytestmark = pytest.mark.integration

LIFETIME = 5  # seconds an access token lives


class Peers:
    def __init__(self, keycloak: Keycloak, weaviate: EmbeddedWeaviate) -> None:
        self.keycloak = keycloak
        self.weaviate = weaviate
        assert weaviate.ports is not None
        self.grpc_port = weaviate.ports.grpc

    def client(self, auth: Any, **kwargs: Any) -> wt.Client:
        return wt.Client(self.weaviate.url, auth=auth, grpc_port=self.grpc_port, **kwargs)

    def password_grant(self) -> dict[str, Any]:
        """Tokens obtained outside the SDK (for Auth.bearer_token)."""
        answer = urllib3.request(
            "POST",
            f"{self.keycloak.issuer}/protocol/openid-connect/token",
            body=urlencode(
                {
                    "grant_type": "password",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "username": USERNAME,
                    "password": PASSWORD,
                    "scope": "openid",
                }
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert answer.status == 200, answer.data
        tokens: dict[str, Any] = orjson.loads(answer.data)
        return tokens


@pytest.fixture(scope="module")
def peers() -> Iterator[Peers]:
    with Keycloak(token_lifespan=LIFETIME) as keycloak:
        env = {
            "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
            "AUTHENTICATION_OIDC_ENABLED": "true",
            "AUTHENTICATION_OIDC_ISSUER": keycloak.issuer,
            "AUTHENTICATION_OIDC_CLIENT_ID": CLIENT_ID,
            "AUTHENTICATION_OIDC_USERNAME_CLAIM": "sub",
            "AUTHENTICATION_OIDC_SCOPES": "openid,email",
        }
        with EmbeddedWeaviate(env=env) as weaviate:
            peers = Peers(keycloak, weaviate)
            with peers.client(wt.Auth.client_credentials(CLIENT_SECRET)) as client:
                client.collections.create("OidcThing").data.insert({"name": "one"})
            yield peers


def cc() -> Any:
    return wt.Auth.client_credentials(CLIENT_SECRET)


def token_events(cap: wt.telemetry.Capture, phase: str = "stop") -> list[Any]:
    return [
        e
        for e in cap.events
        if e.name == ("weaviate", "request", phase) and e.metadata["operation"] == "auth.token"
    ]


def _collection(client: wt.Client, name: str) -> wt.Collection:
    if client.collections.exists(name):
        return client.collections.use(name)
    return client.collections.create(name)


def test_client_credentials_rest_and_grpc(peers: Peers) -> None:
    with wt.telemetry.capture() as cap, peers.client(cc()) as c:
        assert c.meta().version.startswith("1.39")
        things = _collection(c, "OidcThing")
        uid = things.data.insert({"name": "one"})
        assert things.query.fetch_object_by_id(uid) is not None  # gRPC
        assert any(o.uuid == uid for o in things.query.fetch_objects(limit=10).objects)
        described = c._pipeline.auth.describe()  # type: ignore[union-attr]
    assert described["issuer"] == peers.keycloak.issuer
    assert described["client_id"] == CLIENT_ID
    assert 0 < described["expires_in"] <= LIFETIME
    stops = token_events(cap)
    assert len(stops) == 1
    assert stops[0].metadata["metadata"]["grant_type"] == "client_credentials"
    assert stops[0].metadata["server_port"] == peers.keycloak.port
    assert any(e.metadata.get("transport") == "grpc" for e in cap.events)


def test_password_grant_renews_with_its_refresh_token(peers: Peers) -> None:
    auth = wt.Auth.client_password(USERNAME, PASSWORD, client_secret=CLIENT_SECRET)
    with wt.telemetry.capture() as cap, peers.client(auth) as c:
        c.meta()
        time.sleep(LIFETIME - 1.5)  # inside the renewal window, still valid
        c.meta()
        time.sleep(LIFETIME)  # the refreshed token has expired too
        assert c.collections.exists("OidcThing") in (True, False)
    grants = [e.metadata["metadata"]["grant_type"] for e in token_events(cap)]
    assert grants[0] == "password"
    assert "refresh_token" in grants[1:]
    assert not [e for e in cap.events if e.metadata.get("error_kind") == "unauthorized"]


def test_bearer_token_with_refresh_token_outlives_its_access_token(peers: Peers) -> None:
    tokens = peers.password_grant()
    auth = wt.Auth.bearer_token(
        tokens["access_token"],
        expires_in=tokens["expires_in"],
        refresh_token=tokens["refresh_token"],
        client_secret=CLIENT_SECRET,
    )
    with wt.telemetry.capture() as cap, peers.client(auth) as c:
        c.meta()
        time.sleep(LIFETIME + 0.5)
        c.meta()
        c.collections.use("OidcThing").query.fetch_objects(limit=1)
    assert [e.metadata["metadata"]["grant_type"] for e in token_events(cap)] == ["refresh_token"]


def test_bearer_token_without_refresh_is_unauthorized_once_expired(peers: Peers) -> None:
    tokens = peers.password_grant()
    with peers.client(wt.Auth.bearer_token(tokens["access_token"], expires_in=3600)) as c:
        c.meta()
        time.sleep(LIFETIME + 0.5)
        with pytest.raises(wt.UnauthorizedError) as info:
            c.meta()
        with pytest.raises(wt.UnauthorizedError):
            c.collections.use("OidcThing").query.fetch_objects(limit=1)  # gRPC
    assert "expired" in info.value.message
    assert "refresh_token" in (info.value.hint or "")


def test_expired_token_is_renewed_once_and_the_call_resent(peers: Peers) -> None:
    """Our clock stands still, so the token looks fresh (clock skew): Weaviate's 401
    'token is expired' renews it once and the call is resent, over REST and gRPC."""
    with wt.telemetry.capture() as cap, peers.client(cc()) as c:
        source = c._pipeline.auth
        assert source is not None
        things = _collection(c, "OidcThing")
        things.query.fetch_objects(limit=1)
        frozen = time.monotonic()
        source._clock = lambda: frozen  # type: ignore[method-assign]
        expired = source._token
        time.sleep(LIFETIME + 0.5)
        c.meta()  # REST: 401, renew, resend
        source._token = expired  # as if the renewal had not happened
        things.query.fetch_objects(limit=1)  # gRPC: the same
    assert len(token_events(cap)) == 3
    attempts = [e for e in cap.events if e.name == ("weaviate", "attempt", "exception")]
    assert [(e.metadata["transport"], e.metadata["error_kind"]) for e in attempts] == [
        ("http", "unauthorized"),
        ("grpc", "unauthorized"),
    ]
    calls = [e for e in cap.events if e.name == ("weaviate", "request", "exception")]
    assert calls == []


def test_wrong_secret_is_refused_by_the_provider(peers: Peers) -> None:
    with (
        wt.telemetry.capture() as cap,
        peers.client(wt.Auth.client_credentials("not-the-secret")) as c,
        pytest.raises(wt.UnauthorizedError) as info,
    ):
        c.meta()
    err = info.value
    assert f"identity provider {peers.keycloak.issuer} refused" in err.message
    assert "Invalid client" in err.message
    assert "not Weaviate" in (err.hint or "")
    failed = token_events(cap, "exception")
    assert len(failed) == 1 and failed[0].metadata["error_kind"] == "unauthorized"


def test_wrong_password_is_refused_by_the_provider(peers: Peers) -> None:
    auth = wt.Auth.client_password(USERNAME, "not-the-password", client_secret=CLIENT_SECRET)
    with peers.client(auth) as c, pytest.raises(wt.UnauthorizedError) as info:
        c.collections.use("OidcThing").query.fetch_objects(limit=1)
    assert "refused the password grant" in info.value.message
    assert "invalid_grant" in info.value.message


def test_provider_down_is_a_connection_error_naming_it(peers: Peers) -> None:
    down = f"http://127.0.0.1:{free_port()}/realms/gone"
    with peers.client(cc()) as c:
        source = c._pipeline.auth
        assert source is not None
        source._provider = Provider(down, f"{down}/protocol/openid-connect/token", CLIENT_ID, ())
        with pytest.raises(wt.WeaviateConnectionError) as info:
            c.meta()
        assert f"identity provider {down} unreachable" in info.value.message
        assert "not Weaviate" in (info.value.hint or "")
        # Weaviate itself was not marked down: the next call with a reachable provider works.
        source._provider = None
        assert c.meta().version.startswith("1.39")


def test_revoked_client_fails_once_its_token_expires(peers: Peers) -> None:
    with peers.client(cc()) as c:
        c.meta()
        peers.keycloak.set_client_secret("rotated-" + CLIENT_SECRET)
        try:
            c.meta()  # the token it has is still valid
            time.sleep(LIFETIME)
            with pytest.raises(wt.UnauthorizedError) as info:
                c.meta()
        finally:
            peers.keycloak.set_client_secret(CLIENT_SECRET)
    assert "refused the client_credentials grant" in info.value.message


def test_a_forked_child_uses_the_copied_token_and_renews_its_own(peers: Peers) -> None:
    with peers.client(cc()) as c:
        c.meta()
        source = c._pipeline.auth
        assert source is not None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
            pid = os.fork()
        if pid == 0:
            code = 1
            try:
                before = source.requests
                c.meta()  # the copied token
                time.sleep(LIFETIME - 1.5)  # its renewal is due
                c.meta()
                code = 0 if source.requests == before + 1 else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert c.meta().version.startswith("1.39")  # the parent's client is unaffected


def test_doctor_reports_the_token_and_its_expiry(peers: Peers) -> None:
    config = wt.Config(base_url=peers.weaviate.url, auth=cc(), grpc_port=peers.grpc_port)
    report = run_doctor(config, timeout=5.0, pings=2)
    checks = {c.name: c for c in report.checks}
    assert checks["oidc token"].status == "ok", report.to_table()
    assert f"from {peers.keycloak.issuer} for client {CLIENT_ID}" in checks["oidc token"].detail
    assert 0 < checks["oidc token"].data["expires_in"] <= LIFETIME
    assert checks["auth"].detail == "schema readable with an OIDC access token"
    assert report.verdict == "healthy", report.to_table()
    bad = wt.Config(base_url=peers.weaviate.url, auth=wt.Auth.client_credentials("wrong-secret"))
    refused = run_doctor(bad, timeout=5.0, pings=1)
    checks = {c.name: c for c in refused.checks}
    assert checks["oidc token"].status == "fail" and "refused" in checks["oidc token"].detail
    assert refused.verdict == "unreachable"
    text = refused.to_table() + repr(refused.to_dict()) + report.to_table()
    assert "wrong-secret" not in text and CLIENT_SECRET not in text


def test_tokens_renewed_under_load_without_a_single_unauthorized(peers: Peers) -> None:
    """Threads call REST and gRPC for a while; 5-second tokens are renewed one at a time."""
    seconds = float(os.environ.get("WT_OIDC_LOAD_SECONDS", "30"))
    threads = 8
    errors: Counter[str] = Counter()
    calls = Counter[str]()
    stop = threading.Event()
    with wt.telemetry.capture() as cap, peers.client(cc()) as c:
        things = _collection(c, "OidcThing")
        c.meta()

        def work(n: int) -> None:
            while not stop.is_set():
                try:
                    if n % 2:
                        c.meta()
                        calls["rest"] += 1
                    else:
                        things.query.fetch_objects(limit=1)
                        calls["grpc"] += 1
                except wt.WeaviateError as err:
                    errors[err.kind.value] += 1
                time.sleep(0.005)  # bounded: the machine is shared

        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        started = time.monotonic()
        for w in workers:
            w.start()
        time.sleep(seconds)
        stop.set()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - started
        requests = c._pipeline.auth.requests  # type: ignore[union-attr]
    refreshes = len(token_events(cap))
    starts = sorted(e.measurements["system_time"] for e in token_events(cap, "start"))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    unauthorized = [e for e in cap.events if e.metadata.get("error_kind") == "unauthorized"]
    total = calls["rest"] + calls["grpc"]
    print(
        f"\nOIDC load: {total} calls ({calls['rest']} REST, {calls['grpc']} gRPC) in "
        f"{elapsed:.1f}s on {threads} threads, {refreshes} token requests "
        f"(tokens live {LIFETIME}s, renewed 2 s before they expire; "
        f"{min(gaps):.2f}-{max(gaps):.2f} s apart), "
        f"{len(unauthorized)} unauthorized, errors {dict(errors)}"
    )
    for e in unauthorized:
        print(e.name, e.metadata.get("transport"), e.metadata.get("error"))
    assert not errors
    assert not unauthorized
    assert refreshes == requests
    # One renewal per token, before it expires, never two for the same token: at least
    # one per lifetime, and renewals about 2-3 s apart (a token's exp is whole seconds).
    assert elapsed / LIFETIME <= refreshes - 1 <= elapsed / 2 + 1
    assert min(gaps) > 1.5
    assert total > 100


def test_no_secret_or_token_in_events_spans_metrics_logs_errors_or_reprs(peers: Peers) -> None:
    """Every grant, a renewal, each failure: scan everything the SDK showed for secrets."""
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    inst = wt.telemetry.instrument_opentelemetry(
        tracer_provider, MeterProvider(metric_readers=[reader]), attempt_spans="always"
    )
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m) + repr(m.record["extra"])), level="DEBUG")
    routing = wt.telemetry.log_to_loguru(attempts=True)
    shown: list[str] = []
    metrics: list[str] = []
    tokens: set[str] = set()
    bearer = peers.password_grant()
    auths = [
        cc(),
        wt.Auth.client_password(USERNAME, PASSWORD, client_secret=CLIENT_SECRET),
        wt.Auth.bearer_token(
            bearer["access_token"], 1, bearer["refresh_token"], client_secret=CLIENT_SECRET
        ),
        wt.Auth.client_credentials("wrong-" + CLIENT_SECRET),
        wt.Auth.client_password(USERNAME, "wrong-" + PASSWORD, client_secret=CLIENT_SECRET),
    ]
    try:
        with wt.telemetry.capture() as cap:
            for auth in auths:
                shown += [repr(auth), str(auth)]
                with peers.client(auth, retry=wt.RetryPolicy(enabled=True)) as c:
                    shown += [repr(c), repr(c.config), repr(c._pipeline.auth)]
                    try:
                        c.meta()
                        time.sleep(1.2)  # the bearer token's renewal (its expires_in is 1 s)
                        _collection(c, "OidcThing").query.fetch_objects(limit=1)
                        c.raw.request("GET", "/v1/schema/OidcMissing")
                    except wt.WeaviateError as err:
                        shown += [
                            str(err),
                            repr(err),
                            err.message,
                            repr(err.details),
                            err.url or "",
                        ]
                    metrics.append(reader.get_metrics_data().to_json())  # while it is open
                    source = c._pipeline.auth
                    assert source is not None
                    tokens |= {t.access for t in (source._token, source._previous) if t}
                    tokens |= {
                        t.refresh for t in (source._token, source._previous) if t and t.refresh
                    }
        events = [f"{e.name} {e.measurements} {e.metadata}" for e in cap.events]
    finally:
        routing.detach()
        logger.remove(sink)
        inst.uninstrument()
    texts = {
        "events": "\n".join(events),
        "spans": "\n".join(s.to_json() for s in spans.get_finished_spans()),
        "metrics": "\n".join(metrics),
        "logs": "\n".join(lines),
        "errors and reprs": "\n".join(shown),
    }
    tracer_provider.shutdown()
    secrets = {
        "client secret": CLIENT_SECRET,
        "password": PASSWORD,
        "bearer access token": bearer["access_token"],
        "bearer refresh token": bearer["refresh_token"],
    }
    secrets |= {f"token {n}": t for n, t in enumerate(sorted(tokens))}
    assert len(tokens) >= 4
    assert "auth.token" in texts["events"] and "auth.token" in texts["spans"]
    assert "weaviate.client.auth.token.expires_in" in texts["metrics"]
    assert "refused the client_credentials grant" in texts["errors and reprs"]
    leaks = [
        (what, where)
        for what, secret in secrets.items()
        for where, text in texts.items()
        # JWTs: their signature alone would be a leak too
        for part in {secret, secret.rsplit(".", 1)[-1]}
        if len(part) > 8 and part in text
    ]
    print(
        f"\nredaction scan: {len(secrets)} secrets x {len(texts)} outputs "
        f"({sum(map(len, texts.values()))} characters): {len(leaks)} leaks"
    )
    assert leaks == []
    assert redact.REDACTED in texts["errors and reprs"]


def test_async_client_obtains_and_renews_one_token_for_many_tasks(peers: Peers) -> None:
    """AsyncClient runs the same token source: 50 concurrent tasks share one token request,
    and after expiry one renewal (an ``asyncio.Lock``, single flight), never a 401."""

    async def main() -> tuple[int, int, list[Any]]:
        async with wt.AsyncClient(
            peers.weaviate.url, auth=cc(), grpc_port=peers.grpc_port
        ) as client:
            with wt.telemetry.capture() as cap:
                versions = await asyncio.gather(*(client.meta() for _ in range(50)))
                first = len(token_events(cap))
                await asyncio.sleep(LIFETIME + 0.5)  # past expiry: every task waits
                versions += await asyncio.gather(*(client.meta() for _ in range(50)))
            assert {v.version for v in versions} == {versions[0].version}
            failed = [e for e in cap.events if e.name[-1] == "exception"]
            return first, len(token_events(cap)), failed

    first, total, failed = asyncio.run(main())
    assert (first, total, failed) == (1, 2, [])


def test_async_client_wrong_secret_is_refused_by_the_provider(peers: Peers) -> None:
    async def main() -> wt.WeaviateError:
        bad = wt.Auth.client_credentials("not-the-secret")
        async with wt.AsyncClient(peers.weaviate.url, auth=bad) as client:
            with pytest.raises(wt.UnauthorizedError) as info:
                await client.meta()
        return info.value

    err = asyncio.run(main())
    assert f"identity provider {peers.keycloak.issuer} refused" in err.message
    assert "not Weaviate" in (err.hint or "")
