"""Read what the sandbox sent and record the replies typed in by hand."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.channels.inbox import (
    handle_stored_reply,
    matching_customers,
    prepare_replies,
)
from cobranza.channels.sandbox.channel import SANDBOX
from cobranza.db.engine import transaction
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    InboundMessage,
    OutboxMessage,
    SandboxMessage,
)
from cobranza.phones import PHONE_EXAMPLES, match_wa_id, normalize_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentMessage:
    """One message the sandbox delivered, with the customer it went to."""

    outbox_id: int
    customer_external_id: str
    customer_name: str
    phone: str | None
    step: str
    step_kind: str
    text: str
    buttons: list[str]
    provider_message_id: str
    sent_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """Return the message as JSON-ready values, `sent_at` in ISO 8601."""
        return {
            "outbox_id": self.outbox_id,
            "customer": {
                "external_id": self.customer_external_id,
                "name": self.customer_name,
            },
            "phone": self.phone,
            "step": self.step,
            "step_kind": self.step_kind,
            "text": self.text,
            "buttons": list(self.buttons),
            "provider_message_id": self.provider_message_id,
            "sent_at": self.sent_at.isoformat(),
        }


@dataclass(frozen=True)
class RecordedReply:
    """The stored reply and the customer it was matched to, if any."""

    inbound_id: int
    customer_id: int | None
    customer_external_id: str | None
    sender: str
    # The external ids of the customers that share the sender's phone, when
    # there are several and so none was matched.
    shared_by: tuple[str, ...] = ()


def sent_messages(
    session: Session, business_id: int, limit: int | None = None
) -> list[SentMessage]:
    """Return the sandbox's messages for a business, oldest first.

    With `limit`, only the latest `limit` messages, still oldest first.
    """
    query = (
        select(SandboxMessage, OutboxMessage, Customer)
        .join(OutboxMessage, OutboxMessage.id == SandboxMessage.outbox_id)
        .join(Customer, Customer.id == OutboxMessage.customer_id)
        .where(SandboxMessage.business_id == business_id)
        .order_by(SandboxMessage.sent_at.desc(), SandboxMessage.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.execute(query))
    rows.reverse()
    return [
        SentMessage(
            outbox_id=outbox.id,
            customer_external_id=customer.external_id,
            customer_name=customer.name,
            phone=stored.to_phone,
            step=outbox.step,
            step_kind=outbox.step_kind,
            text=stored.text,
            buttons=list(stored.buttons),
            provider_message_id=stored.provider_message_id,
            sent_at=stored.sent_at,
        )
        for stored, outbox, customer in rows
    ]


def prepare_reply(
    engine: Engine, business_id: int, phone: str, text: str, now: datetime
) -> object:
    """Run `prepare_replies` on a reply before the transaction that records it.

    Pass the result to `record_reply` as `prepared`. With an LLM configured,
    it contains the LLM's answer, which `record_reply` never requests itself.
    Raises ValueError, as `record_reply` does, for an invalid phone number.
    """
    with transaction(engine) as session:
        business = session.get_one(Business, business_id)
        inbound, _ = _new_reply(session, business, phone, text, now)
    return prepare_replies(engine, [inbound])


def record_reply(
    session: Session,
    business: Business,
    phone: str,
    text: str,
    now: datetime,
    *,
    prepared: object = None,
) -> RecordedReply:
    """Store a reply from `phone` as an inbound message, audit it and act on it.

    The sender is matched to a customer by phone number. A number that
    matches no customer, or several, is kept with `customer_id` NULL. `prepared` is what
    `prepare_reply` returned for the same reply; without it the reply is
    read without the LLM.
    """
    inbound, candidates = _new_reply(session, business, phone, text, now)
    customer = candidates[0] if len(candidates) == 1 else None
    session.add(inbound)
    session.flush()

    session.add(
        AuditEvent(
            business_id=business.id,
            at=now,
            actor=SANDBOX,
            kind="reply_received",
            subject_type="inbound_message",
            subject_id=inbound.id,
            reason="customer_matched" if customer else "unknown_sender",
            details={
                "customer_id": customer.id if customer else None,
                "channel": SANDBOX,
            },
        )
    )
    handle_stored_reply(session, inbound, now, prepared)
    logger.info(
        "sandbox reply %s stored for customer %s",
        inbound.id,
        customer.id if customer else None,
    )
    return RecordedReply(
        inbound_id=inbound.id,
        customer_id=customer.id if customer else None,
        customer_external_id=customer.external_id if customer else None,
        sender=inbound.sender,
        shared_by=tuple(c.external_id for c in candidates) if customer is None else (),
    )


def _new_reply(
    session: Session, business: Business, phone: str, text: str, now: datetime
) -> tuple[InboundMessage, list[Customer]]:
    """Build the inbound message of a reply, unstored, and the customers it may be.

    The sender is matched as the WhatsApp and Twilio webhooks match it, so a
    phone that several customers share leaves the reply without a customer.
    """
    sender = normalise_phone(phone, business.country)
    candidates = matching_customers(session, business, wa_id=sender)
    customer = candidates[0] if len(candidates) == 1 else None
    inbound = InboundMessage(
        business_id=business.id,
        customer_id=customer.id if customer else None,
        channel=SANDBOX,
        provider=SANDBOX,
        provider_message_id=f"sandbox-in-{uuid.uuid4().hex}",
        sender=sender,
        type="text",
        text=text,
        received_at=now,
        entities={},
    )
    return inbound, candidates


def normalise_phone(phone: str, country: str) -> str:
    """Return `phone` in E.164, read as a mobile of `country` when local.

    A number written with its country code is also read as a WhatsApp
    `wa_id`, as the webhooks read it, so a Brazilian `wa_id` without the
    ninth digit (552198765432) reaches the stored mobile. Raises ValueError
    naming the value when it is not a valid phone number.
    """
    result = normalize_phone(phone, country, mobile=True)
    if result.e164 is None:
        wa_form = _international_wa_id(phone, country)
        if wa_form is not None:
            return wa_form
        # The problem text already names the value and calls it invalid.
        problem = result.problem or "el teléfono está vacío"
        example = PHONE_EXAMPLES.get(country.upper(), PHONE_EXAMPLES["AR"])
        raise ValueError(
            f"{problem}. Escribilo con el código de país, por ejemplo {example}"
        )
    return result.e164


def _international_wa_id(phone: str, country: str) -> str | None:
    """Return the stored form of `phone` read as a `wa_id` of `country`.

    Only a value whose digits start with the country's calling code is read
    this way, so a local number is never taken for one of another country.
    """
    digits = "".join(char for char in phone if char.isdigit())
    calling_code = str(phonenumbers.country_code_for_region(country.upper()))
    if not digits.startswith(calling_code):
        return None
    return match_wa_id(digits, country)
