"""Provider payloads as JSON files, in the shape the providers document.

The files keep the fields of a Mercado Pago payment (`GET /v1/payments/{id}`)
and of a Stripe `checkout.session.completed` event, with test values.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from cobranza.payments.mercadopago import parse_payment
from cobranza.payments.status import PaymentStatus
from cobranza.payments.stripe.webhook import session_payment

FIXTURES = Path(__file__).parent / "fixtures"


def _load(name: str) -> dict[str, object]:
    payload: dict[str, object] = json.loads((FIXTURES / name).read_text())
    return payload


def test_mercadopago_payment_parsed() -> None:
    payment = parse_payment(_load("mercadopago_payment_approved.json"))

    assert payment.payment_id == "1234567890"
    assert payment.status is PaymentStatus.APPROVED
    assert payment.amount == Decimal("1500.50")
    assert payment.currency == "ARS"
    assert payment.link_id == 41
    assert payment.paid_at == datetime(2026, 3, 10, 15, 58, 3, tzinfo=UTC)
    assert payment.status_detail == "accredited"


def test_mercadopago_unknown_status_kept_unknown() -> None:
    payload = _load("mercadopago_payment_approved.json")
    payload["status"] = "some_new_status"

    assert parse_payment(payload).status is PaymentStatus.UNKNOWN


def test_stripe_session_parsed() -> None:
    event = _load("stripe_checkout_session_completed.json")
    session = event["data"]["object"]  # type: ignore[index]

    payment = session_payment(session, PaymentStatus.APPROVED)  # type: ignore[arg-type]

    assert payment.payment_id == "pi_3QeXamplePaymentIntent"
    assert payment.amount == Decimal("1500.50")
    assert payment.currency == "ARS"
    assert payment.link_id == 41
