"""Allocation: a payment settles a customer's invoices, oldest due date first.

A refund gives back in the reverse order: the payment's credit first, then
the most recently allocated invoices.

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
    in `payment.unallocated`. Calling it again for a payment with a credit
    applies the credit to what the customer owes now.
    """
    documents = _lock_open_documents(session, payment)
    preferred = set(preferred_ids)
    documents.sort(key=lambda document: document.id not in preferred)

    existing = _allocations(session, payment)
    remaining = (
        payment.amount
        - payment.amount_refunded
        - sum((row.amount for row in existing), Decimal(0))
    )
    by_document = {row.document_id: row for row in existing}
    allocations = []
    for document in documents:
        if remaining <= 0:
            break
        amount = min(remaining, document.open_amount)
        document.open_amount -= amount
        allocation = by_document.get(document.id)
        if allocation is None:
            allocation = Allocation(
                business_id=payment.business_id,
                payment_id=payment.id,
                document_id=document.id,
                amount=amount,
            )
            session.add(allocation)
        else:
            # A refund reopened this invoice earlier, and (payment, document) is unique.
            allocation.amount += amount
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


def release(session: Session, payment: Payment, amount: Decimal) -> list[int]:
    """Give back `amount` of `payment`: its credit first, then newest allocations.

    Allocations are undone in the reverse order they were made, so the
    invoices settled last reopen first. Returns the ids of the invoices
    whose open amount grew. Raises `ValueError` when `amount` is more than
    the payment still has applied or as credit.
    """
    allocations = _allocations(session, payment)
    applied = sum((row.amount for row in allocations), Decimal(0))
    if amount > payment.unallocated + applied:
        raise ValueError(
            f"invalid release of {amount} from payment {payment.id}: only "
            f"{payment.unallocated + applied} is allocated or left as credit"
        )

    from_credit = min(amount, payment.unallocated)
    payment.unallocated -= from_credit
    remaining = amount - from_credit
    newest_first = sorted(allocations, key=lambda row: row.id, reverse=True)
    released_by_document: dict[int, Decimal] = {}
    for allocation in newest_first:
        if remaining <= 0:
            break
        part = min(remaining, allocation.amount)
        released_by_document[allocation.document_id] = part
        remaining -= part

    documents = {
        document.id: document for document in _lock(session, list(released_by_document))
    }
    for allocation in newest_first:
        released = released_by_document.get(allocation.document_id)
        if released is None:
            continue
        documents[allocation.document_id].open_amount += released
        allocation.amount -= released
        if allocation.amount == 0:
            session.delete(allocation)
    session.flush()
    return sorted(released_by_document)


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


def _allocations(session: Session, payment: Payment) -> list[Allocation]:
    return list(
        session.scalars(
            select(Allocation)
            .where(Allocation.payment_id == payment.id)
            .order_by(Allocation.id)
        )
    )
