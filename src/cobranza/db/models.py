"""ORM models: the system of record.

Every table carries `business_id`; every query is scoped by it. Money columns
are `Amount` (exact `Decimal`) next to a currency code, times are `UTCDateTime`
and calendar days (due dates) are plain `Date`.

Documents carry signed amounts: invoices and debit notes are positive, credit
notes negative, so a customer's balance is the plain sum of `open_amount`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    false as sql_false,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from cobranza.db.types import Amount, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, Decimal: Amount, datetime: UTCDateTime}


# The largest id of the Integer primary keys, a signed 32-bit INTEGER on
# PostgreSQL. Comparing a larger value with an id column fails there
# ("integer out of range"), and SQLite's driver raises OverflowError past
# 2**63 - 1. An id from a request is checked against it first.
MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    """Return True when `value` can be a stored id: 1 up to `MAX_ID`."""
    return 0 < value <= MAX_ID


class CustomerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class PhoneStatus(StrEnum):
    VALID = "valid"
    MISSING = "missing"
    INVALID = "invalid"
    NOT_ON_WHATSAPP = "not_on_whatsapp"
    # The person who answers says the number is not the customer's.
    WRONG_PERSON = "wrong_person"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    DEBIT_NOTE = "debit_note"


class ConsentAction(StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"


class Business(Base):
    """The creditor: one tenant."""

    __tablename__ = "business"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(16))
    tax_id: Mapped[str | None] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    # Random key of the HMAC that stores an erased customer's external id;
    # created by the first erasure (`cobranza.compliance.erasure`).
    erasure_key: Mapped[str | None] = mapped_column(String(64))


class Customer(Base):
    """The debtor: a person or a company that owes the business."""

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("business_id", "external_id"),
        Index("ix_customer_erased_id_hash", "business_id", "erased_id_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16), default=CustomerKind.PERSON)
    tax_id: Mapped[str | None] = mapped_column(String(32))
    tax_id_valid: Mapped[bool | None] = mapped_column(Boolean)
    email: Mapped[str | None] = mapped_column(String(320))
    phone_raw: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    phone_status: Mapped[str] = mapped_column(String(20), default=PhoneStatus.MISSING)
    phone_problem: Mapped[str | None] = mapped_column(String(300))
    wa_id: Mapped[str | None] = mapped_column(String(32))
    wa_user_id: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(32))
    risk_score: Mapped[float | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set when the customer's personal data was erased on request. The row
    # stays for the accounting it carries, and `erased_id_hash` (an HMAC of
    # the old external id) lets an import reject that id later.
    erased_at: Mapped[datetime | None]
    erased_id_hash: Mapped[str | None] = mapped_column(String(64))

    documents: Mapped[list[Document]] = relationship(back_populates="customer")


class ErasedSender(Base):
    """A sender address of an erased customer, kept as a keyed hash.

    `sender_hash` is an HMAC-SHA256 under `Business.erasure_key` of one form
    of the customer's WhatsApp number or user id
    (`cobranza.compliance.erased_senders`). A message from that sender
    written at or before `erased_at` is dropped when a webhook that was
    still waiting at the erasure delivers it.
    """

    __tablename__ = "erased_sender"
    __table_args__ = (
        Index("ix_erased_sender_business_hash", "business_id", "sender_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    sender_hash: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime]


class Document(Base):
    """An invoice, credit note or debit note, with its signed open amount."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("business_id", "kind", "number"),
        Index("ix_document_customer_open", "customer_id", "open_amount"),
        Index("ix_document_business_due_on", "business_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    kind: Mapped[str] = mapped_column(String(16), default=DocumentKind.INVOICE)
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    open_amount: Mapped[Decimal]
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A hold stops reminders about the document through `hold_until` when
    # that is set. With `held_at` set and no `hold_until`, the hold has no
    # end. `cobranza.dunning.holds` applies this rule for every reader.
    hold_until: Mapped[date | None] = mapped_column(Date)
    held_at: Mapped[datetime | None]
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    # Set when a full-snapshot import no longer lists the document.
    missing_since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="documents")


