"""Small local HTTP peers for precise protocol cases in the telemetry tests.

- :class:`ScriptedServer` answers with a scripted list of statuses and records
  every request's headers;
- :class:`StallingServer` accepts connections and never answers (timeouts);
- :class:`RecordingProxy` forwards to a real server (e.g. Weaviate) and
  records the request headers it saw (e.g. ``traceparent``).

All bind 127.0.0.1 on a free port and are closed by ``close()`` / ``with``.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True


class _Base:
    server: _Server

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = _Server(("127.0.0.1", 0), handler)
        self.server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


class ScriptedServer(_Base):
    """Answers each request with the next ``(status, body)`` of ``script`` (the last repeats)."""

    def __init__(self, script: Iterable[tuple[int, bytes]]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(_Handler):
            def _answer(self) -> None:
                self._body()
                with owner._lock:
                    owner.requests.append({k.lower(): v for k, v in self.headers.items()})
                    index = min(len(owner.requests), len(owner.script)) - 1
                    status, body = owner.script[index]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer

        self._serve(Handler)


class StallingServer:
    """Accepts TCP connections and never answers: every read times out."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self._held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._held:
            conn.close()
        self._sock.close()

    def __enter__(self) -> StallingServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RecordingProxy(_Base):
    """An HTTP forwarding proxy in front of ``upstream`` that records request headers."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        owner = self

        class Handler(_Handler):
            def _forward(self) -> None:
                body = self._body()
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                owner.requests.append(
                    (self.command, self.path, {k.lower(): v for k, v in headers.items()})
                )
                conn = http.client.HTTPConnection(*owner.upstream, timeout=30)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    self.send_response(resp.status)
                    for key, value in resp.getheaders():
                        if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward

        self._serve(Handler)
