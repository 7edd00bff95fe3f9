"""WhatsApp webhooks: signature check, parsing, and the event processor.

The route (`cobranza.web.webhooks_whatsapp`) calls `verify_signature` and
`parse_body`, stores the raw body and returns 200. `process_event` later reads
every entry and every change of the stored body and picks a handler by the
change's `field`: delivery statuses and inbound messages (`messages`),
template review (`message_template_status_update`) and re-categorisation
(`template_category_update`). Other fields are logged and skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from cobranza.channels.errors import (
    ChannelError,
    SignatureMismatchError,
    SignatureMissingError,
    WebhookError,
)
from cobranza.channels.inbox import (
    StatusUpdate,
    apply_status,
    match_customer,
    matching_customers,
    record_inbound,
    resolve_business,
    status_row,
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
from cobranza.channels.whatsapp.channel import WHATSAPP, outbox_id_from_callback
from cobranza.channels.whatsapp.config import WhatsAppConfig, WhatsAppConfigError
from cobranza.channels.whatsapp.errors import (
    UNREACHABLE_PROBLEM,
    GraphAuthError,
    MediaTooLargeError,
)
from cobranza.channels.whatsapp.graph import GraphClient
from cobranza.channels.whatsapp.redaction import (
    drop_erased_messages,
    redact_erased_statuses,
    sender_ids,
)
from cobranza.channels.whatsapp.templates import (
    find_template,
    parse_status,
    set_template_status,
)
from cobranza.compliance.erased_senders import record_dropped
from cobranza.config import Settings
from cobranza.db.models import (
    Business,
    Customer,
    InboundMessage,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
    TemplateStatus,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
# Inbound types whose media is downloaded at once: receipts come as these.
DOWNLOADED_MEDIA = frozenset({"image", "document"})
MEDIA_TYPES = frozenset({"image", "document", "audio", "video", "sticker"})
# Meta's error code for a message it could not deliver: the number is not on
# WhatsApp, the app is too old, or the terms were not accepted.
NOT_ON_WHATSAPP_CODE = "131026"


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Check `X-Hub-Signature-256` over the exact bytes received.

    Raises `SignatureMissingError` without the header and
    `SignatureMismatchError` when it does not match. The body is never
    re-serialised, because Meta escapes characters (`\\u00e4`, `\\/`) that
    `json.dumps` would write differently.
    """
    if not header:
        raise SignatureMissingError(f"missing {SIGNATURE_HEADER} header")
    scheme, _, received = header.strip().partition("=")
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    if scheme != "sha256" or not hmac.compare_digest(
        expected.encode(), received.encode("utf-8", "replace")
    ):
        raise SignatureMismatchError(
            f"{SIGNATURE_HEADER} does not match the body: check "
            "COBRANZA_WHATSAPP_APP_SECRET"
        )