class Payment(Base):
    """Money received from a customer, from an import, by hand or a provider."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("business_id", "provider", "provider_payment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime]
    # True when the source gave no payment date: an invoice file with a
    # balance below the amount and no payment date column. `paid_at` is then
    # the instant the payment was recorded, so lateness, monthly collections
    # and the audit's period figures leave the payment out.
    paid_at_unknown: Mapped[bool] = mapped_column(
        default=False, server_default=sql_false()
    )
    method: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    provider_payment_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="approved")
    # The part of the payment not yet allocated to any document (a credit).
    unallocated: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # The total given back to the customer so far, as the provider reports it
    # (cumulative, so a repeated or late refund notification changes nothing).
    amount_refunded: Mapped[Decimal] = mapped_column(
        default=Decimal(0), server_default=sql_text("0")
    )
    created_at: Mapped[datetime]
    # The payment link it was made through, for provider payments.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("payment_link.id"))
    # The provider's own status text, such as "accredited" or "expired".
    status_detail: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime | None]


class Allocation(Base):
    """The part of a payment that settled one document."""

    __tablename__ = "allocation"
    __table_args__ = (UniqueConstraint("payment_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    amount: Mapped[Decimal]


class ConsentEvent(Base):
    """One grant or revocation of consent; the ledger is append-only."""

    __tablename__ = "consent_event"
    __table_args__ = (Index("ix_consent_event_customer_at", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(16), default="whatsapp")
    action: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class AuditEvent(Base):
    """Why something happened: a decision, a change or an import."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ImportRun(Base):
    """One import of a file, with its report."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime]
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CaseState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    HANDED_OFF = "handed_off"
    CLOSED = "closed"


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class Case(Base):
    """One customer's dunning process over all of its open invoices.

    A customer has at most one case that is not closed, which the partial
    unique index on (business_id, customer_id) where closed_at is NULL enforces.
    """

    __tablename__ = "dunning_case"
    __table_args__ = (
        Index(
            "uq_dunning_case_open_customer",
            "business_id",
            "customer_id",
            unique=True,
            sqlite_where=sql_text("closed_at IS NULL"),
            postgresql_where=sql_text("closed_at IS NULL"),
        ),
        Index("ix_dunning_case_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    state: Mapped[str] = mapped_column(String(16), default=CaseState.OPEN)
    # `step` is the key of the last policy step sent and `planned_step` the
    # last one the planner queued or skipped. Steps only move forward in a case.
    step: Mapped[str | None] = mapped_column(String(64))
    step_sent_at: Mapped[datetime | None]
    planned_step: Mapped[str | None] = mapped_column(String(64))
    planned_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(64))
    # Why and since when the case waits for a person (state handed_off).
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    handed_off_at: Mapped[datetime | None]
    # The question the robot asked the customer and awaits an answer to
    # ("promise_date", "clarify"); a second unclear answer hands the case off.
    pending_question: Mapped[str | None] = mapped_column(String(32))
    question_asked_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One intended message to a customer, unique by its idempotency key."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "business_id", "state", "planned_for"),
        Index("ix_outbox_message_customer_sent", "customer_id", "sent_at"),
        Index("ix_outbox_message_step_kind", "business_id", "step_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("dunning_case.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(16), default="sandbox")
    step: Mapped[str] = mapped_column(String(64))
    step_kind: Mapped[str] = mapped_column(String(64))
    tone: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16))
    # Composer inputs: amounts as decimal strings, dates as ISO strings.
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.QUEUED)
    planned_for: Mapped[datetime]
    deferred_reason: Mapped[str | None] = mapped_column(String(64))
    suppressed_reason: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    template_name: Mapped[str | None] = mapped_column(String(128))
    language_code: Mapped[str | None] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class InboundMessage(Base):
    """A message a customer (or an unknown sender) wrote to the business."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("provider", "provider_message_id"),
        Index("ix_inbound_message_customer_received", "customer_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    # NULL when the sender matches no customer, so unknown senders are kept.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    provider_message_id: Mapped[str] = mapped_column(String(200))
    # E.164 number or WhatsApp wa_id, exactly as the provider sent it.
    sender: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32), default="text")
    text: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    intent: Mapped[str | None] = mapped_column(String(64))
    entities: Mapped[dict[str, Any]] = mapped_column(default=dict)
    action_taken: Mapped[str | None] = mapped_column(String(64))
    # WhatsApp's business-scoped user id, sent with or in place of the wa_id.
    sender_user_id: Mapped[str | None] = mapped_column(String(128))
    # The provider id of the message this one quotes or replies to.
    reply_to: Mapped[str | None] = mapped_column(String(200))
    # Type-specific fields as received: button payload, media id, emoji.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SandboxMessage(Base):
    """A message sent through the sandbox channel, which stands in for a provider."""

    __tablename__ = "sandbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    to_phone: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[str]] = mapped_column(JSON, default=list)
    provider_message_id: Mapped[str] = mapped_column(String(200), index=True)
    sent_at: Mapped[datetime]


