"""The customer page's documents and plan: kinds in Spanish, dispute buttons."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Case, Customer, Document
from cobranza.payments import create_plan
from tests.web.conftest import NOW, Tenant


def _add(engine: Engine, tenant: Tenant, number: str, kind: str, open_: str) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        session.add(
            Document(
                business_id=customer.business_id,
                customer_id=customer.id,
                kind=kind,
                number=number,
                issued_on=NOW.date() - timedelta(days=40),
                due_on=NOW.date() - timedelta(days=10),
                amount=Decimal("-100.00" if kind == "credit_note" else "100.00"),
                currency="ARS",
                open_amount=Decimal(open_),
                created_at=NOW,
                updated_at=NOW,
            )
        )


def _row(html: str, number: str) -> str:
    cell = rf"<td data-label=\"Número\"><bdi>{number}</bdi>"
    match = re.search(rf"<tr>\s*{cell}.*?</tr>", html, re.S)
    assert match is not None, f"no row for {number}"
    return match.group(0)


def test_documents_read_for_owner(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    _add(engine, tenant, "NC-9", "credit_note", "-100.00")
    _add(engine, tenant, "F-PAGA", "invoice", "0")
    _add(engine, tenant, "F-ABIERTA", "invoice", "100.00")
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    assert "(nota de crédito)" in _row(page, "NC-9")
    assert "credit_note" not in page
    # Only an invoice with something still to pay can be disputed.
    assert "Marcar en disputa" not in _row(page, "NC-9")
    assert "Marcar en disputa" not in _row(page, "F-PAGA")
    assert "Marcar en disputa" in _row(page, "F-ABIERTA")


def test_customer_page_shows_plan(
    engine: Engine,
    tenant: Tenant,
    client_for: Callable[[Tenant], tuple[TestClient, str]],
) -> None:
    # Given a 3-installment plan on the customer's open case
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        case = Case(
            business_id=customer.business_id,
            customer_id=customer.id,
            opened_at=NOW - timedelta(days=5),
        )
        session.add(case)
        session.flush()
        create_plan(session, case, 3, NOW)
    client, _ = client_for(tenant)

    page = client.get(f"/clientes/{tenant.customer_id}").text

    # Then the page lists each installment with its due date and state
    section = page[page.index('id="plan"') :]
    assert "Vigente, armado el" in section
    assert "1 de 3" in section
    assert "$ 5.000,00" in section
    assert "a vencer" in section
    assert "upcoming" not in section
