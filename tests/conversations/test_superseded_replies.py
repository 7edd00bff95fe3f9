"""Replies deferred over a weekend, and the newer replies that make them obsolete.

Argentina allows no messages on Saturdays or Sundays, so every reply the
customer gets on those days waits for Monday morning. Only what still
fits the customer's last word goes out then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply, sent_messages
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    InboundMessage,
    OutboxMessage,
    OutboxState,
)
from cobranza.jobs import run_cycle, sandbox_dispatcher
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+5491155550101"
# Friday 18 December 2026, 10:00 in Buenos Aires, when the case opened.
OPENED = datetime(2026, 12, 18, 13, 0, tzinfo=UTC)
# Saturday 19 and Sunday 20 December 2026 at noon in Buenos Aires.
SATURDAY = datetime(2026, 12, 19, 15, 0, tzinfo=UTC)
SUNDAY = datetime(2026, 12, 20, 15, 0, tzinfo=UTC)
# Monday 21 December 2026, 09:05 in Buenos Aires: the window is open.
MONDAY = datetime(2026, 12, 21, 12, 5, tzinfo=UTC)
FEE_SETTINGS = {"installments": {"fee_percent": 10, "max_count": 6}}


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def given_case(engine: Engine, settings: dict[str, Any] | None = None) -> int:
    """Add a customer owing $ 80.000,00 since 1 December, with an open case."""
    with transaction(engine) as session:
        business = make_business(session, OPENED)
        if settings:
            business.settings = {**business.settings, **settings}
        customer = make_customer(session, business, OPENED, "C1", PHONE, name="Juan")
        make_document(
            session, customer, OPENED, "A-0001", "80000.00", date(2026, 12, 1)
        )
        case = Case(
            business_id=business.id,
            customer_id=customer.id,
            state=CaseState.OPEN,
            planned_step="second_notice",
            opened_at=OPENED,
        )
        session.add(case)
        session.flush()
        return case.id


def reply(engine: Engine, text: str, at: datetime) -> str | None:
    """Record `text` from the customer at `at`; return the action taken."""
    with transaction(engine) as session:
        business = session.scalars(select(Business)).one()
        recorded = record_reply(session, business, PHONE, text, at)
        return session.get_one(InboundMessage, recorded.inbound_id).action_taken


def dispatch(engine: Engine, at: datetime) -> list[tuple[str, str]]:
    """Run the sandbox dispatcher at `at`; return the (step kind, text) sent then."""
    with transaction(engine) as session:
        business_id = session.scalars(select(Business.id)).one()
    sandbox_dispatcher(engine, at).run(business_id, at)
    with transaction(engine) as session:
        return [
            (message.step_kind, message.text)
            for message in sent_messages(session, business_id)
            if message.sent_at == at
        ]


def rows(engine: Engine, step_kind: str) -> list[tuple[str, str | None]]:
    """Return the (state, suppressed reason) of each row of `step_kind`."""
    with transaction(engine) as session:
        found = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.step_kind == step_kind)
            .order_by(OutboxMessage.id)
        )
        return [(row.state, row.suppressed_reason) for row in found]


SUPPRESSED = (OutboxState.SUPPRESSED, "reply_superseded")


def test_later_promise_confirms_only_latest(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "te pago el lunes", SATURDAY)

    # when
    reply(engine, "no, mejor el martes", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert [kind for kind, _ in sent] == ["promise_confirmation"]
    assert "martes 22 de diciembre" in sent[0][1]
    assert "lunes 21 de diciembre" not in sent[0][1]
    assert rows(engine, "promise_confirmation") == [SUPPRESSED, ("sent", None)]
    with transaction(engine) as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.reason == "reply_superseded")
        ).one()
        newest = session.scalars(
            select(InboundMessage).order_by(InboundMessage.id.desc())
        ).first()
        assert newest is not None
        assert audit.kind == "message_suppressed"
        assert audit.actor == "conversations"
        assert audit.details["replaced_by"] == "promise_confirmation"
        assert audit.details["inbound_id"] == newest.id


def test_date_question_dropped_once_answered(engine: Engine) -> None:
    # given
    given_case(engine)
    asked = reply(engine, "te pago pronto", SATURDAY)

    # when
    reply(engine, "el martes te pago", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert asked == "asked_promise_date"
    assert [kind for kind, _ in sent] == ["promise_confirmation"]
    assert rows(engine, "ask_promise_date") == [SUPPRESSED]


def test_clarify_dropped_after_clear_reply(engine: Engine) -> None:
    # given
    given_case(engine)
    asked = reply(engine, "no entiendo el mensaje", SATURDAY)

    # when
    reply(engine, "te pago el martes", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert asked == "asked_clarify"
    assert [kind for kind, _ in sent] == ["promise_confirmation"]
    assert rows(engine, "clarify") == [SUPPRESSED]


def test_newer_plan_proposal_replaces_older(engine: Engine) -> None:
    # given: a plan with a fee is only proposed
    given_case(engine, FEE_SETTINGS)
    first = reply(engine, "quiero pagar en 3 cuotas", SATURDAY)

    # when
    second = reply(engine, "mejor en 6 cuotas", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert (first, second) == ("plan_proposed", "plan_proposed")
    assert [kind for kind, _ in sent] == ["plan_proposal"]
    assert "6 cuotas" in sent[0][1]
    assert rows(engine, "plan_proposal") == [SUPPRESSED, ("sent", None)]


def test_promise_drops_unanswered_proposal(engine: Engine) -> None:
    # given: the proposal waits for an "acepto" that a promise rules out
    case_id = given_case(engine, FEE_SETTINGS)
    reply(engine, "quiero pagar en 3 cuotas", SATURDAY)

    # when
    reply(engine, "mejor te pago todo el martes", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    with transaction(engine) as session:
        assert session.get_one(Case, case_id).pending_question is None
    assert [kind for kind, _ in sent] == ["promise_confirmation"]
    assert rows(engine, "plan_proposal") == [SUPPRESSED]


def test_later_link_request_sends_one(engine: Engine) -> None:
    # given: two requests an hour apart, so each gets its own row
    given_case(engine)
    reply(engine, "pasame el link", SATURDAY)

    # when
    reply(
        engine, "no me llegó el link, pasamelo de nuevo", SATURDAY + timedelta(hours=1)
    )
    sent = dispatch(engine, MONDAY)

    # then
    kinds = [kind for kind, _ in sent]
    assert len(kinds) == 1
    assert kinds[0].startswith("link_reply")
    assert rows(engine, kinds[0])[0] == SUPPRESSED


def test_opt_in_replaces_opt_out_confirmation(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "BAJA", SATURDAY)

    # when
    reply(engine, "ALTA", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert [kind for kind, _ in sent] == ["optin_confirmation"]
    assert rows(engine, "optout_confirmation") == [SUPPRESSED]


def test_possible_opt_out_drops_queued_replies(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "te pago el martes", SATURDAY)

    # when: the model reads a stop request that no rule confirms
    reply(engine, "quero cancelar o recebimento dessas mensagens", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert sent == []
    assert rows(engine, "promise_confirmation") == [SUPPRESSED]


def test_possible_opt_out_keeps_opt_out_confirmation(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "BAJA", SATURDAY)

    # when
    reply(engine, "quero cancelar o recebimento dessas mensagens", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert [kind for kind, _ in sent] == ["optout_confirmation"]


def test_confirmation_kept_after_ok(engine: Engine) -> None:
    # given
    given_case(engine)
    reply(engine, "te pago el martes", SATURDAY)

    # when: an "ok" replaces nothing
    reply(engine, "ok gracias", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then
    assert [kind for kind, _ in sent] == ["promise_confirmation"]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("pasame el link", {"link_reply", "link_reply_instructions"}),
        ("no entiendo el mensaje", {"clarify"}),
        ("cuánto debo?", {"balance_reply"}),
    ],
)
def test_weekend_reply_survives_monday_run(
    engine: Engine, text: str, kinds: set[str]
) -> None:
    # given: no reminder sent yet, so Monday's run plans one
    case_id = given_case(engine)
    with transaction(engine) as session:
        session.get_one(Case, case_id).planned_step = None
    reply(engine, text, SATURDAY)

    # when: `cobranza run` plans the reminder and sends
    with transaction(engine) as session:
        business_id = session.scalars(select(Business.id)).one()
    run_cycle(engine, business_id, MONDAY)

    # then: the answer to the customer's question goes out, not only the reminder
    with transaction(engine) as session:
        sent = {message.step_kind for message in sent_messages(session, business_id)}
    assert sent & kinds


def test_dispute_drops_queued_balance(engine: Engine) -> None:
    # given: the answer about the balance waits for Monday
    given_case(engine)
    stated = reply(engine, "¿cuánto debo?", SATURDAY)

    # when: the customer then contests the amount
    reply(engine, "ese monto no corresponde, está mal", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then: the balance is not stated again, a person replies instead
    assert stated == "balance_stated"
    assert [kind for kind, _ in sent] == ["dispute_ack"]
    assert rows(engine, "balance_reply") == [SUPPRESSED]


def test_newer_balance_replaces_older(engine: Engine) -> None:
    # given
    given_case(engine)
    first = reply(engine, "¿cuánto debo?", SATURDAY)

    # when: the customer asks again the next day
    second = reply(engine, "cuánto te debo?", SUNDAY)
    sent = dispatch(engine, MONDAY)

    # then: one answer goes out on Monday
    assert (first, second) == ("balance_stated", "balance_stated")
    assert [kind for kind, _ in sent] == ["balance_reply"]
    assert "Tu saldo es de $ 80.000,00" in sent[0][1]
    assert rows(engine, "balance_reply") == [SUPPRESSED, ("sent", None)]
