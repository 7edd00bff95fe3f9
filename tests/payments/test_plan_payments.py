"""Payments recorded outside installment links pay the plan's installments."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from cobranza.db.models import (
    Business,
    Customer,
    InboundMedia,
    InboundMessage,
    Installment,
    InstallmentPlan,
    OutboxMessage,
)
from cobranza.payments import check_plans, create_plan, queue_installment_reminders
from cobranza.payments.manual import (
    accept_receipt,
    claim_receipt,
    import_payments,
    record_payment,
)
from cobranza.payments.plans import installment_target
from cobranza.payments.status import PaymentStatus
from tests.payments.conftest import NOW, World
from tests.payments.helpers import make_link, report

FIRST_DUE = date(2026, 3, 13)


def _create(world: World) -> int:
    """Create a plan of 3 × 500 at NOW, first due on FIRST_DUE."""
    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 3, NOW, first_due_on=FIRST_DUE)
        return plan.id


def _record(world: World, amount: str, hours: int = 1, reference: str = "") -> None:
    """Record a transfer by hand, as `cobranza payment add` does."""
    at = NOW + timedelta(hours=hours)
    with world.session() as session, session.begin():
        business = world.business(session)
        customer = session.get_one(Customer, world.customer_id)
        record_payment(
            session, business, customer, Decimal(amount), at, at,
            method="transferencia", reference=reference or None,
        )  # fmt: skip


def _statuses(world: World, plan_id: int) -> list[str]:
    with world.session() as session:
        return list(
            session.scalars(
                select(Installment.status)
                .where(Installment.plan_id == plan_id)
                .order_by(Installment.number)
            )
        )


def _plan_status(world: World, plan_id: int) -> str:
    with world.session() as session:
        return session.get_one(InstallmentPlan, plan_id).status


def test_manual_payment_pays_first_installment(world: World) -> None:
    plan_id = _create(world)

    _record(world, "500.00")

    assert _statuses(world, plan_id) == ["paid", "pending", "pending"]
    assert _plan_status(world, plan_id) == "active"
    assert world.open_amounts()[world.old_invoice_id] == Decimal("500")


def test_larger_payment_covers_next_installments(world: World) -> None:
    plan_id = _create(world)

    _record(world, "1200.00")

    assert _statuses(world, plan_id) == ["paid", "paid", "pending"]
    with world.session() as session:
        target = installment_target(session, world.case(session))
    assert target is not None
    assert target.amount == Decimal("300.00")


def test_partial_payment_leaves_rest_due(world: World) -> None:
    plan_id = _create(world)

    _record(world, "300.00")
    link = make_link(world)

    assert _statuses(world, plan_id) == ["pending", "pending", "pending"]
    assert link.purpose == "installment"
    assert link.amount == Decimal("200.00")

    report(world, link.id, PaymentStatus.APPROVED, "200.00")

    assert _statuses(world, plan_id) == ["paid", "pending", "pending"]


def test_link_payment_not_counted_twice(world: World) -> None:
    plan_id = _create(world)
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "500.00")

    _record(world, "500.00")

    assert _statuses(world, plan_id) == ["paid", "paid", "pending"]


def test_stale_link_pays_next_installment(world: World) -> None:
    plan_id = _create(world)
    first_link = make_link(world)
    _record(world, "500.00")

    report(world, first_link.id, PaymentStatus.APPROVED, "500.00")

    assert _statuses(world, plan_id) == ["paid", "paid", "pending"]


def test_manual_payments_complete_plan(world: World) -> None:
    plan_id = _create(world)

    _record(world, "500.00", hours=1)
    _record(world, "1000.00", hours=2)

    assert _statuses(world, plan_id) == ["paid", "paid", "paid"]
    assert _plan_status(world, plan_id) == "completed"
    assert world.case_row().close_reason == "paid"


def test_payment_before_plan_not_counted(world: World) -> None:
    _record(world, "300.00", hours=-1)

    plan_id = _create(world)

    # The plan split the 1200 left after that payment: 400 each.
    assert _statuses(world, plan_id) == ["pending", "pending", "pending"]
    with world.session() as session:
        amounts = session.scalars(
            select(Installment.amount).where(Installment.plan_id == plan_id)
        ).all()
    assert amounts == [Decimal("400"), Decimal("400"), Decimal("400")]


def test_paid_installment_not_reminded_or_broken(world: World) -> None:
    plan_id = _create(world)
    _record(world, "500.00")

    for offset in range(0, 10):
        now = NOW + timedelta(days=offset)
        with world.session() as session, session.begin():
            business = session.get_one(Business, world.business_id)
            broken = check_plans(session, business, now)
            queue_installment_reminders(session, business, now)
        assert broken == []

    assert _plan_status(world, plan_id) == "active"
    with world.session() as session:
        steps = session.scalars(select(OutboxMessage.step)).all()
        first_id = session.scalars(
            select(Installment.id).where(
                Installment.plan_id == plan_id, Installment.number == 1
            )
        ).one()
    assert not [step for step in steps if step.startswith(f"installment:{first_id}:")]


def test_queued_reminder_of_paid_installment_dropped(world: World) -> None:
    plan_id = _create(world)
    reminder_day = NOW + timedelta(days=(FIRST_DUE - NOW.date()).days)
    with world.session() as session, session.begin():
        business = session.get_one(Business, world.business_id)
        queued = queue_installment_reminders(session, business, reminder_day)

    _record(world, "500.00", hours=(reminder_day - NOW).days * 24 + 1)

    assert queued == 1
    with world.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.step_kind == "installment_due_today"
    assert row.state == "suppressed"
    assert row.suppressed_reason == "paid"
    assert _statuses(world, plan_id) == ["paid", "pending", "pending"]


def test_refunded_payment_not_counted(world: World) -> None:
    plan_id = _create(world)
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "500.00", payment_id="sbx-1")
    report(world, link.id, PaymentStatus.REFUNDED, "500.00", payment_id="sbx-1")

    _record(world, "500.00")

    # The refund leaves installment 1 paid (a person decides about the plan),
    # and the refunded money no longer counts, so the transfer pays nothing more.
    assert _statuses(world, plan_id) == ["paid", "pending", "pending"]


def _claim_receipt(world: World, at: datetime) -> int:
    """Store a receipt the customer sent at `at`, as a pending payment."""
    with world.session() as session, session.begin():
        message = InboundMessage(
            business_id=world.business_id,
            customer_id=world.customer_id,
            channel="whatsapp",
            provider="whatsapp",
            provider_message_id="wamid.receipt",
            sender="5491155550001",
            type="image",
            received_at=at,
            entities={},
        )
        session.add(message)
        session.flush()
        media = InboundMedia(
            business_id=world.business_id,
            inbound_message_id=message.id,
            provider="whatsapp",
            media_id="media-receipt",
            mime_type="image/jpeg",
        )
        session.add(media)
        session.flush()
        claim_receipt(session, world.business_id, media.id, at)
        return media.id


def test_receipt_sent_before_plan_accepted_after(world: World) -> None:
    media_id = _claim_receipt(world, NOW - timedelta(hours=1))
    plan_id = _create(world)

    with world.session() as session, session.begin():
        accept_receipt(
            session,
            world.business_id,
            media_id,
            Decimal("500.00"),
            NOW + timedelta(hours=1),
            "ana",
        )

    assert _statuses(world, plan_id) == ["paid", "pending", "pending"]


def test_imported_payment_pays_installment(world: World, tmp_path: Path) -> None:
    plan_id = _create(world)
    path = tmp_path / "pagos.csv"
    path.write_text("cliente,monto,fecha,medio\nC1,500.00,2026-03-10,pix\n")

    with world.session() as session, session.begin():
        imported = import_payments(
            session, world.business(session), path, NOW + timedelta(hours=1)
        )

    assert imported.errors == []
    assert imported.applied == 1
    assert _statuses(world, plan_id) == ["paid", "pending", "pending"]
