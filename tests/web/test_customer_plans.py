"""The customer page lists one plan per currency the customer owes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Case, Customer
from cobranza.payments import create_plan
from tests.channels.factories import make_document
from tests.web.conftest import NOW, Tenant


def test_customer_page_shows_both_plans(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    # Given plans in pesos and in dollars on the customer's open case
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        make_document(
            session, customer, NOW, "U-1", "900.00", NOW.date() - timedelta(days=3),
            currency="USD",
        )  # fmt: skip
        case = Case(
            business_id=customer.business_id,
            customer_id=customer.id,
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        create_plan(session, case, 3, NOW, currency="ARS")
        create_plan(session, case, 3, NOW, currency="USD")
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    # Then the page has a section per currency, each with its installments
    section = page[page.index('id="plan"') :]
    assert "Planes de cuotas" in section
    assert "<h3>En ARS</h3>" in section
    assert "<h3>En USD</h3>" in section
    assert "$ 5.000,00" in section
    assert "US$ 300,00" in section
    assert section.count("1 de 3") == 2
