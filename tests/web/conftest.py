"""Fixtures for the web tests: an app on a test database with a fixed clock."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.web.app import create_app
from tests.web.factories import (
    PASSWORD,
    make_business,
    make_customer,
    make_invoice,
    make_owner,
)

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A settable clock for `app.state.clock`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Tenant:
    """A business with one owner and two customers, one with a <script> name."""

    business_id: int
    email: str
    customer_id: int
    script_customer_id: int
    invoice_id: int


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(engine: Engine, clock: Clock) -> FastAPI:
    application = create_app(Settings(_env_file=None), engine)  # type: ignore[call-arg]
    application.state.clock = clock
    return application


def _tenant(engine: Engine, name: str, email: str) -> Tenant:
    with transaction(engine) as session:
        business = make_business(session, NOW, name)
        make_owner(session, business, NOW, email)
        customer = make_customer(session, business, NOW, "C-1", f"Cliente de {name}")
        script = make_customer(
            session,
            business,
            NOW,
            "C-2",
            "<script>alert(1)</script>",
            phone="+5491155550002",
        )
        invoice = make_invoice(
            session, customer, NOW, "A-0001", "15000.00", NOW.date().replace(day=1)
        )
        make_invoice(
            session, script, NOW, "A-0002", "2500.50", NOW.date().replace(day=10)
        )
        return Tenant(business.id, email, customer.id, script.id, invoice.id)


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return _tenant(engine, "Ferretería Uno", "duenia@uno.com")


@pytest.fixture
def other_tenant(engine: Engine) -> Tenant:
    return _tenant(engine, "Librería Dos", "duenio@dos.com")


def csrf_from(html: str) -> str:
    """Return the first CSRF token in a page."""
    match = CSRF_INPUT.search(html)
    assert match is not None, "no csrf_token field in the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; return the session's CSRF token."""
    form = client.get("/entrar")
    response = client.post(
        "/entrar",
        data={"email": email, "password": password, "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/").text)


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[Callable[[Tenant], tuple[TestClient, str]]]:
    """Return a factory of signed-in clients (client, CSRF token) per tenant."""
    clients: list[TestClient] = []

    def make(tenant: Tenant) -> tuple[TestClient, str]:
        client = TestClient(app, base_url="https://testserver")
        clients.append(client)
        return client, sign_in(client, tenant.email)

    yield make
    for client in clients:
        client.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on a free port; return its base URL."""
    # httpx keeps a Secure cookie off plain http, even to 127.0.0.1.
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"cookie_secure": False})
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, f"uvicorn did not start on port {port}"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
