"""Each gate reason, reached through the real planner, gate and dispatcher.

A punctual customer owes one invoice due Monday 2 March 2026, so the default
policy plans its `reminder_soft` step for Tuesday 3 March. Each case changes
one fact between planning and dispatch, the moment the gate exists for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    Document,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    PromiseToPay,
)
from tests.channels.factories import (
    make_business,
    make_customer,
    make_document,
    make_payment,
    revoke_consent,
)
from tests.scenarios.helpers import (
    AR_TZ,
    audit_kinds,
    dispatch_only,
    local_instant,
    outbox_rows,
    plan_only,
    sandbox_texts,
)

DUE_ON = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
CYCLE = local_instant(TUESDAY, 10, AR_TZ)


@dataclass(frozen=True)
class Portfolio:
    business_id: int
    customer_id: int
    invoice_id: int


def _given_portfolio(
    engine: Engine, count: int, *, consent: bool = True
) -> list[Portfolio]:
    """Add a business with `count` punctual customers, one invoice each."""
    setup = local_instant(date(2026, 2, 1), 10, AR_TZ)
    given = []
    with transaction(engine) as session:
        business = make_business(session, setup)
        for index in range(count):
            customer = make_customer(
                session,
                business,
                setup,
                f"C{index}",
                f"+54911555501{index:02d}",
                segment="punctual",
                consent=consent,
            )
            invoice = make_document(
                session, customer, setup, f"A-{index}", "1000.00", DUE_ON
            )
            given.append(Portfolio(business.id, customer.id, invoice.id))
    return given


def _given_customer(engine: Engine, *, consent: bool = True) -> Portfolio:
    return _given_portfolio(engine, 1, consent=consent)[0]


def _customer(session: Session, given: Portfolio) -> Customer:
    return session.get_one(Customer, given.customer_id)


def _invoice(session: Session, given: Portfolio) -> Document:
    return session.get_one(Document, given.invoice_id)


def _paid_in_full(session: Session, given: Portfolio) -> None:
    invoice = _invoice(session, given)
    make_payment(session, invoice.customer, CYCLE - timedelta(minutes=5), "1000.00")
    invoice.open_amount = Decimal(0)


def _pending_payment(session: Session, given: Portfolio) -> None:
    customer = _customer(session, given)
    make_payment(
        session, customer, CYCLE, "1000.00", status="pending", reference="P-pending"
    )


def _opted_out(session: Session, given: Portfolio) -> None:
    revoke_consent(session, _customer(session, given), CYCLE - timedelta(hours=1))


def _disputed(session: Session, given: Portfolio) -> None:
    _invoice(session, given).disputed = True


def _phone_status(status: str) -> Callable[[Session, Portfolio], None]:
    def change(session: Session, given: Portfolio) -> None:
        _customer(session, given).phone_status = status

    return change


def _phone_removed(session: Session, given: Portfolio) -> None:
    _customer(session, given).phone = None


def _promise(session: Session, given: Portfolio) -> None:
    session.add(
        PromiseToPay(
            business_id=_customer(session, given).business_id,
            customer_id=given.customer_id,
            currency="ARS",
            due_on=date(2026, 3, 5),
            status="open",
            created_at=CYCLE,
        )
    )


def _invoice_on_hold(session: Session, given: Portfolio) -> None:
    _invoice(session, given).hold_until = date(2026, 3, 9)


def _case_paused(session: Session, given: Portfolio) -> None:
    case = session.scalars(
        select(Case).where(Case.customer_id == given.customer_id)
    ).one()
    case.paused_until = local_instant(date(2026, 3, 6), 0, AR_TZ)


SUPPRESSIONS = [
    ("zero_balance", _paid_in_full),
    ("pending_payment", _pending_payment),
    ("opted_out", _opted_out),
    ("open_dispute", _disputed),
    ("phone_missing", _phone_removed),
    ("phone_invalid", _phone_status(PhoneStatus.INVALID)),
    ("not_on_whatsapp", _phone_status(PhoneStatus.NOT_ON_WHATSAPP)),
]

# Each deferral names the instant the row moves to: the first allowed
# moment (a weekday, 09:00 to 20:00 in Buenos Aires) after the block ends.
DEFERRALS = [
    ("open_promise", _promise, local_instant(date(2026, 3, 6), 9, AR_TZ)),
    ("on_hold", _invoice_on_hold, local_instant(date(2026, 3, 10), 9, AR_TZ)),
    ("on_hold", _case_paused, local_instant(date(2026, 3, 6), 9, AR_TZ)),
]


def test_each_suppression_reason(engine: Engine) -> None:
    given = _given_portfolio(engine, len(SUPPRESSIONS))
    assert plan_only(engine, given[0].business_id, CYCLE) == len(SUPPRESSIONS)
    with transaction(engine) as session:
        for (_, change), customer in zip(SUPPRESSIONS, given, strict=True):
            change(session, customer)

    report = dispatch_only(engine, given[0].business_id, CYCLE)

    assert report.sent == 0
    assert report.suppressed == {reason: 1 for reason, _ in SUPPRESSIONS}
    for (reason, _), customer in zip(SUPPRESSIONS, given, strict=True):
        [row] = outbox_rows(engine, customer.customer_id)
        assert row.state == OutboxState.SUPPRESSED, reason
        assert row.suppressed_reason == reason
        assert ("message_suppressed", reason) in audit_kinds(engine, row.id)
        assert sandbox_texts(engine, customer.customer_id) == [], reason


def test_each_deferral_reason(engine: Engine) -> None:
    given = _given_portfolio(engine, len(DEFERRALS))
    plan_only(engine, given[0].business_id, CYCLE)
    with transaction(engine) as session:
        for (_, change, _), customer in zip(DEFERRALS, given, strict=True):
            change(session, customer)

    report = dispatch_only(engine, given[0].business_id, CYCLE)

    assert report.sent == 0
    assert report.deferred == {"open_promise": 1, "on_hold": 2}
    for (reason, _, until), customer in zip(DEFERRALS, given, strict=True):
        [row] = outbox_rows(engine, customer.customer_id)
        assert row.state == OutboxState.QUEUED, reason
        assert row.deferred_reason == reason
        assert row.planned_for == until, reason
        assert ("message_deferred", reason) in audit_kinds(engine, row.id)


def test_no_consent_suppresses(engine: Engine) -> None:
    given = _given_customer(engine, consent=False)

    plan_only(engine, given.business_id, CYCLE)

    report = dispatch_only(engine, given.business_id, CYCLE)

    assert report.sent == 0
    assert report.suppressed == {"no_consent": 1}
    assert sandbox_texts(engine, given.customer_id) == []


def test_evening_defers_to_next_morning(engine: Engine) -> None:
    given = _given_customer(engine)
    evening = local_instant(TUESDAY, 20, AR_TZ, minute=30)
    plan_only(engine, given.business_id, evening)

    report = dispatch_only(engine, given.business_id, evening)

    assert report.deferred == {"outside_contact_window": 1}
    [row] = outbox_rows(engine, given.customer_id)
    assert row.planned_for == local_instant(date(2026, 3, 4), 9, AR_TZ)


def test_saturday_defers_to_monday(engine: Engine) -> None:
    given = _given_customer(engine)
    saturday = local_instant(date(2026, 3, 7), 10, AR_TZ)
    plan_only(engine, given.business_id, saturday)

    report = dispatch_only(engine, given.business_id, saturday)

    assert report.deferred == {"day_not_allowed": 1}
    [row] = outbox_rows(engine, given.customer_id)
    assert row.planned_for == local_instant(date(2026, 3, 9), 9, AR_TZ)


def test_deferred_row_sent_when_due(engine: Engine) -> None:
    given = _given_customer(engine)
    with transaction(engine) as session:
        _promise(session, given)
    plan_only(engine, given.business_id, CYCLE)
    dispatch_only(engine, given.business_id, CYCLE)

    friday = local_instant(date(2026, 3, 6), 10, AR_TZ)
    report = dispatch_only(engine, given.business_id, friday)

    assert report.sent == 1
    [row] = outbox_rows(engine, given.customer_id)
    assert row.state == OutboxState.SENT
    assert row.sent_at == friday
    assert len(sandbox_texts(engine, given.customer_id)) == 1


def test_tightened_daily_cap_defers(engine: Engine) -> None:
    given = _given_customer(engine)
    with transaction(engine) as session:
        business = session.get_one(Business, given.business_id)
        business.settings = {**business.settings, "compliance": {"max_per_day": 1}}
    plan_only(engine, given.business_id, CYCLE)
    with transaction(engine) as session:
        row = session.scalars(select(OutboxMessage)).one()
        session.add(
            OutboxMessage(
                business_id=row.business_id,
                case_id=row.case_id,
                customer_id=row.customer_id,
                channel="sandbox",
                step="promise_confirmation",
                step_kind="promise_confirmation",
                tone="friendly",
                locale="es_AR",
                variables={},
                document_ids=[],
                idempotency_key="earlier-today",
                state=OutboxState.SENT,
                planned_for=CYCLE - timedelta(hours=1),
                attempts=1,
                sent_at=CYCLE - timedelta(hours=1),
                created_at=CYCLE - timedelta(hours=1),
            )
        )

    report = dispatch_only(engine, given.business_id, CYCLE)

    assert report.deferred == {"daily_cap": 1}
    row = outbox_rows(engine, given.customer_id)[0]
    assert row.planned_for == local_instant(date(2026, 3, 4), 9, AR_TZ)