class PromiseToPay(Base):
    """A customer's promise to pay an amount (or the balance) by a date."""

    __tablename__ = "promise_to_pay"
    __table_args__ = (
        Index("ix_promise_to_pay_customer_status", "customer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dunning_case.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    # NULL means the whole balance.
    amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=PromiseStatus.OPEN)
    source_inbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_message.id")
    )
    created_at: Mapped[datetime]


class TemplateStatus(StrEnum):
    """Review states of a WhatsApp template; UNKNOWN keeps new values parseable."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"
    IN_APPEAL = "IN_APPEAL"
    FLAGGED = "FLAGGED"
    REINSTATED = "REINSTATED"
    DELETED = "DELETED"
    PENDING_DELETION = "PENDING_DELETION"
    ARCHIVED = "ARCHIVED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    # Registered here but not found at Meta, or rejected by a send (132001).
    MISSING = "MISSING"
    UNKNOWN = "UNKNOWN"


class WhatsAppTemplate(Base):
    """One template translation registered with Meta, and its review state."""

    __tablename__ = "whatsapp_template"
    __table_args__ = (UniqueConstraint("business_id", "name", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default=TemplateStatus.PENDING)
    meta_id: Mapped[str | None] = mapped_column(String(64))
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    # The category Meta announced it will move the template to, if any.
    new_category: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class WebhookEvent(Base):
    """A webhook request body stored raw before it is processed.

    `business_id` stays NULL until processing finds the business the event
    belongs to, because the body is stored before it is read.
    """

    __tablename__ = "webhook_event"
    __table_args__ = (
        UniqueConstraint("provider", "event_key"),
        Index("ix_webhook_event_pending", "processed_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"))
    provider: Mapped[str] = mapped_column(String(32))
    # sha256 of the raw body, or the provider's own event id.
    event_key: Mapped[str] = mapped_column(String(128))
    raw_body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class MessageStatusEvent(Base):
    """One delivery status a provider reported for an outbound message."""

    __tablename__ = "message_status_event"
    __table_args__ = (
        UniqueConstraint("provider", "provider_message_id", "status"),
        Index("ix_message_status_event_outbox_id", "outbox_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    provider: Mapped[str] = mapped_column(String(32))
    provider_message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    at: Mapped[datetime]
    pricing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_detail: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]


class InboundMedia(Base):
    """A file a customer sent (a payment receipt), downloaded when it arrived.

    The bytes live under the configured media directory, named by sha256.
    A row with neither `downloaded_at` nor `error` is pending: the file was
    not downloaded before its message was stored, or a transient failure is
    retried at `next_attempt_at` (None: as soon as possible).
    `cobranza.channels.media.download_pending_media` downloads it later. A
    row with `error` and no `downloaded_at` failed for good, and a person
    has to ask the customer for the file again.
    """

    __tablename__ = "inbound_media"
    __table_args__ = (
        UniqueConstraint("business_id", "provider", "media_id"),
        # The pending files that `download_pending_media` reads.
        Index(
            "ix_inbound_media_pending",
            "business_id",
            "next_attempt_at",
            sqlite_where=sql_text("downloaded_at IS NULL AND error IS NULL"),
            postgresql_where=sql_text("downloaded_at IS NULL AND error IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    inbound_message_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_message.id"), index=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    media_id: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(String(500))
    downloaded_at: Mapped[datetime | None]
    # Why the file will not be downloaded, or, next to `downloaded_at`, what
    # is wrong with the stored file (a sha256 that differs from the provider's).
    error: Mapped[str | None] = mapped_column(Text)
    # Download attempts made, and the error of the last one that failed.
    attempts: Mapped[int] = mapped_column(
        Integer, default=0, server_default=sql_text("0")
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]


class PaymentLinkPurpose(StrEnum):
    BALANCE = "balance"
    INSTALLMENT = "installment"
    DISCOUNT = "discount"


class PaymentLinkStatus(StrEnum):
    ACTIVE = "active"
    # The amount owed changed, so a newer link of the case replaced this one.
    SUPERSEDED = "superseded"
    PAID = "paid"
    # An offer (discount) past its deadline.
    EXPIRED = "expired"


class PaymentLink(Base):
    """Our short payment link, `/pagar/{token}`, and its current provider link.

    The provider link (a Mercado Pago preference or a Stripe Checkout
    Session) is created when the customer opens our link, and created again
    when it has expired. `amount` and `document_ids` never change: when the
    amount owed changes, the case gets a new link and this one is superseded.
    """

    __tablename__ = "payment_link"
    __table_args__ = (
        Index("ix_payment_link_case_status", "business_id", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dunning_case.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    provider_reference: Mapped[str | None] = mapped_column(String(200), index=True)
    provider_url: Mapped[str | None] = mapped_column(Text)
    provider_expires_at: Mapped[datetime | None]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(String(16), default=PaymentLinkPurpose.BALANCE)
    installment_id: Mapped[int | None] = mapped_column(ForeignKey("installment.id"))
    # The offer's deadline (a discount's due date); NULL for no deadline.
    expires_at: Mapped[datetime | None]
    # The percentage off the balance that a discount link grants.
    discount_percent: Mapped[Decimal | None]
    # A balance link sent with a reminder collects only the invoices due by
    # this day, the ones the reminder names; NULL collects the whole balance.
    due_by: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default=PaymentLinkStatus.ACTIVE)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class InstallmentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    MISSED = "missed"


class InstallmentPlan(Base):
    """A case's balance in one currency split into installments.

    A case has at most one active plan per currency, so a customer who owes
    in pesos and dollars may pay each in its own plan.
    """

    __tablename__ = "installment_plan"
    __table_args__ = (
        Index(
            "uq_installment_plan_active_case_currency",
            "business_id",
            "case_id",
            "currency",
            unique=True,
            sqlite_where=sql_text("status = 'active'"),
            postgresql_where=sql_text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("dunning_case.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    currency: Mapped[str] = mapped_column(String(3))
    # The balance the plan covers, and the interest or fee the business set.
    principal: Mapped[Decimal]
    fee: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total: Mapped[Decimal]
    installment_count: Mapped[int] = mapped_column(Integer)
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.ACTIVE)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Installment(Base):
    """One installment of a plan: an amount due on a day."""

    __tablename__ = "installment"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("installment_plan.id"))
    number: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal]
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=InstallmentStatus.PENDING)
    paid_at: Mapped[datetime | None]


class User(Base):
    """An owner account that signs in to the dashboard of one business."""

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    # Stored lower-cased, so one address is one account.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser; the cookie carries a random token, stored hashed."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginFailure(Base):
    """One failed sign-in, counted per account and per client address."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for the REST API; only its sha256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class OutgoingWebhook(Base):
    """An endpoint (Zapier, Make, n8n) that receives signed event posts."""

    __tablename__ = "outgoing_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    # Event types sent to this endpoint; an empty list means all of them.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Audit event ids: the last one read for this endpoint, and the last one
    # recorded before the endpoint existed (never delivered).
    audit_cursor: Mapped[int] = mapped_column(Integer, default=0)
    audit_start: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    """One event for one endpoint, written in the emitting transaction."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_key"),
        Index("ix_webhook_delivery_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("outgoing_webhook.id"))
    event_type: Mapped[str] = mapped_column(String(64))
    # "<event type>:<subject id>", so an event is queued once per endpoint.
    event_key: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
