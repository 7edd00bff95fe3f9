"""A small builder for hand-made portfolios, written straight through the ORM."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.config import Settings
from cobranza.db.engine import default_business, session_factory
from cobranza.db.models import (
    Allocation,
    Business,
    Customer,
    Document,
    DocumentKind,
    Payment,
)

CREATED = datetime(2020, 1, 1, tzinfo=UTC)
TIMEZONE = "America/Argentina/Buenos_Aires"


class PortfolioBuilder:
    """Add customers, documents and payments to one business."""

    def __init__(self, session: Session, business: Business) -> None:
        self.session = session
        self.business = business
        self._numbers = itertools.count(1)

    def customer(self, external_id: str, name: str | None = None) -> Customer:
        customer = Customer(
            business_id=self.business.id,
            external_id=external_id,
            name=name or f"Cliente {external_id} (ficticio)",
            created_at=CREATED,
            updated_at=CREATED,
        )
        self.session.add(customer)
        self.session.flush()
        return customer

    def customer_by(self, external_id: str) -> Customer:
        """Return the customer with `external_id`, adding it on first use."""
        found = self.session.scalars(
            select(Customer).where(
                Customer.business_id == self.business.id,
                Customer.external_id == external_id,
            )
        ).first()
        return found or self.customer(external_id)

    def invoice(
        self,
        customer: Customer,
        amount: str,
        issued_on: date | None,
        due_on: date | None,
        *,
        kind: DocumentKind = DocumentKind.INVOICE,
        disputed: bool = False,
    ) -> Document:
        value = Decimal(amount)
        document = Document(
            business_id=self.business.id,
            customer_id=customer.id,
            kind=kind,
            number=f"{kind.value}-{next(self._numbers):05d}",
            issued_on=issued_on,
            due_on=due_on,
            amount=value,
            open_amount=value,
            currency=self.business.currency,
            disputed=disputed,
            created_at=CREATED,
            updated_at=CREATED,
        )
        self.session.add(document)
        self.session.flush()
        return document

    def credit_note(self, customer: Customer, amount: str, issued_on: date) -> Document:
        return self.invoice(
            customer, f"-{amount}", issued_on, issued_on, kind=DocumentKind.CREDIT_NOTE
        )

    def pay(
        self,
        document: Document,
        amount: str | None = None,
        *,
        on: date | None = None,
        at: datetime | None = None,
    ) -> Payment:
        """Pay `amount` (default: the whole open amount) of one document.

        `on` is a local calendar day, paid at noon in the business's zone, and
        `at` is an exact instant.
        """
        value = Decimal(amount) if amount is not None else document.open_amount
        if at is None:
            assert on is not None
            at = datetime.combine(on, time(12), tzinfo=ZoneInfo(TIMEZONE))
        payment = Payment(
            business_id=self.business.id,
            customer_id=document.customer_id,
            amount=value,
            currency=document.currency,
            paid_at=at,
            provider="test",
            provider_payment_id=f"P-{next(self._numbers)}",
            created_at=CREATED,
        )
        self.session.add(payment)
        self.session.flush()
        self.session.add(
            Allocation(
                business_id=self.business.id,
                payment_id=payment.id,
                document_id=document.id,
                amount=value,
            )
        )
        document.open_amount -= value
        self.session.flush()
        return payment

    def paid_invoice(
        self, customer: Customer, due_on: date, paid_on: date, amount: str = "100"
    ) -> Document:
        """Add an invoice issued 30 days before `due_on` and paid in full."""
        issued_on = date.fromordinal(due_on.toordinal() - 30)
        document = self.invoice(customer, amount, issued_on, due_on)
        self.pay(document, on=paid_on)
        return document


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def business(session: Session) -> Business:
    settings = Settings(timezone=TIMEZONE, currency="ARS", _env_file=None)
    business = default_business(session, settings)
    session.flush()
    return business


@pytest.fixture
def builder(session: Session, business: Business) -> PortfolioBuilder:
    return PortfolioBuilder(session, business)
