"""Replies that change what was agreed: late stops, disputes, plans and sums.

Each test records the customer's reply through the sandbox, so the real
handler reads it, acts on the stored case and queues what the customer
gets, and the sandbox dispatcher sends it through the gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import sent_messages
from cobranza.compliance.consent import current_consent
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    InboundMessage,
    Installment,
    OutboxMessage,
    PromiseStatus,
    PromiseToPay,
)
from cobranza.dunning.policy_loader import default_policy_path, load_policy
from cobranza.dunning.promises import check_promises
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_payment
from tests.conversations import test_actions_plan_dates as plan_dates
from tests.conversations import test_dialogue as dialogue
from tests.conversations.test_superseded_replies import (
    MONDAY,
    SATURDAY,
    SUNDAY,
    SUPPRESSED,
    dispatch,
    given_case,
    reply,
    rows,
)


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def opted_out(engine: Engine) -> bool:
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        return current_consent(session, business.id, customer.id) is False


@pytest.mark.parametrize(
    "text",
    [
        "no, mejor BAJA",
        "mejor baja",
        "no mejor baja",
        "no. BAJA",
        "ok BAJA",
        "mejor BAJA 🙏",
        "não, melhor SAIR",
    ],
)
def test_late_keyword_stops(engine: Engine, text: str) -> None:
    # given
    given_case(engine)

    # when
    action = reply(engine, text, MONDAY)
    sent = dispatch(engine, MONDAY + timedelta(minutes=1))

    # then: a stop, not a possible stop handed to a person
    assert action == "opted_out"
    assert opted_out(engine)
    assert [kind for kind, _ in sent] == ["optout_confirmation"]


@pytest.mark.parametrize(
    "text",
    [
        "la deuda baja si pago hoy?",
        "¿me bajan el monto?",
        "dar de baja la tarjeta y pago con otra",
        "mejor más baja la cuota",
    ],
)
def test_baja_as_verb_does_not_stop(engine: Engine, text: str) -> None:
    # given
    given_case(engine)

    # when
    action = reply(engine, text, MONDAY)

    # then
    assert action != "opted_out"
    assert not opted_out(engine)


def test_dispute_drops_queued_confirmation(engine: Engine) -> None:
    # given: the promise's confirmation waits for Monday's window
    given_case(engine)
    promised = reply(engine, "te pago el martes", SATURDAY)

    # when
    disputed = reply(engine, "el monto está mal, no debo eso", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then: only the dispute's answer goes out
    assert promised == "promise_recorded"
    assert disputed == "dispute_recorded"
    assert [kind for kind, _ in sent] == ["dispute_ack"]
    assert rows(engine, "promise_confirmation") == [SUPPRESSED]
    with transaction(engine) as session:
        stored = session.scalars(
            select(InboundMessage).order_by(InboundMessage.id.desc())
        ).first()
        assert stored is not None
        assert stored.intent == "dispute"


def test_dispute_drops_queued_link(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "pasame el link de pago", SATURDAY)

    # when
    reply(engine, "no reconozco esa factura, está mal", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert [kind for kind, _ in sent] == ["dispute_ack"]
    assert rows(engine, "link_reply_instructions") == [SUPPRESSED]


def test_dispute_drops_queued_plan_offer(engine: Engine) -> None:
    # given: the new plan's schedule and link wait for Monday's window
    given_case(engine)
    made = reply(engine, "quiero pagar en 3 cuotas", SATURDAY)

    # when
    disputed = reply(engine, "no reconozco esa factura, está mal", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then: no schedule for a balance the customer contests
    assert made == "plan_created"
    assert disputed == "dispute_recorded"
    assert [kind for kind, _ in sent] == ["dispute_ack"]
    assert rows(engine, "plan_offer_reply") == [SUPPRESSED]


# Monday 23 March 2026, 10:00 in Buenos Aires: a promise for Friday 20 has
# lapsed with its day of grace.
AFTER_GRACE = datetime(2026, 3, 23, 13, 0, tzinfo=UTC)


def promises(engine: Engine) -> list[tuple[Decimal | None, date, str]]:
    with transaction(engine) as session:
        return [
            (promise.amount, promise.due_on, promise.status)
            for promise in session.scalars(
                select(PromiseToPay).order_by(PromiseToPay.id)
            )
        ]


def queued_kinds(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(
            session.scalars(select(OutboxMessage.step_kind).order_by(OutboxMessage.id))
        )


def settle_promises(engine: Engine, business_id: int) -> tuple[list[int], list[int]]:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        result = check_promises(
            session, business, AFTER_GRACE, load_policy(default_policy_path())
        )
        return result.kept, result.broken


def given_plan(engine: Engine) -> dict[str, int]:
    """Add a customer owing $ 1.500,00 in a plan of three $ 500,00 installments."""
    ids = dialogue.given_customer(engine, queued_reminder=False)
    made = dialogue.reply(engine, "quiero pagar en 3 cuotas")
    dialogue.dispatch(engine)
    with transaction(engine) as session:
        stored = session.get_one(InboundMessage, made.id)
        assert stored.action_taken == "plan_created"
        amounts = session.scalars(select(Installment.amount).order_by(Installment.id))
        assert list(amounts) == [Decimal("500.00")] * 3
    return ids


def test_promise_during_plan_covers_installment(engine: Engine) -> None:
    # given
    given_plan(engine)
    later = dialogue.NOW + timedelta(minutes=5)

    # when
    dialogue.reply(engine, "te pago el viernes", later)
    sent = dialogue.dispatch(engine, later + timedelta(minutes=1))

    # then: the promise is the next installment, and says so
    assert promises(engine) == [
        (Decimal("500.00"), date(2026, 3, 20), PromiseStatus.OPEN)
    ]
    assert sent == ["promise_confirmation"]
    text = dialogue.sent_texts(engine, "promise_confirmation")[0]
    assert "$ 500,00 de la cuota 1 de 3 para el viernes 20 de marzo" in text


@pytest.mark.parametrize(
    "text", ["te pago el 30 de abril", "te pago 800 el 30 de abril"]
)
def test_promise_past_installment_grace_handed_off(engine: Engine, text: str) -> None:
    # given: installment 1 of 3 falls due on Thursday 19 March, and the plan
    # breaks once its 3 days of grace pass
    given_plan(engine)
    later = dialogue.NOW + timedelta(minutes=5)

    # when
    inbound = dialogue.reply(engine, text, later)
    sent = dialogue.dispatch(engine, later + timedelta(minutes=1))

    # then: no confirmation of a day by which the plan is already broken
    with transaction(engine) as session:
        stored = session.get_one(InboundMessage, inbound.id)
        assert stored.action_taken == "promise_past_installment"
        customer = session.scalars(select(Customer)).one()
        case = session.scalars(
            select(Case).where(Case.customer_id == customer.id)
        ).one()
        assert case.handoff_reason == "promise_past_installment"
    assert sent == ["handoff_ack"]
    assert promises(engine)[0][1:] == (date(2026, 4, 30), PromiseStatus.OPEN)


def test_late_promise_drops_queued_confirmation(engine: Engine) -> None:
    # given: at 22:00 the customer promises installment 1 for Friday, and
    # the confirmation waits for the morning
    given_plan(engine)
    night = dialogue.NOW + timedelta(hours=12)
    dialogue.reply(engine, "te pago el viernes", night)

    # when: an hour later the customer moves it past the installment's grace
    inbound = dialogue.reply(
        engine, "mejor te pago el 30 de abril", night + timedelta(hours=1)
    )
    sent = dialogue.dispatch(engine, dialogue.NOW + timedelta(days=1))

    # then: no confirmation of the cancelled promise goes out
    with transaction(engine) as session:
        stored = session.get_one(InboundMessage, inbound.id)
        assert stored.action_taken == "promise_past_installment"
    assert sent == ["handoff_ack"]
    assert [status for _, _, status in promises(engine)] == [
        PromiseStatus.CANCELLED,
        PromiseStatus.OPEN,
    ]


def test_promise_within_installment_grace_confirmed(engine: Engine) -> None:
    # given
    given_plan(engine)
    later = dialogue.NOW + timedelta(minutes=5)

    # when: Sunday 22 March is the last day of installment 1's grace
    dialogue.reply(engine, "te pago el domingo 22", later)
    sent = dialogue.dispatch(engine, later + timedelta(minutes=1))

    # then
    assert sent == ["promise_confirmation"]
    assert promises(engine)[0][1] == date(2026, 3, 22)


def test_promise_during_plan_keeps_named_sum(engine: Engine) -> None:
    # given
    given_plan(engine)
    later = dialogue.NOW + timedelta(minutes=5)

    # when
    dialogue.reply(engine, "te pago 800 el viernes", later)
    dialogue.dispatch(engine, later + timedelta(minutes=1))

    # then
    assert promises(engine)[0][0] == Decimal("800.00")
    text = dialogue.sent_texts(engine, "promise_confirmation")[0]
    assert "$ 800,00 para el viernes" in text
    assert "cuota" not in text


def test_broken_promise_during_plan_sends_nothing_more(engine: Engine) -> None:
    # given: the installment promised for Friday was not paid
    ids = given_plan(engine)
    dialogue.reply(engine, "te pago el viernes", dialogue.NOW + timedelta(minutes=5))

    # when
    kept, broken = settle_promises(engine, ids["business"])

    # then: the plan's reminders are the one schedule left
    assert kept == []
    assert len(broken) == 1
    assert not {"broken_promise", "broken_promise_partial"} & set(queued_kinds(engine))


def test_plan_breaking_under_promise_sends_one(engine: Engine) -> None:
    # given: installment 1 falls due on Thursday 19 March; its grace ends on
    # Sunday 22, the day the customer promises, so the plan breaks on the
    # 23rd and the promise on the 24th (a holiday in Argentina)
    ids = given_plan(engine)
    dialogue.reply(engine, "te pago el domingo 22", dialogue.NOW + timedelta(minutes=5))

    # when: nothing is paid and the cycle runs every day
    sent_by_day: dict[date, list[str]] = {}
    for days in range(1, 16):
        at = dialogue.NOW + timedelta(days=days)
        run_cycle(engine, ids["business"], at)
        with transaction(engine) as session:
            sent = [
                message.step_kind
                for message in sent_messages(session, ids["business"])
                if message.sent_at == at
            ]
        if sent:
            sent_by_day[at.date()] = sent

    # then: the broken promise replaces the policy's step, not added to it
    assert sent_by_day == {
        date(2026, 3, 17): ["promise_confirmation"],
        date(2026, 3, 25): ["broken_promise"],
    }


def test_paid_installment_keeps_plan_promise(engine: Engine) -> None:
    # given
    ids = given_plan(engine)
    dialogue.reply(engine, "te pago el viernes", dialogue.NOW + timedelta(minutes=5))
    with transaction(engine) as session:
        customer = session.get_one(Customer, ids["customer"])
        make_payment(session, customer, dialogue.NOW + timedelta(days=4), "500.00")

    # when
    kept, broken = settle_promises(engine, ids["business"])

    # then
    assert len(kept) == 1
    assert broken == []


def test_promise_above_balance_records_balance(engine: Engine) -> None:
    # given: $ 1.500,00 owed
    dialogue.given_customer(engine, queued_reminder=False)

    # when
    inbound = dialogue.reply(engine, "te pago 500.000 el viernes")
    dialogue.dispatch(engine)

    # then
    assert promises(engine) == [
        (Decimal("1500.00"), date(2026, 3, 20), PromiseStatus.OPEN)
    ]
    text = dialogue.sent_texts(engine, "promise_confirmation")[0]
    assert "$ 1.500,00 (el total de tu saldo) para el viernes 20 de marzo" in text
    assert "500.000" not in text
    with transaction(engine) as session:
        stored = session.get_one(InboundMessage, inbound.id)
        assert stored.entities["promise_amount_said"] == "500000"


def test_promise_below_balance_stays_as_said(engine: Engine) -> None:
    # given
    dialogue.given_customer(engine, queued_reminder=False)

    # when
    dialogue.reply(engine, "te pago 1.200 el viernes")
    dialogue.dispatch(engine)

    # then
    assert promises(engine)[0][0] == Decimal("1200.00")
    text = dialogue.sent_texts(engine, "promise_confirmation")[0]
    assert "$ 1.200,00 para el viernes" in text
    assert "saldo)" not in text


@pytest.mark.parametrize(
    "text",
    [
        "te transfiero 1 peso el viernes y el resto a fin de mes",
        "te transfiero $ 1 el viernes y el resto a fin de mes",
    ],
)
def test_token_first_sum_makes_even_plan(engine: Engine, text: str) -> None:
    # given: 148.075,26 owed, and no minimum installment set
    business_id = plan_dates._open_case(engine)

    # when
    action = plan_dates._reply(engine, business_id, text)

    # then: no $ 1,00 installment and no $ 1,00 promise
    assert action == "plan_created"
    schedule = plan_dates._schedule(engine)
    assert [due_on for _, due_on in schedule] == [
        date(2026, 12, 11),
        date(2026, 12, 31),
    ]
    assert min(amount for amount, _ in schedule) > Decimal("70000")
    assert promises(engine) == []
