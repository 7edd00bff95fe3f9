from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from cobranza.db.models import (
    AuditEvent,
    Case,
    CaseState,
    Customer,
    OutboxMessage,
    OutboxState,
    Payment,
    PromiseToPay,
)
from cobranza.dunning import gate, outbox
from cobranza.dunning.planner import plan
from cobranza.dunning.policy import Policy

from .conftest import NOW, TODAY, Portfolio


def _planned_row(
    portfolio: Portfolio,
    policy: Policy,
    customer: Customer | None = None,
    now: datetime = NOW,
) -> OutboxMessage:
    if customer is None:
        customer = portfolio.customer("C1")
        portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    plan(portfolio.session, portfolio.business, now, policy)
    row = portfolio.session.scalars(
        select(OutboxMessage).where(OutboxMessage.customer_id == customer.id)
    ).one()
    return row


def _check(portfolio: Portfolio, row: OutboxMessage, now: datetime = NOW):
    assert outbox.claim(portfolio.session, row, now)
    return gate.check(portfolio.session, row, now)


def _audit(portfolio: Portfolio, row: OutboxMessage) -> list[AuditEvent]:
    return list(
        portfolio.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_type == "outbox_message",
                AuditEvent.subject_id == row.id,
            )
        )
    )


def test_sends_when_all_clear(portfolio: Portfolio, default_policy: Policy) -> None:
    row = _planned_row(portfolio, default_policy)

    decision = _check(portfolio, row)

    assert decision.action == "send"
    assert row.state == OutboxState.SENDING
    assert row.attempts == 1


def test_no_consent_suppresses(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1", consent=None)
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)

    decision = _check(portfolio, row)

    assert decision.action == "suppress"
    assert decision.reason == "no_consent"
    assert row.state == OutboxState.SUPPRESSED
    assert row.suppressed_reason == "no_consent"
    events = _audit(portfolio, row)
    assert [(event.kind, event.reason) for event in events] == [
        ("message_suppressed", "no_consent")
    ]
    assert events[0].details["consent"] is None


def test_opt_out_suppresses(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1", consent=False)
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)

    decision = _check(portfolio, row)

    assert decision.reason == "opted_out"
    assert row.state == OutboxState.SUPPRESSED


def test_missing_phone_suppresses(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1", phone=None)
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)

    decision = _check(portfolio, row)

    assert decision.reason == "phone_missing"


def test_outside_window_defers(portfolio: Portfolio, default_policy: Policy) -> None:
    # 23:30 UTC is 20:30 in Buenos Aires, after the 09-20 window.
    evening = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    row = _planned_row(portfolio, default_policy, now=evening)

    decision = _check(portfolio, row, evening)

    next_morning = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    assert decision.action == "defer"
    assert decision.reason == "outside_contact_window"
    assert decision.until == next_morning
    assert row.state == OutboxState.QUEUED
    assert row.planned_for == next_morning
    assert row.deferred_reason == "outside_contact_window"
    # A deferral is not a send attempt.
    assert row.attempts == 0
    events = _audit(portfolio, row)
    assert [(event.kind, event.reason) for event in events] == [
        ("message_deferred", "outside_contact_window")
    ]
    assert events[0].details["until"] == next_morning.isoformat()


