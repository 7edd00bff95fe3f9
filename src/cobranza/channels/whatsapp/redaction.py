"""Redact the statuses of erased customers' messages from stored webhook bodies.

Meta keeps sending delivery and read statuses for a message after the
customer's data were erased, and each status names the recipient's phone
(`recipient_id`, the `wa_id`). The inbox stores the raw body before it is
processed. Once the statuses are applied, the body is rewritten with those
statuses cut down to the fields that name no person. The error texts that
the statuses stored are cleared too. The event's `event_key`, the sha256 of
the body as received, stays, so a redelivery is still recognised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from cobranza.channels.whatsapp.channel import outbox_id_from_callback
from cobranza.compliance.personal_data import REDACTED
from cobranza.db.models import (
    Customer,
    MessageStatusEvent,
    OutboxMessage,
    WebhookEvent,
)

# The fields of a status that name no person, which are the message, what
# happened to it and when, and what it cost. `recipient_id`,
# `recipient_user_id` and the error details are dropped.
KEPT_STATUS_FIELDS = frozenset(
    {"id", "status", "timestamp", "conversation", "pricing", "biz_opaque_callback_data"}
)
KEPT_ERROR_FIELDS = frozenset({"code", "title"})


def redact_erased_statuses(
    session: Session, business_id: int, event: WebhookEvent, body: dict[str, Any]
) -> int:
    """Rewrite `event.raw_body` without the recipients of erased customers' messages.

    Returns how many statuses were redacted. The body is left as stored
    when none of its statuses is for a message of an erased customer.
    """
    statuses = list(_statuses(body))
    if not statuses:
        return 0
    outbox_ids, message_ids = _erased_messages(session, business_id, statuses)
    if not outbox_ids:
        return 0

    redacted = 0
    for status in statuses:
        outbox_id = outbox_id_from_callback(status.get("biz_opaque_callback_data"))
        if str(status.get("id")) in message_ids or outbox_id in outbox_ids:
            _redact_status(status)
            redacted += 1
    event.raw_body = json.dumps(body).encode()
    _drop_error_details(session, outbox_ids)
    return redacted


def _statuses(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            for status in (change.get("value") or {}).get("statuses") or []:
                if isinstance(status, dict):
                    yield status


def _erased_messages(
    session: Session, business_id: int, statuses: list[dict[str, Any]]
) -> tuple[set[int], set[str]]:
    """Return the outbox ids and provider message ids of erased customers' messages.

    A status finds its outbox row by the outbox id it echoes or by the
    provider's message id, as `inbox.apply_status` finds it.
    """
    message_ids = {str(status["id"]) for status in statuses if status.get("id")}
    outbox_ids = set()
    for status in statuses:
        outbox_id = outbox_id_from_callback(status.get("biz_opaque_callback_data"))
        if outbox_id is not None:
            outbox_ids.add(outbox_id)
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.provider_message_id)
        .join(Customer, Customer.id == OutboxMessage.customer_id)
        .where(
            OutboxMessage.business_id == business_id,
            Customer.erased_at.is_not(None),
            or_(
                OutboxMessage.provider_message_id.in_(sorted(message_ids)),
                OutboxMessage.id.in_(sorted(outbox_ids)),
            ),
        )
    ).all()
    erased_outbox_ids = {outbox_id for outbox_id, _ in rows}
    erased_message_ids = {message_id for _, message_id in rows if message_id}
    return erased_outbox_ids, erased_message_ids


def _drop_error_details(session: Session, outbox_ids: set[int]) -> None:
    """Clear the provider's error texts that the statuses just applied stored.

    Meta's error details may quote the recipient's phone, and the erasure
    can no longer tell which do, because the phone is gone.
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


def _redact_status(status: dict[str, Any]) -> None:
    errors = [
        {key: value for key, value in error.items() if key in KEPT_ERROR_FIELDS}
        for error in status.get("errors") or []
        if isinstance(error, dict)
    ]
    for key in list(status):
        if key not in KEPT_STATUS_FIELDS:
            del status[key]
    status["recipient_id"] = REDACTED
    if errors:
        status["errors"] = errors
