"""Keep erased customers' phones out of stored WhatsApp webhook bodies.

Statuses: Meta keeps sending delivery and read statuses for a message after the
customer's data were erased, and each status names the recipient's phone
(`recipient_id`, the `wa_id`). The inbox stores the raw body before it is
processed. Once the statuses are applied, the body is rewritten with those
statuses cut down to the fields that name no person. The error texts that
the statuses stored are cleared too. The event's `event_key`, the sha256 of
the body as received, stays, so a redelivery is still recognised.

Messages: a message that an erased customer wrote before the erasure, in a
body still waiting for the event worker at the erasure, is taken out of
the body before the handlers see it (`drop_erased_messages`), so it is not
stored (`cobranza.compliance.erased_senders`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from cobranza.channels.redaction import drop_error_details, erased_messages
from cobranza.channels.whatsapp.channel import outbox_id_from_callback
from cobranza.compliance.erased_senders import erased_after
from cobranza.compliance.personal_data import REDACTED
from cobranza.config import Settings
from cobranza.db.models import Business, WebhookEvent

# The fields of a status that name no person, which are the message, what
# happened to it and when, and what it cost. `recipient_id`,
# `recipient_user_id` and the error details are dropped.
KEPT_STATUS_FIELDS = frozenset(
    {"id", "status", "timestamp", "conversation", "pricing", "biz_opaque_callback_data"}
)
KEPT_ERROR_FIELDS = frozenset({"code", "title"})
# The fields of a dropped message kept in the stored body, under
# `erased_messages` in place of `messages`.
KEPT_MESSAGE_FIELDS = ("id", "timestamp", "type")


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
    outbox_ids, message_ids = erased_messages(
        session,
        business_id,
        (str(status["id"]) for status in statuses if status.get("id")),
        _echoed_outbox_ids(statuses),
    )
    if not outbox_ids:
        return 0

    redacted = 0
    for status in statuses:
        outbox_id = outbox_id_from_callback(status.get("biz_opaque_callback_data"))
        if str(status.get("id")) in message_ids or outbox_id in outbox_ids:
            _redact_status(status)
            redacted += 1
    event.raw_body = json.dumps(body).encode()
    drop_error_details(session, business_id, outbox_ids)
    return redacted


def _statuses(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            for status in (change.get("value") or {}).get("statuses") or []:
                if isinstance(status, dict):
                    yield status


def _echoed_outbox_ids(statuses: list[dict[str, Any]]) -> set[int]:
    outbox_ids = set()
    for status in statuses:
        outbox_id = outbox_id_from_callback(status.get("biz_opaque_callback_data"))
        if outbox_id is not None:
            outbox_ids.add(outbox_id)
    return outbox_ids


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


def drop_erased_messages(
    session: Session,
    business: Business,
    body: dict[str, Any],
    received_at: datetime,
    settings: Settings,
) -> int:
    """Take out of `body` the messages that erased customers wrote before the erasure.

    Returns how many were taken out. Each goes, cut down to
    `KEPT_MESSAGE_FIELDS`, to the change's `erased_messages` list, and the
    contacts that name its sender go too. A message is the erased
    customer's when its sender was erased at or after the earlier of its
    timestamp and `received_at`, when the body was stored. The caller
    stores the body it passed, since the event's raw body is unchanged.
    """
    dropped = 0
    for value in _served_message_values(body, settings):
        contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
        kept, erased = [], []
        for message in value.get("messages") or []:
            if isinstance(message, dict) and _from_erased_sender(
                session, business, message, contacts, received_at
            ):
                erased.append(message)
            else:
                kept.append(message)
        if not erased:
            continue
        senders = {
            str(sender)
            for message in erased
            for sender in sender_ids(message, contacts)
            if sender
        }
        value["messages"] = kept
        value["contacts"] = [
            contact
            for contact in contacts
            if kept and not senders & {contact.get("wa_id"), contact.get("user_id")}
        ]
        value["erased_messages"] = [
            {key: message[key] for key in KEPT_MESSAGE_FIELDS if key in message}
            for message in erased
        ]
        dropped += len(erased)
    return dropped


def sender_ids(
    message: dict[str, Any], contacts: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Return the sender's wa_id and user id, from the message or its contact."""
    sender = message.get("from") or message.get("from_user_id") or ""
    contact = next(
        (
            c
            for c in contacts
            if sender and sender in (c.get("wa_id"), c.get("user_id"))
        ),
        contacts[0] if len(contacts) == 1 else {},
    )
    wa_id = message.get("from") or contact.get("wa_id")
    user_id = message.get("from_user_id") or contact.get("user_id")
    return wa_id, user_id


def _served_message_values(
    body: dict[str, Any], settings: Settings
) -> Iterator[dict[str, Any]]:
    """Yield the `messages` changes of a body that this process serves."""
    configured = settings.whatsapp_phone_number_id
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            phone_number_id = (value.get("metadata") or {}).get("phone_number_id")
            if configured and phone_number_id and str(phone_number_id) != configured:
                continue
            yield value


def _from_erased_sender(
    session: Session,
    business: Business,
    message: dict[str, Any],
    contacts: list[dict[str, Any]],
    received_at: datetime,
) -> bool:
    wa_id, user_id = sender_ids(message, contacts)
    sent_at = received_at
    try:
        sent_at = min(sent_at, datetime.fromtimestamp(int(message["timestamp"]), UTC))
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        # OSError: a time beyond the platform's time_t, such as 10**18.
        pass
    return erased_after(
        session,
        business,
        sent_at,
        wa_id=str(wa_id) if wa_id else None,
        user_id=str(user_id) if user_id else None,
    )
