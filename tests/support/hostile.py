"""A hostile HTTP server on 127.0.0.1, speaking raw sockets so it can misbehave exactly.

:class:`HostileServer` answers every request by its current ``mode``:

- ``slow_headers``: the status line and headers one byte every ``interval`` s, forever;
- ``slow_body``: headers at once, then a body of ``size`` bytes, one byte per ``interval`` s;
- ``endless``: a chunked body that never ends;
- ``oversize``: a ``Content-Length: size`` JSON body (streamed as it is read);
- ``gzip_bomb`` / ``deflate_bomb``: ``size`` bytes of JSON compressed to a few KiB,
  sent with ``Content-Encoding: gzip``/``deflate``;
- ``huge_error``: a 500 whose JSON error message is ``size`` characters;
- ``echo``: a 401 that repeats every request header it got (names and values) in its
  message, its details (as keys and values) and ``X-Request-Id``; a batch request is
  answered 200 with every object failed by the same echo;
- ``ok``: ``{"version": "1.39.0", "hostname": "hostile"}``, the answer of a good server.

:class:`GrpcEchoServer` fails every ``Search`` and ``BatchObjects`` RPC with ``UNKNOWN``
and a message repeating the request metadata (names and values), like a server that
quotes what it was sent.

``then`` (a list of modes) is used for the next requests, one each, before ``mode``
applies again. It counts ``connections`` and records request heads in ``requests``.
"""

from __future__ import annotations

import json
import socket
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

OK_BODY = b'{"version": "1.39.0", "hostname": "hostile", "modules": {}}'


def _bomb(size: int, encoding: str) -> bytes:
    """``size`` bytes of valid JSON compressed (streamed, so building it stays small)."""
    if encoding == "gzip":
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    else:
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    out = [compressor.compress(b'{"a": "')]
    left = size - 10
    while left > 0:
        step = min(left, len(block))
        out.append(compressor.compress(block[:step]))
        left -= step
    out.append(compressor.compress(b'"}'))
    out.append(compressor.flush())
    return b"".join(out)


