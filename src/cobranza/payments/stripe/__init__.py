"""Stripe: Checkout Sessions created on click, signed events."""

from cobranza.payments.stripe.client import StripeProvider, session_params
from cobranza.payments.stripe.constants import (
    PROVIDER,
    from_stripe_amount,
    to_stripe_amount,
)
from cobranza.payments.stripe.webhook import HANDLERS, StripeHandler, verify_event

__all__ = [
    "HANDLERS",
    "PROVIDER",
    "StripeHandler",
    "StripeProvider",
    "from_stripe_amount",
    "session_params",
    "to_stripe_amount",
    "verify_event",
]
