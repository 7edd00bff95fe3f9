"""The Content API client against a hostile server on 127.0.0.1.

Each case is a server that responds to an ApprovalRequests read in a way
Twilio never does: a body sent a few bytes at a time, a body of megabytes,
or a redirect to another server. The read must end in a channel error
instead of blocking the sync, filling memory or trusting another host.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cobranza.channels.errors import ChannelUnavailableError
from cobranza.channels.twilio import TwilioClient, TwilioConfig
from cobranza.channels.twilio.client import MAX_CONTENT_BODY_BYTES
from tests.channels.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

CONTENT_SID = "HX00000000000000000000000000000abc"
APPROVED = json.dumps({"whatsapp": {"status": "approved"}}).encode()
# The client's timeout in these tests, and how long the slow server takes
# to send a whole body: many times the timeout, though each byte is sent
# well within it.
TIMEOUT_SECONDS = 0.5
DRIP_SECONDS = 4.0

Reply = Callable[[BaseHTTPRequestHandler], None]


class _Server:
    """A server on 127.0.0.1 that responds to every GET with `reply`."""

    def __init__(self, reply: Reply) -> None:
        self.authorizations: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802
                outer.authorizations.append(self.headers.get("Authorization"))
                try:
                    reply(self)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Reply], _Server]]:
    servers: list[_Server] = []

    def start(reply: Reply) -> _Server:
        server = _Server(reply)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def connect() -> Iterator[Callable[[str], TwilioClient]]:
    clients: list[TwilioClient] = []

    def open_client(content_base_url: str) -> TwilioClient:
        config = TwilioConfig(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            from_number="+5491100000000",
            content_base_url=content_base_url,
            timeout_seconds=TIMEOUT_SECONDS,
        )
        client = TwilioClient(config)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()


def _send_head(handler: BaseHTTPRequestHandler, status: int, length: int) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _drip(handler: BaseHTTPRequestHandler) -> None:
    _send_head(handler, 200, len(APPROVED))
    pause = DRIP_SECONDS / len(APPROVED)
    for index in range(len(APPROVED)):
        handler.wfile.write(APPROVED[index : index + 1])
        handler.wfile.flush()
        time.sleep(pause)


def _huge(handler: BaseHTTPRequestHandler) -> None:
    filler = b" " * (MAX_CONTENT_BODY_BYTES * 3)
    body = filler + APPROVED
    _send_head(handler, 200, len(body))
    handler.wfile.write(body)


def test_slow_body_times_out(
    serve: Callable[[Reply], _Server], connect: Callable[[str], TwilioClient]
) -> None:
    server = serve(_drip)
    client = connect(server.base_url)

    with pytest.raises(ChannelUnavailableError) as caught:
        client.fetch_approval(CONTENT_SID)

    assert caught.value.code == "twilio_timeout"


def test_huge_body_is_rejected(
    serve: Callable[[Reply], _Server], connect: Callable[[str], TwilioClient]
) -> None:
    server = serve(_huge)
    client = connect(server.base_url)

    with pytest.raises(ChannelUnavailableError) as caught:
        client.fetch_approval(CONTENT_SID)

    assert str(MAX_CONTENT_BODY_BYTES) in str(caught.value)


def test_redirect_elsewhere_is_not_followed(
    serve: Callable[[Reply], _Server], connect: Callable[[str], TwilioClient]
) -> None:
    elsewhere = serve(lambda handler: _send_head(handler, 200, 0))

    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", f"{elsewhere.base_url}/approved")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = serve(redirect)
    client = connect(server.base_url)

    with pytest.raises(ChannelUnavailableError) as caught:
        client.fetch_approval(CONTENT_SID)

    assert elsewhere.authorizations == []
    assert elsewhere.base_url in str(caught.value)


def test_redirect_does_not_leak_credentials(
    serve: Callable[[Reply], _Server], connect: Callable[[str], TwilioClient]
) -> None:
    def approved(handler: BaseHTTPRequestHandler) -> None:
        _send_head(handler, 200, len(APPROVED))
        handler.wfile.write(APPROVED)

    elsewhere = serve(approved)

    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(307)
        handler.send_header("Location", f"{elsewhere.base_url}/approved")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = serve(redirect)
    client = connect(server.base_url)

    with pytest.raises(ChannelUnavailableError):
        client.fetch_approval(CONTENT_SID)

    assert server.authorizations[0] is not None
    assert all(value is None for value in elsewhere.authorizations)


def test_gzip_body_is_read(
    serve: Callable[[Reply], _Server], connect: Callable[[str], TwilioClient]
) -> None:
    def compressed(handler: BaseHTTPRequestHandler) -> None:
        body = gzip.compress(APPROVED)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server = serve(compressed)
    client = connect(server.base_url)

    body = client.fetch_approval(CONTENT_SID)

    assert body == {"whatsapp": {"status": "approved"}}
