"""Small loopback servers for precise protocol cases and TCP faults in tests.

- :class:`ScriptedHTTPServer` answers each request from a list of canned
  responses (status, headers, body, optional delay) and records requests.
- :class:`TCPProxy` forwards to a real server, with switchable faults:
  ``stall`` (accept, read, never answer) and ``reset`` (close at once).
- :class:`StallingServer` accepts connections and never answers.
- :class:`RecordingProxy` forwards HTTP to a real server and records the
  request headers it saw (e.g. ``traceparent``).
- :class:`FaultProxy` forwards HTTP to a real server, counts every request
  and lets a test decide per request: pass, answer 503 without forwarding,
  or forward and then drop the connection before answering.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Canned:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


@dataclass
class Recorded:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedHTTPServer:
    """Answers requests with ``script`` in order (the last entry repeats).

    With ``tls`` (a server-side context) it speaks HTTPS. ``connections``
    counts the connections it accepted (keep-alive tests).
    """

    def __init__(self, script: list[Canned], tls: ssl.SSLContext | None = None) -> None:
        self.script = list(script)
        self.requests: list[Recorded] = []
        self.connections = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append(
                    Recorded(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                index = min(len(outer.requests) - 1, len(outer.script) - 1)
                canned = outer.script[index]
                if canned.delay:
                    time.sleep(canned.delay)
                self.send_response(canned.status)
                for k, v in canned.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(canned.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def get_request(self) -> tuple[socket.socket, Any]:
                conn, address = super().get_request()
                outer.connections += 1
                if tls is not None:  # handshake in the handler thread, not the accept loop
                    conn = tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
                return conn, address

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that time out on purpose close their end mid-answer

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class TCPProxy:
    """A loopback TCP forwarder that counts the connections it accepts.

    Faults (stalls, latency, resets, downed endpoints) come from the real
    toxiproxy (``toxiproxy``/``faulty`` fixtures); toxiproxy does not report
    how many connections a client opened, which keep-alive and pool tests need.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.connections = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closing = False
        self._socks: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def _accept_loop(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._socks.append(conn)
            up = socket.create_connection(self.upstream)
            self._socks.append(up)
            threading.Thread(target=self._pipe, args=(conn, up), daemon=True).start()
            threading.Thread(target=self._pipe, args=(up, conn), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> TCPProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing = True
        self._listener.close()
        for s in self._socks:
            with suppress(OSError):
                s.close()


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port with nothing listening (refused connections)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield port


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


class RecordingProxy:
    """An HTTP forwarding proxy in front of ``upstream`` that records request headers."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
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

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def __enter__(self) -> RecordingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


#: What :class:`FaultProxy` does with one request.
PASS = "pass"  # forward and answer
REFUSE_503 = "503"  # answer 503 without forwarding
FORWARD_THEN_DROP = "forward_then_drop"  # the server handles it; the client never hears back


class FaultProxy:
    """An HTTP proxy in front of ``upstream`` that counts requests and injects faults.

    ``decide(number, method, path)`` (``number`` counts from 1 over all
    requests) returns :data:`PASS`, :data:`REFUSE_503` or
    :data:`FORWARD_THEN_DROP`. ``close_connections=True`` answers every
    request with ``Connection: close`` so each request opens a new TCP
    connection (and meets a per-connection toxic anew).
    """

    def __init__(
        self,
        upstream: str,
        decide: Callable[[int, str, str], str] | None = None,
        close_connections: bool = False,
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.decide = decide or (lambda number, method, path: PASS)
        self.received: Counter[tuple[str, str]] = Counter()
        self.forwarded: Counter[tuple[str, str]] = Counter()
        self.outcomes: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._number = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                with owner._lock:
                    owner._number += 1
                    number = owner._number
                    owner.received[(self.command, path)] += 1
                action = owner.decide(number, self.command, path)
                with owner._lock:
                    owner.outcomes[action] += 1
                if action == REFUSE_503:
                    self._answer(
                        503,
                        [("Content-Type", "application/json")],
                        b'{"error":[{"message":"injected 503"}]}',
                    )
                    return
                status, headers, data = owner._forward(self.command, self.path, self.headers, body)
                with owner._lock:
                    owner.forwarded[(self.command, path)] += 1
                if action == FORWARD_THEN_DROP:
                    self.close_connection = True
                    with suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._answer(status, headers, data)

            def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                if close_connections:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients reset by toxiproxy or timing out close their end mid-answer

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _forward(
        self, method: str, path: str, headers: object, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        sent = {
            k: v
            for k, v in headers.items()  # type: ignore[attr-defined]
            if k.lower() not in ("connection", "host")
        }
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=sent)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
