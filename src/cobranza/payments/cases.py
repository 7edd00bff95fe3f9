"""Case changes caused by payments: close as paid and thank, reopen, hand off.

Each change is one UPDATE guarded by the case's current state, so when two
notifications race, one of them changes the case and the other finds
nothing to do. Closing as paid queues exactly one thank-you, because only
the transaction whose UPDATE closed the case queues it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    CaseState,
    Customer,
    CustomerKind,
    Document,
    OutboxMessage,
    OutboxState,
    Payment,
)
from cobranza.dunning.outbox import business_variables, idempotency_key
from cobranza.dunning.paid_handoffs import closes_when_paid
from cobranza.timeutil import local_date

logger = logging.getLogger(__name__)

ACTOR = "payments"
PAID = "paid"
THANKS_STEP_KIND = "payment_thanks"
DEFAULT_CHANNEL = "sandbox"


def customer_owes(session: Session, business_id: int, customer_id: int) -> bool:
    """Return whether the customer still owes in any currency."""
    totals = session.execute(
        select(func.sum(Document.open_amount))
        .where(
            Document.business_id == business_id,
            Document.customer_id == customer_id,
            Document.missing_since.is_(None),
        )
        .group_by(Document.currency)
    ).scalars()
    return any(total is not None and total > 0 for total in totals)


def open_case_of(session: Session, business_id: int, customer_id: int) -> Case | None:
    """Return the customer's case that is not closed, if any."""
    return session.scalars(
        select(Case).where(
            Case.business_id == business_id,
            Case.customer_id == customer_id,
            Case.closed_at.is_(None),
        )
    ).first()


