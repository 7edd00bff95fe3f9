"""Installment plans: terms within limits, kept and broken plans."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from cobranza.compliance import rules_for_business
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    Installment,
    InstallmentPlan,
)
from cobranza.payments import check_plans, create_plan, plan_terms
from cobranza.payments.errors import PlanError
from cobranza.payments.plans import InstallmentLimits, limits_for, plan_due_dates
from cobranza.payments.status import PaymentStatus
from tests.channels.factories import make_document
from tests.payments.conftest import NOW, World
from tests.payments.helpers import make_link, report


def test_terms_split_evenly_with_remainder_first() -> None:
    terms = plan_terms(
        Decimal("1000.00"), "ARS", 3, date(2026, 3, 10), InstallmentLimits()
    )

    assert terms.amounts == (Decimal("333.34"), Decimal("333.33"), Decimal("333.33"))
    assert sum(terms.amounts) == Decimal("1000.00")
    assert terms.due_dates == (date(2026, 3, 10), date(2026, 4, 9), date(2026, 5, 9))


def test_terms_whole_pesos_for_clp() -> None:
    terms = plan_terms(
        Decimal("100000"), "CLP", 3, date(2026, 3, 10), InstallmentLimits()
    )

    assert terms.amounts == (Decimal("33334"), Decimal("33333"), Decimal("33333"))


def test_terms_respect_down_payment() -> None:
    limits = InstallmentLimits(min_down_payment_percent=Decimal(50))

    terms = plan_terms(Decimal("1000.00"), "ARS", 3, date(2026, 3, 10), limits)

    assert terms.amounts == (Decimal("500.00"), Decimal("250.00"), Decimal("250.00"))


def test_terms_show_configured_fee() -> None:
    limits = InstallmentLimits(fee_percent=Decimal(10))

    terms = plan_terms(Decimal("1000.00"), "ARS", 2, date(2026, 3, 10), limits)

    assert terms.fee == Decimal("100.00")
    assert terms.total == Decimal("1100.00")
    assert sum(terms.amounts) == Decimal("1100.00")


@pytest.mark.parametrize(
    ("count", "limits"),
    [
        (1, InstallmentLimits()),
        (7, InstallmentLimits()),
        (4, InstallmentLimits(min_installment=Decimal(300))),
    ],
)
def test_terms_outside_limits(count: int, limits: InstallmentLimits) -> None:
    with pytest.raises(PlanError):
        plan_terms(Decimal("1000.00"), "ARS", count, date(2026, 3, 10), limits)


def _create(
    world: World, n: int = 3, first_due_on: date | None = date(2026, 3, 10)
) -> int:
    """Create a plan at NOW; `first_due_on=None` takes the business's default."""
    with world.session() as session, session.begin():
        plan = create_plan(
            session, world.case(session), n, NOW, first_due_on=first_due_on
        )
        return plan.id


def _installments(world: World, plan_id: int) -> list[Installment]:
    with world.session() as session:
        return list(
            session.scalars(
                select(Installment)
                .where(Installment.plan_id == plan_id)
                .order_by(Installment.number)
            )
        )


def test_plan_pauses_case_and_links_first_installment(world: World) -> None:
    plan_id = _create(world)

    link = make_link(world)

    case = world.case_row()
    assert case.state == "paused"
    assert case.pause_reason == f"installment plan {plan_id}"
    assert link.purpose == "installment"
    assert link.amount == Decimal("500.00")
    assert link.installment_id == _installments(world, plan_id)[0].id


def test_second_active_plan_rejected(world: World) -> None:
    _create(world)

    with pytest.raises(PlanError, match="already has an active"):
        _create(world)


def test_plan_in_two_currencies_rejected(world: World) -> None:
    with world.session() as session, session.begin():
        customer = session.get_one(Customer, world.customer_id)
        make_document(
            session, customer, NOW, "U-0001", "300.00", date(2026, 2, 15),
            currency="USD",
        )  # fmt: skip

    with pytest.raises(PlanError, match="owes in ARS, USD") as raised:
        _create(world)

    assert raised.value.code == "plan_several_currencies"
    with world.session() as session:
        assert session.scalars(select(InstallmentPlan)).all() == []


def test_plan_kept_closes_case(world: World) -> None:
    plan_id = _create(world)

    for number in range(3):
        link = make_link(world)
        report(
            world,
            link.id,
            PaymentStatus.APPROVED,
            str(link.amount),
            payment_id=f"sbx-{number}",
        )

    assert [item.status for item in _installments(world, plan_id)] == ["paid"] * 3
    with world.session() as session:
        assert session.get_one(InstallmentPlan, plan_id).status == "completed"
    assert world.case_row().close_reason == "paid"
    assert len(world.thanks()) == 1


