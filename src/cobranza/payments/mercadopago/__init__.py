"""Mercado Pago: Checkout Pro preferences, signed notifications, payment reads."""

from cobranza.payments.mercadopago.client import (
    MercadoPagoHttpClient,
    MercadoPagoProvider,
    parse_payment,
    preference_body,
    wire_amount,
)
from cobranza.payments.mercadopago.constants import PROVIDER, map_status
from cobranza.payments.mercadopago.webhook import (
    MercadoPagoHandler,
    signed_manifest,
    verify_notification,
)

__all__ = [
    "PROVIDER",
    "MercadoPagoHandler",
    "MercadoPagoHttpClient",
    "MercadoPagoProvider",
    "map_status",
    "parse_payment",
    "preference_body",
    "signed_manifest",
    "verify_notification",
    "wire_amount",
]
