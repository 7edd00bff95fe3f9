"""Fixtures for payments tests: one business, one customer with two invoices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobranza.config import Settings
from cobranza.db.engine import session_factory
from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    Customer,
    Document,
    OutboxMessage,
    Payment,
    PaymentLink,
)
from cobranza.web.app import create_app
from tests.channels.factories import make_business, make_customer, make_document
from tests.fakes.mercadopago import FakeMercadoPago, serve_mercadopago
from tests.fakes.stripe import FakeStripe, serve_stripe

# A Tuesday, 12:00 in Buenos Aires, inside the AR contact window.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
MP_SECRET = "mp-webhook-secret-for-tests"
STRIPE_SECRET = "whsec_test_secret_for_tests"
SANDBOX_SECRET = "sandbox-secret-for-tests"


@dataclass
class World:
    """A business with one customer who owes two invoices, and an open case."""

    engine: Engine
    business_id: int
    customer_id: int
    case_id: int
    old_invoice_id: int
    new_invoice_id: int

    def session(self) -> Session:
        return session_factory(self.engine)()

    def business(self, session: Session) -> Business:
        return session.get_one(Business, self.business_id)

    def case(self, session: Session) -> Case:
        return session.get_one(Case, self.case_id)

    def open_amounts(self) -> dict[int, Decimal]:
        with self.session() as session:
            rows = session.execute(
                select(Document.id, Document.open_amount).where(
                    Document.customer_id == self.customer_id
                )
            )
            return {document_id: amount for document_id, amount in rows}

    def case_row(self) -> Case:
        with self.session() as session:
            return session.get_one(Case, self.case_id)

    def payments(self) -> list[Payment]:
        with self.session() as session:
            return list(session.scalars(select(Payment).order_by(Payment.id)))

    def thanks(self) -> list[OutboxMessage]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.step_kind == "payment_thanks"
                    )
                )
            )

    def audit_kinds(self) -> list[str]:
        with self.session() as session:
            return list(
                session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id))
            )

    def link(self, link_id: int) -> PaymentLink:
        with self.session() as session:
            return session.get_one(PaymentLink, link_id)


def build_world(engine: Engine, country: str = "AR") -> World:
    with session_factory(engine).begin() as session:
        business = make_business(session, NOW, country=country)
        currency = business.currency
        customer: Customer = make_customer(
            session, business, NOW, "C1", "+5491155550001", name="Ana Pérez"
        )
        old = make_document(
            session, customer, NOW, "A-0001", "1000.00", date(2026, 2, 1),
            currency=currency,
        )  # fmt: skip
        new = make_document(
            session, customer, NOW, "A-0002", "500.00", date(2026, 3, 1),
            currency=currency,
        )  # fmt: skip
        case = Case(
            business_id=business.id,
            customer_id=customer.id,
            state="open",
            step="reminder_soft",
            planned_step="reminder_soft",
            opened_at=NOW,
        )
        session.add(case)
        session.flush()
        return World(engine, business.id, customer.id, case.id, old.id, new.id)


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "public_base_url": "http://testserver",
        "sandbox_payment_secret": SANDBOX_SECRET,
        "mercadopago_webhook_secret": MP_SECRET,
        "stripe_webhook_secret": STRIPE_SECRET,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings() -> Iterator[Settings]:
    yield make_settings()


# The web fixtures: fake provider servers and an app pointed at them. A test
# module that overrides `world` gets a client on its own world.
@pytest.fixture
def mercadopago() -> Iterator[FakeMercadoPago]:
    with serve_mercadopago() as fake:
        yield fake


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with serve_stripe() as fake:
        yield fake


@pytest.fixture
def client(
    world: World, mercadopago: FakeMercadoPago, stripe_api: FakeStripe
) -> Iterator[TestClient]:
    settings = make_settings(
        mercadopago_access_token="TEST-0000-access-token",
        mercadopago_api_base_url=mercadopago.base_url,
        stripe_secret_key="sk_test_cobranza",
        stripe_api_base_url=stripe_api.base_url,
    )
    with TestClient(create_app(settings, world.engine)) as test_client:
        yield test_client
