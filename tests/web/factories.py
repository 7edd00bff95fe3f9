"""Factories for the web tests: businesses, owners, customers and invoices."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from cobranza.accounts import create_user
from cobranza.compliance.consent import record_consent
from cobranza.db.models import (
    Business,
    Case,
    CaseState,
    ConsentAction,
    Customer,
    Document,
    PhoneStatus,
)

PASSWORD = "correct horse battery"


def make_business(session: Session, now: datetime, name: str) -> Business:
    business = Business(
        name=name,
        country="AR",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        locale="es_AR",
        settings={},
        created_at=now,
    )
    session.add(business)
    session.flush()
    return business


def make_owner(session: Session, business: Business, now: datetime, email: str) -> None:
    create_user(session, business.id, email, PASSWORD, now)


def make_customer(
    session: Session,
    business: Business,
    now: datetime,
    external_id: str,
    name: str,
    phone: str | None = "+5491155550001",
    segment: str | None = None,
) -> Customer:
    customer = Customer(
        business_id=business.id,
        external_id=external_id,
        name=name,
        phone=phone,
        phone_status=PhoneStatus.VALID if phone else PhoneStatus.MISSING,
        segment=segment,
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    session.flush()
    return customer


def make_invoice(
    session: Session,
    customer: Customer,
    now: datetime,
    number: str,
    amount: str,
    due_on: date,
) -> Document:
    document = Document(
        business_id=customer.business_id,
        customer_id=customer.id,
        number=number,
        issued_on=due_on,
        due_on=due_on,
        amount=Decimal(amount),
        currency="ARS",
        open_amount=Decimal(amount),
        created_at=now,
        updated_at=now,
    )
    session.add(document)
    session.flush()
    return document


def make_consenting_open_case(
    session: Session, business_id: int, customer_id: int, now: datetime
) -> None:
    """Add a consent granted 30 days before `now` and a case opened 3 days before."""
    record_consent(
        session,
        business_id,
        customer_id,
        ConsentAction.GRANT,
        "formulario firmado",
        None,
        now - timedelta(days=30),
    )
    session.add(
        Case(
            business_id=business_id,
            customer_id=customer_id,
            state=CaseState.OPEN,
            opened_at=now - timedelta(days=3),
        )
    )
