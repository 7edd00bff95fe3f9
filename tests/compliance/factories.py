"""Factories for compliance tests: businesses, customers and sent messages."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from cobranza.db.models import (
    Business,
    Case,
    Customer,
    OutboxMessage,
    OutboxState,
    PhoneStatus,
)

CREATED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
_keys = itertools.count(1)


def add_business(
    session: Session,
    *,
    country: str = "AR",
    timezone: str = "America/Argentina/Buenos_Aires",
    name: str = "Ferretería Prueba",
) -> Business:
    business = Business(
        name=name,
        country=country,
        timezone=timezone,
        currency="ARS",
        locale="es_AR",
        settings={},
        created_at=CREATED,
    )
    session.add(business)
    session.flush()
    return business


def add_customer(
    session: Session,
    business: Business,
    *,
    external_id: str,
    phone: str | None = None,
    wa_id: str | None = None,
) -> Customer:
    customer = Customer(
        business_id=business.id,
        external_id=external_id,
        name=f"Cliente {external_id}",
        phone=phone,
        phone_status=PhoneStatus.VALID if phone else PhoneStatus.MISSING,
        wa_id=wa_id,
        created_at=CREATED,
        updated_at=CREATED,
    )
    session.add(customer)
    session.flush()
    return customer


def add_outbox(
    session: Session,
    business: Business,
    customer_id: int,
    *,
    sent_at: datetime,
    state: OutboxState = OutboxState.DELIVERED,
) -> OutboxMessage:
    case = Case(business_id=business.id, customer_id=customer_id, opened_at=CREATED)
    session.add(case)
    session.flush()
    message = OutboxMessage(
        business_id=business.id,
        case_id=case.id,
        customer_id=customer_id,
        step="reminder",
        step_kind="reminder",
        tone="friendly",
        locale="es_AR",
        idempotency_key=f"test-{next(_keys)}",
        state=state,
        planned_for=sent_at,
        sent_at=sent_at,
        created_at=CREATED,
    )
    session.add(message)
    session.flush()
    # Close the case so that the next message to this customer may open one.
    case.closed_at = sent_at
    session.flush()
    return message