def test_plan_broken_resumes_case(world: World) -> None:
    plan_id = _create(world)
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "500.00")
    second_due = _installments(world, plan_id)[1].due_on
    later = NOW + timedelta(days=(second_due - date(2026, 3, 10)).days + 4)

    with world.session() as session, session.begin():
        broken = check_plans(
            session, session.get_one(Business, world.business_id), later
        )

    assert broken == [plan_id]
    statuses = [item.status for item in _installments(world, plan_id)]
    assert statuses == ["paid", "missed", "pending"]
    case = world.case_row()
    assert case.state == "open"
    assert case.paused_until is None
    assert world.open_amounts()[world.new_invoice_id] == Decimal("500")
    assert make_link(world, now=later).purpose == "balance"


def test_plan_within_grace_not_broken(world: World) -> None:
    plan_id = _create(world)
    first_due = _installments(world, plan_id)[0].due_on
    with world.session() as session, session.begin():
        session.execute(
            update(Installment)
            .where(Installment.plan_id == plan_id, Installment.number == 1)
            .values(due_on=first_due)
        )
        broken = check_plans(
            session,
            session.get_one(Business, world.business_id),
            NOW + timedelta(days=3),
        )

    assert broken == []


def test_plan_with_fee_needs_acceptance(world: World) -> None:
    with world.session() as session, session.begin():
        business = world.business(session)
        business.settings = {"installments": {"fee_percent": 10}}

    with pytest.raises(PlanError, match="adds a fee of 150.00 ARS"):
        _create(world)
    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 3, NOW, fee_accepted=True)
        total = plan.total

    assert total == Decimal("1650.00")


def test_installment_reminder_sent_while_case_paused(world: World) -> None:
    from cobranza.channels.dispatcher import Dispatcher
    from cobranza.channels.sandbox import SandboxChannel
    from cobranza.db.models import SandboxMessage
    from cobranza.payments import link_for_outbox_row, queue_installment_reminders

    _create(world)
    with world.session() as session, session.begin():
        business = session.get_one(Business, world.business_id)
        queued = queue_installment_reminders(session, business, NOW)
        again = queue_installment_reminders(session, business, NOW)
    channel = SandboxChannel(world.engine, clock=lambda: NOW)
    dispatcher = Dispatcher(
        world.engine, {channel.name: channel}, link_builder=link_for_outbox_row
    )

    result = dispatcher.run(world.business_id, NOW)

    assert queued == 1
    assert again == 0
    assert result.sent == 1
    with world.session() as session:
        text = session.scalars(select(SandboxMessage.text)).one()
    assert "$ 500,00" in text
    assert "/pagar/" in text
    assert world.case_row().state == "paused"


def test_installment_reminders_name_installment(world: World) -> None:
    from cobranza.db.models import OutboxMessage, PaymentLink, SandboxMessage
    from cobranza.jobs.cycle import run_cycle

    plan_id = _create(world)
    run_cycle(world.engine, world.business_id, NOW)
    with world.session() as session:
        first_link = session.scalars(
            select(PaymentLink).where(PaymentLink.installment_id.is_not(None))
        ).one()
    report(world, first_link.id, PaymentStatus.APPROVED, "500.00")
    before_second = NOW + timedelta(days=28)

    run_cycle(world.engine, world.business_id, before_second)

    with world.session() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        texts = list(
            session.scalars(select(SandboxMessage.text).order_by(SandboxMessage.id))
        )
        second_link = session.scalars(
            select(PaymentLink).where(
                PaymentLink.installment_id == _installments(world, plan_id)[1].id
            )
        ).one()
    kinds = [row.step_kind for row in rows if row.step_kind != "payment_thanks"]
    assert kinds == ["installment_due_today", "installment_preventive"]
    assert len(texts) == 2
    assert "hoy, 10 de marzo, vence la cuota 1 de 3 de tu plan, de $ 500,00" in texts[0]
    assert first_link.token in texts[0]
    assert "la cuota 2 de 3 de tu plan, de $ 500,00, vence el 9 de abril" in texts[1]
    assert second_link.token in texts[1]
    assert "tu saldo" not in texts[1]


def test_overdue_installment_reminded_once(world: World) -> None:
    from cobranza.db.models import OutboxMessage, SandboxMessage
    from cobranza.jobs.cycle import run_cycle

    # given: the first installment, due on 10 March, is not paid
    _create(world)
    run_cycle(world.engine, world.business_id, NOW)

    # when: the cycle runs on the next two days, still within the grace
    run_cycle(world.engine, world.business_id, NOW + timedelta(days=1))
    run_cycle(world.engine, world.business_id, NOW + timedelta(days=2))

    # then: one reminder on the due date and one the day after
    with world.session() as session:
        kinds = list(
            session.scalars(select(OutboxMessage.step_kind).order_by(OutboxMessage.id))
        )
        texts = list(
            session.scalars(select(SandboxMessage.text).order_by(SandboxMessage.id))
        )
    assert kinds == ["installment_due_today", "installment_overdue"]
    assert "venció el 10 de marzo" in texts[1]
    assert "/pagar/" in texts[1]


