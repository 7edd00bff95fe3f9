"""Replies that ask who is writing, and requests to receive messages again.

Replies come in through the signed WhatsApp webhook, and the answers go out
through the dispatcher to the fake Graph API, as in
`test_e2e_whatsapp_flows`. The rule that spots an identity question is
tested on its own at the end, with near misses.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cobranza.compliance.consent import current_consent, record_consent
from cobranza.conversations import actions
from cobranza.conversations.actions import Reply
from cobranza.conversations.dialogue import _identity_action
from cobranza.conversations.identity import asks_who_writes
from cobranza.conversations.understand import Understanding, understand
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    ConsentAction,
    Customer,
    InboundMessage,
    OutboxMessage,
    OutboxState,
)
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
)

TZ = "America/Argentina/Buenos_Aires"


@pytest.fixture
def talk(chat: Conversation) -> Conversation:  # noqa: F811
    """The conversation of `test_e2e_whatsapp_flows`, after the first reminder."""
    return chat


def stored_reply(engine: Engine, text: str) -> InboundMessage:
    with transaction(engine) as session:
        inbound = session.scalars(
            select(InboundMessage).where(InboundMessage.text == text)
        ).one()
        session.expunge(inbound)
        return inbound


def the_case(engine: Engine) -> Case:
    with transaction(engine) as session:
        case = session.scalars(select(Case)).one()
        session.expunge(case)
        return case


def test_who_are_you_gets_identity(talk: Conversation, engine: Engine) -> None:
    # given
    start = talk.sent

    # when
    action = talk.reply("¿quién es usted?", NOW + timedelta(hours=1))

    # then: the business, its CUIT, why it writes and how to stop, no amount
    answers = talk.sent_since(start)
    assert action == "identified"
    assert len(answers) == 1
    answer = answers[0]
    assert answer.startswith(f"Hola Ana Test, te escribimos de {BUSINESS_NAME}")
    assert "por las facturas que tenés con nosotros" in answer
    assert f"Datos del acreedor: {BUSINESS_NAME}, CUIT 30-71234567-1." in answer
    assert answer.endswith("Respondé BAJA si no querés recibir más recordatorios.")
    assert "1.500" not in answer
    inbound = stored_reply(engine, "¿quién es usted?")
    assert inbound.intent == "other"
    assert inbound.entities["identity_question"] == "quien es usted"
    case = the_case(engine)
    assert case.pending_question is None
    assert case.handoff_reason is None
    assert case.state == CaseState.OPEN


def test_identity_without_tax_id(talk: Conversation, engine: Engine) -> None:
    with transaction(engine) as session:
        session.scalars(select(Business)).one().tax_id = None
    start = talk.sent

    action = talk.reply("¿de qué empresa son?", NOW + timedelta(hours=1))

    answers = talk.sent_since(start)
    assert action == "identified"
    assert len(answers) == 1
    assert f"Datos del acreedor: {BUSINESS_NAME}." in answers[0]
    assert "CUIT" not in answers[0]


@pytest.mark.parametrize(
    "text",
    [
        "quien me escribe?",
        "¿de dónde sacaron mi número?",
        "quem é você?",
        "quem está falando?",
        "¿esto qué es?",
    ],
)
def test_identity_questions_through_webhook(
    talk: Conversation, engine: Engine, text: str
) -> None:
    start = talk.sent

    action = talk.reply(text, NOW + timedelta(hours=1))

    answers = talk.sent_since(start)
    assert action == "identified"
    assert len(answers) == 1
    assert "Datos del acreedor:" in answers[0]
    assert stored_reply(engine, text).intent == "other"


def test_identity_keeps_the_clarification(talk: Conversation, engine: Engine) -> None:
    # given: the customer asks who writes, gets the answer, then writes
    # something unclear
    identified = talk.reply("¿quién es usted?", NOW + timedelta(hours=1))
    start = talk.sent

    # when
    unclear = talk.reply("no entiendo el mensaje", NOW + timedelta(hours=2))
    again_unclear = talk.reply("mmm no sé", NOW + timedelta(hours=3))

    # then: the identity answer did not use up the single clarifying question
    answers = talk.sent_since(start)
    assert identified == "identified"
    assert unclear == "asked_clarify"
    assert again_unclear == "handed_off"
    assert len(answers) == 2
    assert "No terminamos de entender tu mensaje" in answers[0]
    assert "Una persona del equipo" in answers[1]
    assert the_case(engine).handoff_reason == "unclear_reply"


def test_identity_keeps_pending_clarification(
    talk: Conversation, engine: Engine
) -> None:
    # given: a clarifying question is pending
    unclear = talk.reply("no entiendo el mensaje", NOW + timedelta(hours=1))

    # when: the customer asks who writes
    identified = talk.reply("¿quién es usted?", NOW + timedelta(hours=2))

    # then: it is answered and the clarification still waits for its answer
    assert unclear == "asked_clarify"
    assert identified == "identified"
    assert the_case(engine).pending_question == "clarify"


def test_second_identity_question_goes_to_person(
    talk: Conversation, engine: Engine
) -> None:
    # given
    first = talk.reply("¿quién es usted?", NOW + timedelta(hours=1))
    start = talk.sent

    # when: the customer asks again the same day
    second = talk.reply("pero quien me escribe?", NOW + timedelta(hours=2))

    # then: no second identity answer, a person takes over
    answers = talk.sent_since(start)
    assert first == "identified"
    assert second == "handed_off"
    assert len(answers) == 1
    assert "Una persona del equipo" in answers[0]
    case = the_case(engine)
    assert case.handoff_reason == "identity_repeated"
    assert case.state == CaseState.HANDED_OFF


def test_identity_question_next_day_answered(
    talk: Conversation, engine: Engine
) -> None:
    first = talk.reply("¿quién es usted?", NOW + timedelta(hours=1))
    start = talk.sent

    second = talk.reply("quién es?", NOW + timedelta(days=1, hours=2))

    answers = talk.sent_since(start)
    assert first == "identified"
    assert second == "identified"
    assert len(answers) == 1
    assert "Datos del acreedor:" in answers[0]


def test_request_for_person_is_no_identity_question(
    talk: Conversation, engine: Engine
) -> None:
    action = talk.reply("¿quién me puede atender?", NOW + timedelta(hours=1))

    assert action == "handed_off"
    assert stored_reply(engine, "¿quién me puede atender?").intent == "request_human"
    assert the_case(engine).handoff_reason == "request_human"


def test_identity_in_portuguese(talk: Conversation, engine: Engine) -> None:
    # given: a Portuguese-speaking customer of a business with a CNPJ
    with transaction(engine) as session:
        session.scalars(select(Business)).one().tax_id = "11222333000181"
        session.scalars(select(Customer)).one().locale = "pt_BR"
    start = talk.sent

    # when
    action = talk.reply("quem é você?", NOW + timedelta(hours=1))

    # then
    answers = talk.sent_since(start)
    assert action == "identified"
    assert len(answers) == 1
    assert answers[0].startswith(f"Olá, Ana Test! Aqui é a equipe de {BUSINESS_NAME}")
    assert f"Dados do credor: {BUSINESS_NAME}, CNPJ 11.222.333/0001-81." in answers[0]
    assert answers[0].endswith("Responda SAIR se não quiser mais receber lembretes.")


def test_identity_in_tu_spanish(talk: Conversation, engine: Engine) -> None:
    # given: a customer who reads neutral Spanish
    with transaction(engine) as session:
        session.scalars(select(Customer)).one().locale = "es_MX"
    start = talk.sent

    # when
    action = talk.reply("¿quién eres?", NOW + timedelta(hours=1))

    # then: tú forms, and the CUIT named by the business's country
    answers = talk.sent_since(start)
    assert action == "identified"
    assert len(answers) == 1
    assert "por las facturas que tienes con nosotros" in answers[0]
    assert "Si no eres Ana Test, avísanos" in answers[0]
    assert "CUIT 30-71234567-1" in answers[0]
    assert answers[0].endswith("Responde BAJA si no quieres recibir más recordatorios.")


def test_identity_after_opt_out_sends_nothing(
    talk: Conversation, engine: Engine
) -> None:
    talk.reply("BAJA", NOW + timedelta(hours=1))
    start = talk.sent

    action = talk.reply("¿quién es usted?", NOW + timedelta(hours=2))

    assert action == "identified"
    assert talk.sent == start
    with transaction(engine) as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.step_kind == "identity_reply")
        ).one()
        assert row.state == OutboxState.SUPPRESSED


def test_opt_in_after_opt_out_not_flagged(talk: Conversation, engine: Engine) -> None:
    # given: the customer opted out
    talk.reply("BAJA", NOW + timedelta(hours=1))
    start = talk.sent

    # when
    action = talk.reply(
        "quiero volver a recibir los avisos", NOW + timedelta(days=1, hours=1)
    )

    # then: consent is back, the customer gets the confirmation, and no case
    # waits for a person to check for a stop request
    answers = talk.sent_since(start)
    assert action == "opted_in"
    assert len(answers) == 1
    assert "volvés a recibir nuestros recordatorios" in answers[0]
    inbound = stored_reply(engine, "quiero volver a recibir los avisos")
    assert inbound.entities["possible_opt_out"] is False
    assert the_case(engine).handoff_reason is None
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is True


def test_opt_in_with_consent_not_a_stop(talk: Conversation, engine: Engine) -> None:
    # given: the customer never opted out
    start = talk.sent

    # when
    action = talk.reply("ya pueden volver a escribirme", NOW + timedelta(hours=1))

    # then: nobody checks it for a stop, and the customer learns that
    # reminders already reach them, with no hand-off
    answers = talk.sent_since(start)
    assert action == "already_opted_in"
    assert len(answers) == 1
    assert "ya recibís nuestros recordatorios" in answers[0]
    inbound = stored_reply(engine, "ya pueden volver a escribirme")
    assert inbound.entities["possible_opt_out"] is False
    assert the_case(engine).handoff_reason is None


def test_opt_in_after_owner_revocation_reaches_inbox(
    talk: Conversation, engine: Engine
) -> None:
    # given: the owner recorded the revocation
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        record_consent(
            session,
            customer.business_id,
            customer.id,
            ConsentAction.REVOKE,
            "pedido por teléfono",
            None,
            NOW + timedelta(minutes=30),
            actor="owner@example.com",
        )
    start = talk.sent

    # when
    action = talk.reply("quiero volver a recibir los avisos", NOW + timedelta(hours=1))

    # then: consent stays revoked, nothing is sent, and the case waits for the
    # owner with the reason
    assert action == "opt_in_ignored_owner_revocation"
    assert talk.sent == start
    case = the_case(engine)
    assert case.handoff_reason == "opt_in_owner_revocation"
    with transaction(engine) as session:
        customer = session.scalars(select(Customer)).one()
        assert current_consent(session, customer.business_id, customer.id) is False
        reasons = session.scalars(
            select(AuditEvent.reason).where(AuditEvent.kind == "case_handed_off")
        ).all()
        assert "opt_in_owner_revocation" in reasons


@pytest.mark.parametrize(
    "text", ["quiero volver a recibir los avisos", "ya pueden volver a escribirme"]
)
def test_opt_in_request_not_possible_opt_out(text: str) -> None:
    meaning = understand(text, NOW, TZ, "es_AR")

    assert meaning.intent == "request_human"
    assert meaning.possible_opt_out is False


def test_model_stop_still_possible_opt_out() -> None:
    text = "quero cancelar o recebimento dessas mensagens"

    meaning = understand(text, NOW, TZ, "pt_BR")

    assert meaning.intent == "request_human"
    assert meaning.possible_opt_out is True


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("¿quién es usted?", "quien es usted"),
        ("quien me escribe?", "quien me escribe"),
        ("¿de qué empresa son?", "de que empresa son"),
        ("¿de dónde sacaron mi número?", "donde sacaron mi numero"),
        ("quem é você?", "quem e voce"),
        ("quem está falando?", "quem esta falando"),
        ("¿esto qué es?", "esto que es"),
        ("¿Qué es esto?", "que es esto"),
        ("Hola, ¿quién habla?", "quien habla"),
        ("Buenas. Quiénes son?", "quienes son"),
        ("¿con quién hablo?", "con quien hablo"),
        ("quién sos vos", "quien sos vos"),
        ("¿quién les dio mi número?", "quien les dio mi numero"),
        ("como conseguiram meu número?", "como conseguiram meu numero"),
        ("de onde vocês são?", "de onde voces"),
        ("¿de dónde me escriben?", "de donde me escriben"),
        ("quién me manda esto?", "quien me manda esto"),
        ("o que é isso?", "o que e isso"),
    ],
)
def test_identity_questions_found(text: str, words: str) -> None:
    assert asks_who_writes(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "¿quién me puede atender?",
        "¿quién va a pagar?",
        "quem vai pagar é meu pai",
        "quien debe es mi hermano",
        "quien es el titular de la cuenta",
        "¿quién me manda el link?",
        "¿cómo cambio mi número?",
        "mi número cambió",
        "¿qué es esto de 5000 pesos?",
        "¿a qué negocio le pago?",
        "¿dónde pago?",
        "quem pode me ajudar?",
        "no sé quién debe eso",
        "te pago el viernes",
        "",
    ],
)
def test_near_misses_not_identity(text: str) -> None:
    assert asks_who_writes(text) is None


def _reply_read_as(text: str, intent: str, confidence: float, source: str) -> Reply:
    """Return a reply read as `intent`, with nothing else that the rule reads."""
    meaning = Understanding(
        intent=intent,
        confidence=confidence,
        promised_date=None,
        amount=None,
        installments=None,
        opt_out=False,
        source=source,  # type: ignore[arg-type]
    )
    unused: Any = None
    return Reply(
        session=unused,
        inbound=InboundMessage(type="text", text=text),
        business=unused,
        customer=unused,
        case=None,
        meaning=meaning,
        now=NOW,
        today=NOW.date(),
        tz=TZ,
    )


@pytest.mark.parametrize(
    ("intent", "confidence", "source", "answered"),
    [
        ("other", 0.97, "model", True),
        ("other", 1.0, "rules", True),
        ("acknowledge", 0.42, "model", True),
        ("promise_to_pay", 0.3, "model", True),
        ("acknowledge", 0.8, "model", False),
        ("acknowledge", 0.42, "llm", False),
        ("request_human", 0.3, "model", False),
        ("wrong_person", 0.3, "model", False),
        ("dispute", 0.3, "model", False),
    ],
)
def test_identity_rule_only_on_unsure_labels(
    intent: str, confidence: float, source: str, answered: bool
) -> None:
    reply = _reply_read_as("¿quién es usted?", intent, confidence, source)

    action = _identity_action(reply)

    if answered:
        assert action is actions.identify
        assert reply.entities["identity_question"] == "quien es usted"
    else:
        assert action is None
        assert "identity_question" not in reply.entities


def test_identity_rule_skips_captions() -> None:
    reply = _reply_read_as("¿quién es usted?", "other", 0.97, "model")
    reply.inbound.type = "image"

    assert _identity_action(reply) is None
