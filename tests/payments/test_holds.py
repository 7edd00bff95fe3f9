"""Held invoices stay out of payment links and installment plans."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    CaseState,
    Customer,
    Installment,
    InstallmentPlan,
    OutboxMessage,
    OutboxState,
    PlanStatus,
)
from cobranza.dunning.holds import hold_invoices
from cobranza.payments import create_plan, open_link, queue_installment_reminders
from cobranza.payments.links import LinkContext, LinkState
from cobranza.payments.plans import REMINDER_DAYS_BEFORE
from cobranza.payments.sandbox import SandboxProvider
from tests.payments.conftest import NOW, World
from tests.payments.helpers import make_link

ACTOR = "owner:duenia@ejemplo.com"


def _hold(world: World, numbers: list[str]) -> None:
    """Hold the customer's invoices `numbers` (all when empty) with no end."""
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        hold_invoices(
            session, customer, numbers, None, "pasó al abogado", NOW.date(), NOW, ACTOR
        )


def test_link_amount_leaves_out_held(world: World) -> None:
    _hold(world, ["A-0001"])

    link = make_link(world)

    assert link.amount == 500
    assert link.document_ids == [world.new_invoice_id]


def test_link_under_review_when_all_held(world: World) -> None:
    # given: a link sent before a person held every invoice
    link = make_link(world)
    _hold(world, [])
    context = LinkContext(
        public_base_url="http://testserver",
        default_provider="sandbox",
        providers={"sandbox": SandboxProvider("http://testserver")},
    )

    # when
    with world.session() as session, session.begin():
        outcome = open_link(session, link.token, NOW, context)

    # then
    assert outcome.state is LinkState.UNDER_REVIEW


def test_plan_covers_only_collected(world: World) -> None:
    _hold(world, ["A-0001"])

    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 2, NOW)
        principal = plan.principal

    assert principal == 500


def test_hold_cancels_covering_plan(world: World) -> None:
    # given a plan over both invoices, with an installment reminder queued
    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 3, NOW)
        plan_id = plan.id
        first_due = min(item.due_on for item in _installments(session, plan_id))
    remind_on = datetime.combine(
        first_due - timedelta(days=REMINDER_DAYS_BEFORE), NOW.timetz()
    )
    with world.session() as session, session.begin():
        queue_installment_reminders(session, world.business(session), remind_on)

    # when a person puts one of its invoices on hold
    _hold(world, ["A-0001"])

    # then the plan is cancelled, its reminder dropped and the case resumed
    with world.session() as session:
        plan = session.get_one(InstallmentPlan, plan_id)
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step.like("installment:%"))
        ).all()
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "plan_cancelled")
        ).all()
        case = world.case(session)
        assert plan.status == PlanStatus.CANCELLED
        assert plan.closed_at is not None
        assert [row.state for row in rows] == [OutboxState.SUPPRESSED]
        assert rows[0].suppressed_reason == "invoice_held"
        assert [event.details["document_ids"] for event in events] == [
            [world.old_invoice_id]
        ]
        assert events[0].actor == ACTOR
        assert case.state == CaseState.OPEN
        assert case.paused_until is None


def test_hold_then_link_charges_the_rest(world: World) -> None:
    # given a plan over both invoices
    with world.session() as session, session.begin():
        create_plan(session, world.case(session), 3, NOW)

    # when one invoice is held
    _hold(world, ["A-0001"])

    # then the next link charges the invoice still collected, not an installment
    link = make_link(world)
    assert link.installment_id is None
    assert link.amount == 500
    assert link.document_ids == [world.new_invoice_id]


def test_hold_leaves_other_plans(world: World) -> None:
    # given a plan over the newer invoice only
    _hold(world, ["A-0001"])
    with world.session() as session, session.begin():
        plan_id = create_plan(session, world.case(session), 2, NOW).id

    # when the older invoice's hold is renewed
    _hold(world, ["A-0001"])

    # then the plan, which does not include it, goes on
    with world.session() as session:
        assert session.get_one(InstallmentPlan, plan_id).status == PlanStatus.ACTIVE


def _installments(session: Session, plan_id: int) -> list[Installment]:
    return list(
        session.scalars(select(Installment).where(Installment.plan_id == plan_id))
    )
