"""Replies that ask how much is owed, end to end on WhatsApp.

Replies come in through the signed webhook, and the answers go out through
the dispatcher to the fake Graph API, as in `test_e2e_whatsapp_flows`. The
customer owes $ 1.500,00 since 5 March, and NOW is 10 March.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import process_pending_events
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Installment,
    OutboxMessage,
)
from cobranza.money import format_money
from cobranza.payments.manual import record_payment
from tests.channels.factories import make_document
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    BUSINESS_NAME,
    NOW,
    graph,
    settings,
)
from tests.conversations.test_e2e_whatsapp import (  # noqa: F401 - fixture
    client,
    inbound_body,
    post,
)
from tests.conversations.test_e2e_whatsapp_flows import (  # noqa: F401 - fixtures
    Conversation,
    business_id,
    chat,
)
from tests.conversations.test_identity_reply import stored_reply, the_case


@pytest.fixture
def talk(chat: Conversation) -> Conversation:  # noqa: F811
    """The conversation of `test_e2e_whatsapp_flows`, after the first reminder."""
    return chat


def last_message(talk: Conversation) -> dict[str, Any]:
    return talk.graph.state.messages[-1]


def reply_buttons(message: dict[str, Any]) -> list[str]:
    """Return the titles of an interactive message's reply buttons."""
    assert message["type"] == "interactive"
    assert message["interactive"]["type"] == "button"
    buttons = message["interactive"]["action"]["buttons"]
    return [button["reply"]["title"] for button in buttons]


def tap_button(talk: Conversation, title: str, reply_id: str, at: datetime) -> None:
    """Post a tap on a reply button to the signed webhook and act on it."""
    talk.count += 1
    body = inbound_body(
        f"wamid.button{talk.count}",
        at,
        type="interactive",
        interactive={
            "type": "button_reply",
            "button_reply": {"id": reply_id, "title": title},
        },
    )
    assert post(talk.client, body) == 200
    process_pending_events(talk.engine, at, settings=talk.settings)
    talk.cycle(at, plan=False)


def test_balance_question_gets_balance(talk: Conversation, engine: Engine) -> None:
    # given
    start = talk.sent

    # when
    action = talk.reply("¿cuánto debo?", NOW + timedelta(hours=1))

    # then: the balance, since when it is overdue, and the buttons
    answers = talk.sent_since(start)
    assert action == "balance_stated"
    assert len(answers) == 1
    assert answers[0] == (
        f"Hola Ana Test, te escribimos de {BUSINESS_NAME}. Tu saldo es de "
        "$ 1.500,00, y está todo vencido desde el 5 de marzo. ¿Querés pagar "
        "ahora, pedir cuotas o ya pagaste? Podés tocar un botón o contarnos con "
        "otras palabras.\n\nRespondé BAJA si no querés recibir más recordatorios."
    )
    assert reply_buttons(last_message(talk)) == ["Pagar", "Pedir cuotas", "Ya pagué"]
    inbound = stored_reply(engine, "¿cuánto debo?")
    assert inbound.intent == "other"
    assert inbound.entities["balance_question"] == "cuanto debo"
    assert inbound.entities["balances_stated"] == {"ARS": "1500.0000"}
    case = the_case(engine)
    assert case.pending_question is None
    assert case.handoff_reason is None
    assert case.state == CaseState.OPEN


def test_balance_in_two_currencies(talk: Conversation, engine: Engine) -> None:
    # given: the customer also owes dollars, due later
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        make_document(
            session,
            customer,
            NOW,
            "E-0001",
            "300.00",
            date(2026, 3, 20),
            currency="USD",
        )
    start = talk.sent

    # when
    action = talk.reply("cuánta plata les debo en total?", NOW + timedelta(hours=1))

    # then: each currency's balance, the overdue pesos and the dollars' due date
    answers = talk.sent_since(start)
    assert action == "balance_stated"
    assert len(answers) == 1
    assert (
        "Tu saldo es de $ 1.500,00 y US$ 300,00, y de eso, $ 1.500,00 está "
        "vencido desde el 5 de marzo y el próximo vencimiento es el 20 de marzo."
    ) in answers[0]
    inbound = stored_reply(engine, "cuánta plata les debo en total?")
    assert inbound.entities["balances_stated"] == {
        "ARS": "1500.0000",
        "USD": "300.0000",
    }


