from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from cobranza.channels.base import OutgoingMessage
from cobranza.channels.errors import DuplicateSendError, InvalidRecipientError
from cobranza.channels.sandbox import SandboxChannel, record_reply, sent_messages
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    InboundMessage,
    SandboxMessage,
)
from tests.channels.factories import make_business, make_customer, make_outbox_row

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
PHONE = "+5491155550101"


def _given_row(engine: Engine) -> tuple[int, int, int]:
    with transaction(engine) as session:
        business = make_business(session, NOW)
        customer = make_customer(session, business, NOW, "C1", PHONE)
        row = make_outbox_row(session, customer, NOW)
        return business.id, customer.id, row.id


def _message(business_id: int, customer_id: int, outbox_id: int) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=outbox_id,
        business_id=business_id,
        customer_id=customer_id,
        to_phone=PHONE,
        text="Hola, te recordamos tu saldo.",
        buttons=("Pagar", "Ya pagué"),
    )


def test_send_stores_and_lookup_finds(engine: Engine) -> None:
    business_id, customer_id, outbox_id = _given_row(engine)
    channel = SandboxChannel(engine, clock=lambda: NOW)

    receipt = channel.send(_message(business_id, customer_id, outbox_id))

    assert receipt.sent_at == NOW
    assert channel.lookup(outbox_id) == receipt
    with transaction(engine) as session:
        stored = session.scalars(select(SandboxMessage)).one()
    assert stored.to_phone == PHONE
    assert stored.buttons == ["Pagar", "Ya pagué"]
    assert stored.provider_message_id == receipt.provider_message_id


def test_lookup_of_unsent_row_is_none(engine: Engine) -> None:
    _, _, outbox_id = _given_row(engine)
    channel = SandboxChannel(engine, clock=lambda: NOW)

    assert channel.lookup(outbox_id) is None
    assert channel.proves_absence


def test_second_send_of_row_rejected(engine: Engine) -> None:
    business_id, customer_id, outbox_id = _given_row(engine)
    channel = SandboxChannel(engine, clock=lambda: NOW)
    channel.send(_message(business_id, customer_id, outbox_id))

    with pytest.raises(DuplicateSendError) as raised:
        channel.send(_message(business_id, customer_id, outbox_id))

    assert not raised.value.is_transient
    with transaction(engine) as session:
        assert session.scalar(select(func.count(SandboxMessage.id))) == 1


def test_non_e164_recipient_rejected(engine: Engine) -> None:
    business_id, customer_id, outbox_id = _given_row(engine)
    channel = SandboxChannel(engine, clock=lambda: NOW)
    message = _message(business_id, customer_id, outbox_id)

    with pytest.raises(InvalidRecipientError, match="E.164"):
        channel.send(
            OutgoingMessage(**{**message.__dict__, "to_phone": "11 5555-0101"})
        )


def test_sent_messages_lists_customer(engine: Engine) -> None:
    business_id, customer_id, outbox_id = _given_row(engine)
    SandboxChannel(engine, clock=lambda: NOW).send(
        _message(business_id, customer_id, outbox_id)
    )

    with transaction(engine) as session:
        listed = sent_messages(session, business_id)

    assert len(listed) == 1
    assert listed[0].customer_external_id == "C1"
    assert listed[0].customer_name == "Cliente C1 (ficticio)"
    assert listed[0].phone == PHONE
    assert listed[0].step == "reminder_soft"
    assert listed[0].sent_at == NOW


def test_sent_messages_limit_keeps_latest(engine: Engine) -> None:
    business_id, customer_id, outbox_id = _given_row(engine)
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        other = make_customer(session, business, NOW, "C2", "+5491155550102")
        second_id = make_outbox_row(session, other, NOW, key="k2").id
        other_id = other.id
    SandboxChannel(engine, clock=lambda: NOW).send(
        _message(business_id, customer_id, outbox_id)
    )
    later = SandboxChannel(engine, clock=lambda: NOW + timedelta(hours=1))
    later.send(
        OutgoingMessage(
            **{
                **_message(business_id, other_id, second_id).__dict__,
                "to_phone": "+5491155550102",
                "text": "2",
            }
        )
    )

    with transaction(engine) as session:
        listed = sent_messages(session, business_id, limit=1)
        both = sent_messages(session, business_id)

    assert [message.text for message in listed] == ["2"]
    assert [message.sent_at for message in both] == [NOW, NOW + timedelta(hours=1)]


