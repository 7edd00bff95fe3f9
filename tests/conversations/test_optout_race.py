"""Two stop requests of a customer without a case, handled at once.

With an open case the dialogue locks the case, so replies of one customer
act in turn. Without one, `actions.opt_out` locks the customer's row: two
workers that each handle a "BAJA" must still queue one confirmation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from cobranza.channels.inbox import set_reply_handler
from cobranza.channels.sandbox import record_reply
from cobranza.db.engine import session_factory, transaction
from cobranza.db.models import (
    Business,
    ConsentAction,
    ConsentEvent,
    InboundMessage,
    OutboxMessage,
)
from cobranza.jobs.replies import install_reply_handler
from tests.channels.factories import make_business, make_customer, make_document

PHONE = "+5491155550101"
# Monday 7 December 2026, 10:00 in Buenos Aires.
MONDAY = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
# How long the second worker must stay blocked to show that it waits.
LOCK_WAIT_SECONDS = 0.5


@pytest.fixture(autouse=True)
def reply_handler() -> Iterator[None]:
    previous = install_reply_handler()
    yield
    set_reply_handler(previous)


def _customer_without_case(engine: Engine) -> int:
    with transaction(engine) as session:
        business = make_business(session, MONDAY)
        customer = make_customer(session, business, MONDAY, "C1", PHONE)
        make_document(session, customer, MONDAY, "A-1", "1500.00", date(2026, 11, 16))
        return business.id


@pytest.mark.postgres
def test_concurrent_stops_confirm_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature")
    business_id = _customer_without_case(engine)
    factory = session_factory(engine)

    # given: a first "BAJA" handled but not committed
    first = factory()
    record_reply(first, first.get_one(Business, business_id), PHONE, "BAJA", MONDAY)

    def second_stop() -> None:
        with factory() as second:
            business = second.get_one(Business, business_id)
            at = MONDAY + timedelta(seconds=1)
            record_reply(second, business, PHONE, "no me escriban más", at)
            second.commit()

    # when: a second worker handles another stop of the same customer
    worker = threading.Thread(target=second_stop)
    worker.start()
    worker.join(timeout=LOCK_WAIT_SECONDS)
    waited = worker.is_alive()
    first.commit()
    first.close()
    worker.join(timeout=10)

    # then: it waited for the first, found the consent revoked, queued nothing
    with transaction(engine) as session:
        actions = session.scalars(
            select(InboundMessage.action_taken).order_by(InboundMessage.received_at)
        ).all()
        kinds = session.scalars(select(OutboxMessage.step_kind)).all()
        revocations = session.scalars(
            select(ConsentEvent.id).where(ConsentEvent.action == ConsentAction.REVOKE)
        ).all()
    assert waited is True
    assert worker.is_alive() is False
    assert actions == ["opted_out", "already_opted_out"]
    assert kinds == ["optout_confirmation"]
    assert len(revocations) == 1
