"""Reconciliation: apply a payment status to the system of record, once.

`apply_payment` is the one place where a payment's status changes. The
change is a guarded write: an INSERT ... ON CONFLICT DO NOTHING on the
unique (business, provider, provider payment id) for a new payment, or an
UPDATE ... WHERE status = <an allowed previous status> for a known one. Of
two transactions applying the same status at once, exactly one writes, and
only that one allocates, closes the case and queues the thank-you. The
order of notifications does not matter because statuses only move forward
(`status.ALLOWED_FROM`).

A partial refund keeps the status and is applied by `apply_partial_refund`
from the cumulative refunded amount the provider reports. That amount only
grows, so a repeated or late notification finds nothing to change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.db.models import (
    CaseState,
    Payment,
    PaymentLink,
    PaymentLinkStatus,
)
from cobranza.payments import allocation, cases
from cobranza.payments.base import ProviderPayment
from cobranza.payments.plan_payments import apply_payments_to_plans
from cobranza.payments.status import ALLOWED_FROM, SETTLING, PaymentStatus

logger = logging.getLogger(__name__)

_PAYMENTS: Table = Payment.__table__  # type: ignore[assignment]


@dataclass
class ApplyResult:
    """The changes made by applying one payment status."""

    status: PaymentStatus
    previous: PaymentStatus | None = None
    changed: bool = False
    payment_id: int | None = None
    allocated_document_ids: list[int] = field(default_factory=list)
    case_closed: bool = False
    mismatch: str | None = None
    # Invoices reopened by a partial refund applied with this status.
    reopened_document_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PaymentFacts:
    """A payment as reported, with the customer it belongs to."""

    business_id: int
    customer_id: int
    provider: str
    provider_payment_id: str
    status: PaymentStatus
    amount: Decimal
    currency: str
    paid_at: datetime
    link_id: int | None = None
    case_id: int | None = None
    method: str | None = None
    status_detail: str | None = None


def apply_provider_payment(
    session: Session, reported: ProviderPayment, now: datetime
) -> ApplyResult:
    """Apply a payment fetched from (or signed by) a provider, checked against its link.

    The link named by the payment's reference must exist, and the payment's
    currency and amount must equal the link's. A payment that disagrees is
    not applied: its case is handed to a person and an audit event records
    both sides. A late approval of an expired or superseded link is applied.
    """
    link = session.get(PaymentLink, reported.link_id) if reported.link_id else None
    if link is None:
        logger.warning(
            "%s payment %s names no known payment link (%s): ignored",
            reported.provider,
            reported.payment_id,
            reported.link_id,
        )
        return ApplyResult(status=reported.status, mismatch="unknown_link")

    problem = _mismatch(link, reported)
    if problem is not None:
        _flag_mismatch(session, link, reported, problem, now)
        return ApplyResult(status=reported.status, mismatch=problem)

    facts = PaymentFacts(
        business_id=link.business_id,
        customer_id=link.customer_id,
        provider=reported.provider,
        provider_payment_id=reported.payment_id,
        status=reported.status,
        amount=reported.amount,
        currency=reported.currency,
        paid_at=reported.paid_at or now,
        link_id=link.id,
        case_id=link.case_id,
        method=reported.method,
        status_detail=reported.status_detail,
    )
    result = apply_payment(session, facts, now)
    if reported.amount_refunded > 0 and reported.status in SETTLING:
        reopened = apply_partial_refund(
            session,
            link.business_id,
            reported.provider,
            reported.payment_id,
            reported.amount_refunded,
            now,
        )
        result.reopened_document_ids = reopened or []
    return result


def apply_payment(session: Session, facts: PaymentFacts, now: datetime) -> ApplyResult:
    """Move the payment to `facts.status` when allowed, and apply the effects."""
    result = ApplyResult(status=facts.status)
    allowed = ALLOWED_FROM[facts.status]
    if not allowed:
        logger.warning(
            "%s payment %s has an unknown status: not applied",
            facts.provider,
            facts.provider_payment_id,
        )
        return result

    payment_id = _insert(session, facts, now) if None in allowed else None
    if payment_id is None:
        payment_id, result.previous = _advance(session, facts, allowed, now)
    if payment_id is None:
        return result
    result.changed = True
    result.payment_id = payment_id

    payment = session.get_one(Payment, payment_id)
    session.refresh(payment)
    _apply_effects(session, payment, facts, result, now)
    cases.audit(
        session,
        facts.business_id,
        now,
        "payment_status",
        "payment",
        payment_id,
        str(facts.status),
        {
            "customer_id": facts.customer_id,
            "provider": facts.provider,
            "provider_payment_id": facts.provider_payment_id,
            "previous": str(result.previous) if result.previous else None,
            "amount": str(facts.amount),
            "currency": facts.currency,
            "link_id": facts.link_id,
            "allocated_document_ids": result.allocated_document_ids,
            "case_closed": result.case_closed,
        },
    )
    logger.info(
        "payment %s (%s %s) moved %s -> %s",
        payment_id,
        facts.provider,
        facts.provider_payment_id,
        result.previous,
        facts.status,
    )
    return result


def _apply_effects(
    session: Session,
    payment: Payment,
    facts: PaymentFacts,
    result: ApplyResult,
    now: datetime,
) -> None:
    status = facts.status
    previous = result.previous
    settled_before = previous in SETTLING

    if status == PaymentStatus.APPROVED:
        _settle(session, payment, facts, result, now)
    elif status == PaymentStatus.REFUNDED and settled_before:
        allocation.reverse(session, payment)
        payment.amount_refunded = payment.amount
        _unpay_link(session, facts.link_id, now)
        cases.reopen(
            session,
            facts.business_id,
            facts.customer_id,
            facts.case_id,
            CaseState.OPEN,
            "payment_refunded",
            now,
        )
    elif status == PaymentStatus.CHARGED_BACK:
        if settled_before:
            allocation.reverse(session, payment)
            _unpay_link(session, facts.link_id, now)
        _hand_off(session, facts, "payment_charged_back", now)
    elif status == PaymentStatus.IN_MEDIATION:
        _hand_off(session, facts, "payment_in_mediation", now)


def apply_partial_refund(
    session: Session,
    business_id: int,
    provider: str,
    provider_payment_id: str,
    refunded_total: Decimal,
    now: datetime,
) -> list[int] | None:
    """Give back the part of a settled payment that was refunded since last time.

    `refunded_total` is the provider's cumulative refunded amount (Stripe's
    `amount_refunded`, Mercado Pago's `transaction_amount_refunded`). Only
    the growth over the stored total is released: the payment's credit
    first, then the invoices it settled most recently. A reopened invoice
    reopens the case closed as paid, so the policy resumes on it. Returns
    the reopened invoice ids, or None when nothing changed.
    """
    payment = _locked_payment(session, business_id, provider, provider_payment_id)
    if payment is None or payment.status not in SETTLING:
        return None
    previous = payment.amount_refunded
    if refunded_total <= previous:
        return None
    if refunded_total > payment.amount:
        logger.warning(
            "%s payment %s reports %s refunded of %s: not applied",
            provider,
            provider_payment_id,
            refunded_total,
            payment.amount,
        )
        return None

    # Guarded by the total read above, so of two transactions that read the
    # same total (SQLite) only one releases the difference.
    changed = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.amount_refunded == previous)
        .values(amount_refunded=refunded_total, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        return None
    session.refresh(payment)
    released = refunded_total - previous
    reopened = allocation.release(session, payment, released)

    case_id = None
    if reopened:
        link = session.get(PaymentLink, payment.link_id) if payment.link_id else None
        case_id = link.case_id if link is not None else None
        _unpay_link(session, payment.link_id, now)
        # NOTE: an installment that this payment paid stays paid, so a
        # person decides whether the plan still holds.
        cases.reopen(
            session,
            business_id,
            payment.customer_id,
            case_id,
            CaseState.OPEN,
            "payment_partially_refunded",
            now,
        )
    cases.audit(
        session,
        business_id,
        now,
        "payment_partially_refunded",
        "payment",
        payment.id,
        None,
        {
            "provider": provider,
            "provider_payment_id": provider_payment_id,
            "refunded_total": str(refunded_total),
            "released": str(released),
            "currency": payment.currency,
            "reopened_document_ids": reopened,
            "case_id": case_id,
        },
    )
    logger.info(
        "payment %s (%s %s) partially refunded: %s released, %s invoices reopened",
        payment.id,
        provider,
        provider_payment_id,
        released,
        len(reopened),
    )
    return reopened


def _locked_payment(
    session: Session, business_id: int, provider: str, provider_payment_id: str
) -> Payment | None:
    statement = select(Payment).where(
        Payment.business_id == business_id,
        Payment.provider == provider,
        Payment.provider_payment_id == provider_payment_id,
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return session.scalars(statement.execution_options(populate_existing=True)).first()


def _settle(
    session: Session,
    payment: Payment,
    facts: PaymentFacts,
    result: ApplyResult,
    now: datetime,
) -> None:
    """Allocate an approved payment, pay installments, close the case when paid."""
    link = session.get(PaymentLink, facts.link_id) if facts.link_id else None
    preferred = list(link.document_ids) if link is not None else []
    allocations = allocation.allocate(session, payment, preferred)
    result.allocated_document_ids = sorted(a.document_id for a in allocations)

    if link is not None and payment.amount >= link.amount:
        session.execute(
            update(PaymentLink)
            .where(
                PaymentLink.id == link.id,
                PaymentLink.status != PaymentLinkStatus.PAID,
            )
            .values(status=PaymentLinkStatus.PAID, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if link.installment_id is not None:
            from cobranza.payments.plans import mark_installment_paid

            mark_installment_paid(
                session, link.installment_id, now, paid_at=payment.paid_at
            )
    # Transfers, Pix and cash recorded by hand carry no installment link, and
    # a stale link may pay the installment after the one it was made for.
    apply_payments_to_plans(
        session, facts.business_id, facts.customer_id, now, settling_id=payment.id
    )

    if cases.customer_owes(session, facts.business_id, facts.customer_id):
        return
    case = cases.open_case_of(session, facts.business_id, facts.customer_id)
    if case is not None:
        result.case_closed = cases.close_paid(
            session, case.id, payment, result.allocated_document_ids, now
        )


def _hand_off(
    session: Session, facts: PaymentFacts, reason: str, now: datetime
) -> None:
    cases.reopen(
        session,
        facts.business_id,
        facts.customer_id,
        facts.case_id,
        CaseState.HANDED_OFF,
        reason,
        now,
    )
    logger.warning(
        "payment %s %s: case of customer %s handed to a person",
        facts.provider_payment_id,
        reason,
        facts.customer_id,
    )


def _unpay_link(session: Session, link_id: int | None, now: datetime) -> None:
    if link_id is None:
        return
    session.execute(
        update(PaymentLink)
        .where(PaymentLink.id == link_id, PaymentLink.status == PaymentLinkStatus.PAID)
        .values(status=PaymentLinkStatus.SUPERSEDED, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _insert(session: Session, facts: PaymentFacts, now: datetime) -> int | None:
    """Insert the payment if it is new; return its id, or None if it existed."""
    values = {
        "business_id": facts.business_id,
        "customer_id": facts.customer_id,
        "amount": facts.amount,
        "currency": facts.currency,
        "paid_at": facts.paid_at,
        "method": facts.method,
        "provider": facts.provider,
        "provider_payment_id": facts.provider_payment_id,
        "status": facts.status,
        "status_detail": facts.status_detail,
        "unallocated": Decimal(0),
        "link_id": facts.link_id,
        "created_at": now,
        "updated_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_PAYMENTS)
        .values(values)
        .on_conflict_do_nothing(
            index_elements=["business_id", "provider", "provider_payment_id"]
        )
        .returning(_PAYMENTS.c.id)
    )
    return session.execute(statement).scalar()


def _advance(
    session: Session,
    facts: PaymentFacts,
    allowed: frozenset[PaymentStatus | None],
    now: datetime,
) -> tuple[int | None, PaymentStatus | None]:
    """Move a stored payment from an allowed status; return (id, previous status).

    One guarded UPDATE per allowed previous status, so the status read and
    the status written are the same statement.
    """
    for previous in sorted(status for status in allowed if status is not None):
        values: dict[str, object] = {
            "status": facts.status,
            "status_detail": facts.status_detail,
            "updated_at": now,
        }
        if facts.status == PaymentStatus.APPROVED:
            # The amount and its currency are known on approval. A receipt is
            # stored at zero in the business's currency until a person reads
            # it, and may turn out to be in dollars.
            values.update(
                amount=facts.amount,
                currency=facts.currency,
                paid_at=facts.paid_at,
            )
        payment_id = session.execute(
            update(Payment)
            .where(
                Payment.business_id == facts.business_id,
                Payment.provider == facts.provider,
                Payment.provider_payment_id == facts.provider_payment_id,
                Payment.status == previous,
            )
            .values(**values)
            .returning(Payment.id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if payment_id is not None:
            return payment_id, previous
    return None, None


def _mismatch(link: PaymentLink, reported: ProviderPayment) -> str | None:
    if reported.currency.upper() != link.currency.upper():
        return "currency"
    if reported.amount != link.amount:
        return "amount"
    return None


def _flag_mismatch(
    session: Session,
    link: PaymentLink,
    reported: ProviderPayment,
    problem: str,
    now: datetime,
) -> None:
    cases.audit(
        session,
        link.business_id,
        now,
        "payment_mismatch",
        "payment_link",
        link.id,
        problem,
        {
            "provider": reported.provider,
            "provider_payment_id": reported.payment_id,
            "status": str(reported.status),
            "reported_amount": str(reported.amount),
            "reported_currency": reported.currency,
            "link_amount": str(link.amount),
            "link_currency": link.currency,
        },
    )
    if reported.status == PaymentStatus.APPROVED:
        cases.reopen(
            session,
            link.business_id,
            link.customer_id,
            link.case_id,
            CaseState.HANDED_OFF,
            f"payment_mismatch_{problem}",
            now,
        )
    logger.warning(
        "%s payment %s differs from link %s in %s: not applied",
        reported.provider,
        reported.payment_id,
        link.id,
        problem,
    )


def find_payment(
    session: Session, provider: str, provider_payment_id: str
) -> Payment | None:
    """Return the stored payment with this provider id, in any business.

    Provider payment ids (a Stripe payment intent) are unique at the
    provider, so the id alone finds the business.
    """
    return session.scalars(
        select(Payment).where(
            Payment.provider == provider,
            Payment.provider_payment_id == provider_payment_id,
        )
    ).first()