def test_deferral_records_netted_balance(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # Given 1000 overdue and a credit note of 200, planned in the evening
    evening = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    portfolio.credit_note(customer, "200")
    row = _planned_row(portfolio, default_policy, customer, now=evening)

    decision = _check(portfolio, row, evening)

    # Then the deferral records the 800 that the message and the plan state
    assert decision.action == "defer"
    [event] = _audit(portfolio, row)
    assert Decimal(event.details["balance"]) == Decimal("800")
    assert Decimal(row.variables["balance"]) == Decimal("800")


def test_customer_zone_sets_window(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # 12:30 UTC is 09:30 in Buenos Aires but 06:30 in Mexico City.
    morning = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
    customer = portfolio.customer("C1", timezone="America/Mexico_City")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer, now=morning)

    decision = _check(portfolio, row, morning)

    assert decision.reason == "outside_contact_window"
    assert decision.until == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_shared_ddd_window_fits_both_zones(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    # DDD 97 spans Manaus (UTC-4) and Eirunepé (UTC-5): 13:30 UTC is 09:30
    # in Manaus but 08:30 in Eirunepé, before the 09:00 opening.
    morning = datetime(2026, 3, 10, 13, 30, tzinfo=UTC)
    customer = portfolio.customer(
        "C1", phone="+5597991234567", timezone="America/Manaus"
    )
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer, now=morning)

    decision = _check(portfolio, row, morning)

    assert decision.reason == "outside_contact_window"
    assert decision.until == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_holiday_defers(portfolio: Portfolio, default_policy: Policy) -> None:
    # 24 March is Argentina's Día Nacional de la Memoria (a Tuesday in 2026).
    holiday = datetime(2026, 3, 24, 15, 0, tzinfo=UTC)
    row = _planned_row(portfolio, default_policy, now=holiday)

    decision = _check(portfolio, row, holiday)

    assert decision.action == "defer"
    assert decision.reason == "holiday"
    assert decision.until == datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


def test_daily_cap_defers(portfolio: Portfolio, default_policy: Policy) -> None:
    portfolio.business.settings = {"compliance": {"max_per_day": 1}}
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    earlier = NOW - timedelta(hours=2)
    row_sent_today = OutboxMessage(
        business_id=portfolio.business.id,
        case_id=row.case_id,
        customer_id=customer.id,
        channel="sandbox",
        step="manual",
        step_kind="reminder_soft",
        tone="friendly",
        locale="es_AR",
        idempotency_key="earlier-message",
        state=OutboxState.SENT,
        planned_for=earlier,
        sent_at=earlier,
        created_at=earlier,
    )
    portfolio.session.add(row_sent_today)
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "defer"
    assert decision.reason == "daily_cap"
    assert decision.until == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def test_open_promise_defers(portfolio: Portfolio, default_policy: Policy) -> None:
    row = _planned_row(portfolio, default_policy)
    portfolio.session.add(
        PromiseToPay(
            business_id=portfolio.business.id,
            case_id=row.case_id,
            customer_id=row.customer_id,
            currency="ARS",
            due_on=TODAY + timedelta(days=2),
            created_at=NOW,
        )
    )
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "defer"
    assert decision.reason == "open_promise"
    # The day after the promised date, at the window's opening (09:00 local).
    assert decision.until == datetime(2026, 3, 13, 12, 0, tzinfo=UTC)


def test_lapsed_promise_ignored(portfolio: Portfolio, default_policy: Policy) -> None:
    row = _planned_row(portfolio, default_policy)
    portfolio.session.add(
        PromiseToPay(
            business_id=portfolio.business.id,
            customer_id=row.customer_id,
            currency="ARS",
            due_on=TODAY - timedelta(days=1),
            created_at=NOW,
        )
    )
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "send"


def test_dispute_suppresses(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1")
    first = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    second = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    first.disputed = True
    second.disputed = True
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "suppress"
    assert decision.reason == "open_dispute"


def test_partial_dispute_sends_rest(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    first = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    portfolio.invoice(customer, "250", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    first.disputed = True
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "send"
    assert row.variables["balance"] == "250.0000"
    assert row.variables["invoice_count"] == 1


def test_case_pause_defers(portfolio: Portfolio, default_policy: Policy) -> None:
    row = _planned_row(portfolio, default_policy)
    case = portfolio.session.get_one(Case, row.case_id)
    case.state = CaseState.PAUSED
    case.paused_until = NOW + timedelta(days=3)
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "defer"
    assert decision.reason == "on_hold"
    assert decision.until == NOW + timedelta(days=3)


def test_document_hold_defers(portfolio: Portfolio, default_policy: Policy) -> None:
    customer = portfolio.customer("C1")
    invoice = portfolio.invoice(customer, "100", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    invoice.hold_until = date(2026, 3, 15)
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "defer"
    assert decision.reason == "on_hold"
    # Monday 16 March, 09:00 in Buenos Aires.
    assert decision.until == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def test_pending_payment_suppresses(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    row = _planned_row(portfolio, default_policy)
    portfolio.session.add(
        Payment(
            business_id=portfolio.business.id,
            customer_id=row.customer_id,
            amount=Decimal("1000"),
            currency="ARS",
            paid_at=NOW,
            provider="mercadopago",
            provider_payment_id="123",
            status="pending",
            created_at=NOW,
        )
    )
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "suppress"
    assert decision.reason == "pending_payment"


def test_payment_since_planning_suppresses(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    invoice = portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    invoice.open_amount = Decimal(0)
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "suppress"
    assert decision.reason == "zero_balance"
    assert row.suppressed_reason == "zero_balance"


def test_credit_note_since_planning_suppresses(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    portfolio.credit_note(customer, "1000")

    decision = _check(portfolio, row)

    assert decision.reason == "zero_balance"


def test_partial_payment_refreshes_amount(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    invoice = portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    row = _planned_row(portfolio, default_policy, customer)
    invoice.open_amount = Decimal("600")
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "send"
    assert row.variables["balance"] == "600.0000"


def test_logs_carry_no_personal_data(
    portfolio: Portfolio,
    default_policy: Policy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = portfolio.customer("C1", phone="+5491155551234")
    portfolio.invoice(customer, "100", TODAY - timedelta(days=1))

    with caplog.at_level(logging.DEBUG, logger="cobranza"):
        row = _planned_row(portfolio, default_policy, customer)
        _check(portfolio, row)

    informative = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert informative
    for message in informative:
        assert "5491155551234" not in message
        assert customer.name not in message


def test_open_ended_pause_suppresses(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    row = _planned_row(portfolio, default_policy)
    case = portfolio.session.get_one(Case, row.case_id)
    case.state = CaseState.PAUSED
    case.pause_reason = "el dueño lo pausó a mano"
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "suppress"
    assert decision.reason == "on_hold"
    assert row.state == OutboxState.SUPPRESSED


def test_thanks_pass_open_ended_pause(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    row = _planned_row(portfolio, default_policy)
    row.step_kind = "payment_thanks"
    row.variables = {**row.variables, "paid_amount": "1000"}
    case = portfolio.session.get_one(Case, row.case_id)
    case.state = CaseState.PAUSED
    portfolio.session.flush()

    decision = _check(portfolio, row)

    assert decision.action == "send"


def test_other_currency_credit_kept_apart(
    portfolio: Portfolio, default_policy: Policy
) -> None:
    customer = portfolio.customer("C1")
    portfolio.invoice(customer, "1000", TODAY - timedelta(days=1))
    portfolio.invoice(
        customer,
        "-400",
        date(2026, 1, 1),
        kind="credit_note",
        currency="USD",
    )
    row = _planned_row(portfolio, default_policy, customer)

    decision = _check(portfolio, row)

    assert decision.action == "send"
    assert row.variables["balance"] == "1000.0000"
