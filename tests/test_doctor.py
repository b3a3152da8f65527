"""``weaviate-telemetry doctor`` against real servers: verdicts, exit codes, JSON, redaction."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.servers import closed_port
from weaviate_telemetry.embedded import WEAVIATE_VERSION, EmbeddedWeaviate

from conftest import API_KEY


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WEAVIATE_", "OTEL_"))}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "weaviate_telemetry", "doctor", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_healthy_server_exit_0_with_table(weaviate_server: EmbeddedWeaviate) -> None:
    result = doctor("--url", weaviate_server.url)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"{WEAVIATE_VERSION.lstrip('v')}: compatible" in out
    assert "1 node(s)" in out and "p50" in out and "verdict: healthy (exit 0)" in out


def test_json_output_and_secret_never_printed(weaviate_auth_server: EmbeddedWeaviate) -> None:
    result = doctor("--url", weaviate_auth_server.url, "--json", WEAVIATE_API_KEY=API_KEY)
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["verdict"] == "healthy"
    names = [c["name"] for c in report["checks"]]
    assert names[:3] == ["configuration", "tcp connect", "live/ready"]
    assert {"server version", "nodes", "auth", "round trip"} <= set(names)
    assert API_KEY not in result.stdout + result.stderr


def test_wrong_key_is_misconfigured_exit_2(weaviate_auth_server: EmbeddedWeaviate) -> None:
    result = doctor("--url", weaviate_auth_server.url, WEAVIATE_API_KEY="bad-key-123456")
    assert result.returncode == 2
    assert "FAIL  auth" in result.stdout and "unauthorized" in result.stdout
    assert "bad-key-123456" not in result.stdout


def test_unreachable_exit_2() -> None:
    with closed_port() as port:
        result = doctor("--url", f"http://127.0.0.1:{port}", "--timeout", "0.5")
    assert result.returncode == 2
    assert "FAIL  tcp connect" in result.stdout and "verdict: unreachable" in result.stdout


def test_bad_configuration_exit_2() -> None:
    result = doctor("--url", "ftp://nowhere")
    assert result.returncode == 2 and "invalid base_url" in result.stdout


def test_degraded_when_a_fallback_is_down_and_otlp_unreachable(
    weaviate_server: EmbeddedWeaviate,
) -> None:
    with closed_port() as port, closed_port() as otlp:
        result = doctor(
            "--url",
            weaviate_server.url,
            "--timeout",
            "0.5",
            WEAVIATE_FALLBACK_URLS=f"http://127.0.0.1:{port}",
            OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{otlp}",
        )
    assert result.returncode == 1, result.stdout
    assert "WARN  otlp endpoint" in result.stdout and "verdict: degraded" in result.stdout


@pytest.mark.parametrize("args", [[], ["--help"]])
def test_cli_usage(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "weaviate_telemetry", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "usage:" in result.stdout + result.stderr
