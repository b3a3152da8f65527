"""The Grafana dashboards the package ships (docs/dashboards.md), and copying them out.

They are package data (``weaviate_telemetry/dashboards/*.json``, written by
``dashboards/generate.py`` in the repository), so a wheel install has them:
``weaviate-telemetry dashboards --out DIR`` copies them for Grafana's
import or file provisioning, and ``soak --prometheus`` renders them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: The folder holding the shipped dashboard JSON.
FOLDER = Path(__file__).resolve().parent / "dashboards"


def shipped() -> list[Path]:
    """The shipped dashboards (``weaviate-*.json``), sorted by name."""
    return sorted(FOLDER.glob("weaviate-*.json"))


def export(folder: Path) -> list[Path]:
    """Copy every shipped dashboard into ``folder`` (created if needed); the copies' paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(path, folder / path.name)) for path in shipped()]


def dashboards_main(out: Path | None) -> int:
    """``weaviate-telemetry dashboards``: list the shipped files, or copy them to ``out``."""
    paths = shipped()
    if not paths:  # a broken install: the package data is missing
        print(f"no dashboards in {FOLDER}")
        return 2
    for path in export(out) if out is not None else paths:
        print(path)
    return 0
