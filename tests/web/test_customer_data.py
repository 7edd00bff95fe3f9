"""The customer page's data-subject requests: download the data, erase it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from cobranza.db.engine import transaction
from cobranza.db.models import AuditEvent, Customer, Document
from tests.web.conftest import Tenant


def _notice(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


def _settle(engine: Engine, customer_id: int) -> None:
    with transaction(engine) as session:
        for document in session.scalars(
            select(Document).where(Document.customer_id == customer_id)
        ):
            document.open_amount = document.amount * 0


def test_download_has_customer_data(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}")
    response = client.get(f"/clientes/{tenant.customer_id}/datos.json")

    assert f'href="/clientes/{tenant.customer_id}/datos.json"' in page.text
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    document = json.loads(response.text)
    assert document["customer"]["name"] == "Cliente de Ferretería Uno"
    assert document["business"]["name"] == "Ferretería Uno"
    assert [row["number"] for row in document["documents"]] == ["A-0001"]


def test_other_business_customer_is_404(
    app: FastAPI, client_for, tenant: Tenant, other_tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    theirs = other_tenant.customer_id

    download = client.get(f"/clientes/{theirs}/datos.json")
    erase = client.post(
        f"/clientes/{theirs}/borrar",
        data={"confirmation": "C-1", "force": "true", "csrf_token": token},
    )

    assert download.status_code == 404
    assert erase.status_code == 404
    assert "Cliente de Librería Dos" not in download.text


def test_download_needs_sign_in(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")

    response = client.get(
        f"/clientes/{tenant.customer_id}/datos.json", follow_redirects=False
    )

    assert response.status_code in (303, 401)
    assert "Cliente de" not in response.text


def test_erase_with_wrong_confirmation_changes_nothing(
    app: FastAPI, engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    _settle(engine, tenant.customer_id)

    response = client.post(
        f"/clientes/{tenant.customer_id}/borrar",
        data={"confirmation": "C-2", "csrf_token": token},
        follow_redirects=False,
    )

    notice = _notice(response)
    assert "No se borró nada" in notice["error"]
    assert "no es el código del cliente" in notice["error"]
    assert "C-1" not in response.headers["location"]
    assert "C-2" not in response.headers["location"]
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        assert customer.erased_at is None
        assert customer.name == "Cliente de Ferretería Uno"


def test_erase_without_csrf_is_rejected(
    app: FastAPI, engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    response = client.post(
        f"/clientes/{tenant.customer_id}/borrar",
        data={"confirmation": "C-1", "force": "true"},
    )

    assert response.status_code == 403
    with transaction(engine) as session:
        assert session.get_one(Customer, tenant.customer_id).erased_at is None


def test_erase_with_balance_needs_force(
    app: FastAPI, engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    path = f"/clientes/{tenant.customer_id}/borrar"

    refused = client.post(
        path, data={"confirmation": "C-1", "csrf_token": token}, follow_redirects=False
    )
    forced = client.post(
        path,
        data={"confirmation": "C-1", "force": "true", "csrf_token": token},
        follow_redirects=False,
    )

    error = _notice(refused)["error"]
    assert "todavía debe $ 15.000,00" in error
    assert "Borrar aunque deba" in error
    assert "Se borraron los datos personales" in _notice(forced)["ok"]
    # Access logs keep the redirect's query string, so no notice names the code.
    assert "C-1" not in refused.headers["location"]
    assert "C-1" not in forced.headers["location"]
    shown = client.get(forced.headers["location"])
    assert "Se borraron los datos personales del cliente." in shown.text
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        assert customer.erased_at is not None
        assert customer.name == "Cliente borrado"
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "customer.erased")
        ).all()
        assert len(events) == 1
        assert events[0].actor == f"owner:{tenant.email}"


def test_erased_page_shows_marker_and_no_forms(
    app: FastAPI, engine: Engine, client_for, tenant: Tenant
) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(tenant)
    _settle(engine, tenant.customer_id)
    client.post(
        f"/clientes/{tenant.customer_id}/borrar",
        data={"confirmation": "C-1", "csrf_token": token},
    )

    page = client.get(f"/clientes/{tenant.customer_id}")
    listing = client.get("/clientes")

    assert page.status_code == 200
    assert 'id="customer-erased"' in page.text
    assert 'id="erase-form"' not in page.text
    assert "/telefono" not in page.text
    assert "Cliente de Ferretería Uno" not in page.text
    assert "Cliente borrado" in listing.text
    assert "Cliente de Ferretería Uno" not in listing.text
