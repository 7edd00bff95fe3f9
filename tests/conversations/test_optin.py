"""Opt-in detection and the opt-in action, through the sandbox and the cycle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.compliance.consent import current_consent, record_consent
from cobranza.conversations.optin import find_opt_in
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    ConsentAction,
    ConsentEvent,
    Customer,
    InboundMessage,
)
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+5491155550101"
# Monday 16 March 2026, 10:00 in Buenos Aires.
MONDAY = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "ALTA",
        "alta por favor 🙏",
        "Hola! quiero volver a recibir los avisos",
        "pueden volver a escribirme",
        "denme de alta",
        "quero voltar a receber as mensagens",
        "voltar",
        "START",
        "reactiven los recordatorios",
        "pueden seguir mandándome los recordatorios",
        "quiero seguir recibiendo los avisos",
        "podem continuar me enviando os lembretes",
        "así que pueden volver a escribirme",
    ],
)
def test_opt_in_phrases_found(text: str) -> None:
    assert find_opt_in(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "BAJA",
        "no quiero volver a recibir mensajes",
        "te pago el viernes",
        "me di de alta en el banco",
        "volver",
        "vou voltar amanhã",
        "alta la deuda che, no la reconozco",
        "ALTA y después BAJA",
        "no quiero seguir recibiendo recordatorios",
        # A question about why messages still come is a complaint.
        "¿cómo pueden volver a escribirme si ya pagué?",
        "¿por qué ustedes pueden seguir mandándome mensajes?",
        "por q pueden seguir enviando avisos",
        "el sistema sigue mandándome mensajes",
        "",
    ],
)
def test_other_replies_not_opt_in(text: str) -> None:
    assert find_opt_in(text) is None


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _portfolio(engine: Engine) -> tuple[int, int]:
    with transaction(engine) as session:
        business = make_business(session, MONDAY)
        customer = make_customer(session, business, MONDAY, "C1", PHONE)
        make_document(session, customer, MONDAY, "A-1", "1500.00", date(2026, 3, 5))
        return business.id, customer.id


def _reply(engine: Engine, business_id: int, text: str, at: datetime) -> str | None:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        recorded = record_reply(session, business, PHONE, text, at)
        inbound = session.get_one(InboundMessage, recorded.inbound_id)
        return inbound.action_taken


def _cycle(engine: Engine, business_id: int, at: datetime) -> list[str]:
    run_cycle(engine, business_id, at)
    with transaction(engine) as session:
        return [
            m.step_kind for m in sent_messages(session, business_id) if m.sent_at == at
        ]


def _consent(engine: Engine, business_id: int, customer_id: int) -> bool | None:
    with transaction(engine) as session:
        return current_consent(session, business_id, customer_id)


def test_opt_out_then_alta_resumes(engine: Engine) -> None:
    # given
    business_id, customer_id = _portfolio(engine)
    _cycle(engine, business_id, MONDAY)
    _reply(engine, business_id, "BAJA", MONDAY + timedelta(minutes=5))
    after_opt_out = _cycle(engine, business_id, MONDAY + timedelta(minutes=10))
    silent_next_day = _cycle(engine, business_id, MONDAY + timedelta(days=1))

    # when
    action = _reply(engine, business_id, "ALTA", MONDAY + timedelta(days=1, hours=1))
    confirmation = _cycle(engine, business_id, MONDAY + timedelta(days=1, hours=2))

    # then
    assert after_opt_out == ["optout_confirmation"]
    assert silent_next_day == []
    assert action == "opted_in"
    assert confirmation == ["optin_confirmation"]
    assert _consent(engine, business_id, customer_id) is True
    with transaction(engine) as session:
        events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
        assert [event.action for event in events][-2:] == ["revoke", "grant"]
        assert events[-1].source.startswith("respuesta del cliente")


def test_alta_without_opt_out_changes_nothing(engine: Engine) -> None:
    business_id, customer_id = _portfolio(engine)
    _cycle(engine, business_id, MONDAY)
    with transaction(engine) as session:
        before = len(session.scalars(select(ConsentEvent)).all())

    action = _reply(engine, business_id, "ALTA", MONDAY + timedelta(minutes=5))

    with transaction(engine) as session:
        after = len(session.scalars(select(ConsentEvent)).all())
    assert action != "opted_in"
    assert after == before
    assert _consent(engine, business_id, customer_id) is True


def test_wrong_person_cannot_opt_back_in(engine: Engine) -> None:
    business_id, customer_id = _portfolio(engine)
    _cycle(engine, business_id, MONDAY)
    _reply(engine, business_id, "número equivocado", MONDAY + timedelta(minutes=5))

    action = _reply(engine, business_id, "ALTA", MONDAY + timedelta(minutes=10))
    later = _cycle(engine, business_id, MONDAY + timedelta(minutes=20))

    assert action == "opt_in_ignored_wrong_person"
    assert _consent(engine, business_id, customer_id) is False
    assert later == []
    with transaction(engine) as session:
        customer = session.get_one(Customer, customer_id)
        assert customer.phone_status == "wrong_person"


def test_alta_cannot_lift_owner_revocation(engine: Engine) -> None:
    # given: the owner recorded the revocation (the customer asked by phone)
    business_id, customer_id = _portfolio(engine)
    _cycle(engine, business_id, MONDAY)
    with transaction(engine) as session:
        record_consent(
            session,
            business_id,
            customer_id,
            ConsentAction.REVOKE,
            "pedido por carta documento",
            None,
            MONDAY + timedelta(minutes=5),
            actor="owner@example.com",
        )

    # when
    action = _reply(engine, business_id, "ALTA", MONDAY + timedelta(hours=1))
    sent = _cycle(engine, business_id, MONDAY + timedelta(hours=2))

    # then
    assert action != "opted_in"
    assert _consent(engine, business_id, customer_id) is False
    assert sent == []


def test_alta_with_more_reaches_person(engine: Engine) -> None:
    # given: the customer opted out by message
    business_id, customer_id = _portfolio(engine)
    _cycle(engine, business_id, MONDAY)
    _reply(engine, business_id, "BAJA", MONDAY + timedelta(minutes=5))

    # when: the request for messages again also disputes the amount
    action = _reply(
        engine,
        business_id,
        "pueden volver a escribirme, pero el monto está mal",
        MONDAY + timedelta(hours=1),
    )
    sent = _cycle(engine, business_id, MONDAY + timedelta(hours=2))

    # then: the stop is lifted, and a person reads the rest
    assert action == "opted_in_handed_off"
    assert _consent(engine, business_id, customer_id) is True
    assert sent == ["optin_confirmation"]
    with transaction(engine) as session:
        case = session.scalars(
            select(Case).where(Case.customer_id == customer_id)
        ).one()
        assert case.state == CaseState.HANDED_OFF
        assert case.handoff_reason == "opt_in_with_more"
