"""The dashboard counts an invoice due on a weekend as overdue after Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from cobranza.compliance.business_days import effective_due_dates
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer
from cobranza.portfolio.audit import audit_portfolio
from cobranza.portfolio.rules import SegmentRules
from cobranza.web.dashboard.customer_queries import (
    CustomerFilters,
    list_customers_page,
)
from cobranza.web.dashboard.summary_data import load_summary
from tests.web.conftest import NOW, Tenant
from tests.web.factories import make_customer, make_invoice

SATURDAY = date(2026, 3, 14)
# Noon in Buenos Aires (UTC-3).
MONDAY_NOON = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
TUESDAY_NOON = datetime(2026, 3, 17, 15, 0, tzinfo=UTC)
# The tenant's own invoices, due on 1 and 10 March, are overdue on both days.
TENANT_OVERDUE = Decimal("17500.50")


def _add_weekend_invoices(engine: Engine, tenant: Tenant) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        first = session.get_one(Customer, tenant.customer_id)
        make_invoice(session, first, NOW, "A-0100", "1000.00", SATURDAY)
        make_invoice(session, first, NOW, "A-0101", "500.00", date(2026, 3, 13))
        weekend_only = make_customer(
            session, business, NOW, "C-3", "Cliente del sábado", "+5491155550003"
        )
        make_invoice(session, weekend_only, NOW, "A-0300", "700.00", SATURDAY)


def test_resumen_saturday_invoice_current_on_monday(
    engine: Engine, tenant: Tenant
) -> None:
    # Given invoices due on Friday 13 and Saturday 14 March
    _add_weekend_invoices(engine, tenant)

    # When the Resumen page is read on Monday and on Tuesday
    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        monday = load_summary(session, business, MONDAY_NOON)
        audit = audit_portfolio(
            session,
            business,
            MONDAY_NOON.date(),
            today=MONDAY_NOON.date(),
            rules=SegmentRules(),
            effective_due=effective_due_dates(business),
        )
        tuesday = load_summary(session, business, TUESDAY_NOON)

    # Then Saturday's invoices are not yet due on Monday, and overdue on Tuesday
    assert monday.overdue == TENANT_OVERDUE + Decimal("500.00")
    assert monday.aging[0].key == "current"
    assert monday.aging[0].count == 2
    assert monday.aging[0].amount == Decimal("1700.00")
    assert tuesday.overdue == TENANT_OVERDUE + Decimal("2200.00")
    assert tuesday.aging[0].count == 0
    assert audit.overdue == monday.overdue
    assert audit.aging == monday.aging


def test_customer_list_saturday_invoice_overdue_on_tuesday(
    engine: Engine, tenant: Tenant
) -> None:
    _add_weekend_invoices(engine, tenant)
    overdue_only = CustomerFilters(overdue=True)

    with transaction(engine) as session:
        business = session.get_one(Business, tenant.business_id)
        monday, _ = list_customers_page(
            session, business, MONDAY_NOON.date(), overdue_only, 1, 50
        )
        tuesday, _ = list_customers_page(
            session, business, TUESDAY_NOON.date(), overdue_only, 1, 50
        )

    days_on_monday = {row.external_id: row.days_past_due for row in monday}
    days_on_tuesday = {row.external_id: row.days_past_due for row in tuesday}
    # Due on Sunday 1 March, so counted from Monday 2 March.
    assert days_on_monday == {"C-1": 14, "C-2": 6}
    assert days_on_tuesday == {"C-1": 15, "C-2": 7, "C-3": 1}