def test_default_first_due_three_days_later(world: World) -> None:
    # given: no first due date, on Tuesday 10 March

    # when
    plan_id = _create(world, first_due_on=None)

    # then: 13 March; 30 days later is Sunday 12 April, when no message may go
    due_dates = [item.due_on for item in _installments(world, plan_id)]
    assert due_dates == [date(2026, 3, 13), date(2026, 4, 13), date(2026, 5, 12)]


def test_first_due_moves_to_contact_day(world: World) -> None:
    with world.session() as session, session.begin():
        world.business(session).settings = {"installments": {"first_due_days": 5}}

    plan_id = _create(world, first_due_on=None)

    # 10 March + 5 days is Sunday 15 March, so Monday 16 March.
    assert _installments(world, plan_id)[0].due_on == date(2026, 3, 16)


@pytest.mark.parametrize("value", [0, 2, "tres"])
def test_limits_reject_first_due_days(value: object) -> None:
    business = Business(id=7, settings={"installments": {"first_due_days": value}})

    with pytest.raises(PlanError, match="invalid"):
        limits_for(business)


def test_broken_plan_audit_names_customer(world: World) -> None:
    plan_id = _create(world)
    later = NOW + timedelta(days=10)

    with world.session() as session, session.begin():
        check_plans(session, session.get_one(Business, world.business_id), later)

    with world.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "plan_broken")
        ).one()
        customer_id = session.get_one(InstallmentPlan, plan_id).customer_id
    assert event.subject_id == plan_id
    assert event.details["customer_id"] == customer_id


AR_RULES = rules_for_business("AR", {})
# The business's schedule of a plan requested on Wednesday 9 December 2026:
# Saturday 12 December moves to Monday 14, and 30 days later is 13 January.
BUSINESS_FIRST = date(2026, 12, 14)


@pytest.mark.parametrize(
    ("count", "named", "expected"),
    [
        # The days named, in order.
        (2, (date(2026, 12, 11), date(2026, 12, 31)), ((12, 11), (12, 31))),
        # No day named: the business's schedule.
        (2, (), ((12, 14), (1, 13))),
        # One day named: the rest every 30 days from it.
        (2, (date(2026, 12, 11),), ((12, 11), (1, 11))),
        # More installments than days: the third 30 days after the second.
        (
            3,
            (date(2026, 12, 11), date(2026, 12, 21)),
            ((12, 11), (12, 21), (1, 20)),
        ),
        # The second day ends the plan after 13 January: the first stays and
        # the second is 30 days later (Sunday 10 January, moved to Monday).
        (2, (date(2026, 12, 11), date(2027, 3, 15)), ((12, 11), (1, 11))),
        # Even the first day named leaves no room: the business's schedule.
        (2, (date(2027, 1, 20), date(2027, 2, 20)), ((12, 14), (1, 13))),
        # Sunday 13 December moves to Monday 14.
        (2, (date(2026, 12, 13), date(2026, 12, 31)), ((12, 14), (12, 31))),
        # Saturday and Sunday both move to Monday, so the second falls back.
        (2, (date(2026, 12, 12), date(2026, 12, 13)), ((12, 14), (1, 13))),
    ],
)
def test_due_dates_follow_named_days(
    count: int, named: tuple[date, ...], expected: tuple[tuple[int, int], ...]
) -> None:
    dates = plan_due_dates(count, BUSINESS_FIRST, InstallmentLimits(), AR_RULES, named)

    assert [(day.month, day.day) for day in dates] == list(expected)


def test_terms_follow_named_days() -> None:
    terms = plan_terms(
        Decimal("148075.26"),
        "ARS",
        2,
        BUSINESS_FIRST,
        InstallmentLimits(),
        rules=AR_RULES,
        named_days=(date(2026, 12, 11), date(2026, 12, 31)),
    )

    assert terms.amounts == (Decimal("74037.63"), Decimal("74037.63"))
    assert terms.due_dates == (date(2026, 12, 11), date(2026, 12, 31))


def test_named_days_keep_min_installment() -> None:
    limits = InstallmentLimits(min_installment=Decimal(600))

    with pytest.raises(PlanError, match="minimum"):
        plan_terms(
            Decimal("1000.00"),
            "ARS",
            2,
            BUSINESS_FIRST,
            limits,
            named_days=(date(2026, 12, 11), date(2026, 12, 31)),
        )


