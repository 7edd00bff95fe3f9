"""The amounts a message states: one message per customer, netted and current."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from cobranza.db.engine import transaction
from cobranza.db.models import Document, DocumentKind, OutboxState
from cobranza.jobs import run_cycle
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_payment,
)
from tests.scenarios.helpers import (
    AR_TZ,
    dispatch_only,
    local_instant,
    outbox_rows,
    plan_only,
    sandbox_texts,
)

DUE_ON = date(2026, 3, 2)
SETUP = local_instant(date(2026, 2, 1), 10, AR_TZ)
CYCLE_DAY = date(2026, 3, 3)
CYCLE = local_instant(CYCLE_DAY, 10, AR_TZ)


def test_one_message_covers_all_invoices(engine: Engine) -> None:
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        customer = make_customer(
            session, business, SETUP, "C1", "+5491155550101", segment="punctual"
        )
        for number in range(5):
            make_document(
                session,
                customer,
                SETUP,
                f"A-{number}",
                "300.00",
                DUE_ON - timedelta(days=number),
            )
        business_id, customer_id = business.id, customer.id

    report = run_cycle(engine, business_id, CYCLE)

    assert report.planned == 1
    assert report.dispatch.sent == 1
    [row] = outbox_rows(engine, customer_id)
    assert len(row.document_ids) == 5
    assert row.variables["invoice_count"] == 5
    [text] = sandbox_texts(engine, customer_id)
    assert "$ 1.500,00" in text
    assert "5 facturas" in text


def test_partial_payment_and_credit_note_netted(engine: Engine) -> None:
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        partial = make_customer(
            session, business, SETUP, "C1", "+5491155550101", segment="punctual"
        )
        make_document(
            session, partial, SETUP, "A-1", "1000.00", DUE_ON, open_amount="400.00"
        )
        credited = make_customer(
            session, business, SETUP, "C2", "+5491155550102", segment="punctual"
        )
        make_document(session, credited, SETUP, "A-2", "1000.00", DUE_ON)
        make_document(
            session,
            credited,
            SETUP,
            "NC-1",
            "-300.00",
            DUE_ON,
            kind=DocumentKind.CREDIT_NOTE,
        )
        business_id = business.id
        partial_id, credited_id = partial.id, credited.id

    report = run_cycle(engine, business_id, CYCLE)

    assert report.dispatch.sent == 2
    [partial_text] = sandbox_texts(engine, partial_id)
    assert "$ 400,00" in partial_text
    assert "$ 1.000,00" not in partial_text
    [credited_text] = sandbox_texts(engine, credited_id)
    assert "$ 700,00" in credited_text
    assert "$ 1.000,00" not in credited_text


def test_disputed_invoices_left_out(engine: Engine) -> None:
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        mixed = make_customer(
            session, business, SETUP, "C1", "+5491155550101", segment="punctual"
        )
        make_document(session, mixed, SETUP, "A-1", "1000.00", DUE_ON, disputed=True)
        make_document(session, mixed, SETUP, "A-2", "500.00", DUE_ON)
        disputing = make_customer(
            session, business, SETUP, "C2", "+5491155550102", segment="punctual"
        )
        make_document(session, disputing, SETUP, "A-3", "800.00", DUE_ON, disputed=True)
        business_id = business.id
        mixed_id, disputing_id = mixed.id, disputing.id

    report = run_cycle(engine, business_id, CYCLE)

    assert report.dispatch.sent == 1
    [text] = sandbox_texts(engine, mixed_id)
    assert "$ 500,00" in text
    assert "$ 1.500,00" not in text
    assert outbox_rows(engine, disputing_id) == []


def test_payment_between_plan_and_dispatch(engine: Engine) -> None:
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        customer = make_customer(
            session, business, SETUP, "C1", "+5491155550101", segment="punctual"
        )
        invoice = make_document(session, customer, SETUP, "A-1", "1000.00", DUE_ON)
        business_id, customer_id, invoice_id = business.id, customer.id, invoice.id
    assert plan_only(engine, business_id, CYCLE) == 1

    with transaction(engine) as session:
        invoice = session.get_one(Document, invoice_id)
        make_payment(session, invoice.customer, CYCLE, "1000.00")
        invoice.open_amount = Decimal(0)
    report = dispatch_only(engine, business_id, CYCLE)

    assert report.sent == 0
    assert report.suppressed == {"zero_balance": 1}
    [row] = outbox_rows(engine, customer_id)
    assert row.state == OutboxState.SUPPRESSED
    assert sandbox_texts(engine, customer_id) == []


def _late_and_upcoming(
    engine: Engine, late_due_on: date, upcoming_due_on: date
) -> tuple[int, int, int]:
    """Create a late payer owing $ 100 due `late_due_on`, $ 300 `upcoming_due_on`."""
    with transaction(engine) as session:
        business = make_business(session, SETUP)
        customer = make_customer(
            session, business, SETUP, "C1", "+5491155550101", segment="chronic_late"
        )
        late = make_document(session, customer, SETUP, "A-1", "100.00", late_due_on)
        make_document(session, customer, SETUP, "A-2", "300.00", upcoming_due_on)
        return business.id, customer.id, late.id


def test_overdue_reminder_states_overdue_part(engine: Engine) -> None:
    business_id, customer_id, _ = _late_and_upcoming(
        engine, CYCLE_DAY - timedelta(days=40), CYCLE_DAY + timedelta(days=20)
    )

    report = run_cycle(engine, business_id, CYCLE)

    assert report.dispatch.sent == 1
    [row] = outbox_rows(engine, customer_id)
    assert Decimal(row.variables["balance"]) == Decimal("100")
    assert row.variables["invoice_count"] == 1
    [text] = sandbox_texts(engine, customer_id)
    assert "$ 100,00" in text
    assert "1 factura " in text
    assert "$ 400,00" not in text
    assert "2 facturas" not in text


def test_preventive_states_amount_due_that_day(engine: Engine) -> None:
    business_id, customer_id, _ = _late_and_upcoming(
        engine, CYCLE_DAY + timedelta(days=3), CYCLE_DAY + timedelta(days=20)
    )

    report = run_cycle(engine, business_id, CYCLE)

    assert report.dispatch.sent == 1
    [row] = outbox_rows(engine, customer_id)
    assert row.step_kind == "preventive"
    [text] = sandbox_texts(engine, customer_id)
    assert "$ 100,00" in text
    assert "1 factura " in text
    assert "$ 400,00" not in text


def test_overdue_part_paid_before_dispatch(engine: Engine) -> None:
    business_id, customer_id, late_id = _late_and_upcoming(
        engine, CYCLE_DAY - timedelta(days=40), CYCLE_DAY + timedelta(days=20)
    )
    assert plan_only(engine, business_id, CYCLE) == 1

    with transaction(engine) as session:
        late = session.get_one(Document, late_id)
        make_payment(session, late.customer, CYCLE, "100.00")
        late.open_amount = Decimal(0)
    report = dispatch_only(engine, business_id, CYCLE)

    # What is left is not due yet, so the overdue reminder has nothing to ask.
    assert report.sent == 0
    assert report.suppressed == {"zero_balance": 1}
    assert sandbox_texts(engine, customer_id) == []