def test_plan_customer_gets_installment(talk: Conversation, engine: Engine) -> None:
    # given: a plan of three installments made in the conversation
    planned = talk.reply("¿puedo pagar en 3 cuotas?", NOW + timedelta(hours=1))
    with transaction(engine) as session:
        first = session.scalars(
            select(Installment).where(Installment.number == 1)
        ).one()
        amount = format_money(first.amount, "ARS", "es_AR")
        due_on = first.due_on
    start = talk.sent

    # when
    action = talk.reply("cuánto te debo?", NOW + timedelta(hours=2))

    # then: the balance and the next installment, with no offer of installments
    answers = talk.sent_since(start)
    assert planned == "plan_created"
    assert action == "balance_stated"
    assert len(answers) == 1
    assert "Tu saldo es de $ 1.500,00." in answers[0]
    assert (
        f"Tu plan de cuotas sigue vigente: lo próximo es pagar los {amount} de "
        f"la cuota 1 de 3, con vencimiento el {due_on.day} de marzo."
    ) in answers[0]
    assert "pedir cuotas" not in answers[0]
    assert reply_buttons(last_message(talk)) == ["Pagar", "Ya pagué"]
    with transaction(engine) as session:
        kinds = session.scalars(
            select(OutboxMessage.step_kind).order_by(OutboxMessage.id)
        ).all()
    assert kinds[-1] == "balance_reply_plan"
    assert stored_reply(engine, "cuánto te debo?").entities["balance_installment"] == 1


def test_balance_keeps_the_clarification(talk: Conversation, engine: Engine) -> None:
    # given: the customer asks the balance, then writes something unclear
    stated = talk.reply("¿cuál es mi saldo?", NOW + timedelta(hours=1))
    start = talk.sent

    # when
    unclear = talk.reply("no entiendo el mensaje", NOW + timedelta(hours=2))
    again_unclear = talk.reply("mmm no sé", NOW + timedelta(hours=3))

    # then: the balance did not use up the single clarifying question
    answers = talk.sent_since(start)
    assert stated == "balance_stated"
    assert unclear == "asked_clarify"
    assert again_unclear == "handed_off"
    assert len(answers) == 2
    assert "No terminamos de entender tu mensaje" in answers[0]
    assert "Una persona del equipo" in answers[1]
    assert the_case(engine).handoff_reason == "unclear_reply"


def test_balance_keeps_pending_clarification(
    talk: Conversation, engine: Engine
) -> None:
    # given: a clarifying question is pending
    unclear = talk.reply("no entiendo el mensaje", NOW + timedelta(hours=1))

    # when: the customer asks the balance
    stated = talk.reply("me pasás el monto?", NOW + timedelta(hours=2))

    # then: it is answered and the clarification still waits for its answer
    case = the_case(engine)
    assert unclear == "asked_clarify"
    assert stated == "balance_stated"
    assert case.pending_question == "clarify"
    assert case.handoff_reason is None
    assert case.state == CaseState.OPEN


def test_second_balance_question_answered_again(
    talk: Conversation, engine: Engine
) -> None:
    # given
    first = talk.reply("¿cuánto debo?", NOW + timedelta(hours=1))
    start = talk.sent

    # when: the customer asks again at once, then later the same day
    burst = talk.reply("cuanto te debo???", NOW + timedelta(hours=1, minutes=5))
    later = talk.reply("¿cuánto debo?", NOW + timedelta(hours=3))

    # then: one answer for the burst, a new one later, and no person
    answers = talk.sent_since(start)
    assert first == "balance_stated"
    assert burst == "balance_already_stated"
    assert later == "balance_stated"
    assert len(answers) == 1
    assert "Tu saldo es de $ 1.500,00" in answers[0]
    assert the_case(engine).handoff_reason is None


def test_burst_across_half_hour_answered_once(
    talk: Conversation, engine: Engine
) -> None:
    # given: a question one minute before a half hour
    first = talk.reply("¿cuánto debo?", NOW + timedelta(hours=1, minutes=29))
    start = talk.sent

    # when: the same question two minutes later, then 31 minutes after the first
    burst = talk.reply("cuanto te debo???", NOW + timedelta(hours=1, minutes=31))
    later = talk.reply("¿cuánto debo?", NOW + timedelta(hours=2, minutes=0))

    # then: the window rolls from the answer, not from the clock's half hour
    assert first == "balance_stated"
    assert burst == "balance_already_stated"
    assert later == "balance_stated"
    assert len(talk.sent_since(start)) == 1


