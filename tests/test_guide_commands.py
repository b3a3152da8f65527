"""Every shell command in QUICK_START_GUIDE.md and the operations guides runs as written.

Commands are the lines of the guides' ```bash blocks (a trailing ``\\`` joins lines).
A block right after ``<!-- illustrative: reason -->`` is not run (installs, servers
that run until Ctrl-C, ten-minute soaks) — few, and each says why. The others run in
the repository with the test stack standing in for the addresses the guides use:
Weaviate for ``http://127.0.0.1:8080``, the collector for ``:4318``, Prometheus for
``:9090``; output files go to a temporary folder. A preview may exit 1 only for
panels of metrics the SDK does not emit yet (the one allow-list in test_dashboards)
or of failures and retries, which a fault-free soak does not have (the fault run in
tests/test_soak.py fills those).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stack import MetricsStack
from tests.test_dashboards import DASHBOARDS, NOT_YET_EMITTED, STREAM_ONLY, _metric_names

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [
    ROOT / "QUICK_START_GUIDE.md",
    ROOT / "docs" / "soak.md",
    ROOT / "docs" / "dashboards.md",
    ROOT / "docs" / "troubleshooting.md",
]
_BLOCK = re.compile(r"(<!-- illustrative: [^>]+ -->\s*)?```bash\n(.*?)```", re.S)


def commands(path: Path) -> list[tuple[str, bool]]:
    """(command, illustrative) for every command line of ``path``'s bash blocks."""
    found = []
    for match in _BLOCK.finditer(path.read_text()):
        text = re.sub(r"\\\n\s*", " ", match.group(2))
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                found.append((line, match.group(1) is not None))
    return found


def test_the_guides_have_commands_and_few_are_illustrative() -> None:
    every = [c for guide in GUIDES for c in commands(guide)]
    assert len(every) >= 8
    assert sum(illustrative for _, illustrative in every) <= 5


#: A soak without faults has no failed calls and no retries: these series stay absent.
FAILURE_ONLY = frozenset(
    {
        "weaviate_client_errors_total",
        "weaviate_client_retries_total",
        "weaviate_client_retry_budget_refusals_total",
        "weaviate_client_retry_wait_seconds_sum",
        "weaviate_client_retry_wait_seconds",  # the same histogram, native (exponential)
    }
)


def _allowed_empty_panels() -> set[str]:
    """Panels that read only metrics not emitted yet, only failure counters, or only
    server-side batching's (STREAM_ONLY: the guides' soak imports with unary batches)."""
    import json

    from dashboards import preview

    absent = NOT_YET_EMITTED | FAILURE_ONLY | STREAM_ONLY
    allowed = set()
    for path in DASHBOARDS.glob("weaviate-*.json"):
        for panel in preview.panels_of(json.loads(path.read_text())):
            if all(_metric_names(t["expr"]) <= absent for t in panel["targets"]):
                allowed.add(panel["title"])
    return allowed


@pytest.mark.integration
def test_every_guide_command_runs(metrics_stack: MetricsStack, tmp_path: Path) -> None:
    stand_ins = {
        "http://127.0.0.1:8080": metrics_stack.weaviate.url,
        "http://127.0.0.1:4318": metrics_stack.collector.otlp_http,
        "http://127.0.0.1:9090": metrics_stack.prometheus.url,
        "soak-report": str(tmp_path / "soak-report"),
        "overview.png": str(tmp_path / "overview.png"),
    }
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "PYTHONWARNINGS": "error",
        "WEAVIATE_URL": metrics_stack.weaviate.url,
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    env.pop("WEAVIATE_API_KEY", None)
    ran = 0
    for guide in GUIDES:
        for command, illustrative in commands(guide):
            if illustrative:
                continue
            for written, actual in stand_ins.items():
                command = command.replace(written, actual)
            argv = shlex.split(command, comments=True)
            if argv[0] == "python":
                argv[0] = sys.executable
            result = subprocess.run(
                argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
            )
            ran += 1
            where = f"{guide.name}: {command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            if result.returncode == 1 and "dashboards/preview.py" in command:
                empty = re.search(r"empty panels \(no series\): (.*)", result.stderr)
                assert empty and "query error" not in result.stderr, where
                titles = set(re.findall(r"'([^']+)'", empty.group(1)))
                assert titles <= _allowed_empty_panels(), where
                continue
            assert result.returncode == 0, where
    assert ran >= 6
