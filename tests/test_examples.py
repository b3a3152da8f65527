"""The example scripts run against the real server and say what they did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from weaviate_telemetry.embedded import WEAVIATE_VERSION, EmbeddedWeaviate

ROOT = Path(__file__).resolve().parent.parent


def run_example(name: str, server: EmbeddedWeaviate) -> str:
    """Run ``examples/<name>`` against ``server`` with warnings as errors; return stdout."""
    env = {**os.environ, "WEAVIATE_URL": server.url, "PYTHONWARNINGS": "error"}
    env.pop("WEAVIATE_API_KEY", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quickstart_example_talks_to_the_server(weaviate_server: EmbeddedWeaviate) -> None:
    out = run_example("quickstart.py", weaviate_server)
    assert f"server version: {WEAVIATE_VERSION.lstrip('v')}" in out
    assert "ready: True  live: True" in out
    assert "typed error: kind=not_found" in out
    assert "[event] meta" in out


def test_data_quickstart_example(weaviate_server: EmbeddedWeaviate) -> None:
    out = run_example("quickstart_data.py", weaviate_server)
    assert "ingest: 8 stored, 0 failed" in out
    assert "near_vector: Neuromancer" in out or "near_vector: Snow Crash" in out
    assert "bm25 'wizard darkness': ['A Wizard of Earthsea', 'The Left Hand of Darkness']" in out
    assert "classics before 1960: ['The Hobbit', 'Foundation']" in out
    assert "hybrid 'foundation': ['Foundation'" in out
    assert "aggregate: count=8" in out
    assert "aggregate: top tags [('scifi', 5)" in out
    assert "aggregate: most books by Ursula K. Le Guin (2)" in out
    assert "validation: kind=validation_error" in out
    assert "cleanup: dropped collection" in out
