"""Stripe values cobranza depends on (checked against stripe-python 16.1.0)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cobranza.money import quantize

PROVIDER = "stripe"
SIGNATURE_HEADER = "stripe-signature"

# Checkout Sessions expire 30 minutes to 24 hours after creation. One hour
# is kept off the maximum, so a clock difference between this server and
# Stripe cannot push a session past Stripe's limit.
SESSION_MIN_LIFETIME = timedelta(minutes=31)
SESSION_MAX_LIFETIME = timedelta(hours=23)

# Stripe's zero-decimal currencies, whose amounts are sent in whole units
# (https://docs.stripe.com/currencies#zero-decimal). COP is not among them,
# so Stripe takes COP in cents while Mercado Pago takes whole pesos.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
        "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    }
)  # fmt: skip


def to_stripe_amount(amount: Decimal, currency: str) -> int:
    """Return `amount` in Stripe's smallest unit for `currency` (cents for ARS)."""
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return int(quantize(amount, code))
    return int((amount * 100).quantize(Decimal(1)))


def from_stripe_amount(units: int, currency: str) -> Decimal:
    """Return a Stripe amount in the smallest unit as a `Decimal`."""
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return Decimal(units)
    return (Decimal(units) / 100).quantize(Decimal("0.01"))
