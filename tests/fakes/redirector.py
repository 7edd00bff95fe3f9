"""A server on 127.0.0.1 that redirects every request to another base URL.

It plays a misconfigured or hostile provider base URL. The server records
each request's path and responds 307 (method and body kept) with a
Location of `target` plus that path.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Redirector:
    """Run it in a thread: `with Redirector(target) as server: server.base_url`."""

    def __init__(self, target: str, status: int = 307) -> None:
        self.target = target.rstrip("/")
        self.status = status
        self.paths: list[str] = []
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Redirector:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    fake: Redirector
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _redirect(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.fake.paths.append(self.path)
        self.send_response(self.fake.status)
        self.send_header("Location", self.fake.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _redirect  # noqa: N815
