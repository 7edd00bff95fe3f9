"""Write a `Plan` with bulk statements, in chunks, inside the caller's
transaction.

New rows go in through executemany-style bulk inserts. Their ids are then
read back with one query per table (by external id, document key or payment
id), so no statement runs once per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cobranza.db.models import (
    Allocation,
    AuditEvent,
    ConsentEvent,
    Customer,
    Document,
    Payment,
)
from cobranza.ingest.plan import IMPORT_PROVIDER, Plan

CHUNK_SIZE = 5000

Progress = Callable[[int], None]
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_plan(
    session: Session, business_id: int, plan: Plan, advance: Progress | None = None
) -> None:
    """Insert and update everything in `plan`; `advance(n)` reports progress."""
    step = advance or (lambda _count: None)

    _bulk_insert(session, Customer, plan.new_customers, step)
    _bulk_update(session, Customer, plan.customer_updates, step)
    customer_ids = _customer_ids(session, business_id)

    documents = [_resolve(row, customer_ids) for row in plan.new_documents]
    _bulk_insert(session, Document, documents, step)
    updates = [_resolve(row, customer_ids) for row in plan.document_updates]
    _bulk_update(session, Document, updates, step)

    consent = [_resolve(row, customer_ids) for row in plan.consent_events]
    _bulk_insert(session, ConsentEvent, consent, step)

    _insert_payments(session, business_id, plan, customer_ids, step)
    _bulk_update(session, Payment, plan.payment_dates, step)
    _bulk_insert(session, AuditEvent, plan.cancellation_events, step)
    _bulk_update(session, Payment, plan.voided_payments, step)


def _resolve(row: dict[str, Any], customer_ids: dict[str, int]) -> dict[str, Any]:
    """Replace `customer_key` (external id or stored id) with `customer_id`."""
    values = dict(row)
    key = values.pop("customer_key")
    values["customer_id"] = key if isinstance(key, int) else customer_ids[key]
    return values


def _customer_ids(session: Session, business_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Customer.external_id, Customer.id).where(
            Customer.business_id == business_id
        )
    )
    return {external_id: customer_id for external_id, customer_id in rows}


def _insert_payments(
    session: Session,
    business_id: int,
    plan: Plan,
    customer_ids: dict[str, int],
    step: Progress,
) -> None:
    if not plan.payments:
        return
    payments = [
        {
            "business_id": business_id,
            "customer_id": (
                payment.customer_key
                if isinstance(payment.customer_key, int)
                else customer_ids[payment.customer_key]
            ),
            "amount": payment.amount,
            "currency": payment.currency,
            "paid_at": payment.paid_at,
            "paid_at_unknown": payment.paid_at_unknown,
            "method": None,
            "provider": IMPORT_PROVIDER,
            "provider_payment_id": payment.provider_payment_id,
            "status": "approved",
            "unallocated": 0,
            "created_at": payment.recorded_at,
        }
        for payment in plan.payments
    ]
    _bulk_insert(session, Payment, payments, step)

    payment_ids = {
        provider_payment_id: payment_id
        for provider_payment_id, payment_id in session.execute(
            select(Payment.provider_payment_id, Payment.id).where(
                Payment.business_id == business_id,
                Payment.provider == IMPORT_PROVIDER,
            )
        )
    }
    document_ids = {
        (kind, number): document_id
        for document_id, kind, number in session.execute(
            select(Document.id, Document.kind, Document.number).where(
                Document.business_id == business_id
            )
        )
    }
    allocations = [
        {
            "business_id": business_id,
            "payment_id": payment_ids[payment.provider_payment_id],
            "document_id": document_ids[payment.document_key],
            "amount": payment.amount,
        }
        for payment in plan.payments
    ]
    _bulk_insert(session, Allocation, allocations, step)


def _bulk_insert(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], step: Progress
) -> None:
    for chunk in chunks(rows):
        session.execute(insert(model), list(chunk))
        step(len(chunk))


def _bulk_update(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], step: Progress
) -> None:
    for chunk in chunks(rows):
        session.execute(update(model), list(chunk))
        step(len(chunk))