def parse_body(raw_body: bytes) -> dict[str, Any]:
    """Parse a webhook body; raise `WebhookError` (400) unless it is a JSON object."""
    try:
        body = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        # RecursionError: arrays or objects nested past the stack.
        raise WebhookError(f"webhook body is not JSON: {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("entry", []), list):
        raise WebhookError("webhook body is not an object with an entry list")
    return body


def event_key(raw_body: bytes) -> str:
    """Return the deduplication key of a body: its sha256, hex."""
    return hashlib.sha256(raw_body).hexdigest()


ChangeHandler = Callable[[Session, Business, dict[str, Any], datetime, Settings], None]


def process_event(
    session: Session, event: WebhookEvent, now: datetime, settings: Settings
) -> None:
    """Handle every change of every entry of one stored WhatsApp body."""
    body = parse_body(event.raw_body)
    business = resolve_business(session, settings)
    event.business_id = business.id
    # Before the handlers, so that they never see the messages of an
    # erased customer.
    dropped = drop_erased_messages(session, business, body, event.received_at, settings)

    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            field = change.get("field")
            value = change.get("value") or {}
            template_handler = TEMPLATE_HANDLERS.get(field)
            if template_handler is not None:
                if not _serves_account(entry, settings):
                    logger.warning(
                        "WhatsApp %s for business account %s skipped: this "
                        "process serves %s",
                        field,
                        entry.get("id"),
                        settings.whatsapp_business_account_id,
                    )
                    continue
                reported_at = _timestamp(entry.get("time"), now)
                template_handler(session, business, value, now, reported_at)
                continue
            handler = HANDLERS.get(field)
            if handler is None:
                logger.info("WhatsApp webhook field %s is not handled", field)
                continue
            handler(session, business, value, now, settings)

    # The statuses are applied, so the copy kept for audit can lose the phones
    # of customers erased since their messages were sent.
    redacted = redact_erased_statuses(session, business.id, event, body)
    if redacted:
        logger.info(
            "WhatsApp webhook event %s: %s statuses of erased customers redacted",
            event.id,
            redacted,
        )
    if dropped:
        event.raw_body = json.dumps(body).encode()
        record_dropped(session, business.id, event, dropped, now)


def handle_messages_change(
    session: Session,
    business: Business,
    value: dict[str, Any],
    now: datetime,
    settings: Settings,
) -> None:
    """Apply the statuses and store the inbound messages of one change."""
    if not _serves(value, settings):
        logger.warning(
            "WhatsApp change for phone number id %s skipped: this process serves %s",
            (value.get("metadata") or {}).get("phone_number_id"),
            settings.whatsapp_phone_number_id,
        )
        return

    for status in value.get("statuses") or []:
        handle_status(session, business, status, now)
    contacts = value.get("contacts") or []
    for message in value.get("messages") or []:
        handle_message(session, business, message, contacts, now, settings)
    for error in value.get("errors") or []:
        logger.warning("WhatsApp reported error %s in a webhook", error.get("code"))


def _serves_account(entry: dict[str, Any], settings: Settings) -> bool:
    """Tell whether an entry is for the business account this process serves.

    An app that several WhatsApp Business Accounts subscribed to receives
    the template reviews of all of them, under the account's id.
    """
    configured = settings.whatsapp_business_account_id
    account = entry.get("id")
    return not (configured and account and str(account) != configured)


def _serves(value: dict[str, Any], settings: Settings) -> bool:
    """Tell whether a change is for the phone number this process serves."""
    phone_number_id = (value.get("metadata") or {}).get("phone_number_id")
    configured = settings.whatsapp_phone_number_id
    return not (configured and phone_number_id and str(phone_number_id) != configured)


def read_messages(
    session: Session, event: WebhookEvent, now: datetime, settings: Settings
) -> list[InboundMessage]:
    """Build, without storing anything, the inbound messages of one stored body.

    The reply handler prepares for them before the transaction that stores
    them. Each is matched to a customer as `handle_message` matches it.
    """
    body = parse_body(event.raw_body)
    business = resolve_business(session, settings)
    drop_erased_messages(session, business, body, event.received_at, settings)
    messages = []
    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            if change.get("field") != "messages" or not _serves(value, settings):
                continue
            contacts = value.get("contacts") or []
            for message in value.get("messages") or []:
                wa_id, user_id = sender_ids(message, contacts)
                # `match_customer` without its warning, which processing logs.
                candidates = matching_customers(
                    session, business, wa_id=wa_id, user_id=user_id
                )
                customer = candidates[0] if len(candidates) == 1 else None
                messages.append(
                    _inbound_message(business, customer, message, user_id, now)
                )
    return messages


def read_media(event: WebhookEvent, settings: Settings) -> list[MediaRequest]:
    """List the receipts that the inbound messages of one stored body carry.

    They are downloaded before the transaction that stores the messages.
    """
    body = parse_body(event.raw_body)
    requests = []
    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            if change.get("field") != "messages" or not _serves(value, settings):
                continue
            for message in value.get("messages") or []:
                kind = str(message.get("type") or "unknown")
                if kind in DOWNLOADED_MEDIA:
                    _, details = _content(kind, message)
                    requests.append(_media_request(str(message["id"]), details))
    return requests


def _media_request(message_id: str, details: Mapping[str, Any]) -> MediaRequest:
    return MediaRequest(
        provider=WHATSAPP,
        provider_message_id=message_id,
        media_id=str(details.get("media_id") or ""),
        mime_type=details.get("mime_type"),
        file_name=details.get("filename"),
        sha256=details.get("sha256"),
    )


def handle_status(
    session: Session, business: Business, status: dict[str, Any], now: datetime
) -> None:
    errors = status.get("errors") or []
    error = errors[0] if errors else {}
    error_data = error.get("error_data") or {}
    update_ = StatusUpdate(
        provider_message_id=str(status["id"]),
        status=str(status.get("status", "unknown")).lower(),
        at=_timestamp(status.get("timestamp"), now),
        outbox_id=outbox_id_from_callback(status.get("biz_opaque_callback_data")),
        pricing=status.get("pricing"),
        error_code=str(error["code"]) if error.get("code") is not None else None,
        error_detail=error_data.get("details") or error.get("title"),
    )
    row = status_row(session, business.id, update_)
    unreachable_before = _failed_unreachable(row)
    if not apply_status(session, business.id, WHATSAPP, update_, now):
        return
    if row is None:
        return

    # The row's state after `apply_status` decides, because a failure that
    # arrives after a delivered or read status changes nothing.
    if update_.status == "failed" and _failed_unreachable(row):
        _set_phone_status(
            session, business, row.customer_id, PhoneStatus.NOT_ON_WHATSAPP
        )
    elif unreachable_before and row.state in (OutboxState.DELIVERED, OutboxState.READ):
        # A 131026 that arrived before the delivered or read status of the
        # same message was wrong about the number.
        _set_phone_status(session, business, row.customer_id, PhoneStatus.VALID)


def _failed_unreachable(row: OutboxMessage | None) -> bool:
    """Tell whether a row failed with 131026 (the number is not on WhatsApp)."""
    return (
        row is not None
        and row.state == OutboxState.FAILED
        and row.error_code == NOT_ON_WHATSAPP_CODE
    )


def _set_phone_status(
    session: Session, business: Business, customer_id: int, status: PhoneStatus
) -> None:
    """Mark a customer's number as not on WhatsApp, or undo that mark.

    Undoing changes only a number that a 131026 marked, so a problem that
    the business or a reply recorded since is kept.
    """
    conditions = [Customer.id == customer_id, Customer.business_id == business.id]
    problem: str | None = UNREACHABLE_PROBLEM
    if status == PhoneStatus.VALID:
        conditions += [
            Customer.phone_status == PhoneStatus.NOT_ON_WHATSAPP,
            Customer.phone_problem == UNREACHABLE_PROBLEM,
        ]
        problem = None
    result = session.execute(
        update(Customer)
        .where(*conditions)
        .values(phone_status=status, phone_problem=problem)
    )
    if status == PhoneStatus.VALID and result.rowcount:  # type: ignore[attr-defined]
        logger.info(
            "customer %s is on WhatsApp again: a later status of the message "
            "that failed with %s shows it reached the phone",
            customer_id,
            NOT_ON_WHATSAPP_CODE,
        )


def handle_message(
    session: Session,
    business: Business,
    message: dict[str, Any],
    contacts: list[dict[str, Any]],
    now: datetime,
    settings: Settings,
) -> None:
    """Store one inbound message (any type) and describe its receipt, if any."""
    wa_id, user_id = sender_ids(message, contacts)
    customer = match_customer(session, business, wa_id=wa_id, user_id=user_id)
    if customer is not None:
        _remember_identity(customer, wa_id, user_id)

    inbound = _inbound_message(business, customer, message, user_id, now)
    stored = record_inbound(session, inbound, now)
    if stored is not None and inbound.type in DOWNLOADED_MEDIA:
        request = _media_request(inbound.provider_message_id, inbound.details or {})
        record_media(session, stored, request, now)


def _inbound_message(
    business: Business,
    customer: Customer | None,
    message: dict[str, Any],
    user_id: str | None,
    now: datetime,
) -> InboundMessage:
    sender = message.get("from") or message.get("from_user_id") or ""
    kind = str(message.get("type") or "unknown")
    text, details = _content(kind, message)
    return InboundMessage(
        business_id=business.id,
        customer_id=customer.id if customer is not None else None,
        channel=WHATSAPP,
        provider=WHATSAPP,
        provider_message_id=str(message["id"]),
        sender=str(sender),
        sender_user_id=user_id,
        type=kind,
        text=text,
        received_at=_timestamp(message.get("timestamp"), now),
        reply_to=(message.get("context") or {}).get("id"),
        details=details,
    )


def _remember_identity(
    customer: Customer, wa_id: str | None, user_id: str | None
) -> None:
    if wa_id and customer.wa_id != wa_id:
        customer.wa_id = wa_id
    if user_id and customer.wa_user_id != user_id:
        customer.wa_user_id = user_id


def _content(kind: str, message: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Return the readable text and the type-specific details of a message."""
    raw = message.get(kind)
    body: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if kind == "text":
        return body.get("body"), {}
    if kind == "button":
        return body.get("text"), {"payload": body.get("payload")}
    if kind == "interactive":
        reply_type = body.get("type")
        raw_reply = body.get(str(reply_type))
        reply: dict[str, Any] = raw_reply if isinstance(raw_reply, dict) else {}
        return reply.get("title"), {
            "interactive_type": reply_type,
            "reply_id": reply.get("id"),
            "description": reply.get("description"),
        }
    if kind == "reaction":
        emoji = body.get("emoji") or None
        return emoji, {"message_id": body.get("message_id"), "removed": emoji is None}
    if kind in MEDIA_TYPES:
        return body.get("caption"), {
            "media_id": body.get("id"),
            "mime_type": body.get("mime_type"),
            "sha256": body.get("sha256"),
            "filename": body.get("filename"),
        }
    if kind in ("unsupported", "unknown"):
        return None, {"errors": message.get("errors") or []}
    return None, {kind: body}


def download_receipts(
    settings: Settings, requests: Sequence[MediaRequest]
) -> dict[MediaKey, MediaDownload]:
    """Download receipts at once, because media ids expire, to temporary files.

    A failed download becomes the error of its file, so the message is kept.
    A transient failure stops the batch (see `download_each`).
    """
    try:
        config = WhatsAppConfig.from_settings(settings)
    except WhatsAppConfigError as exc:
        # Retried: the file waits at Meta while the settings are fixed.
        return {r.key: failed_download(r, exc, retry=True) for r in requests}
    client = GraphClient(config)
    try:
        return download_each(
            requests, lambda request: _download(client, request, settings.media_dir)
        )
    finally:
        client.close()


def _download(
    client: GraphClient, request: MediaRequest, media_dir: str
) -> MediaDownload:
    """Ask the media id for a download URL, then download it.

    An error on the media id is final unless it is transient or an access
    problem, because Meta returns such errors for an id that it does not
    know or that expired. An error on the URL is retried, because the next attempt asks
    the media id for a new URL (a URL expires minutes after it is given).
    """
    try:
        info = client.media_info(request.media_id)
    except ChannelError as exc:
        retry = exc.is_transient or isinstance(exc, GraphAuthError)
        return failed_download(request, exc, retry=retry)
    try:
        content = client.download(str(info["url"]))
    except MediaTooLargeError as exc:
        return failed_download(request, exc, retry=False)
    except (ChannelError, KeyError) as exc:
        return failed_download(request, exc, retry=True)

    expected = info.get("sha256") or request.sha256
    digest = hashlib.sha256(content).hexdigest()
    error = None
    if expected and expected != digest:
        error = f"sha256 {digest} differs from the {expected} Meta sent"
    return store_download(request, content, media_dir, error)


def handle_template_status(
    session: Session,
    business: Business,
    value: dict[str, Any],
    now: datetime,
    reported_at: datetime,
) -> None:
    rejection = value.get("rejection_info") or {}
    other = value.get("other_info") or {}
    reason = rejection.get("reason") or other.get("description") or value.get("reason")
    name = str(value.get("message_template_name"))
    language = str(value.get("message_template_language"))
    status = parse_status(value.get("event"))
    stored = find_template(session, business.id, name, language)
    if status == TemplateStatus.UNKNOWN and stored is not None:
        # An event that is no review status (LOCKED, UNLOCKED, UNARCHIVED)
        # leaves the status as it was, so an approved template stays usable.
        logger.info(
            "template %s %s event %s keeps status %s",
            name,
            language,
            value.get("event"),
            stored.status,
        )
        status = TemplateStatus(stored.status)
    set_template_status(
        session,
        business.id,
        name,
        language,
        status,
        now,
        source="webhook",
        reported_at=reported_at,
        category=value.get("message_template_category"),
        meta_id=_text_or_none(value.get("message_template_id")),
        reason=None if reason in (None, "NONE") else str(reason),
    )


def handle_template_category(
    session: Session,
    business: Business,
    value: dict[str, Any],
    now: datetime,
    reported_at: datetime,
) -> None:
    name = str(value.get("message_template_name"))
    language = str(value.get("message_template_language"))
    stored = find_template(session, business.id, name, language)
    set_template_status(
        session,
        business.id,
        name,
        language,
        TemplateStatus(stored.status) if stored else TemplateStatus.UNKNOWN,
        now,
        source="webhook",
        status_reported=False,
        new_category=value.get("new_category") or value.get("correct_category"),
        meta_id=_text_or_none(value.get("message_template_id")),
    )


HANDLERS: dict[str | None, ChangeHandler] = {
    "messages": handle_messages_change,
}
# Template changes are read with the time Meta reported them, because a late
# retry of an older one must not undo a newer one.
TemplateHandler = Callable[
    [Session, Business, dict[str, Any], datetime, datetime], None
]
TEMPLATE_HANDLERS: dict[str | None, TemplateHandler] = {
    "message_template_status_update": handle_template_status,
    "template_category_update": handle_template_category,
}


def _timestamp(value: Any, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        # OSError: a time beyond the platform's time_t, such as 10**18.
        return default


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
