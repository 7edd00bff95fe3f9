"""Policy reminders while a payment the customer reported waits for a person.

After the verification pause the reminders resume, but they must not ask
the customer to report the same payment again with «Ya pagué».
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import SentMessage, record_reply, sent_messages
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Case, Customer, OutboxMessage
from cobranza.dunning.owner_actions import resume_customer
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments.manual import record_payment
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+5491155550108"
# The policy steps of the default policy that this story reaches.
POLICY_STEPS = ("reminder_soft", "reminder_empathetic")


def ar(day: int, hour: int, minute: int = 0) -> datetime:
    """Return day `day` of December 2026 at hour:minute in Buenos Aires (UTC-3)."""
    return datetime(2026, 12, day, hour + 3, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


@pytest.fixture
def business_id(engine: Engine) -> int:
    """A business whose customer Ana owes $ 95.000,00, due on 1 December."""
    created = ar(1, 9)
    with transaction(engine) as session:
        business = make_business(session, created)
        customer = make_customer(session, business, created, "C-008", PHONE, name="Ana")
        make_document(
            session, customer, created, "A-0008", "95000.00", date(2026, 12, 1)
        )
        return business.id


def cycle(engine: Engine, business_id: int, at: datetime) -> list[SentMessage]:
    """Plan and dispatch at `at`; return the policy reminders sent then."""
    run_cycle(engine, business_id, at)
    with transaction(engine) as session:
        return [
            message
            for message in sent_messages(session, business_id)
            if message.sent_at == at and message.step in POLICY_STEPS
        ]


def reply(engine: Engine, business_id: int, text: str, at: datetime) -> None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        record_reply(session, business, PHONE, text, at)


def handoff_reason(engine: Engine) -> str | None:
    with transaction(engine) as session:
        return session.scalars(select(Case.handoff_reason)).one()


def test_reminder_acknowledges_reported_payment(
    engine: Engine, business_id: int
) -> None:
    # given: the first reminder on 2 December, and "ya pagué" on the 3rd,
    # which pauses the reminders until the 7th for a person to verify it
    first = cycle(engine, business_id, ar(2, 10))
    reply(engine, business_id, "ya pagué", ar(3, 11))

    # when: nobody verified the payment by the next step, due on the 8th
    # (a holiday in Argentina) and so sent on the 9th
    during_pause = cycle(engine, business_id, ar(5, 10))
    after_pause = cycle(engine, business_id, ar(9, 10))

    # then
    assert [message.step_kind for message in first] == ["reminder_soft"]
    assert "tocá «Ya pagué»" in first[0].text
    assert "Ya pagué" in first[0].buttons
    assert during_pause == []
    assert handoff_reason(engine) == "payment_to_verify"
    assert [message.step for message in after_pause] == ["reminder_empathetic"]
    assert after_pause[0].step_kind == "reminder_reported"
    text = after_pause[0].text
    assert "Estamos verificando el pago que nos informaste" in text
    assert "$ 95.000,00" in text
    assert "Ya pagué" not in text
    assert after_pause[0].buttons == ["Pagar", "Pedir cuotas"]


def test_cleared_report_restores_planned_reminder(
    engine: Engine, business_id: int
) -> None:
    # given: a reported payment on the 3rd, and the next step planned on the
    # 8th, a holiday in Argentina, so the gate defers it to the 9th
    cycle(engine, business_id, ar(2, 10))
    reply(engine, business_id, "ya pagué", ar(3, 11))
    holiday = cycle(engine, business_id, ar(8, 10))
    with transaction(engine) as session:
        deferred = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step == "reminder_empathetic")
        ).one()
        deferred_kind = deferred.step_kind

    # when: a person resumes the case before the row goes out
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        resume_customer(session, business_id, customer.id, ar(8, 12), "duenia")
    morning = cycle(engine, business_id, ar(9, 10))

    # then
    assert holiday == []
    assert deferred_kind == "reminder_reported"
    assert [message.step_kind for message in morning] == ["reminder_empathetic"]
    assert "Ya pagué" in morning[0].buttons
    assert "Estamos verificando" not in morning[0].text


def test_unreported_customer_keeps_paid_button(
    engine: Engine, business_id: int
) -> None:
    # when: the customer never reported a payment
    cycle(engine, business_id, ar(2, 10))
    sent = cycle(engine, business_id, ar(9, 10))

    # then
    assert handoff_reason(engine) is None
    assert [message.step_kind for message in sent] == ["reminder_empathetic"]
    assert "Ya pagué" in sent[0].buttons


def test_soft_reminder_not_asking_report(engine: Engine, business_id: int) -> None:
    # given: a business that pauses one day for a reported payment, and "ya
    # pagué" on the due date, Tuesday 1 December, which pauses the
    # reminders until the 3rd
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        business.settings = {**business.settings, "paid_pause_days": 1}
    cycle(engine, business_id, ar(1, 10))
    reply(engine, business_id, "ya pagué", ar(1, 11))

    # when: the soft reminder, due on the 2nd, goes out on the 3rd
    during_pause = cycle(engine, business_id, ar(2, 10))
    sent = cycle(engine, business_id, ar(3, 10))

    # then
    assert during_pause == []
    assert [message.step for message in sent] == ["reminder_soft"]
    assert sent[0].step_kind == "reminder_reported"
    assert "tocá «Ya pagué»" not in sent[0].text
    assert "Ya pagué" not in sent[0].buttons


def test_recorded_part_payment_ends_acknowledgement(
    engine: Engine, business_id: int
) -> None:
    # given: "ya pagué" on the 3rd, and on the 4th a person records the
    # $ 50.000,00 that arrived, dated the 2nd, before the report
    cycle(engine, business_id, ar(2, 10))
    reply(engine, business_id, "ya pagué", ar(3, 11))
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = session.scalars(select(Customer)).one()
        record_payment(
            session, business, customer, Decimal("50000.00"), ar(2, 18), ar(4, 12)
        )

    # when: the next step goes out on the 9th for what is left
    sent = cycle(engine, business_id, ar(9, 10))

    # then: the report was handled, so the reminder is the ordinary one
    assert [message.step for message in sent] == ["reminder_empathetic"]
    assert sent[0].step_kind == "reminder_empathetic"
    assert "Estamos verificando" not in sent[0].text
    assert "$ 45.000,00" in sent[0].text


def test_payment_before_report_keeps_acknowledgement(
    engine: Engine, business_id: int
) -> None:
    # given: a part payment recorded on the 2nd, then "ya pagué" on the 3rd
    # for the rest, which nobody has verified
    cycle(engine, business_id, ar(2, 10))
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        customer = session.scalars(select(Customer)).one()
        record_payment(
            session, business, customer, Decimal("50000.00"), ar(2, 18), ar(2, 18)
        )
    reply(engine, business_id, "ya pagué", ar(3, 11))

    # when
    sent = cycle(engine, business_id, ar(9, 10))

    # then
    assert [message.step_kind for message in sent] == ["reminder_reported"]
