"""A fake webhook receiver (an n8n or Zapier catch hook) on 127.0.0.1.

It records every request (method, path, headers, body) and responds 204,
or 302 to another URL for the paths set in `redirects`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ReceiverState:
    received: list[Received] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)


class FakeReceiver:
    """Run it in a thread: `with FakeReceiver() as hook: hook.url("/in")`."""

    def __init__(self) -> None:
        self.state = ReceiverState()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self.state.received)

    def __enter__(self) -> FakeReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeReceiver

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.fake._lock:
            self.fake.state.received.append(
                Received(
                    self.command,
                    self.path,
                    {key.lower(): value for key, value in self.headers.items()},
                    body,
                )
            )
            target = self.fake.state.redirects.get(self.path)
        if target is not None:
            self.send_response(302)
            self.send_header("Location", target)
        else:
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        self._record()

    def do_GET(self) -> None:  # noqa: N802
        self._record()
