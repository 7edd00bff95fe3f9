"""A request without a session or token is rejected before its body is read.

The server is uvicorn on 127.0.0.1, and a wrapper between uvicorn and the
app counts the body bytes that the app takes. Each request declares a
large body but sends only its first 64 KiB: a server that waited for the
whole body before checking the session would never respond.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.web.auth_gate import needs_credentials
from cobranza.web.body_limit import MAX_UPLOAD_BYTES
from cobranza.web.security import SESSION_COOKIE
from tests.web.conftest import NOW, Tenant, _free_port

SENT_BYTES = 64 * 1024
# Under the upload limit, so that only the session check can stop it.
DECLARED_BYTES = MAX_UPLOAD_BYTES
# A safety net for a server that never responds, not a measured limit.
SOCKET_TIMEOUT_SECONDS = 30
BOUNDARY = "gate-test-boundary"


@dataclass
class BodyCounter:
    """An ASGI wrapper that counts the request body bytes the app receives."""

    app: ASGIApp
    received: dict[str, int] = field(default_factory=dict)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        self.received.setdefault(path, 0)

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received[path] += len(message.get("body", b""))
            return message

        await self.app(scope, counting_receive, send)


@dataclass
class Served:
    port: int
    counter: BodyCounter


@pytest.fixture
def served(app: FastAPI) -> Iterator[Served]:
    counter = BodyCounter(app)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(counter, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, f"uvicorn did not start on port {port}"
        time.sleep(0.05)
    yield Served(port, counter)
    server.should_exit = True
    thread.join(timeout=10)


def _post_head(path: str, extra_headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {DECLARED_BYTES}",
        *(f"{name}: {value}" for name, value in extra_headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _partial_upload(port: int, path: str, headers: dict[str, str]) -> bytes:
    """Send a request head and 64 KiB of its body; return the response head."""
    body_start = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        'filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    first_part = body_start + b"a" * (SENT_BYTES - len(body_start))
    with socket.create_connection(
        ("127.0.0.1", port), timeout=SOCKET_TIMEOUT_SECONDS
    ) as connection:
        connection.sendall(_post_head(path, headers) + first_part)
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = connection.recv(65536)
            if not chunk:
                break
            response += chunk
    return response.split(b"\r\n\r\n", 1)[0]


def _status(head: bytes) -> int:
    return int(head.split(b" ", 2)[1])


def _header(head: bytes, name: str) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.decode("latin-1").partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


@pytest.mark.parametrize(
    "headers",
    [{}, {"Cookie": f"{SESSION_COOKIE}=not-a-session"}],
    ids=["no cookie", "unknown cookie"],
)
def test_import_page_rejects_before_body(
    served: Served, headers: dict[str, str]
) -> None:
    head = _partial_upload(served.port, "/importar", headers)

    assert _status(head) == 303
    assert _header(head, "location") == "/entrar"
    assert _header(head, "connection") == "close"
    assert served.counter.received["/importar"] == 0


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}],
    ids=["no token", "unknown token"],
)
def test_import_api_rejects_before_body(
    served: Served, headers: dict[str, str]
) -> None:
    head = _partial_upload(served.port, "/api/v1/imports", headers)

    assert _status(head) == 401
    assert _header(head, "www-authenticate") == "Bearer"
    assert _header(head, "connection") == "close"
    assert _header(head, "content-security-policy") is not None
    assert served.counter.received["/api/v1/imports"] == 0


def test_other_posts_reject_before_body(served: Served) -> None:
    pages = [
        "/salir",
        "/clientes/1/telefono",
        "/conversaciones/1/responder",
        "/importar/confirmar",
    ]
    for path in pages:
        head = _partial_upload(served.port, path, {})

        assert _status(head) == 303, path
        assert served.counter.received[path] == 0, path

    head = _partial_upload(served.port, "/api/v1/customers", {})

    assert _status(head) == 401
    assert served.counter.received["/api/v1/customers"] == 0


def test_api_error_matches_the_route(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")

    from_gate = client.post("/api/v1/customers", json={"name": "Ana"})
    from_route = client.get("/api/v1/customers")

    assert from_gate.status_code == 401
    assert from_gate.json() == from_route.json()
    assert from_gate.headers["www-authenticate"] == "Bearer"


def test_signed_in_requests_pass_the_gate(
    app: FastAPI, engine: Engine, tenant: Tenant, client_for
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
    api = TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    page, csrf = client_for(tenant)
    export = b"Cliente,Factura,Vencimiento,Importe\nAna,F-1,10/03/2026,100\n"

    from_api = api.post(
        "/api/v1/imports?dry_run=true", files={"file": ("a.csv", export)}
    )
    from_page = page.post(
        "/importar", data={"csrf_token": csrf}, files={"file": ("a.csv", export)}
    )

    assert from_api.status_code == 200
    assert from_page.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/importar", True),
        ("POST", "/api/v1/imports", True),
        ("DELETE", "/api/v1/webhooks/3", True),
        ("POST", "/salir", True),
        ("POST", "/entrar", False),
        ("POST", "/pagar/sandbox/abc", False),
        ("POST", "/Pagar/sandbox/abc", False),
        ("POST", "/webhooks/whatsapp", False),
        ("POST", "/webhooks/mercadopago", False),
        ("GET", "/importar", False),
    ],
)
def test_paths_that_need_credentials(method: str, path: str, expected: bool) -> None:
    assert needs_credentials(method, path) is expected


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/../importar",
        "/webhooks/%2e%2e/importar",
        "/webhooks%2F..%2Fimportar",
        "/pagar/../importar",
        "/pagar/..%2Fimportar",
        "//importar",
        "/IMPORTAR",
        "/importar/",
        "/importar%2F",
        "/importar?next=/webhooks/",
        "/webhooks/../api/v1/imports",
        "/API/v1/imports",
        "/api//v1/imports",
    ],
)
def test_path_tricks_read_no_body(served: Served, path: str) -> None:
    # A path that the gate lets through must reach no route that reads a
    # body: Starlette matches the decoded path as sent, without resolving
    # "..", so these reach no route or are rejected first.
    head = _partial_upload(served.port, path, {})

    assert _status(head) in (303, 307, 401, 404), head
    assert sum(served.counter.received.values()) == 0
