"""Hand a case to a person, and take it back: the states behind `cobranza inbox`.

A case waits for a person when `handoff_reason` is set. Most reasons also
stop the automation (state `handed_off`, queued reminders suppressed); a
reported payment only flags the case for verification while a short pause
holds the reminders, so the reminders resume by themselves if no person
verifies the payment in time.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobranza.db.models import AuditEvent, Case, CaseState, OutboxMessage, OutboxState
from cobranza.dunning import outbox
from cobranza.dunning.gate import REPLY_TO_VARIABLE
from cobranza.dunning.paid_handoffs import settled_by_payment

logger = logging.getLogger(__name__)

ACTOR = "conversations"
HANDED_OFF_REASON = "handed_off"
CLOSED_BY_PERSON = "closed_by_person"


def hand_off(
    session: Session,
    case: Case,
    reason: str,
    now: datetime,
    *,
    stop_automation: bool = True,
    actor: str = ACTOR,
    details: dict[str, object] | None = None,
) -> bool:
    """Flag `case` for a person with `reason`; return False if it already waited.

    With `stop_automation` the case moves to `handed_off`, so the planner
    leaves it alone, and its queued reminders are suppressed. A case that
    already waits keeps its waiting time, and its first reason unless a
    payment settles that reason and not `reason`: a dispute after "ya
    pagué" takes its place, so that paying the balance does not close the
    case with the dispute unanswered (`paid_handoffs.settled_by_payment`).
    """
    if case.closed_at is not None:
        raise ValueError(
            f"case {case.id} is closed, so it cannot be handed to a person: "
            "reopen it first"
        )
    previous = case.handoff_reason
    already = previous is not None
    replaced = (
        already and settled_by_payment(previous) and not settled_by_payment(reason)
    )
    if not already or replaced:
        case.handoff_reason = reason
    if not already:
        case.handed_off_at = now
    case.pending_question = None
    case.question_asked_at = None
    stopped = 0
    if stop_automation and case.state != CaseState.HANDED_OFF:
        case.state = CaseState.HANDED_OFF
        stopped = suppress_reminders(session, case, now)
    session.flush()
    if already and not stopped and not replaced:
        return False

    _audit(
        session,
        case,
        now,
        actor,
        "case_handed_off",
        reason,
        {
            "customer_id": case.customer_id,
            "stop_automation": stop_automation,
            "suppressed": stopped,
            **({"replaced_reason": previous} if replaced else {}),
            **(details or {}),
        },
    )
    logger.info("case %s handed to a person: %s", case.id, reason)
    return True


def suppress_reminders(session: Session, case: Case, now: datetime) -> int:
    """Suppress the case's queued policy messages; replies stay queued."""
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.business_id == case.business_id,
            OutboxMessage.case_id == case.id,
            OutboxMessage.state == OutboxState.QUEUED,
        )
    ).all()
    count = 0
    for row in rows:
        if row.variables.get(REPLY_TO_VARIABLE) is not None:
            continue
        outbox.suppress(session, row, HANDED_OFF_REASON, now)
        count += 1
    return count


def resume(session: Session, case: Case, now: datetime, actor: str) -> None:
    """Return a waiting case to automation: the planner picks it up again."""
    previous = case.handoff_reason
    case.state = CaseState.OPEN
    case.handoff_reason = None
    case.handed_off_at = None
    case.paused_until = None
    case.pause_reason = None
    session.flush()
    _audit(
        session,
        case,
        now,
        actor,
        "case_resumed",
        "vuelve a la automatización",
        {"customer_id": case.customer_id, "handoff_reason": previous},
    )


def close(session: Session, case: Case, now: datetime, actor: str) -> None:
    """Close a waiting case for good, by a person's decision."""
    previous = case.handoff_reason
    case.state = CaseState.CLOSED
    case.closed_at = now
    case.close_reason = CLOSED_BY_PERSON
    case.handoff_reason = None
    case.paused_until = None
    suppress_reminders(session, case, now)
    session.flush()
    _audit(
        session,
        case,
        now,
        actor,
        "case_closed",
        CLOSED_BY_PERSON,
        {"customer_id": case.customer_id, "handoff_reason": previous},
    )


def _audit(
    session: Session,
    case: Case,
    now: datetime,
    actor: str,
    kind: str,
    reason: str,
    details: dict[str, object],
) -> None:
    session.add(
        AuditEvent(
            business_id=case.business_id,
            at=now,
            actor=actor,
            kind=kind,
            subject_type="case",
            subject_id=case.id,
            reason=reason,
            details=details,
        )
    )
