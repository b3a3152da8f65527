"""Generate the Python stubs for Weaviate's gRPC API, or check that the committed ones match.

    python tools/generate_grpc_stubs.py          # (re)write weaviate_telemetry/_core/grpc_stubs/
    python tools/generate_grpc_stubs.py --check  # regenerate into a temp dir; exit 1 on a diff

The ``.proto`` files come from ``grpc/proto/v1/`` of the ``github.com/weaviate/weaviate`` Go
module at the pinned server version (``weaviate_telemetry.embedded.WEAVIATE_VERSION``), which
``go mod download`` fetches into the module cache. Only ``weaviate.proto`` (the ``Weaviate``
service), ``health_weaviate.proto`` and everything they import are compiled, with grpcio-tools
(messages, ``.pyi`` type stubs, the service stub) and mypy-protobuf (the service stub's ``.pyi``).

Two rewrites make the output a private, importable package:

* The protos are compiled as ``weaviate_telemetry/v1/*.proto`` in package
  ``weaviate_telemetry.v1`` instead of ``v1/*.proto`` in ``weaviate.v1``. Every generated module
  registers its file and message names in protobuf's one global descriptor pool, and the official
  ``weaviate-client`` registers ``v1/*.proto`` / ``weaviate.v1.*`` with *different* contents (its
  own Weaviate version): importing both in one process would fail with "duplicate file name".
  Message names never go over the wire, so this changes nothing the server sees; the service's
  RPC paths are put back to ``/weaviate.v1.Weaviate/<Method>`` in the service stub.
* ``from weaviate_telemetry.v1 import x_pb2`` becomes ``from . import x_pb2``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from weaviate_telemetry.embedded import WEAVIATE_VERSION  # noqa: E402

MODULE = "github.com/weaviate/weaviate"
PROTO_DIR = "grpc/proto/v1"
ROOTS = ("weaviate.proto", "health_weaviate.proto")
TARGET = REPO / "weaviate_telemetry" / "_core" / "grpc_stubs"
UPSTREAM_PACKAGE = "weaviate.v1"
PRIVATE_PACKAGE = "weaviate_telemetry.v1"
PRIVATE_DIR = "weaviate_telemetry/v1"
SERVICE = "Weaviate"
# Only weaviate.proto defines a service; the other *_pb2_grpc modules would be empty.
SERVICE_MODULES = ("weaviate_pb2_grpc.py", "weaviate_pb2_grpc.pyi")
GENERATED = re.compile(r"^[a-z_]+_pb2(_grpc)?\.pyi?$")
IMPORT_RE = re.compile(r'^import\s+"v1/([a-z_]+\.proto)";', re.MULTILINE)


def module_dir(version: str = WEAVIATE_VERSION) -> Path:
    """The Weaviate module's source dir in the Go module cache (downloaded if needed)."""
    go = shutil.which("go")
    if go is None:
        raise SystemExit("Go is needed to fetch the Weaviate module (go mod download)")
    done = subprocess.run(
        [go, "mod", "download", "-json", f"{MODULE}@{version}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tempfile.gettempdir(),  # outside any go.mod
        timeout=600,
    )
    try:
        info = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"go mod download failed: {done.stderr.strip()}") from None
    if done.returncode != 0 or "Error" in info or not info.get("Dir"):
        raise SystemExit(f"go mod download failed: {info.get('Error') or done.stderr.strip()}")
    return Path(info["Dir"])


def proto_closure(proto_dir: Path) -> list[str]:
    """``ROOTS`` and every ``v1/`` proto they import, transitively (google/* come with protobuf)."""
    seen: set[str] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(IMPORT_RE.findall((proto_dir / name).read_text(encoding="utf-8")))
    return sorted(seen)


def stage(proto_dir: Path, names: list[str], dest: Path) -> None:
    """Copy the protos under ``PRIVATE_DIR`` with package and imports renamed."""
    out = dest / PRIVATE_DIR
    out.mkdir(parents=True)
    for name in names:
        text = (proto_dir / name).read_text(encoding="utf-8")
        text, n = re.subn(
            rf"^package {re.escape(UPSTREAM_PACKAGE)};",
            f"package {PRIVATE_PACKAGE};",
            text,
            flags=re.MULTILINE,
        )
        if n != 1:
            raise SystemExit(f"{name}: expected one 'package {UPSTREAM_PACKAGE};' line")
        text = IMPORT_RE.sub(rf'import "{PRIVATE_DIR}/\1";', text)
        (out / name).write_text(text, encoding="utf-8")


