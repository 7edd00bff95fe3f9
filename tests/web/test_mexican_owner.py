"""A Mexican owner's dashboard: form examples and phone search, Mexican style."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business, Document
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer

ERROR = re.compile(r'<p class="notice error" role="alert">(.*?)</p>', re.DOTALL)


def _in_mexico(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.country, business.currency, business.locale = "MX", "MXN", "es_MX"
        business.timezone = "America/Mexico_City"
        session.get_one(Document, tenant.invoice_id).currency = "MXN"


def _error(text: str) -> str:
    found = ERROR.search(text)
    assert found is not None, "no error notice on the page"
    return html.unescape(found.group(1))


def test_amount_placeholder_mexican_marks(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _in_mexico(engine, tenant)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert 'placeholder="15,000.00"' in page
    assert 'placeholder="15.000,00"' not in page


def test_zero_payment_example_mexican_marks(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _in_mexico(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/pago",
        data={
            "csrf_token": token,
            "amount": "0",
            "paid_on": "2026-03-16",
            "method": "SPEI",
            "reference": "",
            "back": "cliente",
        },
    )

    error = _error(page.text)
    assert "tiene que ser mayor que 0" in error
    assert "por ejemplo 15,000.50" in error


def test_bad_phone_example_mexican(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _in_mexico(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/telefono",
        data={"phone": "55 1234 56", "csrf_token": token},
    )

    error = _error(page.text)
    assert "Teléfono inválido" in error
    assert "Escríbelo con su lada, por ejemplo +52 55 5555 6666." in error
    assert "+54" not in error


def test_search_phone_as_typed(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _in_mexico(engine, tenant)
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        make_customer(session, business, NOW, "C-MX", "Papelería Rosy", "+525523456789")
    client, _ = client_for(tenant)

    for typed in ("55 2345 6789", "(55) 2345-6789", "+52 1 55 2345 6789"):
        page = client.get("/clientes", params={"q": typed}).text

        assert "Papelería Rosy" in page, typed
