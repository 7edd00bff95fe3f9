"""The interface every payment provider implements (sandbox, Mercado Pago, Stripe)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cobranza.payments.status import PaymentStatus


@dataclass(frozen=True)
class CheckoutItem:
    """One line of a checkout: an invoice, or the installment being paid."""

    title: str
    amount: Decimal


@dataclass(frozen=True)
class CheckoutRequest:
    """The input a provider needs to create a checkout for one payment link."""

    link_id: int
    token: str
    items: tuple[CheckoutItem, ...]
    amount: Decimal
    currency: str
    business_name: str
    statement_descriptor: str
    # The checkout is valid from `starts_at` (now) until `expires_at`.
    starts_at: datetime
    expires_at: datetime
    # The page the provider sends the customer back to, and our webhook URL.
    return_url: str
    notification_url: str
    payer_email: str | None = None


@dataclass(frozen=True)
class Checkout:
    """A provider's checkout: its id, the page to send the customer to, its end."""

    reference: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider's API (or signed event) reports it."""

    provider: str
    payment_id: str
    status: PaymentStatus
    amount: Decimal
    currency: str
    # Our payment link id, from `external_reference` or the session metadata.
    link_id: int | None
    paid_at: datetime | None = None
    status_detail: str | None = None
    method: str | None = None
    # The total refunded so far; a partial refund leaves the status approved.
    amount_refunded: Decimal = Decimal(0)


class PaymentProvider(ABC):
    """A payment provider that creates checkouts for our payment links.

    `create_checkout` raises `ProviderUnavailableError` when a retry can
    help and `ProviderRejectedError` when it cannot.
    """

    # The `payment.provider` and `payment_link.provider` value.
    name: str
    # The maximum time a checkout may stay open, or None when the provider
    # sets no limit. Stripe's Checkout Sessions end within 24 hours.
    max_checkout_lifetime: timedelta | None = None

    @abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Create a checkout for `request` and return where to send the customer."""
