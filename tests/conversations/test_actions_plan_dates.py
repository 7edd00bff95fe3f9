"""Plans on the days a reply names, and promises of half, through the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.conversations.actions import PLAN_SPLIT_OUTSIDE_LIMITS
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    InboundMessage,
    Installment,
    InstallmentPlan,
    OutboxMessage,
    PromiseStatus,
    PromiseToPay,
)
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments.manual import record_payment
from tests.channels.factories import (
    PAYMENT_INSTRUCTIONS,
    make_business,
    make_customer,
    make_document,
)

PHONE_AR = "+5491155550101"
PHONE_BR = "+5511987654321"
# Wednesday 9 December 2026, 10:00 in Buenos Aires and in São Paulo.
WEDNESDAY = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)
BALANCE = "148075.26"
HALF = Decimal("74037.63")


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _brazilian_business(session: Session) -> Business:
    business = Business(
        name="Exemplo Ltda",
        country="BR",
        timezone="America/Sao_Paulo",
        currency="BRL",
        locale="pt_BR",
        tax_id="12.345.678/0001-95",
        settings={"payment_instructions": PAYMENT_INSTRUCTIONS},
        created_at=WEDNESDAY,
    )
    session.add(business)
    session.flush()
    return business


def _open_case(
    engine: Engine,
    country: str = "AR",
    business_settings: dict[str, object] | None = None,
    invoices: tuple[tuple[str, date], ...] = ((BALANCE, date(2026, 11, 30)),),
) -> int:
    """Build a customer owing `invoices`, open its case, return the business id."""
    phone = PHONE_BR if country == "BR" else PHONE_AR
    with transaction(engine) as session:
        if country == "BR":
            business = _brazilian_business(session)
        else:
            business = make_business(session, WEDNESDAY)
        if business_settings is not None:
            business.settings = {**business.settings, **business_settings}
        customer = make_customer(session, business, WEDNESDAY, "C1", phone)
        for number, (amount, due_on) in enumerate(invoices, start=1):
            make_document(session, customer, WEDNESDAY, f"A-{number}", amount, due_on)
        session.add(
            Case(
                business_id=business.id,
                customer_id=customer.id,
                state=CaseState.OPEN,
                opened_at=WEDNESDAY - timedelta(days=5),
            )
        )
        return business.id


def _reply(engine: Engine, business_id: int, text: str, minutes: int = 5) -> str:
    """Store a sandbox reply `minutes` after WEDNESDAY and return the action taken."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        phone = PHONE_BR if business.country == "BR" else PHONE_AR
        record_reply(
            session, business, phone, text, WEDNESDAY + timedelta(minutes=minutes)
        )
        inbound = session.scalars(
            select(InboundMessage).order_by(InboundMessage.id.desc())
        ).first()
        assert inbound is not None
        assert inbound.action_taken is not None
        return inbound.action_taken


def _sent_texts(engine: Engine, business_id: int, minutes: int = 10) -> list[str]:
    """Dispatch what the replies queued and return every text sent so far."""
    run_cycle(engine, business_id, WEDNESDAY + timedelta(minutes=minutes))
    with transaction(engine) as session:
        return [message.text for message in sent_messages(session, business_id)]


def _schedule(engine: Engine) -> list[tuple[Decimal, date]]:
    with transaction(engine) as session:
        plan = session.scalars(select(InstallmentPlan)).one()
        return [
            (item.amount, item.due_on)
            for item in session.scalars(
                select(Installment)
                .where(Installment.plan_id == plan.id)
                .order_by(Installment.number)
            )
        ]


