"""Erase a customer's personal data on request, keeping the accounting.

`erase_customer` anonymises in place, in the caller's transaction, every
column that `cobranza.compliance.personal_data` lists, so a failure at any
step leaves nothing half-written once the caller rolls back. Documents,
payments and allocations keep their numbers, dates and amounts, because
tax law makes a business keep its invoices, so portfolio totals do not
change. The customer also gets a consent revocation, its open case is
closed, its queued messages are suppressed and a `customer.erased` audit
event records counts only.

The stored media files are deleted by `delete_media_files` after the
commit, since a rolled-back erasure must not lose them. A process killed
between the commit and the deletion leaves the files on disk, and the
media sweep (`channels.media_store.sweep_orphans`) deletes them once they
are older than `ORPHAN_AGE`, since no row names them any more. It keeps
them when another database shares the media directory, or when they are
older than the directory's marker (`channels.media_owner`).

The erasure also stores keyed hashes of the customer's WhatsApp number
(`compliance.erased_senders`), so a message that the customer wrote before
the erasure and that the event worker processes after it is not stored.

The old external id is kept only as an HMAC-SHA256 keyed with a random
key per business (`Business.erasure_key`), so an import can reject that id
later without the database storing it. The key is per business and in the
database, not derived from an application secret, because cobranza has no
required long-lived secret and rotating one would silently let erased ids
back in. NOTE: an external id is often short ("C-001"), so anyone who reads
the whole database, key included, can find it by trying candidates. The
hash keeps the id out of exports, listings and backups of single tables.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast, func, or_, select, true, update
from sqlalchemy.orm import Session

from cobranza.compliance.consent import record_consent
from cobranza.compliance.erased_senders import record_erased_senders
from cobranza.compliance.errors import ComplianceError
from cobranza.compliance.personal_data import (
    ERASED_NAME,
    ERASED_SENDER,
    REDACTED,
    CustomerRows,
    PersonalValues,
    customer_audit_events,
    customer_inbound_ids,
    customer_rows,
    personal_values,
    redacted_webhook_body,
    scrub,
)
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    ConsentAction,
    ConsentEvent,
    Customer,
    Document,
    ImportRun,
    InboundMedia,
    InboundMessage,
    MessageStatusEvent,
    OutboxMessage,
    OutboxState,
    Payment,
    PhoneStatus,
    SandboxMessage,
    WebhookDelivery,
    WebhookEvent,
)
from cobranza.money import format_money

logger = logging.getLogger(__name__)

# The reason code on the case closed and the messages suppressed by an erasure.
ERASED_REASON = "customer_erased"
ERASURE_SOURCE = "pedido de borrado de datos"
# The channels whose statuses come as webhook bodies naming the message id.
WEBHOOK_CHANNELS = ("whatsapp", "twilio")
# Webhook bodies read per round trip while looking for the customer's phone.
WEBHOOK_SCAN_BATCH = 500
# External id hashes looked up in one statement by an import.
HASH_QUERY_CHUNK = 500


class ErasureError(ComplianceError, ValueError):
    """An erasure that cannot be done as requested; nothing was changed."""


class OpenBalanceError(ErasureError):
    """The customer still owes money and the erasure was not forced.

    The message names the balance; the caller adds how to force the erasure.
    """

    def __init__(self, message: str, owed: str) -> None:
        super().__init__(message)
        # The open balance as shown to the business, such as "$ 15.000,00".
        self.owed = owed


class AlreadyErasedError(ErasureError):
    """The customer's data was already erased."""


class MessageInFlightError(ErasureError):
    """A message to the customer is being sent, so the erasure must wait.

    The channel stores the text and the phone after the dispatcher's claim
    commits, which would bring them back after the erasure.
    """


@dataclass
class ErasureResult:
    """The changes of one erasure: counts per kind of row, and the files to delete."""

    customer_id: int
    placeholder_id: str
    erased_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    media_paths: list[str] = field(default_factory=list)


