"""The outbox: one row per intended message, moved through its states here.

States: queued → sending → sent → delivered → read, or failed, or
suppressed. Every state change of a row goes through a function of this
module, so the guards (claim only a queued row, never move back from sent)
live in one place.

Locking: `claim` locks the row's case before the row itself. The planner
takes the same order (it updates cases, then their queued rows), which rules
out a deadlock between a planner and a dispatcher.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cobranza.db.models import (
    AuditEvent,
    Business,
    Case,
    Customer,
    OutboxMessage,
    OutboxState,
)

logger = logging.getLogger(__name__)

# The step of the owner's messages from the inbox or the dashboard, the only
# unkeyed step outside a policy.
MANUAL_STEP = "manual_reply"

# States after which a row is settled: no function here moves it back to
# queued or sending.
FINAL_STATES = frozenset(
    {
        OutboxState.SENT,
        OutboxState.DELIVERED,
        OutboxState.READ,
        OutboxState.FAILED,
        OutboxState.SUPPRESSED,
    }
)


def business_variables(business: Business) -> dict[str, Any]:
    """Return the message variables that come from the business row.

    They are stored on each row when it is planned, and the dispatcher
    reads them again before composing, so a detail the business sets or
    changes reaches the messages already waiting.
    """
    settings = business.settings or {}
    return {
        "business_name": business.name,
        "business_tax_id": business.tax_id,
        "business_country": business.country,
        "business_address": settings.get("address"),
        "payment_instructions": settings.get("payment_instructions"),
    }


def idempotency_key(
    business_id: int, case_id: int, step: str, document_ids: Iterable[int]
) -> str:
    """Return the sha256 hex key of (business, case, step, sorted invoice set)."""
    invoices = ",".join(str(document_id) for document_id in sorted(document_ids))
    material = f"{business_id}|{case_id}|{step}|{invoices}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def enqueue(session: Session, values: dict[str, Any]) -> int | None:
    """Insert one queued row unless its idempotency key exists; return its id.

    `values` are the row's columns. Returns None when a row with the same
    key was queued before, so repeating a call queues nothing.
    """
    table = OutboxMessage.__table__
    insert_for = (
        postgresql.insert
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert
    )
    statement = (
        insert_for(table)
        .values({"state": OutboxState.QUEUED, "attempts": 0, **values})
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def due_messages(
    session: Session, business_id: int, now: datetime, limit: int
) -> list[OutboxMessage]:
    """Return up to `limit` queued rows planned for `now` or earlier, oldest first."""
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.planned_for <= now,
        )
        .order_by(OutboxMessage.planned_for, OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def claim(
    session: Session, row: OutboxMessage, now: datetime, *, before_send: bool = False
) -> bool:
    """Move a queued row to `sending` and count the attempt.

    Returns False when another dispatcher claimed it first or the row is
    locked by another transaction. The UPDATE is guarded by `state = queued`,
    so of two dispatchers racing for one row only one UPDATE changes it. On
    PostgreSQL the case is locked first (waiting for a planner that holds
    it), then the row with SKIP LOCKED.

    `before_send` is the dispatcher's claim of a row it prepared: a row
    planned for later than `now` (put back with a backoff, or deferred
    since) is not claimed, and a locked case returns False instead of
    waiting. Two dispatchers may have prepared rows of the same cases, and
    each claim locks a case after the re-check locked others, so waiting
    could deadlock. On PostgreSQL it also locks the customer and every
    customer sharing the phone first (see `_lock_recipients`).
    """
    if session.get_bind().dialect.name == "postgresql":
        if before_send and not _lock_recipients(session, row):
            return False
        case = session.scalar(
            select(Case.id)
            .where(Case.id == row.case_id)
            .with_for_update(skip_locked=before_send)
        )
        if case is None:
            return False
        locked = session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.id == row.id)
            .with_for_update(skip_locked=True)
        )
        if locked is None:
            return False

    conditions = [
        OutboxMessage.id == row.id,
        OutboxMessage.state == OutboxState.QUEUED,
    ]
    if before_send:
        conditions.append(OutboxMessage.planned_for <= now)
    result = session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(
            state=OutboxState.SENDING,
            attempts=OutboxMessage.attempts + 1,
            claimed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    session.refresh(row)
    return claimed


def _lock_recipients(session: Session, row: OutboxMessage) -> bool:
    """Lock the row's customer and the customers sharing its phone, or return False.

    `consent.record_consent` locks the same customer row before it writes,
    so an opt-out committed before this lock is seen by the gate's re-check
    in this transaction, and one still being written makes this return
    False: the row waits for the next run. A revocation counts for every
    customer with the phone, which is why those are locked too. The locks
    are taken with SKIP LOCKED, so the claim never waits for them, even for
    an opt-out that goes on to lock the case the claim holds.
    """
    phone = select(Customer.phone).where(Customer.id == row.customer_id)
    recipients = sorted(
        session.scalars(
            select(Customer.id).where(
                Customer.business_id == row.business_id,
                (Customer.id == row.customer_id)
                | (Customer.phone == phone.scalar_subquery()),
            )
        )
    )
    locked = session.scalars(
        select(Customer.id)
        .where(Customer.id.in_(recipients))
        .order_by(Customer.id)
        .with_for_update(skip_locked=True)
    ).all()
    if len(locked) == len(recipients):
        return True
    logger.info(
        "outbox row %s passed over: customer %s or one sharing its phone is locked",
        row.id,
        row.customer_id,
    )
    return False


def claim_due(
    session: Session,
    business_id: int,
    now: datetime,
    limit: int,
    exclude: Collection[int] = (),
) -> tuple[list[OutboxMessage], list[int]]:
    """Claim up to `limit` due rows, oldest first, as `claim` does one row.

    Returns the claimed rows and the ids of due rows that were passed over
    because another transaction locked their case or the row (PostgreSQL
    only). Rows in `exclude` are not considered. On PostgreSQL the cases are
    locked first and then the rows, each in id order and with SKIP LOCKED,
    so a claim never waits for a planner or another dispatcher and cannot
    deadlock with one. On SQLite one UPDATE claims the rows, and SQLite
    serialises writers.
    """
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state == OutboxState.QUEUED,
            OutboxMessage.planned_for <= now,
        )
        .order_by(OutboxMessage.planned_for, OutboxMessage.id)
        .limit(limit)
    )
    if exclude:
        due = due.where(OutboxMessage.id.not_in(sorted(exclude)))

    passed_over: list[int] = []
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(due.add_columns(OutboxMessage.case_id)).all()
        candidates = [(outbox_id, case_id) for outbox_id, case_id in found]
        lockable = _lock_due(session, candidates)
        passed_over = [
            outbox_id for outbox_id, _ in candidates if outbox_id not in lockable
        ]
        targets: Any = sorted(lockable)
    else:
        targets = due

    claimed_ids = session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(targets),
            OutboxMessage.state == OutboxState.QUEUED,
        )
        .values(
            state=OutboxState.SENDING,
            attempts=OutboxMessage.attempts + 1,
            claimed_at=now,
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed_ids:
        return [], passed_over
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed_ids))
        .order_by(OutboxMessage.planned_for, OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    return list(rows), passed_over


def unclaim(session: Session, outbox_ids: Sequence[int]) -> None:
    """Put claimed rows back in the queue and give back their attempts.

    The dispatcher claims a batch to gate and compose it, then claims each
    row again just before its send. Between the two the rows are queued, so
    a crash leaves only the row being sent in `sending`, and the others are
    sent by the next run.
    """
    if not outbox_ids:
        return
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(outbox_ids),
            OutboxMessage.state == OutboxState.SENDING,
        )
        .values(state=OutboxState.QUEUED, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def _lock_due(session: Session, candidates: Sequence[tuple[int, int]]) -> set[int]:
    """Lock the candidates' cases, then the rows, skipping locked ones; return ids."""
    if not candidates:
        return set()
    case_ids = sorted({case_id for _, case_id in candidates})
    cases = set(
        session.scalars(
            select(Case.id)
            .where(Case.id.in_(case_ids))
            .order_by(Case.id)
            .with_for_update(skip_locked=True)
        )
    )
    free = sorted(outbox_id for outbox_id, case_id in candidates if case_id in cases)
    if not free:
        return set()
    return set(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_(free))
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
        )
    )


