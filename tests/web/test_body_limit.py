"""Request bodies over the size limit are rejected before a route reads them.

FastAPI parses a body before it runs the route's session or token check.
Requests without one are stopped by `AuthGateMiddleware` before any body is
read (see test_auth_gate.py), so the limit applies to signed-in requests and
to the public sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.db.models import Customer
from cobranza.web.body_limit import MAX_FORM_BODY, MAX_UPLOAD_BODY
from cobranza.web.dashboard.imports import MAX_UPLOAD_BYTES
from tests.web.conftest import NOW, Tenant

OVER_FORM = b"x" * (MAX_FORM_BODY + 1)


def _chunks(total: int) -> Iterator[bytes]:
    """Yield `total` bytes in pieces, so the client sends no Content-Length."""
    piece = b"a" * 65536
    sent = 0
    while sent < total:
        yield piece
        sent += len(piece)


def _api_client(app: FastAPI, engine: Engine, tenant: Tenant) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def test_json_body_over_limit(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _api_client(app, engine, tenant)

    response = client.post(
        "/api/v1/customers",
        content=b'{"name": "' + OVER_FORM + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert "pesa más de" in response.json()["detail"]


def test_chunked_body_over_limit(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _api_client(app, engine, tenant)

    response = client.post(
        "/api/v1/customers",
        content=_chunks(MAX_FORM_BODY + 65536),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413


def test_sign_in_file_part_over_limit(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")

    response = client.post(
        "/entrar", data={"email": "a@b.com"}, files={"junk": ("x.bin", OVER_FORM)}
    )

    assert response.status_code == 413
    assert "El pedido pesa más de 1 MB" in response.text


def test_import_upload_over_limit_without_session(app: FastAPI) -> None:
    # The missing session or token is reported first, whatever the size.
    client = TestClient(app, base_url="https://testserver")
    body = b"a" * (MAX_UPLOAD_BODY + 1)

    page = client.post(
        "/importar", files={"file": ("a.csv", body)}, follow_redirects=False
    )
    api = client.post("/api/v1/imports", files={"file": ("a.csv", body)})

    assert page.status_code == 303
    assert page.headers["location"] == "/entrar"
    assert api.status_code == 401


def test_import_page_over_limit_signed_in(
    app: FastAPI, tenant: Tenant, client_for
) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for(tenant)
    body = b"a" * (MAX_UPLOAD_BODY + 1)

    page = client.post(
        "/importar", data={"csrf_token": csrf}, files={"file": ("a.csv", body)}
    )

    assert page.status_code == 413
    assert "El archivo pesa más de 20 MB" in page.text


def test_form_under_limit_still_works(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for(tenant)

    response = client.post(
        f"/clientes/{tenant.customer_id}/telefono",
        data={"csrf_token": csrf, "phone": "11 4567 8000"},
        follow_redirects=False,
    )

    assert response.status_code == 303


def test_api_import_over_file_limit(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
    client = TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    header = b"Cliente,Factura,Vencimiento,Importe\n"
    row = b"Nuevo,F-9,10/03/2026,100\n"
    padding = b"," * (MAX_UPLOAD_BYTES + 1 - len(header) - len(row))

    response = client.post(
        "/api/v1/imports", files={"file": ("a.csv", header + row + padding)}
    )

    assert response.status_code == 413
    assert "El archivo pesa más de 20 MB" in response.json()["detail"]
    with transaction(engine) as session:
        named = select(func.count()).where(Customer.name == "Nuevo")
        assert session.scalar(named) == 0


def test_upload_file_names_made_safe(
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
    # A NUL byte, and 80 letters of four UTF-8 bytes each: over the 255 bytes
    # that Linux file systems allow in a name.
    names = ["a\x00b.csv", "\U00020000" * 80 + ".csv"]

    for name in names:
        from_api = api.post(
            "/api/v1/imports?dry_run=true", files={"file": (name, export)}
        )
        from_page = page.post(
            "/importar", data={"csrf_token": csrf}, files={"file": (name, export)}
        )

        assert from_api.status_code == 200, name
        assert from_page.status_code == 200, name


def test_nul_character_rejected_cleanly(
    app: FastAPI, engine: Engine, tenant: Tenant, client_for
) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL cannot store text with a NUL character; SQLite could.
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
    api = TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    page, _ = client_for(tenant)

    created = api.post(
        "/api/v1/customers",
        json={"external_id": "N-1", "name": "Ana\x00B", "phone": "11 4567 8931"},
    )
    listed = api.get("/api/v1/customers", params={"segment": "a\x00b"})
    searched = page.get("/clientes", params={"q": "a\x00b"})

    assert created.status_code == 422
    assert "carácter nulo" in created.json()["detail"]
    assert listed.status_code == 422
    assert searched.status_code == 400
    assert "carácter nulo" in searched.text
    with transaction(engine) as session:
        named = select(func.count()).where(Customer.external_id == "N-1")
        assert session.scalar(named) == 0
