"""Payment provider clients against a base URL that redirects elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cobranza.payments.base import CheckoutItem, CheckoutRequest
from cobranza.payments.errors import ProviderUnavailableError
from cobranza.payments.mercadopago.client import MercadoPagoProvider
from cobranza.payments.stripe.client import StripeProvider
from tests.fakes.redirector import Redirector
from tests.fakes.webhook_receiver import FakeReceiver


@pytest.fixture
def elsewhere() -> Iterator[FakeReceiver]:
    with FakeReceiver() as receiver:
        yield receiver


def _request() -> CheckoutRequest:
    item = CheckoutItem("Factura A-0001", Decimal("1500.00"))
    return CheckoutRequest(
        link_id=7,
        token="tok",
        items=(item,),
        amount=item.amount,
        currency="ARS",
        business_name="Ejemplo",
        statement_descriptor="EJEMPLO",
        starts_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
        expires_at=datetime(2026, 3, 11, 15, 0, tzinfo=UTC),
        return_url="http://testserver/pagar/tok/listo",
        notification_url="http://testserver/webhooks/mercadopago",
        payer_email="deudor@example.com",
    )


@pytest.mark.parametrize("status", [307, 308])
def test_stripe_session_not_sent_elsewhere(
    elsewhere: FakeReceiver, status: int
) -> None:
    with Redirector(elsewhere.url(""), status) as redirector:
        provider = StripeProvider("sk_test_123", redirector.base_url, 5.0)

        with pytest.raises(ProviderUnavailableError) as caught:
            provider.create_checkout(_request())

    assert elsewhere.received == []
    assert redirector.paths == ["/v1/checkout/sessions"]
    assert caught.value.code == "stripe_redirect"
    assert elsewhere.url("/v1/checkout/sessions") in str(caught.value)
    assert "COBRANZA_STRIPE_API_BASE_URL" in str(caught.value)


@pytest.mark.parametrize("status", [307, 308])
def test_mercadopago_preference_not_sent_elsewhere(
    elsewhere: FakeReceiver, status: int
) -> None:
    with Redirector(elsewhere.url(""), status) as redirector:
        provider = MercadoPagoProvider("TEST-123", redirector.base_url, 5.0)

        with pytest.raises(ProviderUnavailableError) as caught:
            provider.create_checkout(_request())

    assert elsewhere.received == []
    assert redirector.paths == ["/checkout/preferences"]
    assert caught.value.code == "mercadopago_redirect"
    assert elsewhere.url("/checkout/preferences") in str(caught.value)
    assert "COBRANZA_MERCADOPAGO_API_BASE_URL" in str(caught.value)
