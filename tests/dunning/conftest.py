"""Factories for dunning tests: a business, customers, documents, consent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cobranza.db.engine import session_factory
from cobranza.db.models import (
    Business,
    ConsentEvent,
    Customer,
    CustomerKind,
    Document,
    DocumentKind,
    PhoneStatus,
)
from cobranza.dunning.policy import Policy
from cobranza.dunning.policy_loader import default_policy_path, load_policy

# A Tuesday, 12:00 in Buenos Aires (UTC-3), inside the AR contact window.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@dataclass
class Portfolio:
    """A session with one business, and helpers to add its customers."""

    session: Session
    business: Business
    _numbers: int = 0

    def customer(
        self,
        external_id: str,
        *,
        segment: str | None = "occasional_late",
        kind: str = CustomerKind.PERSON,
        phone: str | None = "+5491155550000",
        consent: bool | None = True,
        timezone: str | None = None,
    ) -> Customer:
        customer = Customer(
            business_id=self.business.id,
            external_id=external_id,
            name=f"Cliente {external_id}",
            kind=kind,
            phone=phone,
            phone_status=PhoneStatus.VALID if phone else PhoneStatus.MISSING,
            segment=segment,
            timezone=timezone,
            created_at=NOW,
            updated_at=NOW,
        )
        self.session.add(customer)
        self.session.flush()
        if consent is not None:
            self.session.add(
                ConsentEvent(
                    business_id=self.business.id,
                    customer_id=customer.id,
                    channel="whatsapp",
                    action="grant" if consent else "revoke",
                    source="formulario de alta",
                    at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        return customer

    def invoice(
        self,
        customer: Customer,
        amount: str,
        due_on: date,
        *,
        open_amount: str | None = None,
        kind: str = DocumentKind.INVOICE,
        disputed: bool = False,
        hold_until: date | None = None,
        currency: str = "ARS",
    ) -> Document:
        self._numbers += 1
        document = Document(
            business_id=self.business.id,
            customer_id=customer.id,
            kind=kind,
            number=f"A-{self._numbers:05d}",
            issued_on=date(2026, 1, 1),
            due_on=due_on,
            amount=Decimal(amount),
            open_amount=Decimal(open_amount if open_amount is not None else amount),
            currency=currency,
            disputed=disputed,
            hold_until=hold_until,
            created_at=NOW,
            updated_at=NOW,
        )
        self.session.add(document)
        self.session.flush()
        return document

    def credit_note(self, customer: Customer, amount: str) -> Document:
        return self.invoice(
            customer,
            f"-{amount}",
            date(2026, 1, 1),
            kind=DocumentKind.CREDIT_NOTE,
        )


@pytest.fixture
def portfolio(engine: Engine) -> Iterator[Portfolio]:
    """A session (committed at the end) with an Argentine business."""
    with session_factory(engine).begin() as session:
        business = Business(
            name="Ferretería Demo",
            country="AR",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            locale="es_AR",
            settings={},
            created_at=NOW,
        )
        session.add(business)
        session.flush()
        yield Portfolio(session, business)


@pytest.fixture(scope="session")
def default_policy() -> Policy:
    return load_policy(default_policy_path())