def compile_protos(src: Path, names: list[str], out: Path) -> None:
    plugin = shutil.which("protoc-gen-mypy_grpc", path=str(Path(sys.executable).parent))
    if plugin is None:
        raise SystemExit("protoc-gen-mypy_grpc not found: pip install -e '.[dev]' (mypy-protobuf)")
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",  # adds grpc_tools' own include dir for google/protobuf/*.proto
        f"-I{src}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        f"--plugin=protoc-gen-mypy_grpc={plugin}",
        f"--mypy_grpc_out=quiet:{out}",
        *(f"{PRIVATE_DIR}/{name}" for name in names),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"protoc failed:\n{done.stderr}")


def postprocess(generated: Path, version: str) -> dict[str, str]:
    """The files to commit, by path relative to ``TARGET``, with imports and RPC paths fixed."""
    files: dict[str, str] = {
        "__init__.py": '"""Generated Python stubs for Weaviate\'s gRPC API (private)."""\n',
        "v1/__init__.py": (
            f'"""Weaviate {version} gRPC API ({PROTO_DIR}), '
            'generated by tools/generate_grpc_stubs.py: do not edit."""\n'
        ),
    }
    private_import = f"from {PRIVATE_PACKAGE} import "
    for path in sorted(generated.glob(f"{PRIVATE_DIR}/*")):
        name = path.name
        if "_grpc" in name and name not in SERVICE_MODULES:
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(rf"^{re.escape(private_import)}", "from . import ", text, flags=re.MULTILINE)
        if private_import in text:
            raise SystemExit(f"{name}: an import of {PRIVATE_PACKAGE} was not made relative")
        if name == "weaviate_pb2_grpc.py":
            text, n = re.subn(
                rf"\b{re.escape(PRIVATE_PACKAGE)}\.{SERVICE}\b",
                f"{UPSTREAM_PACKAGE}.{SERVICE}",
                text,
            )
            if n == 0 or f"'/{UPSTREAM_PACKAGE}.{SERVICE}/Search'" not in text:
                raise SystemExit(f"{name}: RPC paths not found to restore")
        files[f"v1/{name}"] = text
    return files


def generate(version: str = WEAVIATE_VERSION) -> dict[str, str]:
    proto_dir = module_dir(version) / PROTO_DIR
    names = proto_closure(proto_dir)
    with tempfile.TemporaryDirectory(prefix="wt-grpc-stubs-") as tmp:
        src, out = Path(tmp, "src"), Path(tmp, "out")
        out.mkdir()
        stage(proto_dir, names, src)
        compile_protos(src, names, out)
        return postprocess(out, version)


def committed() -> dict[str, str]:
    files = {
        rel: (TARGET / rel).read_text(encoding="utf-8")
        for rel in ("__init__.py", "v1/__init__.py")
        if (TARGET / rel).exists()
    }
    for path in sorted((TARGET / "v1").glob("*")) if (TARGET / "v1").is_dir() else []:
        if GENERATED.match(path.name):
            files[f"v1/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def check(fresh: dict[str, str]) -> int:
    """Print what differs between the committed stubs and ``fresh``; 1 if anything does."""
    have = committed()
    status = 0
    for rel in sorted(set(have) | set(fresh)):
        if rel not in have:
            print(f"missing: {TARGET.relative_to(REPO) / rel}")
        elif rel not in fresh:
            print(f"stale (no longer generated): {TARGET.relative_to(REPO) / rel}")
        elif have[rel] != fresh[rel]:
            diff = difflib.unified_diff(
                have[rel].splitlines(keepends=True),
                fresh[rel].splitlines(keepends=True),
                f"committed/{rel}",
                f"generated/{rel}",
                n=1,
            )
            sys.stdout.writelines(list(diff)[:40])
        else:
            continue
        status = 1
    if status:
        print("gRPC stubs are out of date: run python tools/generate_grpc_stubs.py")
    else:
        print(f"gRPC stubs match Weaviate {WEAVIATE_VERSION} ({len(fresh)} files)")
    return status


def write(fresh: dict[str, str]) -> None:
    for rel in set(committed()) - set(fresh):
        (TARGET / rel).unlink()
    for rel, text in fresh.items():
        path = TARGET / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(fresh)} files to {TARGET.relative_to(REPO)} (Weaviate {WEAVIATE_VERSION})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed stubs differ")
    args = parser.parse_args(argv)
    fresh = generate()
    if args.check:
        return check(fresh)
    write(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
