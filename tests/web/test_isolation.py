"""Two businesses on one database: neither sees the other's rows."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.db.models import Customer, Document
from tests.web.conftest import NOW, Tenant


def _api_client(app: FastAPI, engine: Engine, business_id: int) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, business_id, "test", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def test_pages_of_other_business_are_404(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    theirs = other_tenant.customer_id

    pages = [f"/clientes/{theirs}", f"/conversaciones/{theirs}"]
    posts = {
        f"/clientes/{theirs}/pausa": {"until": "2026-04-01"},
        f"/clientes/{theirs}/reanudar": {},
        f"/clientes/{theirs}/consentimiento": {"action": "grant", "source": "x"},
        f"/clientes/{theirs}/telefono": {"phone": "+5491155550009"},
        f"/clientes/{tenant.customer_id}/facturas/{other_tenant.invoice_id}/disputa": {
            "disputed": "true"
        },
        f"/conversaciones/{theirs}/promesa": {"due_on": "2026-04-01"},
        f"/conversaciones/{theirs}/disputa": {"document_id": other_tenant.invoice_id},
        f"/conversaciones/{theirs}/automatizar": {},
    }

    for path in pages:
        assert client.get(path).status_code == 404, path
    for path, data in posts.items():
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 404, path


def test_lists_show_only_own_rows(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    customers = client.get("/clientes")
    audit = client.get("/auditoria")

    assert "Cliente de Ferretería Uno" in customers.text
    assert "Cliente de Librería Dos" not in customers.text
    assert "Librería Dos" not in audit.text


def test_other_business_rows_unchanged(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)

    client.post(
        f"/clientes/{other_tenant.customer_id}/telefono",
        data={"phone": "+5491155550009", "csrf_token": token},
    )
    client.post(
        f"/clientes/{tenant.customer_id}/facturas/{other_tenant.invoice_id}/disputa",
        data={"disputed": "true", "csrf_token": token},
    )

    with transaction(engine) as session:
        customer = session.get_one(Customer, other_tenant.customer_id)
        document = session.get_one(Document, other_tenant.invoice_id)
    assert customer.phone == "+5491155550001"
    assert document.disputed is False


def test_api_ids_of_other_business_are_404(
    app: FastAPI, engine: Engine, tenant: Tenant, other_tenant: Tenant
) -> None:
    client = _api_client(app, engine, tenant.business_id)

    customer = client.get(f"/api/v1/customers/{other_tenant.customer_id}")
    invoice = client.get(f"/api/v1/invoices/{other_tenant.invoice_id}")
    listed = client.get("/api/v1/customers").json()
    consent = client.post(
        "/api/v1/consents",
        json={
            "customer_id": other_tenant.customer_id,
            "action": "grant",
            "source": "x",
        },
    )
    invoice_for_theirs = client.post(
        "/api/v1/invoices",
        json={
            "customer_id": other_tenant.customer_id,
            "number": "Z-1",
            "due_on": "2026-04-01",
            "amount": "10.00",
        },
    )

    assert customer.status_code == 404
    assert invoice.status_code == 404
    assert consent.status_code == 404
    assert invoice_for_theirs.status_code == 404
    assert {row["id"] for row in listed["data"]} == {
        tenant.customer_id,
        tenant.script_customer_id,
    }
