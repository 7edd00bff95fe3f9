"""Factory helpers that build businesses, customers and invoices for tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cobranza.db.models import (
    Business,
    Case,
    ConsentEvent,
    Customer,
    Document,
    DocumentKind,
    OutboxMessage,
    Payment,
    PhoneStatus,
)

PAYMENT_INSTRUCTIONS = "Transferí al alias EJEMPLO.SRL"

COUNTRY_DEFAULTS = {
    "AR": ("America/Argentina/Buenos_Aires", "ARS", "es_AR"),
    "CL": ("America/Santiago", "CLP", "es_CL"),
    "MX": ("America/Mexico_City", "MXN", "es_MX"),
    "CO": ("America/Bogota", "COP", "es_CO"),
    "BR": ("America/Sao_Paulo", "BRL", "pt_BR"),
}


def make_business(
    session: Session, now: datetime, country: str = "AR", name: str = "Ejemplo SRL"
) -> Business:
    timezone, currency, locale = COUNTRY_DEFAULTS[country]
    business = Business(
        name=name,
        country=country,
        timezone=timezone,
        currency=currency,
        locale=locale,
        tax_id="30-71234567-1",
        settings={"payment_instructions": PAYMENT_INSTRUCTIONS},
        created_at=now,
    )
    session.add(business)
    session.flush()
    return business


def make_customer(
    session: Session,
    business: Business,
    now: datetime,
    external_id: str,
    phone: str | None,
    *,
    name: str | None = None,
    kind: str = "person",
    timezone: str | None = None,
    segment: str | None = "chronic_late",
    consent: bool = True,
) -> Customer:
    customer = Customer(
        business_id=business.id,
        external_id=external_id,
        name=name or f"Cliente {external_id} (ficticio)",
        kind=kind,
        phone=phone,
        phone_raw=phone,
        phone_status=PhoneStatus.VALID if phone else PhoneStatus.MISSING,
        timezone=timezone,
        segment=segment,
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    session.flush()
    if consent:
        grant_consent(session, customer, now)
    return customer


def grant_consent(session: Session, customer: Customer, at: datetime) -> None:
    session.add(
        ConsentEvent(
            business_id=customer.business_id,
            customer_id=customer.id,
            channel="whatsapp",
            action="grant",
            source="test",
            at=at,
        )
    )
    session.flush()


def revoke_consent(session: Session, customer: Customer, at: datetime) -> None:
    session.add(
        ConsentEvent(
            business_id=customer.business_id,
            customer_id=customer.id,
            channel="whatsapp",
            action="revoke",
            source="test",
            at=at,
        )
    )
    session.flush()


def make_document(
    session: Session,
    customer: Customer,
    now: datetime,
    number: str,
    amount: str,
    due_on: date,
    *,
    kind: str = DocumentKind.INVOICE,
    open_amount: str | None = None,
    disputed: bool = False,
    currency: str | None = None,
) -> Document:
    document = Document(
        business_id=customer.business_id,
        customer_id=customer.id,
        kind=kind,
        number=number,
        issued_on=due_on,
        due_on=due_on,
        amount=Decimal(amount),
        open_amount=Decimal(open_amount if open_amount is not None else amount),
        # The business's own currency unless the test passes another.
        currency=currency or session.get_one(Business, customer.business_id).currency,
        disputed=disputed,
        created_at=now,
        updated_at=now,
    )
    session.add(document)
    session.flush()
    return document


def make_payment(
    session: Session,
    customer: Customer,
    at: datetime,
    amount: str,
    *,
    status: str = "approved",
    reference: str = "P1",
    currency: str = "ARS",
) -> Payment:
    payment = Payment(
        business_id=customer.business_id,
        customer_id=customer.id,
        amount=Decimal(amount),
        currency=currency,
        paid_at=at,
        provider="manual",
        provider_payment_id=reference,
        status=status,
        unallocated=Decimal(0),
        created_at=at,
    )
    session.add(payment)
    session.flush()
    return payment


def make_outbox_row(
    session: Session,
    customer: Customer,
    now: datetime,
    *,
    step: str = "reminder_soft",
    key: str = "k1",
) -> OutboxMessage:
    """Add an open case and one queued outbox row, bypassing the planner."""
    case = Case(
        business_id=customer.business_id,
        customer_id=customer.id,
        state="open",
        opened_at=now,
    )
    session.add(case)
    session.flush()
    row = OutboxMessage(
        business_id=customer.business_id,
        case_id=case.id,
        customer_id=customer.id,
        channel="sandbox",
        step=step,
        step_kind=step,
        tone="friendly",
        locale="es_AR",
        variables={},
        document_ids=[],
        idempotency_key=key,
        state="queued",
        planned_for=now,
        attempts=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row
