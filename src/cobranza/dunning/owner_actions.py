"""Decisions an owner takes by hand: pause, resume, dispute.

Each one changes the case or the document in the caller's transaction and
writes an audit event naming the owner as actor, so the timeline explains
why the robot stopped or started again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import AuditEvent, Case, CaseState, Customer, Document
from cobranza.dunning.paid_handoffs import close_owing_nothing, customers_owing
from cobranza.dunning.terminal import CASE_STATE_LABELS


class OwnerActionError(LookupError):
    """The customer, case or document is not the business's."""


def _customer(session: Session, business_id: int, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.business_id != business_id:
        raise OwnerActionError(
            f"customer {customer_id} not found in business {business_id}"
        )
    return customer


def _open_case(session: Session, business_id: int, customer_id: int) -> Case | None:
    return session.scalars(
        select(Case)
        .where(
            Case.business_id == business_id,
            Case.customer_id == customer_id,
            Case.closed_at.is_(None),
        )
        .with_for_update()
    ).first()


def _audit(
    session: Session,
    business_id: int,
    now: datetime,
    actor: str,
    kind: str,
    subject: tuple[str, int],
    reason: str | None,
    details: dict[str, object],
) -> None:
    session.add(
        AuditEvent(
            business_id=business_id,
            at=now,
            actor=actor,
            kind=kind,
            subject_type=subject[0],
            subject_id=subject[1],
            reason=reason,
            details=details,
        )
    )


def pause_customer(
    session: Session,
    business_id: int,
    customer_id: int,
    until: datetime,
    reason: str,
    now: datetime,
    actor: str,
) -> Case:
    """Pause the customer's case until `until`, opening a paused case if none.

    The planner and the gate skip a paused case until `paused_until`.
    """
    _customer(session, business_id, customer_id)
    if until <= now:
        raise ValueError(f"pause end {until.isoformat()} is not in the future")
    case = _open_case(session, business_id, customer_id)
    if case is None:
        case = Case(business_id=business_id, customer_id=customer_id, opened_at=now)
        session.add(case)
    case.state = CaseState.PAUSED
    case.paused_until = until
    case.pause_reason = reason[:200] or "pausado por el dueño"
    session.flush()
    _audit(
        session,
        business_id,
        now,
        actor,
        "case_paused",
        ("case", case.id),
        case.pause_reason,
        {"customer_id": customer_id, "until": until.isoformat()},
    )
    return case


def resume_customer(
    session: Session, business_id: int, customer_id: int, now: datetime, actor: str
) -> Case | None:
    """Return the customer's open case to automation; None when there is none.

    A customer who owes nothing has nothing left to collect, so the case is
    closed as paid (`zero_balance`) instead, and the returned case's
    `closed_at` is set.
    """
    _customer(session, business_id, customer_id)
    case = _open_case(session, business_id, customer_id)
    if case is None:
        return None
    if not customers_owing(session, business_id, [customer_id]):
        close_owing_nothing(session, case, now, actor)
        return case
    previous = case.state
    previous_label = CASE_STATE_LABELS.get(previous, previous)
    handoff_reason = case.handoff_reason
    case.state = CaseState.OPEN
    case.paused_until = None
    case.pause_reason = None
    # The case no longer waits for a person either, so `cobranza inbox` and
    # the dashboard stop listing it.
    case.handoff_reason = None
    case.handed_off_at = None
    _audit(
        session,
        business_id,
        now,
        actor,
        "case_resumed",
        ("case", case.id),
        f"vuelve a la automatización (estaba {previous_label})",
        {
            "customer_id": customer_id,
            "previous_state": previous,
            "handoff_reason": handoff_reason,
        },
    )
    return case


def set_disputed(
    session: Session,
    business_id: int,
    document_id: int,
    disputed: bool,
    reason: str,
    now: datetime,
    actor: str,
) -> Document:
    """Mark a document disputed, which pauses its reminders, or clear the mark."""
    document = session.get(Document, document_id)
    if document is None or document.business_id != business_id:
        raise OwnerActionError(
            f"document {document_id} not found in business {business_id}"
        )
    document.disputed = disputed
    _audit(
        session,
        business_id,
        now,
        actor,
        "document_disputed" if disputed else "dispute_cleared",
        ("document", document.id),
        reason or None,
        {"customer_id": document.customer_id, "number": document.number},
    )
    return document
