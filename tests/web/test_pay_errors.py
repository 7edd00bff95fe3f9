"""A debtor who opens a wrong /pagar address sees the pay pages' own page.

That page has none of the dashboard's layout, links or sign-in, no
internal detail, and a short Spanish message: the link is not valid or
has expired, so write to the business.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.models import Document
from tests.payments.conftest import build_world
from tests.payments.helpers import make_link
from tests.web.conftest import Tenant

NOT_VALID = (
    "Este link de pago no es válido o ya venció. Escribile al negocio para que "
    "te mande uno nuevo."
)
# Traces of the owner's pages that a debtor must not see.
OWNER_MARKERS = (
    "/static/app.css",
    "/entrar",
    "/clientes",
    "Volver al resumen",
    "<nav",
    "Salir",
)


def _assert_debtor_page(page) -> None:  # type: ignore[no-untyped-def]
    assert page.headers["content-type"].startswith("text/html")
    for marker in OWNER_MARKERS:
        assert marker not in page.text, marker


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/pagar/no-such-token", 404),
        ("GET", "/pagar/" + "x" * 500, 404),
        ("GET", "/pagar/x/y/z", 404),
        ("GET", "/pagar/x/y", 404),
        ("GET", "/pagar/a%2Fb%2Fc", 404),
        ("GET", "/pagar", 404),
        ("GET", "/Pagar/no-such-token", 404),
        ("GET", "/pagar/no-such-token/listo", 404),
        ("GET", "/pagar/sandbox/no-such-token", 404),
        ("POST", "/pagar/no-such-token", 405),
        ("DELETE", "/pagar/no-such-token", 405),
        ("PUT", "/pagar/no-such-token/listo", 405),
    ],
)
def test_wrong_pay_address_is_debtor_page(
    app: FastAPI, method: str, path: str, status: int
) -> None:
    client = TestClient(app, base_url="https://testserver")

    page = client.request(method, path, follow_redirects=False)

    assert page.status_code == status
    assert NOT_VALID in page.text
    _assert_debtor_page(page)


def test_wrong_pay_address_matches_pay_pages(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")

    unknown_token = client.get("/pagar/no-such-token")
    wrong_path = client.get("/pagar/x/y/z")

    assert wrong_path.text == unknown_token.text


def test_signed_in_owner_sees_debtor_page(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
) -> None:
    client, _ = client_for(tenant)

    page = client.get("/pagar/x/y/z")

    assert page.status_code == 404
    assert NOT_VALID in page.text
    _assert_debtor_page(page)


def test_pay_crash_is_debtor_page(app: FastAPI) -> None:
    def fail() -> None:
        raise RuntimeError("database exploded")

    app.add_api_route("/pagar/prueba/falla", fail, include_in_schema=False)
    client = TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    )

    page = client.get("/pagar/prueba/falla")

    assert page.status_code == 500
    assert "No pudimos abrir el pago en este momento." in page.text
    assert "exploded" not in page.text
    _assert_debtor_page(page)


def test_done_page_of_real_link(app: FastAPI, engine: Engine) -> None:
    link = make_link(build_world(engine), provider="sandbox")
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}/listo")

    assert page.status_code == 200
    assert "Estamos confirmando tu pago." in page.text
    # Only a payment that leaves nothing owed gets a WhatsApp thank-you.
    assert "Si con este pago no te queda saldo" in page.text
    _assert_debtor_page(page)


def test_invalid_pay_value_is_debtor_page(app: FastAPI) -> None:
    def numbered(number: int) -> dict[str, int]:
        return {"number": number}

    app.add_api_route("/pagar/prueba/{number}", numbered, include_in_schema=False)
    client = TestClient(app, base_url="https://testserver")

    page = client.get("/pagar/prueba/abc")

    assert page.status_code == 404
    assert NOT_VALID in page.text
    assert "number" not in page.text
    _assert_debtor_page(page)


def test_link_of_disputed_invoices_says_under_review(
    app: FastAPI, engine: Engine
) -> None:
    # Given a customer's link, and then a dispute of all their invoices
    world = build_world(engine)
    link = make_link(world, provider="sandbox")
    with world.session() as session, session.begin():
        for document_id in (world.old_invoice_id, world.new_invoice_id):
            session.get_one(Document, document_id).disputed = True
    client = TestClient(app, base_url="https://testserver")

    # When the customer opens the link
    page = client.get(f"/pagar/{link.token}")

    # Then the page shows the invoices are under review, not that nothing is
    # owed
    assert page.status_code == 200
    assert "están en revisión" in page.text
    assert "No tenés saldo pendiente" not in page.text
    _assert_debtor_page(page)


def test_link_of_paid_invoices_says_nothing_owed(app: FastAPI, engine: Engine) -> None:
    world = build_world(engine)
    link = make_link(world, provider="sandbox")
    with world.session() as session, session.begin():
        for document_id in (world.old_invoice_id, world.new_invoice_id):
            session.get_one(Document, document_id).open_amount = Decimal(0)
    client = TestClient(app, base_url="https://testserver")

    page = client.get(f"/pagar/{link.token}")

    assert page.status_code == 200
    assert "No tenés saldo pendiente con este negocio." in page.text