# Built once, because `mark_sent` runs for every message sent. A message
# sent before the case's last recorded one leaves the case as it is, so a
# send recorded late never moves the case's step back.
_ADVANCE_CASE = (
    update(Case)
    .where(
        Case.id == bindparam("case_id"),
        or_(Case.step_sent_at.is_(None), Case.step_sent_at <= bindparam("sent_at")),
    )
    .values(step=bindparam("sent_step"), step_sent_at=bindparam("sent_at"))
    .execution_options(synchronize_session=False)
)


def advance_case(session: Session, row: OutboxMessage, sent_at: datetime) -> None:
    """Record the row's step as its case's last step sent, at `sent_at`.

    Every path that records a message as sent calls this: the send's
    receipt, reconciliation after a crash, and a status webhook that shows
    a row failed as `unknown_delivery_state` went out.
    """
    session.execute(
        _ADVANCE_CASE,
        {"case_id": row.case_id, "sent_step": row.step, "sent_at": sent_at},
    )


def mark_sent(
    session: Session, row: OutboxMessage, provider_message_id: str, sent_at: datetime
) -> None:
    """Record that the channel accepted the row, and advance the case's step.

    A row already delivered, read or failed (a status webhook that beat
    the send call) keeps its state and only gains the provider id and sent
    time, because statuses never move back and failed is final.
    """
    advance_case(session, row, sent_at)
    if row.state not in (OutboxState.DELIVERED, OutboxState.READ, OutboxState.FAILED):
        row.state = OutboxState.SENT
    row.provider_message_id = provider_message_id
    row.sent_at = sent_at
    row.deferred_reason = None
    session.flush()


