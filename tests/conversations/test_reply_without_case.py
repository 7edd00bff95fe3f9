"""Replies from customers with no open case: each one is acted on and visible.

A case opens with the first reminder and closes when nothing is owed or a
person closes it, so a customer may write before the first reminder or
after the case closed. These tests go through the sandbox reply path with
the real reply handler, then run dunning cycles to see what is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.compliance.consent import current_consent
from cobranza.conversations.complaints import threatens_complaint
from cobranza.conversations.inbox import REASON_LABELS, waiting_cases
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Customer,
    Document,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    PromiseToPay,
)
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import (
    PAYMENT_INSTRUCTIONS,
    make_business,
    make_customer,
    make_document,
)
from tests.scenarios.helpers import sandbox_texts

PHONE_BR = "+5511955551234"
PHONE_AR = "+5491155550101"
# Monday 7 December 2026, 10:00 in São Paulo and in Buenos Aires.
MONDAY = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
DUE_ON = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _brazilian_business(session: Session) -> Business:
    business = Business(
        name="Loja Exemplo Ltda",
        country="BR",
        timezone="America/Sao_Paulo",
        currency="BRL",
        locale="pt_BR",
        tax_id="12.345.678/0001-95",
        settings={"payment_instructions": PAYMENT_INSTRUCTIONS},
        created_at=MONDAY,
    )
    session.add(business)
    session.flush()
    return business


def _customer_owing(
    engine: Engine, country: str = "BR", *, consent: bool = True
) -> tuple[int, int]:
    """Build a customer who owes one overdue invoice and has no case yet."""
    with transaction(engine) as session:
        if country == "BR":
            business = _brazilian_business(session)
        else:
            business = make_business(session, MONDAY)
        phone = PHONE_BR if country == "BR" else PHONE_AR
        customer = make_customer(
            session, business, MONDAY, "C1", phone, consent=consent
        )
        make_document(session, customer, MONDAY, "NF-1", "1500.00", DUE_ON)
        return business.id, customer.id


def _reply(engine: Engine, business_id: int, text: str, at: datetime) -> str:
    """Store a sandbox reply at `at`; return the action taken on it."""
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        phone = PHONE_BR if business.country == "BR" else PHONE_AR
        record_reply(session, business, phone, text, at)
        inbound = session.scalars(
            select(InboundMessage).order_by(InboundMessage.id.desc())
        ).first()
        assert inbound is not None
        assert inbound.action_taken is not None
        return inbound.action_taken


def _open_case(engine: Engine, customer_id: int) -> Case | None:
    with transaction(engine) as session:
        return session.scalars(
            select(Case).where(
                Case.customer_id == customer_id, Case.closed_at.is_(None)
            )
        ).first()


def _queued_kinds(engine: Engine, customer_id: int) -> list[str]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.step_kind)
                .where(
                    OutboxMessage.customer_id == customer_id,
                    OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENT]),
                )
                .order_by(OutboxMessage.id)
            )
        )


def _inbox_reasons(engine: Engine, business_id: int, at: datetime) -> list[str]:
    with transaction(engine) as session:
        return [case.reason for case in waiting_cases(session, business_id, at)]


def _close_case_paid(engine: Engine, customer_id: int) -> None:
    """Pay the invoice and run the cycle that closes the case for zero balance."""
    with transaction(engine) as session:
        for document in session.scalars(
            select(Document).where(Document.customer_id == customer_id)
        ):
            document.open_amount = document.amount * 0
    with transaction(engine) as session:
        business_id = session.get_one(Customer, customer_id).business_id
    run_cycle(engine, business_id, MONDAY - timedelta(hours=1))


def test_dispute_without_case_pauses_and_hands_off(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action = _reply(engine, business_id, "não reconheço essa cobrança", MONDAY)
    run_cycle(engine, business_id, MONDAY + timedelta(minutes=5))
    for day in range(1, 6):
        run_cycle(engine, business_id, MONDAY + timedelta(days=day))

    # then
    assert action == "dispute_recorded"
    with transaction(engine) as session:
        document = session.scalars(select(Document)).one()
        assert document.disputed is True
    case = _open_case(engine, customer_id)
    assert case is not None
    assert case.state == CaseState.HANDED_OFF
    assert case.handoff_reason == "dispute"
    assert _inbox_reasons(engine, business_id, MONDAY) == ["dispute"]
    # The acknowledgement is the only message: no reminder follows.
    assert _queued_kinds(engine, customer_id) == ["dispute_ack"]
    texts = sandbox_texts(engine, customer_id)
    assert len(texts) == 1
    assert "Pausamos os lembretes" in texts[0]


@pytest.mark.parametrize(
    ("text", "action", "reason"),
    [
        ("quero falar com uma pessoa", "handed_off", "request_human"),
        ("não tenho como pagar agora", "handed_off", "cannot_pay"),
        ("já paguei", "asked_receipt", "payment_to_verify"),
        (
            "número errado, não conheço essa pessoa",
            "wrong_person_flagged",
            "wrong_person",
        ),
    ],
)
def test_hand_off_intents_without_case(
    engine: Engine, text: str, action: str, reason: str
) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action_taken = _reply(engine, business_id, text, MONDAY)

    # then
    assert action_taken == action
    case = _open_case(engine, customer_id)
    assert case is not None
    assert case.handoff_reason == reason
    assert _inbox_reasons(engine, business_id, MONDAY) == [reason]


def test_promise_without_case_is_recorded(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action = _reply(engine, business_id, "vou pagar na sexta", MONDAY)

    # then
    assert action == "promise_recorded"
    with transaction(engine) as session:
        promise = session.scalars(select(PromiseToPay)).one()
        assert promise.due_on == date(2026, 12, 11)
    case = _open_case(engine, customer_id)
    assert case is not None
    assert case.state == CaseState.PAUSED
    assert _queued_kinds(engine, customer_id) == ["promise_confirmation"]


def test_link_request_without_case_sends_link(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action = _reply(engine, business_id, "me manda o link para pagar", MONDAY)

    # then
    assert action == "link_sent"
    assert _open_case(engine, customer_id) is not None
    assert _queued_kinds(engine, customer_id) == ["link_reply_instructions"]


def test_balance_question_without_case_answered(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action = _reply(engine, business_id, "quanto eu devo?", MONDAY)

    # then: a case opens and the balance is stated
    assert action == "balance_stated"
    assert _open_case(engine, customer_id) is not None
    assert _queued_kinds(engine, customer_id) == ["balance_reply"]


def test_balance_question_after_close_acknowledged(engine: Engine) -> None:
    # given: the customer paid and the case closed
    business_id, customer_id = _customer_owing(engine, "AR")
    _reply(engine, business_id, "pasame el link", MONDAY - timedelta(hours=2))
    _close_case_paid(engine, customer_id)

    # when
    action = _reply(engine, business_id, "¿cuánto debo?", MONDAY)

    # then: the reply that no reminders are pending, and no case reopened
    assert action == "closed_acknowledged"
    assert _open_case(engine, customer_id) is None
    assert _queued_kinds(engine, customer_id)[-1] == "closed_ack"


def test_installments_without_case_acted_on(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action = _reply(engine, business_id, "posso parcelar em 3 vezes?", MONDAY)

    # then
    assert action not in ("no_case", "closed_acknowledged")
    assert _open_case(engine, customer_id) is not None
    assert _queued_kinds(engine, customer_id) != []


def test_acknowledge_without_case_opens_nothing(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)

    # when
    action = _reply(engine, business_id, "ok, obrigado", MONDAY)

    # then
    assert action == "no_case"
    assert _open_case(engine, customer_id) is None


def test_dispute_without_consent_sends_nothing(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine, consent=False)

    # when
    action = _reply(engine, business_id, "não reconheço essa cobrança", MONDAY)
    run_cycle(engine, business_id, MONDAY + timedelta(minutes=5))

    # then
    assert action == "dispute_recorded"
    assert _inbox_reasons(engine, business_id, MONDAY) == ["dispute"]
    assert sandbox_texts(engine, customer_id) == []


def test_dispute_after_case_closed_reaches_person(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)
    run_cycle(engine, business_id, MONDAY - timedelta(days=1))
    _close_case_paid(engine, customer_id)
    assert _open_case(engine, customer_id) is None

    # when
    action = _reply(engine, business_id, "não reconheço essa cobrança", MONDAY)

    # then
    assert action == "dispute_recorded"
    assert _inbox_reasons(engine, business_id, MONDAY) == ["dispute"]
    assert "dispute_ack" in _queued_kinds(engine, customer_id)


def test_paid_after_case_closed_is_acknowledged(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)
    run_cycle(engine, business_id, MONDAY - timedelta(days=1))
    _close_case_paid(engine, customer_id)

    # when
    action = _reply(engine, business_id, "já paguei", MONDAY)

    # then
    assert action == "closed_acknowledged"
    assert _open_case(engine, customer_id) is None
    assert _inbox_reasons(engine, business_id, MONDAY) == []


THREATS = [
    ("BR", "vocês são uns ladrões, parem de me encher o saco, vou no Procon"),
    ("BR", "parem de me mandar mensagens ou vou à justiça"),
    ("BR", "não me mandem mais mensagens, vou fazer uma reclamação"),
    ("AR", "dejen de escribirme o hago la denuncia en Defensa del Consumidor"),
    ("AR", "paren de escribirme, voy a llamar a mi abogado"),
    ("AR", "no me escriban más, los denuncio ante la SIC"),
    ("AR", "basta de mensajes, voy al Sernac"),
    ("AR", "dejen de molestar, voy a ir a Profeco"),
    ("AR", "dejen de escribirme, los voy a denunciar en Indecopi"),
]


@pytest.mark.parametrize(("country", "text"), THREATS)
@pytest.mark.parametrize("with_case", [True, False], ids=["case", "no_case"])
def test_opt_out_with_complaint_threat(
    engine: Engine, country: str, text: str, with_case: bool
) -> None:
    # given
    business_id, customer_id = _customer_owing(engine, country)
    if with_case:
        run_cycle(engine, business_id, MONDAY - timedelta(days=1))
        assert _open_case(engine, customer_id) is not None

    # when
    action = _reply(engine, business_id, text, MONDAY)

    # then
    assert action == "opted_out"
    with transaction(engine) as session:
        assert current_consent(session, business_id, customer_id) is False
    case = _open_case(engine, customer_id)
    assert case is not None
    assert case.state == CaseState.HANDED_OFF
    assert case.handoff_reason == "complaint_threat"
    assert _inbox_reasons(engine, business_id, MONDAY) == ["complaint_threat"]
    assert "complaint_threat" in REASON_LABELS
    kinds = _queued_kinds(engine, customer_id)
    assert "handoff_ack" not in kinds
    assert kinds.count("optout_confirmation") == 1


def test_plain_opt_out_is_not_handed_off(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)
    run_cycle(engine, business_id, MONDAY - timedelta(days=1))

    # when
    action = _reply(engine, business_id, "parem de me mandar mensagens", MONDAY)

    # then
    assert action == "opted_out"
    assert _inbox_reasons(engine, business_id, MONDAY) == []


def test_opt_out_with_new_contact_without_case(engine: Engine) -> None:
    # given: a customer the robot never wrote to
    business_id, customer_id = _customer_owing(engine, "AR")

    # when
    text = "no me escriban más por acá, escríbanme a ana@ejemplo.com"
    action = _reply(engine, business_id, text, MONDAY)

    # then: a person updates the contact, and the stop is confirmed once
    assert action == "opted_out"
    assert _inbox_reasons(engine, business_id, MONDAY) == ["opt_out_new_contact"]
    assert _queued_kinds(engine, customer_id) == ["optout_confirmation"]


def test_portuguese_promise_day_wording(engine: Engine) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)
    run_cycle(engine, business_id, MONDAY - timedelta(days=1))

    # when
    _reply(engine, business_id, "vou pagar na sexta", MONDAY)
    for day in range(0, 12):
        run_cycle(engine, business_id, MONDAY + timedelta(days=day, hours=1))

    # then
    texts = sandbox_texts(engine, customer_id)
    confirmations = [text for text in texts if "Anotamos" in text]
    broken = [text for text in texts if "Esperávamos" in text]
    assert len(confirmations) == 1
    assert (
        "Anotamos que, na sexta-feira, 11 de dezembro, você vai pagar R$ 1.500,00"
        in confirmations[0]
    )
    assert len(broken) == 1
    assert "Esperávamos seu pagamento na sexta-feira, 11 de dezembro e" in broken[0]
    assert "no dia" not in " ".join(texts)


# Threats without a stop request, which the intent model reads as a
# promise, a payment report or a dispute.
THREATS_WITHOUT_STOP = [
    "vou te denunciar no Procon",
    "se não resolverem vou processar vocês",
    "vou procurar meus direitos na justiça",
    "isso é um absurdo, vou no Procon",
]


@pytest.mark.parametrize("text", THREATS_WITHOUT_STOP)
@pytest.mark.parametrize("with_case", [True, False], ids=["case", "no_case"])
def test_complaint_threat_reaches_person(
    engine: Engine, text: str, with_case: bool
) -> None:
    # given
    business_id, customer_id = _customer_owing(engine)
    if with_case:
        run_cycle(engine, business_id, MONDAY - timedelta(days=1))

    # when
    action = _reply(engine, business_id, text, MONDAY)

    # then
    with transaction(engine) as session:
        intent = session.scalars(select(InboundMessage.intent)).one()
        assert session.scalars(select(PromiseToPay)).all() == []
        assert current_consent(session, business_id, customer_id) is True
    disputed = intent == "dispute"
    assert action == ("dispute_recorded" if disputed else "handed_off")
    case = _open_case(engine, customer_id)
    assert case is not None
    assert case.state == CaseState.HANDED_OFF
    assert _inbox_reasons(engine, business_id, MONDAY) == ["complaint_threat"]
    kinds = _queued_kinds(engine, customer_id)
    assert kinds[-1] == ("dispute_ack" if disputed else "handoff_ack")


@pytest.mark.parametrize(
    "text",
    [
        "já paguei, o banco vai processar o pagamento amanhã",
        "o pix ainda está processando",
        "me passa o link que eu pago hoje",
    ],
)
def test_payment_talk_is_no_threat(text: str) -> None:
    assert not threatens_complaint(text)


@pytest.mark.parametrize(
    "text",
    [
        "vou processar vocês",
        "vou te processar",
        "isso é caso de advogado",
        "los voy a denunciar en Profeco",
    ],
)
def test_threat_words_found(text: str) -> None:
    assert threatens_complaint(text)
