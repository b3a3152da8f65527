"""docs/migrating-from-weaviate-client.md runs as written: its ``python`` blocks (ours; the
v4 ones are marked ``python v4``) are executed in order against the real Weaviate."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "migrating-from-weaviate-client.md"
BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<code>.*?)^```", re.M | re.S)


def blocks(info: str) -> list[str]:
    return [m["code"] for m in BLOCK.finditer(GUIDE.read_text()) if m["info"].strip() == info]


def test_every_section_shows_v4_next_to_ours() -> None:
    text = GUIDE.read_text()
    for section in ("Connect", "Schema", "Insert", "Batch", "Queries", "Filters", "Aggregate",
                    "Tenants", "Errors", "What you add"):  # fmt: skip
        assert f"## {section}" in text
    assert len(blocks("python v4")) >= 7
    for kind in ("near_vector", "near_object", "near_text", "bm25", "hybrid", "fetch_objects",
                 "fetch_object_by_id", "group_by", "iterator"):  # fmt: skip
        assert kind in text


def test_our_snippets_run_against_the_real_server(weaviate_server: EmbeddedWeaviate) -> None:
    namespace: dict[str, object] = {}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            for number, code in enumerate(blocks("python")):
                code = code.replace("http://127.0.0.1:8080", weaviate_server.url)
                exec(compile(code, f"{GUIDE.name}[block {number}]", "exec"), namespace)
    finally:
        with wt.Client(weaviate_server.url) as cleanup:
            cleanup.collections.delete("MigArticle")
            cleanup.collections.delete("MigDocs")
    assert "invalid vector" in out.getvalue()
