"""Find the messages of erased customers that a provider's status names.

Providers keep sending delivery and read statuses for a message after the
customer's data were erased, and each status names the recipient's phone.
The inbox stores the raw body before it is processed, so once the statuses
are applied each provider's processor rewrites its stored body without the
recipients (`channels.whatsapp.redaction`, `channels.twilio.redaction`).
The helpers here are what they share: which statuses are an erased
customer's, and clearing the provider's error texts that those statuses
stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Customer,
    MessageStatusEvent,
    OutboxMessage,
)


def erased_messages(
    session: Session,
    business_id: int,
    message_ids: Iterable[str],
    outbox_ids: Iterable[int],
) -> tuple[set[int], set[str]]:
    """Return the outbox ids and provider message ids of erased customers' messages.

    A status finds its outbox row by the outbox id it echoes or by the
    provider's message id, as `inbox.apply_status` finds it.
    """
    requested_messages = sorted(set(message_ids))
    requested_outbox = sorted(set(outbox_ids))
    if not (requested_messages or requested_outbox):
        return set(), set()
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.provider_message_id)
        .join(Customer, Customer.id == OutboxMessage.customer_id)
        .where(
            OutboxMessage.business_id == business_id,
            Customer.erased_at.is_not(None),
            or_(
                OutboxMessage.provider_message_id.in_(requested_messages),
                OutboxMessage.id.in_(requested_outbox),
            ),
        )
    ).all()
    erased_outbox_ids = {outbox_id for outbox_id, _ in rows}
    erased_message_ids = {message_id for _, message_id in rows if message_id}
    return erased_outbox_ids, erased_message_ids


def drop_error_details(
    session: Session, business_id: int, outbox_ids: set[int]
) -> None:
    """Clear the provider's error texts that the statuses just applied stored.

    An error text may quote the recipient's phone, and the erasure can no
    longer tell which do, because the phone is gone.
    """
    session.execute(
        update(MessageStatusEvent)
        .where(
            MessageStatusEvent.outbox_id.in_(sorted(outbox_ids)),
            MessageStatusEvent.error_detail.is_not(None),
        )
        .values(error_detail=None)
    )
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(sorted(outbox_ids)),
            OutboxMessage.error_detail.is_not(None),
        )
        .values(error_detail=None)
    )
    # A failed status also copies its error text into a `message_failed` event.
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.business_id == business_id,
            AuditEvent.subject_type == "outbox_message",
            AuditEvent.subject_id.in_(sorted(outbox_ids)),
        )
    )
    for event in events:
        if (event.details or {}).get("error_detail") is not None:
            event.details = {**event.details, "error_detail": None}
