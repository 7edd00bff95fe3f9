"""Early-payment discount links: amount, deadline and fallback."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from cobranza.db.models import PaymentLink
from cobranza.payments import discount_link_for_case, discounted_amount, open_link
from cobranza.payments.links import LinkContext
from cobranza.payments.sandbox import SandboxProvider
from tests.payments.conftest import NOW, World


def _discount_link(world: World, deadline: date) -> PaymentLink:
    with world.session() as session, session.begin():
        url = discount_link_for_case(
            session,
            world.business(session),
            world.case(session),
            Decimal(10),
            deadline,
            NOW,
            public_base_url="http://testserver",
            provider="sandbox",
        )
    with world.session() as session:
        return session.scalars(
            select(PaymentLink).where(PaymentLink.token == url.rsplit("/", 1)[1])
        ).one()


def _context() -> LinkContext:
    return LinkContext(
        public_base_url="http://testserver",
        default_provider="sandbox",
        providers={"sandbox": SandboxProvider("http://testserver")},
    )


def test_discounted_amount_rounds_like_messages() -> None:
    assert discounted_amount(Decimal("1500.00"), Decimal(10), "ARS") == Decimal(
        "1350.00"
    )
    assert discounted_amount(Decimal("999"), Decimal("12.5"), "CLP") == Decimal("874")


def test_discount_link_amount_and_deadline(world: World) -> None:
    link = _discount_link(world, date(2026, 3, 20))

    assert link.purpose == "discount"
    assert link.amount == Decimal("1350.00")
    assert link.discount_percent == Decimal(10)
    assert link.expires_at is not None
    assert link.expires_at.isoformat() == "2026-03-21T02:59:59.999999+00:00"


def test_discount_checkout_ends_at_deadline(world: World) -> None:
    link = _discount_link(world, date(2026, 3, 11))

    with world.session() as session, session.begin():
        outcome = open_link(session, link.token, NOW, _context())

    assert outcome.link is not None
    assert outcome.link.id == link.id
    assert outcome.link.provider_expires_at == link.expires_at


def test_discount_after_deadline_falls_back_to_balance(world: World) -> None:
    link = _discount_link(world, date(2026, 3, 11))

    with world.session() as session, session.begin():
        outcome = open_link(session, link.token, NOW + timedelta(days=3), _context())

    assert outcome.link is not None
    assert outcome.link.purpose == "balance"
    assert outcome.link.amount == Decimal("1500.00")
    assert world.link(link.id).status == "expired"


def test_past_deadline_gives_balance_link(world: World) -> None:
    link = _discount_link(world, date(2026, 3, 1))

    assert link.purpose == "balance"
