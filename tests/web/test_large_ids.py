"""Ids and page numbers beyond what the databases store give 404 or 400.

PostgreSQL rejects an id above 2**31 - 1 compared with an INTEGER column,
and SQLite's driver raises OverflowError past 2**63 - 1. Each check runs on
both databases.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent
from tests.web.conftest import NOW, Tenant

# Above PostgreSQL's INTEGER, above SQLite's 64-bit integer, and far above.
LARGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999999")


def _dashboard_client(
    app: FastAPI, client_for, tenant: Tenant
) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client, csrf = client_for(tenant)
    # A crash must show up as a 500 response here, not as an exception.
    quiet = TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    )
    quiet.cookies = client.cookies
    return quiet, csrf


def _api_client(app: FastAPI, engine: Engine, tenant: Tenant) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, tenant.business_id, "zapier", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
        raise_server_exceptions=False,
    )


@pytest.mark.parametrize("large_id", LARGE_IDS)
@pytest.mark.parametrize(
    ("method", "path", "title"),
    [
        ("GET", "/clientes/{id}", "Cliente no encontrado."),
        ("GET", "/conversaciones/{id}", "Cliente no encontrado."),
        ("POST", "/clientes/{id}/reanudar", "Cliente no encontrado."),
        (
            "POST",
            "/clientes/{customer}/facturas/{id}/disputa",
            "Factura no encontrada.",
        ),
        (
            "POST",
            "/conversaciones/{customer}/comprobante/{id}",
            "Comprobante no encontrado.",
        ),
    ],
)
def test_large_id_in_path_is_404(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    large_id: str,
    method: str,
    path: str,
    title: str,
) -> None:
    client, csrf = _dashboard_client(app, client_for, tenant)
    url = path.format(id=large_id, customer=tenant.customer_id)

    page = client.request(method, url, data={"csrf_token": csrf, "amount": "10"})

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in page.text


@pytest.mark.parametrize("large_id", LARGE_IDS)
def test_large_invoice_in_form_is_404(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    large_id: str,
) -> None:
    client, csrf = _dashboard_client(app, client_for, tenant)

    page = client.post(
        f"/conversaciones/{tenant.customer_id}/disputa",
        data={"csrf_token": csrf, "document_id": large_id},
    )

    assert page.status_code == 404
    assert "<h1>Factura no encontrada.</h1>" in page.text


@pytest.mark.parametrize("path", ["/clientes", "/auditoria"])
def test_large_page_number_is_400(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    path: str,
) -> None:
    client, _ = _dashboard_client(app, client_for, tenant)

    page = client.get(path, params={"page": "99999999999999999999"})

    assert page.status_code == 400
    assert "«Página»: «99999999999999999999» es mayor que" in page.text


def test_last_possible_page_is_empty(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, _ = _dashboard_client(app, client_for, tenant)

    page = client.get("/clientes", params={"page": "85899346"})

    assert page.status_code == 200
    assert "Cliente de Ferretería Uno" not in page.text


@pytest.mark.parametrize("large_id", ["2147483648", "999999999999"])
def test_large_audit_customer_finds_nothing(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
    large_id: str,
) -> None:
    with transaction(engine) as session:
        session.add(
            AuditEvent(
                business_id=tenant.business_id,
                at=NOW,
                actor="owner",
                kind="case_paused",
                subject_type="customer",
                subject_id=tenant.customer_id,
                reason="pausado por el dueño",
            )
        )
    client, _ = _dashboard_client(app, client_for, tenant)

    unfiltered = client.get("/auditoria")
    page = client.get("/auditoria", params={"customer": large_id})

    assert "pausado por el dueño" in unfiltered.text
    assert page.status_code == 200
    assert "No hay eventos con estos filtros." in page.text


def test_audit_customer_not_a_number(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, _ = _dashboard_client(app, client_for, tenant)

    page = client.get("/auditoria", params={"customer": "abc"})

    assert page.status_code == 400
    assert "«Cliente (id)»: «abc» no es un número entero." in page.text


@pytest.mark.parametrize("large_id", LARGE_IDS)
def test_api_large_id_is_404(
    app: FastAPI, engine: Engine, tenant: Tenant, large_id: str
) -> None:
    client = _api_client(app, engine, tenant)

    response = client.get(f"/api/v1/customers/{large_id}")
    listed = client.get("/api/v1/customers", params={"cursor": large_id})

    assert response.status_code == 404
    assert response.json() == {"detail": f"customer {large_id} not found"}
    assert listed.status_code == 400
    assert listed.json() == {"detail": f"invalid cursor '{large_id}'"}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/invoices", "/api/v1/payments", "/api/v1/cases", "/api/v1/messages"],
)
def test_api_large_customer_filter_is_422(
    app: FastAPI, engine: Engine, tenant: Tenant, path: str
) -> None:
    client = _api_client(app, engine, tenant)

    response = client.get(path, params={"customer_id": "2147483648"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "customer_id"]
    assert response.json()["detail"][0]["type"] == "less_than_equal"


def test_api_large_customer_in_body_is_422(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    client = _api_client(app, engine, tenant)

    invoice = client.post(
        "/api/v1/invoices",
        json={
            "customer_id": 99999999999999999999999,
            "number": "X-1",
            "due_on": "2026-04-01",
            "amount": "10",
        },
    )
    consent = client.post(
        "/api/v1/consents",
        json={"customer_id": 2147483648, "action": "grant", "source": "form"},
    )

    assert invoice.status_code == 422
    assert invoice.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert consent.status_code == 422
    assert consent.json()["detail"][0]["loc"] == ["body", "customer_id"]