def erase_customer(
    session: Session,
    business: Business,
    customer: Customer,
    now: datetime,
    *,
    force: bool = False,
    actor: str = "cli",
) -> ErasureResult:
    """Anonymise `customer` in place, in the caller's transaction.

    Raises AlreadyErasedError for a customer erased before, and
    OpenBalanceError while it has an open balance, unless `force`. The
    caller commits and then passes `ErasureResult.media_paths` to
    `delete_media_files`.
    """
    session.execute(
        select(Customer.id).where(Customer.id == customer.id).with_for_update()
    )
    session.refresh(customer)
    if customer.erased_at is not None:
        raise AlreadyErasedError(
            f"los datos del cliente {customer.external_id} ya se borraron el "
            f"{customer.erased_at:%d/%m/%Y}: no queda nada por borrar"
        )
    if not force:
        _check_no_balance(session, business, customer)
    _check_nothing_in_flight(session, customer)

    found = personal_values(customer)
    # The customer's own rows also lose its short name and its code.
    own_values = personal_values(customer, own_rows=True)
    rows = customer_rows(session, customer)
    result = ErasureResult(customer.id, _placeholder_id(session, customer), now)
    counts = result.counts

    record_consent(
        session,
        business.id,
        customer.id,
        ConsentAction.REVOKE,
        ERASURE_SOURCE,
        None,
        now,
        actor=actor,
    )
    counts["cases_closed"] = _close_cases(session, customer, own_values, now)
    counts.update(_redact_outbox(session, customer, rows, own_values))
    inbound_ids = customer_inbound_ids(session, customer, found)
    counts["inbound_messages"] = _redact_inbound(session, inbound_ids)
    result.media_paths = _forget_media(session, inbound_ids)
    counts["media_files"] = len(result.media_paths)
    counts["webhook_events"] = _redact_webhook_events(
        session, business.id, found, rows.outbox_ids
    )
    counts["consent_events"] = _scrub_consents(session, customer, own_values)
    counts["documents"] = _scrub_hold_reasons(session, rows, own_values)
    counts["payments"] = _scrub_payment_references(session, customer, own_values)
    counts["audit_events"] = _scrub_audit_events(
        customer_audit_events(session, customer, rows), own_values
    ) + _scrub_audit_events(_business_events(session, business.id, found), found)
    counts["import_runs"] = _scrub_import_reports(session, business.id, found)
    counts["webhook_deliveries"] = _redact_deliveries(session, business.id, found)
    if business.erasure_key is None:
        _create_erasure_key(session, business)
    counts["erased_senders"] = record_erased_senders(session, business, customer, now)
    _anonymise_customer(session, business, customer, result.placeholder_id, now)
    _record_erasure(session, business.id, customer.id, now, actor, force, counts)
    logger.info(
        "customer erased: business %s, customer %s, %s",
        business.id,
        customer.id,
        counts,
    )
    return result


def _create_erasure_key(session: Session, business: Business) -> None:
    """Set a new random `erasure_key` unless another transaction set one first.

    The media sweep also sets the key (`channels.media_owner`), and the
    update only fills an empty key, so the key never changes once set.
    """
    session.execute(
        update(Business)
        .where(Business.id == business.id, Business.erasure_key.is_(None))
        .values(erasure_key=secrets.token_hex(32))
        .execution_options(synchronize_session=False)
    )
    session.refresh(business, ["erasure_key"])


def delete_media_files(paths: Iterable[str]) -> list[tuple[str, str]]:
    """Delete the stored media files; return (path, error) for each that failed.

    A failure is logged and returned, never raised, because the committed
    rows no longer name the file. A missing file is a failure too: a path
    stored relative to the media directory resolves against the current
    directory, so a process started elsewhere would not find the file.
    """
    failures = []
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            logger.warning("erased media file not found: %s", path)
            failures.append((path, "no existe en esa ruta"))
        except OSError as exc:
            logger.error("erased media file not deleted: %s: %s", path, exc)
            failures.append((path, exc.strerror or str(exc)))
    return failures


def external_id_hash(key: str, external_id: str) -> str:
    """Return the HMAC-SHA256 (hex) of an external id under a business's key."""
    return hmac.new(
        key.encode(), external_id.strip().encode(), hashlib.sha256
    ).hexdigest()


def erased_external_ids(
    session: Session, business: Business, external_ids: Iterable[str]
) -> dict[str, datetime]:
    """Return when each of `external_ids` that names an erased customer was erased."""
    if business.erasure_key is None:
        return {}
    by_hash = {external_id_hash(business.erasure_key, eid): eid for eid in external_ids}
    if not by_hash:
        return {}
    erased: dict[str, datetime] = {}
    hashes = list(by_hash)
    for start in range(0, len(hashes), HASH_QUERY_CHUNK):
        rows = session.execute(
            select(Customer.erased_id_hash, Customer.erased_at).where(
                Customer.business_id == business.id,
                Customer.erased_id_hash.in_(hashes[start : start + HASH_QUERY_CHUNK]),
            )
        ).all()
        for digest, erased_at in rows:
            if digest is not None and erased_at is not None:
                erased[by_hash[digest]] = erased_at
    return erased


