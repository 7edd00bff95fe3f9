"""Customer credits: the unallocated part of approved payments, applied to invoices.

An overpayment leaves a credit in `Payment.unallocated`. `apply_credits`
applies each credit to the customer's open invoices of its currency, oldest
due date first, through `allocation.allocate`. It runs after an import and
before each cycle's planner, so a customer whose credit covers the balance
is not reminded.

The payments are locked (PostgreSQL, in id order), and `allocate` sums a
payment's allocations only after locking the invoices. So of two runs at
once, the second finds the credit already used. SQLite serialises writers,
and a run that read before another one committed fails to write instead of
applying the credit twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobranza.db.models import Payment
from cobranza.payments import allocation, cases
from cobranza.payments.status import PaymentStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreditBalance:
    """A customer's unused credit in one currency."""

    currency: str
    amount: Decimal


def apply_credits(session: Session, business_id: int, now: datetime) -> int:
    """Apply open credits to open invoices, oldest first, and count the payments used.

    Only approved payments give credit. Each payment that settled an
    invoice gets a `credit_applied` audit event.
    """
    statement = (
        select(Payment)
        .where(
            Payment.business_id == business_id,
            Payment.status == PaymentStatus.APPROVED,
            Payment.unallocated > 0,
        )
        .order_by(Payment.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    payments = list(
        session.scalars(statement.execution_options(populate_existing=True))
    )
    # The oldest credit is used first, as the oldest invoice is settled first.
    payments.sort(key=lambda payment: (payment.paid_at, payment.id))

    used = 0
    for payment in payments:
        credit_before = payment.unallocated
        allocations = allocation.allocate(session, payment)
        if not allocations:
            continue
        used += 1
        cases.audit(
            session,
            business_id,
            now,
            "credit_applied",
            "payment",
            payment.id,
            None,
            {
                "customer_id": payment.customer_id,
                "currency": payment.currency,
                "applied": str(credit_before - payment.unallocated),
                "credit_left": str(payment.unallocated),
                "document_ids": sorted(row.document_id for row in allocations),
            },
        )
    if used:
        logger.info(
            "business %s: credit of %s payments applied to open invoices",
            business_id,
            used,
        )
    return used


def customer_credits(
    session: Session, business_id: int, customer_id: int
) -> list[CreditBalance]:
    """Return the customer's unused credit per currency, largest first."""
    rows = session.execute(
        select(Payment.currency, func.sum(Payment.unallocated))
        .where(
            Payment.business_id == business_id,
            Payment.customer_id == customer_id,
            Payment.status == PaymentStatus.APPROVED,
            Payment.unallocated > 0,
        )
        .group_by(Payment.currency)
    )
    credits = [CreditBalance(currency, amount) for currency, amount in rows]
    return sorted(credits, key=lambda credit: (-credit.amount, credit.currency))
