"""Allocation: a payment settles a customer's invoices, oldest due date first.

The documents are locked (PostgreSQL, in id order) before they are read, so
two payments of one customer applied at once cannot both settle the same
open amount. SQLite serialises writers, and every caller writes the payment
row first, so its transaction already holds the write lock when it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cobranza.db.models import Allocation, Document, Payment


def allocate(
    session: Session, payment: Payment, preferred_ids: Sequence[int] = ()
) -> list[Allocation]:
    """Settle open invoices with `payment` and return the allocations made.

    The invoices in `preferred_ids` (a payment link's set) come first, then
    the customer's other open invoices in the same currency, each group
    oldest due date first. Disputed invoices and invoices a full-snapshot
    import no longer lists are skipped. What is left over becomes a credit
    in `payment.unallocated`.
    """
    documents = _lock_open_documents(session, payment)
    preferred = set(preferred_ids)
    documents.sort(key=lambda document: document.id not in preferred)

    remaining = payment.amount - _allocated(session, payment)
    allocations = []
    for document in documents:
        if remaining <= 0:
            break
        amount = min(remaining, document.open_amount)
        document.open_amount -= amount
        allocation = Allocation(
            business_id=payment.business_id,
            payment_id=payment.id,
            document_id=document.id,
            amount=amount,
        )
        session.add(allocation)
        allocations.append(allocation)
        remaining -= amount

    payment.unallocated = max(remaining, Decimal(0))
    session.flush()
    return allocations


def reverse(session: Session, payment: Payment) -> list[int]:
    """Give back to each invoice what `payment` settled; return the invoice ids.

    Used when the money goes back to the customer (refund, chargeback).
    The allocations are deleted, and the audit event of the caller keeps
    the amounts.
    """
    allocations = list(
        session.scalars(
            select(Allocation)
            .where(Allocation.payment_id == payment.id)
            .order_by(Allocation.document_id)
        )
    )
    ids = [allocation.document_id for allocation in allocations]
    documents = {document.id: document for document in _lock(session, ids)}
    for allocation in allocations:
        documents[allocation.document_id].open_amount += allocation.amount
    session.execute(delete(Allocation).where(Allocation.payment_id == payment.id))
    payment.unallocated = Decimal(0)
    session.flush()
    return ids


def _lock_open_documents(session: Session, payment: Payment) -> list[Document]:
    statement = (
        select(Document)
        .where(
            Document.business_id == payment.business_id,
            Document.customer_id == payment.customer_id,
            Document.currency == payment.currency,
            Document.open_amount > 0,
            Document.disputed.is_(False),
            Document.missing_since.is_(None),
        )
        .order_by(Document.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    documents = list(session.scalars(statement))
    documents.sort(key=lambda document: (document.due_on or date.max, document.id))
    return documents


def _lock(session: Session, ids: list[int]) -> list[Document]:
    statement = select(Document).where(Document.id.in_(ids)).order_by(Document.id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return list(session.scalars(statement))


def _allocated(session: Session, payment: Payment) -> Decimal:
    rows = session.scalars(
        select(Allocation.amount).where(Allocation.payment_id == payment.id)
    )
    return sum(rows, Decimal(0))
