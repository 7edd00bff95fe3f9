"""Reconciliation: statuses applied once, in any order, on both databases."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update

from cobranza.db.models import Case, Document, PaymentLink
from cobranza.payments.status import PaymentStatus
from tests.payments.conftest import NOW, World, build_world
from tests.payments.helpers import make_link, report


def test_approved_pays_oldest_first_and_thanks_once(world: World) -> None:
    link = make_link(world)

    result = report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    assert result.changed
    assert result.case_closed
    assert world.open_amounts() == {
        world.old_invoice_id: Decimal("0.0000"),
        world.new_invoice_id: Decimal("0.0000"),
    }
    case = world.case_row()
    assert case.state == "closed"
    assert case.close_reason == "paid"
    assert case.step is None
    assert case.planned_step is None
    thanks = world.thanks()
    assert len(thanks) == 1
    assert thanks[0].variables["paid_amount"] == "1500.0000"
    assert world.link(link.id).status == "paid"
    assert "case_closed" in world.audit_kinds()


def test_duplicate_notification_applies_once(world: World) -> None:
    link = make_link(world)

    first = report(world, link.id, PaymentStatus.APPROVED, "1500.00")
    second = report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    assert first.changed
    assert not second.changed
    assert len(world.payments()) == 1
    assert len(world.thanks()) == 1


def test_pending_then_approved(world: World) -> None:
    link = make_link(world)

    pending = report(world, link.id, PaymentStatus.PENDING, "1500.00")
    payments_while_pending = world.payments()
    approved = report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    assert pending.changed
    assert payments_while_pending[0].status == "pending"
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")
    assert approved.previous == PaymentStatus.PENDING
    assert world.case_row().close_reason == "paid"


def test_approved_then_pending_is_ignored(world: World) -> None:
    link = make_link(world)

    report(world, link.id, PaymentStatus.APPROVED, "1500.00")
    late = report(world, link.id, PaymentStatus.PENDING, "1500.00")

    assert not late.changed
    assert world.payments()[0].status == "approved"


def test_rejected_leaves_balance_open(world: World) -> None:
    link = make_link(world)

    report(world, link.id, PaymentStatus.PENDING, "1500.00")
    rejected = report(world, link.id, PaymentStatus.REJECTED, "1500.00")

    assert rejected.changed
    assert world.open_amounts()[world.old_invoice_id] == Decimal("1000")
    assert world.case_row().closed_at is None


def test_refund_reopens_case(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    refunded = report(world, link.id, PaymentStatus.REFUNDED, "1500.00")

    assert refunded.previous == PaymentStatus.APPROVED
    assert world.open_amounts()[world.old_invoice_id] == Decimal("1000")
    assert world.open_amounts()[world.new_invoice_id] == Decimal("500")
    case = world.case_row()
    assert case.closed_at is None
    assert case.state == "open"
    assert world.link(link.id).status == "superseded"


def test_chargeback_hands_off(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    report(world, link.id, PaymentStatus.CHARGED_BACK, "1500.00")

    case = world.case_row()
    assert case.closed_at is None
    assert case.state == "handed_off"
    assert case.handoff_reason == "payment_charged_back"
    assert case.handed_off_at is not None
    assert world.open_amounts()[world.old_invoice_id] == Decimal("1000")
    assert "case_handed_off" in world.audit_kinds()


def test_dispute_after_refund_changes_nothing(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")
    report(world, link.id, PaymentStatus.REFUNDED, "1500.00")
    with world.session() as session, session.begin():
        session.execute(
            update(Case)
            .where(Case.id == world.case_id)
            .values(state="closed", closed_at=NOW, close_reason="owner")
        )

    late = report(world, link.id, PaymentStatus.CHARGED_BACK, "1500.00")

    assert not late.changed
    assert world.case_row().close_reason == "owner"
    assert "case_handed_off" not in world.audit_kinds()


def test_in_mediation_hands_off_keeping_allocation(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")

    report(world, link.id, PaymentStatus.IN_MEDIATION, "1500.00")

    assert world.case_row().state == "handed_off"
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")


def test_partial_payment_leaves_remainder(world: World) -> None:
    link = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == link.id)
            .values(amount=Decimal("1200.00"))
        )

    result = report(world, link.id, PaymentStatus.APPROVED, "1200.00")

    assert result.allocated_document_ids == [world.old_invoice_id, world.new_invoice_id]
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")
    assert world.open_amounts()[world.new_invoice_id] == Decimal("300")
    assert world.case_row().closed_at is None
    assert world.thanks() == []
    assert world.link(link.id).status == "paid"


def test_overpayment_becomes_credit(world: World) -> None:
    link = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == link.id)
            .values(amount=Decimal("1800.00"))
        )

    report(world, link.id, PaymentStatus.APPROVED, "1800.00")

    payment = world.payments()[0]
    assert payment.unallocated == Decimal("300")
    assert world.case_row().close_reason == "paid"


def test_amount_mismatch_not_applied(world: World) -> None:
    link = make_link(world)

    result = report(world, link.id, PaymentStatus.APPROVED, "10.00")

    assert result.mismatch == "amount"
    assert world.payments() == []
    assert world.case_row().state == "handed_off"
    assert "payment_mismatch" in world.audit_kinds()


def test_currency_mismatch_not_applied(world: World) -> None:
    link = make_link(world)

    result = report(world, link.id, PaymentStatus.APPROVED, "1500.00", currency="USD")

    assert result.mismatch == "currency"
    assert world.payments() == []


def test_unknown_link_ignored(world: World) -> None:
    result = report(world, 999_999, PaymentStatus.APPROVED, "1500.00")

    assert result.mismatch == "unknown_link"
    assert world.payments() == []


def test_late_approval_of_superseded_link(world: World) -> None:
    old_link = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(Document)
            .where(Document.id == world.new_invoice_id)
            .values(open_amount=Decimal("400.00"))
        )
    new_link = make_link(world, now=NOW + timedelta(days=9))

    result = report(world, old_link.id, PaymentStatus.APPROVED, "1500.00")

    assert new_link.id != old_link.id
    assert world.link(old_link.id).status == "paid"
    assert result.changed
    assert world.payments()[0].unallocated == Decimal("100")
    assert world.case_row().close_reason == "paid"


@pytest.mark.postgres
def test_parallel_duplicates_apply_once(db_url: str, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers, so the race needs PostgreSQL")
    world = build_world(engine)
    link = make_link(world)
    barrier = threading.Barrier(6)
    results = []
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            barrier.wait()
            results.append(report(world, link.id, PaymentStatus.APPROVED, "1500.00"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=apply) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(result.changed for result in results) == 1
    assert len(world.payments()) == 1
    assert len(world.thanks()) == 1
    assert world.open_amounts()[world.old_invoice_id] == Decimal("0")


@pytest.mark.postgres
def test_parallel_duplicate_events_stored_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers, so the race needs PostgreSQL")
    from cobranza.db.engine import transaction
    from cobranza.payments import inbox

    barrier = threading.Barrier(6)
    ids: list[int | None] = []
    errors: list[BaseException] = []

    def store() -> None:
        try:
            barrier.wait()
            with transaction(engine) as session:
                ids.append(
                    inbox.store_event(session, "stripe", "event:evt_1", b"{}", {}, NOW)
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len([event_id for event_id in ids if event_id is not None]) == 1
    assert ids.count(None) == 5


def test_paid_case_waits_for_nobody(world: World) -> None:
    with world.session() as session, session.begin():
        session.execute(
            update(Case)
            .where(Case.id == world.case_id)
            .values(handoff_reason="payment_to_verify", handed_off_at=NOW)
        )
    link = make_link(world)

    report(world, link.id, PaymentStatus.APPROVED, "1500.00")
    closed = world.case_row()
    report(world, link.id, PaymentStatus.REFUNDED, "1500.00")
    reopened = world.case_row()

    assert closed.closed_at is not None
    assert closed.handoff_reason is None
    assert reopened.closed_at is None
    assert reopened.handoff_reason is None


def test_refund_keeps_case_with_person(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")
    with world.session() as session, session.begin():
        waiting = Case(
            business_id=world.business_id,
            customer_id=world.customer_id,
            state="handed_off",
            handoff_reason="request_human",
            handed_off_at=NOW,
            opened_at=NOW,
        )
        session.add(waiting)
        session.flush()
        waiting_id = waiting.id

    report(world, link.id, PaymentStatus.REFUNDED, "1500.00")

    with world.session() as session:
        case = session.get_one(Case, waiting_id)
        assert case.state == "handed_off"
        assert case.handoff_reason == "request_human"


def test_payment_problem_replaces_reason_keeps_place(world: World) -> None:
    link = make_link(world)
    waited_since = NOW - timedelta(days=2)
    with world.session() as session, session.begin():
        session.execute(
            update(Case)
            .where(Case.id == world.case_id)
            .values(
                state="handed_off",
                handoff_reason="dispute",
                handed_off_at=waited_since,
            )
        )

    report(world, link.id, PaymentStatus.IN_MEDIATION, "1500.00")

    case = world.case_row()
    assert case.state == "handed_off"
    assert case.handoff_reason == "payment_in_mediation"
    assert case.handed_off_at.replace(tzinfo=None) == waited_since.replace(tzinfo=None)
    assert "case_handed_off" in world.audit_kinds()


def test_payment_problem_on_verified_case_names_it(world: World) -> None:
    link = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(Case)
            .where(Case.id == world.case_id)
            .values(handoff_reason="payment_to_verify", handed_off_at=NOW)
        )

    report(world, link.id, PaymentStatus.IN_MEDIATION, "1500.00")

    case = world.case_row()
    assert case.state == "handed_off"
    assert case.handoff_reason == "payment_in_mediation"


def test_hand_off_time_in_utc(world: World) -> None:
    link = make_link(world)
    local_now = NOW.astimezone(ZoneInfo("America/Sao_Paulo"))

    report(world, link.id, PaymentStatus.IN_MEDIATION, "1500.00", now=local_now)

    handed_off_at = world.case_row().handed_off_at
    assert handed_off_at.replace(tzinfo=UTC) == NOW
