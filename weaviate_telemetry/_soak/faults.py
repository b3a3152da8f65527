"""A fault schedule applied through toxiproxy's HTTP API during a soak (chaos runs).

Each :class:`~.options.FaultStep` replaces the toxics of the step before on
one proxy (the one whose listen port is the ``--url``'s, unless named):
``latency``/``jitter`` → a ``latency`` toxic, ``reset`` → ``reset_peer`` on
that share of connections, ``bandwidth`` → ``bandwidth``, ``down`` →
the proxy disabled (connections refused), ``none`` → nothing. At the end
every toxic is removed and the proxy enabled again.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from .options import FaultStep, UsageError

_PREFIX = "soak-"


class ToxiproxyError(Exception):
    """Toxiproxy refused a request or cannot be reached."""


class Toxiproxy:
    """A thin client of toxiproxy's HTTP API."""

    def __init__(self, api: str, timeout: float = 5.0) -> None:
        self.api = api.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.api + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                payload = answer.read()
        except urllib.error.HTTPError as err:
            with err:
                detail = err.read().decode(errors="replace")[:300]
            raise ToxiproxyError(f"toxiproxy {method} {path}: HTTP {err.code} {detail}") from None
        except (urllib.error.URLError, OSError) as err:
            raise ToxiproxyError(f"cannot reach toxiproxy at {self.api}: {err}") from None
        return json.loads(payload) if payload else None

    def proxy_for(self, url: str, name: str | None) -> str:
        """The proxy named ``name``, else the one listening on ``url``'s port."""
        proxies: dict[str, Any] = self.call("GET", "/proxies")
        if name:
            if name not in proxies:
                raise UsageError(f"toxiproxy has no proxy {name!r} (has: {', '.join(proxies)})")
            return name
        port = urlsplit(url).port
        for proxy in proxies.values():
            if str(proxy.get("listen", "")).rsplit(":", 1)[-1] == str(port):
                return str(proxy["name"])
        raise UsageError(
            f"no toxiproxy proxy listens on port {port} of --url; "
            "point --url at the proxy or pass --toxiproxy-proxy NAME"
        )


class FaultSchedule:
    """Applies ``steps`` on ``proxy`` at their times, in a daemon thread."""

    def __init__(self, toxiproxy: Toxiproxy, proxy: str, steps: Sequence[FaultStep]) -> None:
        self.toxiproxy = toxiproxy
        self.proxy = proxy
        self.steps = list(steps)
        self.applied: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-faults", daemon=True)
        self._began = 0.0
        self._path = f"/proxies/{quote(proxy, safe='')}"

    def start(self) -> FaultSchedule:
        self.clear()
        self._began = time.monotonic()
        self._thread.start()
        return self

    def active(self) -> bool:
        """Whether a fault is in place right now."""
        return bool(self.applied) and self.applied[-1]["toxics"] != []

    def _run(self) -> None:
        for step in self.steps:
            if self._stop.wait(max(0.0, self._began + step.at - time.monotonic())):
                return
            try:
                self.apply(step)
            except ToxiproxyError as err:
                self.errors.append(str(err))

    def apply(self, step: FaultStep) -> None:
        self._remove_toxics()
        self.toxiproxy.call("POST", self._path, {"enabled": not step.down})
        toxics = dict(step.toxics)
        if "latency" in toxics or "jitter" in toxics:
            self._add(
                "latency",
                latency=int(toxics.get("latency", 0.0) * 1000),
                jitter=int(toxics.get("jitter", 0.0) * 1000),
            )
        if "reset" in toxics:
            self._add("reset_peer", toxicity=toxics["reset"], timeout=0)
        if "bandwidth" in toxics:
            self._add("bandwidth", rate=int(toxics["bandwidth"]))
        self.applied.append(
            {
                "at": round(time.monotonic() - self._began, 2),
                "step": step.text,
                "toxics": [kind for kind, _ in step.toxics],
            }
        )

    def _add(self, kind: str, toxicity: float = 1.0, **attributes: Any) -> None:
        body = {
            "name": _PREFIX + kind,
            "type": kind,
            "stream": "downstream",
            "toxicity": toxicity,
            "attributes": attributes,
        }
        self.toxiproxy.call("POST", f"{self._path}/toxics", body)

    def _remove_toxics(self) -> None:
        for toxic in self.toxiproxy.call("GET", f"{self._path}/toxics") or []:
            name = str(toxic["name"])
            if name.startswith(_PREFIX):
                self.toxiproxy.call("DELETE", f"{self._path}/toxics/{quote(name, safe='')}")

    def clear(self) -> None:
        """No toxics of ours and the proxy enabled."""
        self._remove_toxics()
        self.toxiproxy.call("POST", self._path, {"enabled": True})

    def stop(self) -> None:
        """Stop the schedule and clear every fault (recorded, not raised, on failure)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        try:
            self.clear()
        except ToxiproxyError as err:
            self.errors.append(str(err))
        if self.active():
            self.applied.append(
                {"at": round(time.monotonic() - self._began, 2), "step": "end", "toxics": []}
            )