def test_plan_on_named_days(world: World) -> None:
    # given: on Tuesday 10 March the customer names Thursday 12 and Tuesday 31
    named = (date(2026, 3, 12), date(2026, 3, 31))

    # when
    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 2, NOW, named_days=named)
        plan_id = plan.id

    # then
    due_dates = [item.due_on for item in _installments(world, plan_id)]
    assert due_dates == list(named)


def test_named_day_in_past_ignored(world: World) -> None:
    # given: Monday 9 March is gone on Tuesday 10 March
    named = (date(2026, 3, 9), date(2026, 3, 31))

    # when
    with world.session() as session, session.begin():
        plan = create_plan(session, world.case(session), 2, NOW, named_days=named)
        plan_id = plan.id

    # then: the business's schedule, as in test_default_first_due_three_days_later
    due_dates = [item.due_on for item in _installments(world, plan_id)]
    assert due_dates == [date(2026, 3, 13), date(2026, 4, 13)]


def test_no_early_reminder_on_plan_day(world: World) -> None:
    from cobranza.db.models import OutboxMessage
    from cobranza.payments import queue_installment_reminders

    # given: a plan made on Tuesday 10 March whose first installment the
    # customer put on Thursday 12, two days later
    named = (date(2026, 3, 12), date(2026, 3, 31))
    with world.session() as session, session.begin():
        create_plan(session, world.case(session), 2, NOW, named_days=named)

    # when: reminders are queued on the plan's day and on the due date
    with world.session() as session, session.begin():
        business = session.get_one(Business, world.business_id)
        on_plan_day = queue_installment_reminders(session, business, NOW)
        on_due_date = queue_installment_reminders(
            session, business, NOW + timedelta(days=2)
        )

    # then: the plan's own message stated the day, so only the due-date one
    assert on_plan_day == 0
    assert on_due_date == 1
    with world.session() as session:
        kinds = list(session.scalars(select(OutboxMessage.step_kind)))
    assert kinds == ["installment_due_today"]


def test_waiting_early_reminder_dropped_on_due_day(world: World) -> None:
    from cobranza.db.models import OutboxMessage, SandboxMessage
    from cobranza.jobs.cycle import run_cycle
    from cobranza.payments import queue_installment_reminders

    # Given the first installment falls due on Friday 13 March, and its early
    # reminder, queued on Wednesday, still waits (as one deferred past a
    # holiday does)
    plan_id = _create(world)
    due_on = NOW.date() + timedelta(days=3)
    with world.session() as session, session.begin():
        session.execute(
            update(Installment)
            .where(Installment.plan_id == plan_id, Installment.number == 1)
            .values(due_on=due_on)
        )
    with world.session() as session, session.begin():
        business = session.get_one(Business, world.business_id)
        assert queue_installment_reminders(session, business, NOW + timedelta(1)) == 1

    # When Friday's cycle runs
    run_cycle(world.engine, world.business_id, NOW + timedelta(days=3))

    # Then only the due-today reminder goes out, and the early one is dropped
    with world.session() as session:
        rows = {
            row.step_kind: row
            for row in session.scalars(
                select(OutboxMessage).where(OutboxMessage.step.like("installment:%"))
            )
        }
        texts = list(session.scalars(select(SandboxMessage.text)))
    assert rows["installment_preventive"].state == "suppressed"
    assert rows["installment_preventive"].suppressed_reason == "superseded"
    assert rows["installment_due_today"].state == "sent"
    assert len(texts) == 1
    assert "hoy, 13 de marzo, vence la cuota 1 de 3" in texts[0]


def test_due_today_reminder_dropped_after_due_day(world: World) -> None:
    from cobranza.db.models import OutboxMessage, SandboxMessage
    from cobranza.jobs.cycle import run_cycle
    from cobranza.payments import queue_installment_reminders

    # Given the first installment falls due on Friday 13 March and its
    # due-today reminder, queued that day, could not go out (the window had
    # closed, or the daily cap was reached)
    plan_id = _create(world, first_due_on=date(2026, 3, 13))
    with world.session() as session, session.begin():
        business = session.get_one(Business, world.business_id)
        friday = NOW + timedelta(days=3)
        assert queue_installment_reminders(session, business, friday) == 1

    # When Monday's cycle runs
    run_cycle(world.engine, world.business_id, NOW + timedelta(days=6))

    # Then the reminder is dropped: it would say "hoy, 13 de marzo" on the 16th
    with world.session() as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.step == f"installment:{_first_id(world, plan_id)}"
                ":due_today"
            )
        ).one()
        texts = list(session.scalars(select(SandboxMessage.text)))
    assert row.state == "suppressed"
    assert row.suppressed_reason == "due_date_passed"
    assert not any("hoy, 13 de marzo" in text for text in texts)


def _first_id(world: World, plan_id: int) -> int:
    return _installments(world, plan_id)[0].id
