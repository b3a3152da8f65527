"""Every Python block of README.md, QUICK_START_GUIDE.md and docs/*.md runs as written.

Per document, its ```python blocks run in order in one namespace, in a fresh interpreter,
against the real Weaviate (and the OpenTelemetry collector, for blocks that export), with
only ``WEAVIATE_URL``, ``WEAVIATE_GRPC_PORT`` and ``OTEL_EXPORTER_OTLP_ENDPOINT`` set (no
document needs ``WEAVIATE_API_KEY``: the README's keyed server is one it starts itself) —
what a reader who copies them has exported. Each document creates what it uses and removes it again.

Two kinds of block do not run, and both are marked where they stand (docs/testing.md):

- a block right after ``<!-- illustrative: reason -->`` (pseudo-code, or needs Docker or a
  cloud cluster) — few, and each says why;
- ```python v4 blocks: the official client's code, shown for comparison in the migration
  guide.

Bash blocks are run by tests/test_guide_commands.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.peers.otel_collector import Collector
from weaviate_telemetry.embedded import EmbeddedWeaviate

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    ROOT / "README.md",
    ROOT / "QUICK_START_GUIDE.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
_BLOCK = re.compile(
    r"(?P<mark><!-- illustrative: (?P<why>[^>]+) -->[ \t]*\n)?"
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<code>.*?)^(?P=indent)```[ \t]*$",
    re.M | re.S,
)
#: What a document's blocks print that shows they did what the text says.
PRINTS = {
    "migrating-from-weaviate-client.md": ["invalid vector"],
}
#: Documents whose blocks export spans over OTLP, and the service name they use.
EXPORTS = {
    "README.md": "search-api",
    "QUICK_START_GUIDE.md": "my-app",
    "telemetry.md": "search-api",
}


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    info: str
    code: str
    illustrative: str | None  # the reason, when marked

    @property
    def python(self) -> bool:
        return self.info.split()[:1] in (["python"], ["py"], ["python3"], ["pycon"])

    @property
    def runs(self) -> bool:
        return self.python and self.info == "python" and self.illustrative is None


def blocks(path: Path) -> list[Block]:
    text = path.read_text()
    found = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code")) + 1
        found.append(
            Block(
                path.name,
                line,
                match["info"].strip(),
                textwrap.dedent(match["code"]),
                match["why"],
            )
        )
    return found


def program(path: Path) -> str:
    """One script that runs the document's blocks in order, tracebacks naming doc lines."""
    steps = [
        f"_run({block.code!r}, {f'{block.document}:{block.line}'!r})"
        for block in blocks(path)
        if block.runs
    ]
    return (
        textwrap.dedent(
            """
        __namespace = {"__name__": "__main__"}

        def _run(code, where):
            # Line numbers in tracebacks are the document's.
            first = int(where.rsplit(":", 1)[1])
            exec(compile("\\n" * (first - 1) + code, where.rsplit(":", 1)[0], "exec"), __namespace)

        """
        )
        + "\n".join(steps)
        + "\n"
    )


def test_every_python_block_is_run_or_marked() -> None:
    every = [b for path in DOCUMENTS for b in blocks(path) if b.python]
    for block in every:
        where = f"{block.document}:{block.line}"
        assert block.info in ("python", "python v4"), f"{where}: write ```python ({block.info!r})"
        if block.illustrative is not None:
            assert len(block.illustrative.strip()) > 5, f"{where}: say why it is illustrative"
    running = [b for b in every if b.runs]
    illustrative = [b for b in every if b.illustrative is not None]
    v4 = [b for b in every if b.info == "python v4"]
    assert len(running) + len(illustrative) + len(v4) == len(every)
    print(f"python blocks: {len(every)}; run: {len(running)}; illustrative: "
          f"{len(illustrative)}; official client v4: {len(v4)}")  # fmt: skip
    assert len(running) >= 30
    assert len(illustrative) <= 6, [f"{b.document}:{b.line}" for b in illustrative]


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    with Collector() as running:
        yield running


def _exported(collector: Collector, service: str) -> int:
    """How many span batches of ``service`` the collector's file exporter has written."""
    if not collector.traces_path.exists():
        return 0
    return collector.traces_path.read_text().count(f'"stringValue":"{service}"')


def _collections(url: str) -> set[str]:
    import weaviate_telemetry as wt

    with wt.Client(url) as client:
        return {c.name for c in client.collections.list()}


@pytest.mark.parametrize(
    "path",
    [p for p in DOCUMENTS if any(b.runs for b in blocks(p))],
    ids=lambda p: p.name,
)
def test_document_runs_as_written(
    path: Path, weaviate_server: EmbeddedWeaviate, collector: Collector, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WEAVIATE_", "OTEL_")) and k != "PYTHONPATH"
    }
    assert weaviate_server.ports is not None
    env.update(
        WEAVIATE_URL=weaviate_server.url,
        WEAVIATE_GRPC_PORT=str(weaviate_server.ports.grpc),
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.otlp_http,
        OTEL_METRIC_EXPORT_INTERVAL="1000",
        PYTHONPATH=str(ROOT),
    )
    before = _collections(weaviate_server.url)
    service = EXPORTS.get(path.name)
    exported_before = _exported(collector, service) if service else 0
    script = tmp_path / "doc.py"
    script.write_text(program(path))
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{path.name} does not run as written:\n{done.stderr[-4000:]}"
    for expected in PRINTS.get(path.name, []):
        assert expected in done.stdout
    assert _collections(weaviate_server.url) == before, f"{path.name} left collections behind"
    if service:  # the spans reached the collector, under the document's service name
        deadline = time.monotonic() + 20
        while _exported(collector, service) <= exported_before:
            assert time.monotonic() < deadline, f"{path.name}: no spans of {service!r} exported"
            time.sleep(0.2)
