"""Payment links: reuse, supersession after a balance change, provider bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from cobranza.db.models import Document
from cobranza.payments import NothingOwedError, open_link, payment_link_for_case
from cobranza.payments.base import CheckoutItem, CheckoutRequest
from cobranza.payments.links import LinkContext, LinkState, reachable_by_customers
from cobranza.payments.mercadopago import preference_body, wire_amount
from cobranza.payments.sandbox import SandboxProvider
from cobranza.payments.stripe import from_stripe_amount, to_stripe_amount
from tests.payments.conftest import NOW, World
from tests.payments.helpers import make_link


def _context() -> LinkContext:
    return LinkContext(
        public_base_url="http://testserver",
        default_provider="sandbox",
        providers={"sandbox": SandboxProvider("http://testserver")},
    )


def test_same_link_while_balance_unchanged(world: World) -> None:
    first = make_link(world)
    second = make_link(world, now=NOW + timedelta(days=2))

    assert first.id == second.id
    assert len(first.token) >= 22
    assert first.amount == Decimal("1500.00")
    assert sorted(first.document_ids) == [world.old_invoice_id, world.new_invoice_id]


def test_balance_change_supersedes_link(world: World) -> None:
    old = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(Document)
            .where(Document.id == world.old_invoice_id)
            .values(open_amount=Decimal("0"))
        )

    with world.session() as session, session.begin():
        outcome = open_link(session, old.token, NOW, _context())

    assert outcome.state is LinkState.REDIRECT
    assert outcome.link is not None
    assert outcome.link.id != old.id
    assert outcome.link.amount == Decimal("500.00")
    assert world.link(old.id).status == "superseded"


def test_expired_checkout_is_recreated(world: World) -> None:
    link = make_link(world)
    with world.session() as session, session.begin():
        first = open_link(session, link.token, NOW, _context())
    later = NOW + timedelta(days=8)
    with world.session() as session, session.begin():
        second = open_link(session, link.token, later, _context())

    assert first.link is not None and second.link is not None
    assert first.link.id == second.link.id
    assert second.link.provider_expires_at == later + timedelta(days=7)


def test_nothing_owed_has_no_link(world: World) -> None:
    with world.session() as session, session.begin():
        session.execute(
            update(Document)
            .where(Document.customer_id == world.customer_id)
            .values(open_amount=Decimal("0"))
        )

    with pytest.raises(NothingOwedError), world.session() as session:
        payment_link_for_case(
            session,
            world.business(session),
            world.case(session),
            NOW,
            public_base_url="http://testserver",
            provider="sandbox",
        )


def _request(currency: str, amounts: list[str]) -> CheckoutRequest:
    items = tuple(
        CheckoutItem(f"Factura {i}", Decimal(a)) for i, a in enumerate(amounts)
    )
    return CheckoutRequest(
        link_id=7,
        token="tok",
        items=items,
        amount=sum((item.amount for item in items), Decimal(0)),
        currency=currency,
        business_name="Ejemplo",
        statement_descriptor="EJEMPLO",
        starts_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
        expires_at=datetime(2026, 3, 17, 15, 0, tzinfo=UTC),
        return_url="http://testserver/pagar/tok/listo",
        notification_url="http://testserver/webhooks/mercadopago",
    )


def test_preference_whole_numbers_for_clp_and_cop() -> None:
    for currency in ("CLP", "COP"):
        body = preference_body(_request(currency, ["10000", "2500.4"]))

        assert [item["unit_price"] for item in body["items"]] == [10000, 2500]
        assert all(isinstance(item["unit_price"], int) for item in body["items"])


def test_preference_expiry_has_offset() -> None:
    body = preference_body(_request("ARS", ["10.5"]))

    assert body["expires"] is True
    assert body["expiration_date_from"] == "2026-03-10T15:00:00.000+00:00"
    assert body["expiration_date_to"] == "2026-03-17T15:00:00.000+00:00"
    assert body["external_reference"] == "7"
    assert body["items"][0]["unit_price"] == 10.5


def test_wire_and_stripe_amounts() -> None:
    assert wire_amount(Decimal("1234.565"), "ARS") == 1234.57
    assert to_stripe_amount(Decimal("1234.56"), "ARS") == 123456
    assert to_stripe_amount(Decimal("5000"), "CLP") == 5000
    assert to_stripe_amount(Decimal("5000"), "COP") == 500000
    assert from_stripe_amount(123456, "ars") == Decimal("1234.56")
    assert from_stripe_amount(5000, "CLP") == Decimal("5000")


@pytest.mark.parametrize(
    ("provider", "base_url", "reachable"),
    [
        ("sandbox", "https://cobranza.example.com", False),
        ("mercadopago", "http://127.0.0.1:8000", False),
        ("mercadopago", "http://localhost:8000", False),
        ("stripe", "http://[::1]:8000", False),
        ("mercadopago", "https://cobranza.example.com", True),
        ("stripe", "https://203.0.113.7", True),
    ],
)
def test_links_reachable_by_customers(
    provider: str, base_url: str, reachable: bool
) -> None:
    assert reachable_by_customers(provider, base_url) is reachable
