from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.accounts import create_api_token
from cobranza.db.engine import transaction
from cobranza.web.security import LOGIN_CSRF_COOKIE
from tests.web.conftest import NOW, Tenant, csrf_from
from tests.web.factories import PASSWORD


def _api_client(app: FastAPI, engine: Engine, business_id: int) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, business_id, "zapier", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


def _is_dashboard_page(response) -> bool:  # type: ignore[no-untyped-def]
    return response.headers["content-type"].startswith("text/html") and (
        '<link rel="stylesheet" href="/static/app.css">' in response.text
    )


def test_unknown_customer_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/clientes/9999")

    assert page.status_code == 404
    assert _is_dashboard_page(page)
    assert "Cliente no encontrado." in page.text
    assert '<a href="/clientes">Volver a Clientes</a>' in page.text
    assert '"detail"' not in page.text


def test_malformed_customer_id_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/clientes/abc")

    assert page.status_code == 404
    assert _is_dashboard_page(page)
    assert "No encontramos esta página." in page.text
    assert "«abc»" in page.text
    assert "tiene que ser un número entero" in page.text
    assert '<a href="/clientes">Volver a Clientes</a>' in page.text
    assert "Input should be" not in page.text


def test_invalid_query_value_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/clientes", params={"page": "dos"})

    assert page.status_code == 400
    assert _is_dashboard_page(page)
    assert "Algunos datos no son válidos." in page.text
    assert "«dos»" in page.text


def test_unknown_path_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/no-existe")

    assert page.status_code == 404
    assert _is_dashboard_page(page)
    assert "No encontramos esta página." in page.text
    assert '<a href="/">Volver al resumen</a>' in page.text
    assert "Not Found" not in page.text


def test_api_errors_stay_json(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = _api_client(app, engine, tenant.business_id)

    missing = client.get("/api/v1/customers/9999")
    malformed = client.get("/api/v1/customers/abc")
    unknown = client.get("/api/v1/no-existe")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert set(missing.json()) == {"detail"}
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/json"
    assert malformed.json()["detail"][0]["loc"] == ["path", "customer_id"]
    assert malformed.json()["detail"][0]["type"] == "int_parsing"
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Not Found"}


def test_webhook_errors_stay_json(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")

    response = client.get("/webhooks/twilio/status")

    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_stale_login_form_shown_again(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, base_url="https://testserver")
    first = client.get("/entrar")
    stale_token = csrf_from(first.text)
    client.post(
        "/entrar",
        data={
            "email": tenant.email,
            "password": "wrong password!",
            "csrf_token": stale_token,
        },
    )

    again = client.post(
        "/entrar",
        data={"email": tenant.email, "password": PASSWORD, "csrf_token": stale_token},
        follow_redirects=False,
    )

    assert again.status_code == 403
    assert _is_dashboard_page(again)
    assert "La página venció: volvé a intentar." in again.text
    assert f'value="{tenant.email}"' in again.text
    assert "CSRF" not in again.text
    assert csrf_from(again.text) != stale_token
    assert csrf_from(again.text) == client.cookies.get(LOGIN_CSRF_COOKIE)
