"""``weaviate-telemetry doctor``: one command that says whether a deployment is usable.

Each check yields a :class:`Check` (ok / warn / fail with a detail and its
numbers); the verdict maps to an exit code: 0 healthy, 1 degraded,
2 unreachable or misconfigured.
"""

from __future__ import annotations

import os
import socket
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._client import Client
from ._core.config import Config
from ._core.errors import ConfigError, ErrorKind, WeaviateError

MIN_SUPPORTED = (1, 27)
TESTED = (1, 39)

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one diagnostic."""

    name: str
    status: str
    detail: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """All checks and the verdict (``healthy``/``degraded``/``unreachable``)."""

    checks: tuple[Check, ...]
    verdict: str

    @property
    def exit_code(self) -> int:
        return {"healthy": 0, "degraded": 1}.get(self.verdict, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "checks": [asdict(c) for c in self.checks],
        }

    def to_table(self) -> str:
        width = max(len(c.name) for c in self.checks)
        marks = {OK: "OK  ", WARN: "WARN", FAIL: "FAIL"}
        lines = [f"{marks[c.status]}  {c.name.ljust(width)}  {c.detail}" for c in self.checks]
        lines.append(f"verdict: {self.verdict} (exit {self.exit_code})")
        return "\n".join(lines)


def _tcp_connect(host: str, port: int, timeout: float) -> float:
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout):
        return time.perf_counter() - started


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def run_doctor(config: Config, timeout: float = 2.0, pings: int = 7) -> DoctorReport:
    """Run every check against ``config`` and return the report (never raises)."""
    checks: list[Check] = [Check("configuration", OK, repr(config))]
    parts = urlsplit(config.base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        latency = _tcp_connect(host, port, timeout)
        checks.append(
            Check("tcp connect", OK, f"{host}:{port} in {_ms(latency)}", {"seconds": latency})
        )
    except OSError as exc:
        checks.append(Check("tcp connect", FAIL, f"{host}:{port}: {exc}"))
    with Client(config=config) as client:
        report = client.health.check(timeout=timeout)
        for ep in report.endpoints:
            status = OK if ep.ready else (WARN if ep.live else FAIL)
            detail = f"{ep.url}: live={ep.live} ready={ep.ready}" + (
                f" ({ep.error_kind})" if ep.error_kind else ""
            )
            checks.append(Check("live/ready", status, detail, asdict(ep)))
        if not report.healthy and not any(e.live for e in report.endpoints):
            return _finish(checks, unreachable=True)
        checks += _server_checks(client, timeout, pings)
    otlp = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if otlp:
        target = urlsplit(otlp if "://" in otlp else f"http://{otlp}")
        otlp_port = target.port or (443 if target.scheme == "https" else 4317)
        try:
            seconds = _tcp_connect(target.hostname or "", otlp_port, timeout)
            checks.append(Check("otlp endpoint", OK, f"{otlp} reachable in {_ms(seconds)}"))
        except OSError as exc:
            checks.append(Check("otlp endpoint", WARN, f"{otlp}: {exc}"))
    return _finish(checks, unreachable=False)


def _guard(name: str, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except WeaviateError as err:
        return Check(name, FAIL, str(err), {"error_kind": err.kind.value})


def _server_checks(client: Client, timeout: float, pings: int) -> list[Check]:
    out: list[Check] = []

    def version() -> Check:
        meta = client.meta(timeout=timeout)
        v = meta.version_tuple
        if v[:2] < MIN_SUPPORTED:
            return Check("server version", FAIL, f"{meta.version}: older than 1.27 (unsupported)")
        if v[:2] > TESTED:
            return Check("server version", WARN, f"{meta.version}: newer than tested 1.39")
        return Check("server version", OK, f"{meta.version}: compatible", {"version": meta.version})

    def nodes() -> Check:
        found = client.nodes(output="verbose", timeout=timeout)
        unhealthy = [n.name for n in found if n.status != "HEALTHY"]
        shards = sum(len(n.shards) for n in found)
        detail = f"{len(found)} node(s), {shards} shard(s)"
        if unhealthy:
            return Check("nodes", WARN, f"{detail}; not healthy: {', '.join(unhealthy)}")
        return Check("nodes", OK, f"{detail}, all HEALTHY", {"nodes": len(found)})

    def token() -> Check:
        source = client._pipeline.auth
        assert source is not None
        client._pipeline.run(source.token_steps())
        facts = source.describe()
        expires = facts["expires_in"]
        when = "unknown" if expires is None else f"{expires:.0f} s"
        renewal = "renewed before expiry" if facts["renewable"] else "cannot be renewed"
        detail = (
            f"{facts['method']} token from {facts['issuer'] or 'the given bearer token'} "
            f"for client {facts['client_id']}: expires in {when}, {renewal}"
        )
        return Check("oidc token", OK if facts["renewable"] else WARN, detail, facts)

    def auth() -> Check:
        client.raw.request("GET", "/v1/schema", timeout=timeout)
        if client.config.api_key:
            who = "with API key"
        elif client.config.auth is not None:
            who = "with an OIDC access token"
        else:
            who = "anonymously"
        return Check("auth", OK, f"schema readable {who}")

    def latency() -> Check:
        samples = []
        for _ in range(pings):
            started = time.perf_counter()
            client.raw.request("GET", "/v1/.well-known/ready", timeout=timeout)
            samples.append(time.perf_counter() - started)
        samples.sort()
        p50 = statistics.median(samples)
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        return Check(
            "round trip",
            OK,
            f"p50 {_ms(p50)}, p95 {_ms(p95)} over {pings} pings",
            {"p50": p50, "p95": p95},
        )

    def grpc_health() -> Check:
        port = client.config.grpc_port
        started = time.perf_counter()
        status = client.health.grpc(timeout=timeout)
        seconds = time.perf_counter() - started
        detail = f"port {port}: {status} in {_ms(seconds)}"
        return Check("grpc health", OK if status == "SERVING" else WARN, detail, {"status": status})

    checks: list[tuple[str, Callable[[], Check]]] = [
        ("server version", version),
        ("nodes", nodes),
        *([("oidc token", token)] if client._pipeline.auth is not None else []),
        ("auth", auth),
        ("round trip", latency),
    ]
    if client.config.grpc_port is not None:
        checks.append(("grpc health", grpc_health))
    for name, fn in checks:
        out.append(_guard(name, fn))
    return out


def _finish(checks: list[Check], unreachable: bool) -> DoctorReport:
    if unreachable:
        verdict = "unreachable"
    elif any(c.status == FAIL and c.name in ("auth", "oidc token") for c in checks):
        verdict = "unreachable"  # misconfigured credentials: nothing will work
    elif any(c.status != OK for c in checks):
        verdict = "degraded"
    else:
        verdict = "healthy"
    return DoctorReport(tuple(checks), verdict)


def doctor_main(url: str | None, timeout: float, as_json: bool) -> int:
    """Entry point used by the CLI; prints the report and returns the exit code."""
    import json

    try:
        config = Config.from_env(None, **({"base_url": url} if url else {}))
    except ConfigError as err:
        report = DoctorReport(
            (
                Check(
                    "configuration",
                    FAIL,
                    str(err),
                    {"error_kind": ErrorKind.VALIDATION_ERROR.value},
                ),
            ),
            "misconfigured",
        )
    else:
        report = run_doctor(config, timeout=timeout)
    print(json.dumps(report.to_dict(), indent=2, default=str) if as_json else report.to_table())
    return report.exit_code
