"""A Brazilian owner's dashboard: an old mobile edited without its ninth digit."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer, Document
from tests.web.conftest import Tenant

ERROR = re.compile(r'<p class="notice error" role="alert">(.*?)</p>', re.DOTALL)


def _in_brazil(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        business.country, business.currency, business.locale = "BR", "BRL", "pt_BR"
        business.timezone = "America/Sao_Paulo"
        session.get_one(Document, tenant.invoice_id).currency = "BRL"


def _error(text: str) -> str:
    found = ERROR.search(text)
    assert found is not None, "no error notice on the page"
    return html.unescape(found.group(1))


def test_old_mobile_edit_names_ninth_digit(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _in_brazil(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/telefono",
        data={"phone": "(11) 8765-4320", "csrf_token": token},
    )

    error = _error(page.text)
    assert "Teléfono inválido" in error
    assert "Escríbelo con su DDD, por ejemplo +55 11 95555-6666." in error
    assert "Si es un celular escrito sin el 9" in error
    assert "ahora es (11) 98765-4320." in error
    with transaction(engine) as session:
        stored = session.get_one(Customer, tenant.customer_id).phone
    assert stored != "+5511987654320"


def test_landline_edit_gets_no_ninth_digit(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    _in_brazil(engine, tenant)
    client, token = client_for(tenant)

    page = client.post(
        f"/clientes/{tenant.customer_id}/telefono",
        data={"phone": "(11) 3456-789", "csrf_token": token},
    )

    error = _error(page.text)
    assert "Teléfono inválido" in error
    assert "sin el 9" not in error


def test_phone_edit_sets_ddd_timezone(
    app: FastAPI, client_for, tenant: Tenant, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Contact hours follow the customer's clock: Acre is UTC-5.
    _in_brazil(engine, tenant)
    client, token = client_for(tenant)

    client.post(
        f"/clientes/{tenant.customer_id}/telefono",
        data={"phone": "(68) 99912-3456", "csrf_token": token},
    )

    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        assert customer.phone == "+5568999123456"
        assert customer.timezone == "America/Rio_Branco"