def test_plan_on_days_named(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when
    action = _reply(
        engine, business_id, "el viernes te transfiero la mitad y el resto a fin de mes"
    )
    texts = _sent_texts(engine, business_id)

    # then: Friday 11 December and the month's last day, Thursday 31
    assert action == "plan_created"
    assert _schedule(engine) == [(HALF, date(2026, 12, 11)), (HALF, date(2026, 12, 31))]
    assert len(texts) == 1
    assert "Armamos un plan de 2 cuotas" in texts[0]
    assert "$ 74.037,63 el 11 de diciembre" in texts[0]
    assert "$ 74.037,63 el 31 de diciembre" in texts[0]


def test_split_without_days_keeps_schedule(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when
    action = _reply(
        engine, business_id, "¿puedo pagar la mitad y el resto más adelante?"
    )
    texts = _sent_texts(engine, business_id)

    # then: 3 days later is Saturday 12, so Monday 14, and 30 days after it
    assert action == "plan_created"
    assert _schedule(engine) == [(HALF, date(2026, 12, 14)), (HALF, date(2027, 1, 13))]
    assert "$ 74.037,63 el 14 de diciembre" in texts[0]
    assert "$ 74.037,63 el 13 de enero de 2027" in texts[0]


def test_day_beyond_plan_length_handed_off(engine: Engine) -> None:
    # given: the business's own 2-installment plan ends on 13 January
    business_id = _open_case(engine)

    # when
    action = _reply(
        engine, business_id, "la mitad el viernes y el resto el 15 de marzo"
    )

    # then: no plan moves the 15th of March earlier; a person agrees instead
    assert action == "handed_off"
    with transaction(engine) as session:
        assert session.scalars(select(InstallmentPlan)).all() == []
        case = session.scalars(select(Case)).one()
        assert case.handoff_reason == PLAN_SPLIT_OUTSIDE_LIMITS


def test_days_below_minimum_handed_off(engine: Engine) -> None:
    # given: each half is below the business's minimum installment
    business_id = _open_case(
        engine, business_settings={"installments": {"min_installment": 100000}}
    )

    # when
    action = _reply(
        engine, business_id, "el viernes te transfiero la mitad y el resto a fin de mes"
    )

    # then
    assert action == "handed_off"
    with transaction(engine) as session:
        assert session.scalars(select(InstallmentPlan)).all() == []


def test_portuguese_plan_on_days_named(engine: Engine) -> None:
    # given
    business_id = _open_case(engine, country="BR")

    # when
    action = _reply(engine, business_id, "metade na sexta e o resto no fim do mês")
    texts = _sent_texts(engine, business_id)

    # then
    assert action == "plan_created"
    assert _schedule(engine) == [(HALF, date(2026, 12, 11)), (HALF, date(2026, 12, 31))]
    assert "R$ 74.037,63" in texts[0]
    assert "11 de dezembro" in texts[0]
    assert "31 de dezembro" in texts[0]


def test_fee_plan_accepted_keeps_days_named(engine: Engine) -> None:
    # given: a 10 % fee, so the plan is proposed first
    business_id = _open_case(
        engine, business_settings={"installments": {"fee_percent": 10}}
    )

    # when
    proposed = _reply(
        engine, business_id, "el viernes te transfiero la mitad y el resto a fin de mes"
    )
    accepted = _reply(engine, business_id, "dale, acepto", minutes=6)

    # then
    assert proposed == "plan_proposed"
    assert accepted == "plan_accepted"
    due_dates = [due_on for _, due_on in _schedule(engine)]
    assert due_dates == [date(2026, 12, 11), date(2026, 12, 31)]
    with transaction(engine) as session:
        proposal = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step_kind == "plan_proposal")
        ).one()
    assert proposal.variables["plan_days"] == ["2026-12-11", "2026-12-31"]


def _promise(engine: Engine) -> PromiseToPay:
    with transaction(engine) as session:
        return session.scalars(select(PromiseToPay)).one()


