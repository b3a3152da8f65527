"""A library stays quiet: with no handler attached the SDK writes nothing to stdout or
stderr — not for retries (stamina's own log line included), failovers, errors or a
failing server — and installs no process-global stamina hooks (docs/resilience.md,
docs/telemetry.md)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.servers import Canned, ScriptedHTTPServer, closed_port

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = textwrap.dedent(
    """
    import stamina.instrumentation as si
    from loguru import logger  # its default sink writes to stderr: the SDK must not use it
    import weaviate_telemetry as wt

    hooks_before = si.get_on_retry_hooks()
    policy = wt.RetryPolicy(enabled=True, max_attempts=3, initial_backoff=0.01, max_backoff=0.02)
    # Retries that end in success, on a flaky server.
    with wt.Client(FLAKY, retry=policy) as client:
        assert client.meta().version == "1.39.0"
    # Failover: a refused primary, retried onto the fallback.
    with wt.Client(DOWN, fallback_urls=[FLAKY], retry=policy) as client:
        client.meta()
    # Errors the caller handles: exhausted retries, a refused endpoint, bad input.
    with wt.Client(DOWN, retry=policy) as client:
        try:
            client.meta()
        except wt.WeaviateConnectionError:
            pass
        try:
            client.collections.use("Article").data.exists("not-a-uuid")
        except wt.ValidationError:
            pass
    assert not client.health.ready(timeout=0.2)
    # A wait for a server that never comes up gives up with an error the caller handles.
    with wt.Client(DOWN) as client:
        try:
            client.health.wait_until_ready(timeout=0.3, interval=0.05)
        except wt.WeaviateTimeoutError:
            pass
    # A server error, with retries off (the default).
    with wt.Client(FLAKY) as client:
        try:
            client.raw.request("GET", "/v1/schema")
        except wt.ServerError:
            pass
    assert si.get_on_retry_hooks() == hooks_before, "the SDK changed stamina's global hooks"
    """
)


def test_nothing_on_stdout_or_stderr_without_handlers() -> None:
    script = [
        Canned(503, b'{"error": [{"message": "leader not found"}]}'),
        Canned(200, b'{"version": "1.39.0"}'),
        Canned(200, b'{"version": "1.39.0"}'),
        Canned(500, b'{"error": [{"message": "disk full"}]}'),
    ]
    with ScriptedHTTPServer(script) as flaky, closed_port() as down:
        program = f"FLAKY = {flaky.url!r}\nDOWN = 'http://127.0.0.1:{down}'\n" + PROGRAM
        result = subprocess.run(
            [sys.executable, "-W", "error", "-c", program],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert len(flaky.requests) >= 3  # the retries really happened
    assert result.stdout == ""
    assert result.stderr == ""
