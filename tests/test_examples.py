"""The README's example scripts run against the real server and say what they did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from weaviate_telemetry.embedded import WEAVIATE_VERSION, EmbeddedWeaviate

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_example_talks_to_the_server(weaviate_server: EmbeddedWeaviate) -> None:
    env = {**os.environ, "WEAVIATE_URL": weaviate_server.url, "PYTHONWARNINGS": "error"}
    env.pop("WEAVIATE_API_KEY", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"server version: {WEAVIATE_VERSION.lstrip('v')}" in out
    assert "ready: True  live: True" in out
    assert "typed error: kind=not_found" in out
    assert "[event] meta" in out
