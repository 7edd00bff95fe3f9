"""Replies that change what was agreed: late stops, disputes, plans and sums.

Each test records the customer's reply through the sandbox, so the real
handler reads it, acts on the stored case and queues what the customer
gets, and the sandbox dispatcher sends it through the gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.compliance.consent import current_consent
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer, InboundMessage
from cobranza.jobs.replies import install_reply_handler
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
    ["no, mejor BAJA", "mejor baja", "no mejor baja", "no. BAJA", "ok BAJA"],
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