def test_sent_messages_scoped_by_business(engine: Engine) -> None:
    business_id, customer_id, outbox_id = _given_row(engine)
    SandboxChannel(engine, clock=lambda: NOW).send(
        _message(business_id, customer_id, outbox_id)
    )

    with transaction(engine) as session:
        other = make_business(session, NOW, name="Otra SA")
        listed = sent_messages(session, other.id)

    assert listed == []


@pytest.mark.parametrize(
    "typed", ["+54 9 11 5555-0101", "011 15 5555-0101", "+54 11 5555 0101"]
)
def test_reply_matched_by_phone(engine: Engine, typed: str) -> None:
    business_id, customer_id, _ = _given_row(engine)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        reply = record_reply(session, business, typed, "Ya pagué ayer", NOW)

    assert reply.customer_id == customer_id
    assert reply.customer_external_id == "C1"
    with transaction(engine) as session:
        inbound = session.get_one(InboundMessage, reply.inbound_id)
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == reply.inbound_id)
        ).one()
    assert inbound.text == "Ya pagué ayer"
    assert inbound.customer_id == customer_id
    assert inbound.received_at == NOW
    assert audit.kind == "reply_received"
    assert audit.reason == "customer_matched"


def test_reply_from_unknown_number_kept(engine: Engine) -> None:
    business_id, _, _ = _given_row(engine)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        reply = record_reply(session, business, "+5491144449999", "Hola", NOW)

    assert reply.customer_id is None
    assert reply.sender == "+5491144449999"
    with transaction(engine) as session:
        inbound = session.get_one(InboundMessage, reply.inbound_id)
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == reply.inbound_id)
        ).one()
    assert inbound.customer_id is None
    assert inbound.text == "Hola"
    assert audit.reason == "unknown_sender"


def test_reply_from_shared_phone_unassigned(engine: Engine) -> None:
    # As with WhatsApp and Twilio, a reply from a phone that two customers
    # share is attached to neither, so it never lands on the wrong one.
    business_id, _, _ = _given_row(engine)
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        make_customer(session, business, NOW, "C2", PHONE)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        reply = record_reply(session, business, "011 15 5555-0101", "Ya pagué", NOW)

    assert reply.customer_id is None
    assert reply.shared_by == ("C1", "C2")
    with transaction(engine) as session:
        inbound = session.get_one(InboundMessage, reply.inbound_id)
    assert inbound.customer_id is None


def test_reply_from_garbage_phone_rejected(engine: Engine) -> None:
    business_id, _, _ = _given_row(engine)

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        with pytest.raises(ValueError, match="el teléfono «abc» no tiene dígitos"):
            record_reply(session, business, "abc", "Hola", NOW)


@pytest.mark.parametrize(
    "typed", ["552187654320", "+55 21 8765-4320", "+55 21 98765-4320"]
)
def test_reply_brazil_wa_id_without_nine(engine: Engine, typed: str) -> None:
    # WhatsApp may report a Brazilian mobile without its ninth digit, and the
    # webhooks match that wa_id to the stored mobile, so the sandbox does too.
    with transaction(engine) as session:
        business = make_business(session, NOW, country="BR", name="Exemplo Ltda")
        customer = make_customer(session, business, NOW, "C1", "+5521987654320")
        business_id, customer_id = business.id, customer.id

    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        reply = record_reply(session, business, typed, "pago na sexta", NOW)

    assert reply.customer_id == customer_id
    assert reply.sender == "+5521987654320"


def test_reply_local_number_never_read_as_foreign(engine: Engine) -> None:
    # "202 555 0123" is a valid US number once read with a +1, but a local
    # number that is invalid in the business's country stays rejected.
    with transaction(engine) as session:
        business = make_business(session, NOW, country="BR", name="Exemplo Ltda")

        with pytest.raises(ValueError, match="no es válido en Brasil"):
            record_reply(session, business, "2025550123", "oi", NOW)
