"""Recognise messages that an erased customer wrote before the erasure.

A webhook body is stored before it is processed, and the erasure leaves
the bodies still waiting for the event worker alone, because the body
does not say which business it is for until it is processed. So a message
that the customer wrote just before the erasure may be processed after
it, when no customer has its number any more.

The erasure therefore records, for each form of the customer's WhatsApp
number (`wa_id_variants`) and for its WhatsApp user id, an HMAC-SHA256
under the business's `erasure_key` together with the erasure time
(`erased_sender` rows). The webhook processors drop a message whose sender
has such a row erased at or after the message was written. They store
neither the message nor its file, replace it in the stored body, and write
an `erased_sender_dropped` audit event with counts only. A message written
after the erasure is a new contact's and is handled as any other.

Like the external id's hash, the phone's hash keeps the number out of
listings and backups of single tables, but anyone who reads the whole
database, key included, can find a number by trying candidates.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from hashlib import sha256

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.compliance.personal_data import redacted_webhook_body
from cobranza.db.models import (
    AuditEvent,
    Business,
    Customer,
    ErasedSender,
    WebhookEvent,
)
from cobranza.phones import match_wa_id, wa_id_variants

logger = logging.getLogger(__name__)

# The reason code of the audit event of a dropped message.
ERASED_SENDER_REASON = "customer_erased"


def sender_hash(key: str, kind: str, value: str) -> str:
    """Return the HMAC-SHA256 (hex) of one sender address under a business's key.

    `kind` is "wa" for the digits of a WhatsApp number, "user" for a
    WhatsApp user id.
    """
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), sha256).hexdigest()


def _number_forms(value: str, country: str) -> set[str]:
    """Return the digit forms under which WhatsApp may report a number or wa_id."""
    digits = "".join(char for char in value if char.isdigit())
    if not digits:
        return set()
    forms = {digits}
    e164 = match_wa_id(digits, country)
    if e164 is not None:
        forms |= wa_id_variants(e164)
    return forms


def _hashes(key: str, country: str, numbers: set[str], user_ids: set[str]) -> set[str]:
    hashes = set()
    for number in numbers:
        hashes.update(
            sender_hash(key, "wa", form) for form in _number_forms(number, country)
        )
    hashes.update(sender_hash(key, "user", user_id) for user_id in user_ids)
    return hashes


def record_erased_senders(
    session: Session, business: Business, customer: Customer, now: datetime
) -> int:
    """Store the hashes of the customer's WhatsApp number and user id; return how many.

    Call it before the customer's phone is cleared. The business's
    `erasure_key` must be set.
    """
    if business.erasure_key is None:
        raise ValueError(f"business {business.id} has no erasure key")
    numbers = {value for value in (customer.phone, customer.wa_id) if value}
    user_ids = {customer.wa_user_id} if customer.wa_user_id else set()
    hashes = _hashes(business.erasure_key, business.country, numbers, user_ids)
    for digest in sorted(hashes):
        session.add(
            ErasedSender(business_id=business.id, sender_hash=digest, erased_at=now)
        )
    session.flush()
    return len(hashes)


def erased_after(
    session: Session,
    business: Business,
    sent_at: datetime,
    *,
    wa_id: str | None = None,
    user_id: str | None = None,
) -> bool:
    """Return True when the sender was erased at or after `sent_at`.

    The message was then written by the erased customer and must not be
    stored. A message written after the last erasure of its sender returns
    False, because it comes from a new contact. NOTE: when another
    customer shares the erased number, its messages written before the
    erasure and processed after it are dropped too.
    """
    if business.erasure_key is None or not (wa_id or user_id):
        return False
    hashes = _hashes(
        business.erasure_key,
        business.country,
        {wa_id} if wa_id else set(),
        {user_id} if user_id else set(),
    )
    if not hashes:
        return False
    erased_at = session.scalar(
        select(func.max(ErasedSender.erased_at)).where(
            ErasedSender.business_id == business.id,
            ErasedSender.sender_hash.in_(sorted(hashes)),
        )
    )
    return erased_at is not None and sent_at <= erased_at


def drop_event_body(
    session: Session,
    business_id: int,
    event: WebhookEvent,
    dropped: int,
    now: datetime,
) -> None:
    """Replace a body whose only messages were an erased customer's, and audit it."""
    event.raw_body = redacted_webhook_body(event.event_key)
    record_dropped(session, business_id, event, dropped, now)


def record_dropped(
    session: Session,
    business_id: int,
    event: WebhookEvent,
    dropped: int,
    now: datetime,
) -> None:
    """Audit the messages of erased customers dropped from `event`, with counts only."""
    logger.info(
        "%s webhook event %s: %s messages of erased customers dropped",
        event.provider,
        event.id,
        dropped,
    )
    session.add(
        AuditEvent(
            business_id=business_id,
            at=now,
            actor="webhook",
            kind="erased_sender_dropped",
            subject_type="webhook_event",
            subject_id=event.id,
            reason=ERASED_SENDER_REASON,
            details={"provider": event.provider, "messages": dropped},
        )
    )
