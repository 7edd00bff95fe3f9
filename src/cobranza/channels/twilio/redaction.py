"""Redact the status callbacks of erased customers' messages from stored bodies.

Twilio keeps sending status callbacks for a message after the customer's
data were erased, and each names the recipient's phone (`To`, and
`ChannelToAddress` on WhatsApp). The inbox stores the raw form before it
is processed. Once the status is applied, the form is rewritten with only
the fields that name no person, as `channels.whatsapp.redaction` does for
Meta's statuses. The error texts that the status stored are cleared too.
The event key (MessageSid and status) does not depend on the body, so a
redelivery is still recognised.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy.orm import Session

from cobranza.channels.redaction import drop_error_details, erased_messages
from cobranza.compliance.personal_data import REDACTED
from cobranza.db.models import WebhookEvent

# The fields of a status callback that name no person: the message, its
# account and sender, what happened to it and the error code. `To`,
# `ChannelToAddress`, `ErrorMessage` and every other field are dropped.
KEPT_STATUS_FIELDS = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "ChannelInstallSid",
        "ChannelPrefix",
        "ErrorCode",
        "EventType",
        "From",
        "MessageSid",
        "MessageStatus",
        "MessagingServiceSid",
        "SmsSid",
        "SmsStatus",
    }
)


def redact_erased_status(
    session: Session,
    business_id: int,
    event: WebhookEvent,
    form: list[tuple[str, str]],
    outbox_id: int | None,
) -> bool:
    """Rewrite `event.raw_body` without the recipient when its message is erased.

    `form` is the parsed body and `outbox_id` the id echoed in the callback
    URL. Returns True when the body was rewritten, and leaves it as stored
    when the message is not an erased customer's.
    """
    message_ids = [value for name, value in form if name == "MessageSid" and value]
    outbox_ids, _ = erased_messages(
        session, business_id, message_ids, [outbox_id] if outbox_id else []
    )
    if not outbox_ids:
        return False
    kept = [(name, value) for name, value in form if name in KEPT_STATUS_FIELDS]
    event.raw_body = urlencode([*kept, ("To", REDACTED)]).encode()
    drop_error_details(session, business_id, outbox_ids)
    return True
