"""Helpers shared by payments tests: links and reported payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from cobranza.db.models import PaymentLink
from cobranza.payments import ApplyResult, apply_provider_payment, payment_link_for_case
from cobranza.payments.base import ProviderPayment
from cobranza.payments.status import PaymentStatus
from tests.payments.conftest import NOW, World


def make_link(
    world: World, provider: str = "sandbox", now: datetime = NOW
) -> PaymentLink:
    """Create (or return) the case's balance link and return its row."""
    with world.session() as session, session.begin():
        url = payment_link_for_case(
            session,
            world.business(session),
            world.case(session),
            now,
            public_base_url="http://testserver",
            provider=provider,
        )
    token = url.rsplit("/", 1)[1]
    with world.session() as session:
        return session.scalars(
            select(PaymentLink).where(PaymentLink.token == token)
        ).one()


def report(
    world: World,
    link_id: int | None,
    status: PaymentStatus,
    amount: str,
    *,
    payment_id: str = "sbx-1",
    currency: str = "ARS",
    now: datetime = NOW,
    amount_refunded: str = "0",
) -> ApplyResult:
    """Apply a provider payment in its own transaction."""
    reported = ProviderPayment(
        provider="sandbox",
        payment_id=payment_id,
        status=status,
        amount=Decimal(amount),
        currency=currency,
        link_id=link_id,
        paid_at=now,
        amount_refunded=Decimal(amount_refunded),
    )
    with world.session() as session, session.begin():
        return apply_provider_payment(session, reported, now)