def test_answer_after_a_payment(talk: Conversation, engine: Engine) -> None:
    # given: the customer asked, then paid part of the balance
    talk.reply("¿cuánto debo?", NOW + timedelta(hours=1))
    paid_at = NOW + timedelta(hours=1, minutes=10)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        record_payment(session, business, customer, Decimal("500.00"), paid_at, paid_at)
    start = talk.sent

    # when: the customer asks again within the same half hour
    action = talk.reply("¿y ahora cuánto debo?", NOW + timedelta(hours=1, minutes=20))

    # then: the new balance, because it changed
    answers = talk.sent_since(start)
    assert action == "balance_stated"
    assert len(answers) == 1
    assert "Tu saldo es de $ 1.000,00" in answers[0]


def test_no_debt_gets_no_pending(talk: Conversation, engine: Engine) -> None:
    # given: the invoice is paid in full
    paid_at = NOW + timedelta(hours=1)
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        customer = session.scalars(select(Customer)).one()
        record_payment(
            session, business, customer, Decimal("1500.00"), paid_at, paid_at
        )
    talk.cycle(paid_at + timedelta(minutes=1))
    start = talk.sent

    # when
    action = talk.reply("¿cuánto debo?", paid_at + timedelta(hours=1))

    # then: the existing reply that no reminders are pending
    answers = talk.sent_since(start)
    assert action == "closed_acknowledged"
    assert len(answers) == 1
    assert "Ya no tenés recordatorios pendientes con nosotros" in answers[0]
    assert "$" not in answers[0]
    with transaction(engine) as session:
        cases = session.scalars(select(Case)).all()
    assert [case.state for case in cases] == [CaseState.CLOSED]


def test_balance_in_portuguese(talk: Conversation, engine: Engine) -> None:
    # given: a Portuguese-speaking customer of a business with a CNPJ
    with transaction(engine) as session:
        session.scalars(select(Business)).one().tax_id = "11222333000181"
        session.scalars(select(Customer)).one().locale = "pt_BR"
    start = talk.sent

    # when
    action = talk.reply("qual o valor da dívida?", NOW + timedelta(hours=1))

    # then
    answers = talk.sent_since(start)
    assert action == "balance_stated"
    assert len(answers) == 1
    assert answers[0].startswith(f"Olá, Ana Test! Aqui é a equipe de {BUSINESS_NAME}")
    assert "está tudo vencido desde 5 de março" in answers[0]
    assert "Você quer pagar agora, parcelar ou já pagou?" in answers[0]
    assert f"Dados do credor: {BUSINESS_NAME}, CNPJ 11.222.333/0001-81" in answers[0]
    assert reply_buttons(last_message(talk)) == ["Pagar", "Parcelar", "Já paguei"]


def test_balance_in_tu_spanish(talk: Conversation, engine: Engine) -> None:
    with transaction(engine) as session:
        session.scalars(select(Customer)).one().locale = "es_MX"
    start = talk.sent

    action = talk.reply("¿cuánta lana debo?", NOW + timedelta(hours=1))

    answers = talk.sent_since(start)
    assert action == "balance_stated"
    assert len(answers) == 1
    assert "está todo vencido desde el 5 de marzo" in answers[0]
    assert "¿Quieres pagar ahora, pedir cuotas o ya pagaste?" in answers[0]
    assert answers[0].endswith("Responde BAJA si no quieres recibir más recordatorios.")


def test_pay_button_after_balance_sends_link(
    talk: Conversation, engine: Engine
) -> None:
    # given
    talk.reply("¿cuánto debo?", NOW + timedelta(hours=1))
    start = talk.sent

    # when: the customer taps «Pagar» under the answer
    tap_button(talk, "Pagar", "pagar", NOW + timedelta(hours=1, minutes=2))

    # then: how to pay, as for any request of the link, here the business's
    # payment instructions
    answers = talk.sent_since(start)
    assert len(answers) == 1
    assert "Podés pagar tu saldo de $ 1.500,00 acá: Transferí al alias" in answers[0]


def test_question_with_a_promise_is_a_promise(
    talk: Conversation, engine: Engine
) -> None:
    action = talk.reply("cuánto debo? te pago el viernes", NOW + timedelta(hours=1))

    inbound = stored_reply(engine, "cuánto debo? te pago el viernes")
    assert action == "promise_recorded"
    assert inbound.intent == "promise_to_pay"
    assert "balance_question" not in inbound.entities
