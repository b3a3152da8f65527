"""A user's ``mypy --strict`` sees concrete result types (tests/typing/user_program.py).

The sample program asserts (``assert_type``) the type of every handle search, fetch,
aggregate, write and batch call, untyped and with ``data_model=`` (a TypedDict), and the typed
per-call keywords; a second program holds the mistakes those types must catch, so the
check can fail.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "typing" / "user_program.py"

MISTAKES = """\
from typing import TypedDict

import weaviate_telemetry as wt


class Article(TypedDict):
    title: str
    year: int


def wrong(client: wt.Client) -> None:
    articles = client.collections.use("Article", data_model=Article)
    hit = articles.query.near_vector([0.1], limit=1).objects[0]
    year: str = hit.properties["year"]  # line 14: an int
    articles.query.bm25("x").groups  # line 15: no groups without group_by
    total: str = articles.aggregate.over_all().total_count  # line 16: int | None
    articles.query.fetch_objects(timout=5)  # line 17: a misspelt per-call keyword
    articles.data.insert({"title": "x", "year": 1}, timeout="soon")  # line 18: not a number
    client.meta(options=None)  # line 19: options= is gone; keywords are the one way
    client.query.aggregate("Article").do().groups  # line 20: no groups without group_by
    articles.data.insert({"title": "x", "year": "1999"})  # line 21: year is an int
    articles.data.replace(hit.uuid, {"title": 3, "year": 1})  # line 22: title is a str
    articles.data.insert_many([{"titel": "x", "year": 1}])  # line 23: no such property
"""


def test_a_users_mypy_strict_infers_concrete_result_types(tmp_path: Path) -> None:
    mistakes = tmp_path / "mistakes.py"
    mistakes.write_text(MISTAKES)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file=",
         "--python-version", "3.10", str(SAMPLE), str(mistakes)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if "user_program.py" in e], done.stdout
    lines = sorted({int(m.group(1)) for e in errors if (m := re.search(r"mistakes\.py:(\d+)", e))})
    assert lines == [14, 15, 16, 17, 18, 19, 20, 21, 22, 23], done.stdout
