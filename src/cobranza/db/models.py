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
    MetaData,
    String,
    Text,
    UniqueConstraint,
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


class CustomerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class PhoneStatus(StrEnum):
    VALID = "valid"
    MISSING = "missing"
    INVALID = "invalid"
    NOT_ON_WHATSAPP = "not_on_whatsapp"


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


class Customer(Base):
    """The debtor: a person or a company that owes the business."""

    __tablename__ = "customer"
    __table_args__ = (UniqueConstraint("business_id", "external_id"),)

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

    documents: Mapped[list[Document]] = relationship(back_populates="customer")


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
    hold_until: Mapped[date | None] = mapped_column(Date)
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
    method: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    provider_payment_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="approved")
    # The part of the payment not yet allocated to any document (a credit).
    unallocated: Mapped[Decimal] = mapped_column(default=Decimal(0))
    created_at: Mapped[datetime]


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