def open_balances(session: Session, customer: Customer) -> dict[str, Decimal]:
    """Return the customer's positive open balance per currency."""
    rows = session.execute(
        select(Document.currency, func.sum(Document.open_amount))
        .where(
            Document.business_id == customer.business_id,
            Document.customer_id == customer.id,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
        .order_by(Document.currency)
    ).all()
    return {currency: Decimal(total) for currency, total in rows if total and total > 0}


def _check_no_balance(session: Session, business: Business, customer: Customer) -> None:
    balances = open_balances(session, customer)
    if not balances:
        return
    owed = " y ".join(
        format_money(amount, currency, business.locale)
        for currency, amount in balances.items()
    )
    raise OpenBalanceError(
        f"el cliente {customer.external_id} todavía debe {owed}. Mientras haya "
        "una deuda, el negocio puede guardar los datos que necesita para "
        "cobrarla",
        owed,
    )


def _check_nothing_in_flight(session: Session, customer: Customer) -> None:
    sending = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.business_id == customer.business_id,
            OutboxMessage.customer_id == customer.id,
            OutboxMessage.state == OutboxState.SENDING,
        )
    )
    if sending:
        raise MessageInFlightError(
            f"un mensaje al cliente {customer.external_id} se está enviando en "
            "este momento, y el canal guarda su texto y su teléfono al terminar: "
            "repetí el pedido cuando termine el envío (un envío cortado se cierra "
            "en el próximo ciclo)"
        )


def _placeholder_id(session: Session, customer: Customer) -> str:
    """Return "borrado-<id>", or a longer form when an import already used it."""
    placeholder = f"borrado-{customer.id}"
    taken = session.scalar(
        select(Customer.id).where(
            Customer.business_id == customer.business_id,
            Customer.external_id == placeholder,
        )
    )
    if taken is None:
        return placeholder
    return f"{placeholder}-{secrets.token_hex(4)}"


def _close_cases(
    session: Session, customer: Customer, found: PersonalValues, now: datetime
) -> int:
    closed = 0
    cases = session.scalars(
        select(Case).where(
            Case.business_id == customer.business_id, Case.customer_id == customer.id
        )
    ).all()
    for case in cases:
        if case.pause_reason and found.found_in(case.pause_reason):
            case.pause_reason = REDACTED
        if case.closed_at is None:
            case.state = CaseState.CLOSED
            case.closed_at = now
            case.close_reason = ERASED_REASON
            case.pending_question = None
            closed += 1
    return closed


def _redact_outbox(
    session: Session, customer: Customer, rows: CustomerRows, found: PersonalValues
) -> dict[str, int]:
    suppressed = 0
    outbox = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(rows.outbox_ids))
    ).all()
    for row in outbox:
        if row.state == OutboxState.QUEUED:
            row.state = OutboxState.SUPPRESSED
            row.suppressed_reason = ERASED_REASON
            suppressed += 1
        if row.text is not None:
            row.text = REDACTED
        variables = dict(row.variables or {})
        if "customer_name" in variables:
            variables["customer_name"] = REDACTED
        row.variables, _ = scrub(variables, found)
        if row.parameters is not None:
            # The name parameter may be cut short ("…"), so no value finds it.
            parameters = dict(row.parameters)
            if "nombre" in parameters:
                parameters["nombre"] = REDACTED
            row.parameters, _ = scrub(parameters, found)
        if row.error_detail and found.found_in(row.error_detail):
            row.error_detail = None

    sandbox = session.scalars(
        select(SandboxMessage).where(SandboxMessage.outbox_id.in_(rows.outbox_ids))
    ).all()
    for message in sandbox:
        message.text = REDACTED
        message.to_phone = None

    statuses = session.scalars(
        select(MessageStatusEvent).where(
            MessageStatusEvent.outbox_id.in_(rows.outbox_ids)
        )
    ).all()
    for status in statuses:
        if status.error_detail and found.found_in(status.error_detail):
            status.error_detail = None
        if status.pricing and found.found_in(json.dumps(status.pricing)):
            status.pricing = None
    return {
        "outbox_messages": len(outbox),
        "outbox_suppressed": suppressed,
        "sandbox_messages": len(sandbox),
    }


