"""Mercado Pago values cobranza depends on (checked against SDK 3.6.0)."""

from __future__ import annotations

from cobranza.payments.status import PaymentStatus

PROVIDER = "mercadopago"
# The base URL that SDK 3.6.0 hard-codes; `MercadoPagoHttpClient` swaps it.
SDK_API_BASE_URL = "https://api.mercadopago.com"
SIGNATURE_HEADER = "x-signature"
REQUEST_ID_HEADER = "x-request-id"
# Notification types that name a payment; merchant orders and others have
# statuses of their own and are stored but not applied.
PAYMENT_TYPES = frozenset({"payment"})

# Mercado Pago payment statuses. `authorized` is a card hold not yet
# captured, so, like pending and in_process, it pauses reminders only.
STATUS_MAP: dict[str, PaymentStatus] = {
    "approved": PaymentStatus.APPROVED,
    "authorized": PaymentStatus.PENDING,
    "pending": PaymentStatus.PENDING,
    "in_process": PaymentStatus.PENDING,
    "in_mediation": PaymentStatus.IN_MEDIATION,
    "rejected": PaymentStatus.REJECTED,
    "cancelled": PaymentStatus.CANCELLED,
    "refunded": PaymentStatus.REFUNDED,
    "charged_back": PaymentStatus.CHARGED_BACK,
}


def map_status(status: str) -> PaymentStatus:
    """Return our status for a Mercado Pago status; UNKNOWN for a new value."""
    return STATUS_MAP.get(status, PaymentStatus.UNKNOWN)
