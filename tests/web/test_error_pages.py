from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.accounts import create_api_token
from cobranza.config import Settings
from cobranza.db.engine import transaction
from cobranza.web.app import create_app
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
    assert "que no existe" in page.text
    assert "customer_id" not in page.text
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


# Texts of FastAPI, Starlette and pydantic errors that must never reach a page.
ENGLISH_MARKERS = (
    "Not Found",
    "Method Not Allowed",
    "Internal Server Error",
    "Bad Request",
    "Input should",
    "Field required",
    "There was an error",
    "Missing boundary",
    "unknown",
    "invalid",
    "CSRF",
)


def _assert_spanish(page) -> None:  # type: ignore[no-untyped-def]
    for marker in ENGLISH_MARKERS:
        assert marker not in page.text, marker


def test_malformed_form_body_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, csrf = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pausa",
        content=b"until=2026-04-01",
        headers={"content-type": "multipart/form-data", "x-csrf-token": csrf},
    )

    assert page.status_code == 400
    assert _is_dashboard_page(page)
    assert "El pedido no es válido." in page.text
    assert "enviá el formulario de nuevo" in page.text
    _assert_spanish(page)


def test_malformed_sign_in_body_page(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")

    page = client.post(
        "/entrar", content=b"x", headers={"content-type": "multipart/form-data"}
    )

    assert page.status_code == 400
    assert _is_dashboard_page(page)
    assert "El pedido no es válido." in page.text
    _assert_spanish(page)


def test_missing_csrf_token_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.post(f"/clientes/{tenant.customer_id}/reanudar", data={})

    assert page.status_code == 403
    assert _is_dashboard_page(page)
    assert "Recargala y volvé a intentar." in page.text
    _assert_spanish(page)


def test_unknown_export_format_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/clientes/exportar/pdf")

    assert page.status_code == 400
    assert _is_dashboard_page(page)
    assert "«pdf»" in page.text
    assert "CSV o Excel" in page.text
    _assert_spanish(page)


def test_unknown_path_names_address(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/no-existe")

    assert "«/no-existe»" in page.text
    _assert_spanish(page)


def test_long_address_is_shortened(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/" + "a" * 500)

    assert page.status_code == 404
    assert "a" * 500 not in page.text
    assert "…»" in page.text


def test_wrong_method_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(tenant)

    page = client.get("/salir")

    assert page.status_code == 405
    assert _is_dashboard_page(page)
    assert "Esta dirección no acepta ese tipo de pedido." in page.text
    assert "«/salir»" in page.text
    _assert_spanish(page)


def _failing_route(app: FastAPI, path: str) -> None:
    def fail() -> None:
        raise RuntimeError("database exploded")

    app.add_api_route(path, fail, include_in_schema=False)


def test_server_error_page(app: FastAPI, client_for, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    _failing_route(app, "/prueba/falla")
    client = TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    )

    page = client.get("/prueba/falla")

    assert page.status_code == 500
    assert _is_dashboard_page(page)
    assert "Algo salió mal de nuestro lado." in page.text
    assert "exploded" not in page.text
    _assert_spanish(page)


def test_api_server_error_stays_plain(app: FastAPI) -> None:
    _failing_route(app, "/api/v1/prueba/falla")
    client = TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    )

    response = client.get("/api/v1/prueba/falla")

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Internal Server Error"


def test_sign_in_page_in_tu_forms_for_chile(engine: Engine) -> None:
    # Before sign-in no business is known, so the page takes the server's
    # locale: COBRANZA_COUNTRY=CL gives es_CL, which reads tú forms.
    settings = Settings(_env_file=None, country="CL")  # type: ignore[call-arg]
    client = TestClient(create_app(settings, engine), base_url="https://testserver")

    page = client.post(
        "/entrar",
        data={"email": "duena@negocio.cl", "password": "x", "csrf_token": "stale"},
    )

    assert page.status_code == 403
    assert "La página venció: vuelve a intentar." in page.text
    assert "volvé" not in page.text
