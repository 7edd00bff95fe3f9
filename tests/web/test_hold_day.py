"""Near midnight, the panel and the API read a hold on the customer's own day.

The business is in Buenos Aires (UTC-3). The gate reads a hold on the
customer's local day when the customer has a time zone, so the state on the
panel and the hold in the API must follow the same day.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cobranza.accounts import create_api_token
from cobranza.compliance.consent import record_consent
from cobranza.db.engine import transaction
from cobranza.db.models import Case, CaseState, ConsentAction, Customer
from cobranza.dunning.holds import hold_invoices
from tests.web.conftest import NOW, Clock, Tenant

HELD = (
    "recordatorios en pausa por facturas retenidas (A-0001 hasta el 30/04/2026, "
    "motivo: viaja)"
)
COLLECTED = "en gestión automática"

# (customer's zone, instant, state on the panel, held in the API)
MIDNIGHT_CASES = [
    # 30/04 23:30 in Buenos Aires, 01/05 04:30 in Madrid: the hold has ended
    # for the customer although the business's day is still the 30th.
    ("Europe/Madrid", datetime(2026, 5, 1, 2, 30, tzinfo=UTC), COLLECTED, False),
    # 01/05 01:00 in Buenos Aires, 30/04 22:00 in Mexico City: the hold is
    # still on for the customer although the business's day is the 1st.
    ("America/Mexico_City", datetime(2026, 5, 1, 4, 0, tzinfo=UTC), HELD, True),
    # Without a zone of their own, the customer reads the business's day.
    (None, datetime(2026, 5, 1, 2, 30, tzinfo=UTC), HELD, True),
    (None, datetime(2026, 5, 1, 3, 30, tzinfo=UTC), COLLECTED, False),
]


def _held_through_april(engine: Engine, tenant: Tenant, zone: str | None) -> int:
    """Hold the customer's only invoice through 30/04; return the case id."""
    with transaction(engine) as session:
        customer = session.get_one(Customer, tenant.customer_id)
        customer.timezone = zone
        record_consent(
            session,
            tenant.business_id,
            customer.id,
            ConsentAction.GRANT,
            "formulario firmado",
            None,
            NOW - timedelta(days=30),
        )
        case = Case(
            business_id=tenant.business_id,
            customer_id=customer.id,
            state=CaseState.OPEN,
            opened_at=NOW - timedelta(days=3),
        )
        session.add(case)
        hold_invoices(
            session, customer, [], date(2026, 4, 30), "viaja", NOW.date(), NOW, "cli"
        )
        session.flush()
        return case.id


def _page_state(page: str) -> str:
    start = page.index('id="customer-state">') + len('id="customer-state">')
    return html.unescape(page[start : page.index("</strong>", start)])


def _api(app: FastAPI, engine: Engine, business_id: int) -> TestClient:
    with transaction(engine) as session:
        issued = create_api_token(session, business_id, "erp", NOW)
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


@pytest.mark.parametrize(("zone", "instant", "state", "held"), MIDNIGHT_CASES)
def test_panel_reads_customer_day(
    app: FastAPI,
    client_for,  # type: ignore[no-untyped-def]
    tenant: Tenant,
    engine: Engine,
    clock: Clock,
    zone: str | None,
    instant: datetime,
    state: str,
    held: bool,
) -> None:
    # given
    _held_through_april(engine, tenant, zone)
    clock.now = instant
    client, _ = client_for(tenant)

    # when
    page = client.get(f"/clientes/{tenant.customer_id}").text
    thread = client.get(f"/conversaciones/{tenant.customer_id}").text
    listing = html.unescape(client.get("/clientes").text)

    # then
    assert _page_state(page) == state
    assert _page_state(thread) == state
    assert (HELD in listing) is held
    assert ("Liberar" in page) is held


@pytest.mark.parametrize(("zone", "instant", "state", "held"), MIDNIGHT_CASES)
def test_api_reads_customer_day(
    app: FastAPI,
    tenant: Tenant,
    engine: Engine,
    clock: Clock,
    zone: str | None,
    instant: datetime,
    state: str,
    held: bool,
) -> None:
    # given
    case_id = _held_through_april(engine, tenant, zone)
    clock.now = instant
    client = _api(app, engine, tenant.business_id)

    # when
    invoice = client.get(f"/api/v1/invoices/{tenant.invoice_id}").json()
    case = client.get(f"/api/v1/cases/{case_id}").json()
    held_ids = [
        item["id"] for item in client.get("/api/v1/invoices?held=true").json()["data"]
    ]
    free_ids = [
        item["id"] for item in client.get("/api/v1/invoices?held=false").json()["data"]
    ]
    release = client.post(f"/api/v1/invoices/{tenant.invoice_id}/release")

    # then
    assert (invoice["hold"] is not None) is held
    assert case["all_invoices_held"] is held
    assert (tenant.invoice_id in held_ids) is held
    assert (tenant.invoice_id in free_ids) is not held
    assert release.status_code == (200 if held else 422)
