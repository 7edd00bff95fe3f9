"""Partial refunds through signed Stripe and Mercado Pago webhooks, both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cobranza.db.models import Allocation, OutboxMessage, PaymentLink, WebhookEvent
from cobranza.jobs.cycle import run_cycle
from cobranza.payments.inbox import process_pending
from cobranza.payments.status import PaymentStatus
from tests.fakes.mercadopago import FakeMercadoPago
from tests.fakes.stripe import FakeStripe
from tests.payments.conftest import (
    MP_SECRET,
    NOW,
    STRIPE_SECRET,
    World,
)
from tests.payments.helpers import make_link, report


def _post_stripe(
    client: TestClient, stripe_api: FakeStripe, kind: str, data: dict[str, object]
) -> int:
    body, signature = stripe_api.event(kind, data, STRIPE_SECRET)
    response = client.post(
        "/webhooks/stripe",
        content=body,
        headers={"stripe-signature": signature, "content-type": "application/json"},
    )
    return response.status_code


def _completed(link_id: int) -> dict[str, object]:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "client_reference_id": str(link_id),
        "metadata": {"link_id": str(link_id)},
        "amount_total": 150000,
        "currency": "ars",
        "payment_status": "paid",
        "payment_intent": "pi_1",
        "created": 1773150000,
    }


def _refund(amount_refunded: int, *, full: bool = False) -> dict[str, object]:
    return {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_1",
        "amount": 150000,
        "amount_refunded": amount_refunded,
        "currency": "ars",
        "refunded": full,
    }


def _post_mercadopago(
    client: TestClient, mercadopago: FakeMercadoPago, payment_id: str
) -> int:
    body, headers, query = mercadopago.notification(payment_id, MP_SECRET)
    response = client.post(
        "/webhooks/mercadopago", params=query, content=body, headers=headers
    )
    return response.status_code


def _allocations(world: World) -> dict[int, Decimal]:
    with world.session() as session:
        rows = session.execute(select(Allocation.document_id, Allocation.amount))
        return {document_id: amount for document_id, amount in rows}


def test_stripe_partial_refund_reopens_newest_invoice(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    _post_stripe(client, stripe_api, "checkout.session.completed", _completed(link.id))

    status = _post_stripe(client, stripe_api, "charge.refunded", _refund(20000))

    assert status == 200
    assert world.open_amounts() == {
        world.old_invoice_id: Decimal("0"),
        world.new_invoice_id: Decimal("200"),
    }
    payment = world.payments()[0]
    assert payment.status == "approved"
    assert payment.amount_refunded == Decimal("200")
    assert _allocations(world) == {
        world.old_invoice_id: Decimal("1000"),
        world.new_invoice_id: Decimal("300"),
    }
    case = world.case_row()
    assert case.closed_at is None
    assert case.state == "open"
    assert "payment_partially_refunded" in world.audit_kinds()
    assert world.link(link.id).status == "superseded"


def test_stripe_partial_refunds_repeated_and_reordered(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    _post_stripe(client, stripe_api, "checkout.session.completed", _completed(link.id))

    for cumulative in (20000, 70000, 20000, 70000):
        _post_stripe(client, stripe_api, "charge.refunded", _refund(cumulative))

    assert world.open_amounts() == {
        world.old_invoice_id: Decimal("200"),
        world.new_invoice_id: Decimal("500"),
    }
    assert _allocations(world) == {world.old_invoice_id: Decimal("800")}
    assert world.payments()[0].amount_refunded == Decimal("700")
    assert world.audit_kinds().count("payment_partially_refunded") == 2


def test_stripe_full_refund_after_partial(
    world: World, client: TestClient, stripe_api: FakeStripe
) -> None:
    link = make_link(world, provider="stripe")
    _post_stripe(client, stripe_api, "checkout.session.completed", _completed(link.id))
    _post_stripe(client, stripe_api, "charge.refunded", _refund(20000))

    _post_stripe(client, stripe_api, "charge.refunded", _refund(150000, full=True))
    late_partial = _post_stripe(client, stripe_api, "charge.refunded", _refund(70000))

    assert late_partial == 200
    assert world.open_amounts() == {
        world.old_invoice_id: Decimal("1000"),
        world.new_invoice_id: Decimal("500"),
    }
    payment = world.payments()[0]
    assert payment.status == "refunded"
    assert payment.amount_refunded == Decimal("1500")
    assert _allocations(world) == {}


def test_mercadopago_partial_refund(
    world: World, client: TestClient, mercadopago: FakeMercadoPago
) -> None:
    link = make_link(world, provider="mercadopago")
    mercadopago.add_payment("9100", "approved", 1500.0, "ARS", str(link.id))
    _post_mercadopago(client, mercadopago, "9100")
    closed = world.case_row()

    mercadopago.payments["9100"]["transaction_amount_refunded"] = 650.0
    first = _post_mercadopago(client, mercadopago, "9100")
    again = _post_mercadopago(client, mercadopago, "9100")

    assert closed.close_reason == "paid"
    assert first == 200
    assert again == 200
    assert world.open_amounts() == {
        world.old_invoice_id: Decimal("150"),
        world.new_invoice_id: Decimal("500"),
    }
    payment = world.payments()[0]
    assert payment.status == "approved"
    assert payment.amount_refunded == Decimal("650")
    case = world.case_row()
    assert case.closed_at is None
    assert case.state == "open"
    assert world.audit_kinds().count("payment_partially_refunded") == 1


def test_partial_refund_takes_credit_first(world: World) -> None:
    link = make_link(world)
    with world.session() as session, session.begin():
        session.execute(
            update(PaymentLink)
            .where(PaymentLink.id == link.id)
            .values(amount=Decimal("1800.00"))
        )
    report(world, link.id, PaymentStatus.APPROVED, "1800.00")

    result = report(
        world, link.id, PaymentStatus.APPROVED, "1800.00", amount_refunded="300.00"
    )

    assert result.reopened_document_ids == []
    payment = world.payments()[0]
    assert payment.unallocated == Decimal("0")
    assert payment.amount_refunded == Decimal("300")
    assert world.open_amounts()[world.new_invoice_id] == Decimal("0")
    assert world.case_row().close_reason == "paid"


def test_partial_refund_resumes_policy(world: World) -> None:
    link = make_link(world)
    report(world, link.id, PaymentStatus.APPROVED, "1500.00")
    report(world, link.id, PaymentStatus.APPROVED, "1500.00", amount_refunded="200")

    run_cycle(world.engine, world.business_id, NOW)

    with world.session() as session:
        reminders = list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.case_id == world.case_id,
                    OutboxMessage.step_kind != "payment_thanks",
                )
            )
        )
    assert len(reminders) == 1
    assert Decimal(reminders[0].variables["balance"]) == Decimal("200")
    assert reminders[0].document_ids == [world.new_invoice_id]


@pytest.mark.parametrize("full", [False, True])
def test_stripe_refund_before_payment_kept(
    world: World, client: TestClient, stripe_api: FakeStripe, full: bool
) -> None:
    # given: Stripe does not promise event order, so the refund of a charge
    # can arrive before the checkout session that paid it
    link = make_link(world, provider="stripe")
    refunded = 150000 if full else 20000
    early = _post_stripe(
        client, stripe_api, "charge.refunded", _refund(refunded, full=full)
    )

    # when
    _post_stripe(client, stripe_api, "checkout.session.completed", _completed(link.id))
    services = client.app.state.payments  # type: ignore[attr-defined]
    retried = process_pending(world.engine, services.handlers, datetime.now(UTC))

    # then
    assert early == 200
    assert retried == 1
    payment = world.payments()[0]
    assert payment.amount_refunded == Decimal(refunded) / 100
    assert payment.status == ("refunded" if full else "approved")
    assert world.open_amounts()[world.new_invoice_id] == (
        Decimal("500") if full else Decimal("200")
    )
    with world.session() as session:
        pending = session.scalars(
            select(WebhookEvent).where(WebhookEvent.processed_at.is_(None))
        ).all()
    assert pending == []