def mark_failed(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    code: str,
    detail: str | None = None,
) -> None:
    """Record that sending failed for good, with the error code and detail."""
    row.state = OutboxState.FAILED
    row.failed_at = now
    row.error_code = code
    row.error_detail = detail
    session.flush()


def requeue(
    session: Session,
    row: OutboxMessage,
    planned_for: datetime,
    reason: str,
    detail: str | None = None,
) -> None:
    """Put a row back in the queue for `planned_for`, after a transient error."""
    _check_not_final(row, "requeue")
    row.state = OutboxState.QUEUED
    row.planned_for = planned_for
    row.deferred_reason = reason
    if detail is not None:
        row.error_code = reason
        row.error_detail = detail
    session.flush()


def defer(
    session: Session,
    row: OutboxMessage,
    until: datetime,
    reason: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Move a row to `until` for `reason` and write the audit event.

    A row claimed for this check gives its attempt back, because nothing
    was tried.
    """
    _check_not_final(row, "defer")
    if row.state == OutboxState.SENDING:
        row.attempts = max(0, row.attempts - 1)
    row.state = OutboxState.QUEUED
    row.planned_for = until
    row.deferred_reason = reason
    facts = {"until": until.isoformat(), **(details or {})}
    session.add(_audit(row, now, "message_deferred", reason, facts))
    session.flush()


def suppress(
    session: Session,
    row: OutboxMessage,
    reason: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    *,
    actor: str = "gate",
) -> None:
    """Drop a row for `reason` and write the audit event, by `actor`."""
    _check_not_final(row, "suppress")
    if row.state == OutboxState.SENDING:
        row.attempts = max(0, row.attempts - 1)
    row.state = OutboxState.SUPPRESSED
    row.suppressed_reason = reason
    audit = _audit(row, now, "message_suppressed", reason, details or {})
    audit.actor = actor
    session.add(audit)
    session.flush()


def stuck_sending(
    session: Session, business_id: int, older_than: datetime
) -> list[OutboxMessage]:
    """Return rows claimed before `older_than` and still in `sending`."""
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.business_id == business_id,
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.claimed_at < older_than,
        )
        .order_by(OutboxMessage.claimed_at, OutboxMessage.id)
    )
    return list(session.scalars(statement))


def _check_not_final(row: OutboxMessage, operation: str) -> None:
    if row.state in FINAL_STATES:
        raise ValueError(
            f"cannot {operation} outbox row {row.id}: it is already {row.state}, "
            "and only queued or sending rows can change"
        )


def _audit(
    row: OutboxMessage,
    now: datetime,
    kind: str,
    reason: str,
    details: dict[str, Any],
) -> AuditEvent:
    return AuditEvent(
        business_id=row.business_id,
        at=now,
        actor="gate",
        kind=kind,
        subject_type="outbox_message",
        subject_id=row.id,
        reason=reason,
        details={
            "case_id": row.case_id,
            "customer_id": row.customer_id,
            "step": row.step,
            "document_ids": list(row.document_ids),
            **details,
        },
    )
