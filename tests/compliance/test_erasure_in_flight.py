"""An erasure requested while a message to the customer is being sent.

The dispatcher claims and composes a row in one transaction and calls the
channel after it commits. An erasure that commits in between would redact
the row, and then the channel would store the text and the phone again
(the sandbox's copy, a provider's status webhooks).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from cobranza.channels.base import OutgoingMessage, SendResult
from cobranza.channels.dispatcher import Dispatcher
from cobranza.channels.sandbox import SandboxChannel
from cobranza.compliance.erasure import ErasureError, erase_customer
from cobranza.compliance.personal_data import REDACTED
from cobranza.db.engine import transaction
from cobranza.db.models import Business, Customer, SandboxMessage
from cobranza.jobs import run_cycle
from tests.channels.factories import make_business, make_customer, make_document

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
PHONE = "+5491155550101"


class ErasingChannel(SandboxChannel):
    """A sandbox whose send first requests the recipient's erasure."""

    def __init__(self, engine: Engine, customer_id: int) -> None:
        super().__init__(engine, clock=lambda: NOW)
        self.customer_id = customer_id
        self.errors: list[ErasureError] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            _erase(self._engine, self.customer_id)
        except ErasureError as exc:
            self.errors.append(exc)
        return super().send(message)


def _erase(engine: Engine, customer_id: int) -> None:
    with transaction(engine) as session:
        customer = session.get_one(Customer, customer_id)
        business = session.get_one(Business, customer.business_id)
        erase_customer(
            session, business, customer, NOW + timedelta(minutes=1), force=True
        )


def test_erasure_waits_for_message_in_flight(engine: Engine) -> None:
    # given: a customer with a reminder due now
    with transaction(engine) as session:
        business = make_business(session, NOW - timedelta(days=30))
        customer = make_customer(session, business, NOW, "C1", PHONE, name="Ana Paz")
        make_document(session, customer, NOW, "A-1", "1500.00", date(2026, 3, 1))
        business_id, customer_id = business.id, customer.id
    channel = ErasingChannel(engine, customer_id)
    dispatcher = Dispatcher(engine, {channel.name: channel})

    # when: the erasure is requested while the reminder is being sent
    run_cycle(engine, business_id, NOW, dispatcher=dispatcher)

    # then: it is rejected with the reason, and requested again it succeeds
    assert len(channel.errors) == 1
    assert "se está enviando" in str(channel.errors[0])
    _erase(engine, customer_id)
    with transaction(engine) as session:
        sent = session.scalars(select(SandboxMessage)).one()
        assert sent.to_phone is None
        assert sent.text == REDACTED
