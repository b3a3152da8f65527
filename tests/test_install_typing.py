"""A user's type checker sees the package after each documented install.

README's set-up installs with ``pip install -e .``; users of a release install the
wheel. Either way, ``mypy --strict`` on the user's code must find the package and its
types (py.typed), not stop at ``Cannot find implementation or library stub``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

USER_CODE = """\
import weaviate_telemetry as wt


def server_version(client: wt.Client) -> str:
    return client.meta().version


wrong: int = server_version(wt.Client("http://127.0.0.1:8080"))
"""


@pytest.mark.parametrize("editable", [True, False], ids=["pip install -e .", "wheel"])
def test_a_users_mypy_strict_sees_the_installed_package(tmp_path: Path, editable: bool) -> None:
    source = tmp_path / "project"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "weaviate_telemetry", source / "weaviate_telemetry", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The README's command (with --no-deps: the type check needs the package, not its
    # dependencies); the wheel is what `pip install weaviate-telemetry` would unpack.
    install = [python, "-m", "pip", "install", "-q", "--no-deps"]
    install += ["-e", source] if editable else [source]
    done = subprocess.run(install, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr

    user = tmp_path / "user"
    user.mkdir()
    (user / "app.py").write_text(USER_CODE)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--python-executable", python]
    checked = subprocess.run(
        [*mypy, "--cache-dir", tmp_path / "mypy-cache", "app.py"],
        capture_output=True,
        text=True,
        cwd=user,
        timeout=300,
        check=False,
    )
    # Exactly the mistake in the user's code: the package's types are seen, nothing else.
    assert checked.stdout.splitlines() == [
        'app.py:8: error: Incompatible types in assignment (expression has type "str", '
        'variable has type "int")  [assignment]',
        "Found 1 error in 1 file (checked 1 source file)",
    ], checked.stdout + checked.stderr
