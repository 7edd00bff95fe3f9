"""Twilio status and inbound webhooks: parsing and the event processor.

The routes store the raw form body with `kind` (status or inbound) and the
signed URL in the headers subset; `process_event` handles it later. Status
events are keyed on MessageSid + MessageStatus and inbound ones on
MessageSid, so a redelivery is stored once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import parse_qs, parse_qsl, urlsplit

from sqlalchemy.orm import Session

from cobranza.channels.errors import ChannelError, WebhookError
from cobranza.channels.inbox import (
    StatusUpdate,
    apply_status,
    match_customer,
    matching_customers,
    record_inbound,
    resolve_business,
)
from cobranza.channels.media import (
    MediaDownload,
    MediaKey,
    MediaRequest,
    download_each,
    failed_download,
    record_media,
    store_download,
)
from cobranza.channels.twilio.client import (
    TwilioClient,
    TwilioConfig,
    TwilioConfigError,
)
from cobranza.channels.twilio.redaction import redact_erased_status
from cobranza.compliance.erased_senders import drop_event_body, erased_after
from cobranza.config import Settings
from cobranza.db.models import (
    Business,
    Customer,
    InboundMessage,
    OutboxState,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

TWILIO = "twilio"
STATUS = "status"
INBOUND = "inbound"
# Permanent Twilio errors that a later media download can overcome: the
# credentials (20003, HTTP 401) are fixed in the settings, while the file
# stays at Twilio.
RETRIED_MEDIA_ERRORS = frozenset({"twilio_20003", "twilio_401"})

_STATUSES = {
    "sent": OutboxState.SENT,
    "delivered": OutboxState.DELIVERED,
    "read": OutboxState.READ,
    "failed": OutboxState.FAILED,
    "undelivered": OutboxState.FAILED,
}


def parse_form(raw_body: bytes) -> list[tuple[str, str]]:
    """Parse a form body; raise `WebhookError` (400) without a MessageSid."""
    try:
        params = parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookError(f"Twilio webhook body is not a form: {exc}") from exc
    if not any(name == "MessageSid" and value for name, value in params):
        raise WebhookError("Twilio webhook body has no MessageSid")
    return params


def event_key(kind: str, form: dict[str, str]) -> str:
    """Key a status on MessageSid + MessageStatus and an inbound on MessageSid."""
    material = form["MessageSid"]
    if kind == STATUS:
        material += ":" + form.get("MessageStatus", form.get("SmsStatus", ""))
    return hashlib.sha256(f"{kind}:{material}".encode()).hexdigest()


def process_event(
    session: Session, event: WebhookEvent, now: datetime, settings: Settings
) -> None:
    """Apply one stored status callback or store one inbound message.

    Once a status is applied, the stored form of an erased customer's
    message loses its recipient (`channels.twilio.redaction`). An inbound
    message that an erased customer sent before the erasure is not stored
    and its form is replaced (`cobranza.compliance.erased_senders`).
    """
    params = parse_form(event.raw_body)
    form = dict(params)
    business = resolve_business(session, settings)
    event.business_id = business.id
    kind = event.headers.get("kind")
    if kind == STATUS:
        outbox_id = _handle_status(session, business.id, form, event, now)
        if redact_erased_status(session, business.id, event, params, outbox_id):
            logger.info(
                "Twilio webhook event %s: status of an erased customer redacted",
                event.id,
            )
    elif kind == INBOUND:
        if _from_erased_sender(session, business, form, event):
            drop_event_body(session, business.id, event, 1, now)
            return
        _handle_inbound(session, business, form, now, settings)
    else:
        raise ValueError(f"Twilio webhook event {event.id} has unknown kind {kind!r}")


def _handle_status(
    session: Session,
    business_id: int,
    form: dict[str, str],
    event: WebhookEvent,
    now: datetime,
) -> int | None:
    """Apply one status; return the outbox id that the callback URL echoes."""
    raw_status = form.get("MessageStatus", form.get("SmsStatus", "unknown")).lower()
    query = parse_qs(urlsplit(str(event.headers.get("url", ""))).query)
    outbox_ids = query.get("outbox_id") or []
    update = StatusUpdate(
        provider_message_id=form["MessageSid"],
        status=_STATUSES.get(raw_status, raw_status),
        at=now,
        outbox_id=int(outbox_ids[0])
        if outbox_ids and outbox_ids[0].isdigit()
        else None,
        error_code=form.get("ErrorCode") or None,
        error_detail=form.get("ErrorMessage") or None,
    )
    apply_status(session, business_id, TWILIO, update, now)
    return update.outbox_id


def _from_erased_sender(
    session: Session, business: Business, form: dict[str, str], event: WebhookEvent
) -> bool:
    """Tell whether an erased customer sent the message before the erasure.

    A Twilio form carries no send time, so the time the body was stored
    stands for it: a message stored after the erasure is a new contact's.
    """
    return erased_after(session, business, event.received_at, wa_id=_wa_id(form))


def _handle_inbound(
    session: Session,
    business: Business,
    form: dict[str, str],
    now: datetime,
    settings: Settings,
) -> None:
    customer = match_customer(session, business, wa_id=_wa_id(form))
    inbound = _inbound_message(business, customer, form, now)
    stored = record_inbound(session, inbound, now)
    if stored is not None and int(form.get("NumMedia") or 0):
        record_media(session, stored, _media_request(form), now)


def read_messages(
    session: Session, event: WebhookEvent, now: datetime, settings: Settings
) -> list[InboundMessage]:
    """Build, without storing anything, the inbound message of one stored body.

    The reply handler prepares for it before the transaction that stores it.
    A status event has none.
    """
    if event.headers.get("kind") != INBOUND:
        return []
    form = dict(parse_form(event.raw_body))
    business = resolve_business(session, settings)
    if _from_erased_sender(session, business, form, event):
        return []
    # `match_customer` without its warning, which processing logs.
    candidates = matching_customers(session, business, wa_id=_wa_id(form))
    customer = candidates[0] if len(candidates) == 1 else None
    return [_inbound_message(business, customer, form, now)]


def read_media(event: WebhookEvent, settings: Settings) -> list[MediaRequest]:
    """List the file of one stored inbound body, to download before it is stored.

    Only the first file (`MediaUrl0`) is downloaded.
    """
    if event.headers.get("kind") != INBOUND:
        return []
    form = dict(parse_form(event.raw_body))
    if not int(form.get("NumMedia") or 0):
        return []
    return [_media_request(form)]


def _media_request(form: dict[str, str]) -> MediaRequest:
    url = form.get("MediaUrl0", "")
    return MediaRequest(
        provider=TWILIO,
        provider_message_id=form["MessageSid"],
        media_id=url.rstrip("/").rsplit("/", 1)[-1] or form["MessageSid"],
        mime_type=form.get("MediaContentType0"),
        url=url,
    )


def _wa_id(form: dict[str, str]) -> str:
    sender = form.get("From", "")
    return form.get("WaId") or sender.removeprefix("whatsapp:").lstrip("+")


def _inbound_message(
    business: Business,
    customer: Customer | None,
    form: dict[str, str],
    now: datetime,
) -> InboundMessage:
    sender = form.get("From", "")
    media_count = int(form.get("NumMedia") or 0)
    content_type = form.get("MediaContentType0") or ""
    if form.get("ButtonPayload"):
        kind = "button"
    elif media_count:
        kind = "image" if content_type.startswith("image/") else "document"
    else:
        kind = "text"
    return InboundMessage(
        business_id=business.id,
        customer_id=customer.id if customer is not None else None,
        channel="whatsapp",
        provider=TWILIO,
        provider_message_id=form["MessageSid"],
        sender=sender,
        type=kind,
        text=form.get("ButtonText") or form.get("Body") or None,
        received_at=now,
        reply_to=form.get("OriginalRepliedMessageSid") or None,
        details={
            "payload": form.get("ButtonPayload"),
            "num_media": media_count,
            "profile_name_present": bool(form.get("ProfileName")),
        },
    )


def download_receipts(
    settings: Settings, requests: Sequence[MediaRequest]
) -> dict[MediaKey, MediaDownload]:
    """Download inbound files with the account's credentials to temporary files.

    A request without a URL (a pending file, whose URL was not stored) is
    fetched from Twilio's Media resource of its message. A failed download
    becomes the error of its file, and a transient failure stops the batch
    (see `download_each`).
    """
    try:
        config = TwilioConfig.from_settings(settings)
    except TwilioConfigError as exc:
        # Retried: the file waits at Twilio while the settings are fixed.
        return {r.key: failed_download(r, exc, retry=True) for r in requests}
    client = TwilioClient(config)
    try:
        return download_each(
            requests, lambda request: _download(client, request, settings.media_dir)
        )
    finally:
        client.close()


def _download(
    client: TwilioClient, request: MediaRequest, media_dir: str
) -> MediaDownload:
    """Download one file; an error other than a transient or login one is final."""
    # Relative to the client's base URL, which ends in the API version.
    url = request.url or (
        f"/Accounts/{client.config.account_sid}/Messages/"
        f"{request.provider_message_id}/Media/{request.media_id}"
    )
    try:
        content = client.download(url)
    except ChannelError as exc:
        retry = exc.is_transient or exc.code in RETRIED_MEDIA_ERRORS
        return failed_download(request, exc, retry=retry)
    return store_download(request, content, media_dir)
