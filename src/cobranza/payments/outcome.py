"""The effect of one recorded payment: the invoices it paid and what stays open.

`cobranza payment add` shows this to the owner, who finds invoices by their
numbers, not by database ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.db.models import Allocation, Document, Payment
from cobranza.payments.reconcile import ApplyResult


@dataclass(frozen=True)
class AppliedInvoice:
    """One invoice that a payment paid, fully or in part."""

    number: str
    applied: Decimal
    # The invoice's open amount after the payment.
    still_open: Decimal

    @property
    def paid_in_full(self) -> bool:
        """Whether nothing of the invoice stays open."""
        return self.still_open <= 0


@dataclass(frozen=True)
class PaymentOutcome:
    """A payment as recorded, with its invoices and the customer's balance after."""

    payment_id: int
    amount: Decimal
    currency: str
    paid_at: datetime
    invoices: list[AppliedInvoice]
    # The part of the payment that no invoice took, kept as the customer's credit.
    credit: Decimal
    # The sum of the customer's open documents in the payment's currency,
    # credit notes netted in, as `cobranza customers` shows it.
    balance: Decimal
    case_closed: bool
    # What the customer still owes in each other currency, when above zero,
    # so a dollar payment does not read as if the pesos were paid too.
    other_balances: dict[str, Decimal] = field(default_factory=dict)


def payment_outcome(session: Session, result: ApplyResult) -> PaymentOutcome | None:
    """Read what the payment of `result` paid, or None when nothing was recorded."""
    if result.payment_id is None:
        return None
    payment = session.get_one(Payment, result.payment_id)
    session.refresh(payment)

    rows = session.execute(
        select(Document.number, Allocation.amount, Document.open_amount)
        .join(Allocation, Allocation.document_id == Document.id)
        .where(Allocation.payment_id == payment.id)
        .order_by(Document.due_on, Document.id)
    ).all()
    totals = session.execute(
        select(Document.currency, func.sum(Document.open_amount))
        .where(
            Document.business_id == payment.business_id,
            Document.customer_id == payment.customer_id,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
    ).all()
    balances = {currency: Decimal(total or 0) for currency, total in totals}
    balance = balances.pop(payment.currency, Decimal(0))
    return PaymentOutcome(
        payment_id=payment.id,
        amount=payment.amount,
        currency=payment.currency,
        paid_at=payment.paid_at,
        invoices=[AppliedInvoice(*row) for row in rows],
        credit=payment.unallocated,
        balance=balance,
        case_closed=result.case_closed,
        other_balances={
            currency: amount
            for currency, amount in sorted(balances.items())
            if amount > 0
        },
    )
