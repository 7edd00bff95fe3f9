"""Documents in a currency other than the business's, on the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer, Document
from cobranza.web.dashboard.summary_data import load_summary
from tests.web.conftest import NOW, Tenant


def _dollar_invoice(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        session.add(
            Document(
                business_id=customer.business_id,
                customer_id=customer.id,
                kind="invoice",
                number="E-1",
                issued_on=NOW.date() - timedelta(days=40),
                due_on=NOW.date() - timedelta(days=10),
                amount=Decimal("795830.95"),
                currency="USD",
                open_amount=Decimal("795830.95"),
                created_at=NOW,
                updated_at=NOW,
            )
        )


def test_summary_names_other_currencies(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        before = load_summary(session, business, NOW)
    _dollar_invoice(engine, tenant)

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        summary = load_summary(session, business, NOW)

    assert summary.other_open == (("USD", Decimal("795830.95")),)
    # The peso figures do not take the dollars in.
    assert summary.open_balance == before.open_balance


def test_pages_keep_currencies_apart(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        pesos = load_summary(session, business, NOW).open_balance
    _dollar_invoice(engine, tenant)
    client, _ = client_for(tenant)

    summary = client.get("/")
    listing = client.get("/clientes")
    export = client.get("/clientes/exportar/csv")

    assert summary.status_code == 200
    assert "Además hay saldos abiertos en otras monedas: US$ 795.830,95" in (
        summary.text
    )
    assert listing.status_code == 200
    assert "US$ 795.830,95" in listing.text
    total = pesos + Decimal("795830.95")
    assert f"{total:,.2f}".replace(",", "X").replace(".", ",").replace(
        "X", "."
    ) not in (listing.text)
    assert "saldo en otras monedas" in export.text
    assert "USD 795830.95" in export.text