class HostileServer:
    """See the module docstring. Use as a context manager; ``url`` is its base URL."""

    def __init__(self, mode: str = "ok", *, size: int = 1 << 20, interval: float = 0.5) -> None:
        self.mode = mode
        self.then: list[str] = []
        self.size = size
        self.interval = interval
        self.connections = 0
        self.requests: list[dict[str, Any]] = []
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []

    def __enter__(self) -> HostileServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed.set()
        with suppress(OSError):
            self._sock.close()
        with self._lock:
            for conn in self._conns:
                with suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    conn.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket, buffer: bytes) -> tuple[dict[str, Any], bytes]:
        while b"\r\n\r\n" not in buffer:
            data = conn.recv(65536)
            if not data:
                raise ConnectionError("client went away")
            buffer += data
        head, rest = buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        while len(rest) < length:
            data = conn.recv(65536)
            if not data:
                raise ConnectionError("client went away")
            rest += data
        body, rest = rest[:length], rest[length:]
        request = {"method": method, "path": path, "headers": headers, "body": body}
        return request, rest

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            while not self._closed.is_set():
                request, buffer = self._read_request(conn, buffer)
                with self._lock:
                    self.requests.append(request)
                    mode = self.then.pop(0) if self.then else self.mode
                if not getattr(self, f"_{mode}")(conn, request):
                    return
        except (OSError, ConnectionError):
            pass
        finally:
            with suppress(OSError):
                conn.close()

    # -- modes: each returns True to keep the connection open for the next request --

    def _send(self, conn: socket.socket, status: str, headers: dict[str, str], body: bytes) -> None:
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        conn.sendall(head.encode("latin-1") + b"\r\n" + body)

    def _ok(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        self._send(
            conn,
            "200 OK",
            {"Content-Type": "application/json", "Content-Length": str(len(OK_BODY))},
            OK_BODY,
        )
        return True

    def _slow_headers(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"s" * 10_000
        for byte in head:
            if self._closed.wait(self.interval):
                return False
            conn.sendall(bytes([byte]))
        return False

    def _slow_body(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json", "Content-Length": str(self.size)}
        self._send(conn, "200 OK", headers, b"")
        for _ in range(self.size):
            if self._closed.wait(self.interval):
                return False
            conn.sendall(b" ")
        return False

    def _endless(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        self._send(conn, "200 OK", headers, b"")
        chunk = b" " * 65536
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        while not self._closed.is_set():
            conn.sendall(frame)
        return False

    def _oversize(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json", "Content-Length": str(self.size)}
        self._send(conn, "200 OK", headers, b'{"a": "')
        block = b"x" * 65536
        left = self.size - 9
        while left > 0 and not self._closed.is_set():
            step = min(left, len(block))
            conn.sendall(block[:step])
            left -= step
        conn.sendall(b'"}')
        return True

    def _bomb(self, conn: socket.socket, encoding: str) -> bool:
        body = _bomb(self.size, encoding)
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": encoding,
            "Content-Length": str(len(body)),
        }
        self._send(conn, "200 OK", headers, body)
        return True

    def _gzip_bomb(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        return self._bomb(conn, "gzip")

    def _deflate_bomb(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        return self._bomb(conn, "deflate")

    def _huge_error(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        body = json.dumps({"error": [{"message": "E" * self.size}]}).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        self._send(conn, "500 Internal Server Error", headers, body)
        return True

    def _echo(self, conn: socket.socket, request: dict[str, Any]) -> bool:
        seen = request["headers"]
        said = "; ".join(f"{k}={v}" for k, v in seen.items())
        # Every header value, and each word of it (a bare token), in every place.
        words = [w for v in seen.values() for w in v.split()]
        if request["path"].startswith("/v1/batch/objects"):
            objects = json.loads(request["body"] or b"{}").get("objects", [])
            answer: Any = [
                {
                    "id": o.get("id"),
                    "result": {"errors": {"error": [{"message": f"rejected, you sent {said}"}]}},
                }
                for o in objects
            ]
            status = "200 OK"
        else:
            answer = {
                "error": [{"message": f"unauthorized: you sent {said}"}],
                "seen": {w: w for w in words},
            }
            status = "401 Unauthorized"
        body = json.dumps(answer).encode()
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "X-Request-Id": " ".join(words)[:200] or "none",
        }
        self._send(conn, status, headers, body)
        return True


class GrpcEchoServer:
    """A gRPC server on 127.0.0.1 answering every Weaviate RPC by ``mode``: ``echo`` fails
    it, repeating its metadata; ``slow`` answers after ``delay`` s; ``big`` answers
    ``size`` bytes."""

    def __init__(self, mode: str = "echo", *, delay: float = 30.0, size: int = 1 << 20) -> None:
        import grpc

        self._grpc = grpc
        self.mode, self.delay, self.size = mode, delay, size
        self._stop = threading.Event()
        self.server = grpc.server(ThreadPoolExecutor(max_workers=4))
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                self._echo,
                request_deserializer=lambda data: data,
                response_serializer=lambda data: data,
            )
            for name in ("Search", "BatchObjects")
        }
        self.server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("weaviate.v1.Weaviate", handlers),)
        )
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def _echo(self, request: bytes, context: Any) -> bytes:
        if self.mode == "slow":
            self._stop.wait(self.delay)
            return b""
        if self.mode == "big":
            # field 1 (a string in every reply) of `size` bytes: valid protobuf, just large
            return b"\x0a" + _varint(self.size) + b"x" * self.size
        said = "; ".join(f"{k}={v}" for k, v in context.invocation_metadata())
        context.abort(self._grpc.StatusCode.UNKNOWN, f"you sent {said}")
        raise AssertionError("abort raises")

    def __enter__(self) -> GrpcEchoServer:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.stop(None)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
