"""Replies while every invoice owed is on hold go to a person.

An owner holds a customer's invoices with no end when they pass to a
lawyer (in Chile, collection must stop once the debtor is sued). The case
that the first reminder opened stays open until the next cycle, and a reply
that arrives meanwhile must not be answered with a "$ 0" balance or a link.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.db.engine import transaction
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    InboundMessage,
    OutboxMessage,
    OutboxState,
)
from cobranza.dunning.holds import hold_invoices
from cobranza.jobs import run_cycle
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+56987654321"
# Monday 7 December 2026, 10:00 in Santiago de Chile.
MONDAY = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _sued_customer(engine: Engine) -> tuple[int, int]:
    """A customer with an open case whose only invoice was then held."""
    with transaction(engine) as session:
        business = make_business(session, MONDAY, "CL")
        customer = make_customer(session, business, MONDAY, "C1", PHONE)
        make_document(session, customer, MONDAY, "F-1", "150000", date(2026, 11, 2))
        ids = business.id, customer.id
    run_cycle(engine, ids[0], MONDAY)
    with transaction(engine) as session:
        customer = session.get_one(Customer, ids[1])
        hold_invoices(
            session, customer, [], None, "demandado", date(2026, 12, 7),
            MONDAY, "test",
        )  # fmt: skip
    return ids


def _reply(engine: Engine, business_id: int, text: str, at: datetime) -> str:
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        record_reply(session, business, PHONE, text, at)
        inbound = session.scalars(
            select(InboundMessage).order_by(InboundMessage.id.desc())
        ).first()
        assert inbound is not None and inbound.action_taken is not None
        return inbound.action_taken


@pytest.mark.parametrize(
    "text", ["mándame el link", "te pago el viernes po", "asdf qwer"]
)
def test_reply_while_all_held_goes_to_person(engine: Engine, text: str) -> None:
    business_id, customer_id = _sued_customer(engine)

    action = _reply(engine, business_id, text, MONDAY + timedelta(hours=1))
    run_cycle(engine, business_id, MONDAY + timedelta(hours=2))

    assert action == "handed_off"
    with transaction(engine) as session:
        case = session.scalars(select(Case).where(Case.customer_id == customer_id))
        assert [c.handoff_reason for c in case] == ["invoices_held"]
        replies = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.customer_id == customer_id,
                OutboxMessage.sent_at > MONDAY,
            )
        ).all()
        assert [row.step_kind for row in replies] == ["handoff_ack"]
        assert all(row.state == OutboxState.SENT for row in replies)