def close_paid(
    session: Session,
    case_id: int,
    payment: Payment,
    document_ids: list[int],
    now: datetime,
) -> bool:
    """Close the case as paid, reset its step, queue the thank-you and audit.

    Returns False, and writes nothing, when the case was already closed or
    waits for a person over something a payment does not settle, such as
    a dispute (`cobranza.dunning.paid_handoffs`). That case stays in the
    inbox with no thank-you, because the person replies to the customer.
    """
    result = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.closed_at.is_(None), closes_when_paid())
        .values(
            state=CaseState.CLOSED,
            closed_at=now,
            close_reason=PAID,
            step=None,
            step_sent_at=None,
            planned_step=None,
            planned_at=None,
            paused_until=None,
            pause_reason=None,
            # A paid case no longer waits for a person, even if reopened later.
            handoff_reason=None,
            handed_off_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False

    # Reminders still queued for the case are left to the gate, which
    # suppresses them for the zero balance and records why.
    case = session.get_one(Case, case_id)
    session.refresh(case)
    _queue_thanks(session, case, payment, document_ids, now)
    audit(
        session,
        payment.business_id,
        now,
        "case_closed",
        "case",
        case_id,
        PAID,
        {
            "customer_id": payment.customer_id,
            "payment_id": payment.id,
        },
    )
    logger.info("case %s closed as paid by payment %s", case_id, payment.id)
    return True


def reopen(
    session: Session,
    business_id: int,
    customer_id: int,
    case_id: int | None,
    state: CaseState,
    reason: str,
    now: datetime,
) -> int | None:
    """Put the customer's case back to `state` after a refund or a dispute.

    The customer's open case is used when there is one; otherwise the case
    `case_id`, closed as paid, is reopened. Returns the case id, or None
    when there is no case to reopen. A case closed for another reason (an
    owner's decision) stays closed.
    """
    current = open_case_of(session, business_id, customer_id)
    values: dict[str, Any] = {"state": state}
    if state == CaseState.HANDED_OFF:
        values["pause_reason"] = reason
        # The inbox lists cases by their hand-off reason. A payment problem
        # takes the place of any earlier reason, because a person who settled
        # that reason and resumed the case would otherwise restart reminders
        # over money not yet applied. A case that already waited keeps its
        # place in the queue. The instant is bound with the column's type,
        # which stores it in UTC whatever the database session's zone.
        values["handoff_reason"] = reason
        values["handed_off_at"] = func.coalesce(
            Case.handed_off_at, literal(now, Case.handed_off_at.type)
        )
    # A person handles the case: a refund must not restart its reminders.
    handled = (
        current is not None
        and state == CaseState.OPEN
        and current.state == CaseState.HANDED_OFF
    )
    if current is not None:
        if not handled:
            session.execute(
                update(Case)
                .where(Case.id == current.id, Case.closed_at.is_(None))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        target = current.id
    elif case_id is not None:
        # NOTE: a planner may open a new case for this customer between the
        # read above and this UPDATE. The UPDATE then fails on the
        # one-open-case index, so the notification stays pending for a retry.
        result = session.execute(
            update(Case)
            .where(
                Case.id == case_id,
                Case.closed_at.is_not(None),
                Case.close_reason == PAID,
            )
            .values(closed_at=None, close_reason=None, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        target = case_id
    else:
        return None

    kind = "case_handed_off" if state == CaseState.HANDED_OFF else "case_reopened"
    audit(session, business_id, now, kind, "case", target, reason, {})
    session.expire_all()
    return target


def audit(
    session: Session,
    business_id: int,
    now: datetime,
    kind: str,
    subject_type: str,
    subject_id: int | None,
    reason: str | None,
    details: dict[str, Any],
    actor: str = ACTOR,
) -> None:
    """Write one audit event."""
    session.add(
        AuditEvent(
            business_id=business_id,
            at=now,
            actor=actor,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            reason=reason,
            details=details,
        )
    )


def queue_message(
    session: Session,
    case: Case,
    step: str,
    step_kind: str,
    variables: dict[str, Any],
    document_ids: list[int],
    now: datetime,
) -> int:
    """Queue one message of `case` outside the policy; return 1 if new, else 0.

    The business and customer variables every message needs are added to
    `variables`. The outbox's idempotency key (case, step, invoices) makes
    a repeated call insert nothing.
    """
    business = session.get_one(Business, case.business_id)
    customer = session.get_one(Customer, case.customer_id)
    settings = business.settings or {}
    today = local_date(now, customer.timezone or business.timezone)
    tone = "formal" if customer.kind == CustomerKind.COMPANY else "friendly"
    row = {
        "business_id": business.id,
        "case_id": case.id,
        "customer_id": customer.id,
        "channel": settings.get("channel") or DEFAULT_CHANNEL,
        "step": step,
        "step_kind": step_kind,
        "tone": tone,
        "locale": customer.locale or business.locale,
        "variables": {
            "customer_name": customer.name,
            **business_variables(business),
            "today": today.isoformat(),
            **variables,
        },
        "document_ids": sorted(document_ids),
        "idempotency_key": idempotency_key(business.id, case.id, step, document_ids),
        "state": OutboxState.QUEUED,
        "planned_for": now,
        "attempts": 0,
        "created_at": now,
    }
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(row)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return 1 if session.execute(statement).scalar() is not None else 0


def _queue_thanks(
    session: Session,
    case: Case,
    payment: Payment,
    document_ids: list[int],
    now: datetime,
) -> None:
    """Queue the thank-you, unique by the payment it thanks for."""
    customer = session.get_one(Customer, case.customer_id)
    business = session.get_one(Business, case.business_id)
    today = local_date(now, customer.timezone or business.timezone)
    queue_message(
        session,
        case,
        f"{THANKS_STEP_KIND}:{payment.id}",
        THANKS_STEP_KIND,
        {
            "currency": payment.currency,
            "balance": str(Decimal(0)),
            "paid_amount": str(payment.amount),
            "invoice_count": len(document_ids),
            "oldest_due_on": today.isoformat(),
            "days_past_due": 0,
            "payment_id": payment.id,
        },
        document_ids,
        now,
    )
