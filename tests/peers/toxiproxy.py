"""Toxiproxy (Shopify) as a real TCP fault injector in front of Weaviate.

``go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0`` into the
same version-keyed cache as the other peers; the API server listens on a
free loopback port and is stopped with its process group.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import urllib3

from weaviate_telemetry.embedded import ManagedProcess, free_port, go_install

TOXIPROXY_VERSION = "v2.12.0"
TOXIPROXY_MODULE = "github.com/Shopify/toxiproxy/v2/cmd/server"


def ensure_toxiproxy(version: str = TOXIPROXY_VERSION) -> Path:
    """The cached toxiproxy server binary, built on first use."""
    return go_install(TOXIPROXY_MODULE, version, "server", f"toxiproxy-{version}")


class Toxiproxy:
    """A running toxiproxy API server; :meth:`proxy` creates faultable TCP proxies."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="wt-toxiproxy-"))
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self._http = urllib3.PoolManager(retries=False, timeout=5.0)
        self._proc: ManagedProcess | None = None

    def start(self) -> Toxiproxy:
        argv = [str(ensure_toxiproxy()), "-host", "127.0.0.1", "-port", str(self.port)]
        self._proc = ManagedProcess(argv, {"PATH": "/usr/bin:/bin"}, self.dir / "log", self.dir)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self._http.request("GET", f"{self.api}/version").status == 200:
                    return self
            except urllib3.exceptions.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"toxiproxy did not start: {self._proc.log_tail()}")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else orjson.dumps(body)
        r = self._http.request(method, f"{self.api}{path}", body=data)
        if r.status >= 300:
            raise RuntimeError(f"toxiproxy {method} {path}: {r.status} {r.data!r}")
        return orjson.loads(r.data) if r.data else None

    def proxy(self, name: str, upstream_port: int) -> str:
        """Create a proxy to ``127.0.0.1:upstream_port``; returns its base URL."""
        listen = free_port()
        self.call(
            "POST",
            "/proxies",
            {
                "name": name,
                "listen": f"127.0.0.1:{listen}",
                "upstream": f"127.0.0.1:{upstream_port}",
                "enabled": True,
            },
        )
        return f"http://127.0.0.1:{listen}"

    def toxic(self, proxy: str, kind: str, stream: str = "downstream", **attributes: Any) -> None:
        """Add a toxic (latency, reset_peer, timeout, limit_data, …) to ``proxy``."""
        self.call(
            "POST",
            f"/proxies/{proxy}/toxics",
            {
                "name": f"{kind}_{stream}",
                "type": kind,
                "stream": stream,
                "toxicity": 1.0,
                "attributes": attributes,
            },
        )

    def set_enabled(self, proxy: str, enabled: bool) -> None:
        """Take the proxy down (connections refused) or bring it back."""
        self.call("POST", f"/proxies/{proxy}", {"enabled": enabled})

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self.call("POST", "/reset")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop(grace=5.0)
            self._proc = None
        self._http.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Toxiproxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":  # ``--build-only``, as tools/test.sh calls it
    print(ensure_toxiproxy())
    sys.exit(0)
