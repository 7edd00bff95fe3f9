"""Requests for messages from a customer who never opted out.

"Ya pueden volver a escribirme" from a customer whose consent is active
gets a short answer that reminders already reach them, with no hand-off
and no pause. A reply that mixes the request with anything else still
goes by its intent. Replies come in through the signed WhatsApp webhook
and the answers go out through the dispatcher to the fake Graph API, as
in `test_identity_reply`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from cobranza.compliance.consent import current_consent
from cobranza.conversations.optin import asks_only_to_opt_in
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    ConsentEvent,
    Customer,
    OutboxMessage,
)
from cobranza.wording import reason_label
from tests.channels.whatsapp.conftest import (  # noqa: F401 - fixtures
    BUSINESS_NAME,
    NOW,
    graph,
    settings,
)
from tests.conversations.test_e2e_whatsapp import client  # noqa: F401 - fixture
from tests.conversations.test_e2e_whatsapp_flows import (  # noqa: F401 - fixtures
    Conversation,
    business_id,
    chat,
    describe,
)
from tests.conversations.test_identity_reply import stored_reply, the_case

ANSWER_ES_AR = (
    f"Hola Ana Test, te escribimos de {BUSINESS_NAME}: ya recibís nuestros "
    "recordatorios por este medio, así que no hace falta que hagas nada.\n\n"
    "Respondé BAJA si no querés recibir más recordatorios."
)


@pytest.fixture
def talk(chat: Conversation) -> Conversation:  # noqa: F811
    """The conversation of `test_e2e_whatsapp_flows`, after the first reminder."""
    return chat


def consent_events(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(ConsentEvent)) or 0


def test_active_customer_told_already_receives(
    talk: Conversation, engine: Engine
) -> None:
    # given: the customer never opted out
    start = talk.sent
    events_before = consent_events(engine)

    # when
    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    # then: one short answer, no person, no pause, the ledger untouched
    answers = talk.sent_since(start)
    assert action == "already_opted_in"
    assert answers == [ANSWER_ES_AR]
    case = the_case(engine)
    assert case.state == CaseState.OPEN
    assert case.handoff_reason is None
    assert case.paused_until is None
    assert consent_events(engine) == events_before
    inbound = stored_reply(engine, "ya pueden volver a escribirme")
    # The model's label is stored as it was read.
    assert inbound.intent == "request_human"
    assert inbound.entities["possible_opt_out"] is False
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is True
        handled = session.scalars(
            select(AuditEvent).where(
                AuditEvent.kind == "reply_handled",
                AuditEvent.subject_id == inbound.id,
            )
        ).one()
        handed_off = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "case_handed_off")
        ).all()
    assert handled.reason == "already_opted_in"
    assert reason_label(handled.reason) == "le dijo que ya recibe los recordatorios"
    assert handed_off == []


@pytest.mark.parametrize(
    "text",
    [
        "quiero volver a recibir los avisos",
        "pueden seguir mandándome los recordatorios",
        "quiero seguir recibiendo los avisos",
        "ALTA",
        "Hola! Ya pueden volver a escribirme por WhatsApp, gracias 🙏",
        "Buenas, ¿cómo están? Pueden volver a mandarme los recordatorios",
    ],
)
def test_opt_in_phrases_answered(talk: Conversation, text: str) -> None:
    start = talk.sent

    action = talk.reply(text, NOW + timedelta(hours=1))

    assert action == "already_opted_in"
    assert talk.sent_since(start) == [ANSWER_ES_AR]


def test_reminders_continue_after_answer(talk: Conversation) -> None:
    # given
    answered = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    # when: the planner runs three days later
    later = talk.cycle(NOW + timedelta(days=3))

    # then: the next reminder goes out as if the customer had said nothing
    assert answered == "already_opted_in"
    assert len(later) == 1
    assert describe(later[0]).startswith("template:cobranza_")


def test_answered_once_a_day(talk: Conversation, engine: Engine) -> None:
    # given
    first = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))
    start = talk.sent

    # when: the customer writes it again that day, and the next day
    same_day = talk.reply(
        "quiero volver a recibir los avisos", NOW + timedelta(hours=2)
    )
    same_day_sent = talk.sent_since(start)
    next_day = talk.reply("ALTA", NOW + timedelta(days=1, hours=1))

    # then: one answer a day, and the case never reaches a person
    assert first == "already_opted_in"
    assert same_day == "already_opted_in"
    assert same_day_sent == []
    assert next_day == "already_opted_in"
    assert talk.sent_since(start) == [ANSWER_ES_AR]
    assert the_case(engine).state == CaseState.OPEN


def test_answer_keeps_pending_question(talk: Conversation, engine: Engine) -> None:
    # given: a clarifying question is pending
    unclear = talk.reply("no entiendo el mensaje", NOW + timedelta(hours=1))

    # when
    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=2))

    # then: the answer asks nothing, so the question still waits
    assert unclear == "asked_clarify"
    assert action == "already_opted_in"
    assert the_case(engine).pending_question == "clarify"


@pytest.mark.parametrize(
    "text",
    [
        "pueden volver a escribirme, pero el monto está mal",
        "ya pueden volver a escribirme, quiero hablar con alguien",
        "quiero volver a recibir los avisos, ¿cuánto debo?",
    ],
)
def test_mixed_request_reaches_person(
    talk: Conversation, engine: Engine, text: str
) -> None:
    start = talk.sent

    action = talk.reply(text, NOW + timedelta(hours=1))

    answers = talk.sent_since(start)
    assert action == "handed_off"
    assert len(answers) == 1
    assert "Una persona del equipo" in answers[0]
    case = the_case(engine)
    assert case.state == CaseState.HANDED_OFF
    assert case.handoff_reason == "request_human"


@pytest.mark.parametrize(
    "text",
    [
        "pueden volver a escribirme, te pago el viernes",
        "pueden volver a escribirme el lunes",
        "cómo pueden volver a escribirme si ya pagué",
        "¿por qué pueden seguir mandándome mensajes?",
    ],
)
def test_near_misses_not_answered(talk: Conversation, text: str) -> None:
    start = talk.sent

    action = talk.reply(text, NOW + timedelta(hours=1))

    assert action != "already_opted_in"
    assert all("ya recibís" not in answer for answer in talk.sent_since(start))


def test_handed_off_case_stays_with_person(talk: Conversation, engine: Engine) -> None:
    # given: a person already handles the case, and reminders wait for them
    handed = talk.reply("quiero hablar con una persona", NOW + timedelta(hours=1))
    start = talk.sent

    # when
    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=2))

    # then: no automatic answer that reminders reach the customer
    assert handed == "handed_off"
    assert action != "already_opted_in"
    assert all("ya recibís" not in answer for answer in talk.sent_since(start))
    assert the_case(engine).state == CaseState.HANDED_OFF


def test_opted_out_customer_still_opts_in(talk: Conversation, engine: Engine) -> None:
    talk.reply("BAJA", NOW + timedelta(hours=1))
    start = talk.sent

    action = talk.reply(
        "pueden seguir mandándome los recordatorios", NOW + timedelta(days=1, hours=1)
    )

    answers = talk.sent_since(start)
    assert action == "opted_in"
    assert len(answers) == 1
    assert "volvés a recibir nuestros recordatorios" in answers[0]
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is True


def test_closed_case_answered(talk: Conversation, engine: Engine) -> None:
    # given: a person closed the case, so the customer has no open case
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        case.state = CaseState.CLOSED
        case.closed_at = NOW + timedelta(minutes=30)
        case.close_reason = "cerrado por una persona"
    start = talk.sent

    # when
    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    # then: the answer goes through the closed case and no case is opened
    assert action == "already_opted_in"
    assert talk.sent_since(start) == [ANSWER_ES_AR]
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_answer_in_tu_spanish(talk: Conversation, engine: Engine) -> None:
    with transaction(engine) as session:
        session.scalars(select(Customer)).one().locale = "es_MX"
    start = talk.sent

    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    assert action == "already_opted_in"
    assert talk.sent_since(start) == [
        f"Hola Ana Test, te escribimos de {BUSINESS_NAME}: ya recibes nuestros "
        "recordatorios por este medio, así que no hace falta que hagas nada.\n\n"
        "Responde BAJA si no quieres recibir más recordatorios."
    ]


def test_answer_formal_es_ar(talk: Conversation, engine: Engine) -> None:
    with transaction(engine) as session:
        session.scalars(select(Customer)).one().kind = "company"
    start = talk.sent

    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    assert action == "already_opted_in"
    assert talk.sent_since(start) == [
        f"Estimados: les escribimos de {BUSINESS_NAME} por la cuenta de Ana Test "
        "para avisarles que ya reciben nuestros recordatorios por este medio, así "
        "que no hace falta que hagan nada.\n\n"
        "Respondan BAJA si no desean recibir más recordatorios."
    ]


def test_answer_in_portuguese(talk: Conversation, engine: Engine) -> None:
    # given: a Portuguese-speaking customer of a business with a CNPJ
    with transaction(engine) as session:
        session.scalars(select(Business)).one().tax_id = "11222333000181"
        session.scalars(select(Customer)).one().locale = "pt_BR"
    start = talk.sent

    # when
    action = talk.reply("quero voltar a receber as mensagens", NOW + timedelta(hours=1))

    # then
    answers = talk.sent_since(start)
    assert action == "already_opted_in"
    assert len(answers) == 1
    assert answers[0].startswith(
        f"Olá, Ana Test! Aqui é a equipe de {BUSINESS_NAME}: você já recebe "
        "nossos lembretes por este canal"
    )
    assert f"Dados do credor: {BUSINESS_NAME}, CNPJ 11.222.333/0001-81." in answers[0]
    assert answers[0].endswith("Responda SAIR se não quiser mais receber lembretes.")


def test_outbox_row_named_by_kind(talk: Conversation, engine: Engine) -> None:
    talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    with transaction(engine) as session:
        kinds = session.scalars(
            select(OutboxMessage.step_kind).where(
                OutboxMessage.step_kind == "optin_already_active"
            )
        ).all()
    assert kinds == ["optin_already_active"]


@pytest.mark.parametrize(
    "text",
    [
        "ALTA",
        "alta por favor 🙏",
        "ya pueden volver a escribirme",
        "Hola, ¿cómo estás? Ya pueden volver a escribirme",
        "quiero volver a recibir los avisos, gracias",
        "Sí, quiero volver a recibir los recordatorios por WhatsApp",
        "pueden seguir mandándome los recordatorios",
        "podem continuar me enviando os lembretes",
        "quero voltar a receber as mensagens",
        "pueden volver a escribirme a este número",
    ],
)
def test_only_opt_in_found(text: str) -> None:
    assert asks_only_to_opt_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "pueden volver a escribirme, pero el monto está mal",
        "pueden volver a escribirme, te pago el viernes",
        "pueden volver a escribirme el lunes",
        "quiero volver a recibir los avisos, ¿cuánto debo?",
        "ya pueden volver a escribirme, quiero hablar con alguien",
        "cómo pueden volver a escribirme si ya pagué",
        "no quiero volver a recibir mensajes",
        "ALTA y después BAJA",
        "te pago el viernes",
        "",
    ],
)
def test_mixed_replies_not_only_opt_in(text: str) -> None:
    assert not asks_only_to_opt_in(text)
