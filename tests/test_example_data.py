"""examples/quickstart_data.py runs against the real server: schema, ingest, query, aggregate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


def test_data_quickstart_example(weaviate_server: EmbeddedWeaviate) -> None:
    env = {**os.environ, "WEAVIATE_URL": weaviate_server.url, "PYTHONWARNINGS": "error"}
    env.pop("WEAVIATE_API_KEY", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart_data.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
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