def _redact_inbound(session: Session, inbound_ids: list[int]) -> int:
    messages = session.scalars(
        select(InboundMessage).where(InboundMessage.id.in_(inbound_ids))
    ).all()
    for message in messages:
        message.sender = ERASED_SENDER
        message.sender_user_id = None
        if message.text is not None:
            message.text = REDACTED
        message.entities = {}
        message.details = None
    return len(messages)


def _forget_media(session: Session, inbound_ids: list[int]) -> list[str]:
    """Clear the media rows' file names; return the files no other row uses."""
    media = session.scalars(
        select(InboundMedia).where(InboundMedia.inbound_message_id.in_(inbound_ids))
    ).all()
    paths = {row.path for row in media if row.path}
    for row in media:
        row.file_name = None
        row.path = None
        if row.downloaded_at is None and row.error is None:
            # A pending download would store the file again after the erasure.
            row.error = REDACTED
            row.next_attempt_at = None
    session.flush()
    if not paths:
        return []
    # The same file sent by another customer is stored once, under one path.
    # Every business's rows count, because businesses share the media
    # directory, as the media sweep does.
    shared = set(
        session.scalars(
            select(InboundMedia.path).where(InboundMedia.path.in_(sorted(paths)))
        )
    )
    return sorted(paths - shared)


def _redact_webhook_events(
    session: Session, business_id: int, found: PersonalValues, outbox_ids: list[int]
) -> int:
    """Replace the processed raw bodies that name the customer or its messages.

    A body names the customer when it carries its phone or wa_id digits,
    and names one of its messages when it carries the provider's id of a
    message sent to it. So a status that went to a number the customer no
    longer has is found too. A body's business is set when it is
    processed, so processed bodies that matched no business are read too.

    A body still waiting for the event worker is left alone, because it may
    be another business's. When it is processed, a status of the customer's
    messages loses its recipient (`channels.whatsapp.redaction`,
    `channels.twilio.redaction`), and a message that the customer wrote
    before the erasure is dropped (`compliance.erased_senders`). NOTE:
    reading every processed body grows with the traffic.
    """
    message_ids = [
        form
        for message_id in session.scalars(
            select(OutboxMessage.provider_message_id).where(
                OutboxMessage.id.in_(outbox_ids),
                OutboxMessage.channel.in_(WEBHOOK_CHANNELS),
                OutboxMessage.provider_message_id.is_not(None),
            )
        )
        if message_id
        # Meta's JSON may write "/" as "\/", and a wamid is base64, which
        # may contain "/".
        for form in {message_id.encode(), message_id.replace("/", "\\/").encode()}
    ]
    if not (found.phone_digits or message_ids):
        return 0
    matching: list[int] = []
    statement = (
        select(WebhookEvent.id, WebhookEvent.raw_body)
        .where(
            WebhookEvent.processed_at.is_not(None),
            or_(
                WebhookEvent.business_id == business_id,
                WebhookEvent.business_id.is_(None),
            ),
        )
        .order_by(WebhookEvent.id)
        .execution_options(yield_per=WEBHOOK_SCAN_BATCH)
    )
    for event_id, body in session.execute(statement):
        data = bytes(body) if body else b""
        if data and (
            found.body_matches(data)
            or any(message_id in data for message_id in message_ids)
        ):
            matching.append(event_id)

    for event_id in matching:
        event = session.get_one(WebhookEvent, event_id)
        event.raw_body = redacted_webhook_body(event.event_key)
        if event.error and found.found_in(event.error):
            event.error = None
    return len(matching)


def _scrub_consents(session: Session, customer: Customer, found: PersonalValues) -> int:
    changed = 0
    events = session.scalars(
        select(ConsentEvent).where(
            ConsentEvent.business_id == customer.business_id,
            ConsentEvent.customer_id == customer.id,
        )
    ).all()
    for event in events:
        if found.found_in(event.source):
            event.source = REDACTED
            changed += 1
        if event.evidence and found.found_in(event.evidence):
            event.evidence = REDACTED
            changed += 1
    return changed


def _scrub_hold_reasons(
    session: Session, rows: CustomerRows, found: PersonalValues
) -> int:
    changed = 0
    documents = session.scalars(
        select(Document).where(
            Document.id.in_(rows.document_ids), Document.hold_reason.is_not(None)
        )
    ).all()
    for document in documents:
        if document.hold_reason and found.found_in(document.hold_reason):
            document.hold_reason = REDACTED
            changed += 1
    return changed


