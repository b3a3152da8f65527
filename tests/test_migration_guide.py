"""docs/migrating-from-weaviate-client.md shows v4 next to ours for every section.

Its ``python`` blocks (ours; the v4 ones are marked ``python v4``) run against the real
Weaviate in tests/test_docs_run.py, with every other document's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