def test_promise_of_half_records_half(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when
    action = _reply(engine, business_id, "la semana que viene te deposito la mitad")
    texts = _sent_texts(engine, business_id)

    # then: next Monday, 14 December, for half the balance
    promise = _promise(engine)
    assert action == "promise_recorded"
    assert promise.amount == HALF
    assert promise.due_on == date(2026, 12, 14)
    assert "promesa de pago de $ 74.037,63" in texts[0]


def test_promise_of_half_kept_by_half(engine: Engine) -> None:
    # given: a promise of half for Monday 14 December, and half paid that day
    business_id = _open_case(engine)
    _reply(engine, business_id, "la semana que viene te deposito la mitad")
    monday = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        promise = session.scalars(select(PromiseToPay)).one()
        customer = session.get_one(Customer, promise.customer_id)
        record_payment(session, business, customer, HALF, monday, monday)

    # when: the cycle runs after the promise's grace
    run_cycle(engine, business_id, monday + timedelta(days=3))

    # then
    assert _promise(engine).status == PromiseStatus.KEPT


def test_promise_of_half_covers_what_falls_due(engine: Engine) -> None:
    # given: 1.000 due before the promised day and 3.000 due after it
    business_id = _open_case(
        engine,
        invoices=(("1000.00", date(2026, 11, 30)), ("3000.00", date(2027, 1, 31))),
    )

    # when
    action = _reply(engine, business_id, "el viernes te pago la mitad")

    # then: half of what falls due by Friday, not of the whole balance
    assert action == "promise_recorded"
    assert _promise(engine).amount == Decimal("500.00")


def test_promise_with_sum_ignores_half(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when
    _reply(engine, business_id, "el viernes te pago la mitad, $ 50.000")

    # then: the sum named wins
    assert _promise(engine).amount == Decimal("50000")


def test_sum_first_and_rest_later_is_plan(engine: Engine) -> None:
    # given: 148,075.26 owed
    business_id = _open_case(engine)

    # when
    action = _reply(
        engine, business_id, "te transfiero 10.000 el viernes y el resto a fin de mes"
    )
    texts = _sent_texts(engine, business_id)

    # then: the named sum on Friday 11, what is left on Thursday 31
    assert action == "plan_created"
    assert _schedule(engine) == [
        (Decimal("10000.00"), date(2026, 12, 11)),
        (Decimal("138075.26"), date(2026, 12, 31)),
    ]
    assert "$ 10.000,00 el 11 de diciembre" in texts[0]
    assert "$ 138.075,26 el 31 de diciembre" in texts[0]
    with transaction(engine) as session:
        assert session.scalars(select(PromiseToPay)).all() == []


def test_sum_first_fee_plan_accepted_keeps_sum(engine: Engine) -> None:
    # given: a 10 % fee, so 162,882.79 in all
    business_id = _open_case(
        engine, business_settings={"installments": {"fee_percent": 10}}
    )

    # when
    proposed = _reply(
        engine, business_id, "te paso 20 lucas el viernes y lo que falta el 30"
    )
    accepted = _reply(engine, business_id, "dale, acepto", minutes=6)

    # then
    assert proposed == "plan_proposed"
    assert accepted == "plan_accepted"
    assert _schedule(engine) == [
        (Decimal("20000.00"), date(2026, 12, 11)),
        (Decimal("142882.79"), date(2026, 12, 30)),
    ]


def test_sum_first_below_down_payment_stays_promise(engine: Engine) -> None:
    # given: the business asks for at least half up front
    business_id = _open_case(
        engine, business_settings={"installments": {"min_down_payment_percent": 50}}
    )

    # when
    action = _reply(
        engine, business_id, "te transfiero 10.000 el viernes y el resto a fin de mes"
    )

    # then: the 10,000 is still promised for Friday, and a person is not needed
    assert action == "promise_recorded"
    promise = _promise(engine)
    assert (promise.amount, promise.due_on) == (Decimal("10000"), date(2026, 12, 11))
    with transaction(engine) as session:
        assert session.scalars(select(InstallmentPlan)).all() == []
        entities = session.scalars(
            select(InboundMessage.entities).order_by(InboundMessage.id.desc())
        ).first()
    assert entities is not None and "plan_first_amount" not in entities


def test_sum_without_rest_stays_promise(engine: Engine) -> None:
    # given
    business_id = _open_case(engine)

    # when: two days but no rest put off
    action = _reply(engine, business_id, "te transfiero 10.000 el viernes o el lunes")

    # then
    assert action == "promise_recorded"
    with transaction(engine) as session:
        assert session.scalars(select(InstallmentPlan)).all() == []


def test_plan_orders_parts_by_day(engine: Engine) -> None:
    # given: 148,075.26 owed
    business_id = _open_case(engine)

    # when: the sum goes with the month's end, the rest with Friday
    action = _reply(
        engine, business_id, "te paso 10.000 a fin de mes y el resto el viernes"
    )

    # then: the rest is due first, on Friday, and the 10,000 on the 31st
    assert action == "plan_created"
    assert _schedule(engine) == [
        (Decimal("138075.26"), date(2026, 12, 11)),
        (Decimal("10000.00"), date(2026, 12, 31)),
    ]
