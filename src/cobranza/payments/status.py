"""Payment statuses and the transitions between them.

Providers report many statuses; cobranza keeps the ones that change what a
customer owes or whether reminders go out. A status only moves forward
along `ALLOWED_FROM`, so a late or repeated notification cannot undo a
newer one (a refund is never followed by an approval of the same payment,
and a dispute that arrives after a refund is ignored).
"""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    # Mercado Pago's pending and in_process, Stripe's unpaid delayed methods
    # and receipts waiting for a person. Reminders pause; nothing is paid.
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    # Mercado Pago's in_mediation: the customer opened a claim.
    IN_MEDIATION = "in_mediation"
    CHARGED_BACK = "charged_back"
    UNKNOWN = "unknown"


# Statuses in which the payment's money settles invoices.
SETTLING = frozenset({PaymentStatus.APPROVED, PaymentStatus.IN_MEDIATION})

# The statuses a payment may move to a status from. `None` stands for "no
# payment stored yet".
ALLOWED_FROM: dict[PaymentStatus, frozenset[PaymentStatus | None]] = {
    PaymentStatus.PENDING: frozenset({None}),
    PaymentStatus.APPROVED: frozenset({None, PaymentStatus.PENDING}),
    PaymentStatus.REJECTED: frozenset({None, PaymentStatus.PENDING}),
    PaymentStatus.CANCELLED: frozenset({None, PaymentStatus.PENDING}),
    PaymentStatus.IN_MEDIATION: frozenset({None, PaymentStatus.APPROVED}),
    PaymentStatus.REFUNDED: frozenset(
        {None, PaymentStatus.APPROVED, PaymentStatus.IN_MEDIATION}
    ),
    PaymentStatus.CHARGED_BACK: frozenset(
        {None, PaymentStatus.APPROVED, PaymentStatus.IN_MEDIATION}
    ),
    PaymentStatus.UNKNOWN: frozenset(),
}


def parse_status(value: str) -> PaymentStatus:
    """Return the member for `value`, or UNKNOWN for a value never seen."""
    try:
        return PaymentStatus(value)
    except ValueError:
        return PaymentStatus.UNKNOWN