def _scrub_payment_references(
    session: Session, customer: Customer, found: PersonalValues
) -> int:
    changed = 0
    payments = session.scalars(
        select(Payment).where(
            Payment.business_id == customer.business_id,
            Payment.customer_id == customer.id,
        )
    ).all()
    for payment in payments:
        redacted = False
        if found.found_in(payment.provider_payment_id):
            payment.provider_payment_id = f"borrado-{payment.id}"
            redacted = True
        if payment.method and found.found_in(payment.method):
            payment.method = REDACTED
            redacted = True
        if redacted:
            changed += 1
    return changed


def _text_matches(column: Any, found: PersonalValues) -> Any:
    """Return a SQL condition true when `column`, as text, may hold a value.

    JSON columns are stored with non-ASCII characters escaped, so the
    escaped form of each value is searched too. SQLite lowers ASCII letters
    only, so a value with other letters ("Ñandú") is searched by its longest
    ASCII part, or not filtered at all. Python decides in the end.
    """
    text = func.lower(cast(column, Text))
    forms = {json.dumps(value)[1:-1].lower() for value in found.values}
    for value in (*found.values, *found.exact):
        lowered = value.lower()
        if not lowered.isascii():
            parts = re.split(r"[^\x00-\x7f]+", lowered)
            lowered = max(parts, key=len)
            if len(lowered.strip()) < 3:
                return true()
        forms.add(lowered)
    return or_(*(text.contains(form, autoescape=True) for form in sorted(forms)))


def _business_events(
    session: Session, business_id: int, found: PersonalValues
) -> list[AuditEvent]:
    """Return the business's audit events whose texts may contain a value."""
    if not (found.values or found.exact):
        return []
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.business_id == business_id,
                or_(
                    _text_matches(AuditEvent.details, found),
                    _text_matches(AuditEvent.reason, found),
                ),
            )
        )
    )


def _scrub_audit_events(events: list[AuditEvent], found: PersonalValues) -> int:
    changed = 0
    for event in events:
        details, replaced = scrub(event.details or {}, found)
        if event.reason and found.found_in(event.reason):
            event.reason = REDACTED
            replaced += 1
        if replaced:
            event.details = details
            changed += 1
    return changed


def _scrub_import_reports(
    session: Session, business_id: int, found: PersonalValues
) -> int:
    if not (found.values or found.exact):
        return 0
    # Every report is read, because a report quotes cells as the file wrote
    # them ("20-12345678-6"), which SQL cannot match against the stored form.
    runs = session.scalars(
        select(ImportRun).where(ImportRun.business_id == business_id)
    ).all()
    changed = 0
    for run in runs:
        report, replaced = scrub(run.report or {}, found)
        if replaced:
            run.report = report
            changed += 1
    return changed


def _redact_deliveries(
    session: Session, business_id: int, found: PersonalValues
) -> int:
    if not (found.values or found.exact):
        return 0
    deliveries = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.business_id == business_id,
            _text_matches(WebhookDelivery.body, found),
        )
    ).all()
    changed = 0
    for delivery in deliveries:
        if found.found_in(delivery.body):
            delivery.body = json.dumps(
                {"id": delivery.event_key, "redacted": REDACTED}, ensure_ascii=False
            )
            changed += 1
    return changed


def _anonymise_customer(
    session: Session,
    business: Business,
    customer: Customer,
    placeholder_id: str,
    now: datetime,
) -> None:
    if business.erasure_key is None:
        raise ValueError(f"business {business.id} has no erasure key")
    customer.erased_id_hash = external_id_hash(
        business.erasure_key, customer.external_id
    )
    customer.erased_at = now
    customer.external_id = placeholder_id
    customer.name = ERASED_NAME
    customer.tax_id = None
    customer.tax_id_valid = None
    customer.email = None
    customer.phone_raw = None
    customer.phone = None
    customer.phone_status = PhoneStatus.MISSING
    customer.phone_problem = None
    customer.wa_id = None
    customer.wa_user_id = None
    customer.updated_at = now
    session.flush()


def _record_erasure(
    session: Session,
    business_id: int,
    customer_id: int,
    now: datetime,
    actor: str,
    forced: bool,
    counts: dict[str, int],
) -> None:
    session.add(
        AuditEvent(
            business_id=business_id,
            at=now,
            actor=actor,
            kind="customer.erased",
            subject_type="customer",
            subject_id=customer_id,
            reason=ERASURE_SOURCE,
            details={"customer_id": customer_id, "forced": forced, **counts},
        )
    )
    session.flush()
