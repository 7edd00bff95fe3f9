"""An unclear reply from a customer who already pays in installments."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from cobranza.channels.sandbox import sent_messages
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    Installment,
    InstallmentStatus,
)
from cobranza.money import format_money
from tests.conversations.test_dialogue import (
    NOW,
    dispatch,
    get_case,
    given_customer,
    reply,
    reply_handler,  # noqa: F401 - fixture
    sent_texts,
)
from tests.conversations.test_superseded_replies import rows


def given_plan(engine: Engine) -> dict[str, int]:
    """Add the customer owing $ 1.500,00 and a plan of 3 made on request."""
    ids = given_customer(engine, queued_reminder=False)
    reply(engine, "quiero pagar en 3 cuotas")
    dispatch(engine)
    return ids


def installment(engine: Engine, number: int) -> Installment:
    with transaction(engine) as session:
        found = session.scalars(
            select(Installment).where(Installment.number == number)
        ).one()
        session.expunge(found)
        return found


def test_question_names_next_installment(engine: Engine) -> None:
    # given
    given_plan(engine)
    first = installment(engine, 1)
    later = NOW + timedelta(hours=1)

    # when
    inbound = reply(engine, "no entiendo el mensaje", later)
    sent = dispatch(engine, later)

    # then
    text = sent_texts(engine, "clarify_plan")[0]
    amount = format_money(first.amount, "ARS", "es_AR")
    due_on = f"{first.due_on.day} de marzo"
    assert inbound.action_taken == "asked_clarify"
    assert sent == ["clarify_plan"]
    assert f"lo próximo es pagar los {amount} de la cuota 1 de 3" in text
    assert f"con vencimiento el {due_on}." in text
    assert "cuotas o ya pagaste" not in text
    assert "pedir cuotas" not in text.lower()


def test_question_offers_no_installments(engine: Engine) -> None:
    # given
    given_plan(engine)
    later = NOW + timedelta(hours=1)

    # when
    reply(engine, "no entiendo el mensaje", later)
    dispatch(engine, later)

    # then
    with transaction(engine) as session:
        business_id = session.scalars(select(Business.id)).one()
        question = [
            message
            for message in sent_messages(session, business_id)
            if message.step_kind == "clarify_plan"
        ][0]
    assert question.buttons == ["Pagar", "Ya pagué"]


def test_question_skips_paid_installment(engine: Engine) -> None:
    # given: the first installment is paid
    given_plan(engine)
    second = installment(engine, 2)
    with transaction(engine) as session:
        session.get_one(
            Installment, installment(engine, 1).id
        ).status = InstallmentStatus.PAID
    later = NOW + timedelta(hours=1)

    # when
    reply(engine, "no entiendo el mensaje", later)
    dispatch(engine, later)

    # then
    text = sent_texts(engine, "clarify_plan")[0]
    amount = format_money(second.amount, "ARS", "es_AR")
    assert f"los {amount} de la cuota 2 de 3" in text


def test_second_unclear_reply_hands_off(engine: Engine) -> None:
    # given
    ids = given_plan(engine)
    reply(engine, "no entiendo el mensaje", NOW + timedelta(hours=1))

    # when
    second = reply(engine, "???", NOW + timedelta(hours=2))

    # then
    assert second.action_taken == "handed_off"
    assert get_case(engine, ids["case"]).handoff_reason == "unclear_reply"


def test_without_plan_offers_installments(engine: Engine) -> None:
    # given
    given_customer(engine, queued_reminder=False)

    # when
    reply(engine, "no entiendo el mensaje")
    sent = dispatch(engine)

    # then
    assert sent == ["clarify"]
    assert "pedir cuotas" in sent_texts(engine, "clarify")[0]


def test_plan_reply_drops_waiting_clarify(engine: Engine) -> None:
    # given: an unclear reply at night, whose question waits for the morning
    ids = given_customer(engine, queued_reminder=False)
    night = NOW + timedelta(hours=12)
    reply(engine, "no entiendo el mensaje", night)

    # when: the customer then requests a plan, made at once
    reply(engine, "quiero pagar en 3 cuotas", night + timedelta(minutes=5))

    # then
    with transaction(engine) as session:
        case = session.get_one(Case, ids["case"])
        assert case.state == CaseState.PAUSED
    assert rows(engine, "clarify") == [("suppressed", "reply_superseded")]
