"""The broken-promise message after a partial payment or a reported payment.

A promise whose day passed without the whole amount is broken, but the
message must not deny money on record, nor ask a customer who reported a
payment to report it again.
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
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    OutboxMessage,
    OutboxState,
    PromiseStatus,
    PromiseToPay,
)
from cobranza.dunning.policy_loader import default_policy_path, load_policy
from cobranza.dunning.promises import check_promises
from cobranza.jobs import sandbox_dispatcher
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments.manual import MANUAL_PROVIDER, record_payment
from cobranza.payments.reconcile import apply_partial_refund
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+5491155550107"
BROKEN_KINDS = ("broken_promise", "broken_promise_partial", "broken_promise_reported")


def ar(day: int, hour: int, minute: int = 0) -> datetime:
    """Return day `day` of December 2026 at hour:minute in Buenos Aires (UTC-3)."""
    return datetime(2026, 12, day, hour + 3, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def given_case(engine: Engine) -> int:
    """Add a customer owing $ 95.000,00 since 1 December, with an open case."""
    opened = ar(16, 10)
    with transaction(engine) as session:
        business = make_business(session, opened)
        customer = make_customer(session, business, opened, "C-007", PHONE, name="Ana")
        make_document(
            session, customer, opened, "A-0007", "95000.00", date(2026, 12, 1)
        )
        case = Case(
            business_id=business.id,
            customer_id=customer.id,
            state=CaseState.OPEN,
            planned_step="second_notice",
            opened_at=opened,
        )
        session.add(case)
        session.flush()
        return case.id


def reply(engine: Engine, text: str, at: datetime) -> None:
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        record_reply(session, business, PHONE, text, at)


def pay(engine: Engine, amount: str, at: datetime) -> None:
    """Record a payment as `cobranza payment add` does."""
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        record_payment(session, business, customer, Decimal(amount), at, at)


def check(engine: Engine, at: datetime) -> list[int]:
    """Settle the promises due at `at`; return the ids of those broken."""
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        policy = load_policy(default_policy_path())
        return check_promises(session, business, at, policy).broken


def dispatch(engine: Engine, at: datetime) -> list[SentMessage]:
    """Run the sandbox dispatcher at `at`; return the broken-promise messages sent."""
    with transaction(engine) as session:
        business_id = session.scalars(select(Business.id)).one()
    sandbox_dispatcher(engine, at).run(business_id, at)
    with transaction(engine) as session:
        return [
            message
            for message in sent_messages(session, business_id)
            if message.sent_at == at and message.step_kind in BROKEN_KINDS
        ]


def broken_row(engine: Engine) -> OutboxMessage:
    with transaction(engine) as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step.like("broken_promise:%"))
        ).one()
        session.expunge(row)
        return row


def test_partial_payment_is_acknowledged(engine: Engine) -> None:
    # given: a promise of the whole $ 95.000 for Sunday 20 December
    given_case(engine)
    reply(engine, "te pago el domingo", ar(16, 11))

    # when: $ 50.000 arrive on Monday, and the promise is checked on Tuesday
    pay(engine, "50000", ar(21, 12))
    broken = check(engine, ar(22, 10))
    sent = dispatch(engine, ar(22, 10))

    # then
    assert len(broken) == 1
    assert [message.step_kind for message in sent] == ["broken_promise_partial"]
    text = sent[0].text
    assert "Recibimos $ 50.000,00, ¡gracias!" in text
    assert "prometido para el domingo 20 de diciembre faltan $ 45.000,00." in text
    assert "Tu saldo de $ 45.000,00 por 1 factura" in text
    assert "todavía no lo registramos" not in text
    assert "Ya pagué" not in sent[0].buttons


def test_partial_of_stated_amount(engine: Engine) -> None:
    # given: a promise of $ 60.000 out of the $ 95.000 owed
    given_case(engine)
    reply(engine, "te pago $ 60.000 el domingo", ar(16, 11))

    # when
    pay(engine, "20000", ar(21, 12))
    check(engine, ar(22, 10))
    sent = dispatch(engine, ar(22, 10))

    # then: what is left of the promise, and the balance apart
    text = sent[0].text
    assert "Recibimos $ 20.000,00" in text
    assert "faltan $ 40.000,00." in text
    assert "Tu saldo de $ 75.000,00" in text


def test_payment_while_message_waits(engine: Engine) -> None:
    # given: the promise for Friday 18 is broken on Sunday 20, and the
    # message waits for Monday because Sundays are not allowed
    given_case(engine)
    reply(engine, "te pago el viernes", ar(16, 11))
    check(engine, ar(20, 10))
    waiting = dispatch(engine, ar(20, 10))

    # when: $ 30.000 arrive on Sunday evening
    pay(engine, "30000", ar(20, 18))
    sent = dispatch(engine, ar(21, 9, 5))

    # then
    assert waiting == []
    assert [message.step_kind for message in sent] == ["broken_promise_partial"]
    assert "Recibimos $ 30.000,00" in sent[0].text
    assert "faltan $ 65.000,00." in sent[0].text
    assert broken_row(engine).variables["paid_amount"] == "30000.0000"


def test_promise_paid_late_is_suppressed(engine: Engine) -> None:
    # given: a promise of $ 30.000 for Friday, broken on Sunday
    given_case(engine)
    reply(engine, "te pago $ 30.000 el viernes", ar(16, 11))
    check(engine, ar(20, 10))

    # when: the $ 30.000 arrive before the message goes out
    pay(engine, "30000", ar(20, 18))
    sent = dispatch(engine, ar(21, 9, 5))

    # then
    row = broken_row(engine)
    assert sent == []
    assert row.state == OutboxState.SUPPRESSED
    assert row.suppressed_reason == "promise_paid"


def test_reported_payment_is_not_asked_again(engine: Engine) -> None:
    # given: a promise for Friday 18, and "ya transferí" that afternoon,
    # which pauses the reminders until Tuesday 22 for a person to verify
    case_id = given_case(engine)
    reply(engine, "te pago el viernes", ar(16, 11))
    reply(engine, "ya transferí", ar(18, 15))

    # when: the promise is checked on Monday, and nobody verified the payment
    broken = check(engine, ar(21, 10))
    during_pause = dispatch(engine, ar(21, 10))
    after_pause = dispatch(engine, ar(22, 10))

    # then
    with transaction(engine) as session:
        promise = session.scalars(select(PromiseToPay)).one()
        assert promise.status == PromiseStatus.BROKEN
        assert session.get_one(Case, case_id).handoff_reason == "payment_to_verify"
    assert len(broken) == 1
    assert during_pause == []
    assert [message.step_kind for message in after_pause] == ["broken_promise_reported"]
    text = after_pause[0].text
    assert "nos avisaste que ya pagaste: todavía estamos verificando" in text
    assert "Si no nos mandaste el comprobante, mandalo por acá" in text
    assert "todavía no lo registramos" not in text
    assert "«Ya pagué»" not in text
    assert "Ya pagué" not in after_pause[0].buttons


def test_payment_reported_while_message_waits(engine: Engine) -> None:
    # given: the promise for Friday 18 is broken on Sunday 20, and its
    # message waits for Monday
    given_case(engine)
    reply(engine, "te pago el viernes", ar(16, 11))
    check(engine, ar(20, 10))
    queued_kind = broken_row(engine).step_kind

    # when: the customer reports a payment on Sunday, which pauses the
    # reminders until Thursday 24 for a person to verify it
    reply(engine, "ya pagué", ar(20, 12))
    on_monday = dispatch(engine, ar(21, 9, 5))
    after_pause = dispatch(engine, ar(24, 10))

    # then
    assert queued_kind == "broken_promise"
    assert on_monday == []
    assert [message.step_kind for message in after_pause] == ["broken_promise_reported"]


def test_nothing_done_keeps_plain_message(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "te pago el domingo", ar(16, 11))

    # when
    check(engine, ar(22, 10))
    sent = dispatch(engine, ar(22, 10))

    # then
    assert [message.step_kind for message in sent] == ["broken_promise"]
    assert "esperábamos tu pago y todavía no lo registramos" in sent[0].text


def test_refunded_part_not_counted(engine: Engine) -> None:
    # given: a promise of $ 60.000 for Sunday, paid on Saturday by a
    # transfer of which $ 40.000 were given back before the check
    given_case(engine)
    reply(engine, "te pago $ 60.000 el domingo", ar(16, 11))
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        record_payment(
            session, business, customer, Decimal("60000"), ar(19, 12), ar(19, 12),
            reference="T-60",
        )  # fmt: skip
        apply_partial_refund(
            session, business.id, MANUAL_PROVIDER, "T-60", Decimal("40000"), ar(19, 18)
        )

    # when
    broken = check(engine, ar(22, 10))
    sent = dispatch(engine, ar(22, 10))

    # then: only the $ 20.000 kept count toward the promise
    assert len(broken) == 1
    assert [message.step_kind for message in sent] == ["broken_promise_partial"]
    assert "Recibimos $ 20.000,00" in sent[0].text
    assert "faltan $ 40.000,00." in sent[0].text
    assert "Tu saldo de $ 75.000,00" in sent[0].text
